"""The braille edition's pure stages (_ext/handbook/braille/): lines, pages, and the text
handed to liblouis. No Sphinx and no liblouis here; tests/test_braille.py checks the
real files and the real translation.
"""

from __future__ import annotations

import pytest
from docutils import nodes

from handbook.braille.body import spell_out, styled_text
from handbook.braille.lines import (
    OverlongWord, centre, columns, contents_entry, divide, fill_line, right_align, wrap,
)
from handbook.braille.pages import (
    BLANK, LINES, NEW_PAGE, Anchor, Line, PrintPage, brf, continuation_label, paginate,
)
from handbook.braille.translate import BOLD, NO_CONTRACT, PLAIN

WORDS = " ".join(f"W{i:02d}" for i in range(40))  # 40 words of 3 cells


# -- the line stage -----------------------------------------------------------------


def test_wrap_fills_lines_to_40_cells_with_paragraph_indents():
    lines = wrap(WORDS, first=2, runover=0)
    assert lines[0].startswith("  W00") and not lines[1].startswith(" ")
    assert all(len(line) <= 40 for line in lines)
    assert " ".join(" ".join(lines).split()) == WORDS  # no word lost, none split
    # Each line is as full as it can be: the next word would not have fitted.
    for line, following in zip(lines, lines[1:]):
        assert len(line) + 1 + len(following.split()[0]) > 40


def test_wrap_hangs_list_items_and_headings():
    item = wrap(WORDS, first=0, runover=2)
    assert item[0].startswith("W00") and all(line.startswith("  W") for line in item[1:])
    heading = wrap(WORDS, first=4, runover=4)
    assert all(line.startswith("    W") for line in heading)


def test_a_long_word_is_divided_only_after_its_own_hyphen():
    word = "-".join(["ABCDEFGHIJ"] * 6)  # 65 cells
    lines = wrap(f"X {word}", first=0, runover=2)
    assert all(len(line) <= 40 for line in lines)
    assert all(line.endswith("-") for line in lines[1:-1])
    assert "".join(line.strip() for line in lines[1:]) == word
    assert divide("AB-CD", 3) == ["AB-", "CD"]


def test_a_word_longer_than_a_line_without_a_hyphen_is_refused():
    with pytest.raises(OverlongWord) as caught:
        wrap("SHORT " + "X" * 39, first=0, runover=2)
    assert caught.value.word == "X" * 39 and caught.value.room == 38


def test_centred_lines_keep_three_blank_cells_on_each_side():
    lines = centre(WORDS)
    assert len(lines) > 1
    for line in lines:
        text = line.strip()
        left = len(line) - len(line.lstrip())
        assert left >= 3 and 40 - left - len(text) >= 3
        assert abs(left - (40 - left - len(text))) <= 1


def test_contents_entry_has_guide_dots_and_the_page_at_the_right_margin():
    lines = contents_entry(WORDS[:70], "#AB", first=2, runover=4)
    assert all(len(line) <= 40 for line in lines)
    assert lines[0].startswith("  W") and all(line.startswith("    W") for line in lines[1:])
    assert len(lines[-1]) == 40 and lines[-1].endswith(' #AB')
    assert '"" #AB' in lines[-1]  # at least two guide dots
    assert '"' not in "".join(lines[:-1])


def test_fill_and_right_align():
    assert fill_line("-", "#AB") == "-" * 37 + "#AB"
    assert right_align("TEXT", "#A") == "TEXT" + " " * 34 + "#A"
    with pytest.raises(ValueError):
        right_align("X" * 39, "#A")


def test_a_table_keeps_its_columns_only_when_they_fit():
    rows = [["H1", "HEADING2"], ["LONGER1", "B"]]
    assert columns(rows) == ["H1       HEADING2", "3333333  33333333", "LONGER1  B"]
    assert columns([["X" * 20, "Y" * 19]]) is None


# -- the page stage -----------------------------------------------------------------


def number(label: str) -> str:
    """A stand-in for liblouis in these pure tests: page numbers in a readable form."""
    return "#" + label


def body_lines(count: int, text: str = "TEXT") -> list[Line]:
    return [Line(f"{text}{i}") for i in range(count)]


def test_every_page_has_25_lines_and_its_number_at_the_right_of_the_last():
    pages, _ = paginate(body_lines(60), prefix="p", start=2, braille_number=number)
    assert [page.number for page in pages] == ["p2", "p3", "p4"]
    for page in pages:
        assert len(page.lines) == LINES
        last = page.lines[-1]
        assert last.endswith("#" + page.number) and len(last) == 40
        text = last[: -len("#" + page.number)]
        assert text == "" or text.endswith("   "), "fewer than three blank cells before the page number"
    # 24 lines of text on the first page, and a short one shares the last line.
    assert pages[0].lines[-1].startswith("TEXT24")


