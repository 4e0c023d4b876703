"""The pieces' subsets of one font made one program (pdf/font_programs.py)."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from fontTools import subset
from fontTools.ttLib import TTFont

from handbook.pdf import font_programs

# A build dependency (fonts-dejavu-core): the print theme sets code in it.
DEJAVU = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")


def subset_of(text: str) -> bytes:
    """DejaVu Sans with only ``text``'s glyphs, at their ids in the font, as WeasyPrint embeds it."""
    font = TTFont(DEJAVU, recalcBBoxes=False)  # HarfBuzz keeps the font's bounds and maxima
    subsetter = subset.Subsetter(subset.Options(retain_gids=True, notdef_outline=True))
    subsetter.populate(text=text)
    subsetter.subset(font)
    output = io.BytesIO()
    font.save(output)
    return output.getvalue()


def outline(font: TTFont, character: str):
    name = font.getBestCmap()[ord(character)]
    glyph = font["glyf"][name]
    return font.getGlyphID(name), list(glyph.getCoordinates(font["glyf"])[0]), font["hmtx"][name]


@pytest.fixture(scope="module")
def full():
    return TTFont(DEJAVU)


def test_one_program_has_every_subsets_glyphs_at_their_ids(full):
    pieces = [subset_of("abc"), subset_of("xyz"), subset_of("Ω→a")]
    joined = TTFont(io.BytesIO(font_programs.joined_program(pieces)))
    for character in "abcxyzΩ→":
        assert outline(joined, character) == outline(full, character), character
    left_out = full.getGlyphID(full.getBestCmap()[ord("Q")])
    assert joined["glyf"][joined.getGlyphOrder()[left_out]].numberOfContours == 0, "no piece shows it"
    # The font's own metrics, as every subset has them, not the joined glyphs' alone.
    assert joined["head"].yMin == full["head"].yMin
    assert joined["maxp"].maxPoints == TTFont(io.BytesIO(pieces[0]))["maxp"].maxPoints


def test_the_program_is_the_same_bytes_each_time():
    pieces = [subset_of("Sentence one."), subset_of("Another, with É and ü.")]
    assert font_programs.joined_program(pieces) == font_programs.joined_program(pieces)


def test_programs_that_are_not_truetype_subsets_are_left_alone():
    assert font_programs.joined_program([b"not a font", subset_of("abc")]) is None
