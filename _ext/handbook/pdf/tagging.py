"""Close the PDF/UA-1 gaps of WeasyPrint 70's tagged PDF, on a ``pikepdf.Pdf``.

The PDF render (render.py) runs ``fix_tagging`` on each edition
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
- empty Span and Div elements (empty HTML spans, such as Sphinx's document
  markers, and the empty block that starts a piece: pieces.py) are dropped;
- annotations lack the Print flag, so print and screen would differ;
- an element that crosses a page is one element per page (WeasyPrint issue
  2903): the pieces are merged into the first, a table's repeated header row
  becomes a pagination artifact, and a row torn by the page is one row again;
  an anonymous box tagged like its element (a Sect in the Sect) is unwrapped;
- the contents' dot leaders are tagged text inside the entries' links: they
  become layout artifacts;
- a line that wraps at a space has no space: one is added, at the end of the
  line, where it prints nothing (ISO 32000-1, 14.8.2.5);
- a hyphen that hyphenation added at a line break is drawn inside the tagged
  text: it is wrapped in a Span whose /ActualText is empty, so the word reads
  whole (ISO 32000-1, 14.9.4);
- header cells carry /ID but the tree has no /IDTree, and TH cells no /Scope;
- a figure's layout /BBox is in CSS pixels from the top of the page.

The facts that WeasyPrint knows and does not write (which HTML element each
structure element comes from, where a wrap dropped a space, which text is a
leader, which hyphen a break added) are recorded while it writes the PDF (box_sources.py).
"""

from __future__ import annotations

import contextlib
import re
from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from functools import partial

import pikepdf
from pikepdf import Array, Dictionary, Name

from handbook.pdf.box_sources import HYPHENS_KEY, LEADERS_KEY, PRIVATE_KEYS, SOURCE_KEY, SPACES_KEY

PRINT_FLAG = 4  # annotation flag bit 3 (ISO 32000-1, table 165)
# Elements that mean nothing without content: empty spans, and the empty block that starts
# a piece of the render (pieces.py) to set its running heads.
EMPTY_ELEMENT_TYPES = {"/Span", "/NonStruct", "/Div"}


class TaggingError(Exception):
    """The PDF cannot be fixed as expected: WeasyPrint's output has changed."""


# -- walking the structure tree ----------------------------------------------


# Names made once: the walks below test them for every element, and pikepdf makes a new
# Name (and parses a "/S" string) on each use, a third of a walk's time.
_STRUCT_ELEM, _S, _K, _TYPE = Name.StructElem, Name.S, Name.K, Name.Type
_LINK, _LI, _FIGURE, _TR, _ID, _PG = Name.Link, Name.LI, Name.Figure, Name.TR, Name.ID, Name.Pg
_SOURCE = Name("/" + SOURCE_KEY)


def is_struct_element(obj) -> bool:
    # The repair walks the tree a dozen times: this test runs for every kid of every element.
    if not isinstance(obj, Dictionary) or _S not in obj:
        return False
    kind = obj.get(_TYPE)
    return kind is None or kind == _STRUCT_ELEM


def kids(element: Dictionary) -> list:
    """An element's /K as a list (it may be a single kid or absent)."""
    k = element.get(_K)
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
    stack = [kid for kid in reversed(kids(root)) if is_struct_element(kid)]
    while stack:
        element = stack.pop()
        yield element
        stack.extend(kid for kid in reversed(kids(element)) if is_struct_element(kid))


def _elements(pdf: pikepdf.Pdf, elements: list[Dictionary] | None) -> Iterator[Dictionary] | list[Dictionary]:
    """``elements`` when the caller has walked the tree already (a fix that leaves it as it is), else a walk."""
    return struct_elements(pdf) if elements is None else elements


def parent_tree(pdf: pikepdf.Pdf) -> pikepdf.NumberTree:
    return pikepdf.NumberTree(pdf.Root.StructTreeRoot.ParentTree)


def same_object(a, b) -> bool:
    return a.is_indirect and b.is_indirect and a.objgen == b.objgen


def replace_kids(element: Dictionary, new_kids: list) -> None:
    element.K = Array(new_kids)


# -- the pages' content streams ----------------------------------------------


PageEdit = Callable[[list], int]  # edits a page's instructions in place; returns what it counts


