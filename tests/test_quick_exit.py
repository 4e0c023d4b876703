"""The builds' processes exit without collecting the objects alive at exit (common/quick_exit.py)."""

import subprocess
import sys
import textwrap
from pathlib import Path

EXT = Path(__file__).resolve().parents[1] / "_ext"

# A reference cycle whose finalizer records that the collector reached it.
PROGRAM = textwrap.dedent("""
    import sys
    sys.path.insert(0, {ext!r})
    from handbook.common import quick_exit

    class Node:
        def __del__(self):
            with open({record!r}, "a") as record:
                record.write("collected")

    if {freeze}:
        quick_exit.freeze_at_exit()
        quick_exit.freeze_at_exit()  # a second build in the process registers nothing more
    node = Node()
    node.self = node
    del node
""")


def exit_collects(tmp_path: Path, freeze: bool) -> bool:
    record = tmp_path / f"record-{freeze}"
    program = PROGRAM.format(ext=str(EXT), record=str(record), freeze=freeze)
    subprocess.run([sys.executable, "-c", program], check=True)
    return record.exists()


def test_python_collects_a_cycle_at_exit_without_it(tmp_path):
    # The control: what the freeze saves is real work of Python's exit.
    assert exit_collects(tmp_path, freeze=False)


def test_the_exit_skips_the_collection_of_what_is_alive(tmp_path):
    assert not exit_collects(tmp_path, freeze=True)
