"""One embedded program per font in the merged PDF (merge.py), as in a PDF laid out whole.

WeasyPrint embeds a subset of each TrueType font a PDF uses: the glyphs its text
shows, each at its glyph id in the font (HarfBuzz's retain-gids), the others left
empty. Every piece of a merged PDF brings its own subset of the same fonts, so
the common glyphs came once per piece: at 1x, 62 KB of fonts in a standard PDF
against 14 KB laid out whole. Since every subset keeps the font's glyph ids, one
program with the glyphs of all of them shows every piece's text as before: each
piece keeps its font dictionaries (its widths and ToUnicode map), and their
descriptors share the one program.
"""

from __future__ import annotations

import io

import pikepdf
from fontTools.ttLib import TTFont, TTLibError


def share_font_programs(pdf: pikepdf.Pdf) -> None:
    """Give the descriptors of each font that ``pdf`` embeds more than once one program with all their glyphs."""
    by_font: dict[str, list[pikepdf.Dictionary]] = {}
    seen: set[tuple[int, int]] = set()
    for page in pdf.pages:
        for font in _fonts(page.obj.get("/Resources")):
            for descendant in font.get("/DescendantFonts", ()):
                descriptor = descendant.get("/FontDescriptor")
                if descriptor is None or "/FontFile2" not in descriptor or descriptor.objgen in seen:
                    continue
                seen.add(descriptor.objgen)
                by_font.setdefault(str(descriptor.FontName), []).append(descriptor)
    for descriptors in by_font.values():
        programs = {descriptor.FontFile2.objgen: descriptor.FontFile2 for descriptor in descriptors}
        if len(programs) < 2:
            continue
        joined = joined_program([program.read_bytes() for program in programs.values()])
        if joined is None:
            continue  # not fonts this module can join: each piece keeps its own
        stream = pikepdf.Stream(pdf, joined)
        stream.Length1 = len(joined)
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


def joined_program(programs: list[bytes]) -> bytes | None:
    """One TrueType program with every glyph that any of ``programs`` has, at its glyph id.

    ``programs`` are subsets of one font that keep its glyph ids (an empty glyph
    is one the subset left out). None when they are not: other outlines than
    TrueType's, or not the same font.
    """
    try:
        fonts = [TTFont(io.BytesIO(program), recalcBBoxes=False, recalcTimestamp=False, lazy=False) for program in programs]
    except TTLibError:
        return None
    if any("glyf" not in font or font["head"].unitsPerEm != fonts[0]["head"].unitsPerEm for font in fonts):
        return None
    # The subset that goes furthest into the font's glyph ids holds every other's.
    base = max(fonts, key=lambda font: font["maxp"].numGlyphs)
    base_order = base.getGlyphOrder()
    for font in fonts:
        if font is base:
            continue
        order = font.getGlyphOrder()
        for glyph_id, name in enumerate(order):
            glyph, advance = font["glyf"][name], font["hmtx"][name]
            base_name = base_order[glyph_id]
            if _is_empty(base["glyf"][base_name]) and (not _is_empty(glyph) or base["hmtx"][base_name][0] == 0):
                if glyph.isComposite():  # its parts, by their names in the other subset
                    for component in glyph.components:
                        component.glyphName = base_order[font.getGlyphID(component.glyphName)]
                base["glyf"][base_name] = glyph
                base["hmtx"][base_name] = advance
        for table in font["cmap"].tables:
            base_table = base["cmap"].getcmap(table.platformID, table.platEncID)
            if base_table is None:
                continue
            for code, name in table.cmap.items():
                base_table.cmap.setdefault(code, base_order[font.getGlyphID(name)])
    output = io.BytesIO()
    base.save(output)
    return output.getvalue()


def _is_empty(glyph) -> bool:
    return glyph.numberOfContours == 0
