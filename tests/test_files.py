"""_ext/handbook/common/files.py: a file written whole or not at all."""

from __future__ import annotations

from handbook.common.files import write_text_atomically


def test_the_text_replaces_the_file_and_nothing_is_left_beside_it(tmp_path):
    target = tmp_path / "new folder" / "scores.json"
    write_text_atomically(target, "first")
    write_text_atomically(target, "second é")
    assert target.read_text(encoding="utf-8") == "second é"
    assert [p.name for p in target.parent.iterdir()] == ["scores.json"]