class PageContents:
    """The fixes' edits to the pages' content streams, made in one pass: a page at a time.

    Five fixes edit the same pages' content (added hyphens, untied content,
    repeated header rows, leaders, spaces at wraps). Each asks for its edits
    (``edit``); ``write`` then parses a page, makes its edits in the order they
    were asked for, and writes it, before it parses the next. Parsing each page once per fix
    took a quarter of the repair; keeping every page parsed at once took a
    gigabyte at 20 times the handbook's size (1.2 million instructions).
    ``fix_tagging`` shares one ``PageContents`` between the fixes; a fix called
    alone makes its own (``edited_contents``).
    """

    def __init__(self, pdf: pikepdf.Pdf) -> None:
        self.pdf = pdf
        self._edits: dict[tuple[int, int], list[tuple[str, PageEdit]]] = {}
        self._matrices: dict[tuple[int, int], tuple[float, ...]] = {}
        self.counts: Counter[str] = Counter()  # what each fix's edits counted
        self.written = False

    def edit(self, page: pikepdf.Page, fix: str, edit: PageEdit) -> None:
        """Have ``edit`` change the page's instructions when they are written; what it returns counts for ``fix``."""
        self._edits.setdefault(page.obj.objgen, []).append((fix, edit))

    def initial_matrix(self, page: pikepdf.Page) -> tuple[float, ...]:
        """The transformation the page's content starts with, kept from the edits' parse (no edit changes it)."""
        key = page.obj.objgen
        if key not in self._matrices:  # a page no fix edited
            self._matrices[key] = initial_matrix(pikepdf.parse_content_stream(page))
        return self._matrices[key]

    def write(self) -> None:
        """Make every edit asked for so far, page by page, and write each edited page."""
        for page in self.pdf.pages:
            edits = self._edits.pop(page.obj.objgen, None)
            if edits is None:
                continue
            instructions = list(pikepdf.parse_content_stream(page))
            self._matrices[page.obj.objgen] = initial_matrix(instructions)
            for fix, edit in edits:
                self.counts[fix] += edit(instructions)
            page.obj.Contents = self.pdf.make_stream(pikepdf.unparse_content_stream(instructions))
        self.written = True

    def count(self, fix: str) -> int | None:
        """What ``fix``'s edits counted; None until they are written (the caller of a shared one writes it)."""
        return self.counts[fix] if self.written else None


@contextlib.contextmanager
def edited_contents(pdf: pikepdf.Pdf, contents: PageContents | None) -> Iterator[PageContents]:
    """``contents`` if given (the caller writes them); else new ones, written when the block ends."""
    if contents is not None:
        yield contents
        return
    own = PageContents(pdf)
    yield own
    own.write()


# -- running headers and footers: artifacts ----------------------------------


def artifact_untied_content(pdf: pikepdf.Pdf, contents: PageContents | None = None) -> int | None:
    """Mark content whose element is outside the structure tree as a pagination artifact.

    WeasyPrint 70 tags the margin boxes (running headers, page numbers) and
    maps their MCIDs to elements it never links into the tree (WeasyPrint
    issue 1836). Returns the number of marked-content sequences converted
    (None with shared ``contents``, not yet written).
    """
    reachable = {element.objgen for element in struct_elements(pdf)}
    tree = parent_tree(pdf)
    with edited_contents(pdf, contents) as edits:
        for page in pdf.pages:
            key = page.obj.get("/StructParents")
            if key is None or int(key) not in tree:
                continue
            by_mcid = tree[int(key)]
            untied = {
                mcid for mcid, element in enumerate(by_mcid)
                if isinstance(element, Dictionary) and element.objgen not in reachable
            }
            if untied:
                _make_artifacts(edits, page, untied, Name.Pagination, COUNT_UNTIED)
    return edits.count(COUNT_UNTIED)


_BDC = pikepdf.Operator("BDC")
# What the fixes' content edits count (PageContents.counts).
COUNT_UNTIED, COUNT_REPEATED_HEADERS, COUNT_LEADERS, COUNT_SPACES, COUNT_HYPHENS = (
    "untied", "repeated headers", "leaders", "spaces", "hyphens")


