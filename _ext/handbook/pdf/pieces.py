"""The print document cut into pieces at chapters, each laid out on its own (render.py).

WeasyPrint keeps a document's whole layout until its PDF is written: about
0.4 MB a page, so the handbook at 20 times its size takes over a gigabyte per
edition (benchmarks/results.md). Laid out a few dozen pages at a time, a render
holds one piece's layout, and the pieces' PDFs are merged (merge.py).

A piece is a document of its own: the print document's head, its ``<main>``,
the sections still open where the piece starts (reopened without their ids,
which the earlier piece has), its chapters, and every open tag closed. It
starts where the whole layout would have put it, which the pieces before it say:

- its first page's number and side (``@page :nth(1)``, ``html { break-before }``);
- the running heads still in force (``string-set`` on the root): the part's, and
  the draft mark's; the chapter's is set by the chapter that opens the piece;
- the footnotes before it (``counter-reset: footnote``).

Pieces start only where print.css forces a page break that is not a left or a
right one (a chapter of a part that is not the first in front or back matter, or
a matter part), so a piece never has to start with a blank page.
"""

from __future__ import annotations

import html as html_module
import math
import re
from dataclasses import dataclass
from urllib.parse import quote

# Where a reopened section keeps the id it has in the print document: the tag repair
# (box_sources.py) takes both for one element, so a part cut in two is one section.
CONTINUES = "data-continues"
# An empty block first in a piece's first section, which sets the running heads the piece
# carries in. Not the root: a string set on a box that goes on to the next page is set again
# on every page the box is on (weasyprint/layout/__init__.py), and would outlast a new part;
# not a ::before, whose string-set WeasyPrint 70 ignores (formatting_structure/build.py).
PIECE_START = "data-piece-start"
# How much print document a piece takes. An edit lays its piece out again, which costs with the
# piece's size; each piece also costs a share of its own (its stylesheets, its fonts' subsets,
# its PDF: some 0.2 s). The size that keeps both small grows with the square root of the book
# (a book of n pieces of size s: n costs of its own, plus s laid out again after an edit):
# some 20,000 characters (7 standard pages) for the handbook, which then lays out a third as
# much after an edit as with 60,000; and at most 60,000 (some 20 pages), the layout a render
# holds at once (render_plan.py), reached at some nine times the handbook's size
# (benchmarks/results.md, eighth session). In whole thousands, so that an edit seldom moves
# where the pieces start.
PIECE_BALANCE = 2_700
PIECE_CHARACTERS_MOST = 60_000

_TAG = re.compile(r"<(/?)(section|main|body)\b([^>]*)>")
_CLASS = re.compile(r'\bclass="([^"]*)"')
_ID = re.compile(r'\bid="([^"]*)"')
_PART_TITLE = re.compile(r"<h2\b[^>]*>(.*?)</h2>", re.S)
_DRAFT_MARK = re.compile(r'<(\w+)\b[^>]*\bclass="[^"]*\bdraft-mark\b[^"]*"[^>]*>(.*?)</\1>', re.S)
_FOOTNOTE = re.compile(r'\bclass="(?:[^"]*\s)?footnote(?:\s[^"]*)?"')
_MARKUP = re.compile(r"<[^>]*>")
_SPACES = re.compile(r"\s+")


class PieceError(Exception):
    """The print document is not the shape the pieces need."""


@dataclass(frozen=True)
class _Open:
    """A section (or main) open at some place in the print document."""

    start: int  # where its opening tag starts
    tag: str  # its opening tag, as written
    classes: frozenset[str]
    element_id: str | None


@dataclass(frozen=True)
class Cut:
    """A place where a piece may start, and what is open there."""

    at: int
    open: tuple[_Open, ...]  # main, then the sections inside it, outermost first


@dataclass(frozen=True)
class Piece:
    """One piece of the body: its place in the print document, and what it carries in."""

    start: int
    end: int
    open_at_start: tuple[_Open, ...]
    open_at_end: tuple[_Open, ...]
    part_title: str | None  # the running head of the part it starts inside, if not at the part's title
    draft_mark: str | None
    footnotes_before: int


