"""Never a mislabelled edition (issue 16): a real build of a copy of the sources.

The copy's Spanish catalogues are first brought up to date (`make update-po`) and made
complete with stand-in translations (a missing one translated as itself), so that the
checks see exactly the one defect each test puts in, whatever the state of the real
translation. Then:

- one message left untranslated stops the Spanish build before it writes anything, with
  one line that says how many messages are missing and where;
- a page whose English changed since its catalogue was updated stops it too, after reading;
- with HANDBOOK_DRAFT=1 the edition builds, marked as a draft in every format, and the
  untranslated text is marked as English.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pikepdf
import pytest
from babel.messages.pofile import read_po, write_po
from bs4 import BeautifulSoup

from conftest import ROOT, copy_sources, edition_pages, outputs_of, run_make, translator

# Every test runs `make` on a copy of the handbook (update-po, whole editions): `make test`.
pytestmark = pytest.mark.slow

LANGUAGE = "es"
CATALOGUES = Path("locales") / LANGUAGE / "LC_MESSAGES"
# The message each test takes out: a glossary definition's page, far from the first line.
PAGE = "back/glossary"


def rewrite_catalogue(path: Path, change) -> None:
    with path.open("rb") as source:
        catalog = read_po(source)
    change(catalog)
    with path.open("wb") as target:
        write_po(target, catalog, width=76, ignore_obsolete=True)


def stand_in_translations(catalog) -> None:
    for message in catalog:
        if message.id and (not message.string or message.fuzzy):
            message.string = message.id
            message.flags.discard("fuzzy")


def first_message(catalog):
    return next(message for message in catalog if message.id)


@pytest.fixture(scope="module")
def tree(tmp_path_factory) -> Path:
    """A copy of the sources with a complete Spanish translation: the real one, brought up to
    date with `make update-po` and completed with stand-ins where it is not (yet) complete."""
    tree = copy_sources(tmp_path_factory.mktemp("translated"))
    done = run_make(tmp_path_factory.mktemp("update-po"), "update-po", languages=["en", LANGUAGE], cwd=tree)
    assert done.returncode == 0, done.stdout + done.stderr
    for path in sorted((tree / CATALOGUES).rglob("*.po")):
        rewrite_catalogue(path, stand_in_translations)
    return tree


def make_spanish(tree: Path, build: Path, *targets: str, draft: bool = False) -> subprocess.CompletedProcess:
    # --no-color: Sphinx colours its messages when CI is set, and the lines are read as text.
    return run_make(build, *targets, f"HANDBOOK_DRAFT={int(draft)}", "SPHINXOPTS=--no-color",
                    languages=[LANGUAGE], cwd=tree)


def problem_lines(done: subprocess.CompletedProcess) -> list[str]:
    return [line for line in (done.stdout + done.stderr).splitlines() if "[translation-" in line]


def test_a_complete_translation_passes_the_checks(tree, tmp_path):
    done = make_spanish(tree, tmp_path, "lint")
    assert done.returncode == 0, done.stdout + done.stderr


def test_one_untranslated_message_stops_the_build_with_one_line(tree, tmp_path):
    catalogue = tree / CATALOGUES / f"{PAGE}.po"
    original = catalogue.read_bytes()
    blanked = {}

    def untranslate_one(catalog) -> None:
        message = list(catalog)[5]
        blanked["line"] = message.lineno
        message.string = ""

    try:
        rewrite_catalogue(catalogue, untranslate_one)
        done = make_spanish(tree, tmp_path, "pdf")
    finally:
        catalogue.write_bytes(original)
    assert done.returncode != 0
    assert "Traceback" not in done.stderr
    (line,) = problem_lines(done)
    assert line.startswith(f"locales/es/LC_MESSAGES/{PAGE}.po:{blanked['line']}: [translation-incomplete] "
                           "1 untranslated message (the Spanish edition is incomplete). Translate them"), line
    assert line.endswith("or build a draft with make HANDBOOK_DRAFT=1"), line
    assert not list((tmp_path / "pdf").glob("*.pdf")), "an incomplete edition was published"


def test_a_changed_english_sentence_stops_the_build_with_one_line(tree, tmp_path):
    catalogue = tree / CATALOGUES / f"{PAGE}.po"
    original = catalogue.read_bytes()

    def forget_one(catalog) -> None:
        # As after an edit of the English text: the page has a sentence its catalogue does not know.
        del catalog[list(catalog)[5].id]

    try:
        rewrite_catalogue(catalogue, forget_one)
        done = make_spanish(tree, tmp_path, "pdf")
    finally:
        catalogue.write_bytes(original)
    assert done.returncode != 0
    assert "Traceback" not in done.stderr
    (line,) = problem_lines(done)
    assert line.startswith(f"locales/es/LC_MESSAGES/{PAGE}.po:1: [translation-incomplete] 1 new message "
                           "(the Spanish edition is incomplete)"), line
    assert "make update-po" in line
    assert not list((tmp_path / "pdf").glob("*.pdf")), "an incomplete edition was published"


# -- A draft ----------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def draft(tree, tmp_path_factory):
    """Every format of a Spanish draft with one untranslated paragraph, and that paragraph's English."""
    catalogue = tree / CATALOGUES / f"{PAGE}.po"
    left = {}

    def untranslate_a_paragraph(catalog) -> None:
        message = next(m for m in catalog if m.id and len(m.id.split()) > 8 and "{" not in m.id and "`" not in m.id)
        left["text"] = message.id
        message.string = ""

    original = catalogue.read_bytes()
    build = tmp_path_factory.mktemp("draft")
    try:
        rewrite_catalogue(catalogue, untranslate_a_paragraph)
        done = make_spanish(tree, build, "all", draft=True)
    finally:
        catalogue.write_bytes(original)
    assert done.returncode == 0, done.stdout + done.stderr
    return outputs_of(build, LANGUAGE), left["text"]


