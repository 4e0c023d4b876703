"""What WeasyPrint knows while it tags a PDF and does not write down, written down for tagging.py.

WeasyPrint 70 builds the structure tree page by page from the laid-out boxes
(``weasyprint.pdf.tags._build_box_tree``). At that point it knows three things
that the PDF then loses, and that the tag fixes (tagging.py) need:

- which HTML element each structure element comes from. An element that
  crosses a page is emitted once per page (WeasyPrint issue 2903); only the
  element's identity tells a continued table, list or paragraph from a new
  one of the same type that happens to start the next page;
- where a space goes unshown. Line breaking drops the collapsible space at
  the end of a wrapped line, and a space alone between two inline elements
  is drawn as an empty text object, so the PDF has no space there and text
  rebuilt from the tags runs the two words together (ISO 32000-1, 14.8.2.5,
  asks for the space);
- which text runs are ``leader()`` fill: the contents' dot leaders are drawn
  as text inside the entry's link, so readers would get rows of dots;
- which runs end in a hyphen that hyphenation added: WeasyPrint draws its
  ``hyphenate-character`` as the last glyph of the line's run, so text rebuilt
  from the tags reads a broken word ("inmi-" "gración"). A hyphen the HTML
  has (a compound such as "sub-" at a wrap) is text and is not marked.

``recording()`` wraps ``_build_box_tree`` for the duration of one
``write_pdf`` and writes these facts as private keys (``SOURCE_KEY`` on each
structure element, ``SPACES_KEY``, ``LEADERS_KEY`` and ``HYPHENS_KEY`` on each page);
``tagging.fix_tagging`` uses them and removes them. Rendering happens in one
process per edition (builder.py), so the wrapper never races another render.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager

SOURCE_KEY = "HandbookSource"  # "<element name>/<box class>/<tag>/<anonymous>" on a structure element
SPACES_KEY = "HandbookSpaces"  # MCIDs on a page whose run is followed by a space the PDF does not show
LEADERS_KEY = "HandbookLeaders"  # MCIDs on a page whose run is leader() fill
HYPHENS_KEY = "HandbookHyphens"  # MCIDs on a page whose run ends in a hyphen a line break added
PRIVATE_KEYS = (SOURCE_KEY, SPACES_KEY, LEADERS_KEY, HYPHENS_KEY)
_SPACES = re.compile(r"\s+")


@contextmanager
def recording(name: Callable[[object], str] | None = None) -> Iterator[None]:
    """Record sources, unshown spaces and leaders into every PDF WeasyPrint writes meanwhile.

    ``name`` names each HTML element; by default, its number in order of first
    appearance. Elements of two PDFs with the same name are one source: a section that
    two pieces of a render share (pieces.source_names).
    """
    from weasyprint.pdf import tags

    original = tags._build_box_tree
    recorder = _Recorder(name)

    def build_box_tree(box, parent, pdf, page_number, nums, annotations, tag_map):
        source = getattr(box, "_box", box)  # an absolute placeholder stands for its box
        recorder.mark_runs(source, pdf, page_number, tag_map)
        for element in original(box, parent, pdf, page_number, nums, annotations, tag_map):
            recorder.mark_source(element, source)
            yield element

    tags._build_box_tree = build_box_tree  # the recursion looks the name up in the module
    try:
        yield
    finally:
        tags._build_box_tree = original


class _Recorder:
    def __init__(self, name: Callable[[object], str] | None) -> None:
        import pydyf
        from weasyprint.formatting_structure import boxes

        self.pydyf, self.boxes = pydyf, boxes
        self.name = name or self.number
        self.numbers: dict[object, int] = {}  # HTML element -> its number, in order of first appearance
        self.marks: dict[tuple[str, int], set[int]] = defaultdict(set)  # (key, page number) -> MCIDs
        # A block that goes on on the next page goes on with its text: (its last run, where
        # that run was, the place reached in the HTML text) by (HTML element, box class).
        self.carried: dict[tuple[object, str], tuple[object, int, int, int]] = {}

    def number(self, element) -> str:
        return str(self.numbers.setdefault(element, len(self.numbers)))

    def mark_source(self, element, box) -> None:
        """Name the box an element comes from: its HTML element, and which of that element's boxes.

        One HTML element gives several boxes: its pseudo-elements (``a::after``
        is a Link too) and anonymous boxes (inline content beside blocks), which
        must not pass for pieces of the element itself.
        """
        # The html and body boxes pass their children's elements up: those are named already.
        if box.element is not None and SOURCE_KEY not in element:
            anonymous = "anonymous" if type(box.style).__name__ == "AnonymousStyle" else ""
            element[SOURCE_KEY] = self.pydyf.String(
                f"{self.name(box.element)}/{type(box).__name__}/{box.element_tag}/{anonymous}")

    def mark(self, pdf, key: str, page_number: int, mcid: int) -> None:
        self.marks[(key, page_number)].add(mcid)
        page = pdf.objects[int(pdf.page_references[page_number].split()[0])]
        page[key] = self.pydyf.Array(sorted(self.marks[(key, page_number)]))

    def mark_runs(self, box, pdf, page_number: int, tag_map) -> None:
        """Mark the leader runs of ``box``'s own lines, the runs followed by an unshown space,
        and the runs that end in a hyphen the line break added."""
        lines = [child for child in getattr(box, "children", ()) if isinstance(child, self.boxes.LineBox)]
        if not lines or tag_map is None or box.element is None:
            return
        runs: list[object] = []
        for line in lines:
            self._collect(line, False, runs, pdf, page_number, tag_map)
        key = (box.element, type(box).__name__)
        before, before_page, before_mcid, cursor = self.carried.get(key, (None, 0, 0, 0))
        source = _SPACES.sub(" ", "".join(box.element.itertext())).casefold()
        for run in runs:
            text = _SPACES.sub(" ", run.text).casefold()
            # The hyphen a break adds is not in the HTML: look for the text without it.
            hyphen = run.style["hyphenate_character"].casefold()
            added = bool(hyphen) and text.endswith(hyphen) and len(text) > len(hyphen)
            if added:
                text = text[:-len(hyphen)]
            found = source.find(text, cursor)
            if found < 0:  # not the HTML's text as it stands: nothing to tell
                before = None
                continue
            end = found + len(text)
            if added and source.startswith(hyphen, end):  # the HTML's own hyphen, at a wrap
                added, end = False, end + len(hyphen)
            mcid = tag_map[run]["mcid"]
            if added:
                self.mark(pdf, HYPHENS_KEY, page_number, mcid)
            if (before is not None and " " in source[cursor:found]
                    and not before.text[-1].isspace() and not run.text[0].isspace()):
                self.mark(pdf, SPACES_KEY, before_page, before_mcid)
            before, before_page, before_mcid = run, page_number, mcid
            cursor = end
        self.carried[key] = (before, before_page, before_mcid, cursor)

    def _collect(self, box, generated: bool, runs: list, pdf, page_number: int, tag_map) -> None:
        """The text runs of an inline box that come from the HTML; leader runs are marked."""
        for child in box.children:
            if isinstance(child, self.boxes.TextBox):
                # Generated text (``::after``, footnote calls) is not in the HTML; a run of
                # spaces alone draws nothing (the space it stands for is marked instead).
                if not generated and child.text.strip() and child in tag_map:
                    runs.append(child)
            elif isinstance(child, self.boxes.InlineBox):  # not inline blocks: they have lines of their own
                if child.is_leader:
                    for run in child.children:
                        if run in tag_map:
                            self.mark(pdf, LEADERS_KEY, page_number, tag_map[run]["mcid"])
                    continue
                self._collect(child, generated or "::" in (child.element_tag or ""), runs, pdf, page_number, tag_map)
