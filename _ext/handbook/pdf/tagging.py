"""Close the PDF/UA-1 gaps of WeasyPrint 70's tagged PDF, on a ``pikepdf.Pdf``.

The ``pdf`` builder (pdf_builder.py) runs ``fix_tagging`` on each edition
after WeasyPrint has written it. Each step is a pure function on the open PDF,
unit-tested on small WeasyPrint PDFs in tests/test_pdf_tagging.py:

- running headers, footers and page numbers are tagged, but their elements are
  left out of the structure tree (WeasyPrint issue 1836): they become
  ``/Artifact /Pagination`` marked content;
- a link that wraps ``<span>``s, or has a ``::after`` box, gets a nested Link
  element or extra annotations tied to Span elements: every annotation is tied
  to the outermost Link element, and annotations that only repeat an area of
  another annotation of the same link are dropped;
- a link annotation's ``/Contents`` is the raw target id: it becomes the
  target's title;
- list items have no LBody when the item holds a block (``<li><p>``);
- empty Span elements (empty HTML spans, such as Sphinx's document markers)
  are dropped;
- annotations lack the Print flag, so print and screen would differ.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping

import pikepdf
from pikepdf import Array, Dictionary, Name

PRINT_FLAG = 4  # annotation flag bit 3 (ISO 32000-1, table 165)
EMPTY_ELEMENT_TYPES = {"/Span", "/NonStruct"}


class TaggingError(Exception):
    """The PDF cannot be fixed as expected: WeasyPrint's output has changed."""


# -- walking the structure tree ----------------------------------------------


def is_struct_element(obj) -> bool:
    return isinstance(obj, Dictionary) and "/S" in obj and obj.get("/Type", Name.StructElem) == Name.StructElem


def kids(element: Dictionary) -> list:
    """An element's /K as a list (it may be a single kid or absent)."""
    k = element.get("/K")
    if k is None:
        return []
    if isinstance(k, Array):
        return list(k)
    return [k]


def struct_elements(pdf: pikepdf.Pdf) -> Iterator[Dictionary]:
    """Every structure element reachable from the StructTreeRoot, in reading order."""
    root = pdf.Root.get("/StructTreeRoot")
    if root is None:
        return
    stack = list(reversed(kids(root)))
    while stack:
        element = stack.pop()
        if not is_struct_element(element):
            continue
        yield element
        stack.extend(reversed([kid for kid in kids(element) if is_struct_element(kid)]))


def parent_tree(pdf: pikepdf.Pdf) -> pikepdf.NumberTree:
    return pikepdf.NumberTree(pdf.Root.StructTreeRoot.ParentTree)


def same_object(a, b) -> bool:
    return a.is_indirect and b.is_indirect and a.objgen == b.objgen


def replace_kids(element: Dictionary, new_kids: list) -> None:
    element.K = Array(new_kids)


# -- running headers and footers: artifacts ----------------------------------


def artifact_untied_content(pdf: pikepdf.Pdf) -> int:
    """Mark content whose element is outside the structure tree as a pagination artifact.

    WeasyPrint 70 tags the margin boxes (running headers, page numbers) and
    maps their MCIDs to elements it never links into the tree (WeasyPrint
    issue 1836). Returns the number of marked-content sequences converted.
    """
    reachable = {element.objgen for element in struct_elements(pdf)}
    tree = parent_tree(pdf)
    converted = 0
    for page in pdf.pages:
        key = page.obj.get("/StructParents")
        if key is None or int(key) not in tree:
            continue
        by_mcid = tree[int(key)]
        untied = {
            mcid for mcid, element in enumerate(by_mcid)
            if isinstance(element, Dictionary) and element.objgen not in reachable
        }
        if not untied:
            continue
        instructions = []
        for instruction in pikepdf.parse_content_stream(page):
            operands, operator = instruction.operands, instruction.operator
            if operator == pikepdf.Operator("BDC") and _mcid(operands) in untied:
                operands = [Name.Artifact, Dictionary(Type=Name.Pagination)]
                converted += 1
            instructions.append(pikepdf.ContentStreamInstruction(operands, operator))
        page.obj.Contents = pdf.make_stream(pikepdf.unparse_content_stream(instructions))
        for mcid in untied:
            by_mcid[mcid] = None
    return converted


def _mcid(operands) -> int | None:
    if len(operands) == 2 and isinstance(operands[1], Dictionary) and "/MCID" in operands[1]:
        return int(operands[1].MCID)
    return None