def test_every_page_of_a_draft_says_it_is_one(draft):
    outputs, _ = draft
    notice = " ".join(translator(LANGUAGE)("This translation is not complete: some of the text is still in English.")
                      .split())
    pages = edition_pages(outputs)
    assert pages
    for page in pages:
        found = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser").select_one('main [role="note"]')
        assert found is not None and notice in " ".join(found.get_text(" ").split()), page


def test_a_drafts_english_text_is_marked_as_english(draft):
    outputs, english = draft
    page = BeautifulSoup((outputs.html / f"{PAGE}.html").read_text(encoding="utf-8"), "html.parser")
    marked = [element for element in page.select('article [lang="en"]')
              if " ".join(element.get_text(" ").split()).startswith(" ".join(english.split())[:40])]
    assert marked, "the untranslated paragraph is not marked as English"
    assert page.html["lang"] == LANGUAGE


@pytest.mark.parametrize("edition", ["pdf", "large_print_pdf"])
def test_a_draft_pdf_says_so_on_its_cover_at_the_foot_of_every_page_and_in_its_title(draft, edition):
    outputs, _ = draft
    _ = translator(LANGUAGE)
    path = getattr(outputs, edition)
    with pikepdf.open(path) as pdf:
        pages = len(pdf.pages)
        assert str(pdf.docinfo["/Title"]).endswith(f"({_('Draft').lower()})")
    cover = subprocess.run(["pdftotext", "-f", "1", "-l", "1", str(path), "-"],
                           capture_output=True, text=True, check=True).stdout
    assert " ".join(_("This translation is not complete: some of the text is still in English.").split()) \
        in " ".join(cover.split())
    unmarked = []
    for number in range(1, pages + 1):
        text = subprocess.run(["pdftotext", "-f", str(number), "-l", str(number), str(path), "-"],
                              capture_output=True, text=True, check=True).stdout
        if _("Draft").upper() not in text:
            unmarked.append(number)
    assert not unmarked, f"pages without the draft mark: {unmarked}"


def test_a_draft_epub_says_so_in_its_title_cover_and_colophon(draft):
    outputs, _ = draft
    _ = translator(LANGUAGE)
    with zipfile.ZipFile(outputs.epub) as book:
        opf = book.read("content.opf").decode()
        cover = book.read("cover.xhtml").decode()
        colophon = book.read("colophon.xhtml").decode()
    title = re.search(r"<dc:title>([^<]*)</dc:title>", opf).group(1)
    assert title == _("%(title)s (draft)") % {"title": _("Immigration Enforcement and Combating Transnational Crime")}
    assert _("Draft") in re.search(r'alt="([^"]*)"', cover).group(1)
    assert _("This translation is not complete: some of the text is still in English.") in colophon


def test_the_english_edition_is_never_a_draft(tmp_path):
    env = {**os.environ, "HANDBOOK_LANGUAGE": "en", "HANDBOOK_DRAFT": "1"}
    done = subprocess.run(
        [sys.executable, "-m", "sphinx", "-b", "html", "-q", "-W", "--keep-going", "-c", str(ROOT),
         "-D", "handbook_downloads_required=0", "-d", str(tmp_path / "doctrees"), str(ROOT / "docs"),
         str(tmp_path / "html")],
        capture_output=True, text=True, env=env,
    )
    assert done.returncode == 0, done.stderr
    page = BeautifulSoup((tmp_path / "html" / "front" / "about.html").read_text(encoding="utf-8"), "html.parser")
    assert page.select_one(".handbook-draft") is None
    assert not page.select('article [lang="en"]')
