"""The real print editions (standard and large print), as `make all` builds them.

Accessibility is judged three times: by the project's checker (scripts/pdfua_check.py)
and by two independent ones, outloud and pdfua. Layout promises are measured in the PDF's
own content streams: font sizes and baselines of the text readers get.
"""

from __future__ import annotations

import json
import math
import re
import subprocess
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import pikepdf
import pytest
from pikepdf import Dictionary, Name
from roman_numerals import RomanNumeral

import pdfua_check
from conftest import ROOT, translated
from handbook.pdf import page_labels

EDITIONS = ["pdf", "large_print_pdf"]
OUTLOUD = ROOT / ".venv" / "bin" / "outloud"
LARGE_PRINT_MIN_PT = 18
LARGE_PRINT_MIN_LINE_HEIGHT = 1.5


def edition_path(outputs, edition: str) -> Path:
    return getattr(outputs, edition)


# -- what the sources promise --------------------------------------------------


@dataclass(frozen=True)
class Toctree:
    caption: str
    numbered: bool
    chapters: list[str]  # the first heading of each listed document


def doc_title(docname: str, language: str) -> str:
    text = (ROOT / "docs" / f"{docname}.md").read_text(encoding="utf-8")
    return translated(language, re.search(r"^# (.+)$", text, re.MULTILINE).group(1).strip(), docname)


def toctrees(language: str) -> list[Toctree]:
    """The home page's toctrees, with captions and chapter titles as the edition shows them."""
    index = (ROOT / "docs" / "index.md").read_text(encoding="utf-8")
    found = []
    for body in re.findall(r"```\{toctree\}\n(.*?)```", index, re.DOTALL):
        options = dict(re.findall(r"^:(\w+):\s*(.*)$", body, re.MULTILINE))
        entries = [line.strip() for line in body.splitlines() if line.strip() and not line.startswith(":")]
        found.append(Toctree(translated(language, options["caption"], "index"), options.get("class") == "part",
                             [doc_title(e, language) for e in entries]))
    return found


def outline(pdf_path: Path) -> list[tuple[str, list[str]]]:
    """Top-level bookmarks and the titles of their children."""
    with pikepdf.open(pdf_path) as pdf, pdf.open_outline() as tree:
        return [(item.title, [child.title for child in item.children]) for item in tree.root]


# -- text as painted -------------------------------------------------------------


@dataclass(frozen=True)
class TextRun:
    size: float  # points
    baseline: float  # points from the foot of the page
    artifact: bool
    element: Dictionary | None  # the structure element of its marked content


def _multiply(m, n):
    a, b, c, d, e, f = m
    a2, b2, c2, d2, e2, f2 = n
    return (a * a2 + b * c2, a * b2 + b * d2, c * a2 + d * c2, c * b2 + d * d2,
            e * a2 + f * c2 + e2, e * b2 + f * d2 + f2)


IDENTITY = (1, 0, 0, 1, 0, 0)


def text_runs(pdf: pikepdf.Pdf, page: pikepdf.Page) -> list[TextRun]:
    """Every text-showing operation of a page, with its real size and baseline.

    Text drawn in form XObjects (WeasyPrint draws an SVG's centred labels so)
    counts too, in the marked content of the ``Do`` that paints it.
    """
    tree = pikepdf.NumberTree(pdf.Root.StructTreeRoot.ParentTree)
    by_mcid = tree.get(int(page.obj.StructParents)) if "/StructParents" in page.obj else None
    runs: list[TextRun] = []
    _stream_runs(pikepdf.parse_content_stream(page), page.obj.get("/Resources", Dictionary()),
                 IDENTITY, [], by_mcid, runs)
    return runs


