"""Check a PDF against the PDF/UA-1 rules the handbook's print editions must meet.

    python scripts/pdfua_check.py _build/pdf/*.pdf

Prints one line per finding, ``file: [check-id] message``, and exits 1 if
there is any. Each check is a pure function from an open ``pikepdf.Pdf`` to
its findings; tests/test_pdfua_check.py breaks a good PDF in each one way and
proves the check catches it. The checker is written apart from the builder's
fixes (_ext/handbook/pdf/tagging.py), so that a mistake in one is not hidden by the other.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pikepdf
from pikepdf import Array, Dictionary, Name

# ISO 32000-1, 14.8.4: the standard structure types.
STANDARD_TYPES = frozenset("""
Document Part Art Sect Div BlockQuote Caption TOC TOCI Index NonStruct Private
P H H1 H2 H3 H4 H5 H6 L LI Lbl LBody Table TR TH TD THead TBody TFoot
Span Quote Note Reference BibEntry Code Link Annot Ruby RB RT RP Warichu WT WP
Figure Formula Form
""".split())
# Operators that put marks on the page (ISO 32000-1, 8.2 and 9.4).
PAINTING_OPERATORS = frozenset({"Tj", "TJ", "'", '"', "f", "F", "f*", "S", "s", "B", "B*", "b", "b*", "Do", "sh", "BI"})
HEADING = re.compile(r"^/H([1-6])$")


@dataclass(frozen=True)
class Finding:
    check: str
    message: str


Check = Callable[[pikepdf.Pdf], Iterator[Finding]]


# -- the structure tree --------------------------------------------------------


def _kids(obj) -> list:
    k = obj.get("/K")
    if k is None:
        return []
    return list(k) if isinstance(k, Array) else [k]


def _is_element(obj) -> bool:
    return isinstance(obj, Dictionary) and "/S" in obj and obj.get("/Type", Name.StructElem) == Name.StructElem


def elements(pdf: pikepdf.Pdf) -> Iterator[Dictionary]:
    """Structure elements reachable from the StructTreeRoot, in reading order.

    Deliberately not shared with _ext/handbook/pdf/tagging.py, which repairs the tree: a
    checker that read the tree through the repairer's code would share its blind spots.
    """
    root = pdf.Root.get("/StructTreeRoot")
    if root is None:
        return
    stack = list(reversed(_kids(root)))
    while stack:
        element = stack.pop()
        if _is_element(element):
            yield element
            stack.extend(reversed(_kids(element)))


def _role(pdf: pikepdf.Pdf, element: Dictionary) -> str:
    """The standard type an element stands for, following the RoleMap."""
    role_map = pdf.Root.StructTreeRoot.get("/RoleMap", Dictionary())
    structure_type, seen = element.S, set()
    while str(structure_type)[1:] not in STANDARD_TYPES and structure_type in role_map and structure_type not in seen:
        seen.add(structure_type)
        structure_type = role_map[structure_type]
    return str(structure_type)


def _parent_tree(pdf: pikepdf.Pdf) -> pikepdf.NumberTree | None:
    root = pdf.Root.get("/StructTreeRoot")
    if root is None or "/ParentTree" not in root:
        return None
    return pikepdf.NumberTree(root.ParentTree)


def _text(obj) -> str:
    return str(obj).strip() if obj is not None else ""


# -- document ------------------------------------------------------------------


def check_marked(pdf: pikepdf.Pdf) -> Iterator[Finding]:
    mark_info = pdf.Root.get("/MarkInfo")
    if mark_info is None or not bool(mark_info.get("/Marked", False)):
        yield Finding("marked", "the catalog's /MarkInfo does not say /Marked true: the PDF is not declared tagged")


def check_structure_tree(pdf: pikepdf.Pdf) -> Iterator[Finding]:
    root = pdf.Root.get("/StructTreeRoot")
    if root is None:
        yield Finding("structure-tree", "no /StructTreeRoot: the PDF has no structure tree")
    elif "/ParentTree" not in root:
        yield Finding("structure-tree", "the /StructTreeRoot has no /ParentTree: content cannot be traced to its elements")


def check_language(pdf: pikepdf.Pdf) -> Iterator[Finding]:
    if not _text(pdf.Root.get("/Lang")):
        yield Finding("language", "the catalog has no /Lang: readers cannot pick a voice")


def check_metadata(pdf: pikepdf.Pdf) -> Iterator[Finding]:
    with pdf.open_metadata() as xmp:
        title = xmp.get("dc:title", "")
        part = xmp.get("pdfuaid:part", "")
    if not str(title).strip():
        yield Finding("xmp-title", "the XMP metadata has no dc:title")
    if str(part).strip() != "1":
        yield Finding("pdfua-id", f"the XMP metadata does not declare PDF/UA-1 (pdfuaid:part is {str(part)!r})")


def check_display_title(pdf: pikepdf.Pdf) -> Iterator[Finding]:
    preferences = pdf.Root.get("/ViewerPreferences", Dictionary())
    if not bool(preferences.get("/DisplayDocTitle", False)):
        yield Finding("display-title", "/ViewerPreferences /DisplayDocTitle is not true: viewers show the file name")


def check_outline(pdf: pikepdf.Pdf) -> Iterator[Finding]:
    outlines = pdf.Root.get("/Outlines")
    if outlines is None or "/First" not in outlines:
        yield Finding("outline", "the PDF has no bookmark outline")
    elif pdf.Root.get("/PageMode") != Name.UseOutlines:
        yield Finding("page-mode", "the catalog's /PageMode is not /UseOutlines: viewers open without the bookmarks")


def check_page_labels(pdf: pikepdf.Pdf) -> Iterator[Finding]:
    """Viewers go to the page printed with the number a reader asks for."""
    if "/PageLabels" not in pdf.Root:
        yield Finding("page-labels", "the catalog has no /PageLabels: viewers number the pages from the cover, "
                      "not as they are printed")


# -- fonts ---------------------------------------------------------------------


def _fonts(pdf: pikepdf.Pdf) -> Iterator[tuple[str, Dictionary]]:
    """Every font used by a page or a form XObject, once."""
    seen = set()
    stack = [page.obj.get("/Resources") for page in pdf.pages]
    while stack:
        resources = stack.pop()
        if resources is None or (resources.is_indirect and resources.objgen in seen):
            continue
        if resources.is_indirect:
            seen.add(resources.objgen)
        for name, font in resources.get("/Font", Dictionary()).items():
            if font.objgen not in seen:
                seen.add(font.objgen)
                yield name, font
        for xobject in resources.get("/XObject", Dictionary()).values():
            if xobject.get("/Subtype") == Name.Form:
                stack.append(xobject.get("/Resources"))


def _embedded(font: Dictionary) -> bool:
    if font.get("/Subtype") == Name.Type3:
        return True  # its glyphs are content streams inside the font
    if font.get("/Subtype") == Name.Type0:
        font = font.DescendantFonts[0]
    descriptor = font.get("/FontDescriptor")
    return descriptor is not None and any(key in descriptor for key in ("/FontFile", "/FontFile2", "/FontFile3"))


def check_fonts(pdf: pikepdf.Pdf) -> Iterator[Finding]:
    for name, font in _fonts(pdf):
        label = _text(font.get("/BaseFont")) or name
        if not _embedded(font):
            yield Finding("font-embedded", f"font {label} is not embedded")
        if "/ToUnicode" not in font:
            yield Finding("font-unicode", f"font {label} has no /ToUnicode map: its text cannot be read aloud")


# -- elements ------------------------------------------------------------------


def check_figures(pdf: pikepdf.Pdf) -> Iterator[Finding]:
    for element in elements(pdf):
        if _role(pdf, element) == "/Figure" and not (_text(element.get("/Alt")) or _text(element.get("/ActualText"))):
            yield Finding("figure-alt", "a Figure element has no /Alt text")


def check_figure_boxes(pdf: pikepdf.Pdf) -> Iterator[Finding]:
    """A figure's layout /BBox is in the page's user space, so it lies on its page."""
    pages = {page.obj.objgen: page for page in pdf.pages}
    for element in elements(pdf):
        page = pages.get(element.Pg.objgen) if "/Pg" in element else None
        for attributes in _attributes(element):
            if _role(pdf, element) != "/Figure" or page is None or "/BBox" not in attributes:
                continue
            x1, y1, x2, y2 = (float(v) for v in attributes.BBox)
            mx1, my1, mx2, my2 = (float(v) for v in page.mediabox)
            if x1 < mx1 - 1 or y1 < my1 - 1 or x2 > mx2 + 1 or y2 > my2 + 1:
                yield Finding("figure-bbox", f"a Figure's /BBox {[x1, y1, x2, y2]} runs off its page {[mx1, my1, mx2, my2]}")


def check_headings(pdf: pikepdf.Pdf) -> Iterator[Finding]:
    previous = 0
    for element in elements(pdf):
        match = HEADING.match(_role(pdf, element))
        if not match:
            continue
        level = int(match.group(1))
        if level > previous + 1:
            after = f"after H{previous}" if previous else "as the first heading"
            yield Finding("heading-levels", f"H{level} {after}: a heading level is skipped")
        previous = level


def _attributes(element: Dictionary) -> list[Dictionary]:
    attributes = element.get("/A")
    if attributes is None:
        return []
    return [a for a in (attributes if isinstance(attributes, Array) else [attributes]) if isinstance(a, Dictionary)]


def _cells(element: Dictionary, role: str, pdf: pikepdf.Pdf) -> Iterator[Dictionary]:
    for kid in _kids(element):
        if not _is_element(kid):
            continue
        kid_role = _role(pdf, kid)
        if kid_role == role:
            yield kid
        elif kid_role != "/Table":  # a nested table answers for itself
            yield from _cells(kid, role, pdf)


def check_tables(pdf: pikepdf.Pdf) -> Iterator[Finding]:
    for table in (e for e in elements(pdf) if _role(pdf, e) == "/Table"):
        headers = list(_cells(table, "/TH", pdf))
        if not headers:
            yield Finding("table-headers", "a Table has no TH header cell")
            continue
        scoped = all(any("/Scope" in a for a in _attributes(th)) for th in headers)
        for cell in _cells(table, "/TD", pdf):
            if not scoped and not any(len(a.get("/Headers", [])) for a in _attributes(cell)):
                yield Finding("table-headers", "a TD data cell names no /Headers, and the TH cells have no /Scope")
                break


def check_header_scope(pdf: pikepdf.Pdf) -> Iterator[Finding]:
    """Every TH says what it heads (pdfua 0.1.3 rule UA-15-003 asks for it even with /Headers)."""
    unscoped = sum(1 for th in elements(pdf) if _role(pdf, th) == "/TH"
                   and not any(a.get("/Scope") in (Name.Row, Name.Column, Name.Both) for a in _attributes(th)))
    if unscoped:
        yield Finding("th-scope", f"{unscoped} TH cell(s) have no /Scope (/Column, /Row or /Both)")


def check_id_tree(pdf: pikepdf.Pdf) -> Iterator[Finding]:
    """ISO 32000-1, table 322: elements with an /ID are found through the root's /IDTree."""
    with_ids = [e for e in elements(pdf) if "/ID" in e]
    if not with_ids:
        return
    root = pdf.Root.StructTreeRoot
    if "/IDTree" not in root:
        yield Finding("id-tree", f"{len(with_ids)} element(s) have an /ID but the StructTreeRoot has no /IDTree")
        return
    id_tree = pikepdf.NameTree(root.IDTree)
    missing = [str(e.ID) for e in with_ids if str(e.ID) not in id_tree or id_tree[str(e.ID)].objgen != e.objgen]
    if missing:
        yield Finding("id-tree", f"the /IDTree does not lead to the element(s) with /ID {', '.join(sorted(missing))}")


