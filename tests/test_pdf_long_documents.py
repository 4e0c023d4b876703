"""_ext/handbook/pdf/long_documents.py: the same PDF, without work that grows with the book.

Speed is measured by `make bench`; here only that the fixes leave the output
unchanged, and that what they keep is kept no longer than it is right.
"""

from __future__ import annotations

import gc
import io
import re

import pikepdf
import pydyf
import pytest

import pdf_samples
from handbook.pdf import long_documents
from weasyprint import document as weasyprint_document
from weasyprint.css import StyleFor
from weasyprint.layout import page as weasyprint_page
from weasyprint.text import line_break


@pytest.fixture
def library_code():
    """pydyf and WeasyPrint as released, restored after the test."""
    patched = [(pydyf.PDF, "page_references", long_documents._ORIGINAL_PAGE_REFERENCES),
               (StyleFor, "set_computed_styles", long_documents._ORIGINAL_SET_COMPUTED_STYLES),
               (StyleFor, "__call__", long_documents._ORIGINAL_STYLE_FOR),
               (weasyprint_document, "layout_document", long_documents._ORIGINAL_LAYOUT_DOCUMENT),
               (weasyprint_document.Page, "paint", long_documents._ORIGINAL_PAINT),
               (line_break, "split_first_line", long_documents._ORIGINAL_SPLIT_FIRST_LINE),
               (line_break.Layout, "reactivate", long_documents._ORIGINAL_REACTIVATE),
               (weasyprint_page, "set_page_type_computed_styles",
                long_documents._ORIGINAL_SET_PAGE_TYPE_COMPUTED_STYLES)]
    before = [(owner, name, getattr(owner, name)) for owner, name, _ in patched]
    for owner, name, original in patched:
        setattr(owner, name, original)
    yield
    for owner, name, value in before:
        setattr(owner, name, value)


def long_sample(copies: int) -> str:
    """The PDF sample's body many times over (unique ids), for a book of many pages."""
    head, body = pdf_samples.SAMPLE_HTML.split("<body>")
    body, tail = body.split("</body>")
    # With a footnote per copy: its call and marker are pseudo-elements styled on request.
    body += '<p>A sentence with a note.<span style="float: footnote">The note.</span></p>'
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
    long_documents.apply()
    references = pdf.page_references
    assert references == (f"{first.number} 0 R".encode(),)
    assert pdf.page_references is references  # not built again
    second = pydyf.Dictionary({"Type": "/Page"})
    pdf.add_page(second)
    assert pdf.page_references == (f"{first.number} 0 R".encode(), f"{second.number} 0 R".encode())


def test_a_book_of_many_pages_renders_to_the_same_bytes(library_code):
    html = long_sample(30)
    released = render(html)
    long_documents.apply()
    fixed = render(html)
    with pikepdf.open(io.BytesIO(released)) as pdf:
        assert len(pdf.pages) > 20
    assert fixed == released


def computed_styles(html: str) -> tuple[StyleFor, object]:
    """WeasyPrint's styles for ``html``, and its document's root element."""
    from weasyprint import HTML
    from weasyprint.css import get_all_computed_styles
    from weasyprint.css.counters import CounterStyle
    from weasyprint.css.targets import TargetCollector

    document = HTML(string=html)
    styles = get_all_computed_styles(document, counter_style=CounterStyle(), target_collector=TargetCollector())
    return styles, document.etree_element


def test_pseudo_elements_are_styled_when_a_box_asks(library_code):
    html = '<p>Text<span class="note">a footnote</span></p><ul><li>An item</li></ul>'
    released, released_root = computed_styles(html)
    long_documents.apply()
    fixed, root = computed_styles(html)
    paragraph, item = root.find(".//p"), root.find(".//li")
    # As released, every element has its six pseudo-elements styled up front.
    assert (released_root.find(".//p"), "marker") in released.get_computed_styles()
    # Fixed, none until asked; then the same values.
    assert not any(pseudo in long_documents.LAZY_PSEUDO_ELEMENTS for _, pseudo in fixed.get_computed_styles())
    marker = fixed(item, "marker")
    assert marker["white_space"] == released(released_root.find(".//li"), "marker")["white_space"] == "pre"
    released_call = released(released_root.find(".//p"), "footnote-call")
    assert fixed(paragraph, "footnote-call")["vertical_align"] == released_call["vertical_align"]
    assert fixed(paragraph, "footnote-call")["content"] == released_call["content"]


def layout_contexts_after_render(html: str) -> tuple[object, list]:
    """A rendered document, and the layout contexts that outlive its layout (an SVG image keeps its own)."""
    from weasyprint import HTML
    from weasyprint.layout import LayoutContext

    gc.collect()
    before = {id(obj) for obj in gc.get_objects() if isinstance(obj, LayoutContext)}
    document = HTML(string=html).render(pdf_variant="pdf/ua-1")
    gc.collect()
    return document, [obj for obj in gc.get_objects() if isinstance(obj, LayoutContext) and id(obj) not in before]


