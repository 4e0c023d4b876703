"""WeasyPrint on a long book: time that grows with its length, not its square, and less memory.

Profiles of the handbook at 20 times its size (benchmarks/results.md) show
work in WeasyPrint 70 and pydyf 0.13 that grows faster than the book. Each fix
here computes the same values as the library's code, only once or only when
asked: the PDFs are the same bytes (tests/test_pdf_long_documents.py). They
belong upstream (WeasyPrint issue 578 collects the work on long documents);
each says what an upstream fix would change.

- ``pydyf.PDF.page_references`` builds the tuple of every page's reference on
  each call, and WeasyPrint's PDF/UA tagging (``weasyprint/pdf/tags.py``) calls
  it for every structure element: the tuple is kept until a page is added.
- WeasyPrint's user-agent stylesheet styles six pseudo-elements of every element
  (``::marker``, ``::footnote-call``, ``::footnote-marker`` and three for notes),
  and ``StyleFor`` computes all their styles up front, though boxes ask only for
  a list item's marker or a footnote's call and marker: a third of the memory of
  a long book. Their styles are computed when a box first asks for them.
- An SVG image keeps the layout context (``weasyprint.images.SVGImage._context``,
  for the images it may load while drawn), and the context keeps what only the
  layout needs: every computed style, the target collector (every counter and
  target lookup, with its page states) and the page maker. With one SVG figure
  the whole of it stays in memory until the PDF is written, beside the PDF being
  made: a fifth of the memory of the layout. It is let go when the layout ends.
- A page's content stream is a list of small ``bytes`` and ``str`` items until
  the PDF is written, three times the memory of the content itself (pydyf
  joins them then). Each page's list is joined as soon as the page is drawn.
- SVG text is laid out letter by letter (``weasyprint.svg.text.text``), each
  letter a Pango layout of its own, every time the image is drawn: a figure
  repeated on many pages lays out the same letters again on each. Each letter is
  laid out once per font and size while the images are drawn, and the layout
  shared; a shared layout that is still active is drawn again as it is.
- Each page's ``@page`` declarations are cascaded under its page type
  (``StyleFor.add_page_declarations``), and the page type has the page's index,
  so every page adds entries that are never removed; then
  ``set_page_type_computed_styles`` looks through all the entries for the page's
  own: the work grows with the square of the pages. A page type's entries are
  removed once its styles are computed, as ``StyleFor`` clears the elements'.
"""

from __future__ import annotations

import weakref

import pydyf
from weasyprint import document as weasyprint_document
from weasyprint.css import StyleFor
from weasyprint.layout import page as weasyprint_page
from weasyprint.svg.text import Style as SvgTextStyle  # weasyprint.svg's `text` is the function
from weasyprint.text import line_break

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


# The pseudo-elements the user-agent stylesheet gives to every element.
LAZY_PSEUDO_ELEMENTS = frozenset(
    {"marker", "footnote-call", "footnote-marker", "note-call", "note-marker", "note-callback"}
)
_ORIGINAL_SET_COMPUTED_STYLES = StyleFor.set_computed_styles
_ORIGINAL_STYLE_FOR = StyleFor.__call__


def _set_computed_styles(self: StyleFor, element, parent, root=None, pseudo_type=None,
                         base_url=None, target_collector=None) -> None:
    """StyleFor.set_computed_styles, put off for the pseudo-elements every element has."""
    if pseudo_type in LAZY_PSEUDO_ELEMENTS:
        # StyleFor clears its cascaded styles after computing: keep this one's for
        # later, shared with every other element's that has the same declarations.
        cascaded = self.get_cascaded_styles().get((element, pseudo_type), {})
        same = (pseudo_type, *((name, id(values), weight) for name, (values, weight) in cascaded.items()))
        cascaded = self.__dict__.setdefault("_handbook_cascades", {}).setdefault(same, cascaded)
        self.__dict__.setdefault("_handbook_deferred", {})[element, pseudo_type] = (
            cascaded, parent, root, base_url, target_collector)
        return
    _ORIGINAL_SET_COMPUTED_STYLES(self, element, parent, root, pseudo_type, base_url, target_collector)


def _style_for(self: StyleFor, element, pseudo_type=None):
    """StyleFor.__call__, computing a put-off pseudo-element's style on the first request."""
    deferred = self.__dict__.get("_handbook_deferred")
    if deferred and (element, pseudo_type) in deferred:
        # Upstream, StyleFor.__call__ would compute a missing pseudo-element's style itself.
        cascaded, parent, root, base_url, target_collector = deferred.pop((element, pseudo_type))
        cascaded_styles = self.get_cascaded_styles()
        cascaded_styles[element, pseudo_type] = cascaded
        try:
            _ORIGINAL_SET_COMPUTED_STYLES(self, element, parent, root, pseudo_type, base_url, target_collector)
        finally:
            del cascaded_styles[element, pseudo_type]
    return _ORIGINAL_STYLE_FOR(self, element, pseudo_type)


