"""One embedded program per font in the merged PDF (merge.py), as in a PDF laid out whole.

WeasyPrint embeds a subset of each TrueType font a PDF uses: every glyph id up
to the last one its text shows, the font's own, the glyphs it does not show
left empty; then the parts of composite glyphs that lie further in the font (an
accent), numbered anew. Every piece of a merged PDF brings its own subset of the
same fonts, so the common glyphs came once per piece: at 1x, 62 KB of fonts in
a standard PDF against 14 KB laid out whole. The merge makes one program from a
font's subsets: the font's glyphs at their ids, then each part once, and each
piece's font dictionaries (their widths and ToUnicode maps, which name glyphs
by id) point at it. Every page looks as it did, pixel for pixel.
"""

from __future__ import annotations

import io
import re

import pikepdf
from fontTools.ttLib import TTFont, TTLibError


def share_font_programs(pdf: pikepdf.Pdf) -> None:
    """Give the descriptors of each font that ``pdf`` embeds more than once one program with all their glyphs."""
    fonts = {}  # each font dictionary once, though most are on many pages
    for page in pdf.pages:
        for font in _fonts(page.obj.get("/Resources")):
            fonts.setdefault(font.objgen, font)
    # By font name, each program: what its fonts show, and their descriptors (fonts may share one).
    programs: dict[str, dict[tuple[int, int], tuple[pikepdf.Stream, set[int], list]]] = {}
    for font in fonts.values():
        for descendant in font.get("/DescendantFonts", ()):
            descriptor = descendant.get("/FontDescriptor")
            shown = _shown_glyphs(font)
            if descriptor is None or "/FontFile2" not in descriptor or not shown:
                continue
            program = descriptor.FontFile2
            _, program_shows, descriptors = programs.setdefault(str(descriptor.FontName), {}).setdefault(
                program.objgen, (program, set(), []))
            program_shows.update(shown)
            descriptors.append(descriptor)
    for subsets in programs.values():
        if len(subsets) < 2:
            continue
        joined = joined_program([(program.read_bytes(), shown) for program, shown, _ in subsets.values()])
        if joined is None:
            continue  # not fonts this module can join: each piece keeps its own
        stream = pikepdf.Stream(pdf, joined)
        stream.Length1 = len(joined)
        for _, _, descriptors in subsets.values():
            for descriptor in descriptors:
                descriptor.FontFile2 = stream


def _fonts(resources):
    """The fonts of ``resources``, and of the form XObjects in them (WeasyPrint draws some text in forms)."""
    if not isinstance(resources, pikepdf.Dictionary):
        return
    yield from resources.get("/Font", {}).values()
    for xobject in resources.get("/XObject", {}).values():
        if xobject.get("/Subtype") == "/Form":
            yield from _fonts(xobject.get("/Resources"))


_CMAP_SECTION = re.compile(rb"begin(bfchar|bfrange)(.*?)end\1", re.S)
_CMAP_CODE = re.compile(rb"<([0-9A-Fa-f]+)>")


def _shown_glyphs(font: pikepdf.Dictionary) -> set[int]:
    """The glyph ids a font's text shows: its ToUnicode map's (WeasyPrint's glyph ids are its codes)."""
    to_unicode = font.get("/ToUnicode")
    if not isinstance(to_unicode, pikepdf.Stream):
        return set()
    shown: set[int] = set()
    for kind, section in _CMAP_SECTION.findall(to_unicode.read_bytes()):
        for line in section.splitlines():
            codes = [int(code, 16) for code in _CMAP_CODE.findall(line)]
            if kind == b"bfchar" and codes:
                shown.add(codes[0])
            elif kind == b"bfrange" and len(codes) >= 2:
                shown.update(range(codes[0], codes[1] + 1))
    return shown


