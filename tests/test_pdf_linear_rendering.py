"""_ext/handbook/pdf/linear_rendering.py: the same PDF, without work that grows with the book.

Speed is measured by `make bench`; here only that the fixes leave the output
unchanged, and that what they keep is kept no longer than it is right.
"""

from __future__ import annotations

import io
import re

import pikepdf
import pydyf
import pytest

import pdf_samples
from handbook.pdf import linear_rendering


@pytest.fixture
def library_code():
    """pydyf as released, restored after the test."""
    fixed = pydyf.PDF.page_references
    pydyf.PDF.page_references = linear_rendering._ORIGINAL_PAGE_REFERENCES
    yield
    pydyf.PDF.page_references = fixed


def long_sample(copies: int) -> str:
    """The PDF sample's body many times over (unique ids), for a book of many pages."""
    head, body = pdf_samples.SAMPLE_HTML.split("<body>")
    body, tail = body.split("</body>")
    bodies = [re.sub(r'(id|href)="#?(chapter-[a-z]+)"', lambda m: m.group(0).replace(m.group(2), f"{m.group(2)}-{n}"), body)
              for n in range(copies)]
    return head + "<body>" + "".join(bodies) + "</body>" + tail


def render(html: str) -> bytes:
    from weasyprint import HTML

    return HTML(string=html).write_pdf(pdf_variant="pdf/ua-1", pdf_identifier=b"handbook-sample!")


def test_page_references_are_kept_until_a_page_is_added(library_code):
    pdf = pydyf.PDF()
    first = pydyf.Dictionary({"Type": "/Page"})
    pdf.add_page(first)
    linear_rendering.apply()
    references = pdf.page_references
    assert references == (f"{first.number} 0 R".encode(),)
    assert pdf.page_references is references  # not built again
    second = pydyf.Dictionary({"Type": "/Page"})
    pdf.add_page(second)
    assert pdf.page_references == (f"{first.number} 0 R".encode(), f"{second.number} 0 R".encode())


def test_a_book_of_many_pages_renders_to_the_same_bytes(library_code):
    html = long_sample(30)
    released = render(html)
    linear_rendering.apply()
    fixed = render(html)
    with pikepdf.open(io.BytesIO(released)) as pdf:
        assert len(pdf.pages) > 20
    assert fixed == released
