"""The build pipeline (issue 2): one `make` gives every format, linked together.

Asserts on the real handbook, built once per session by the `outputs` fixture.
What each format holds is tested with that format: the PDF's outline and last
chapter in test_pdf_outputs.py, the EPUB's contents in test_epub.py.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pikepdf
import pytest
from bs4 import BeautifulSoup

from conftest import LANGUAGES, ROOT, outputs_of, run_make, translated, translator

PARTS = ["Immigration Enforcement", "Combating Transnational Crime"]


def parts(language: str) -> list[str]:
    """The two parts' captions, as the edition shows them (they are the home page's)."""
    return [translated(language, part, "index") for part in PARTS]


def soup(path: Path) -> BeautifulSoup:
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


def test_every_format_is_built(outputs):
    for path in (outputs.html / "index.html", outputs.pdf, outputs.large_print_pdf, outputs.epub):
        assert path.is_file() and path.stat().st_size > 0, path


def test_html_navigation_shows_both_parts_in_order(outputs):
    captions = [c.get_text(strip=True) for c in soup(outputs.html / "index.html").select("nav.bd-docs-nav p.caption")]
    positions = [captions.index(part) for part in parts(outputs.language)]
    assert positions == sorted(positions), captions


def test_every_page_offers_every_download_with_format_and_size(outputs, html_pages):
    _ = translator(outputs.language)
    units = (_("KB"), _("MB"))
    assert html_pages
    for page in html_pages:
        links = soup(page).select("nav.handbook-downloads a")
        texts = [link.get_text(" ", strip=True) for link in links]
        assert len(links) == len(outputs.downloads) * len(LANGUAGES), (page, texts)
        for link, text in zip(links, texts):
            assert any(unit in text for unit in units), (page, text)
            target = (page.parent / unquote(urlsplit(link["href"]).path)).resolve()
            assert target.is_file(), (page, link["href"])


def test_downloads_are_the_built_files(outputs):
    downloads = outputs.site / "downloads"
    for built in outputs.downloads:
        assert (downloads / built.name).read_bytes() == built.read_bytes(), built.name


@pytest.mark.slow  # a build of the whole site
def test_pages_offer_edit_and_issue_links_and_their_own_date(tmp_path):
    """With the repository set, every page links to its source and to a new issue."""
    import os
    import sys

    env = {**os.environ, "HANDBOOK_REPOSITORY_URL": "https://github.com/example/handbook", "HANDBOOK_LANGUAGE": "en"}
    done = subprocess.run(
        [sys.executable, "-m", "sphinx", "-b", "html", "-q", "-W", "--keep-going", "-n", "-c", str(ROOT),
         "-D", "handbook_downloads_required=0", "-d", str(tmp_path / "doctrees"), str(ROOT / "docs"),
         str(tmp_path / "html")],
        capture_output=True, text=True, env=env,
    )
    assert done.returncode == 0, done.stderr
    page = soup(tmp_path / "html" / "front" / "about.html")
    hrefs = {a["href"] for a in page.select("a[href]")}
    assert "https://github.com/example/handbook/edit/main/docs/front/about.md" in hrefs
    assert any(h.startswith("https://github.com/example/handbook/issues/new") for h in hrefs)
    assert page.select_one(".last-updated") is not None


def page_size(pdf_path: Path) -> tuple[int, int]:
    with pikepdf.open(pdf_path) as pdf:
        box = [float(v) for v in pdf.pages[0].mediabox]
    return round(box[2] - box[0]), round(box[3] - box[1])


def test_pdfs_are_us_letter_by_default(outputs):
    assert page_size(outputs.pdf) == (612, 792)
    assert page_size(outputs.large_print_pdf) == (612, 792)


@pytest.mark.slow  # renders both PDF editions
@pytest.mark.parametrize("language", LANGUAGES)
def test_a4_is_a_make_option(tmp_path, language):
    done = run_make(tmp_path, "pdf", "PAPER=a4", languages=[language])
    assert done.returncode == 0, done.stdout + done.stderr
    edition = outputs_of(tmp_path, language)
    assert page_size(edition.pdf) == (595, 842)
    assert page_size(edition.large_print_pdf) == (595, 842)


def test_a_new_download_size_reaches_every_page(outputs, tmp_path):
    """An incremental build rewrites every header when a download's size changes."""
    import os
    import shutil
    import sys

    for folder in ("pdf", "epub", "braille"):
        shutil.copytree(outputs.build_dir / folder, tmp_path / folder)
    env = {**os.environ, "HANDBOOK_LANGUAGE": outputs.language, "HANDBOOK_LANGUAGES": " ".join(LANGUAGES)}

    def build_html() -> None:
        done = subprocess.run(
            [sys.executable, "-m", "sphinx", "-b", "html", "-q", "-W", "--keep-going", "-n", "-c", str(ROOT),
             "-D", f"handbook_downloads_from={tmp_path}", "-d", str(tmp_path / "doctrees"),
             str(ROOT / "docs"), str(tmp_path / "html")],
            capture_output=True, text=True, env=env,
        )
        assert done.returncode == 0, done.stderr

    def pdf_link_text(page: str) -> str:
        return soup(tmp_path / "html" / page).select("nav.handbook-downloads a")[0].get_text(" ", strip=True)

    build_html()
    before = pdf_link_text("back/glossary.html")
    pdf = tmp_path / "pdf" / outputs.pdf.name  # the edition's own PDF, first in its menu
    pdf.write_bytes(pdf.read_bytes() + b"\0" * 300_000)  # the PDF grew; no page source changed
    build_html()
    after = pdf_link_text("back/glossary.html")
    assert before != after, (before, after)


