"""The render in pieces (pdf/pieces.py, pdf/merge.py) gives the PDF the whole document would give.

A small book in the print document's shape, with the real print theme, rendered
by ``render_edition`` twice: as one piece, and cut at every chapter it may be.
A reader must not be able to tell them apart: the text of every page (running
heads, page numbers, the contents' numbers), the tags, the outline, the page
labels, the page map, and links that go from one piece to another.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pdfplumber
import pikepdf
import pytest

from handbook.common import fonts
from handbook.pdf import pieces, render

import pdf_tagged

sys.path.insert(0, str(Path(__file__).parents[1] / "scripts"))
import pdfua_check  # noqa: E402

THEME = Path(__file__).parents[1] / "_themes" / "print" / "static"
TEXT = " ".join(f"Sentence {n} of a chapter that runs on for a while." for n in range(1, 40))


def chapter(chapter_id: str, title: str, extra: str = "") -> str:
    return (f'<span id="document-{chapter_id}"></span><section id="{chapter_id}"><h3>{title}</h3>'
            f"<p>{TEXT}</p>{extra}<section id=\"{chapter_id}-more\"><h4>More on {title}</h4><p>{TEXT}</p></section>"
            "</section>\n")


BOOK = f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>A book</title></head>
<body>
<section class="cover"><p class="cover-title">A book</p><p class="cover-edition">Edition one</p></section>
<section class="colophon" aria-label="Colophon"><p>Not an official publication.</p></section>
<nav class="print-toc" aria-labelledby="toc-title"><h1 class="print-toc-title" id="toc-title">Contents</h1>
<ol class="toc-parts"><li class="toc-part"><a href="#part-front">About</a><ol class="toc-chapters">
<li class="toc-chapter"><a href="#ch-front">How to read it</a></li></ol></li>
<li class="toc-part"><a href="#part-one">Part I: The first part</a><ol class="toc-chapters">
<li class="toc-chapter"><a href="#ch-a">Chapter A</a></li><li class="toc-chapter"><a href="#ch-b">Chapter B</a></li>
<li class="toc-chapter"><a href="#ch-c">Chapter C</a></li></ol></li>
<li class="toc-part"><a href="#part-back">Reference</a></li></ol></nav>
<main>
<section id="root"><h1>A book</h1><p>The introduction. See <a href="#ch-c">Chapter C</a> at the end.</p>
<section class="part matter" id="part-front"><h2>About</h2>
{chapter("ch-front", "How to read it")}</section>
<section class="part numbered-part" id="part-one"><h2>Part I: The first part</h2>
{chapter("ch-a", "Chapter A", '<p>A footnote here<span class="footnote">The first note.</span>.</p>')}
{chapter("ch-b", "Chapter B", '<p>Back to <a href="#ch-a">Chapter A</a>, and a note<span class="footnote">The second note.</span>.</p>')}
{chapter("ch-c", "Chapter C", '<p lang="es">ÉL Y ÑANDÚ.</p>')}</section>
<section class="part matter" id="part-back"><h2>Reference</h2>
{chapter("ch-back", "Glossary", '<p lang="es">Ñ, then É: accents each piece numbers anew in its fonts.</p>')}{chapter("ch-back-2", "Sources")}</section>
</section>
</main>
</body>
</html>
"""
TITLES = {"ch-front": "How to read it", "ch-a": "Chapter A", "ch-b": "Chapter B", "ch-c": "Chapter C",
          "part-front": "About", "part-one": "Part I: The first part", "part-back": "Reference"}


def book_job(folder: Path, book: str, keep_layouts: bool = False) -> render.RenderJob:
    """The render job of ``book`` in ``folder``, with the print theme and its fonts beside it."""
    if not (folder / "_static").exists():
        shutil.copytree(THEME, folder / "_static")
        for font in Path(fonts.font_directory()).glob("*.ttf"):
            shutil.copy(font, folder / "_static")
    (folder / "index.html").write_text(book, encoding="utf-8")
    return render.RenderJob(
        html_file=str(folder / "index.html"), stem="book-en", language="en", paper="A6", release="1 (abc)",
        body_id="root", last_section=("ch-back-2", "Sources"), link_titles=TITLES,
        page_map_source="A book, PDF edition", memory_mb=1500,
        cache_dir=str(folder / "renders") if keep_layouts else None)


