"""Every edition in its own language, linked to the others (issue 16), on the session's build.

A page links to the same page in every other edition (the language switch in the header,
and <link rel="alternate" hreflang> in the head), says its language on <html>, offers its
own edition's downloads first, and speaks no word of the interface in another language.
The PDFs and the diagram say their language too.
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pikepdf
import pytest
from bs4 import BeautifulSoup, Comment, Doctype
from browser import serve
from conftest import LANGUAGES, ROOT, outputs_of, translator
from handbook.common.editions import SOURCE_LANGUAGE, language_name, site_folder

# Words that are the same in every language the handbook has (format names, a key name,
# the word "Error"): an edition may show them as they are.
SAME_IN_EVERY_LANGUAGE = {"PDF", "EPUB", "Ctrl", "Error"}


def soup(path: Path) -> BeautifulSoup:
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


def target_of(page: Path, href: str) -> Path:
    return (page.parent / unquote(urlsplit(href).path)).resolve()


def page_name(outputs, page: Path) -> str:
    return page.relative_to(outputs.html).as_posix()


def test_every_page_says_its_language(outputs, html_pages):
    assert html_pages
    for page in html_pages:
        assert soup(page).html.get("lang") == outputs.language, page_name(outputs, page)


def test_the_language_switch_leads_to_the_same_page_in_every_other_edition_and_back(outputs, html_pages):
    others = [language for language in LANGUAGES if language != outputs.language]
    for page in html_pages:
        links = soup(page).select("nav.handbook-languages a")
        assert [link["hreflang"] for link in links] == others, page_name(outputs, page)
        for link, language in zip(links, others):
            # Named in its own language, and marked so: a screen reader says "Español" in Spanish.
            assert (link.get_text(strip=True), link["lang"]) == (language_name(language), language)
            counterpart = target_of(page, link["href"])
            other = outputs_of(outputs.build_dir, language)
            assert counterpart == (other.html / page_name(outputs, page)).resolve(), (page, link["href"])
            assert counterpart.is_file(), counterpart
            back = [a for a in soup(counterpart).select("nav.handbook-languages a") if a["hreflang"] == outputs.language]
            assert len(back) == 1 and target_of(counterpart, back[0]["href"]) == page.resolve(), counterpart


def test_the_language_switch_is_a_named_list_of_links_in_the_header(outputs):
    page = soup(outputs.html / "front" / "about.html")
    switch = page.select_one(".bd-header-article nav.handbook-languages")
    assert switch is not None
    assert switch["aria-label"] == translator(outputs.language)("Other languages")
    assert [a.name for a in switch.select("ul > li > a[href]")] == ["a"] * (len(LANGUAGES) - 1)


def test_every_page_lists_every_edition_as_an_alternate(outputs, html_pages):
    for page in html_pages:
        alternates = {link["hreflang"]: link["href"] for link in soup(page).select('head link[rel="alternate"][hreflang]')}
        assert sorted(alternates) == sorted(LANGUAGES), page_name(outputs, page)
        for language, href in alternates.items():
            expected = outputs_of(outputs.build_dir, language).html / page_name(outputs, page)
            assert target_of(page, href) == expected.resolve(), (page, href)


def test_the_editions_own_downloads_come_first_then_the_others_named_with_their_language(outputs, html_pages):
    order = [outputs.language, *(language for language in LANGUAGES if language != outputs.language)]
    for page in html_pages:
        links = soup(page).select("nav.handbook-downloads a")
        assert [link["hreflang"] for link in links] == [language for language in order for _file in outputs.downloads]
        for link in links:
            language = link["hreflang"]
            assert link["download"].startswith(f"ice-mission-areas-{language}"), link["download"]
            text = link.get_text(" ", strip=True)
            named = language_name(language, outputs.language)
            assert (named in text) == (language != outputs.language), (page_name(outputs, page), text)


# -- No word of the interface in another language -----------------------------------------


def interface_words(page: Path) -> set[str]:
    """The page's own words outside its text: names of landmarks and controls, labels, buttons."""
    tree = soup(page)
    for markup in tree.find_all(string=lambda text: isinstance(text, (Comment, Doctype))):
        markup.extract()
    # The text of the pages (the article, the contents, the titles in links) is the translators'.
    for part in tree.select("article, script, style, title, head link, nav.bd-docs-nav .bd-toc-item, nav.page-toc, "
                            "#jb-print-docs-body, .prev-next-footer, .handbook-languages"):
        part.decompose()
    words = set()
    for element in tree.find_all(True):
        for attribute in ("aria-label", "title", "placeholder", "alt"):
            value = element.get(attribute)
            if isinstance(value, str) and re.search("[A-Za-z]{2}", value):
                words.add(value.strip())
    for text in tree.find_all(string=True):
        if re.search("[A-Za-z]{2}", text):
            words.add(" ".join(text.split()))
    return words - SAME_IN_EVERY_LANGUAGE


