"""The line stage: braille text, already translated, set into lines of 40 cells.

Pure functions on braille ASCII strings (one character is one cell), unit-tested
without liblouis or Sphinx (tests/test_braille_layout.py). Indents are given as
the number of blank cells before the text: cell 3 is an indent of 2. BANA's
*Braille Formats* writes a format as first line and runover cells, so a
paragraph is 3-1 (indent 2, runover 0) and a list item 1-3 (0, 2).

Words are never split, except after a hyphen that is already in the word
(UEB lets a line end there); a longer word is an error for the author to fix.
"""

from __future__ import annotations

from collections.abc import Sequence

WIDTH = 40  # cells per line
CENTRE_MARGIN = 3  # blank cells at least on each side of a centred heading
GUIDE_DOT = '"'  # dots 5, the guide dots of a contents entry
MIN_GUIDE_DOTS = 2
COLUMN_GAP = 2  # blank cells between the columns of a braille table


class OverlongWord(ValueError):
    """A word longer than the line that holds it, with no hyphen to divide it at."""

    def __init__(self, word: str, room: int) -> None:
        super().__init__(f"the braille word {word!r} needs {len(word)} cells; a line has room for {room}")
        self.word = word
        self.room = room


def divide(word: str, room: int) -> list[str]:
    """``word`` in pieces of at most ``room`` cells, each ending in a hyphen of the word but the last."""
    pieces = []
    while len(word) > room:
        cut = word.rfind("-", 0, room) + 1  # a line may end after a hyphen, never inside a sign
        if cut <= 1:
            raise OverlongWord(word, room)
        pieces.append(word[:cut])
        word = word[cut:]
    return [*pieces, word]


def wrap(text: str, first: int = 0, runover: int = 0, width: int = WIDTH) -> list[str]:
    """Set ``text`` in lines: the first starts after ``first`` blank cells, the others after ``runover``."""
    lines: list[str] = []
    current = ""  # the words of the line being filled
    for word in text.split():
        indent = runover if lines else first
        if current and indent + len(current) + 1 + len(word) <= width:
            current += " " + word
            continue
        if current:
            lines.append(" " * indent + current)
            indent = runover
        # The pieces of a divided word go on this line and on runover lines: each fits both.
        pieces = divide(word, width - max(indent, runover)) if indent + len(word) > width else [word]
        for piece in pieces[:-1]:
            lines.append(" " * indent + piece)
            indent = runover
        current = pieces[-1]
    if current:
        lines.append(" " * (runover if lines else first) + current)
    return lines


def centre(text: str, width: int = WIDTH, margin: int = CENTRE_MARGIN) -> list[str]:
    """Centred lines, with at least ``margin`` blank cells on each side."""
    return [" " * ((width - len(line)) // 2) + line for line in wrap(text, width=width - 2 * margin)]


def fill_line(fill: str, label: str = "", width: int = WIDTH) -> str:
    """A full line of one sign, ending in ``label`` at the right margin (print page indicator, box line)."""
    return fill * (width - len(label)) + label


def right_align(text: str, label: str, width: int = WIDTH) -> str:
    """``text`` with ``label`` at the right margin (page numbers, contents page numbers)."""
    if len(text) + len(label) > width:
        raise ValueError(f"{text!r} and {label!r} do not fit one line")
    return text + " " * (width - len(text) - len(label)) + label


def contents_entry(text: str, page: str, first: int, runover: int, width: int = WIDTH) -> list[str]:
    """A contents entry: the title, guide dots, and the page number at the right margin.

    Every line of the title stops short of the page number's column, so the
    number stands alone at the right, after at least two guide dots.
    """
    room = width - len(page) - MIN_GUIDE_DOTS - 2  # the spaces before and after the guide dots
    lines = wrap(text, first, runover, width=room)
    dots = width - len(lines[-1]) - len(page) - 2
    lines[-1] = f"{lines[-1]} {GUIDE_DOT * dots} {page}"
    return lines


def columns(rows: Sequence[Sequence[str]], width: int = WIDTH) -> list[str] | None:
    """A braille table: one line per row, the columns aligned; None when it does not fit the width.

    The first row is the heading row; a line of dots 25 under it separates it
    from the body, as in BANA's column tables.
    """
    count = max(len(row) for row in rows)
    widths = [max((len(row[i]) if i < len(row) else 0) for row in rows) for i in range(count)]
    if sum(widths) + COLUMN_GAP * (count - 1) > width:
        return None
    gap = " " * COLUMN_GAP
    lines = [gap.join(cell.ljust(w) for cell, w in zip(row, widths)).rstrip() for row in rows]
    separator = gap.join("3" * w for w in widths)
    return [lines[0], separator, *lines[1:]]