def check_list_items(pdf: pikepdf.Pdf) -> Iterator[Finding]:
    for item in (e for e in elements(pdf) if _role(pdf, e) == "/LI"):
        strays = [kid for kid in _kids(item) if not (_is_element(kid) and _role(pdf, kid) in ("/Lbl", "/LBody"))]
        if strays:
            yield Finding("list-items", "a list item (LI) holds content outside its Lbl and LBody")


def check_role_map(pdf: pikepdf.Pdf) -> Iterator[Finding]:
    unmapped = sorted({str(e.S) for e in elements(pdf) if _role(pdf, e)[1:] not in STANDARD_TYPES})
    for structure_type in unmapped:
        yield Finding("role-map", f"structure type {structure_type} is not standard and not in the /RoleMap")


# -- annotations ---------------------------------------------------------------


def _annotations(pdf: pikepdf.Pdf) -> Iterator[tuple[int, Dictionary]]:
    for number, page in enumerate(pdf.pages, start=1):
        for annotation in page.obj.get("/Annots", []):
            yield number, annotation


def _has_objr_to(element: Dictionary, annotation: Dictionary) -> bool:
    return any(
        isinstance(kid, Dictionary) and kid.get("/Type") == Name.OBJR and kid.Obj.objgen == annotation.objgen
        for kid in _kids(element)
    )


