"""The print document cut into pieces (pdf/pieces.py): where it is cut, and what each piece carries in."""

from __future__ import annotations

import re

import pytest

from handbook.pdf import pieces

# The print document's shape (pdf/builder.py, _themes/print): front matter, then main with
# the root section, its introduction, matter and numbered parts, and their chapters.
PRINT_DOCUMENT = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>A book</title></head>
<body>
<section class="cover"><p class="cover-title">A book</p><p class="cover-draft draft-mark">Draft &amp; unfinished</p></section>
<nav class="print-toc"><h1>Contents</h1><ol><li><a href="#ch-a">A</a></li><li><a href="#ch-c">C</a></li><li><a href="#elsewhere">Out</a></li></ol></nav>
<p>Outside the contents: <a href="#ch-a">A</a>.</p>
<main>
<section id="root"><h1>A book</h1><p>Its introduction.</p>
<section id="intro"><h2>How to read it</h2><p>Text.</p></section>
<section class="part matter" id="part-front"><h2>About</h2>
<section id="ch-front-1"><h3>About one</h3><p>Text.</p></section>
<section id="ch-front-2"><h3>About two</h3><p>Text.<span class="footnote">A note.</span></p></section>
</section>
<section class="part numbered-part" id="part-one"><h2>Part I: <abbr title="x">Tom</abbr> &amp;   Jerry</h2>
<span id="document-a"></span><section id="ch-a"><h3>Chapter A</h3><p>Text<span class="footnote">Note one.</span>
<span class="footnote other">Note two.</span></p><section id="ch-a-sub"><h4>Inside A</h4></section></section>
<section id="ch-b"><h3>Chapter B</h3><p>Text.</p></section>
<section id="ch-c"><h3>Chapter C</h3><p>Text.</p></section>
</section>
<section class="part matter" id="part-back"><h2>Reference</h2>
<section id="ch-back-1"><h3>Glossary</h3><p>Text.</p></section>
</section>
</section>
</main>
</body>
</html>
"""


def first_sections(document: pieces.PrintDocument) -> list[str]:
    """The id of each piece's first section, as the print document has it."""
    return [re.search(r'<section[^>]*\bid="([^"]+)"', document.text[piece.start:]).group(1)
            for piece in document.pieces]


def test_pieces_start_only_where_print_css_breaks_to_any_page():
    # Not at a numbered part (it breaks to a right page: a piece would need a blank page
    # first), not at a matter part's first chapter (it shares the page with the part's title),
    # not inside a chapter.
    document = pieces.read(PRINT_DOCUMENT, piece_size=1)
    assert first_sections(document) == ["root", "part-front", "ch-front-2", "ch-a", "ch-b", "ch-c", "part-back"]


def test_pieces_take_chapters_until_they_reach_their_size():
    # A piece as long as the body up to chapter A: the next starts there, and the one after
    # that at the first place it may, once as much again is behind it.
    main = PRINT_DOCUMENT.index("<main>")
    size = PRINT_DOCUMENT.index('<section id="ch-a"') - main
    assert first_sections(pieces.read(PRINT_DOCUMENT, piece_size=size)) == ["root", "ch-a"]
    size = PRINT_DOCUMENT.index('<section class="part matter" id="part-back"') - PRINT_DOCUMENT.index('<section id="ch-a"')
    assert first_sections(pieces.read(PRINT_DOCUMENT, piece_size=size)) == ["root", "ch-a", "part-back"]
    assert len(pieces.read(PRINT_DOCUMENT).pieces) == 1, "the whole at the default size"


def test_pieces_grow_with_the_square_root_of_the_book_up_to_their_most():
    # The handbook's print document (some 150,000 characters) in pieces of some 20,000: an
    # edit lays out a third as much as with the most. Four times the book, twice the piece.
    handbook = pieces.piece_characters(150_000)
    assert 18_000 <= handbook <= 22_000
    assert pieces.piece_characters(4 * 150_000) == pytest.approx(2 * handbook, abs=1000)
    assert pieces.piece_characters(150_000 + 300) == handbook, "a sentence more keeps the pieces' size"
    assert pieces.piece_characters(5 * 150_000) < pieces.PIECE_CHARACTERS_MOST
    assert pieces.piece_characters(20 * 150_000) == pieces.PIECE_CHARACTERS_MOST


def test_the_default_piece_size_follows_the_books_size():
    # A book the handbook's size, fifteen chapters of some 10,000 characters: pieces of two chapters.
    chapter = '<section id="ch-{0}"><h3>Chapter {0}</h3><p>{1}</p></section>\n'
    chapters = "".join(chapter.format(number, "Text. " * 1700) for number in range(15))
    book = PRINT_DOCUMENT.replace('<section id="ch-b"><h3>Chapter B</h3><p>Text.</p></section>\n', chapters)
    size = pieces.piece_characters(book.index("</main>") - book.index("<main>"))
    assert size == 20_000
    document = pieces.read(book)
    lengths = [piece.end - piece.start for piece in document.pieces]
    assert len(lengths) == 8
    assert all(size <= length < size + 10_100 for length in lengths[:-1]), lengths


def test_the_pieces_hold_the_body_once_and_each_id_once():
    document = pieces.read(PRINT_DOCUMENT, piece_size=1)
    body = PRINT_DOCUMENT[PRINT_DOCUMENT.index("<main>"):PRINT_DOCUMENT.index("</main>")]
    assert "".join(PRINT_DOCUMENT[piece.start:piece.end] for piece in document.pieces) == body
    htmls = [document.piece_html(piece) for piece in document.pieces]
    for element_id in re.findall(r'\bid="([^"]+)"', body):
        assert sum(html.count(f'id="{element_id}"') for html in htmls) == 1, element_id