def _make_artifacts(contents: PageContents, page: pikepdf.Page, mcids: set[int], kind: Name, fix: str) -> None:
    """Have the marked content ``mcids`` of ``page`` become artifacts of ``kind``, counted for ``fix``.

    Their ParentTree entries become null now: the content belongs to no element.
    """
    def convert(instructions: list) -> int:
        converted = 0
        for index, instruction in enumerate(instructions):
            # Only the BDCs change; the rest (most of a page) stay as parsed.
            if instruction.operator == _BDC and _mcid(instruction.operands) in mcids:
                instructions[index] = pikepdf.ContentStreamInstruction([Name.Artifact, Dictionary(Type=kind)], _BDC)
                converted += 1
        return converted

    contents.edit(page, fix, convert)
    by_mcid = parent_tree(contents.pdf)[int(page.obj.StructParents)]
    for mcid in mcids:
        if mcid < len(by_mcid):
            by_mcid[mcid] = None


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
    links = [e for e in struct_elements(pdf) if e[_S] == _LINK]
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
                new_kids.append(_adopt(grandkid, kid, link, tree))
        else:
            new_kids.append(kid)
    replace_kids(link, new_kids)


def _is_mcid(kid) -> bool:
    return isinstance(kid, int) or (isinstance(kid, pikepdf.Object) and kid._type_code == pikepdf.ObjectType.integer)


def _adopt(kid, old_parent: Dictionary, new_parent: Dictionary, tree: pikepdf.NumberTree):
    """Make ``new_parent`` the parent of ``kid``, which was a kid of ``old_parent``.

    Returns the kid to put in ``new_parent``'s /K: marked content on another
    page than ``new_parent``'s becomes a marked-content reference that names
    its page (ISO 32000-1, 14.7.4.2).
    """
    if is_struct_element(kid):
        kid.P = new_parent
    elif _is_mcid(kid):
        page = _repoint_mcid(int(kid), kid_page(kid, old_parent), new_parent, tree)
        if not same_object(page, new_parent.Pg):
            return Dictionary(Type=Name.MCR, Pg=page, MCID=int(kid))
    elif isinstance(kid, Dictionary) and kid.get("/Type") == Name.MCR:
        page = _repoint_mcid(int(kid.MCID), kid_page(kid, old_parent), new_parent, tree)
        kid.Pg = page
    elif _is_objr(kid) and "/StructParent" in kid.Obj:
        tree[int(kid.Obj.StructParent)] = new_parent
    return kid


def kid_page(kid, parent: Dictionary):
    """The page of an MCID or MCR kid of ``parent``."""
    page = kid.get("/Pg") if isinstance(kid, Dictionary) else None
    return page if page is not None else parent.get("/Pg")


def _repoint_mcid(mcid: int, page, new_parent: Dictionary, tree: pikepdf.NumberTree):
    if page is None or "/StructParents" not in page:
        raise TaggingError("marked content without a page: cannot move it to another element")
    by_mcid = tree[int(page.StructParents)]
    by_mcid[mcid] = new_parent
    if "/Pg" not in new_parent:
        new_parent.Pg = page
    return page


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
    for item in [e for e in struct_elements(pdf) if e[_S] == _LI]:
        item_kids = kids(item)
        body_kids = [k for k in item_kids if not (is_struct_element(k) and k.S in (Name.Lbl, Name.LBody))]
        if not body_kids:
            continue
        body = pdf.make_indirect(Dictionary(Type=Name.StructElem, S=Name.LBody, P=item, K=Array()))
        if "/Pg" in item:
            body.Pg = item.Pg
        body_kids = [_adopt(kid, item, body, tree) for kid in body_kids]
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
    """Drop Span, NonStruct and Div elements with no content, no kids and no alternative; return how many.

    An element whose kids were all dropped is empty in turn: each element's kids
    are cleared before the element is looked at, in one walk.
    """
    root = pdf.Root.get("/StructTreeRoot")
    if root is None:
        return 0
    return sum(_remove_empty_kids(kid) for kid in kids(root) if is_struct_element(kid))


def _remove_empty_kids(element: Dictionary) -> int:
    own, kept, removed = kids(element), [], 0
    for kid in own:
        if is_struct_element(kid):
            removed += _remove_empty_kids(kid)
            if (kid[_S] in EMPTY_ELEMENT_TYPES and not kids(kid)
                    and "/Alt" not in kid and "/ActualText" not in kid):
                removed += 1
                continue
        kept.append(kid)
    if len(kept) != len(own):
        replace_kids(element, kept)
    return removed


# -- elements split by pages --------------------------------------------------


def _source(element) -> str | None:
    """The HTML element and box kind an element was made from (box_sources.py)."""
    source = element.get(_SOURCE) if is_struct_element(element) else None
    return str(source) if source is not None else None


def _same_source(a, b) -> bool:
    source = _source(a)  # once: the merge asks this of every pair of kids in the tree
    return source is not None and source == _source(b) and a[_S] == b[_S]


