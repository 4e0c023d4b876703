"""The braille-ready edition (issue 17): the real BRF and Unicode braille files, real liblouis.

Reads the files of the session's build (conftest.py), as a reader gets them:
pages of 25 lines of at most 40 cells in braille ASCII, consecutive braille page
numbers, the print pages of the PDF, every heading, and a back-translation that
recovers the words of the web edition. Broken input gets one line naming file,
line and rule, and no braille file.
"""

from __future__ import annotations

import ctypes
import json
import os
import re
import subprocess
import sys
import unicodedata
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from docutils import nodes

from conftest import ROOT, edition_pages
from conftest import translator as edition_words
from handbook.braille import translate
from handbook.braille.body import BodyWriter
from handbook.braille.pages import LINES
from handbook.braille.translate import BRAILLE_ASCII, Translator

WIDTH = 40
PAGE_NUMBER = re.compile(r"(?:^| {3})(\S+)$")  # at the right end, three blank cells or more before it
WORD = re.compile(r"[^\W\d_]+(?:'[^\W\d_]+)*")
LINE = re.compile(r"^(?P<path>docs/\S+?):(?P<line>\d+): \[(?P<rule>[\w.-]+)\] (?P<message>.+)$")


@pytest.fixture(scope="module")
def translator(outputs) -> Translator:
    return Translator(translate.TABLES[outputs.language])


@pytest.fixture(scope="module")
def brf(outputs) -> str:
    return outputs.brf.read_bytes().decode("ascii")


@pytest.fixture(scope="module")
def pages(brf) -> list[list[str]]:
    """Each page's lines (a page ends in a newline; form feeds come between pages)."""
    return [page.split("\n")[:-1] for page in brf.split("\f")]


def table_direction(table: str) -> str:
    """The table's own metadata: liblouis tables say when they only translate forward."""
    library = translate._library()
    library.lou_getTableInfo.restype = ctypes.c_void_p
    found = library.lou_getTableInfo(table.encode(), b"direction")
    if not found:
        return "both"
    value = ctypes.string_at(found).decode()
    ctypes.CDLL(None).free(ctypes.c_void_p(found))
    return value


@pytest.fixture(scope="module")
def back_translated(pages, translator) -> str | None:
    """The whole file back in print, line by line with the same tables, as one text.

    None for a table that only translates forward: liblouis 3.24's es-g2.ctb says
    "#+direction:forward", and its back-translation is not meant to work (it turns "#A",
    the number 1, into "piona"). Those editions are checked forward instead: the words
    and headings of the web edition, put into braille with the same table, must be there.
    """
    if table_direction(translator.table) == "forward":
        return None
    return " ".join(translator.back_translate(line) for page in pages for line in page)


@pytest.fixture(scope="module")
def braille_text(pages) -> str:
    """The braille of every page as one line of text, for the forward checks."""
    return " " + " ".join(" ".join(line.split()) for page in pages for line in page) + " "


def page_number(braille: str) -> str:
    """A braille page number in print, read cell by cell: P#A is p1, A#AB is a12.

    Both tables write numbers the same way: the number sign, then the letters a to j
    for the digits 1 to 9 and 0; a prefix letter stands before the sign.
    """
    match = re.fullmatch(r"([A-Z]?)#([A-J]+)", braille)
    assert match, f"not a braille page number: {braille!r}"
    return match[1].lower() + "".join(str("JABCDEFGHI".index(cell)) for cell in match[2])


def one_apostrophe(text: str) -> str:
    """NFC, with ’ as ': one braille cell stands for both, and back-translation picks either
    (liblouis 3.24, Debian 12, reads it back as ’; 3.33, Debian 13, as ')."""
    return unicodedata.normalize("NFC", text).replace("\N{RIGHT SINGLE QUOTATION MARK}", "'")


def words(text: str) -> set[str]:
    return {word.lower() for word in WORD.findall(one_apostrophe(text))}


def html_text(outputs) -> tuple[str, list[str]]:
    """The text of every page of the web edition's articles, and its headings."""
    texts, headings = [], []
    for page in edition_pages(outputs):
        if page.relative_to(outputs.html).name in {"search.html", "genindex.html"}:
            continue
        article = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser").select_one("article")
        for permalink in article.select("a.headerlink"):
            permalink.decompose()
        texts.append(article.get_text(" "))
        headings += [" ".join(h.get_text(" ").split()) for h in article.select("h1, h2, h3")]
    return " ".join(texts), headings


