"""The edition (_ext/handbook/common/edition.py) and the download links (_ext/handbook/web/downloads.py), without Sphinx."""

from __future__ import annotations

import hashlib
import subprocess
from pathlib import Path
from types import SimpleNamespace

import pytest
from sphinx import locale

import publish
from handbook import LOCALES
from handbook.common import edition
from handbook.common.translations import translations_for
from handbook.web import downloads


def test_edition_from_a_timestamp_is_utc():
    # 2026-11-28 23:30 UTC is already the 29th in some time zones, never here.
    made = edition.edition_from(1795908600, "abc123")
    assert (made.date, made.year, made.commit) == ("2026-11-28", "2026", "abc123")


def test_source_date_epoch_wins_over_git(tmp_path, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "0")
    assert edition.edition_info(tmp_path).date == "1970-01-01"


def test_edition_comes_from_the_last_commit(tmp_path, monkeypatch):
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    env = {"GIT_AUTHOR_DATE": "2026-01-02T03:04:05Z", "GIT_COMMITTER_DATE": "2026-01-02T03:04:05Z",
           "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@t", "GIT_COMMITTER_NAME": "t",
           "GIT_COMMITTER_EMAIL": "t@t", "PATH": "/usr/bin:/bin"}
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    subprocess.run(["git", "-C", str(tmp_path), "commit", "-q", "--allow-empty", "-m", "x"], check=True, env=env)
    made = edition.edition_info(tmp_path)
    assert made.date == "2026-01-02"
    assert len(made.commit) == 12


def test_outside_git_without_epoch_is_still_reproducible(tmp_path, monkeypatch):
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path.parent))
    made = edition.edition_info(tmp_path)
    assert (made.commit, made.date) == ("unversioned", "1970-01-01")


def test_output_names_carry_the_language():
    config = SimpleNamespace(handbook_basename="ice-mission-areas", language="es")
    assert edition.output_stem(config) == "ice-mission-areas-es"
    assert edition.output_stem(config, "en") == "ice-mission-areas-en"
    names = [d.filename for d in downloads.expected_downloads(config, Path("_build"))]
    assert names == ["ice-mission-areas-es.pdf", "ice-mission-areas-es-large-print.pdf", "ice-mission-areas-es.epub",
                     "ice-mission-areas-es.brf", "ice-mission-areas-es-braille.txt"]
    assert {d.language for d in downloads.expected_downloads(config, Path("_build"), "en")} == {"en"}


def test_human_size():
    assert downloads.human_size(534, "en") == "0.5\N{NO-BREAK SPACE}KB"
    assert downloads.human_size(48_200, "en") == "48\N{NO-BREAK SPACE}KB"
    assert downloads.human_size(1_450_000, "en") == "1.4\N{NO-BREAK SPACE}MB"
    assert downloads.human_size(1_450_000, "es") == "1,4\N{NO-BREAK SPACE}MB"


@pytest.fixture
def spanish_catalogue():
    """The handbook catalogue in Spanish, as a Spanish build loads it; Sphinx's translators restored after."""
    saved = dict(locale.translators)
    translations_for("es")  # compiles handbook.mo, as conf.py does
    locale.init([str(LOCALES)], "es", "handbook")
    yield
    locale.translators.clear()
    locale.translators.update(saved)


def test_file_sizes_are_written_the_spanish_way(spanish_catalogue):
    # Decimal comma (Babel's Spanish digits) and the SI symbol kB (the catalogue's unit).
    assert downloads.human_size(212_000, "es") == "212\N{NO-BREAK SPACE}kB"
    assert downloads.human_size(1_450_000, "es") == "1,4\N{NO-BREAK SPACE}MB"
    assert downloads.human_size(9_500, "es") == "9,5\N{NO-BREAK SPACE}kB"


def test_other_editions_downloads_are_named_with_their_language(spanish_catalogue):
    english_pdf = downloads.Download("PDF", "x-en.pdf", Path("x-en.pdf"), "pdf", "application/pdf", "en")
    spanish_pdf = downloads.Download("PDF", "x-es.pdf", Path("x-es.pdf"), "pdf", "application/pdf", "es")
    assert downloads.download_label(spanish_pdf, "es") == "PDF"
    assert downloads.download_label(english_pdf, "es") == "PDF (en inglés)"


def test_sha256sums_reads_like_sha256sum(tmp_path):
    (tmp_path / "b.pdf").write_bytes(b"b")
    (tmp_path / "a.epub").write_bytes(b"a")
    text = publish.sha256sums([tmp_path / "b.pdf", tmp_path / "a.epub"])
    assert text == (
        f"{hashlib.sha256(b'a').hexdigest()}  a.epub\n{hashlib.sha256(b'b').hexdigest()}  b.pdf\n"
    )
    check = subprocess.run(["sha256sum", "--check", "--quiet", "-"], input=text, text=True, cwd=tmp_path)
    assert check.returncode == 0


def test_web_address_of_a_remote():
    assert edition.web_address_of("git@github.com:owner/repo.git") == "https://github.com/owner/repo"
    assert edition.web_address_of("https://github.com/owner/repo.git\n") == "https://github.com/owner/repo"
    assert edition.web_address_of("/work/main") == ""
    assert edition.web_address_of("file:///srv/git/handbook") == ""
