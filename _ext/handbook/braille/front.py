"""The pages a transcriber adds before the text: title page, transcriber's notes, contents.

Each function gives page items for the page stage from braille strings (the
builder translates the texts, which come through the translation catalogue).
BANA's *Braille Formats* order: the title page (p1), the transcriber's notes
page (t1, ...), then the contents (p2, ...), whose entries give braille pages.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from handbook.braille.lines import centre, contents_entry, wrap
from handbook.braille.pages import BLANK, Item, Line

CONTENTS_CELLS = {0: (0, 4), 1: (2, 4)}  # 1-5 for the book and its parts, 3-5 for chapters


@dataclass(frozen=True)
class ContentsEntry:
    level: int  # 0: the book, a part; 1: a chapter
    braille: str
    anchor: str  # the key of the Anchor item before its heading


def title_page(blocks: Iterable[str]) -> list[Item]:
    """Each block centred, a blank line between blocks."""
    items: list[Item] = []
    for block in blocks:
        if items:
            items.append(BLANK)
        items.extend(Line(line) for line in centre(block))
    return items


def heading(braille: str) -> list[Item]:
    """A centred main heading with a blank line after it."""
    return [*(Line(line, keep=True) for line in centre(braille)), BLANK]


def notes_page(title: str, paragraphs: Sequence[str]) -> list[Item]:
    """The transcriber's notes: a centred heading, then paragraphs in 3-1."""
    items = heading(title)
    for paragraph in paragraphs:
        items.extend(Line(line) for line in wrap(paragraph, 2, 0))
    return items


def contents_pages(title: str, entries: Sequence[ContentsEntry], pages: dict[str, str]) -> list[Item]:
    """The contents: each entry, guide dots and its braille page (``pages``: anchor -> braille number)."""
    items = heading(title)
    for entry in entries:
        first, runover = CONTENTS_CELLS[entry.level]
        items.extend(Line(line) for line in contents_entry(entry.braille, pages[entry.anchor], first, runover))
    return items