@dataclass(frozen=True)
class PrintDocument:
    """The print document, read for cutting: its head, its front matter, its body's pieces."""

    text: str
    body_start: int  # where <body ...> ends
    main_start: int  # where <main ...> starts
    main_end: int  # where </main> ends
    pieces: tuple[Piece, ...]

    def piece_html(self, piece: Piece) -> str:
        """The piece as a document of its own."""
        reopened = "".join(_reopened(section.tag) for section in piece.open_at_start[1:])
        closed = "".join("</section>" for _ in piece.open_at_end[1:])
        main_tag = piece.open_at_start[0].tag if piece.open_at_start else ""
        if piece.start == self.main_start:  # the first piece opens main itself
            main_tag = reopened = ""
        body = self.text[piece.start:piece.end]
        first_section = body.find("<section")
        if first_section >= 0 and _carries_heads(piece):  # set first thing in the piece (start_css)
            at = body.index(">", first_section) + 1
            body = f'{body[:at]}<div {PIECE_START}=""></div>{body[at:]}'
        return (f"{self.text[:self.body_start]}\n{main_tag}{reopened}{body}"
                f"{closed}</main>{self.text[self.main_end:]}")


def _carries_heads(piece: Piece) -> bool:
    return piece.part_title is not None or piece.draft_mark is not None


def _reopened(tag: str) -> str:
    """An opening tag again, its id kept as CONTINUES (an id is one place in the PDF)."""
    return _ID.sub(lambda match: f'{CONTINUES}="{match.group(1)}"', tag, count=1)


def source_names(scope: str):
    """How the tag repair names the HTML elements of one piece (box_sources.recording).

    A section reopened in a later piece is the one with its id, and main is one
    element in every piece: the repair joins each back into one structure element.
    Any other element is named in the piece alone (``scope``), so that a piece's
    names never depend on the pieces before it.
    """
    numbers: dict[object, int] = {}

    def name(element) -> str:
        same = element.get(CONTINUES) or element.get("id")
        if same:
            return "#" + quote(same, safe="")  # box_sources separates its fields with "/"
        if element.tag == "main":
            return "main"
        return f"{scope}.{numbers.setdefault(element, len(numbers))}"

    return name


