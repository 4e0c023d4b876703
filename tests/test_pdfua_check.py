"""The PDF/UA checker (scripts/pdfua_check.py): each check catches a PDF broken in one way.

The good PDF is a small real one: WeasyPrint's PDF/UA-1 output with the
builder's fixes (tests/pdf_samples.py). Each case breaks it in one way with
pikepdf and names the checks that must fire, and no others.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pikepdf
import pytest
from pikepdf import Array, Dictionary, Name

import pdf_samples
import pdfua_check


@pytest.fixture(scope="module")
def good_pdf(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("pdfua")
    raw = pdf_samples.render_sample(folder / "raw.pdf")
    return pdf_samples.fixed_sample(raw, folder / "good.pdf")


def found_checks(path: Path) -> set[str]:
    return {finding.check for finding in pdfua_check.check_file(path)}


def first(pdf: pikepdf.Pdf, structure_type: str) -> Dictionary:
    return next(e for e in pdfua_check.elements(pdf) if e.S == Name(structure_type))


def link_annotations(pdf: pikepdf.Pdf) -> list[Dictionary]:
    return [a for page in pdf.pages for a in page.obj.get("/Annots", []) if a.Subtype == Name.Link]


def fonts(pdf: pikepdf.Pdf) -> list[Dictionary]:
    return list(pdf.pages[0].obj.Resources.Font.values())


def set_xmp(pdf: pikepdf.Pdf, key: str) -> None:
    with pdf.open_metadata(set_pikepdf_as_editor=False) as xmp:
        del xmp[key]


def move_objr_to_span(pdf: pikepdf.Pdf) -> None:
    """WeasyPrint's own bug, put back: the annotation hangs off a Span inside the Link."""
    link = next(e for e in pdfua_check.elements(pdf) if e.S == Name.Link and any(
        pdfua_check._is_element(k) for k in pdfua_check._kids(e)))
    objr = next(k for k in pdfua_check._kids(link) if isinstance(k, Dictionary) and k.get("/Type") == Name.OBJR)
    span = next(k for k in pdfua_check._kids(link) if pdfua_check._is_element(k))
    link.K = Array([k for k in pdfua_check._kids(link) if k is not objr and not (
        isinstance(k, Dictionary) and k.get("/Type") == Name.OBJR)])
    span.K = Array([objr, *pdfua_check._kids(span)])
    tree = pikepdf.NumberTree(pdf.Root.StructTreeRoot.ParentTree)
    tree[int(objr.Obj.StructParent)] = span


def untie_paragraph(pdf: pikepdf.Pdf) -> None:
    """A P element dropped from the tree: its text is tagged but belongs to nothing (WeasyPrint issue 1836)."""
    paragraph = next(e for e in pdfua_check.elements(pdf) if e.S == Name.P and not any(
        pdfua_check._is_element(k) and k.S == Name.Link for k in pdfua_check._kids(e)))
    parent = paragraph.P
    parent.K = Array([k for k in pdfua_check._kids(parent) if not (
        isinstance(k, Dictionary) and k.objgen == paragraph.objgen)])


def paint_untagged(pdf: pikepdf.Pdf) -> None:
    page = pdf.pages[0]
    page.contents_add(pdf.make_stream(b"0 0 10 10 re f"), prepend=False)


def skip_heading_level(pdf: pikepdf.Pdf) -> None:
    first(pdf, "/H2").S = Name.H3  # H1 then H3


def unscoped_headers(pdf: pikepdf.Pdf) -> None:
    for cell in (e for e in pdfua_check.elements(pdf) if e.S == Name.TD):
        del cell.A.Headers
    unscope(pdf)


def unscope(pdf: pikepdf.Pdf) -> None:
    for header in (e for e in pdfua_check.elements(pdf) if e.S == Name.TH):
        for attributes in pdfua_check._attributes(header):
            if "/Scope" in attributes:
                del attributes.Scope


def drop_from_id_tree(pdf: pikepdf.Pdf) -> None:
    """An /IDTree that leads to another element than the one with the /ID."""
    id_tree = pikepdf.NameTree(pdf.Root.StructTreeRoot.IDTree)
    first_id = next(iter(id_tree.keys()))
    id_tree[first_id] = first(pdf, "/TD")


def no_header_cells(pdf: pikepdf.Pdf) -> None:
    for cell in (e for e in pdfua_check.elements(pdf) if e.S == Name.TH):
        cell.S = Name.TD


def stray_in_list_item(pdf: pikepdf.Pdf) -> None:
    item = first(pdf, "/LI")
    body = next(k for k in pdfua_check._kids(item) if k.S == Name.LBody)
    item.K = Array([k for k in pdfua_check._kids(item) if k.S != Name.LBody] + pdfua_check._kids(body))