def render_book(folder: Path, most_characters: int, monkeypatch) -> dict[str, Path]:
    job = book_job(folder, BOOK)
    monkeypatch.setattr(pieces, "PIECE_CHARACTERS_MOST", most_characters)
    for edition in render.EDITIONS:
        render.render_edition(job, edition)
    return {"standard": job.target(render.EDITIONS[0]), "large print": job.target(render.EDITIONS[1]),
            "page map": job.page_map_file()}


@pytest.fixture(scope="module")
def books(tmp_path_factory):
    with pytest.MonkeyPatch.context() as monkeypatch:
        whole = render_book(tmp_path_factory.mktemp("whole"), 10**9, monkeypatch)
        cut = render_book(tmp_path_factory.mktemp("cut"), 1, monkeypatch)
    return whole, cut


def page_texts(path: Path) -> list[str]:
    with pdfplumber.open(path) as pdf:
        return [page.extract_text() for page in pdf.pages]


def outline(path: Path) -> list:
    with pikepdf.open(path) as pdf, pdf.open_outline() as tree:
        def items(entries):
            return [(item.title, pikepdf.Page(item.destination[0]).index, items(item.children)) for item in entries]
        return items(tree.root)


def structure(path: Path) -> list:
    def flat(element, depth=0):
        return [(depth, element.type, element.text), *(row for kid in element.kids for row in flat(kid, depth + 1))]
    return [row for element in pdf_tagged.read_tagged(path).root for row in flat(element)]


def test_the_book_is_cut_into_pieces(books):
    assert len(pieces.read(BOOK, piece_size=1).pieces) == 7


@pytest.mark.parametrize("edition", ["standard", "large print"])
def test_every_page_reads_as_in_the_whole_render(books, edition):
    whole, cut = (page_texts(book[edition]) for book in books)
    assert len(whole) > 12, "pages enough for the pieces to matter"
    assert cut == whole
    joined = "\n".join(cut)
    # The part's running head, on the pages of its chapters: the same in the whole render,
    # and in the pieces that start inside the part and carry it in.
    chapter_b = next(text for text in cut if "Sentence 1 of" in text and "Chapter B" in text)
    assert "part i: the first part" in " ".join(chapter_b.split()).casefold()
    assert "The second note." in joined


@pytest.mark.parametrize("edition", ["standard", "large print"])
def test_the_tags_outline_and_labels_are_the_whole_renders(books, edition):
    whole, cut = (book[edition] for book in books)
    assert structure(cut) == structure(whole)
    assert outline(cut) == outline(whole)
    with pikepdf.open(whole) as one, pikepdf.open(cut) as other:
        assert repr(other.Root.PageLabels) == repr(one.Root.PageLabels)
    assert pdfua_check.check_file(cut) == []


def font_programs_by_name(path: Path) -> dict[str, set]:
    with pikepdf.open(path) as pdf:
        programs: dict[str, set] = {}
        for page in pdf.pages:
            for font in page.Resources.Font.values():
                descriptor = font.DescendantFonts[0].FontDescriptor
                programs.setdefault(str(descriptor.FontName), set()).add(descriptor.FontFile2.objgen)
        return programs