@pytest.mark.parametrize("page", ["index.html", "front/about.html", "search.html", "genindex.html"])
def test_no_interface_word_is_left_in_english(outputs, page):
    if outputs.language == SOURCE_LANGUAGE:
        pytest.skip("the English edition is the source")
    source = outputs_of(outputs.build_dir, SOURCE_LANGUAGE)
    english = interface_words(source.html / page)
    left = sorted(interface_words(outputs.html / page) & english)
    assert not left, f"{page} shows these words as the English edition does: {left}"


# -- The print editions and the diagram ----------------------------------------------------


@pytest.mark.parametrize("edition", ["pdf", "large_print_pdf"])
def test_the_pdfs_say_their_language(outputs, edition):
    with pikepdf.open(getattr(outputs, edition)) as pdf:
        assert str(pdf.Root.Lang) == outputs.language
        assert str(pdf.docinfo["/Title"]).startswith(
            translator(outputs.language)("Immigration Enforcement and Combating Transnational Crime"))


def test_the_diagram_speaks_the_editions_language(outputs):
    _ = translator(outputs.language)
    title_of = re.compile(r"<title[^>]*>([^<]*)</title>")
    english = title_of.search((ROOT / "docs" / "images" / "mission-areas.svg").read_text(encoding="utf-8")).group(1)
    svg = (outputs.html / "_images" / "mission-areas.svg").read_text(encoding="utf-8")
    assert title_of.search(svg).group(1) == _(english)
    assert (f'xml:lang="{outputs.language}"' in svg) == (outputs.language != SOURCE_LANGUAGE)
    assert f">{_('Immigration Enforcement')}</text>" in svg


# Each label's box: the smallest rectangle around the middle of its text, but the background.
LABELS_OUTSIDE_THEIR_BOXES = """() => {
  const svg = document.documentElement, width = svg.viewBox.baseVal.width;
  const boxes = [...svg.querySelectorAll('rect')].map(rect => rect.getBBox()).filter(box => box.width < 0.9 * width);
  return [...svg.querySelectorAll('text')].flatMap(text => {
    const label = text.getBBox(), x = label.x + label.width / 2, y = label.y + label.height / 2;
    const box = boxes.filter(b => x >= b.x && x <= b.x + b.width && y >= b.y && y <= b.y + b.height)
                     .sort((a, b) => a.width * a.height - b.width * b.height)[0];
    return box && (label.x < box.x || label.x + label.width > box.x + box.width)
      ? [`${text.textContent}: ${Math.round(label.width)} wide, its box ${Math.round(box.width)}`] : [];
  });
}"""


def test_every_diagram_label_fits_its_box_in_the_editions_words(outputs, browser):
    # A translation longer than the English runs out of its box, and its ends are drawn
    # white on white. Measured in Chromium, whose fallback font is wider than the PDFs'.
    diagrams = [outputs.html / "_images" / "mission-areas.svg",
                *sorted((outputs.build_dir / ".stage" / outputs.language / "pdf" / "_images").glob("*.svg"))]
    assert len(diagrams) == 3, "the site's diagram, and the standard and large-print PDFs'"
    page = browser.new_page()
    outside = {}
    with serve(outputs.build_dir) as base:
        for diagram in diagrams:
            page.goto(base + diagram.relative_to(outputs.build_dir).as_posix())
            outside[diagram] = page.evaluate(LABELS_OUTSIDE_THEIR_BOXES)
    page.close()
    assert outside == {diagram: [] for diagram in diagrams}


def test_english_is_at_the_sites_root_and_every_other_edition_in_its_folder(build):
    site = build / "html"
    assert soup(site / "index.html").html["lang"] == SOURCE_LANGUAGE
    for language in LANGUAGES:
        assert soup(site / site_folder(language) / "index.html").html["lang"] == language
    assert (site / "es" / "front" / "about.html").is_file()


def test_each_page_is_dated_by_its_last_change_in_the_editions_language(outputs):
    """A translated page changed last when its English text or its catalogue did."""
    import datetime as dt
    import subprocess

    from babel.dates import format_date

    from handbook import LOCALES
    from handbook.common.translations import catalogue_path

    def last_commit(path: Path) -> int:
        return int(subprocess.run(["git", "log", "-1", "--format=%ct", "--", str(path)], cwd=ROOT,
                                  capture_output=True, text=True, check=True).stdout.strip())

    sources = [ROOT / "docs" / "front" / "about.md"]
    if outputs.language != SOURCE_LANGUAGE:
        sources.append(catalogue_path(LOCALES, outputs.language, "front/about"))
    day = dt.datetime.fromtimestamp(max(map(last_commit, sources)), tz=dt.timezone.utc).date()
    footer = soup(outputs.html / "front" / "about.html").select_one(".last-updated").get_text(" ", strip=True)
    assert format_date(day, format="long", locale=outputs.language) in footer, footer