def check_links(pdf: pikepdf.Pdf) -> Iterator[Finding]:
    tree = _parent_tree(pdf)
    reachable = {e.objgen for e in elements(pdf)}
    for page, annotation in _annotations(pdf):
        if annotation.get("/Subtype") != Name.Link:
            continue
        where = f"link on page {page}"
        if not _text(annotation.get("/Contents")):
            yield Finding("link-contents", f"{where} has no /Contents description")
        key = annotation.get("/StructParent")
        owner = tree.get(int(key)) if tree is not None and key is not None else None
        if (not isinstance(owner, Dictionary) or owner.objgen not in reachable
                or _role(pdf, owner) != "/Link" or not _has_objr_to(owner, annotation)):
            yield Finding("link-element", f"{where} is not tied to a Link element of the structure tree "
                          "(by /StructParent, the ParentTree and an OBJR)")


def _named_destinations(pdf: pikepdf.Pdf) -> set[str]:
    names = pdf.Root.get("/Names", Dictionary()).get("/Dests")
    if names is None:
        return set()
    return {str(name) for name in pikepdf.NameTree(names).keys()}


def check_link_targets(pdf: pikepdf.Pdf) -> Iterator[Finding]:
    destinations = _named_destinations(pdf)
    for page, annotation in _annotations(pdf):
        destination = annotation.get("/Dest")
        if isinstance(destination, pikepdf.String) and str(destination) not in destinations:
            yield Finding("link-target", f"link on page {page} points at {str(destination)!r}, which is not a destination")
        action = annotation.get("/A", Dictionary())
        uri = _text(action.get("/URI"))
        if uri.lower().startswith("file:"):
            yield Finding("file-link", f"link on page {page} points at a local file: {uri}")