def _continues(a, b) -> bool:
    """``b``, the kid after ``a``, is the next piece of ``a``: the same box of the same HTML element.

    Pieces are on the next page, or, for inline elements (a link, an
    abbreviation), on the next line. Two anonymous boxes of one element on one
    page are two boxes (text on either side of a nested list), not pieces.
    """
    if not _same_source(a, b) or _PG not in a or _PG not in b:
        return False
    return not same_object(a.Pg, b.Pg) or not _source(a).endswith("/anonymous")


def merge_split_elements(pdf: pikepdf.Pdf, contents: PageContents | None = None) -> int:
    """Make each element that crosses pages one element again; return the pieces merged.

    WeasyPrint 70 builds the tree page by page, so a section, table, list or
    paragraph that crosses a page becomes one element per page, and a table's
    header row is repeated as a new THead on each page (WeasyPrint issue 2903);
    likewise, an inline element (a link) that wraps is one element per line.
    As the issue's reporter did, each piece is merged into the first by moving
    its /K into the first's and pointing the kids' /P (and the ParentTree) at
    it; only pieces made from the same HTML element are merged
    (box_sources.py), so a new section that starts a page stays a new one.
    """
    if not any(_source(e) for e in struct_elements(pdf)):
        raise TaggingError("the PDF has no record of its elements' sources: render it inside box_sources.recording()")
    tree = parent_tree(pdf)
    # Parents first: the walk goes on into the kids each element has once its pieces are merged.
    with edited_contents(pdf, contents) as contents:
        return sum(_merge_kids(contents, element, tree) for element in struct_elements(pdf))


def _merge_kids(contents: PageContents, parent: Dictionary, tree: pikepdf.NumberTree) -> int:
    """Merge each kid of ``parent`` that continues the element kid before it.

    Annotation references (a link's piece on each line has its own) may stand
    between two pieces; marked content may not.
    """
    merged, result, previous = 0, [], None
    for kid in kids(parent):
        if previous is not None and _continues(previous, kid):
            merged += 1 + _absorb(contents, previous, kid, tree)
            continue
        result.append(kid)
        if is_struct_element(kid):
            previous = kid
        elif not _is_objr(kid):
            previous = None
    replace_kids(parent, result)
    return merged


def _absorb(contents: PageContents, first: Dictionary, piece: Dictionary, tree: pikepdf.NumberTree) -> int:
    """Move the kids of ``piece`` into ``first``; return the further pieces merged below."""
    existing = kids(first)
    incoming = [_adopt(kid, piece, first, tree) for kid in kids(piece)]
    if first.S == Name.Table:
        incoming = _drop_repeated_headers(contents, first, existing, incoming)
    if first.S == Name.TR:
        # A row torn by the page: each cell goes on in the same cell, side by side.
        merged = 0
        for kid in incoming:
            cell = next((c for c in existing if _same_source(c, kid)), None)
            if cell is not None:
                merged += 1 + _absorb(contents, cell, kid, tree)
            else:
                existing.append(kid)
        replace_kids(first, existing)
        return merged
    replace_kids(first, existing + incoming)
    return _merge_kids(contents, first, tree)


def unwrap_anonymous_twins(pdf: pikepdf.Pdf) -> int:
    """Give the kids of an anonymous box that WeasyPrint tagged like its element to the element.

    Inline content beside blocks (a section that starts with a link target
    ``<span id>``) goes into an anonymous block box, which WeasyPrint tags with
    its element's type: a second Sect inside the Sect, for one HTML section.
    (List items and table cells get LBody and NonStruct instead: left alone.)
    Returns the elements unwrapped.
    """
    tree = parent_tree(pdf)
    unwrapped = 0
    for element in struct_elements(pdf):
        source = _source(element)
        if source is None:
            continue
        new_kids = []
        for kid in kids(element):
            twin = _source(kid)
            if (twin is not None and twin.endswith("/anonymous") and kid.S == element.S
                    and twin.split("/")[0] == source.split("/")[0]):
                new_kids.extend(_adopt(grandkid, kid, element, tree) for grandkid in kids(kid))
                unwrapped += 1
            else:
                new_kids.append(kid)
        replace_kids(element, new_kids)
    return unwrapped