@pytest.mark.slow  # poppler-utils comes with the full suite's dependencies
@pytest.mark.parametrize("edition", ["standard", "large print"])
def test_every_page_looks_as_in_the_whole_render_with_one_program_per_font(books, edition, tmp_path):
    whole, cut = (book[edition] for book in books)
    # Each piece embeds its own subset of each font; the merged PDF, one program with them all.
    assert all(len(programs) == 1 for programs in font_programs_by_name(cut).values())
    assert cut.stat().st_size < whole.stat().st_size * 1.15
    for name, pdf in (("whole", whole), ("cut", cut)):
        subprocess.run(["pdftoppm", "-r", "72", "-gray", str(pdf), str(tmp_path / name)], check=True)
    pages = sorted(path.name.removeprefix("whole") for path in tmp_path.glob("whole-*.pgm"))
    assert len(pages) > 12
    for page in pages:
        assert (tmp_path / f"cut{page}").read_bytes() == (tmp_path / f"whole{page}").read_bytes(), page


def test_the_page_map_is_the_whole_renders(books):
    whole, cut = (book["page map"] for book in books)
    assert cut.read_bytes() == whole.read_bytes()


def test_a_link_to_another_piece_goes_to_its_page(books):
    _, cut = books
    with pikepdf.open(cut["standard"]) as pdf:
        names = list(pdf.Root.Names.Dests.Names)
        dests = {str(name): value for name, value in zip(names[0::2], names[1::2])}
        assert len(dests) == len(names) // 2, "each name once"
        chapter_c = pikepdf.Page(dests["ch-c"][0]).index
        assert "Chapter C" in page_texts(cut["standard"])[chapter_c]
        links = [(page.index, str(annotation.Dest)) for page in pdf.pages
                 for annotation in page.obj.get("/Annots", []) if "/Dest" in annotation]
        body_start = next(index for index, text in enumerate(page_texts(cut["standard"])) if "The introduction." in text)
        assert (body_start, "ch-c") in links, "from the first piece to the fourth"
        assert all(target in dests for _, target in links)


# -- Each layout kept for the next render ------------------------------------------


def cached_job(folder: Path, book: str) -> render.RenderJob:
    return book_job(folder, book, keep_layouts=True)


def layouts_made(job: render.RenderJob, monkeypatch, made: list[str] | None = None) -> list[str]:
    """Render the standard edition; which layouts it made (the others were kept), also in ``made``."""
    made = [] if made is None else made
    original = render._Layout.render

    def counted(self, html, start_css=""):
        made.append(next(name for name, marker in [("front", "print-toc"), ("ch-b", 'id="ch-b"'),
                                                   ("ch-a", 'id="ch-a"'), ("another", "")] if marker in html))
        return original(self, html, start_css)

    monkeypatch.setattr(render._Layout, "render", counted)
    try:
        render.render_edition(job, render.EDITIONS[0])
    finally:
        monkeypatch.setattr(render._Layout, "render", original)
    return made


def made_and_clean(job: render.RenderJob) -> tuple[bytes, bytes]:
    """The edition as the render with kept layouts made it, and as one that keeps nothing makes it."""
    made = job.target(render.EDITIONS[0]).read_bytes()
    render.render_edition(render.RenderJob(**{**job.__dict__, "cache_dir": None}), render.EDITIONS[0])
    return made, job.target(render.EDITIONS[0]).read_bytes()


def test_an_edit_lays_out_only_what_it_changed(tmp_path, monkeypatch):
    monkeypatch.setattr(pieces, "PIECE_CHARACTERS_MOST", 1)
    job = cached_job(tmp_path / "book", BOOK)
    assert len(layouts_made(job, monkeypatch)) == 8, "seven pieces, then the front matter"
    first = job.target(render.EDITIONS[0]).read_bytes()
    assert layouts_made(job, monkeypatch) == [], "nothing changed: every layout kept"
    assert job.target(render.EDITIONS[0]).read_bytes() == first

    # A word in chapter B: its piece alone; its pages, and so every page number, stay.
    edited = BOOK.replace("Back to", "Back again to")
    job = cached_job(tmp_path / "book", edited)
    assert layouts_made(job, monkeypatch) == ["ch-b"]
    made, clean = made_and_clean(job)
    assert made == clean, "the same bytes as a render that kept nothing"

    # Pages more in chapter A: its piece, every piece after it (they start on later pages),
    # and the contents (their page numbers); not the pieces before it.
    longer = edited.replace("A footnote here", f"{TEXT} {TEXT} A footnote here")
    job = cached_job(tmp_path / "book", longer)
    assert layouts_made(job, monkeypatch) == ["ch-a", "ch-b", "another", "another", "another", "front"]
    made, clean = made_and_clean(job)
    assert made == clean