# -- the layout a braille reader expects ----------------------------------------------


def layout_problems(brf: str) -> list[str]:
    """What a braille reader or an embosser would trip on, page by page (empty: none)."""
    problems = []
    stray = set(brf) - set(BRAILLE_ASCII) - {"\n", "\f"}
    if stray:
        problems.append(f"characters outside braille ASCII: {sorted(stray)}")
    numbers = []
    for index, page in enumerate(brf.split("\f"), 1):
        lines = page.split("\n")
        if lines[-1] != "" or len(lines) - 1 != LINES:
            problems.append(f"page {index} has {len(lines) - 1} lines, or does not end in a newline")
        problems += [f"page {index}: a line of {len(line)} cells" for line in lines if len(line) > WIDTH]
        match = PAGE_NUMBER.search(lines[-2] if len(lines) > 1 else "")
        if not match or not re.fullmatch(r"[A-Z]?#[A-J]+", match[1]):
            problems.append(f"page {index}: no braille page number at the right end of the last line, "
                            "three blank cells after the text")
        else:
            numbers.append(page_number(match[1]))
    # Title page p1, transcriber's notes t1..., contents p2..., then the text from 1.
    parsed = [re.fullmatch(r"([pt]?)(\d+)", number) for number in numbers]
    runs = [m[1] for i, m in enumerate(parsed) if i == 0 or parsed[i - 1][1] != m[1]]
    if runs != ["p", "t", "p", ""]:
        problems.append(f"page numbers not in the order p, t, p, then plain: {numbers}")
    for prefix in ("p", "t", ""):
        sequence = [int(m[2]) for m in parsed if m[1] == prefix]
        if sequence != list(range(1, len(sequence) + 1)):
            problems.append(f"{prefix or 'text'} pages not numbered 1, 2, 3, ...: {sequence}")
    return problems


def test_every_page_has_25_lines_of_at_most_40_cells_numbered_in_order(brf, pages):
    assert layout_problems(brf) == []
    assert len(pages) > 20
    assert max(len(line) for page in pages for line in page) == WIDTH  # page numbers reach the margin


def test_the_layout_check_catches_each_problem(brf):
    pages = brf.split("\f")
    first = pages[0].split("\n")
    long_line = "\n".join(["X" * 41, *first[1:]])
    extra_line = "X\n" + pages[0]
    crowded = "\n".join([*first[:-2], first[-2].lstrip()[:-4] + "XX " + first[-2].strip()[-3:], ""])
    broken = {
        "a line of 41 cells": [long_line, *pages[1:]],
        "has 26 lines": [extra_line, *pages[1:]],
        "outside braille ASCII": [pages[0].replace("P#A", "p#a"), *pages[1:]],
        "no braille page number": [crowded, *pages[1:]],
        "not numbered 1, 2, 3": [*pages[:-2], pages[-1]],
    }
    for expected, bad_pages in broken.items():
        found = " ".join(layout_problems("\f".join(bad_pages)))
        assert expected in found, (expected, found)


def test_print_pages_follow_the_pdf(outputs, pages):
    page_map = json.loads(outputs.page_map.read_text())
    expected = {int(entry["page"]) for entry in page_map["pages"]}
    body = [page for page in pages if page_number(PAGE_NUMBER.search(page[-1])[1]).isdigit()]
    seen: list[int] = []
    for page in body:
        top = page_number(PAGE_NUMBER.search(page[0])[1])
        letter, number = re.fullmatch(r"([a-z]*)(\d+)", top).groups()
        # A print page that began on an earlier braille page carries a continuation letter.
        assert bool(letter) == (int(number) in seen), top
        seen.append(int(number))
        for line in page[1:]:
            if line.startswith("-" * 10):  # a print page indicator: dots 3-6, then the number
                seen.append(int(page_number(line.lstrip("-"))))
    assert set(seen) == expected
    assert seen == sorted(seen), "print pages out of order"


def test_the_unicode_file_has_the_same_pages(outputs, brf):
    text = outputs.braille_txt.read_text(encoding="utf-8")
    assert text == translate.to_unicode(brf)
    assert {c for c in text if c not in "\n\f"} <= {chr(code) for code in range(0x2800, 0x2840)}


