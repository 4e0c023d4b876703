"""_ext/handbook/pdf/page_labels.py: the page numbers viewers show are the printed ones."""

from __future__ import annotations

import pikepdf
import pytest
from pikepdf import Name

from handbook.pdf import page_labels


def test_front_matter_in_roman_numerals_then_the_body_from_1():
    assert page_labels.labels(6, 3) == ["i", "ii", "iii", "1", "2", "3"]
    assert page_labels.labels(2, 0) == ["1", "2"]


def test_a_body_outside_the_document_is_an_error():
    with pytest.raises(ValueError, match="page index 4 of a 4-page"):
        page_labels.labels(4, 4)


@pytest.mark.parametrize("body_start", [0, 3])
def test_the_labels_written_are_the_labels_computed(body_start):
    pdf = pikepdf.new()
    for _ in range(6):
        pdf.add_blank_page()

    page_labels.write(pdf, body_start)

    assert [page.label for page in pdf.pages] == page_labels.labels(6, body_start)
    assert pdf.Root.PageMode == Name.UseOutlines


PRINT_DOCUMENT = """<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>T</title></head><body>
<section class="cover"><p class="cover-title">Title</p></section>
<nav class="print-toc"><h1 class="print-toc-title">Contents</h1>{entries}</nav>
<main>
<section id="start"><h1>Start</h1><p>{text}</p></section>
<section id="next"><h1>Next</h1><p>{text}</p></section>
</main></body></html>"""


def test_the_front_matter_alone_ends_where_the_body_starts():
    from weasyprint import CSS, HTML

    from handbook import THEMES
    from handbook.pdf.render import front_matter_html

    entries = "".join(f'<p><a href="#next">Entry {n}</a></p>' for n in range(120))  # contents over pages
    html = PRINT_DOCUMENT.format(entries=entries, text="Words of the body. " * 400)
    sheets = [CSS(filename=THEMES / "print" / "static" / "print.css")]

    def body_start(document) -> int:
        return next(index for index, page in enumerate(document.pages) if "start" in page.anchors)

    front = front_matter_html(html, "start")
    assert front.endswith('<section id="start"></section></main></body></html>')
    assert "Words of the body" not in front
    whole = HTML(string=html).render(stylesheets=sheets)
    alone = HTML(string=front).render(stylesheets=sheets)
    assert body_start(whole) > 1, "the contents take more than one page"
    assert body_start(alone) == body_start(whole)
    assert len(alone.pages) == body_start(whole) + 1


def test_a_print_document_without_its_body_is_an_error():
    from handbook.pdf.render import RenderError, front_matter_html

    with pytest.raises(RenderError, match="no body starting with 'start'"):
        front_matter_html("<html><body><main><section id='other'></section></main></body></html>", "start")
