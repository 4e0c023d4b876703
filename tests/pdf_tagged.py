"""A PDF read through its tags, as tagged-text tools read it: each element with its text.

pdfplumber (pdfminer) gives each character on a page with the marked-content
id (MCID) and tag it was drawn in; pikepdf gives the structure tree, whose
elements own those MCIDs (directly, or by marked-content references that name
another page). Used by tests/test_pdf_structure.py on the real editions and by
tests/test_pdf_tagging.py on small samples.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

import pdfplumber
import pikepdf
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

    def all(self) -> list[Element]:
        out, stack = [], list(reversed(self.root))
        while stack:
            element = stack.pop()
            out.append(element)
            stack.extend(reversed(element.kids))
        return out

    def of_type(self, *types: str) -> list[Element]:
        return [e for e in self.all() if e.type in types]


def read_tagged(path: Path) -> TaggedPDF:
    chars: dict[tuple[int, int], list[str]] = defaultdict(list)  # (page index, MCID) -> characters
    artifacts = []
    with pdfplumber.open(path) as plumbed:
        for index, page in enumerate(plumbed.pages):
            for char in page.chars:
                if char.get("mcid") is not None:
                    chars[(index, char["mcid"])].append(char["text"])
                elif char.get("tag") == "Artifact":
                    artifacts.append(char["text"])
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
        return TaggedPDF(root, "".join(artifacts))
