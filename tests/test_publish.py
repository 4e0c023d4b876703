"""scripts/publish.py: outputs reach their place whole or not at all."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

import publish


def test_publish_file_replaces_the_old_file(tmp_path):
    dest = tmp_path / "pdf"
    dest.mkdir()
    (dest / "book.pdf").write_bytes(b"old")
    new = tmp_path / "stage" / "book.pdf"
    new.parent.mkdir()
    new.write_bytes(b"new")
    assert publish.publish_file(new, dest) == dest / "book.pdf"
    assert (dest / "book.pdf").read_bytes() == b"new"
    assert sorted(p.name for p in dest.iterdir()) == ["book.pdf"]  # no temporary file left


def old_and_new_pdf(tmp_path, monkeypatch) -> tuple[Path, Path]:
    """A published book.pdf, a new one to publish, and a disk that is full."""
    dest = tmp_path / "pdf"
    dest.mkdir()
    (dest / "book.pdf").write_bytes(b"old")
    new = tmp_path / "book.pdf"
    new.write_bytes(b"new")

    def disk_full(*args):
        raise OSError(28, "No space left on device", str(dest / "book.pdf"))

    monkeypatch.setattr(publish.shutil, "copyfileobj", disk_full)
    return dest, new


def test_publish_file_failure_keeps_the_old_file(tmp_path, monkeypatch):
    dest, new = old_and_new_pdf(tmp_path, monkeypatch)
    with pytest.raises(OSError):
        publish.publish_file(new, dest)
    assert (dest / "book.pdf").read_bytes() == b"old"
    assert sorted(p.name for p in dest.iterdir()) == ["book.pdf"]


def make_tree(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    return root


def test_publish_tree_swaps_the_whole_folder(tmp_path):
    staged = make_tree(tmp_path / "stage", {"index.html": "new", "a/b.html": "new"})
    dest = make_tree(tmp_path / "html", {"index.html": "old", "stale.html": "old"})
    publish.publish_tree(staged, dest)
    assert (dest / "index.html").read_text() == "new"
    assert (dest / "a" / "b.html").read_text() == "new"
    assert not (dest / "stale.html").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["html", "stage"]


def test_publish_tree_failure_keeps_the_old_folder(tmp_path, monkeypatch):
    staged = make_tree(tmp_path / "stage", {"index.html": "new"})
    dest = make_tree(tmp_path / "html", {"index.html": "old"})
    real_rename = os.rename

    def fail_to_move_the_new_folder_in(src, dst):
        if Path(src).name.startswith(".html.new"):
            raise OSError("interrupted")
        real_rename(src, dst)

    monkeypatch.setattr(publish.os, "rename", fail_to_move_the_new_folder_in)
    with pytest.raises(OSError):
        publish.publish_tree(staged, dest)
    assert (dest / "index.html").read_text() == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["html", "stage"]


def test_main_refuses_missing_outputs(tmp_path, capsys):
    assert publish.main(["--files", str(tmp_path / "pdf"), str(tmp_path / "missing.pdf")]) == 1
    assert "missing build output" in capsys.readouterr().err
    assert not (tmp_path / "pdf").exists()


def test_publish_tree_recovers_from_a_swap_killed_between_its_renames(tmp_path):
    staged = make_tree(tmp_path / "stage", {"index.html": "new"})
    make_tree(tmp_path / ".html.old", {"index.html": "old"})  # html was moved aside, then the kill
    dest = tmp_path / "html"
    publish.publish_tree(staged, dest)
    assert (dest / "index.html").read_text() == "new"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["html", "stage"]


def test_main_reports_a_full_disk_in_one_line(tmp_path, monkeypatch, capsys):
    dest, new = old_and_new_pdf(tmp_path, monkeypatch)
    assert publish.main(["--files", str(dest), str(new)]) == 1
    message = capsys.readouterr().err
    assert message.count("\n") == 1 and "No space left on device" in message and "unchanged" in message
    assert (dest / "book.pdf").read_bytes() == b"old"


def test_publish_site_puts_each_edition_in_its_folder_and_lists_every_download(tmp_path):
    english = make_tree(tmp_path / "stage-en", {"index.html": "en", "front/about.html": "en", ".buildinfo.bak": "x"})
    spanish = make_tree(tmp_path / "stage-es", {"index.html": "es", "front/about.html": "es"})
    files = make_tree(tmp_path / "files", {"book-en.pdf": "en pdf", "book-es.pdf": "es pdf"})
    dest = make_tree(tmp_path / "html", {"stale.html": "old"})
    publish.publish_site(dest, {"en": english, "es": spanish}, [files / "book-en.pdf", files / "book-es.pdf"])
    assert (dest / "front" / "about.html").read_text() == "en"
    assert (dest / "es" / "front" / "about.html").read_text() == "es"
    assert not (dest / "stale.html").exists()
    assert not (dest / ".buildinfo.bak").exists()
    assert sorted(p.name for p in (dest / "downloads").iterdir()) == ["SHA256SUMS", "book-en.pdf", "book-es.pdf"]
    assert (dest / "downloads" / "SHA256SUMS").read_text() == publish.sha256sums(
        [files / "book-en.pdf", files / "book-es.pdf"])


def test_publish_site_refuses_an_edition_that_hides_another(tmp_path, capsys):
    english = make_tree(tmp_path / "stage-en", {"index.html": "en", "es/index.html": "a page named es"})
    spanish = make_tree(tmp_path / "stage-es", {"index.html": "es"})
    dest = make_tree(tmp_path / "html", {"index.html": "old"})
    assert publish.main(["--site", str(dest), "--edition", f"en={english}", "--edition", f"es={spanish}"]) == 1
    assert "has a folder es/" in capsys.readouterr().err
    assert (dest / "index.html").read_text() == "old"


def test_publish_site_refuses_a_missing_edition(tmp_path, capsys):
    dest = make_tree(tmp_path / "html", {"index.html": "old"})
    assert publish.main(["--site", str(dest), "--edition", f"es={tmp_path / 'missing'}"]) == 1
    assert "missing build output" in capsys.readouterr().err
    assert (dest / "index.html").read_text() == "old"
