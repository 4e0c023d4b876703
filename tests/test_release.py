"""Trustworthy releases (issue 8): reproducible, atomic and verifiable outputs.

A second copy of the sources is built in another folder, at another time, and
compared byte for byte with the session's build; the same copy is then used to
interrupt and to break builds and to show that the published files survive.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import signal
import subprocess
import time
import zipfile
from pathlib import Path

import pikepdf
import pytest

from conftest import LANGUAGES, ROOT, copy_sources, outputs_of

PUBLISHED = ["html", "pdf", "epub", "braille"]


def make(tree: Path, *targets: str, **popen) -> subprocess.CompletedProcess | subprocess.Popen:
    command = ["make", "--no-print-directory", *targets, f"VENV={ROOT / '.venv'}"]
    if popen:
        return subprocess.Popen(command, cwd=tree, start_new_session=True, **popen)
    return subprocess.run(command, cwd=tree, capture_output=True, text=True)


def snapshot(build_dir: Path) -> dict[str, bytes]:
    """Every published file's bytes, by path relative to the build folder."""
    return {
        str(path.relative_to(build_dir)): path.read_bytes()
        for folder in PUBLISHED
        for path in sorted((build_dir / folder).rglob("*"))
        if path.is_file()
    }


@pytest.fixture(scope="module")
def second_tree(tmp_path_factory, build) -> Path:
    """A copy of the sources elsewhere, built a little later than the session's build."""
    tree = copy_sources(tmp_path_factory.mktemp("second-copy"))
    time.sleep(1.1)  # a clock-dependent date or timestamp would now differ
    done = make(tree, "all")
    assert done.returncode == 0, done.stdout + done.stderr
    return tree


def test_two_builds_are_byte_identical(build, second_tree):
    first, second = snapshot(build), snapshot(second_tree / "_build")
    assert first.keys() == second.keys()
    differing = sorted(name for name in first if first[name] != second[name])
    assert not differing, f"these outputs differ between two builds of the same sources: {differing}"


def pdf_strings(path: Path) -> bytes:
    """All of a PDF's stream contents, decompressed, and its other objects as bytes."""
    chunks = []
    with pikepdf.open(path) as pdf:
        for obj in pdf.objects:
            if isinstance(obj, pikepdf.Stream):
                try:
                    chunks.append(obj.read_bytes())
                except pikepdf.PdfError:
                    chunks.append(obj.read_raw_bytes())
            else:
                chunks.append(repr(obj).encode())
    return b"\n".join(chunks)


def readable_bytes(path: Path) -> bytes:
    if path.suffix == ".pdf":
        return pdf_strings(path)
    if path.suffix == ".epub":
        with zipfile.ZipFile(path) as archive:
            return b"\n".join(archive.read(name) for name in archive.namelist())
    return path.read_bytes()


def test_no_build_path_in_any_output(build, second_tree):
    for build_dir, source_dir in ((build, ROOT), (second_tree / "_build", second_tree)):
        needles = {str(build_dir).encode(), str(source_dir).encode()}
        for folder in PUBLISHED:
            for path in (build_dir / folder).rglob("*"):
                if path.is_file():
                    data = readable_bytes(path)
                    found = [n for n in needles if n in data]
                    assert not found, f"{path} contains the build path {found}"


def test_checksums_match_the_downloads(build):
    """One SHA256SUMS lists every edition's downloads, and only them."""
    downloads = build / "html" / "downloads"
    listed = {}
    for line in (downloads / "SHA256SUMS").read_text().splitlines():
        digest, name = line.split("  ", 1)
        listed[name] = digest
    offered = {p.name for p in downloads.iterdir() if p.name != "SHA256SUMS"}
    editions = [outputs_of(build, language) for language in LANGUAGES]
    expected = {path.name for edition in editions for path in edition.downloads}
    assert set(listed) == offered == expected
    for name, digest in listed.items():
        assert hashlib.sha256((downloads / name).read_bytes()).hexdigest() == digest, name