def test_a_piece_reopens_the_sections_it_starts_in_and_closes_them():
    document = pieces.read(PRINT_DOCUMENT, piece_size=1)
    html = document.piece_html(document.pieces[4])  # chapter B, inside part one
    assert html.startswith(PRINT_DOCUMENT[:PRINT_DOCUMENT.index("<main>")].split("<section")[0])
    assert '<main>\n<section data-continues="root">' not in html  # the root's tag is written as it was
    assert '<section data-continues="root">' in html
    assert '<section class="part numbered-part" data-continues="part-one">' in html
    assert "cover" not in html and "print-toc" not in html, "no front matter in a body piece"
    assert html.count("<section") == html.count("</section>")
    assert html.rstrip().endswith("</section></section></main>\n</body>\n</html>")
    first = document.piece_html(document.pieces[0])
    assert first.count("<main>") == 1 and "data-continues" not in first


def test_a_piece_carries_in_the_running_heads_and_the_footnotes_before_it():
    document = pieces.read(PRINT_DOCUMENT, piece_size=1)
    by_start = dict(zip(first_sections(document), document.pieces))
    assert by_start["ch-b"].part_title == "Part I: Tom & Jerry", "the part title's text, as content() gives it"
    assert by_start["ch-front-2"].part_title == "", "front and back matter have no part in the heads"
    assert by_start["ch-a"].part_title == "Part I: Tom & Jerry"
    assert by_start["part-back"].part_title is None, "a piece that starts a part: the part sets its own"
    assert by_start["root"].part_title is None
    assert {piece.draft_mark for piece in document.pieces} == {"Draft & unfinished"}
    assert [piece.footnotes_before for piece in document.pieces] == [0, 0, 0, 1, 3, 3, 3]


def test_the_start_stylesheet_sets_the_page_the_side_the_heads_and_the_notes():
    document = pieces.read(PRINT_DOCUMENT, piece_size=1)
    piece = document.pieces[4]
    css = pieces.start_css(piece, page_number=7, right_page=True)
    assert "html { break-before: right; counter-reset: footnote 3; }" in css
    assert "@page :nth(1) { counter-reset: page 7; }" in css
    assert f'[{pieces.PIECE_START}] {{ string-set: part "Part I: Tom & Jerry", draft "Draft & unfinished"; }}' in css
    assert "break-before: left" in pieces.start_css(piece, page_number=8, right_page=False)
    # The heads are set by an empty block first in the piece's first section, not by the root:
    html = document.piece_html(piece)
    assert f'<section id="ch-b"><div {pieces.PIECE_START}=""></div><h3>' in html


def test_a_piece_that_carries_no_heads_has_no_extra_block():
    plain = PRINT_DOCUMENT.replace(" draft-mark", "")
    document = pieces.read(plain, piece_size=1)
    assert pieces.PIECE_START not in document.piece_html(document.pieces[0])
    assert pieces.PIECE_START not in pieces.start_css(document.pieces[0], 1, True)


def test_a_string_with_quotes_is_escaped_for_css():
    piece = pieces.read(PRINT_DOCUMENT.replace("Tom</abbr>", 'Tom "T" \\</abbr>'), piece_size=1).pieces[4]
    assert 'string-set: part "Part I: Tom \\"T\\" \\\\ & Jerry"' in pieces.start_css(piece, 1, True)


def test_a_section_reopened_in_another_piece_has_the_same_source_name():
    from xml.etree.ElementTree import Element

    first, second = pieces.source_names("0"), pieces.source_names("1")
    original, reopened = Element("section", id="part/one"), Element("section", {pieces.CONTINUES: "part/one"})
    assert first(original) == second(reopened) == "#part%2Fone", "no / in a name: box_sources separates with it"
    assert first(Element("main")) == second(Element("main"))
    one, other = Element("p"), Element("p")
    assert [first(one), first(other), first(one)] == ["0.0", "0.1", "0.0"]
    assert second(Element("p")) == "1.0", "named in its piece alone"


def test_the_contents_get_their_page_numbers_written_in():
    front = PRINT_DOCUMENT[:PRINT_DOCUMENT.index("<main>")]
    numbered = pieces.with_page_numbers(front, {"ch-a": 4, "ch-c": 12})
    assert '<a data-page="4" href="#ch-a">A</a>' in numbered
    assert '<a data-page="12" href="#ch-c">C</a>' in numbered
    assert '<a href="#elsewhere">Out</a>' in numbered, "an id the body does not have: left to target-counter"
    assert "<p>Outside the contents: <a href=\"#ch-a\">A</a>.</p>" in numbered, "only the contents"


@pytest.mark.parametrize("broken", [
    PRINT_DOCUMENT.replace("<main>", "<div>").replace("</main>", "</div>"),
    PRINT_DOCUMENT.replace("<body>", ""),
])
def test_a_document_without_body_or_main_cannot_be_cut(broken):
    with pytest.raises(pieces.PieceError, match="<main>"):
        pieces.read(broken)


def test_a_numbered_part_without_its_title_cannot_be_cut_inside():
    untitled = re.sub(r"<h2>Part I:.*?</h2>", "", PRINT_DOCUMENT, flags=re.S)
    with pytest.raises(pieces.PieceError, match="part-one"):
        pieces.read(untitled, piece_size=1)