def check_tab_order(pdf: pikepdf.Pdf) -> Iterator[Finding]:
    for number, page in enumerate(pdf.pages, start=1):
        if len(page.obj.get("/Annots", [])) and page.obj.get("/Tabs") != Name.S:
            yield Finding("tab-order", f"page {number} has annotations but no /Tabs /S (structure order)")


# -- page content --------------------------------------------------------------


def _mcid(operands) -> int | None:
    if len(operands) == 2 and isinstance(operands[1], Dictionary) and "/MCID" in operands[1]:
        return int(operands[1].MCID)
    return None


def check_content_tagged(pdf: pikepdf.Pdf) -> Iterator[Finding]:
    """Every mark on a page is in an Artifact, or in marked content whose element is in the tree."""
    tree = _parent_tree(pdf)
    reachable = {e.objgen for e in elements(pdf)}
    for number, page in enumerate(pdf.pages, start=1):
        key = page.obj.get("/StructParents")
        by_mcid = tree.get(int(key)) if tree is not None and key is not None else None
        stack: list[tuple[bool, int | None]] = []  # (artifact, mcid) of each open marked-content sequence
        untagged, untied = 0, set()
        for operands, operator in pikepdf.parse_content_stream(page):
            operator = str(operator)
            if operator in ("BDC", "BMC"):
                stack.append((operands[0] == Name.Artifact, _mcid(operands) if operator == "BDC" else None))
            elif operator == "EMC" and stack:
                stack.pop()
            elif operator in PAINTING_OPERATORS:
                if any(artifact for artifact, _ in stack):
                    continue
                mcids = [mcid for _, mcid in stack if mcid is not None]
                if not mcids:
                    untagged += 1
                    continue
                mcid = mcids[-1]
                owner = by_mcid[mcid] if by_mcid is not None and mcid < len(by_mcid) else None
                if not isinstance(owner, Dictionary) or owner.objgen not in reachable:
                    untied.add(mcid)
        if untagged:
            yield Finding("content-tagged", f"page {number}: {untagged} painting operation(s) are neither tagged nor an Artifact")
        if untied:
            yield Finding("content-tagged", f"page {number}: marked content {sorted(untied)} belongs to no element "
                          "of the structure tree (mark it as an Artifact, or tie it to an element)")


CHECKS: tuple[Check, ...] = (
    check_marked, check_structure_tree, check_language, check_metadata, check_display_title,
    check_outline, check_page_labels, check_fonts, check_figures, check_figure_boxes, check_headings, check_tables,
    check_header_scope,
    check_id_tree, check_list_items, check_role_map, check_links, check_link_targets, check_tab_order,
    check_content_tagged,
)


def check_pdf(pdf: pikepdf.Pdf) -> list[Finding]:
    """Every finding of every check on one open PDF."""
    if "/StructTreeRoot" not in pdf.Root:
        # Without a tree, the element checks have nothing to walk: say it once.
        return [f for check in (check_marked, check_structure_tree, check_language, check_metadata,
                                check_display_title, check_outline, check_page_labels, check_fonts) for f in check(pdf)]
    return [finding for check in CHECKS for finding in check(pdf)]


def check_file(path: Path) -> list[Finding]:
    try:
        with pikepdf.open(path) as pdf:
            return check_pdf(pdf)
    except (pikepdf.PdfError, OSError) as error:
        return [Finding("open", f"cannot read the PDF: {error}")]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("pdfs", nargs="+", type=Path, help="the PDF files to check")
    args = parser.parse_args(argv)
    found = False
    for path in args.pdfs:
        for finding in check_file(path):
            print(f"{path}: [{finding.check}] {finding.message}")
            found = True
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
