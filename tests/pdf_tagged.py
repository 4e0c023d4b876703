"""A PDF read through its tags, as tagged-text tools read it: each element with its text.

pdfminer gives each character on a page; ``_MarkedContent`` keeps the stack
of marked-content sequences it is drawn in (pdfplumber keeps only the last one
opened, and forgets the enclosing MCID when a nested sequence ends), so each
character has its marked-content id (MCID), whether it is an artifact, and
the /ActualText sequence that replaces it, as assistive technology reads it
(ISO 32000-1, 14.9.4): the sequence's glyphs read as its ActualText, once.
pikepdf gives the structure tree, whose elements own those MCIDs (directly,
or by marked-content references that name another page). Used by
tests/test_pdf_structure.py on the real editions and by
tests/test_pdf_tagging.py on small samples.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

import pdfplumber
import pikepdf
from pdfminer.layout import LTChar, LTContainer
from pdfminer.pdfinterp import PDFPageInterpreter
from pdfminer.utils import decode_text
from pdfplumber.page import PDFPageAggregatorWithMarkedContent
from pikepdf import Array, Dictionary, Name


@dataclass
class Element:
    type: str  # "/P", "/Table", ...
    id: str | None  # its /ID
    scopes: list[str]  # the /Scope of its table attributes
    kids: list[Element]
    text: str  # the characters of its marked content, in structure order


def _kids(obj) -> list:
    k = obj.get("/K")
    if k is None:
        return []
    return list(k) if isinstance(k, Array) else [k]


def _is_element(obj) -> bool:
    return isinstance(obj, Dictionary) and "/S" in obj and obj.get("/Type", Name.StructElem) == Name.StructElem


@dataclass
class TaggedPDF:
    root: list[Element]
    artifact_text: str  # every character drawn as an artifact
    replaced_glyphs: str  # every glyph drawn in tagged content whose reading an /ActualText replaces

    def all(self) -> list[Element]:
        out, stack = [], list(reversed(self.root))
        while stack:
            element = stack.pop()
            out.append(element)
            stack.extend(reversed(element.kids))
        return out

    def of_type(self, *types: str) -> list[Element]:
        return [e for e in self.all() if e.type in types]


@dataclass(frozen=True)
class _Sequence:
    """One open marked-content sequence (``BDC``/``BMC`` ... ``EMC``)."""
    tag: str
    mcid: int | None
    actual_text: str | None


class _MarkedContent(PDFPageAggregatorWithMarkedContent):
    """pdfplumber's aggregator, with every character's whole stack of marked content."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.stack: list[_Sequence] = []

    def begin_tag(self, tag, props=None) -> None:
        props = props if isinstance(props, dict) else {}
        actual = props.get("ActualText")
        name = tag.name if isinstance(tag.name, str) else decode_text(tag.name)
        self.stack.append(_Sequence(name, props.get("MCID"),
                                    decode_text(actual) if isinstance(actual, bytes) else actual))

    def end_tag(self) -> None:
        if self.stack:
            self.stack.pop()

    def tag_cur_item(self) -> None:
        if self.cur_item._objs:
            self.cur_item._objs[-1].marked = tuple(self.stack)


@dataclass(frozen=True)
class Char:
    drawn: str  # the glyph's own text (its ToUnicode), what is printed
    text: str  # what it reads as: that text, its ActualText, or nothing
    mcid: int | None  # the innermost MCID it is drawn in
    artifact: bool


def page_chars(plumbed: pdfplumber.PDF, index: int) -> list[Char]:
    """The glyphs of a page in drawing order, read as assistive technology reads them.

    A glyph inside a sequence with /ActualText reads as nothing, except the
    first glyph of the outermost such sequence, which reads as its ActualText.
    """
    page = plumbed.pages[index]
    device = _MarkedContent(plumbed.rsrcmgr, pageno=page.page_number, laparams=None)
    PDFPageInterpreter(plumbed.rsrcmgr, device).process_page(page.page_obj)
    out, replaced = [], set()
    for char in _chars(device.get_result()):
        marked = getattr(char, "marked", ())
        mcid = next((s.mcid for s in reversed(marked) if s.mcid is not None), None)
        artifact = any(s.tag == "Artifact" for s in marked)
        actual = next((s for s in marked if s.actual_text is not None), None)
        text = char.get_text()
        if actual is not None:  # each open sequence is its own object: its text is given once
            text = "" if id(actual) in replaced else actual.actual_text
            replaced.add(id(actual))
        out.append(Char(char.get_text(), text, mcid, artifact))
    return out


def _chars(container) -> list[LTChar]:
    found = []
    for item in container:
        if isinstance(item, LTChar):
            found.append(item)
        elif isinstance(item, LTContainer):  # a form XObject's figure
            found.extend(_chars(item))
    return found


def read_tagged(path: Path) -> TaggedPDF:
    chars: dict[tuple[int, int], list[str]] = defaultdict(list)  # (page index, MCID) -> characters
    artifacts, replaced = [], []
    with pdfplumber.open(path) as plumbed:
        for index in range(len(plumbed.pages)):
            for char in page_chars(plumbed, index):
                if char.artifact:
                    artifacts.append(char.text)
                elif char.mcid is not None:
                    chars[(index, char.mcid)].append(char.text)
                    if char.text != char.drawn:
                        replaced.append(char.drawn)
    with pikepdf.open(path) as pdf:
        pages = {page.obj.objgen: index for index, page in enumerate(pdf.pages)}

        def build(obj: Dictionary, page: int | None) -> Element:
            page = pages[obj.Pg.objgen] if "/Pg" in obj else page
            kids, text = [], []
            for kid in _kids(obj):
                if _is_element(kid):
                    element = build(kid, page)
                    kids.append(element)
                    text.append(element.text)
                elif isinstance(kid, Dictionary) and kid.get("/Type") == Name.MCR:
                    where = pages[kid.Pg.objgen] if "/Pg" in kid else page
                    text.append("".join(chars[(where, int(kid.MCID))]))
                elif isinstance(kid, int):
                    text.append("".join(chars[(page, int(kid))]))
            attributes = obj.get("/A", Array())
            attributes = attributes if isinstance(attributes, Array) else [attributes]
            scopes = [str(a.Scope) for a in attributes if isinstance(a, Dictionary) and "/Scope" in a]
            return Element(str(obj.S), str(obj.ID) if "/ID" in obj else None, scopes, kids, "".join(text))

        root = [build(kid, None) for kid in _kids(pdf.Root.StructTreeRoot) if _is_element(kid)]
        return TaggedPDF(root, "".join(artifacts), "".join(replaced))