def _stream_runs(instructions, resources, ctm, marked, by_mcid, runs) -> None:
    saved, tm, line, size = [], IDENTITY, IDENTITY, 0.0
    for operands, operator in instructions:
        op = str(operator)
        values = [float(v) if isinstance(v, (int, float, Decimal)) else v for v in operands]
        if op == "Do":
            xobject = resources.get("/XObject", Dictionary()).get(operands[0])
            if xobject is not None and xobject.get("/Subtype") == Name.Form:
                matrix = tuple(float(v) for v in xobject.get("/Matrix", IDENTITY))
                _stream_runs(pikepdf.parse_content_stream(xobject), xobject.get("/Resources", resources),
                             _multiply(matrix, ctm), list(marked), by_mcid, runs)
        elif op == "q":
            saved.append(ctm)
        elif op == "Q":
            ctm = saved.pop()
        elif op == "cm":
            ctm = _multiply(tuple(values), ctm)
        elif op == "BT":
            tm = line = IDENTITY
        elif op == "Tm":
            tm = line = tuple(values)
        elif op in ("Td", "TD"):
            line = _multiply((1, 0, 0, 1, values[0], values[1]), line)
            tm = line
        elif op == "Tf":
            size = values[1]
        elif op in ("BDC", "BMC"):
            mcid = int(operands[1].MCID) if op == "BDC" and isinstance(operands[1], Dictionary) and "/MCID" in operands[1] else None
            marked.append((operands[0] == Name.Artifact, mcid))
        elif op == "EMC":
            marked.pop()
        elif op in ("Tj", "TJ", "'", '"'):
            a, b, c, d, e, f = _multiply(tm, ctm)
            mcids = [m for _, m in marked if m is not None]
            element = by_mcid[mcids[-1]] if mcids and by_mcid is not None else None
            runs.append(TextRun(size * math.sqrt(abs(a * d - b * c)), f, any(art for art, _ in marked), element))


def ancestors(element: Dictionary):
    while isinstance(element, Dictionary) and element.get("/Type", Name.StructElem) == Name.StructElem and "/S" in element:
        yield element
        element = element.get("/P")


def in_figure(run: TextRun) -> bool:
    return any(e.S == Name.Figure for e in ancestors(run.element))


def nearest(run: TextRun, structure_type: Name) -> Dictionary | None:
    return next((e for e in ancestors(run.element) if e.S == structure_type), None)


# -- accessibility ---------------------------------------------------------------


@pytest.mark.parametrize("edition", EDITIONS)
def test_project_checker_finds_nothing(outputs, edition):
    findings = pdfua_check.check_file(edition_path(outputs, edition))
    assert findings == [], "\n".join(f"[{f.check}] {f.message}" for f in findings)


@pytest.mark.parametrize("edition", EDITIONS)
def test_outloud_finds_no_error(outputs, edition):
    done = subprocess.run([str(OUTLOUD), "--json", "-", "--fail-on", "never", str(edition_path(outputs, edition))],
                          capture_output=True, text=True, check=True)
    (result,) = json.loads(done.stdout)["results"]
    assert result["error"] is None
    errors = [f for f in result["findings"] if f["severity"] == "error"]
    assert errors == [], "\n".join(f"{f['rule']} p.{f.get('page')}: {f['message']}" for f in errors)


def pdfua_report(path: Path, monkeypatch):
    """The report of pdfua 0.1.3, an independent PDF/UA-1 checker, with its own crash worked around.

    pdfua's ``document.as_integer`` asks ``getattr(value, "is_integer", False)``
    of each /K it meets; for a pikepdf Array, pikepdf raises ValueError
    ("cannot get key '/is_integer' on object of type array") instead of
    AttributeError, so rule UA-14-001 (headings are not empty) stops at the
    first heading with several kids and is skipped. pikepdf gives numbers as
    Python ints and no pikepdf Object is a number: answer None for those, as
    the function means to, and the rule runs unchanged.
    """
    import pdfua.document
    import pdfua.rules.structure
    from pdfua.validator import validate

    original = pdfua.document.as_integer

    def as_integer(value):
        return None if isinstance(value, pikepdf.Object) else original(value)

    monkeypatch.setattr(pdfua.document, "as_integer", as_integer)
    monkeypatch.setattr(pdfua.rules.structure, "as_integer", as_integer)
    return validate(str(path))