def _drop_repeated_headers(contents: PageContents, table: Dictionary, existing: list, incoming: list) -> list:
    """Turn the header rows a page repeats into artifacts; point their cells' ids at the first's."""
    kept, ids = [], {}
    for kid in incoming:
        original = next((e for e in existing if is_struct_element(kid) and kid.S == Name.THead
                         and _same_source(e, kid)), None)
        if original is None:
            kept.append(kid)
            continue
        for header in _descendants(kid):
            twin = next((h for h in _descendants(original) if _same_source(h, header)), None)
            if "/ID" in header and twin is not None and "/ID" in twin:
                ids[bytes(header.ID)] = twin.ID
        for page, mcids in _marked_content(kid):
            _make_artifacts(contents, pikepdf.Page(page), mcids, Name.Pagination, COUNT_REPEATED_HEADERS)
    for cell in (c for k in kept if is_struct_element(k) for c in _descendants(k)):
        for attributes in _attribute_dicts(cell):
            if "/Headers" in attributes:
                attributes.Headers = Array([ids.get(bytes(h), h) for h in attributes.Headers])
    return kept


def _marked_content(element: Dictionary) -> list[tuple[Dictionary, set[int]]]:
    """The MCIDs under ``element``, with their page objects."""
    found: dict = {}
    pages: dict = {}

    def visit(node: Dictionary) -> None:
        for kid in kids(node):
            if is_struct_element(kid):
                visit(kid)
            elif _is_mcid(kid) or (isinstance(kid, Dictionary) and kid.get("/Type") == Name.MCR):
                page = kid_page(kid, node)
                pages[page.objgen] = page
                found.setdefault(page.objgen, set()).add(int(kid) if _is_mcid(kid) else int(kid.MCID))

    visit(element)
    return [(pages[key], mcids) for key, mcids in found.items()]


def _attribute_dicts(element: Dictionary) -> list[Dictionary]:
    attributes = element.get("/A")
    if attributes is None:
        return []
    return [a for a in (attributes if isinstance(attributes, Array) else [attributes]) if isinstance(a, Dictionary)]


# -- figures -----------------------------------------------------------------------


def place_figure_boxes(pdf: pikepdf.Pdf, elements: list[Dictionary] | None = None,
                       contents: PageContents | None = None) -> int:
    """Put each Figure's /BBox in the page's user space; return the boxes moved.

    WeasyPrint 70 writes the layout box of an image in CSS pixels from the top
    of the page, not in PDF points from the foot (ISO 32000-1, 14.8.5.4.3),
    so a large figure's box runs off the page and checkers take the figure
    for a scan of the whole page (outloud TAG-030). The box is mapped through
    the transformation the page's content starts with, which is the one
    WeasyPrint draws everything in.
    """
    contents = contents or PageContents(pdf)  # reads the pages' content, edits none
    moved = 0
    for figure in (e for e in _elements(pdf, elements) if e[_S] == _FIGURE and _PG in e):
        layout = next((a for a in _attribute_dicts(figure) if a.get("/O") == Name.Layout and "/BBox" in a), None)
        if layout is None:
            continue
        a, b, c, d, e, f = contents.initial_matrix(pikepdf.Page(figure.Pg))
        x1, y1, x2, y2 = (float(v) for v in layout.BBox)
        xs = [a * x + c * y + e for x, y in ((x1, y1), (x2, y2))]
        ys = [b * x + d * y + f for x, y in ((x1, y1), (x2, y2))]
        layout.BBox = Array([round(min(xs), 3), round(min(ys), 3), round(max(xs), 3), round(max(ys), 3)])
        moved += 1
    return moved


def initial_matrix(instructions) -> tuple[float, ...]:
    """The product of the ``cm`` operators a page's content (its ``instructions``) starts with."""
    matrix = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)
    for operands, operator in instructions:
        if str(operator) == "cm":
            a2, b2, c2, d2, e2, f2 = matrix
            a, b, c, d, e, f = (float(v) for v in operands)
            matrix = (a * a2 + b * c2, a * b2 + b * d2, c * a2 + d * c2, c * b2 + d * d2,
                      e * a2 + f * c2 + e2, e * b2 + f * d2 + f2)
        elif str(operator) != "q":
            break
    return matrix


# -- leaders ---------------------------------------------------------------------


