"""The pieces' PDFs made one tagged PDF, as WeasyPrint would have written the whole (pieces.py).

Each piece is a PDF of WeasyPrint's own, with its pages, its structure tree under
a Document element, its parent tree (page ``n`` is key ``n``, its annotations
after the pages), its named destinations and its outline. The merged PDF has:

- the pages, in order (the front matter's first ``front_pages`` only: the rest
  of its layout is the page the body starts on, which the first piece has);
- one Document element with every piece's elements in order: the tag repair
  (tagging.py) then joins a section that two pieces share, as it joins one that
  crosses a page, by its source (box_sources.py);
- one parent tree, numbered as WeasyPrint numbers it;
- element ids (a table's header cells) prefixed with the piece's number, so
  that two pieces' ids never meet;
- one name tree of destinations: links between pieces name their target, so
  they resolve once the names are together;
- the outline made from every page's bookmarks in turn, as WeasyPrint makes it
  (``weasyprint.anchors.make_page_bookmark_tree``);
- one program for each font that pieces embed in subsets of their own (font_programs.py);
- the front matter's catalogue otherwise: its metadata, language, viewer settings.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import pikepdf
from pikepdf import Array, Dictionary, Name, String

from handbook.pdf import font_programs


class MergeError(Exception):
    """The pieces cannot be merged as they are."""


def merge(front: Path, front_pages: int, pieces: list[Path], bookmark_pages: list, target: Path) -> None:
    """Write ``front``'s first ``front_pages`` pages and then every piece's, merged, to ``target``.

    ``bookmark_pages`` are the merged PDF's pages as WeasyPrint laid them out (each
    with ``bookmarks`` and ``height``), for the outline. Each piece is closed once
    copied (the copy holds its pages' streams), so the merge holds one piece at a
    time beside the merged PDF: kept open to the end, the pieces took 220 MB more at
    20 times the handbook's size. Saved, not repaired here: the tag repair reads the saved file as it needs
    it, where the merged PDF in memory holds every piece's objects (270 MB more).
    """
    with pikepdf.open(front) as pdf:
        _drop_pages_after(pdf, front_pages)
        document = _document(pdf.Root.StructTreeRoot)
        page_entries: list = []
        annotations: list = []  # (annotation, its parent tree entry), in page order
        _take_entries(pdf, pdf, 0, page_entries, annotations)
        names = _dest_pairs(pdf)
        for number, path in enumerate(pieces, start=1):
            with pikepdf.open(path) as piece:
                first = len(pdf.pages)
                with warnings.catch_warnings():
                    # pikepdf warns that named destinations stay behind: they are merged below
                    # (add_pages_from would rename the pieces' shared names, and drop a link's
                    # target that is in another piece).
                    warnings.simplefilter("ignore", pikepdf.exceptions.PageCopyWarning)
                    pdf.pages.extend(piece.pages)
                for kid in pdf.copy_foreign(_document(piece.Root.StructTreeRoot)).K:
                    kid.P = document
                    _scope_ids(kid, f"{number}-".encode())
                    document.K.append(kid)
                _take_entries(pdf, piece, first, page_entries, annotations)
                names += [(name, _copy(pdf, value)) for name, value in _dest_pairs(piece)]
        _write_parent_tree(pdf, page_entries, annotations)
        _check_link_targets(pdf, {bytes(name) for name, _ in names})
        _write_dests(pdf, names)
        _write_outline(pdf, bookmark_pages)
        font_programs.share_font_programs(pdf)
        pdf.save(target, deterministic_id=True)  # qpdf would make the /ID from the clock


def _document(root) -> Dictionary:
    kids = root.K
    return kids if isinstance(kids, Dictionary) else kids[0]


def _scope_ids(element: Dictionary, prefix: bytes) -> None:
    """Prefix the /IDs of ``element``'s subtree, and the /Headers that name them, with ``prefix``.

    WeasyPrint makes a header cell's /ID from its table's object number, which
    is unique in one PDF only: the pieces' tables would share ids.
    """
    if "/ID" in element:
        element.ID = String(prefix + bytes(element.ID))
    attributes = element.get("/A")
    for attribute in (attributes if isinstance(attributes, Array) else [attributes] if attributes is not None else []):
        if isinstance(attribute, Dictionary) and "/Headers" in attribute:
            attribute.Headers = Array([String(prefix + bytes(header)) for header in attribute.Headers])
    kids = element.get("/K")
    for kid in (kids if isinstance(kids, Array) else [kids]):
        if isinstance(kid, Dictionary) and "/S" in kid:
            _scope_ids(kid, prefix)


def _copy(pdf, value):
    """``value`` of another PDF, in ``pdf`` (copy_foreign takes indirect objects only: a direct
    array is copied item by item); a value of ``pdf`` itself as it is."""
    if isinstance(value, Array) and not value.is_indirect:
        return Array([_copy(pdf, item) for item in value])
    if getattr(value, "is_indirect", False) and value.is_owned_by(pdf) is False:
        return pdf.copy_foreign(value)
    return value


def _take_entries(pdf, source, first: int, page_entries: list, annotations: list) -> None:
    """The parent tree entries of ``source``'s pages (now ``pdf``'s from ``first`` on) and their annotations."""
    nums = list(source.Root.StructTreeRoot.ParentTree.Nums)
    entries = {int(key): value for key, value in zip(nums[0::2], nums[1::2])}
    for offset, page in enumerate(source.pages):
        page_entries.append(_copy(pdf, entries[int(page.obj.StructParents)]))
        for annotation in pdf.pages[first + offset].obj.get("/Annots", []):
            if "/StructParent" in annotation:
                annotations.append((annotation, _copy(pdf, entries[int(annotation.StructParent)])))


def _write_parent_tree(pdf, page_entries: list, annotations: list) -> None:
    """One parent tree, numbered as WeasyPrint numbers it: page ``n`` is key ``n``, then the annotations."""
    nums = []
    for index, (page, entry) in enumerate(zip(pdf.pages, page_entries, strict=True)):
        page.obj.StructParents = index
        nums += [index, entry]
    for key, (annotation, entry) in enumerate(annotations, start=len(pdf.pages)):
        annotation.StructParent = key
        nums += [key, entry]
    root = pdf.Root.StructTreeRoot
    root.ParentTree.Nums = Array(nums)
    root.ParentTreeNextKey = len(pdf.pages) + len(annotations)


def _drop_pages_after(pdf, count: int) -> None:
    """Remove the pages from ``count`` on, and their structure elements: the page the body
    starts on, which the front matter's layout has only for its page number."""
    dropped = pdf.pages[count:]
    if any("/Annots" in page.obj for page in dropped):
        raise MergeError("the front matter's layout has links after the page the body starts on")
    gone = {page.obj.objgen for page in dropped}
    _remove_elements_on(_document(pdf.Root.StructTreeRoot), gone)
    del pdf.pages[count:]
    if "/Names" in pdf.Root and "/Dests" in pdf.Root.Names:
        pdf.Root.Names.Dests.Names = Array([item for name, value in _dest_pairs(pdf)
                                            if value[0].objgen not in gone for item in (name, value)])