def test_the_layouts_of_pieces_the_book_no_longer_has_are_not_kept(tmp_path, monkeypatch):
    monkeypatch.setattr(pieces, "PIECE_CHARACTERS_MOST", 1)
    job = cached_job(tmp_path / "book", BOOK)
    render.render_edition(job, render.EDITIONS[0])
    kept = tmp_path / "book" / "renders" / "pieces"
    assert len(list(kept.glob("standard-piece-*"))) == 7
    # Without its back matter (a part of two chapters, two pieces), and its entry in the contents.
    head, back = BOOK.split('<section class="part matter" id="part-back">')
    shorter = (head.replace('<li class="toc-part"><a href="#part-back">Reference</a></li>', "")
               + "</section>\n</main>" + back.split("</main>")[1])
    job = cached_job(tmp_path / "book", shorter)
    render.render_edition(render.RenderJob(**{**job.__dict__, "last_section": ("ch-c", "Chapter C")}),
                          render.EDITIONS[0])
    assert sorted(path.name.split(".")[0] for path in kept.glob("standard-piece-*")) == [
        f"standard-piece-{number:04d}" for number in range(5)]


def test_a_layout_weasyprint_reported_a_problem_in_is_not_kept(tmp_path, monkeypatch):
    monkeypatch.setattr(pieces, "PIECE_CHARACTERS_MOST", 1)
    broken = BOOK.replace("<h3>Chapter B</h3>", '<h3 style="colour: red">Chapter B</h3>')
    job = cached_job(tmp_path / "book", broken)
    with pytest.raises(render.RenderError, match="colour"):
        layouts_made(job, monkeypatch)
    made: list[str] = []
    with pytest.raises(render.RenderError, match="colour"):
        layouts_made(job, monkeypatch, made)
    assert made == ["ch-b"], "reported again, from the one layout not kept"


# -- The side of each page ---------------------------------------------------------


def sides_of_running_heads(path: Path, head: str) -> list[tuple[int, str]]:
    """Each page with ``head`` at its top: its index, and the side of the page the head is on."""
    found = []
    with pdfplumber.open(path) as pdf:
        for page in pdf.pages:
            words = [word for word in page.extract_words() if word["top"] < 40 and word["text"] == head]
            if words:
                found.append((page.page_number - 1, "left" if words[0]["x0"] < page.width / 2 else "right"))
    return found


@pytest.mark.parametrize("contents_break", ["right", "page"])
def test_each_page_is_on_its_side(tmp_path, monkeypatch, contents_break):
    # print.css: the outer margin has the chapter's running head, so it is at the left of a
    # left-hand page (odd index: the first page is a right-hand one). With the contents ending
    # on any page, the body may start on a left-hand page: the pieces are laid out again so.
    monkeypatch.setattr(pieces, "PIECE_CHARACTERS_MOST", 1)
    job = cached_job(tmp_path, BOOK)
    with (tmp_path / "_static" / "print.css").open("a") as css:
        css.write(f".print-toc {{ break-after: {contents_break}; }}\n")
    made = layouts_made(job, monkeypatch)
    sides = sides_of_running_heads(job.target(render.EDITIONS[0]), "CHAPTER")
    assert len(sides) > 4
    assert all(side == ("left" if index % 2 else "right") for index, side in sides), sides
    body_start = next(index for index, text in enumerate(page_texts(job.target(render.EDITIONS[0])))
                      if "The introduction." in text)
    assert body_start % 2 == (0 if contents_break == "right" else 1)
    assert len(made) == (8 if contents_break == "right" else 16), "the pieces laid out again from the other side"