def test_front_matter_title_notes_and_contents(outputs, pages, translator):
    title = edition_words(outputs.language)("Immigration Enforcement and Combating Transnational Crime")
    assert translator.translate(title.split()[0]) == pages[0][0].split()[0]  # the title, centred on line 1
    contents = [line for page in pages for line in page if re.search(r'"" \S+$', line)]
    assert len(contents) >= 20, "the contents list the book, its parts and every chapter with a braille page"


# -- the text: every heading and the words of the web edition ------------------------------


def test_every_heading_is_in_the_braille(outputs, back_translated, translator, braille_text):
    _, headings = html_text(outputs)
    if back_translated is None:
        missing = [h for h in headings if f" {translator.translate(h)} " not in braille_text]
        assert not missing, missing
        return
    text = " ".join(one_apostrophe(back_translated).split()).lower()
    missing = [h for h in headings if " ".join(one_apostrophe(h).split()).lower() not in text]
    assert not missing, missing


def test_back_translation_recovers_the_words_of_the_web_edition(outputs, back_translated, translator, braille_text):
    text = html_text(outputs)[0]
    html_words = words(text)
    if back_translated is None:
        # Forward: a word counts when one of its written forms, in braille as the text has it
        # (contracted) or as code has it (uncontracted), is in the file.
        forms = set(WORD.findall(unicodedata.normalize("NFC", text)))
        recovered = {
            form.lower() for form in forms
            if translator.translate(form) in braille_text
            or translator.translate(form, [translate.NO_CONTRACT] * len(form)) in braille_text
        }
    else:
        recovered = html_words & words(back_translated)
    ratio = len(recovered) / len(html_words)
    print(f"\nback-translation recovers {len(recovered)} of {len(html_words)} distinct words: {ratio:.1%}; "
          f"not recovered: {sorted(html_words - recovered)}")
    assert ratio >= 0.97


# -- the downloads ------------------------------------------------------------------------


def test_every_page_offers_both_braille_files_with_sizes(outputs):
    kilobytes = re.escape(edition_words(outputs.language)("KB"))
    for page in ("index.html", "back/glossary.html"):
        soup = BeautifulSoup((outputs.html / page).read_text(encoding="utf-8"), "html.parser")
        links = {a["download"]: a.get_text() for a in soup.select(".handbook-downloads a[download]")}
        for name in (outputs.brf.name, outputs.braille_txt.name):
            assert re.search(rf", [\d.,]+\N{{NO-BREAK SPACE}}{kilobytes}$", links[name]), links
    sums = (outputs.site / "downloads" / "SHA256SUMS").read_text()
    assert f"  {outputs.brf.name}\n" in sums and f"  {outputs.braille_txt.name}\n" in sums


def test_two_braille_builds_are_byte_identical(outputs, tmp_path):
    page_map = outputs.page_map
    # The draft option passes through, so that a translation in progress can be tested.
    env = {"HANDBOOK_LANGUAGE": outputs.language, "HANDBOOK_DRAFT": os.environ.get("HANDBOOK_DRAFT", "0"),
           "PATH": "/usr/bin:/bin"}
    built = []
    for name in ("one", "two"):
        done = subprocess.run(
            [sys.executable, "-m", "sphinx", "-b", "braille", "-q", "-W", "-c", str(ROOT),
             "-d", str(tmp_path / name / "doctrees"), "-D", f"handbook_page_map={page_map}",
             str(ROOT / "docs"), str(tmp_path / name / "out")],
            capture_output=True, text=True, env=env,
        )
        assert done.returncode == 0, done.stderr
        out = tmp_path / name / "out"
        built.append([(out / path.name).read_bytes() for path in (outputs.brf, outputs.braille_txt)])
    assert built[0] == built[1]
    assert built[0][0] == outputs.brf.read_bytes()


# -- liblouis itself and broken input ------------------------------------------------------


def test_our_unicode_mapping_is_liblouis_own():
    text = "The quick brown fox, 1 2 3; all of it! (Yes.) \"Quoted\" -- 50% & more/less?"
    ascii_brf = Translator("en-ueb-g2.ctb").translate(text)
    # liblouis writes Unicode braille itself with its unicode.dis display table.
    assert translate.to_unicode(ascii_brf) == Translator("en-ueb-g2.ctb", display="unicode.dis").translate(text)


