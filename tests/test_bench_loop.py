"""scripts/bench_loop.py and the targets of scripts/bench.py, on small cases (no build, no timing).

The measurements themselves run in `make bench`; test_bench.py runs it end to end.
"""

from __future__ import annotations

import shutil

import pytest
from babel.messages.pofile import read_po

import bench
import bench_loop
from conftest import ROOT

PAGE = bench_loop.EDITED_PAGE.with_suffix(".md")
CATALOGUE = bench_loop.EDITED_PAGE.with_suffix(".po")


def test_a_sentence_goes_to_the_first_one_line_paragraph():
    text = "# Title\n\n- a list item.\n\nFirst paragraph.\n\nSecond paragraph.\n"
    edited, before, after = bench_loop.add_sentence(text, "Added.")
    assert (before, after) == ("First paragraph.", "First paragraph. Added.")
    assert edited == "# Title\n\n- a list item.\n\nFirst paragraph. Added.\n\nSecond paragraph.\n"


def test_a_paragraph_the_test_refuses_is_passed_over():
    text = "First paragraph.\n\nSecond paragraph.\n"
    assert bench_loop.add_sentence(text, "Added.", lambda line: line.startswith("Second"))[1] == "Second paragraph."
    with pytest.raises(RuntimeError, match="no one-line paragraph"):
        bench_loop.add_sentence("# Title only\n", "Added.")


def test_the_edit_reaches_the_page_and_its_translation(tmp_path):
    (tmp_path / "docs" / PAGE).parent.mkdir(parents=True)
    shutil.copy(ROOT / "docs" / PAGE, tmp_path / "docs" / PAGE)
    catalogue = tmp_path / "locales" / "es" / "LC_MESSAGES" / CATALOGUE
    catalogue.parent.mkdir(parents=True)
    shutil.copy(ROOT / "locales" / "es" / "LC_MESSAGES" / CATALOGUE, catalogue)

    bench_loop.edit_clone(bench_loop.Clone(tmp_path, tmp_path / ".venv", ("en", "es")))

    page = (tmp_path / "docs" / PAGE).read_text(encoding="utf-8")
    edited = next(line for line in page.splitlines() if line.endswith(bench_loop.ADDED["en"]))
    with catalogue.open("rb") as file:
        message = read_po(file)[edited]
    assert message is not None, "the edited paragraph is a message of the translation"
    assert message.string.endswith(bench_loop.ADDED["es"])
    assert not message.fuzzy


def test_outputs_digest_sees_a_changed_byte(tmp_path):
    clone = bench_loop.Clone(tmp_path, tmp_path / ".venv", ("en",))
    (tmp_path / "_build" / "pdf").mkdir(parents=True)
    (tmp_path / "_build" / "pdf" / "a.pdf").write_bytes(b"%PDF-1.7 a")
    (tmp_path / "_build" / "doctrees").mkdir()
    (tmp_path / "_build" / "doctrees" / "cache").write_bytes(b"not an output")
    before = bench_loop.outputs_digest(clone)
    assert list(before) == ["pdf/a.pdf"]
    (tmp_path / "_build" / "pdf" / "a.pdf").write_bytes(b"%PDF-1.7 b")
    assert bench_loop.outputs_digest(clone) != before


def _series(seconds: float, pages: int = 0, memory: int = 0) -> bench.Series:
    return bench.Series(runs=[bench.Run(seconds=seconds, peak_memory=memory, pages=pages)])


def test_targets_report_marks_a_missed_target():
    results = {
        (1, "html"): (_series(2.0), _series(2.0)),
        (20, "html"): (_series(60.0), _series(100.0)),  # 30 times 1x: missed; 0.6 of stock: missed
        (1, "pdf"): (_series(5.0, pages=70), _series(6.0)),
        (20, "pdf"): (_series(100.0, pages=1400, memory=int(1.2e9)), _series(120.0)),  # all met
    }
    rows = {line.split(" | ")[0].lstrip("| "): line for line in bench.targets_report(results, None) if "|" in line}
    assert rows["Clean HTML at 20x: at most 25 times the 1x time"].endswith("| **no** |")
    assert rows["Clean HTML at 20x: at most half the stock theme's time"].endswith("| **no** |")
    assert rows["PDF at 20x: at least 10 pages/s over both editions"].endswith("| yes |")
    assert rows["PDF at 20x: at most 25 times the 1x time"].endswith("| yes |")
    assert rows["PDF at 20x: peak memory at most 1.5 GB, summed over the process tree"].endswith("| yes |")


def test_targets_report_marks_the_contributors_missed_targets():
    def run(seconds: float) -> bench.Run:
        return bench.Run(seconds=seconds, peak_memory=0)

    loop = bench_loop.LoopResults(
        clean_make=run(50.0), edit_make=run(35.0),  # 0.7 of clean: missed
        differing=["html/index.html"],  # missed
        make_pdf=[run(10.0)], simplepdf=[run(12.0)],  # met
        preview={1: bench_loop.PreviewLoop(2.0, [0.5, 0.6, 0.7]),  # 0.3: met
                 20: bench_loop.PreviewLoop(60.0, [6.0, 6.5, 7.0])},  # 6.5 s: missed
    )
    rows = {line.split(" | ")[0].lstrip("| "): line for line in bench.targets_report({}, loop) if "|" in line}
    assert rows["Clean `make`, both editions, every format: at most 60 s"].endswith("| yes |")
    assert rows["`make` after a one-line edit: at most 0.6 of a clean `make`"].endswith("| **no** |")
    assert rows["`make` after an edit: outputs byte-identical to a clean build"].endswith("| **no** |")
    assert rows["`make pdf` no slower than sphinx-simplepdf 1.7.0"].endswith("| yes |")
    assert rows["Preview at 1x: an edit shows in at most 0.35 of the first serve"].endswith("| yes |")
    assert rows["Preview at 20x: an edit shows in at most 5 s"].endswith("| **no** |")


def test_profile_table_lists_the_costliest_functions_first(tmp_path):
    import cProfile

    def costly():  # the work in its own frame (a generator's share differs between Pythons)
        total = 0
        for i in range(300_000):
            total += i * i
        return total

    def cheap():
        return 1

    profile = cProfile.Profile()
    profile.runcall(lambda: (costly(), cheap()))
    profile.dump_stats(tmp_path / "run.prof")

    table = bench.profile_table(tmp_path / "run.prof", rows=3)
    assert table[0].startswith("Total ")
    rows = table[4:]
    assert len(rows) == 3
    assert "costly" in rows[0], rows
    assert all("cheap" not in row for row in rows[:1])


def test_the_clones_commands_run_without_what_the_outer_make_exports(monkeypatch, tmp_path):
    import sys

    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1")
    monkeypatch.setenv("MAKEFLAGS", "SPHINXOPTS=--no-color")
    show = "import os; print(os.environ.get('SOURCE_DATE_EPOCH'), os.environ.get('MAKEFLAGS'))"
    _, done = bench.measure([sys.executable, "-c", show], tmp_path, 60, bench_loop.CLEAN_ENV)
    assert done.stdout.split() == ["None", "None"]
    _, done = bench.measure([sys.executable, "-c", show], tmp_path, 60)
    assert done.stdout.split() == ["1", "SPHINXOPTS=--no-color"]