def artifact_leaders(pdf: pikepdf.Pdf, contents: PageContents | None = None) -> int | None:
    """Make the contents' dot leaders layout artifacts, out of their links.

    Returns the runs converted (None with shared ``contents``, not yet written).
    """
    tree = parent_tree(pdf)
    with edited_contents(pdf, contents) as edits:
        for page in pdf.pages:
            leaders = {int(m) for m in page.obj.get("/" + LEADERS_KEY, [])}
            if not leaders:
                continue
            by_mcid = tree[int(page.obj.StructParents)]
            for mcid in leaders:
                owner = by_mcid[mcid]
                if is_struct_element(owner):
                    replace_kids(owner, [k for k in kids(owner) if not (
                        (_is_mcid(k) and int(k) == mcid and same_object(kid_page(k, owner), page.obj))
                        or (isinstance(k, Dictionary) and k.get("/Type") == Name.MCR and int(k.MCID) == mcid
                            and same_object(kid_page(k, owner), page.obj)))])
            _make_artifacts(edits, page, leaders, Name.Layout, COUNT_LEADERS)
    return edits.count(COUNT_LEADERS)


# -- spaces at line wraps ------------------------------------------------------------

BFCHAR_BLOCK = re.compile(rb"beginbfchar(.*?)endbfchar", re.DOTALL)
BFCHAR = re.compile(rb"<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]*)>")


def _unicode_map(font: Dictionary) -> dict[bytes, str]:
    """A font's ToUnicode code-to-text pairs (WeasyPrint writes them all as bfchar)."""
    if "/ToUnicode" not in font:
        return {}
    pairs = {}
    for block in BFCHAR_BLOCK.findall(font.ToUnicode.read_bytes()):
        for code, text in BFCHAR.findall(block):
            pairs[bytes.fromhex(code.decode())] = bytes.fromhex(text.decode()).decode("utf-16-be")
    return pairs


def _fonts(page: pikepdf.Page) -> Dictionary:
    return page.obj.get("/Resources", Dictionary()).get("/Font", Dictionary())


def _space_codes(page: pikepdf.Page, known: dict[tuple[int, int], bytes | None]) -> dict[str, bytes]:
    """For each font of the page whose ToUnicode maps a code to U+0020, that code.

    ``known`` keeps each font's code (the pages share their fonts): pass the same dict for every page.
    """
    codes = {}
    for name, font in _fonts(page).items():
        key = font.objgen
        if key not in known or key == (0, 0):  # (0, 0): a direct object, which no other page shares
            known[key] = next((code for code, text in _unicode_map(font).items() if text == " "), None)
        if known[key] is not None:
            codes[name] = known[key]
    return codes


def space_line_wraps(pdf: pikepdf.Pdf, contents: PageContents | None = None) -> int | None:
    """Show a space glyph after each run that the HTML follows with an unshown space.

    WeasyPrint drops the collapsible space where a line wraps, and draws a
    space alone between two inline elements as an empty text object, so text
    rebuilt from the tags runs the two words together (box_sources.py finds
    these places). The space is added inside the run's own marked content,
    after its last glyph: a space draws nothing, and where a line wraps
    nothing follows it on the line, so the page looks the same, and every
    extraction tool reads a real space character. Returns the spaces added
    (None with shared ``contents``, not yet written).
    """
    space_codes = {}
    with edited_contents(pdf, contents) as edits:
        for page in pdf.pages:
            wraps = {int(m) for m in page.obj.get("/" + SPACES_KEY, [])}
            if not wraps:
                continue
            spaces = _space_codes(page, space_codes)
            if not spaces:
                raise TaggingError("no font on the page has a space glyph to mark a line wrap with")
            edits.edit(page, COUNT_SPACES, partial(_add_spaces, wraps=wraps, spaces=spaces))
    return edits.count(COUNT_SPACES)


def _add_spaces(instructions: list, wraps: set[int], spaces: dict[str, bytes]) -> int:
    """Show a space before the last ET of each marked content in ``wraps``; return spaces added."""
    out, open_marks, font, added = [], [], None, 0
    for instruction in instructions:
        operands, operator = instruction.operands, str(instruction.operator)
        if operator == "Tf":
            font = (operands[0], operands[1])
        if operator in ("BDC", "BMC"):
            open_marks.append((_mcid(operands) if operator == "BDC" else None, None))
        if operator == "ET" and open_marks:
            open_marks[-1] = (open_marks[-1][0], len(out))  # where the last ET of the sequence goes
        if operator == "EMC" and open_marks:
            mcid, et_index = open_marks.pop()
            if mcid in wraps and et_index is not None:
                out[et_index:et_index] = _space_instructions(font, spaces)
                added += 1
        out.append(instruction)
    instructions[:] = out
    return added


