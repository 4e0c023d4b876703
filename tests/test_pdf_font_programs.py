"""The pieces' subsets of one font made one program (pdf/font_programs.py)."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from fontTools import subset
from fontTools.pens.recordingPen import DecomposingRecordingPen
from fontTools.ttLib import TTFont

from handbook.pdf import font_programs

# A build dependency (fonts-dejavu-core): the print theme sets code in it.
DEJAVU = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")


def subset_of(text: str) -> tuple[bytes, set[int]]:
    """DejaVu Sans for ``text``, as WeasyPrint embeds it, and the glyph ids the text shows.

    WeasyPrint subsets twice (weasyprint/pdf/fonts.py): the glyphs shown at their ids
    in the font, then every id up to the last one shown, so the parts of composite
    glyphs past it (an accent) are numbered anew after it. HarfBuzz keeps the font's
    bounds and maxima.
    """
    full = TTFont(DEJAVU, recalcBBoxes=False)
    shown = {full.getGlyphID(full.getBestCmap()[ord(character)]) for character in text}
    font = TTFont(DEJAVU, recalcBBoxes=False)
    options = subset.Options(retain_gids=True, notdef_outline=True, glyph_names=True)
    first = subset.Subsetter(options)
    first.populate(gids=shown)
    first.subset(font)
    second = subset.Subsetter(subset.Options(notdef_outline=True, glyph_names=True))
    second.populate(gids=range(max(shown) + 1))
    second.subset(font)
    output = io.BytesIO()
    font.save(output)
    return output.getvalue(), shown


def drawn(font: TTFont, glyph_id: int):
    """What the glyph draws, its parts put in place, and its advance."""
    name = font.getGlyphOrder()[glyph_id]
    pen = DecomposingRecordingPen(font.getGlyphSet())
    font.getGlyphSet()[name].draw(pen)
    return pen.value, font["hmtx"][name][0]


@pytest.fixture(scope="module")
def full():
    return TTFont(DEJAVU)


def joined(*texts: str) -> tuple[TTFont, list[set[int]]]:
    subsets = [subset_of(text) for text in texts]
    program = font_programs.joined_program(subsets)
    assert program is not None
    return TTFont(io.BytesIO(program)), [shown for _, shown in subsets]


def test_one_program_draws_every_subsets_glyphs_as_the_font(full):
    font, shown = joined("abc", "xyz", "Ω→a")
    for glyph_id in set().union(*shown):
        assert drawn(font, glyph_id) == drawn(full, glyph_id), glyph_id
    left_out = full.getGlyphID(full.getBestCmap()[ord("Q")])
    assert font["glyf"][font.getGlyphOrder()[left_out]].numberOfContours == 0, "no piece shows it"
    # The font's own bounds and maxima, as every subset has them.
    assert font["head"].yMin == full["head"].yMin
    assert font["maxp"].maxPoints == full["maxp"].maxPoints


def test_accents_numbered_anew_in_each_subset_go_after_the_font_glyphs(full):
    # "ÉÑ" and "Ñ" both show up to Ñ; after it the first has the acute then the tilde,
    # the second the tilde alone: one id, two glyphs. Each part goes once to the end.
    font, shown = joined("ÉÑa", "Ñe", "Éé")
    for glyph_id in set().union(*shown):
        assert drawn(font, glyph_id) == drawn(full, glyph_id), glyph_id
    last_shown = max(set().union(*shown))
    assert len(font.getGlyphOrder()) == last_shown + 1 + 2, "the acute and the tilde, once each"


def test_the_program_is_the_same_bytes_each_time():
    subsets = [subset_of("Sentence one."), subset_of("Another, with É and ü.")]
    assert font_programs.joined_program(subsets) == font_programs.joined_program(subsets)


def test_programs_that_are_not_truetype_subsets_are_left_alone():
    assert font_programs.joined_program([(b"not a font", {1}), subset_of("abc")]) is None