@pytest.mark.parametrize("edition", EDITIONS)
def test_pdfua_finds_nothing_and_skips_no_rule(outputs, edition, monkeypatch):
    report = pdfua_report(edition_path(outputs, edition), monkeypatch)
    assert report.skipped == (), [(o.rule_id, o.skipped_reason) for o in report.skipped]
    assert report.findings == (), "\n".join(f"{f.rule_id} {f.severity.name} p.{f.location.page}: {f.message}"
                                            for f in report.findings)


@pytest.mark.parametrize("edition", EDITIONS)
def test_page_labels_are_the_printed_page_numbers(outputs, edition):
    """A viewer's page numbers, and "go to page 7", are the numbers printed on the pages."""
    path = edition_path(outputs, edition)
    with pikepdf.open(path) as pdf:
        labels = [page.label for page in pdf.pages]
        assert pdf.Root.PageMode == Name.UseOutlines, "the PDF opens with its bookmarks shown"
    printed = 0
    for index, label in enumerate(labels, start=1):
        lines = subprocess.run(["pdftotext", "-f", str(index), "-l", str(index), "-layout", str(path), "-"],
                               capture_output=True, text=True, check=True).stdout.strip().splitlines()
        # The folio is the last word at the foot (a draft's mark may share the line).
        folio = lines[-1].split()[-1] if lines and lines[-1].split() else ""
        if re.fullmatch(r"[0-9]+|[ivxlc]+", folio):
            assert folio == label, f"page {index} is printed {folio!r} but labelled {label!r}"
            printed += 1
    assert printed > len(labels) / 2, "most pages print their number"
    body = labels.index("1")
    assert labels[:body] == [RomanNumeral(n).to_lowercase() for n in range(1, body + 1)], "front matter: i, ii, ..."
    assert labels[body:] == [str(n) for n in range(1, len(labels) - body + 1)], "the body is numbered from 1"


@pytest.mark.parametrize("edition", EDITIONS)
def test_outline_follows_the_toctree(outputs, edition):
    bookmarks = outline(edition_path(outputs, edition))
    top = [title for title, _ in bookmarks]
    parts = []
    numbered = 0
    for toctree in toctrees(outputs.language):
        match = next(
            (entry for entry in bookmarks if entry[0] == toctree.caption or (
                toctree.numbered and entry[0].endswith(": " + toctree.caption))),
            None,
        )
        assert match is not None, f"no bookmark for the part {toctree.caption!r} in {top}"
        numbered += toctree.numbered
        assert match[1] == toctree.chapters
        parts.append(top.index(match[0]))
    assert parts == sorted(parts), "the parts are bookmarked in toctree order"
    assert numbered == 2, "both mission areas are numbered parts"


@pytest.mark.parametrize("edition", EDITIONS)
def test_link_descriptions_are_titles_not_ids(outputs, edition):
    titles = {title for _, chapters in outline(edition_path(outputs, edition)) for title in chapters}
    with pikepdf.open(edition_path(outputs, edition)) as pdf:
        internal = [a for page in pdf.pages for a in page.obj.get("/Annots", []) if "/Dest" in a]
        assert internal
        for annotation in internal:
            assert str(annotation.Contents) != str(annotation.Dest)
        # Links to chapters read as the chapters' titles.
        assert titles & {str(a.Contents) for a in internal}


@pytest.mark.parametrize("edition", EDITIONS)
def test_no_link_to_a_local_file(outputs, edition):
    with pikepdf.open(edition_path(outputs, edition)) as pdf:
        uris = [str(a.A.URI) for page in pdf.pages for a in page.obj.get("/Annots", [])
                if "/A" in a and "/URI" in a.A]
    assert not [uri for uri in uris if uri.lower().startswith("file:")]
    assert b"file:" not in edition_path(outputs, edition).read_bytes()


@pytest.mark.parametrize("edition", EDITIONS)
def test_fonts_are_embedded_subsets(outputs, edition):
    with pikepdf.open(edition_path(outputs, edition)) as pdf:
        names = [str(font.BaseFont) for _, font in pdfua_check._fonts(pdf)]
    assert names
    assert all(re.match(r"^/[A-Z]{6}\+", name) for name in names), names
    assert any("Atkinson" in name for name in names), "the handbook's typeface is used"