def _space_instructions(font, spaces: dict[str, bytes]) -> list:
    """Show one space in the current font if it has one, else in another font of the page."""
    show = pikepdf.Operator("TJ")
    if font is not None and str(font[0]) in spaces:
        return [pikepdf.ContentStreamInstruction([Array([pikepdf.String(spaces[str(font[0])])])], show)]
    name, code = sorted(spaces.items())[0]
    size = font[1] if font is not None else 1
    set_font = pikepdf.Operator("Tf")
    restore = [pikepdf.ContentStreamInstruction([font[0], font[1]], set_font)] if font is not None else []
    return [pikepdf.ContentStreamInstruction([Name(name), size], set_font),
            pikepdf.ContentStreamInstruction([Array([pikepdf.String(code)])], show), *restore]


# -- hyphens that line breaks add -------------------------------------------------------

HYPHENS = {"-", "\u2010", "\u2011", "\u00ad"}  # what a hyphenate-character glyph reads as
TEXT_SHOWING = ("Tj", "TJ")  # WeasyPrint shows text with TJ; ' and " move the line too
SHOWING_OPERATORS = frozenset({*TEXT_SHOWING, "'", '"'})


def replace_added_hyphens(pdf: pikepdf.Pdf, contents: PageContents | None = None) -> int | None:
    """Give each hyphen a line break added an empty /ActualText.

    WeasyPrint draws the hyphen of a hyphenated word (its hyphenate-character)
    as the last glyph of the line's run, inside the run's tagged content, so
    text rebuilt from the tags reads "inmi-" "gración" (box_sources.py finds
    these runs). As ISO 32000-1, 14.9.4 shows for this very case, the glyph is
    wrapped in a marked-content sequence whose /ActualText replaces it, here
    with nothing: the hyphen still prints, and readers get the whole word.
    It is a /Span, not an /Artifact: PDF/UA-1 forbids artifacts inside tagged
    content (Matterhorn 01-003). It stays inside the run's BT/ET and marked
    content, so the nesting is balanced. Returns the hyphens replaced (None
    with shared ``contents``, not yet written).
    """
    with edited_contents(pdf, contents) as edits:
        for number, page in enumerate(pdf.pages, start=1):
            hyphenated = {int(m) for m in page.obj.get("/" + HYPHENS_KEY, [])}
            if hyphenated:
                edits.edit(page, COUNT_HYPHENS,
                           partial(_split_hyphens, page=page, number=number, hyphenated=hyphenated))
    return edits.count(COUNT_HYPHENS)


def _split_hyphens(instructions: list, page: pikepdf.Page, number: int, hyphenated: set[int]) -> int:
    """Put the last glyph of each marked content in ``hyphenated`` in an empty-ActualText Span; return how many."""
    last_shown: dict[int, tuple[int, str]] = {}  # MCID -> (its last text-showing instruction, font)
    open_mcids: list[int | None] = []
    font = None
    # The instruction's attributes, not (operands, operator) unpacked: eight times faster.
    for index, instruction in enumerate(instructions):
        operator = str(instruction.operator)
        if operator == "Tf":
            font = str(instruction.operands[0])
        elif operator in ("BDC", "BMC"):
            open_mcids.append(_mcid(instruction.operands) if operator == "BDC" else None)
        elif operator == "EMC" and open_mcids:
            open_mcids.pop()
        elif operator in SHOWING_OPERATORS:
            mcid = next((m for m in reversed(open_mcids) if m is not None), None)
            if mcid in hyphenated:
                last_shown[mcid] = (index, font)
    for mcid in sorted(hyphenated, reverse=True):  # from the end: earlier indexes stay valid
        if mcid not in last_shown:
            raise TaggingError(f"page {number}: marked content {mcid} should end in an added hyphen "
                               "and shows no text")
        index, font = last_shown[mcid]
        instructions[index:index + 1] = _split_last_glyph(instructions[index], _fonts(page).get(font),
                                                          f"page {number}, marked content {mcid}")
    return len(hyphenated)


