"""Each page's "In brief" summary is a region named by its title, in every format.

The transform and the HTML writer are tested on small docutils trees; the real
outputs are read as a reader's software reads them: the EPUB's XHTML, and the
PDF's structure tree with the text of its marked content (the web site is
checked in Chromium's accessibility tree by tests/test_html_a11y.py).
"""

from __future__ import annotations

import collections
import zipfile
from pathlib import Path

import pdfplumber
import pikepdf
import pytest
from bs4 import BeautifulSoup
from conftest import ROOT
from docutils import nodes
from docutils.core import publish_from_doctree
from docutils.frontend import get_default_settings
from docutils.parsers.rst import Parser
from docutils.utils import new_document
from docutils.writers import html5_polyglot
from pikepdf import Array, Dictionary, Name

from handbook.common.in_brief import (
    MarkInBrief, depart_in_brief_html, in_brief, mark_summary, summaries, unused_id,
    visit_in_brief_html,
)

# The source pages that open with an "In brief" summary.
IN_BRIEF_SOURCES = sorted(p.relative_to(ROOT / "docs").with_suffix("").as_posix()
                          for p in (ROOT / "docs").rglob("*.md")
                          if ":class: in-brief" in p.read_text(encoding="utf-8"))


def document_with(*children: nodes.Node) -> nodes.document:
    document = new_document("<test>", get_default_settings(Parser))
    document.extend(children)
    return document


def admonition(title: str | None, classes: list[str]) -> nodes.admonition:
    parts = ([nodes.title("", title)] if title else []) + [nodes.paragraph("", "The page in three sentences.")]
    return nodes.admonition("", *parts, classes=classes)


# -- The transform ------------------------------------------------------------------


def test_only_titled_in_brief_admonitions_become_summaries():
    summary, other, untitled = admonition("In brief", ["in-brief"]), admonition("Note", ["tip"]), admonition(None, ["in-brief"])
    document = document_with(summary, other, untitled)
    assert summaries(document) == [summary]
    MarkInBrief(document).apply()
    marked = list(document.findall(in_brief))
    assert len(marked) == 1 and marked[0]["classes"] == ["in-brief"]
    assert marked[0].children[0]["ids"] == ["in-brief-title"]
    assert document.ids["in-brief-title"] is marked[0].children[0]
    assert [type(n) for n in document.children] == [in_brief, nodes.admonition, nodes.admonition]
    assert summaries(document) == []  # a second run changes nothing


def test_the_title_id_does_not_clash_with_an_id_in_use():
    section = nodes.section(ids=["in-brief-title"])
    document = document_with(section)
    document.ids["in-brief-title"] = section
    assert unused_id(document, "in-brief-title") == "in-brief-title-2"
    summary = mark_summary(document, document_with(admonition("In brief", ["in-brief"])).children[0])
    assert summary.children[0]["ids"] == ["in-brief-title-2"]


class _Translator(html5_polyglot.HTMLTranslator):
    visit_in_brief = visit_in_brief_html
    depart_in_brief = depart_in_brief_html


def test_the_html_writer_writes_a_section_labelled_by_its_title():
    document = document_with(admonition("Kurz gesagt", ["in-brief"]))
    MarkInBrief(document).apply()
    writer = html5_polyglot.Writer()
    writer.translator_class = _Translator
    html = publish_from_doctree(document, writer=writer).decode("utf-8")
    section = BeautifulSoup(html, "html.parser").select_one("section.in-brief.admonition")
    assert section is not None, html
    title = section.select_one(".admonition-title")
    assert section["aria-labelledby"] == title["id"] and title.get_text() == "Kurz gesagt"


# -- The EPUB -----------------------------------------------------------------------


def test_every_epub_summary_is_a_section_labelled_by_its_title(outputs):
    found = []
    with zipfile.ZipFile(outputs.epub) as book:
        for source in IN_BRIEF_SOURCES:
            page = BeautifulSoup(book.read(f"{source}.xhtml"), "html.parser")
            sections = page.select("section.in-brief")
            assert len(sections) == 1, f"{source}.xhtml: {len(sections)} In brief sections"
            title = sections[0].select_one(".admonition-title")
            assert title is not None and sections[0].get("aria-labelledby") == title.get("id"), f"{source}.xhtml"
            found.append(title.get_text(strip=True))
    assert all(found)


# -- The PDF ------------------------------------------------------------------------


def _kids(element) -> list:
    k = element.get("/K")
    return [] if k is None else list(k) if isinstance(k, Array) else [k]


def _is_element(obj) -> bool:
    return isinstance(obj, Dictionary) and "/S" in obj


def tagged_text(path: Path):
    """A function giving the text of a structure element, from its marked content."""
    by_mcid: dict[tuple[int, int], str] = collections.defaultdict(str)
    with pdfplumber.open(path) as pdf:
        for index, page in enumerate(pdf.pages):
            for char in page.chars:
                if char.get("mcid") is not None:
                    by_mcid[(index, char["mcid"])] += char["text"]

    def text(element, pages: dict, page: int | None = None) -> str:
        if "/Pg" in element:
            page = pages[element.Pg.objgen]
        out = ""
        for kid in _kids(element):
            if isinstance(kid, int):
                out += by_mcid[(page, kid)]
            elif isinstance(kid, Dictionary) and "/MCID" in kid:
                out += by_mcid[(pages[kid.Pg.objgen] if "/Pg" in kid else page, int(kid.MCID))]
            elif _is_element(kid):
                out += text(kid, pages, page)
        return out

    return text


def html_titles(outputs) -> list[str]:
    """The summaries' titles as the web pages give them (in the edition's language)."""
    return [BeautifulSoup((outputs.html / f"{source}.html").read_text(encoding="utf-8"), "html.parser")
            .select_one(".in-brief .admonition-title").get_text(strip=True) for source in IN_BRIEF_SOURCES]


@pytest.mark.parametrize("edition", ["pdf", "large_print_pdf"])
def test_every_pdf_summary_is_a_section_that_opens_with_its_title(outputs, edition):
    path = getattr(outputs, edition)
    text = tagged_text(path)
    titles = collections.Counter(html_titles(outputs))
    with pikepdf.open(path) as pdf:
        pages = {page.objgen: index for index, page in enumerate(pdf.pages)}
        found: collections.Counter = collections.Counter()
        stack = [pdf.Root.StructTreeRoot]
        while stack:
            element = stack.pop()
            children = [kid for kid in _kids(element) if _is_element(kid)]
            stack.extend(children)
            if element.get("/S") == Name.Sect and children and children[0].S == Name.P:
                first = text(children[0], pages).strip()
                if first in titles:
                    found[first] += 1
    assert found == titles, f"{path.name}: In brief sections found {dict(found)}, expected {dict(titles)}"
