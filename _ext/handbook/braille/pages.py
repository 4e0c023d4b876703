"""The page stage: lines into braille pages of 25 lines, with page numbers.

A pure function on a stream of items (lines, blank lines, page breaks, print
page changes, anchors), unit-tested without liblouis or Sphinx
(tests/test_braille_layout.py). It follows BANA's *Braille Formats*:

- the braille page number is at the right end of the last line, with at
  least three blank cells before it; text may share that line when it fits;
- the print page number is at the right end of the first line, the same way;
  a print page that goes on over more braille pages gets a continuation
  letter on each of them (a12, b12, ...);
- where a new print page starts inside a braille page, a line of dots 36
  ends with the new print page number at the right margin (the print page
  indicator); it stands in for a blank line next to it;
- a blank line never starts a page, and two blank lines are one;
- a line marked ``keep`` stays on one page with the line after it (a heading
  is never the last thing on a page).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from string import ascii_lowercase

from handbook.braille.lines import WIDTH, fill_line, right_align

LINES = 25  # lines per page
NUMBER_GAP = 3  # blank cells at least between text and a page number on the same line
PRINT_PAGE_FILL = "-"  # dots 36


@dataclass(frozen=True)
class Line:
    text: str
    keep: bool = False  # keep on one page with the next line


@dataclass(frozen=True)
class Blank:
    pass


@dataclass(frozen=True)
class NewPage:
    pass


@dataclass(frozen=True)
class PrintPage:
    number: str  # the print page that starts here, as printed ("12")


@dataclass(frozen=True)
class Anchor:
    key: str  # the braille page it lands on is returned by paginate()


Item = Line | Blank | NewPage | PrintPage | Anchor
BLANK, NEW_PAGE = Blank(), NewPage()


@dataclass(frozen=True)
class Page:
    number: str  # the braille page number as readers refer to it: "p1", "t2", "17"
    lines: tuple[str, ...]  # exactly LINES lines, without trailing blanks


def continuation_label(print_page: str, times_shown: int) -> str:
    """The print page number for its ``times_shown``+1-th braille page: 12, then a12, b12, ..."""
    if times_shown == 0:
        return print_page
    letters, index = "", times_shown - 1
    while True:  # after z: aa, ab, ... (a print page longer than 27 braille pages)
        letters = ascii_lowercase[index % 26] + letters
        index = index // 26 - 1
        if index < 0:
            return letters + print_page


def shares_line(text: str, label: str) -> bool:
    """Whether ``text`` and a page number ``label`` fit one line, three blank cells apart."""
    return len(text) + NUMBER_GAP + len(label) <= WIDTH


class _Pager:
    """The page being filled, and what the pages before it showed."""

    def __init__(self, prefix: str, start: int, braille_number: Callable[[str], str]):
        self.prefix, self.start, self.braille_number = prefix, start, braille_number
        self.pages: list[Page] = []
        self.anchors: dict[str, str] = {}
        self.pending_anchors: list[str] = []
        self.shown: dict[str, int] = {}  # braille pages each print page has been on so far
        self.print_page: str | None = None  # the print page of the text placed last, if any
        self.body: list[str] = []  # lines 1 to 25, without the page numbers
        self.prints: list[str] = []  # print pages on this braille page
        self.label = ""  # the print page number for line 1, in braille
        self.label_alone = False  # line 1 holds only the print page number
        self.after_indicator = False  # the last line is a print page indicator

    def number(self) -> str:
        return f"{self.prefix}{self.start + len(self.pages)}"

    def free(self) -> int:
        """Lines left before the last line, which may be too short to share with the page number."""
        return LINES - 1 - len(self.body)

    def fits_here(self, text: str) -> bool:
        position = len(self.body) + 1
        if position < LINES:
            return True
        return position == LINES and shares_line(text, self.braille_number(self.number()))

    def place(self, text: str) -> None:
        if not self.body and self.print_page is not None:
            # The first text of a page: line 1 names its print page, with a
            # continuation letter when that print page began on an earlier braille page.
            self.prints.append(self.print_page)
            self.label = self.braille_number(continuation_label(self.print_page, self.shown.get(self.print_page, 0)))
            if not shares_line(text, self.label):
                self.body.append(right_align("", self.label))
                self.label_alone = True
        if not self.fits_here(text):
            self.close()
            self.place(text)
            return
        for key in self.pending_anchors:
            self.anchors[key] = self.number()
        self.pending_anchors.clear()
        self.body.append(text)
        self.after_indicator = False

    def indicator(self, print_page: str) -> None:
        """A new print page inside this braille page: the indicator line, instead of a blank line."""
        if not self.body[-1].strip():
            self.body.pop()
        self.prints.append(print_page)
        self.body.append(fill_line(PRINT_PAGE_FILL, self.braille_number(print_page)))
        self.after_indicator = True

    def close(self) -> None:
        if not self.body:
            return
        lines = [*self.body, *[""] * (LINES - len(self.body))]
        if self.label and not self.label_alone:
            lines[0] = right_align(lines[0], self.label)
        lines[-1] = right_align(lines[-1], self.braille_number(self.number()))
        self.pages.append(Page(self.number(), tuple(lines)))
        for printed in dict.fromkeys(self.prints):
            self.shown[printed] = self.shown.get(printed, 0) + 1
        self.body, self.prints, self.label = [], [], ""
        self.label_alone = self.after_indicator = False


def _kept_lines(items: Sequence[Item], index: int) -> int:
    """The lines that must share a page with the line at ``index``: it, the lines it keeps, one more."""
    count = 0
    for item in items[index:]:
        if isinstance(item, NewPage):
            break
        if isinstance(item, (Line, Blank)):
            count += 1
            if isinstance(item, Line) and not item.keep:
                break
    return count


def paginate(
    items: Iterable[Item],
    prefix: str = "",
    start: int = 1,
    braille_number: Callable[[str], str] = str,
) -> tuple[list[Page], dict[str, str]]:
    """Lay ``items`` out on pages numbered ``prefix`` + ``start``, ``start`` + 1, ...

    ``braille_number`` writes a page number ("p1", "a12") in braille. Pages show
    print page numbers from the first PrintPage item on. Returns the pages and,
    for each anchor, the number of the page it is on.
    """
    items = list(items)
    pager = _Pager(prefix, start, braille_number)
    blank = False  # a blank line is due before the next line, unless a page starts there
    for index, item in enumerate(items):
        if isinstance(item, Anchor):
            pager.pending_anchors.append(item.key)
        elif isinstance(item, NewPage):
            pager.close()
            blank = False
        elif isinstance(item, Blank):
            blank = bool(pager.body) and not pager.after_indicator
        elif isinstance(item, PrintPage):
            pager.print_page = item.number
            if pager.body and pager.free() >= 2:
                pager.indicator(item.number)
            else:
                pager.close()  # the new print page starts the next braille page: its number says so
            blank = False
        else:
            if len(item.text) > WIDTH:
                raise ValueError(f"a line of {len(item.text)} cells reached the page stage: {item.text!r}")
            if item.keep:
                needed = _kept_lines(items, index) + blank
                if pager.body and needed > pager.free() and needed < LINES - 1:
                    pager.close()
                    blank = False
            if blank and pager.free() >= 1:
                pager.body.append("")
            elif blank:
                pager.close()  # no blank line on the last line: the next page starts instead
            blank = False
            pager.place(item.text)  # on the last line only if it fits beside the page number
    pager.close()
    if pager.pending_anchors:
        raise ValueError(f"anchors after the last line: {', '.join(pager.pending_anchors)}")
    return pager.pages, pager.anchors


def brf(pages: Sequence[Page]) -> str:
    """The pages as a BRF file: lines end in a newline, and a form feed comes between pages."""
    return "\f".join("".join(f"{line}\n" for line in page.lines) for page in pages)