def piece_characters(book_characters: int) -> int:
    """How many characters of print document a piece of a book of ``book_characters`` takes, at least."""
    return min(PIECE_CHARACTERS_MOST, math.isqrt(book_characters * PIECE_BALANCE) // 1000 * 1000)


def read(text: str, piece_size: int | None = None) -> PrintDocument:
    """Cut the print document into pieces of at least ``piece_size`` characters (piece_characters()), at chapters."""
    body = re.search(r"<body\b[^>]*>", text)
    main = text.find("<main")
    main_end = text.find("</main>")
    if body is None or main < 0 or main_end < main:
        raise PieceError("the print document has no <body> with a <main> in it")
    piece_size = piece_size or piece_characters(main_end - main)
    cuts = list(_cuts(text, main, main_end))
    starts = [main]
    for cut in cuts:
        if cut.at - starts[-1] >= piece_size:
            starts.append(cut.at)
    open_by_place = {cut.at: cut.open for cut in cuts}
    main_open = _Open(main, text[main:text.index(">", main) + 1], frozenset(), None)
    pieces = []
    ends = [*starts[1:], main_end]
    for start, end in zip(starts, ends):
        open_at_start = open_by_place.get(start, (main_open,))
        open_at_end = open_by_place.get(end, (main_open,)) if end != main_end else (main_open,)
        pieces.append(Piece(
            start=start, end=end, open_at_start=open_at_start, open_at_end=open_at_end,
            part_title=_part_title(text, open_at_start, start),
            draft_mark=_draft_mark(text[:start]),
            footnotes_before=len(_FOOTNOTE.findall(text, main, start)),
        ))
    end_of_main = text.index(">", main_end) + 1
    return PrintDocument(text, body.end(), main, end_of_main, tuple(pieces))


def _cuts(text: str, main: int, main_end: int):
    """The places a piece may start: before a chapter, or a matter part, where print.css breaks the page."""
    stack: list[_Open] = []
    children: list[int] = []  # how many sections each open element has had so far
    for match in _TAG.finditer(text, main, main_end):
        closing, name, attributes = match.groups()
        if name == "body":
            continue
        if closing:
            stack.pop()
            children.pop()
            continue
        classes = frozenset((_CLASS.search(attributes) or [None, ""])[1].split())
        element_id = (_ID.search(attributes) or [None, None])[1]
        section = _Open(match.start(), match.group(0), classes, element_id)
        parent = stack[-1] if stack else None
        if parent is not None and name == "section":
            order = children[-1]
            children[-1] += 1
            in_part = "part" in parent.classes
            chapter = in_part and not ("matter" in parent.classes and order == 0)
            matter_part = "part" in classes and "matter" in classes
            if chapter or matter_part:
                yield Cut(match.start(), tuple(stack))
        stack.append(section)
        children.append(0)


def _part_title(text: str, open_at_start: tuple[_Open, ...], start: int) -> str | None:
    """The running head of the part a piece starts inside: its title's text, "" for matter."""
    part = next((section for section in reversed(open_at_start) if "part" in section.classes), None)
    if part is None:
        return None
    if "matter" in part.classes:
        return ""  # print.css: section.matter > h2 { string-set: part "" }
    title = _PART_TITLE.search(text, part.start, start)
    if title is None:
        raise PieceError(f"the part {part.element_id!r} has no title before its first chapter")
    return _text(title.group(1))


def _draft_mark(text: str) -> str | None:
    marks = _DRAFT_MARK.findall(text)
    return _text(marks[-1][1]) if marks else None


def _text(markup: str) -> str:
    """An element's text, as ``content()`` gives it: the tags out, the spaces collapsed."""
    return _SPACES.sub(" ", html_module.unescape(_MARKUP.sub("", markup))).strip()


def _css_string(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\a ") + '"'


def start_css(piece: Piece, page_number: int, right_page: bool) -> str:
    """The stylesheet that starts ``piece`` where the whole layout would: its page, its heads, its notes."""
    strings = []  # what _carries_heads says
    if piece.part_title is not None:
        strings.append(f"part {_css_string(piece.part_title)}")
    if piece.draft_mark is not None:
        strings.append(f"draft {_css_string(piece.draft_mark)}")
    root = [f"break-before: {'right' if right_page else 'left'};"]
    if piece.footnotes_before:
        root.append(f"counter-reset: footnote {piece.footnotes_before};")
    css = [f"html {{ {' '.join(root)} }}", f"@page :nth(1) {{ counter-reset: page {page_number}; }}"]
    if strings:
        css.append(f"[{PIECE_START}] {{ string-set: {', '.join(strings)}; }}")
    return "\n".join(css)


_TOC = re.compile(r'<nav\b[^>]*\bclass="[^"]*\bprint-toc\b[^"]*"[^>]*>.*?</nav>', re.S)
_INTERNAL_LINK = re.compile(r'<a\b([^>]*)\bhref="#([^"]+)"')


def with_page_numbers(front_html: str, pages: dict[str, int]) -> str:
    """The front matter with each contents entry's page number written in (``data-page``).

    The contents' ``target-counter()`` finds nothing in a front matter laid out
    without the body; print.css shows ``data-page`` where an entry has it.
    """
    def numbered(toc: re.Match) -> str:
        def link(match: re.Match) -> str:
            page = pages.get(match.group(2))
            return match.group(0) if page is None else f'<a data-page="{page}"{match.group(1)}href="#{match.group(2)}"'
        return _INTERNAL_LINK.sub(link, toc.group(0))

    return _TOC.sub(numbered, front_html, count=1)