def test_tables_of_each_language():
    english, spanish = Translator(translate.TABLES["en"]), Translator(translate.TABLES["es"])
    assert english.translate("the") == "!" and english.has_indicators(translate.TRANSCRIBERS_NOTE)
    assert not spanish.has_indicators(translate.TRANSCRIBERS_NOTE)
    assert spanish.translate("¿Qué?") != english.translate("¿Qué?")
    assert english.undefined_characters("a \N{SNOWMAN} b") == ["\N{SNOWMAN}"]
    assert spanish.undefined_characters("make # build") == ["#"]
    with pytest.raises(translate.LouisError, match="cannot compile the tables .*no-such-table"):
        Translator("no-such-table.ctb")


def test_a_character_without_a_sign_is_written_by_name_where_the_code_lacks_it():
    reports = []
    writer = BodyWriter(Translator(translate.TABLES["es"]), {}, lambda *report: reports.append(report),
                        "Nota:", {"#": "almohadilla"})
    paragraph = nodes.paragraph("", "", nodes.literal("make # build", "make # build"))
    braille = writer.braille(paragraph)
    assert not reports and writer.named == {"#": "almohadilla"}
    assert "almohadilla" in writer.translator.back_translate(braille).replace(" ", "")
    assert set(braille) <= set(BRAILLE_ASCII)


def build_broken(tmp_path: Path, page: str) -> subprocess.CompletedProcess:
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "index.md").write_text(page, encoding="utf-8")
    return subprocess.run(
        [sys.executable, "-m", "sphinx", "-b", "braille", "--no-color", "-q", "-W", "--keep-going", "-c", str(ROOT),
         "-d", "out/doctrees", "docs", "out/braille"],
        cwd=tmp_path, capture_output=True, text=True, env={"HANDBOOK_LANGUAGE": "en", "PATH": "/usr/bin:/bin"},
    )


def test_broken_input_is_one_line_per_problem_and_no_file(tmp_path):
    done = build_broken(tmp_path, (
        "# A small page\n\n"
        "The weather today: \N{SNOWMAN} and more.\n\n"
        "A made-up word follows:\n" + "Pneumonoultramicroscopicsilicovolcanoconiosis" * 2 + ".\n"
    ))
    assert done.returncode != 0 and "Traceback" not in done.stderr
    found = []
    for line in done.stderr.splitlines():
        match = LINE.match(line)
        assert match, f"not a one-line error with file, line and rule: {line!r}"
        assert ". " in match["message"], f"no hint on how to fix it: {line!r}"
        found.append((match["path"], int(match["line"]), match["rule"]))
    assert found == [("docs/index.md", 3, "braille.character-unknown"), ("docs/index.md", 6, "braille.word-too-long")]
    assert "U+2603" in done.stderr and "Pneumonoultramicroscopicsilicovolcanoconiosis" in done.stderr.replace("\n", "")
    assert not list((tmp_path / "out" / "braille").glob("*.brf")), "a braille file was written for broken input"


def test_a_clean_small_page_builds(tmp_path):
    done = build_broken(tmp_path, "# A small page\n\nA **bold** sentence with `code` in it.\n")
    assert (done.returncode, done.stderr) == (0, "")
    assert len(list((tmp_path / "out" / "braille").glob("*.brf"))) == 1


def test_missing_liblouis_is_one_line_naming_the_packages(tmp_path):
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "index.md").write_text("# A small page\n\nSome text.\n")
    # ctypes cannot load the library, as on a machine without liblouis20.
    script = (
        "import ctypes, sys\n"
        "real = ctypes.CDLL\n"
        "def refuse(name, *args, **kwargs):\n"
        "    if 'louis' in str(name):\n"
        "        raise OSError(name + ': cannot open shared object file: No such file or directory')\n"
        "    return real(name, *args, **kwargs)\n"
        "ctypes.CDLL = refuse\n"
        "from sphinx.cmd.build import main\n"
        "sys.exit(main(sys.argv[1:]))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script, "-b", "braille", "-q", "-W", "-c", str(ROOT), "-d", "doctrees", "docs", "out"],
        cwd=tmp_path, capture_output=True, text=True,
    )
    assert done.returncode != 0 and "Traceback" not in done.stderr
    lines = [line for line in done.stderr.splitlines() if "liblouis" in line]
    assert lines and "apt-get install liblouis-bin liblouis-data" in lines[0], done.stderr
    assert not list((tmp_path / "out").glob("*.brf"))