def _split_last_glyph(instruction, font: Dictionary | None, where: str) -> list:
    """The instruction without its last glyph, then that glyph alone in an empty-ActualText Span."""
    operands, operator = instruction.operands, str(instruction.operator)
    if operator not in TEXT_SHOWING or font is None:
        raise TaggingError(f"{where}: the added hyphen is not shown by Tj or TJ in a known font")
    parts = list(operands[0]) if operator == "TJ" else [operands[0]]
    last = max((i for i, part in enumerate(parts) if isinstance(part, pikepdf.String)), default=None)
    width = 2 if font.get("/Subtype") == Name.Type0 else 1  # Identity-H codes are two bytes
    shown = bytes(parts[last]) if last is not None else b""
    glyph = shown[-width:]
    if len(shown) < width or _unicode_map(font).get(glyph) not in HYPHENS:
        raise TaggingError(f"{where}: the run does not end in a hyphen glyph; WeasyPrint's output has changed")
    show = pikepdf.Operator("TJ")
    before = [*parts[:last], pikepdf.String(shown[:-width])] if shown[:-width] else parts[:last]
    # Spacing after the glyph stays after it, so the text position ends where it did.
    out = [pikepdf.ContentStreamInstruction([Array(before)], show)] if before else []
    return [*out,
            pikepdf.ContentStreamInstruction([Name.Span, Dictionary(ActualText=pikepdf.String(""))],
                                             pikepdf.Operator("BDC")),
            pikepdf.ContentStreamInstruction([Array([pikepdf.String(glyph), *parts[last + 1:]])], show),
            pikepdf.ContentStreamInstruction([], pikepdf.Operator("EMC"))]


# -- table headers ------------------------------------------------------------------


def add_id_tree(pdf: pikepdf.Pdf, elements: list[Dictionary] | None = None) -> int:
    """Give the StructTreeRoot the /IDTree that maps every element /ID to its element; return ids."""
    with_ids = [e for e in _elements(pdf, elements) if _ID in e]
    root = pdf.Root.StructTreeRoot
    if not with_ids:
        if "/IDTree" in root:
            del root.IDTree
        return 0
    id_tree = pikepdf.NameTree.new(pdf)
    for element in with_ids:
        key = str(element.ID)
        if key in id_tree:
            raise TaggingError(f"two elements have the /ID {key!r}")
        id_tree[key] = element
    root.IDTree = id_tree.obj
    return len(with_ids)


def scope_header_cells(pdf: pikepdf.Pdf, elements: list[Dictionary] | None = None) -> int:
    """Give every TH a /Scope: /Row when data cells of its own row name it, else /Column."""
    scoped = 0
    for row in (e for e in _elements(pdf, elements) if e[_S] == _TR):
        cells = [k for k in kids(row) if is_struct_element(k)]
        named_in_row = {bytes(h) for cell in cells if cell.S == Name.TD
                        for a in _attribute_dicts(cell) for h in a.get("/Headers", [])}
        for header in (c for c in cells if c.S == Name.TH):
            table_attributes = next((a for a in _attribute_dicts(header) if a.get("/O") == Name.Table), None)
            if table_attributes is None:
                table_attributes = Dictionary(O=Name.Table)
                header.A = Array([*_attribute_dicts(header), table_attributes])
            in_row = "/ID" in header and bytes(header.ID) in named_in_row
            table_attributes.Scope = Name.Row if in_row else Name.Column
            scoped += 1
    return scoped


def remove_private_keys(pdf: pikepdf.Pdf, elements: list[Dictionary] | None = None) -> None:
    """Drop what box_sources.py recorded for these fixes: readers have no use for it."""
    for element in _elements(pdf, elements):
        if _SOURCE in element:
            del element[_SOURCE]
    for page in pdf.pages:
        for key in PRIVATE_KEYS:
            if "/" + key in page.obj:
                del page.obj[Name("/" + key)]


# -- all together ----------------------------------------------------------


def fix_tagging(pdf: pikepdf.Pdf, link_titles: Mapping[str, str]) -> list[str]:
    """Apply every fix; return the internal link targets that have no title."""
    if "/StructTreeRoot" not in pdf.Root:
        raise TaggingError("the PDF has no structure tree: render it with pdf_variant='pdf/ua-1'")
    contents = PageContents(pdf)
    # First, while every run is still tagged: a running head that wraps may hyphenate too.
    replace_added_hyphens(pdf, contents)
    artifact_untied_content(pdf, contents)
    merge_split_elements(pdf, contents)
    unwrap_anonymous_twins(pdf)
    artifact_leaders(pdf, contents)
    space_line_wraps(pdf, contents)
    contents.write()
    tie_link_annotations(pdf)
    add_list_bodies(pdf)
    remove_empty_elements(pdf)
    # The tree is whole from here: the fixes below change elements, not which elements there are.
    elements = list(struct_elements(pdf))
    scope_header_cells(pdf, elements)
    add_id_tree(pdf, elements)
    place_figure_boxes(pdf, elements, contents)
    show_annotations_in_print(pdf)
    remove_private_keys(pdf, elements)
    return describe_links(pdf, link_titles)