def test_what_only_the_layout_uses_is_let_go_when_it_ends(library_code):
    html = long_sample(2)  # with an SVG image
    document, contexts = layout_contexts_after_render(html)
    # As released, the SVG image keeps the context, and with it every style and target.
    assert contexts and all(context.style_for is not None for context in contexts)
    del document, contexts
    long_documents.apply()
    document, contexts = layout_contexts_after_render(html)
    assert contexts, "the SVG image no longer keeps its context: the fix may go"
    assert all(context.style_for is context.target_collector is context.page_maker is None for context in contexts)
    assert document.write_pdf(pdf_variant="pdf/ua-1")  # drawing needs none of it


def test_each_page_stream_is_joined_once_drawn(library_code):
    from weasyprint import HTML

    def content_items(document, pdf) -> list[int]:
        pages = {page["Contents"] for page in (pdf.objects[int(ref.split()[0])] for ref in pdf.page_references)}
        return [len(obj.stream) for obj in pdf.objects if isinstance(obj, pydyf.Stream) and obj.reference in pages]

    items: list[list[int]] = []
    HTML(string=long_sample(2)).write_pdf(finisher=lambda document, pdf: items.append(content_items(document, pdf)))
    long_documents.apply()
    HTML(string=long_sample(2)).write_pdf(finisher=lambda document, pdf: items.append(content_items(document, pdf)))
    released, fixed = items
    assert len(released) == len(fixed) > 1
    assert min(released) > 1 and set(fixed) == {1}


SVG_WITH_TEXT = ("data:image/svg+xml,%3Csvg xmlns='http://www.w3.org/2000/svg' width='200' height='60'%3E"
                 "%3Ctext x='10' y='20' font-size='14'%3EDetention and removal%3C/text%3E"
                 "%3Ctext x='10' y='45' font-size='12' font-weight='bold'%3EInvestigations%3C/text%3E%3C/svg%3E")


def test_svg_text_is_laid_out_once_per_letter_and_font_to_the_same_bytes(library_code, monkeypatch):
    figures = "".join(f'<figure><img alt="Two labels, copy {n}." src="{SVG_WITH_TEXT}"></figure>' for n in range(12))
    html = pdf_samples.SAMPLE_HTML.replace("</body>", figures + "</body>")
    released = render(html)
    long_documents.apply()
    calls, reactivated = [], []
    original, original_reactivate = long_documents._ORIGINAL_SPLIT_FIRST_LINE, long_documents._ORIGINAL_REACTIVATE
    monkeypatch.setattr(long_documents, "_ORIGINAL_SPLIT_FIRST_LINE",
                        lambda text, style, *args: calls.append((text, style["font_size"])) or original(text, style, *args))
    monkeypatch.setattr(long_documents, "_ORIGINAL_REACTIVATE",
                        lambda layout, style: reactivated.append(layout.text) or original_reactivate(layout, style))
    fixed = render(html)
    assert fixed == released
    svg_letters = [call for call in calls if call[1] in (14, 12)]  # the HTML's text has other sizes
    # Each of the twelve figures draws the same letters of each line: laid out once.
    assert svg_letters and len(svg_letters) == len(set(svg_letters))
    # And drawn from a new Pango layout once each (the HTML's runs are reactivated as released).
    letters = {text for text, _size in svg_letters if len(text) == 1}
    assert 0 < len([text for text in reactivated if text in letters]) <= len(set(svg_letters))


def test_each_page_looks_through_its_own_page_declarations_only(library_code, monkeypatch):
    seen: list[int] = []  # how many cascaded entries each page's styles are looked up among
    released_function = long_documents._ORIGINAL_SET_PAGE_TYPE_COMPUTED_STYLES

    def counting(page_type, html, style_for):
        seen.append(len(style_for.get_cascaded_styles()))
        released_function(page_type, html, style_for)

    monkeypatch.setattr(long_documents, "_ORIGINAL_SET_PAGE_TYPE_COMPUTED_STYLES", counting)
    monkeypatch.setattr(weasyprint_page, "set_page_type_computed_styles", counting)  # as released
    released_pdf = render(long_sample(30))
    released, seen[:] = seen[:], []
    long_documents.apply()  # the fix, which calls the released function (counting)
    fixed_pdf = render(long_sample(30))
    assert fixed_pdf == released_pdf
    assert len(released) == len(seen) > 20
    assert released[-1] > 20 * released[1] > 0  # as released, each page finds every earlier page's entries
    assert set(seen) == {0}  # fixed, none: the page's own are cascaded after the count