def test_a_long_last_line_leaves_the_page_number_alone():
    long_line = Line("L" * 36)
    pages, _ = paginate([*body_lines(24), long_line], braille_number=number)
    assert pages[0].lines[-1].strip() == "#1"
    assert pages[1].lines[0] == "L" * 36


def test_a_heading_never_ends_a_page():
    items = [*body_lines(23), BLANK, Line("    HEADING", keep=True), Line("AFTER")]
    pages, _ = paginate(items, braille_number=number)
    assert pages[1].lines[0] == "    HEADING" and pages[1].lines[1] == "AFTER"
    assert "HEADING" not in "".join(pages[0].lines)


def test_blank_lines_never_start_a_page_and_never_double():
    items = [Line("A"), BLANK, BLANK, Line("B"), NEW_PAGE, BLANK, Line("C")]
    pages, _ = paginate(items, braille_number=number)
    assert pages[0].lines[:3] == ("A", "", "B")
    assert pages[1].lines[0] == "C"


def test_print_page_numbers_continuation_letters_and_indicators():
    items = [PrintPage("5"), *body_lines(30, "A"), BLANK, PrintPage("6"), BLANK, *body_lines(3, "B")]
    pages, _ = paginate(items, braille_number=number)
    first, second = pages[0].lines, pages[1].lines
    assert first[0] == right_align("A0", "#5")  # the first line shares with the print page
    assert second[0] == right_align("A25", "#a5")  # print page 5 goes on: continuation letter
    indicator = second.index("-" * 38 + "#6")
    # The indicator stands in for the blank lines around it.
    assert second[indicator - 1] == "A29" and second[indicator + 1] == "B0"


def test_a_print_page_that_starts_a_braille_page_needs_no_indicator():
    items = [PrintPage("5"), *body_lines(3), NEW_PAGE, PrintPage("6"), Line("NEW")]
    pages, _ = paginate(items, braille_number=number)
    assert pages[1].lines[0] == right_align("NEW", "#6")
    assert not any(line.startswith("---") for page in pages for line in page.lines)


def test_a_first_line_too_long_to_share_gets_the_print_page_line_to_itself():
    pages, _ = paginate([PrintPage("12"), Line("X" * 38)], braille_number=number)
    assert pages[0].lines[:2] == (right_align("", "#12"), "X" * 38)


def test_continuation_labels():
    assert [continuation_label("12", n) for n in (0, 1, 2, 26, 27)] == ["12", "a12", "b12", "z12", "aa12"]


def test_anchors_give_the_page_of_the_next_line():
    items = [*body_lines(30), Anchor("here"), Line("HEADING", keep=True), Line("X")]
    pages, anchors = paginate(items, braille_number=number)
    assert anchors == {"here": "2"}
    assert "HEADING" in pages[1].lines


def test_brf_separates_pages_by_form_feeds():
    pages, _ = paginate(body_lines(30), braille_number=number)
    text = brf(pages)
    assert text.count("\f") == len(pages) - 1
    assert all(page.count("\n") == LINES and page.endswith("\n") for page in text.split("\f"))


def test_the_page_stage_refuses_a_line_longer_than_40_cells():
    with pytest.raises(ValueError):
        paginate([Line("X" * 41)])


# -- the text given to liblouis ---------------------------------------------------------


def test_styled_text_gives_one_typeform_per_character_across_markup():
    paragraph = nodes.paragraph()
    paragraph += nodes.Text("Run ")
    paragraph += nodes.literal("make  test", "make  test")
    paragraph += nodes.Text(" for\n")
    paragraph += nodes.strong("every format", "every format")
    text, forms = styled_text(paragraph)
    assert text == "Run make test for every format"
    assert len(forms) == len(text)
    assert forms[text.index("make"):text.index("make") + 9] == [NO_CONTRACT] * 9
    assert set(forms[text.index("every"):]) == {BOLD}  # the space inside the bold phrase too
    assert forms[0] == PLAIN


def test_styled_text_joins_paragraphs_of_a_cell_with_a_space():
    entry = nodes.entry()
    entry += nodes.paragraph("One", "One")
    entry += nodes.paragraph("Two", "Two")
    assert styled_text(entry)[0] == "One Two"


def test_spell_out_names_characters_with_spaces_around():
    text, forms = spell_out("make # build _x", [NO_CONTRACT] * 15, {"#": "number sign", "_": "underscore"})
    assert text == "make number sign build underscore x"
    assert forms == [NO_CONTRACT] * len(text)