def joined_program(subsets: list[tuple[bytes, set[int]]]) -> bytes | None:
    """One TrueType program for ``subsets`` of one font, each a program and the glyph ids its text shows.

    A subset keeps the font's glyph ids up to the last glyph its text shows;
    the parts of composite glyphs it needs beyond that (an accent) follow,
    numbered anew, so one id past a subset's last shown glyph may be another
    glyph in another subset. The joined program has each glyph at its id in
    the font, up to the furthest any subset shows, then every subset's parts,
    each once, and every composite glyph pointing at its parts there. None
    when the programs are not TrueType subsets of one font, or disagree on a
    glyph: each piece then keeps its own program.
    """
    try:
        fonts = [TTFont(io.BytesIO(program), recalcBBoxes=False, recalcTimestamp=False, lazy=False)
                 for program, _ in subsets]
    except TTLibError:
        return None
    if any("glyf" not in font or font["head"].unitsPerEm != fonts[0]["head"].unitsPerEm for font in fonts):
        return None
    joins = [_Subset(font, shown) for font, (_, shown) in zip(fonts, subsets)]
    # The subset that shows the furthest glyph id: its ids up to there are the font's,
    # and its own parts after them stay where they are.
    base = max(joins, key=lambda subset: subset.last_shown)
    try:
        parts: dict[object, str] = {}  # a part's outline and metrics -> its name in the joined program
        for subset in sorted(joins, key=lambda subset: subset is not base):
            for glyph_id in range(subset.last_shown + 1, len(subset.order)):
                key = subset.key(glyph_id)
                if key not in parts:
                    parts[key] = base.order[glyph_id] if subset is base else base.add_glyph(subset, glyph_id)
                subset.parts[glyph_id] = parts[key]
        for glyph_id in range(base.last_shown + 1):
            claims = {subset.key(glyph_id): subset for subset in joins if subset.has(glyph_id)}
            if len(claims) > 1:
                return None  # two subsets with different glyphs at one of the font's ids
            for subset in claims.values():
                if subset is not base:
                    base.put_glyph(subset, glyph_id, base.order[glyph_id])
    except _CannotJoin:
        return None
    for subset in joins:
        if subset is not base:
            subset.add_characters_to(base)
    output = io.BytesIO()
    base.font.save(output)
    return output.getvalue()


class _CannotJoin(Exception):
    """The subsets hold a glyph the join does not handle."""


class _Subset:
    """One subset of the font: its glyphs, and where its parts are in the joined program."""

    def __init__(self, font: TTFont, shown: set[int]):
        self.font = font
        self.order = list(font.getGlyphOrder())
        self.shown = shown
        self.last_shown = max(shown, default=0)
        self.parts: dict[int, str] = {}  # a part's id past last_shown -> its name in the joined program

    def has(self, glyph_id: int) -> bool:
        """Whether the subset has the font's glyph ``glyph_id`` (a subset leaves the others empty, without width)."""
        if glyph_id > self.last_shown or glyph_id >= len(self.order):
            return False
        name = self.order[glyph_id]
        return glyph_id in self.shown or not _is_empty(self.font["glyf"][name]) or self.font["hmtx"][name][0] != 0

    def key(self, glyph_id: int) -> tuple:
        """The glyph at ``glyph_id`` as any subset would have it: its outline or parts, and metrics."""
        name = self.order[glyph_id]
        glyph = self.font["glyf"][name]
        if not glyph.isComposite():
            return (glyph.compile(self.font["glyf"]), tuple(self.font["hmtx"][name]))
        components = tuple((self.reference(component.glyphName), component.flags, component.x, component.y,
                            repr(getattr(component, "transform", None))) for component in glyph.components)
        if glyph_id > self.last_shown:
            raise _CannotJoin  # a part made of parts: not in the fonts the handbook sets
        return (components, tuple(self.font["hmtx"][name]))

    def reference(self, name: str):
        """What a component points at: the font's glyph id, or a part past the last shown glyph (its key)."""
        glyph_id = self.font.getGlyphID(name)
        return glyph_id if glyph_id <= self.last_shown else self.key(glyph_id)

    def name_in_joined(self, base: _Subset, name: str) -> str:
        glyph_id = self.font.getGlyphID(name)
        return base.order[glyph_id] if glyph_id <= self.last_shown else self.parts[glyph_id]

    def add_glyph(self, subset: _Subset, glyph_id: int) -> str:
        """Add ``subset``'s glyph ``glyph_id`` after this program's glyphs; return its name."""
        name = f"joined{len(self.order)}"
        self.order.append(name)
        self.font.setGlyphOrder(self.order)
        self.font["glyf"].setGlyphOrder(self.order)
        self.put_glyph(subset, glyph_id, name)
        return name

    def put_glyph(self, subset: _Subset, glyph_id: int, name: str) -> None:
        source = subset.order[glyph_id]
        glyph = subset.font["glyf"][source]
        if glyph.isComposite():
            for component in glyph.components:
                component.glyphName = subset.name_in_joined(self, component.glyphName)
        self.font["glyf"][name] = glyph
        self.font["hmtx"][name] = subset.font["hmtx"][source]

    def add_characters_to(self, base: _Subset) -> None:
        """``base``'s character maps with this subset's characters too."""
        for table in self.font["cmap"].tables:
            base_table = base.font["cmap"].getcmap(table.platformID, table.platEncID)
            if base_table is None:
                continue
            for code, name in table.cmap.items():
                if self.font.getGlyphID(name) <= self.last_shown:
                    base_table.cmap.setdefault(code, base.order[self.font.getGlyphID(name)])


def _is_empty(glyph) -> bool:
    return glyph.numberOfContours == 0