@pytest.mark.parametrize(("changed", "target"), [
    # docs/back/contributing.md includes CONTRIBUTING.md: the PDF holds its text.
    (lambda outputs: ROOT / "CONTRIBUTING.md", lambda outputs: outputs.pdf),
    # The EPUB's page list follows the PDF's page map.
    (lambda outputs: outputs.page_map, lambda outputs: outputs.epub),
], ids=["included-file", "page-map"])
def test_a_changed_input_makes_its_outputs_out_of_date(outputs, changed, target):
    """`make` rebuilds an output when anything it is made from changes (make -q: up to date or not)."""
    def up_to_date() -> bool:
        done = subprocess.run(
            ["make", "-q", "--no-print-directory", f"BUILDDIR={outputs.build_dir}",
             f"HANDBOOK_LANGUAGES={outputs.language}", str(target(outputs))],
            cwd=ROOT, capture_output=True, text=True,
        )
        return done.returncode == 0

    assert up_to_date()
    source = changed(outputs)
    times = source.stat()
    try:
        newer = target(outputs).stat().st_mtime + 60
        os.utime(source, (newer, newer))
        assert not up_to_date()
    finally:
        os.utime(source, ns=(times.st_atime_ns, times.st_mtime_ns))


def test_gettexts_language_variable_in_the_environment_changes_nothing(tmp_path):
    """Desktop sessions export LANGUAGE=en_US:en (gettext's); `make` must not read it."""
    plain = subprocess.run(["make", "-n", f"BUILDDIR={tmp_path}"], cwd=ROOT, capture_output=True, text=True)
    desktop = subprocess.run(["make", "-n", f"BUILDDIR={tmp_path}"], cwd=ROOT, capture_output=True, text=True,
                             env={**os.environ, "LANGUAGE": "en_US:en"})
    assert plain.returncode == desktop.returncode == 0, desktop.stderr
    assert desktop.stdout == plain.stdout


def test_the_site_assembled_from_downloads_built_elsewhere_is_the_same(build, tmp_path):
    """`make assemble`, as the CI workflow's last job runs it, gives the site `make` gives."""
    for folder in ("pdf", "epub", "braille"):
        shutil.copytree(build / folder, tmp_path / folder)
    done = run_make(tmp_path, "assemble")
    assert done.returncode == 0, done.stdout + done.stderr

    def files(site: Path) -> dict[str, bytes]:
        return {str(p.relative_to(site)): p.read_bytes() for p in sorted(site.rglob("*")) if p.is_file()}

    assembled, made = files(tmp_path / "html"), files(build / "html")
    assert assembled.keys() == made.keys()
    assert [name for name in made if assembled[name] != made[name]] == []


def test_the_page_maps_are_named_so_make_keeps_them():
    # A file that only a pattern rule makes and only a pattern rule needs is intermediate, and
    # GNU make 4.4 (Debian 13) deletes it after the build: the published page maps were lost.
    database = subprocess.run(["make", "-pnq", "-C", str(ROOT), "pdf"], capture_output=True, text=True).stdout
    named = next(line for line in database.splitlines() if line.startswith("pdf: "))
    for language in LANGUAGES:
        assert f"_build/pdf/ice-mission-areas-{language}-pages.json" in named, language
