"""The real print editions read as a screen reader reads them: through the tags.

tests/pdf_tagged.py rebuilds the text of each structure element from the
characters pdfplumber finds in its marked content, as tagged-text tools do;
the tests compare it with the print HTML the builder gave WeasyPrint
(``.stage/pdf/index.html``), element for element:

- one /Table per source table, its header row once, each row one /TR;
- one /Sect per section, one /L per list; paragraphs, headings and cells one
  element each;
- the same words in each paragraph, heading and cell, none run together;
- the contents' dot leaders are artifacts, not text;
- the standard edition hyphenates, and the hyphens it adds are not read;
- every /ID is in the /IDTree, and every TH has a /Scope.
"""

from __future__ import annotations

import functools
import re
from pathlib import Path

import pikepdf
import pytest
from bs4 import BeautifulSoup
from pikepdf import Name

from pdf_tagged import read_tagged

EDITIONS = ["pdf", "large_print_pdf"]
TEXT_BLOCKS = ["p", "h1", "h2", "h3", "h4", "h5", "h6", "th", "td"]
LEADER = re.compile(r"(?:\. ){3,}")  # leader(". ") fill
HYPHEN = "\u2010"  # the hyphen WeasyPrint adds where it hyphenates (its hyphenate-character)


@functools.cache
def tagged(path: Path):
    return read_tagged(path)  # once per file: reading every character of a book takes seconds


@pytest.fixture(params=EDITIONS)
def edition(request, outputs):
    path = getattr(outputs, request.param)
    return request.param, tagged(path), path


# -- the print HTML ------------------------------------------------------------------


@pytest.fixture
def print_html(outputs) -> Path:
    return outputs.build_dir / ".stage" / outputs.language / "pdf" / "index.html"  # staged beside the PDFs


def html_for(print_html: Path, edition_name: str) -> BeautifulSoup:
    """The print document as the edition's stylesheet shows it."""
    soup = BeautifulSoup(print_html.read_text(encoding="utf-8"), "html.parser")
    hidden = ".standard-print-only" if edition_name == "large_print_pdf" else ".large-print-only"
    for element in soup.select(f'.headerlink, span[id^="document-"]:empty, {hidden}'):
        element.decompose()
    return soup


def words(text: str) -> list[str]:
    # Letter case may differ: the print stylesheet sets some headings in capitals.
    return text.casefold().split()


# -- tables, lists, paragraphs: one element each ---------------------------------------


def test_each_table_is_one_table_with_its_header_once_and_whole_rows(edition, print_html):
    name, tagged, _ = edition
    html = html_for(print_html, name)
    tables = tagged.of_type("/Table")
    assert len(tables) == len(html.find_all("table")), f"{name}: one /Table per source table"
    for table, source in zip(tables, html.find_all("table")):
        heads = [k for k in table.kids if k.type == "/THead"]
        assert len(heads) == 1, "the header row is read once"
        rows = [row for group in table.kids for row in group.kids if row.type == "/TR"]
        source_rows = source.find_all("tr")
        assert len(rows) == len(source_rows), "each row is one /TR, even where the page cuts it"
        for row, source_row in zip(rows, source_rows):
            cells = [cell for cell in row.kids if cell.type in ("/TH", "/TD")]
            assert [words(c.text) for c in cells] == [words(c.get_text()) for c in source_row.find_all(["th", "td"])]


def test_each_section_is_one_section(edition, print_html):
    """Sections cross pages all the time; a new one that starts a page stays a new one."""
    name, tagged, _ = edition
    html = html_for(print_html, name)
    assert len(tagged.of_type("/Sect")) == len(html.find_all("section")), f"{name}: one /Sect per section"
    assert len(tagged.of_type("/Part")) == len(html.find_all("main")) == 1, "the body is one /Part"


def test_each_list_is_one_list(edition, print_html):
    name, tagged, _ = edition
    lists = html_for(print_html, name).find_all(["ul", "ol", "dl"])
    assert len(tagged.of_type("/L")) == len(lists), f"{name}: one /L per source list"


def test_each_paragraph_heading_and_cell_has_the_words_of_the_html(edition, print_html):
    """In document order, element for element; no element split, no words run together."""
    name, tagged, _ = edition
    source = [(f"/{e.name.upper()}", e.get_text()) for e in html_for(print_html, name).body.find_all(TEXT_BLOCKS)]
    pdf = [(e.type, e.text) for e in tagged.of_type(*(f"/{t.upper()}" for t in TEXT_BLOCKS))]
    assert [t for t, _ in pdf] == [t for t, _ in source], f"{name}: the same blocks in the same order"
    different = [(t, " ".join(words(p)), " ".join(words(h))) for (t, p), (_, h) in zip(pdf, source)
                 if words(p) != words(h)]
    assert not different, f"{len(different)} block(s) differ, e.g. " + "; ".join(
        f"{t}: PDF {p[:80]!r} / HTML {h[:80]!r}" for t, p, h in different[:3])


# -- leaders -------------------------------------------------------------------------


def test_contents_leaders_are_artifacts(edition):
    name, tagged, _ = edition
    links = tagged.of_type("/Link")
    assert links
    leaders = [link.text for link in links if LEADER.search(link.text)]
    assert not leaders, f"{name}: {len(leaders)} link(s) read out dot leaders, e.g. {leaders[0][:80]!r}"
    everything = "".join(e.text for e in tagged.root)
    assert not LEADER.search(everything), "no run of leader dots anywhere in the tagged text"
    assert LEADER.search(tagged.artifact_text), "the leaders are still printed, as artifacts"


# -- hyphenation -------------------------------------------------------------------------


def test_the_standard_edition_hyphenates_and_readers_get_whole_words(edition, print_html):
    """print.css hyphenates by the page's lang; large-print.css does not split words."""
    name, tagged, _ = edition
    added = tagged.replaced_glyphs.count(HYPHEN)  # drawn, and read as nothing (tagging.py)
    if name == "pdf":
        assert added > 0, "the standard edition hyphenates long words"
    else:
        assert added == 0, "large print keeps words whole"
    everything = "".join(e.text for e in tagged.root)
    assert everything.count(HYPHEN) == html_for(print_html, name).body.get_text().count(HYPHEN), (
        "no hyphen in the tagged text that the HTML does not have")


# -- table headers ---------------------------------------------------------------------


def test_every_id_is_in_the_id_tree(edition):
    _, tagged, path = edition
    with_ids = [e.id for e in tagged.all() if e.id is not None]
    assert with_ids, "the header cells carry ids"
    with pikepdf.open(path) as pdf:
        assert "/IDTree" in pdf.Root.StructTreeRoot
        id_tree = pikepdf.NameTree(pdf.Root.StructTreeRoot.IDTree)
        assert sorted(id_tree.keys()) == sorted(with_ids)
        for key, element in id_tree.items():
            assert element.S == Name.TH and str(element.ID) == key


def test_every_header_cell_has_a_scope(edition, print_html):
    name, tagged, _ = edition
    headers = tagged.of_type("/TH")
    assert len(headers) == len(html_for(print_html, name).find_all("th"))
    for header in headers:
        # The handbook's only table has a header row: its cells head columns.
        assert header.scopes == ["/Column"], f"{header.text!r}: {header.scopes}"
