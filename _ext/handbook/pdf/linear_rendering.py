"""Make WeasyPrint's work per page independent of the length of the book.

Profiles of the handbook at 20 times its size (benchmarks/results.md) show
work in WeasyPrint 70 and pydyf 0.13 that is repeated for every element over
every page, so rendering grows with the square of the book. Each fix here
computes the same values as the library's code, once instead of again and
again: the PDFs are the same bytes (tests/test_pdf_linear_rendering.py). Both
belong upstream (WeasyPrint issue 578 collects the performance work on long
documents); each names what an upstream fix would change.

- ``pydyf.PDF.page_references`` builds the tuple of every page's reference on
  each call, and WeasyPrint's PDF/UA tagging (``weasyprint/pdf/tags.py``) calls
  it for every structure element: the tuple is kept until a page is added.
"""

from __future__ import annotations

import pydyf

_ORIGINAL_PAGE_REFERENCES = pydyf.PDF.page_references


def _page_references(pdf: pydyf.PDF) -> tuple[bytes, ...]:
    """pydyf's ``PDF.page_references``, computed again only when the pages change."""
    kids = pdf.pages["Kids"]
    key = (id(kids), len(kids))
    cached = pdf.__dict__.get("_handbook_page_references")
    if cached is None or cached[0] != key:
        # Upstream, PDF.add_page would extend a list of references kept beside "Kids".
        cached = (key, _ORIGINAL_PAGE_REFERENCES.fget(pdf))
        pdf.__dict__["_handbook_page_references"] = cached
    return cached[1]


def apply() -> None:
    """Install the fixes (idempotent): call before WeasyPrint renders."""
    pydyf.PDF.page_references = property(_page_references)