BREAKS: dict[str, tuple[Callable[[pikepdf.Pdf], None], set[str]]] = {
    "not marked": (lambda pdf: pdf.Root.MarkInfo.__setattr__("Marked", False), {"marked"}),
    "no structure tree": (lambda pdf: pdf.Root.__delattr__("StructTreeRoot"), {"structure-tree"}),
    # Without the ParentTree, neither links nor content can be traced to their elements.
    "no parent tree": (lambda pdf: pdf.Root.StructTreeRoot.__delattr__("ParentTree"),
                       {"structure-tree", "link-element", "content-tagged"}),
    "no language": (lambda pdf: pdf.Root.__delattr__("Lang"), {"language"}),
    "no XMP title": (lambda pdf: set_xmp(pdf, "dc:title"), {"xmp-title"}),
    "no PDF/UA identifier": (lambda pdf: set_xmp(pdf, "pdfuaid:part"), {"pdfua-id"}),
    "title not displayed": (lambda pdf: pdf.Root.ViewerPreferences.__setattr__("DisplayDocTitle", False),
                            {"display-title"}),
    "no outline": (lambda pdf: pdf.Root.__delattr__("Outlines"), {"outline"}),
    "font not embedded": (lambda pdf: fonts(pdf)[0].DescendantFonts[0].FontDescriptor.__delattr__("FontFile2"),
                          {"font-embedded"}),
    "font without ToUnicode": (lambda pdf: fonts(pdf)[0].__delattr__("ToUnicode"), {"font-unicode"}),
    "figure without Alt": (lambda pdf: first(pdf, "/Figure").__delattr__("Alt"), {"figure-alt"}),
    # WeasyPrint's own box, put back: CSS pixels from the top of the page.
    "figure box off the page": (lambda pdf: first(pdf, "/Figure").A.__setattr__("BBox", Array([100, 600, 700, 900])),
                                {"figure-bbox"}),
    "heading level skipped": (skip_heading_level, {"heading-levels"}),
    "table without TH": (no_header_cells, {"table-headers"}),
    # Without /Headers and /Scope, no data cell has a header; without /Scope alone, UA-15-003 fires.
    "data cells without headers": (unscoped_headers, {"table-headers", "th-scope"}),
    "header cells without scope": (unscope, {"th-scope"}),
    "no IDTree": (lambda pdf: pdf.Root.StructTreeRoot.__delattr__("IDTree"), {"id-tree"}),
    "IDTree leads elsewhere": (drop_from_id_tree, {"id-tree"}),
    "bookmarks not shown": (lambda pdf: pdf.Root.__delattr__("PageMode"), {"page-mode"}),
    "no page labels": (lambda pdf: pdf.Root.__delattr__("PageLabels"), {"page-labels"}),
    "list item without LBody": (stray_in_list_item, {"list-items"}),
    "non-standard type": (lambda pdf: first(pdf, "/Caption").__setattr__("S", Name("/Legend")), {"role-map"}),
    "link on a Span": (move_objr_to_span, {"link-element"}),
    "link without Contents": (lambda pdf: link_annotations(pdf)[0].__delattr__("Contents"), {"link-contents"}),
    "link to no destination": (lambda pdf: link_annotations(pdf)[0].__setattr__("Dest", pikepdf.String("nowhere")),
                               {"link-target"}),
    "file: link": (lambda pdf: next(a for a in link_annotations(pdf) if "/A" in a).A.__setattr__(
        "URI", pikepdf.String("file:///home/build/docs/sources.html")), {"file-link"}),
    "no tab order": (lambda pdf: pdf.pages[0].obj.__delattr__("Tabs"), {"tab-order"}),
    "untagged painting": (paint_untagged, {"content-tagged"}),
    "tagged content outside the tree": (untie_paragraph, {"content-tagged"}),
}


def test_the_good_pdf_has_no_findings(good_pdf):
    assert pdfua_check.check_file(good_pdf) == []


@pytest.mark.parametrize("case", BREAKS, ids=list(BREAKS))
def test_each_check_catches_its_break(case, good_pdf, tmp_path):
    breaker, expected = BREAKS[case]
    broken = tmp_path / "broken.pdf"
    with pikepdf.open(good_pdf) as pdf:
        breaker(pdf)
        pdf.save(broken)
    assert found_checks(broken) == expected


def test_a_role_map_makes_a_custom_type_standard(good_pdf, tmp_path):
    mapped = tmp_path / "mapped.pdf"
    with pikepdf.open(good_pdf) as pdf:
        first(pdf, "/Caption").S = Name("/Legend")
        pdf.Root.StructTreeRoot.RoleMap = Dictionary(Legend=Name.Caption)
        pdf.save(mapped)
    assert found_checks(mapped) == set()


def test_weasyprint_output_fails_before_the_builder_fixes_it(tmp_path):
    raw = pdf_samples.render_sample(tmp_path / "raw.pdf")
    # The running header is tagged outside the tree; the span-wrapping link's annotation sits on a Span;
    # header cells have /IDs but no /IDTree and no /Scope; the bookmarks are hidden and the pages unlabelled.
    assert found_checks(raw) == {"content-tagged", "link-element", "list-items", "id-tree", "th-scope",
                                 "page-mode", "page-labels"}


def test_main_prints_one_line_per_finding_and_exits_1(good_pdf, tmp_path, capsys):
    broken = tmp_path / "broken.pdf"
    with pikepdf.open(good_pdf) as pdf:
        del pdf.Root.Lang
        del pdf.Root.Outlines
        pdf.save(broken)
    assert pdfua_check.main([str(good_pdf), str(broken)]) == 1
    assert capsys.readouterr().out.splitlines() == [
        f"{broken}: [language] the catalog has no /Lang: readers cannot pick a voice",
        f"{broken}: [outline] the PDF has no bookmark outline",
    ]


def test_main_exits_0_on_a_good_pdf(good_pdf, capsys):
    assert pdfua_check.main([str(good_pdf)]) == 0
    assert capsys.readouterr().out == ""


def test_a_file_that_is_not_a_pdf_is_one_finding(tmp_path, capsys):
    not_pdf = tmp_path / "notes.pdf"
    not_pdf.write_text("not a PDF")
    assert pdfua_check.main([str(not_pdf)]) == 1
    (line,) = capsys.readouterr().out.splitlines()
    assert line.startswith(f"{not_pdf}: [open] cannot read the PDF")