def test_pdf_and_epub_carry_the_edition(outputs):
    commit = subprocess.run(
        ["git", "rev-parse", "--short=12", "HEAD"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.strip()
    text = subprocess.run(["pdftotext", str(outputs.pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert commit in text, "the PDF's colophon does not name the commit"
    with pikepdf.open(outputs.pdf) as pdf:
        assert pdf.docinfo.get("/CreationDate") is not None
    with zipfile.ZipFile(outputs.epub) as epub:
        opf = next(epub.read(n).decode() for n in epub.namelist() if n.endswith(".opf"))
        pages = " ".join(epub.read(n).decode() for n in epub.namelist() if n.endswith(".xhtml"))
    assert "dcterms:modified" in opf
    assert commit in pages, "the EPUB's colophon does not name the commit"


def test_killed_pdf_build_leaves_the_previous_pdf(second_tree):
    build = second_tree / "_build"
    before = snapshot(build)
    page = second_tree / "docs" / "index.md"
    original = page.read_text()
    page.write_text(original + "\nA new closing sentence.\n")
    stage = build / ".stage"
    process = make(second_tree, "pdf", stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 300
        # Wait until WeasyPrint is writing a PDF (of any edition), then kill the whole build.
        while not list(stage.glob("*/pdf/*.pdf.part")) and process.poll() is None:
            assert time.monotonic() < deadline, "the PDF build never started writing"
            time.sleep(0.05)
        assert process.poll() is None, "the build ended before it could be interrupted"
    finally:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
        # The next tests build this tree: an English sentence the Spanish catalogue lacks would stop them.
        page.write_text(original)
    assert snapshot(build) == before
    assert not [p for p in (build / "pdf").iterdir() if p.name.endswith(".part")]


def test_failed_build_leaves_every_previous_output(second_tree):
    build = second_tree / "_build"
    done = make(second_tree, "all")  # bring the outputs up to date first
    assert done.returncode == 0, done.stdout + done.stderr
    before = snapshot(build)
    page = second_tree / "docs" / "front" / "about.md"
    page.write_text(page.read_text() + "\nSee {doc}`a-page-that-does-not-exist`.\n")
    done = make(second_tree, "all")
    assert done.returncode != 0
    assert "a-page-that-does-not-exist" in done.stdout + done.stderr
    assert snapshot(build) == before


@pytest.mark.slow  # reads the whole handbook before the PDF builder starts WeasyPrint
def test_missing_pango_is_one_line_naming_the_packages(tmp_path):
    # WeasyPrint raises OSError at import when Pango is missing; a stand-in package
    # first on the path does exactly that, in a real PDF build of the real handbook.
    fake = tmp_path / "fake" / "weasyprint"
    fake.mkdir(parents=True)
    (fake / "__init__.py").write_text(
        "raise OSError(\"cannot load library 'libpango-1.0-0': No such file or directory\")\n"
    )
    env = {**os.environ, "PYTHONPATH": str(fake.parent)}
    done = subprocess.run(
        [str(ROOT / ".venv" / "bin" / "sphinx-build"), "-b", "pdf", "-q", "-W", "--keep-going", "-c", str(ROOT),
         "-d", str(tmp_path / "doctrees"), str(ROOT / "docs"), str(tmp_path / "out")],
        capture_output=True, text=True, env=env,
    )
    assert done.returncode != 0
    assert "Traceback" not in done.stderr
    lines = [line for line in done.stderr.splitlines() if "libpango" in line]
    assert lines and "apt-get install libpango-1.0-0" in lines[0], done.stderr
    assert not list((tmp_path / "out").glob("*.pdf"))


@pytest.mark.slow  # reads the whole handbook, then the builder fails
@pytest.mark.parametrize(("builder", "setting"), [
    ("pdf", "pdf_paper_size=b5"),  # no such paper: the render fails
    ("epub", "handbook_page_map=/nonexistent/pages.json"),  # no page map: the page list fails
])
def test_a_builder_failure_fails_the_build_even_without_warnings_as_errors(tmp_path, builder, setting):
    done = subprocess.run(
        [str(ROOT / ".venv" / "bin" / "sphinx-build"), "-b", builder, "-q", "-c", str(ROOT),
         "-D", setting, "-d", str(tmp_path / "doctrees"), str(ROOT / "docs"), str(tmp_path / "out")],
        capture_output=True, text=True,
    )
    assert done.returncode != 0, done.stderr
    assert "Traceback" not in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1, done.stderr
