"""_ext/handbook/common/page_map.py: the EPUB's page list follows the print PDF's pages."""

from __future__ import annotations

import os
import re
import subprocess
import zipfile

import pikepdf
from bs4 import BeautifulSoup
from docutils import nodes
from sphinx import addnodes

from handbook.common import page_map
from conftest import ROOT


def test_blocks_get_stable_ids_in_reading_order():
    section = nodes.section()
    section += nodes.title("Title", "Title")
    section += nodes.paragraph("One", "One")
    toc = addnodes.compact_paragraph()  # a resolved toctree entry: not a block of the page
    section += toc
    section += nodes.paragraph("Two", "Two")
    page_map.mark_blocks(section, "front/about")
    ids = [node["ids"] for node in section.children]
    assert ids == [["pb-front-about-0"], ["pb-front-about-1"], [], ["pb-front-about-2"]]


def test_each_page_starts_with_its_first_new_block():
    pages = [
        ["cover"],  # no block: no page-list entry
        ["pb-a-0", "pb-a-1"],
        [],  # a page that only continues pb-a-1
        ["pb-a-1", "pb-a-2", "figure-id"],  # pb-a-1 seen before: pb-a-2 starts the page
    ]
    assert page_map.page_starts(pages, ["i", "ii", "1", "2"]) == [("ii", "pb-a-0"), ("2", "pb-a-2")]


def test_page_map_round_trip(tmp_path):
    target = tmp_path / "pages.json"
    page_map.write_page_map([("5", "pb-index-0")], target, "The PDF edition")
    assert page_map.read_page_map(target) == ("The PDF edition", {"pb-index-0": "5"})


def test_the_page_list_comes_from_the_block_ids_of_each_page():
    block_pages = {"pb-a-0": "3", "pb-a-2": "4", "pb-a-b-1": "5", "pb-ab-0": "6", "cover": "1"}
    assert page_map.page_list(block_pages, ["a", "a/b"], ".xhtml") == [
        ("3", "a.xhtml#page-3"), ("4", "a.xhtml#page-4"), ("5", "a/b.xhtml#page-5"),
    ]


def epub_pages(epub) -> tuple[str, str, dict[str, str]]:
    with zipfile.ZipFile(epub) as book:
        opf = book.read("content.opf").decode()
        nav = book.read("nav.xhtml").decode()
        pages = {n: book.read(n).decode() for n in book.namelist() if n.endswith(".xhtml")}
    return opf, nav, pages


def test_epub_has_a_page_list_with_markers_and_its_source(outputs):
    opf, nav, pages = epub_pages(outputs.epub)
    page_list = BeautifulSoup(nav, "html.parser").select_one('nav[role="doc-pagelist"]')
    assert page_list is not None
    entries = page_list.select("a")
    assert len(entries) >= 20
    for entry in entries:
        document, _, anchor = entry["href"].partition("#")
        assert f'id="{anchor}"' in pages[document], entry["href"]
        assert 'role="doc-pagebreak"' in pages[document]
    assert '<meta property="pageBreakSource">' in opf
    assert "pageNavigation" in opf and "pageBreakMarkers" in opf


def test_a_marked_page_starts_with_the_same_words_in_the_pdf(outputs):
    """The words right after a page marker in the EPUB are on that page of the PDF."""
    _, nav, pages = epub_pages(outputs.epub)
    entries = BeautifulSoup(nav, "html.parser").select('nav[role="doc-pagelist"] a')
    with pikepdf.open(outputs.pdf) as pdf:
        page_of_label = {page.label: index for index, page in enumerate(pdf.pages, start=1)}
    checked = 0
    for entry in entries[:: max(1, len(entries) // 6)]:
        document, _, anchor = entry["href"].partition("#")
        soup = BeautifulSoup(pages[document], "html.parser")
        marker = soup.find(id=anchor)
        following = " ".join(marker.find_all_next(string=True))
        words = " ".join(following.split()[:4])
        # The page list names pages as printed; the PDF's page labels say which page that is.
        number = str(page_of_label[entry.get_text()])
        text = subprocess.run(
            ["pdftotext", "-f", number, "-l", number, str(outputs.pdf), "-"],
            capture_output=True, text=True, check=True,
        ).stdout
        # pdftotext gives list bullets as "•"; the EPUB's text has none.
        assert words in " ".join(text.replace("\N{BULLET}", " ").split()), (number, words)
        checked += 1
    assert checked >= 3


def test_a_parallel_build_gives_the_same_page_list(outputs, tmp_path):
    """Pages written in other processes (-j 2) still reach the page list."""
    page_map_file = outputs.page_map
    done = subprocess.run(
        [str(ROOT / ".venv" / "bin" / "sphinx-build"), "-b", "epub", "-j", "2", "-q", "-c", ".",
         "-d", str(tmp_path / "doctrees"), "-D", f"handbook_page_map={page_map_file}",
         "docs", str(tmp_path / "epub")],
        cwd=ROOT, capture_output=True, text=True, env={**os.environ, "HANDBOOK_LANGUAGE": outputs.language},
    )
    assert done.returncode == 0, done.stderr
    _, serial_nav, _ = epub_pages(outputs.epub)
    parallel_nav = (tmp_path / "epub" / "nav.xhtml").read_text(encoding="utf-8")

    def page_hrefs(nav: str) -> list[str]:
        return [a["href"] for a in BeautifulSoup(nav, "html.parser").select('nav[role="doc-pagelist"] a')]

    assert page_hrefs(parallel_nav) == page_hrefs(serial_nav)
    assert len(page_hrefs(serial_nav)) >= 20