# -- links -------------------------------------------------------------------


def _rect(annotation: Dictionary) -> tuple[float, float, float, float]:
    x1, y1, x2, y2 = (float(v) for v in annotation.Rect)
    return min(x1, x2), min(y1, y2), max(x1, x2), max(y1, y2)


def _contains(outer, inner, tolerance: float = 0.5) -> bool:
    return (outer[0] - tolerance <= inner[0] and outer[1] - tolerance <= inner[1]
            and inner[2] <= outer[2] + tolerance and inner[3] <= outer[3] + tolerance)


def _target(annotation: Dictionary) -> str:
    if "/Dest" in annotation:
        return "dest:" + str(annotation.Dest)
    action = annotation.get("/A")
    if action is not None and "/URI" in action:
        return "uri:" + str(action.URI)
    return "none"


def tie_link_annotations(pdf: pikepdf.Pdf) -> int:
    """Tie every link annotation to its outermost Link element; return annotations dropped.

    Nested Link elements are unwrapped into the outer one, OBJRs found on
    Span (or any) descendants move to the Link, and an annotation whose area
    lies inside another annotation of the same Link with the same target is
    removed from the page: it would only make readers visit the link twice.
    """
    tree = parent_tree(pdf)
    links = [e for e in struct_elements(pdf) if e.S == Name.Link]
    inner = set()
    for link in links:
        for descendant in _descendants(link):
            if descendant.S == Name.Link:
                inner.add(descendant.objgen)
    dropped: list[Dictionary] = []
    for link in links:
        if link.objgen in inner:
            continue
        _unwrap_nested_links(link, tree)
        objrs = _pull_objrs(link)
        kept: list[Dictionary] = []
        for objr in objrs:
            annotation = objr.Obj
            duplicate = any(
                _target(other.Obj) == _target(annotation) and _contains(_rect(other.Obj), _rect(annotation))
                for other in kept
            )
            if duplicate:
                if "/StructParent" in annotation and int(annotation.StructParent) in tree:
                    del tree[int(annotation.StructParent)]
                dropped.append(annotation)
            else:
                kept.append(objr)
                if "/StructParent" in annotation:
                    tree[int(annotation.StructParent)] = link
        replace_kids(link, kept + [kid for kid in kids(link) if not _is_objr(kid)])
    _remove_from_pages(pdf, dropped)
    return len(dropped)


def _is_objr(obj) -> bool:
    return isinstance(obj, Dictionary) and obj.get("/Type") == Name.OBJR


def _descendants(element: Dictionary) -> Iterator[Dictionary]:
    for kid in kids(element):
        if is_struct_element(kid):
            yield kid
            yield from _descendants(kid)


def _unwrap_nested_links(link: Dictionary, tree: pikepdf.NumberTree) -> None:
    """Replace each Link inside ``link`` by its own kids."""
    new_kids = []
    for kid in kids(link):
        if is_struct_element(kid):
            _unwrap_nested_links(kid, tree)
        if is_struct_element(kid) and kid.S == Name.Link:
            for grandkid in kids(kid):
                _adopt(grandkid, kid, link, tree)
                new_kids.append(grandkid)
        else:
            new_kids.append(kid)
    replace_kids(link, new_kids)


def _adopt(kid, old_parent: Dictionary, new_parent: Dictionary, tree: pikepdf.NumberTree) -> None:
    """Make ``new_parent`` the parent of ``kid``, which was a kid of ``old_parent``."""
    if is_struct_element(kid):
        kid.P = new_parent
    elif isinstance(kid, int) or (isinstance(kid, pikepdf.Object) and kid._type_code == pikepdf.ObjectType.integer):
        _repoint_mcid(int(kid), old_parent, new_parent, tree)
    elif isinstance(kid, Dictionary) and kid.get("/Type") == Name.MCR:
        _repoint_mcid(int(kid.MCID), old_parent, new_parent, tree)
    elif _is_objr(kid) and "/StructParent" in kid.Obj:
        tree[int(kid.Obj.StructParent)] = new_parent


def _repoint_mcid(mcid: int, old_parent: Dictionary, new_parent: Dictionary, tree: pikepdf.NumberTree) -> None:
    page = old_parent.get("/Pg")
    if page is None or "/StructParents" not in page:
        raise TaggingError("marked content without a page: cannot move it to another element")
    by_mcid = tree[int(page.StructParents)]
    by_mcid[mcid] = new_parent
    if "/Pg" not in new_parent:
        new_parent.Pg = page