def _remove_elements_on(element, pages: set) -> None:
    """Remove the structure elements that sit on ``pages``: the page number's Span (which the tag
    repair would make an artifact), and elements with no content."""
    kids = element.get("/K")
    if not isinstance(kids, Array):
        return
    kept = [kid for kid in kids
            if not (isinstance(kid, Dictionary) and "/Pg" in kid and kid.Pg.objgen in pages)]
    for kid in kept:
        if isinstance(kid, Dictionary):
            _remove_elements_on(kid, pages)
    if len(kept) != len(kids):
        element.K = Array(kept)


def _dest_pairs(pdf) -> list[tuple]:
    if "/Names" not in pdf.Root or "/Dests" not in pdf.Root.Names:
        return []
    names = list(pdf.Root.Names.Dests.Names)
    return list(zip(names[0::2], names[1::2]))


def _check_link_targets(pdf, names: set[bytes]) -> None:
    """Fail on a link to an id that no piece has (what WeasyPrint reports for a whole document)."""
    missing = sorted({bytes(annotation.Dest).decode("utf-8", "replace")
                      for page in pdf.pages for annotation in page.obj.get("/Annots", [])
                      if isinstance(annotation.get("/Dest"), String) and bytes(annotation.Dest) not in names})
    if missing:
        raise MergeError("links to ids that nothing in the handbook has: " + ", ".join(f"#{name}" for name in missing))


def _write_dests(pdf, names: list) -> None:
    """One name tree of destinations, sorted as the name tree needs (WeasyPrint writes one array)."""
    if not names:
        return
    ordered = sorted(names, key=lambda pair: bytes(pair[0]))
    if "/Names" not in pdf.Root:
        pdf.Root.Names = Dictionary()
    pdf.Root.Names.Dests = pdf.make_indirect(Dictionary(
        Names=Array([item for name, value in ordered for item in (name, value)])))


def _write_outline(pdf, bookmark_pages: list) -> None:
    """The outline from every page's bookmarks, as WeasyPrint's make_bookmark_tree and add_outlines make it."""
    from weasyprint.anchors import make_page_bookmark_tree
    from weasyprint.matrix import Matrix

    tree: list = []
    skipped: list[int] = []
    last_by_depth = [tree]
    previous = 0
    for number, page in enumerate(bookmark_pages):
        previous = make_page_bookmark_tree(page, skipped, last_by_depth, previous, number,
                                           Matrix(a=1, d=-1, f=page.height))
    if "/Outlines" in pdf.Root:
        del pdf.Root.Outlines
    if tree:
        outlines = pdf.make_indirect(Dictionary(Type=Name.Outlines))
        items, count = _outline_items(pdf, tree, outlines)
        outlines.First, outlines.Last, outlines.Count = items[0], items[-1], count
        pdf.Root.Outlines = outlines


def _outline_items(pdf, subtrees: list, parent) -> tuple[list, int]:
    items, count = [], len(subtrees)
    for title, (page, x, y), children, state in subtrees:
        item = pdf.make_indirect(Dictionary(
            Title=String(title), Dest=Array([pdf.pages[page].obj, Name.XYZ, x, y, 0]), Parent=parent))
        kids, kids_count = _outline_items(pdf, children, item)
        item.Count = -kids_count if state == "closed" else kids_count
        if state != "closed":
            count += kids_count
        if kids:
            item.First, item.Last = kids[0], kids[-1]
        if items:
            item.Prev, items[-1].Next = items[-1], item
        items.append(item)
    return items, count