@pytest.mark.parametrize("edition", EDITIONS)
def test_the_last_chapter_is_in_the_text(outputs, edition):
    last = toctrees(outputs.language)[-1].chapters[-1]
    text = subprocess.run(["pdftotext", str(edition_path(outputs, edition)), "-"],
                          capture_output=True, text=True, check=True).stdout
    assert last in " ".join(text.split())


# -- large print -------------------------------------------------------------------


def test_large_print_every_glyph_is_at_least_18_points(outputs):
    """Every glyph on every page: the text, the diagram's labels, running heads and page numbers."""
    small, figure_labels, artifacts = [], 0, 0
    with pikepdf.open(outputs.large_print_pdf) as pdf:
        for number, page in enumerate(pdf.pages, start=1):
            for run in text_runs(pdf, page):
                figure_labels += in_figure(run)
                artifacts += run.artifact
                if run.size < LARGE_PRINT_MIN_PT - 0.05:
                    kind = "figure" if in_figure(run) else "artifact" if run.artifact else "text"
                    small.append((number, kind, round(run.size, 1)))
    assert figure_labels > 20 and artifacts > 100, "the diagram's labels and the running heads were measured"
    assert not small, f"glyphs under {LARGE_PRINT_MIN_PT} pt (page, kind, size): {sorted(set(small))[:10]}"


def test_standard_edition_text_is_smaller_than_large_print(outputs):
    """The size measurement is not vacuous: the standard edition fails the large-print rule."""
    with pikepdf.open(outputs.pdf) as pdf:
        sizes = [run.size for page in pdf.pages for run in text_runs(pdf, page) if not run.artifact]
    assert min(sizes) < LARGE_PRINT_MIN_PT


def test_large_print_lines_are_at_least_one_and_a_half_apart(outputs):
    tight = []
    checked = 0
    with pikepdf.open(outputs.large_print_pdf) as pdf:
        for number, page in enumerate(pdf.pages, start=1):
            lines: dict[tuple, dict[float, float]] = defaultdict(dict)  # paragraph -> baseline -> size
            for run in text_runs(pdf, page):
                paragraph = nearest(run, Name.P) if not run.artifact else None
                if paragraph is not None:
                    baseline = round(run.baseline, 1)
                    lines[paragraph.objgen][baseline] = max(run.size, lines[paragraph.objgen].get(baseline, 0))
            for baselines in lines.values():
                ordered = sorted(baselines.items(), reverse=True)
                for (upper, size), (lower, _) in zip(ordered, ordered[1:]):
                    checked += 1
                    if upper - lower < LARGE_PRINT_MIN_LINE_HEIGHT * size - 0.1:
                        tight.append((number, round((upper - lower) / size, 2)))
    assert checked > 100, "enough multi-line paragraphs were measured"
    assert not tight, f"lines closer than {LARGE_PRINT_MIN_LINE_HEIGHT} (page, ratio): {tight[:10]}"


@pytest.mark.parametrize("edition", EDITIONS)
def test_contents_page_numbers_lead_to_the_chapters(outputs, edition):
    path = edition_path(outputs, edition)

    def page_text(first: int, last: int | None = None) -> str:
        return subprocess.run(["pdftotext", "-f", str(first), "-l", str(last or first), str(path), "-"],
                              capture_output=True, text=True, check=True).stdout

    with pikepdf.open(path) as pdf:
        # The contents give printed page numbers, which the page labels map to pages.
        page_of_label = {page.label: index for index, page in enumerate(pdf.pages, start=1)}
    contents = " ".join(page_text(1, 6).split())
    checked = 0
    editions_toctrees = toctrees(outputs.language)
    for toctree in editions_toctrees:
        for title in toctree.chapters:
            match = re.search(re.escape(title) + r"[ .]*?(\d+)\b", contents)
            assert match, f"{title!r} is not in the contents"
            number = match.group(1)
            assert number in page_of_label, f"no page is numbered {number}"
            assert title in " ".join(page_text(page_of_label[number]).split()), f"{title!r} is not on page {number}"
            checked += 1
    assert checked == sum(len(t.chapters) for t in editions_toctrees)