def _pull_objrs(link: Dictionary) -> list[Dictionary]:
    """Remove every OBJR from the descendants of ``link``; return them with the link's own."""
    found = [kid for kid in kids(link) if _is_objr(kid)]
    for descendant in _descendants(link):
        own = kids(descendant)
        objrs = [kid for kid in own if _is_objr(kid)]
        if objrs:
            found.extend(objrs)
            replace_kids(descendant, [kid for kid in own if not _is_objr(kid)])
    return found


def _remove_from_pages(pdf: pikepdf.Pdf, annotations: list[Dictionary]) -> None:
    """Take ``annotations`` off the pages, in one pass over the pages.

    One pass for all of them: a pass per annotation made the repair grow with
    the square of the book (thousands of annotations times thousands of pages).
    """
    gone = {annotation.objgen for annotation in annotations if annotation.is_indirect}
    if not gone:
        return
    for page in pdf.pages:
        annots = page.obj.get("/Annots")
        if annots is None:
            continue
        remaining = [a for a in annots if not (a.is_indirect and a.objgen in gone)]
        if len(remaining) != len(annots):
            page.obj.Annots = Array(remaining)


def describe_links(pdf: pikepdf.Pdf, titles: Mapping[str, str]) -> list[str]:
    """Give each internal link annotation its target's title as /Contents.

    Returns the targets that have no title, for the builder to report.
    """
    missing = []
    for page in pdf.pages:
        for annotation in page.obj.get("/Annots", []):
            if annotation.get("/Subtype") != Name.Link or "/Dest" not in annotation:
                continue
            target = str(annotation.Dest)
            if target in titles:
                annotation.Contents = pikepdf.String(titles[target])
            else:
                missing.append(target)
    return sorted(set(missing))


def show_annotations_in_print(pdf: pikepdf.Pdf) -> None:
    """Set the Print flag on every annotation, so print and screen agree."""
    for page in pdf.pages:
        for annotation in page.obj.get("/Annots", []):
            annotation.F = int(annotation.get("/F", 0)) | PRINT_FLAG


# -- lists and empty elements ------------------------------------------------


def add_list_bodies(pdf: pikepdf.Pdf) -> int:
    """Put everything but the label of each list item into an LBody; return items fixed."""
    tree = parent_tree(pdf)
    fixed = 0
    for item in [e for e in struct_elements(pdf) if e.S == Name.LI]:
        item_kids = kids(item)
        body_kids = [k for k in item_kids if not (is_struct_element(k) and k.S in (Name.Lbl, Name.LBody))]
        if not body_kids:
            continue
        body = pdf.make_indirect(Dictionary(Type=Name.StructElem, S=Name.LBody, P=item, K=Array()))
        if "/Pg" in item:
            body.Pg = item.Pg
        for kid in body_kids:
            _adopt(kid, item, body, tree)
        new_kids, body_placed = [], False
        for kid in item_kids:
            if is_struct_element(kid) and kid.S in (Name.Lbl, Name.LBody):
                new_kids.append(kid)
            elif not body_placed:
                new_kids.append(body)
                body_placed = True
        body.K = Array(body_kids)
        replace_kids(item, new_kids)
        fixed += 1
    return fixed


def remove_empty_elements(pdf: pikepdf.Pdf) -> int:
    """Drop Span and NonStruct elements with no content, no kids and no alternative."""
    removed = 0
    changed = True
    while changed:
        changed = False
        for element in list(struct_elements(pdf)):
            for kid in kids(element):
                if (is_struct_element(kid) and kid.S in EMPTY_ELEMENT_TYPES and not kids(kid)
                        and "/Alt" not in kid and "/ActualText" not in kid):
                    replace_kids(element, [k for k in kids(element) if not (is_struct_element(k) and same_object(k, kid))])
                    removed += 1
                    changed = True
    return removed


# -- all together ----------------------------------------------------------


def fix_tagging(pdf: pikepdf.Pdf, link_titles: Mapping[str, str]) -> list[str]:
    """Apply every fix; return the internal link targets that have no title."""
    if "/StructTreeRoot" not in pdf.Root:
        raise TaggingError("the PDF has no structure tree: render it with pdf_variant='pdf/ua-1'")
    artifact_untied_content(pdf)
    tie_link_annotations(pdf)
    add_list_bodies(pdf)
    remove_empty_elements(pdf)
    show_annotations_in_print(pdf)
    return describe_links(pdf, link_titles)
