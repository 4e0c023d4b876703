"""The handbook's text as braille page items, walked from the assembled doctree.

Structure drives the layout (BANA *Braille Formats*): each block is translated
whole (its bold, code and links in one liblouis call), then set in lines by the
line stage in the format its kind asks for:

- the book's title, the parts and the chapters: centred headings on a new
  page, with a blank line after; sections at cell 5, subsections at cell 7,
  each after a blank line;
- paragraphs 3-1; list items 1-3 (nested lists two cells further in), with
  a blank line before and after a list; glossary terms at 1-3 with their
  definitions two cells further in;
- boxed text ("In brief") between box lines, its title at cell 5;
- a figure becomes a transcriber's note (7-5) with its text description,
  then its caption; a table that fits keeps its columns, a wider one is
  listed (the first column at 1-5, the others at 3-5), headings first;
- code is uncontracted, one print line at 1-3.

Where a print page of the PDF starts (the page map, _ext/handbook/common/page_map.py),
a PrintPage item goes before the block. A character the table cannot write and
a word too long for a line are reported through ``report`` with the block, so
the builder can print one line naming the file and line.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable

from docutils import nodes
from sphinx import addnodes
from sphinx.locale import get_translation

from handbook.braille.front import ContentsEntry, heading
from handbook.braille.lines import WIDTH, OverlongWord, columns, fill_line, wrap
from handbook.braille.pages import BLANK, NEW_PAGE, Anchor, Item, Line, PrintPage
from handbook.braille.translate import (
    BOLD, BRAILLE_ASCII, ITALIC, NO_CONTRACT, PLAIN, TRANSCRIBERS_NOTE, Translator,
)
from handbook.rules.content_rules import source_line

_ = get_translation("handbook")

TOP_BOX_LINE = "7"  # dots 2356
BOTTOM_BOX_LINE = "G"  # dots 1245
STYLES = ((nodes.strong, BOLD), (nodes.emphasis, ITALIC), (nodes.literal, NO_CONTRACT))
# Nodes with nothing for a reader: index entries, link targets, comments. Raw
# HTML is refused by the content rules before it could get here.
SKIPPED = (addnodes.index, nodes.target, nodes.comment, nodes.system_message, nodes.raw,
           nodes.substitution_definition, addnodes.toctree)
Report = Callable[[str, str, str], None]  # (file:line, rule, message)


def styled_text(node: nodes.Node, form: int = PLAIN) -> tuple[str, list[int]]:
    """The text of ``node`` with one liblouis typeform per character.

    Runs of white space become one space; paragraphs inside (a table cell's)
    are joined by a space. A space takes the emphasis around it, so a bold
    phrase stays one phrase for liblouis.
    """
    chars: list[str] = []
    forms: list[int] = []

    def visit(current: nodes.Node, form: int) -> None:
        if isinstance(current, nodes.Text):
            for char in str(current):
                if char.isspace():
                    if chars and chars[-1] != " ":
                        chars.append(" ")
                        forms.append(form)
                else:
                    chars.append(char)
                    forms.append(form)
            return
        if isinstance(current, SKIPPED):
            return
        if isinstance(current, nodes.paragraph) and chars and chars[-1] != " ":
            chars.append(" ")
            forms.append(PLAIN)
        for style, bit in STYLES:
            if isinstance(current, style):
                form |= bit
        for child in current.children:
            visit(child, form)

    visit(node, form)
    while chars and chars[-1] == " ":
        chars.pop()
        forms.pop()
    return "".join(chars), forms


def spell_out(text: str, forms: list[int], names: dict[str, str]) -> tuple[str, list[int]]:
    """``text`` with each character of ``names`` replaced by its name, set off by spaces."""
    chars: list[str] = []
    new_forms: list[int] = []
    for char, form in zip(text, forms):
        pieces = f" {names[char]} " if char in names else char
        for piece in pieces:
            if piece == " " and (not chars or chars[-1] == " "):
                continue
            chars.append(piece)
            new_forms.append(form)
    while chars and chars[-1] == " ":
        chars.pop()
        new_forms.pop()
    return "".join(chars), new_forms


def source_of(node: nodes.Node) -> str | None:
    while node is not None:
        if node.source:
            return node.source
        node = node.parent
    return None


class BodyWriter:
    """Walks the assembled doctree; ``items`` and ``contents`` are what it found."""

    def __init__(self, translator: Translator, block_pages: dict[str, str], report: Report,
                 transcribers_note_label: str, character_names: dict[str, str]) -> None:
        self.translator = translator
        # Print characters some braille codes have no sign for (the Spanish table has no
        # "#" or "_"), written out by name there; the transcriber's notes list them.
        self.character_names = character_names
        self.named: dict[str, str] = {}
        self.block_pages = block_pages
        self.report = report
        self.items: list[Item] = []
        self.contents: list[ContentsEntry] = []
        self.found: Counter[str] = Counter()  # what the transcriber's notes page must explain
        # UEB has transcriber's note indicators; a table without them gets the words instead.
        self.note_label = "" if translator.has_indicators(TRANSCRIBERS_NOTE) else transcribers_note_label
        self._merged_part_title: str | None = None  # a part named like its first chapter
        self._after_part_heading = -1  # len(items) right after a part's heading

    # -- translation and lines -------------------------------------------------

    def braille(self, node: nodes.Node, prefix: str = "", form: int = PLAIN, where: nodes.Node | None = None) -> str:
        """The braille of a whole block, translated in one call; ``where`` is its place in the sources."""
        text, forms = styled_text(node, form)
        text, forms = prefix + text, [form] * len(prefix) + forms
        self.found.update(name for name, bit in (("bold", BOLD), ("code", NO_CONTRACT)) if any(f & bit for f in forms))
        unknown = self.translator.undefined_characters(text)
        named = [char for char in unknown if char in self.character_names]
        if named:
            text, forms = spell_out(text, forms, {char: self.character_names[char] for char in named})
            self.named.update((char, self.character_names[char]) for char in named)
        for char in unknown:
            if char in named:
                continue
            text_node = next((t for t in node.findall(nodes.Text) if char in t), None)
            self.report(location(where or text_node or node, char), "character-unknown",
                        _("The character %(char)r (U+%(code)04X) has no braille form in the table %(table)s. "
                          "Replace it with words or with a character the table knows")
                        % {"char": char, "code": ord(char), "table": self.translator.table})
        braille = self.translator.translate(text, forms)
        strange = sorted({char for char in braille if char not in BRAILLE_ASCII})
        if strange and len(named) == len(unknown):  # an unknown character was reported already
            first_text = next(iter(node.findall(nodes.Text)), node)
            self.report(location(where or first_text), "cell-not-ascii",
                        _("liblouis wrote %(cells)r here, which braille ASCII cannot show. Replace the unusual "
                          "characters of this block with words or common punctuation") % {"cells": "".join(strange)})
        return braille

    def lines(self, node: nodes.Node, braille: str, first: int, runover: int, keep: bool = False) -> None:
        try:
            lines = wrap(braille, first, runover)
        except OverlongWord as error:
            word = self.translator.back_translate(error.word)
            found = next((t for t in node.findall(nodes.Text) if word.lower() in t.lower()), node)
            self.report(location(found, word), "word-too-long",
                        _("The word %(word)r takes %(cells)d braille cells, more than a line holds (%(room)d), "
                          "and has no hyphen to divide it at. Put a space or a hyphen in it, or write it "
                          "another way") % {"word": word, "cells": len(error.word), "room": error.room})
            return
        self.items.extend(Line(line, keep) for line in lines)

    def blank(self) -> None:
        """A blank line before or after a list, table or code, but none right after a heading."""
        last = self.items[-1] if self.items else None
        if not (isinstance(last, Line) and last.keep):
            self.items.append(BLANK)

    def mark(self, node: nodes.Node) -> None:
        """A print page change before this block, if a page of the PDF starts with it."""
        for id_ in node.get("ids", ()):
            if id_ in self.block_pages:
                self.items.append(PrintPage(self.block_pages[id_]))
                return

    # -- blocks ----------------------------------------------------------------

    def block(self, node: nodes.Node, offset: int = 0, level: int = 0) -> None:
        """One block at ``offset`` blank cells in; ``level`` is the level its sections get."""
        if isinstance(node, SKIPPED):
            return
        if isinstance(node, addnodes.start_of_file):
            self.children(node, offset, 0)  # each chapter's own title is a main heading
        elif isinstance(node, nodes.section):
            self.section(node, level)
        elif isinstance(node, (nodes.bullet_list, nodes.enumerated_list)):
            self.item_list(node, offset, nested=isinstance(node.parent, nodes.list_item))
        elif isinstance(node, nodes.definition_list):
            self.definition_list(node, offset)
        elif isinstance(node, nodes.Admonition):
            self.box(node, offset, level)
        elif isinstance(node, nodes.figure):
            self.figure(node, offset)
        elif isinstance(node, nodes.table):
            self.table(node, offset)
        elif isinstance(node, nodes.literal_block):
            self.code(node, offset)
        elif isinstance(node, nodes.TextElement):
            self.paragraph(node, offset)
        elif isinstance(node, nodes.Element):
            self.children(node, offset, level)

    def children(self, node: nodes.Node, offset: int, level: int) -> None:
        for child in node.children:
            self.block(child, offset, level)

    def paragraph(self, node: nodes.Element, offset: int) -> None:
        self.mark(node)
        self.lines(node, self.braille(node), offset + 2, offset)

    def section(self, node: nodes.section, level: int) -> None:
        title = node[0] if node.children and isinstance(node[0], nodes.title) else None
        is_part = bool({"part", "matter"} & set(node["classes"]))
        body = node.children[1:] if title is not None else node.children
        if title is not None and is_part and self._first_chapter_title(node) == title.astext():
            # A part named like its first chapter ("About this handbook"): that
            # chapter's heading stands for both, as in the print contents.
            self._merged_part_title = title.astext()
        elif title is not None and (level == 0 or is_part):
            self.main_heading(title, contents_level=0 if is_part or not self.contents else 1)
            if is_part:
                self._after_part_heading = len(self.items)
        elif title is not None:
            self.items.append(BLANK)
            self.mark(title)
            cell = 4 if level == 1 else 6  # cell 5, cell 7
            self.lines(title, self.braille(title), cell, cell, keep=True)
        for child in body:
            self.block(child, 0, 0 if is_part else level + 1)

    def main_heading(self, title: nodes.title, contents_level: int) -> None:
        if self._merged_part_title == title.astext():
            contents_level, self._merged_part_title = 0, None
        # A chapter right after its part's heading shares the part's page.
        if self.items and len(self.items) != self._after_part_heading:
            self.items.append(NEW_PAGE)
        self.mark(title)
        self.items.append(BLANK)
        anchor = f"heading-{len(self.contents)}"
        self.items.append(Anchor(anchor))
        braille = self.braille(title)
        self.items.extend(heading(braille))
        self.contents.append(ContentsEntry(contents_level, braille, anchor))

    def _first_chapter_title(self, part: nodes.section) -> str | None:
        for start in part.findall(addnodes.start_of_file):
            section = next((child for child in start.children if isinstance(child, nodes.section)), None)
            return section[0].astext() if section is not None and section.children else None
        return None

    def item_list(self, node: nodes.Element, offset: int, nested: bool) -> None:
        if not nested:
            self.blank()
        enumerated = isinstance(node, nodes.enumerated_list)
        start = node.get("start", 1)
        for index, item in enumerate(node.children):
            label = f"{node.get('prefix', '')}{start + index}{node.get('suffix', '.')} " if enumerated else ""
            self.list_item(item, offset, label)
        if not nested:
            self.items.append(BLANK)

    def list_item(self, item: nodes.Element, offset: int, label: str) -> None:
        children = list(item.children)
        if children and isinstance(children[0], nodes.paragraph):
            first = children.pop(0)
            self.mark(first)
            self.lines(first, self.braille(first, label), offset, offset + 2)
        elif label:
            self.lines(item, self.translator.translate(label), offset, offset + 2)
        for child in children:
            self.block(child, offset + 2)

    def definition_list(self, node: nodes.Element, offset: int) -> None:
        self.blank()
        for item in node.children:
            for child in item.children:
                if isinstance(child, nodes.term):
                    self.found["terms"] += 1
                    self.mark(child)
                    self.lines(child, self.braille(child), offset, offset + 2, keep=True)  # with its definition
                elif isinstance(child, nodes.definition):
                    self.children(child, offset + 2, 0)
        self.items.append(BLANK)

    def box(self, node: nodes.Element, offset: int, level: int) -> None:
        self.found["box"] += 1
        self.items.append(Line(fill_line(TOP_BOX_LINE), keep=True))
        for child in node.children:
            if isinstance(child, nodes.title):
                self.mark(child)
                self.lines(child, self.braille(child), 4, 4, keep=True)
            else:
                self.block(child, offset, level)
        self.items.append(Line(fill_line(BOTTOM_BOX_LINE)))

    def figure(self, node: nodes.figure, offset: int) -> None:
        self.found["figure"] += 1
        self.mark(node)
        description = " ".join(image.get("alt", "") for image in node.findall(nodes.image)).strip()
        if not description:
            self.report(location(node), "figure-without-text",
                        _("The figure has no text description to put in braille. Give its image alt text"))
            return
        note = nodes.paragraph(text=f"{self.note_label} {description}".strip())
        self.items.append(BLANK)
        self.lines(node, self.braille(note, form=TRANSCRIBERS_NOTE, where=node), offset + 6, offset + 4)  # 7-5
        self.items.append(BLANK)
        for child in node.children:
            if isinstance(child, (nodes.caption, nodes.legend)):
                self.block(child, offset)

    def table(self, node: nodes.table, offset: int) -> None:
        self.mark(node)
        rows = list(node.findall(nodes.row))
        cells = [[self.braille(entry) for entry in row.children] for row in rows]
        fitted = columns(cells, WIDTH - offset) if cells else None
        self.blank()
        if fitted is not None:
            self.found["table-columns"] += 1
            heading_row, separator, *body_lines = fitted
            self.items += [Line(" " * offset + heading_row), Line(" " * offset + separator)]
            for row, line in zip(rows[1:], body_lines):
                self.mark_row(row)
                self.items.append(Line(" " * offset + line))
        else:
            self.found["table-listed"] += 1
            for row, row_cells in zip(rows, cells):
                self.mark_row(row)
                for index, cell in enumerate(row_cells):
                    self.lines(row, cell, offset + (0 if index == 0 else 2), offset + 4)
        self.items.append(BLANK)

    def mark_row(self, row: nodes.row) -> None:
        for paragraph in row.findall(nodes.paragraph):
            self.mark(paragraph)

    def code(self, node: nodes.literal_block, offset: int) -> None:
        self.found["code"] += 1
        self.blank()
        for line in node.astext().splitlines():
            if line.strip():
                braille = self.braille(nodes.paragraph(text=line), form=NO_CONTRACT, where=node)
                self.lines(node, braille, offset, offset + 2)
        self.items.append(BLANK)


def location(node: nodes.Node, needle: str | None = None) -> str:
    """``file:line`` of a node (of the first ``needle`` in a text node), for a one-line error."""
    offset = str(node).lower().find(needle.lower()) if needle and isinstance(node, nodes.Text) else 0
    return f"{source_of(node) or ''}:{source_line(node, max(offset, 0)) or 1}"
