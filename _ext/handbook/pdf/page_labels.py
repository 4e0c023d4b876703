"""Page labels: the page numbers a PDF viewer shows and goes to are the printed ones.

The front matter (cover, colophon, contents) is numbered in lower-case roman
numerals and the body from 1 (the builder resets the page counter on the page
``main`` starts on). ``labels`` says what each page is numbered; the builder
writes it as the catalog's /PageLabels (ISO 32000-1, 12.4.2) and the EPUB's
page list uses the same labels (page_map.py), so "page 7" is the same page in
every edition and viewer.
"""

from __future__ import annotations

import pikepdf
from pikepdf import Array, Dictionary, Name
from roman_numerals import RomanNumeral


def labels(page_count: int, body_start: int) -> list[str]:
    """Each page's number as printed: i, ii, ... before ``body_start`` (0-based), then 1, 2, ..."""
    if not 0 <= body_start < page_count:
        raise ValueError(f"the body starts on page index {body_start} of a {page_count}-page document")
    return [RomanNumeral(index + 1).to_lowercase() for index in range(body_start)] + [
        str(index - body_start + 1) for index in range(body_start, page_count)]


def write(pdf: pikepdf.Pdf, body_start: int) -> None:
    """Write the /PageLabels that ``labels`` describes; open the PDF with its bookmarks shown."""
    ranges: list = []
    if body_start > 0:
        ranges += [0, Dictionary(S=Name.r)]
    ranges += [body_start, Dictionary(S=Name.D, St=1)]
    pdf.Root.PageLabels = Dictionary(Nums=Array(ranges))
    # The handbook tells readers to find their way with the bookmarks: show them.
    pdf.Root.PageMode = Name.UseOutlines