_ORIGINAL_LAYOUT_DOCUMENT = weasyprint_document.layout_document


def _layout_document(html, root_box, context, *args, **kwargs):
    """WeasyPrint's ``layout_document``, then the layout context let go of what only the layout used.

    Drawing uses the context's ``font_config`` and ``get_image_from_uri`` (SVG images),
    never its styles, targets or page states: an error, not a different PDF, if it did.
    Upstream, ``SVGImage`` would keep only what it draws with (WeasyPrint issue 578
    collects the memory of long documents; issues 1496 and 1555 were SVG images' memory).
    """
    yield from _ORIGINAL_LAYOUT_DOCUMENT(html, root_box, context, *args, **kwargs)  # a generator
    context.style_for = context.target_collector = context.page_maker = None


_ORIGINAL_PAINT = weasyprint_document.Page.paint


def _paint(page: weasyprint_document.Page, stream, scale: float = 1) -> None:
    """``Page.paint``, with the page's content stream joined once drawn, as pydyf would join it when writing."""
    _ORIGINAL_PAINT(page, stream, scale)
    # Nothing changes a page's stream once drawn; joining [joined] gives the same bytes.
    # Upstream, pydyf's Stream would accept the joined bytes (its own _to_bytes join).
    stream.stream = [b"\n".join(pydyf._to_bytes(item) for item in stream.stream)]


_ORIGINAL_SPLIT_FIRST_LINE = line_break.split_first_line
_ORIGINAL_REACTIVATE = line_break.Layout.reactivate
# What SVG text sets on its style; the rest is CSS's initial values (weasyprint.svg.text.text).
SVG_TEXT_STYLE = ("font_family", "font_style", "font_weight", "font_size", "direction")


def _svg_font(style) -> tuple:
    return (id(style.font_config),
            *(tuple(value) if isinstance(value, list) else value for value in map(style.get, SVG_TEXT_STYLE)))


def _split_first_line(text, style, context, max_width, justification_spacing, is_line_start=True, minimum=False):
    """``split_first_line``, laid out once for each SVG letter in a font and size, then shared."""
    if not isinstance(style, SvgTextStyle) or context is None:  # text in the HTML: a layout per box
        return _ORIGINAL_SPLIT_FIRST_LINE(text, style, context, max_width, justification_spacing,
                                          is_line_start, minimum)
    key = (text, max_width, justification_spacing, is_line_start, minimum, *_svg_font(style))
    # Kept with the layout context the SVG images draw in: gone with it, once the PDF is written.
    letters = _SVG_LETTERS.setdefault(context, {})
    known = letters.get(key)
    if known is None:
        # Upstream, SVG text would keep one layout per distinct letter and font.
        known = letters[key] = _ORIGINAL_SPLIT_FIRST_LINE(text, style, context, max_width,
                                                          justification_spacing, is_line_start, minimum)
    return known


_SVG_LETTERS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _reactivate(layout: line_break.Layout, style) -> None:
    """``Layout.reactivate``, skipped for a shared SVG letter still active in the same font.

    SVG text reactivates each letter's layout right before drawing it; drawing reads
    the Pango layout and changes nothing that a new one would set differently.
    """
    font = _svg_font(style) if isinstance(style, SvgTextStyle) else None
    if font is not None and hasattr(layout, "layout") and layout.__dict__.get("_handbook_font") == font:
        layout.style = style
        return
    _ORIGINAL_REACTIVATE(layout, style)
    if font is not None:  # the HTML's layouts are left as WeasyPrint makes them
        layout._handbook_font = font


_ORIGINAL_SET_PAGE_TYPE_COMPUTED_STYLES = weasyprint_page.set_page_type_computed_styles


def _set_page_type_computed_styles(page_type, html, style_for: StyleFor) -> None:
    """``set_page_type_computed_styles``, then the page type's cascaded declarations let go.

    Only this function reads them, for the page type it computes, and it cascades
    them again first: a page laid out again (repagination) gets the same styles.
    Upstream, the function would look up its page type's entries, not every entry.
    """
    _ORIGINAL_SET_PAGE_TYPE_COMPUTED_STYLES(page_type, html, style_for)
    cascaded = style_for.get_cascaded_styles()
    for key in [key for key in cascaded if key[0] == page_type]:  # this page's few: the rest went before
        del cascaded[key]


def apply() -> None:
    """Install the fixes (idempotent): call before WeasyPrint renders."""
    pydyf.PDF.page_references = property(_page_references)
    StyleFor.set_computed_styles = _set_computed_styles
    StyleFor.__call__ = _style_for
    weasyprint_document.layout_document = _layout_document
    weasyprint_document.Page.paint = _paint
    # SVG text imports it when it runs; the HTML's layout imported its own when loaded.
    line_break.split_first_line = _split_first_line
    line_break.Layout.reactivate = _reactivate
    weasyprint_page.set_page_type_computed_styles = _set_page_type_computed_styles
