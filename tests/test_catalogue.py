"""The translation machinery, without Sphinx: catalogues (_ext/handbook/common/catalogue.py),
the editions (editions.py), the language switch (web/language_switch.py) and the diagrams
(diagrams.py), on small catalogues and the real ones."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
from PIL import ImageFont

from conftest import LANGUAGES, ROOT
from handbook import LOCALES
from handbook.common import catalogue, diagrams, editions
from handbook.common.fonts import font_directory
from handbook.common.translations import CATALOGUE, catalogue_path, translations_for
from handbook.web import language_switch

HEADER = '''msgid ""
msgstr ""
"Language: es\\n"
"Content-Type: text/plain; charset=UTF-8\\n"

'''


def po(tmp_path: Path, body: str, name: str = "page.po") -> Path:
    path = tmp_path / "es" / "LC_MESSAGES" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(HEADER + body, encoding="utf-8")
    return path


# -- Counting what a catalogue lacks -----------------------------------------------------


def test_a_complete_catalogue_has_no_gap(tmp_path):
    path = po(tmp_path, 'msgid "One"\nmsgstr "Uno"\n\nmsgid "Two"\nmsgstr "Dos"\n')
    assert catalogue.catalogue_gap(path).count == 0


def test_untranslated_and_fuzzy_messages_are_counted_from_the_first_one(tmp_path):
    path = po(tmp_path, (
        'msgid "One"\nmsgstr "Uno"\n\n'          # lines 6-7
        'msgid "Two"\nmsgstr ""\n\n'             # lines 9-10: untranslated
        '#, fuzzy\nmsgid "Three"\nmsgstr "Tres"\n\n'  # lines 12-14: fuzzy (its English changed)
        'msgid "Four"\nmsgstr ""\n\n'
        '#~ msgid "Gone"\n#~ msgstr ""\n'       # obsolete: not a message of the page any more
    ))
    gap = catalogue.catalogue_gap(path)
    assert (gap.untranslated, gap.fuzzy, gap.new, gap.missing, gap.line) == (2, 1, 0, 0, 9)


def test_a_plural_needs_every_form(tmp_path):
    path = po(tmp_path, 'msgid "one file"\nmsgid_plural "%(n)d files"\nmsgstr[0] "un archivo"\nmsgstr[1] ""\n'
                        'msgstr[2] ""\n')
    assert catalogue.catalogue_gap(path).untranslated == 1


def test_a_page_without_a_catalogue_is_a_gap(tmp_path):
    gap = catalogue.catalogue_gap(tmp_path / "es" / "LC_MESSAGES" / "new-page.po")
    assert (gap.missing, gap.count) == (1, 1)


def test_words_of_the_code_missing_from_the_catalogue_are_new(tmp_path):
    path = po(tmp_path, 'msgid "Download"\nmsgstr "Descargar"\n')
    gap = catalogue.catalogue_gap(path, code_messages=["Download", "Other languages"])
    assert (gap.new, gap.count) == (1, 1)


def test_an_unreadable_catalogue_is_one_line_with_its_place(tmp_path):
    path = po(tmp_path, 'a note without its #\nmsgid "One"\nmsgstr "Uno"\n')
    with pytest.raises(catalogue.CatalogueError) as raised:
        catalogue.catalogue_gap(path)
    assert str(raised.value) == f"{path}:6: Unknown or misformatted keyword"


def test_text_without_a_translation_is_found_whatever_its_node():
    from docutils import nodes

    paragraph, image, caption = nodes.paragraph(), nodes.image(), nodes.title()
    messages = [(paragraph, "A sentence."), (image, "Diagram."), (caption, "Reference")]
    translations = {"Diagram.": "Diagrama.", "Reference": "  ", "Other": "Otro"}
    assert catalogue.missing_messages(messages, translations) == [paragraph, caption]


# -- The one line that stops an incomplete edition ------------------------------------------


def test_one_incomplete_catalogue_is_named_with_its_counts(tmp_path):
    path = po(tmp_path, "")
    location, message = catalogue.incomplete_edition_line(
        [catalogue.Gap(path, untranslated=12, fuzzy=3, line=27)], "es")
    assert location == f"{path}:27"
    assert message.startswith("12 untranslated, 3 fuzzy messages (the Spanish edition is incomplete). Translate them")
    assert message.endswith("or build a draft with make HANDBOOK_DRAFT=1")
    assert "\n" not in message


def test_several_incomplete_catalogues_are_added_up_the_largest_first(tmp_path):
    folder = tmp_path / "es" / "LC_MESSAGES"
    gaps = [
        catalogue.Gap(folder / "index.po", untranslated=2, line=5),
        catalogue.Gap(folder / "back" / "glossary.po", untranslated=10, fuzzy=1, line=40),
        catalogue.Gap(folder / "front" / "new.po", missing=1),
        catalogue.Gap(folder / "complete.po"),
    ]
    location, message = catalogue.incomplete_edition_line(gaps, "es")
    assert location.endswith("back/glossary.po:40")
    assert message.startswith("12 untranslated, 1 fuzzy messages, 1 catalogue missing in 3 catalogues, the most here; "
                              "also index.po (2), front/new.po (1) (the Spanish edition is incomplete)")
    assert "complete.po" not in message


def test_a_long_list_of_catalogues_is_cut_short(tmp_path):
    gaps = [catalogue.Gap(tmp_path / "es" / "LC_MESSAGES" / f"page{n}.po", untranslated=n) for n in range(1, 10)]
    _, message = catalogue.incomplete_edition_line(gaps, "es")
    assert "page9.po" not in message.split("the most here")[1]
    assert "and 3 more" in message


# -- The handbook's own words ------------------------------------------------------------------


def test_the_code_messages_come_from_conf_the_extensions_the_templates_and_the_diagrams():
    found = catalogue.code_messages()
    places = {name for locations in found.values() for name, _ in locations}
    assert found["Immigration Enforcement and Combating Transnational Crime"][0][0] == "conf.py"
    assert "_templates/language-switch.html" in places
    assert "_themes/print/page.html" in places
    assert "_ext/handbook/web/downloads.py" in places
    assert "docs/images/mission-areas.svg" in places
    assert "untranslated" in found  # a console message (``__``)


def test_the_template_of_the_handbook_catalogue_has_no_locations(tmp_path):
    catalogue.write_pot({"Download": [("_templates/downloads.html", 8)], "A": [("conf.py", 1)]},
                        tmp_path / "handbook.pot", "handbook")
    text = (tmp_path / "handbook.pot").read_text(encoding="utf-8")
    assert "#:" not in text
    assert text.index('msgid "A"') < text.index('msgid "Download"')


@pytest.mark.parametrize("language", [language for language in LANGUAGES if language != editions.SOURCE_LANGUAGE])
def test_the_handbook_catalogue_translates_every_word_of_the_code(language):
    """The committed catalogue is complete: every message of the code, translated, none fuzzy."""
    gap = catalogue.catalogue_gap(catalogue_path(LOCALES, language, CATALOGUE), catalogue.code_messages())
    assert gap.count == 0, catalogue.describe(gap)


# -- Editions and the language switch -----------------------------------------------------------


def test_english_is_the_sites_root_and_the_others_have_a_folder():
    assert editions.site_folder("en") == ""
    assert editions.site_folder("es") == "es/"


def test_links_between_editions_are_relative():
    assert editions.site_href("es/front/about.html", "front/about.html") == "../../front/about.html"
    assert editions.site_href("index.html", "es/index.html") == "es/index.html"
    assert editions.site_href("es/index.html", "downloads/a.pdf") == "../downloads/a.pdf"


def test_languages_are_named_in_their_own_language_or_the_readers():
    assert editions.language_name("es") == "Español"
    assert editions.language_name("en") == "English"
    assert editions.language_name("en", "es") == "inglés"
    assert editions.language_name("es", "en") == "Spanish"


def test_the_readers_own_edition_comes_first():
    assert editions.others_first("es", ["en", "es"]) == ["es", "en"]
    assert editions.others_first("en", ["en", "es"]) == ["en", "es"]


def test_every_page_has_its_counterpart_in_each_edition():
    links = language_switch.counterparts("front/about", ".html", "es", ["en", "es"])
    assert links == [
        {"language": "en", "name": "English", "href": "../../front/about.html", "current": False},
        {"language": "es", "name": "Español", "href": "about.html", "current": True},
    ]
    head = language_switch.alternate_links(links)
    assert '<link rel="alternate" hreflang="en" href="../../front/about.html" />' in head


# -- The diagram ---------------------------------------------------------------------------------

DIAGRAM = ROOT / "docs" / "images" / "mission-areas.svg"


def test_the_diagram_gives_its_title_description_and_labels_to_translate():
    messages = [text for _, text in diagrams.svg_messages(DIAGRAM.read_text(encoding="utf-8"))]
    assert messages[0] == re.search(r"<title[^>]*>([^<]*)</title>", DIAGRAM.read_text(encoding="utf-8")).group(1)
    assert "Immigration Enforcement" in messages and "Counter-proliferation" in messages


def test_a_translated_diagram_has_its_words_and_language():
    svg = '<svg xmlns="http://www.w3.org/2000/svg"><title>A &amp; B</title><text x="1">A  &lt;B&gt;</text></svg>'
    translated = diagrams.translate_svg(svg, lambda text: f"[{text}]", "es")
    assert translated == ('<svg xml:lang="es" xmlns="http://www.w3.org/2000/svg"><title>[A &amp; B]</title>'
                          '<text x="1">[A &lt;B&gt;]</text></svg>')


def labels_and_boxes(svg: str):
    """Every label with its font, and the width of the box it is centred in."""
    boxes = [tuple(float(v) for v in m.groups()) for m in re.finditer(
        r'<rect x="([\d.]+)" y="([\d.]+)" width="([\d.]+)" height="([\d.]+)"', svg)]
    for match in re.finditer(r"<g ([^>]*)>((?:\s*<text [^>]*>[^<]*</text>)+)|(<text [^>]*>[^<]*</text>)", svg):
        group_attrs, texts = (match.group(1) or ""), (match.group(2) or match.group(3))
        for text in re.finditer(r"<text ([^>]*)>([^<]*)</text>", texts):
            attrs = group_attrs + " " + text.group(1)
            x, y = (float(re.search(rf'\b{a}="([\d.]+)"', attrs).group(1)) for a in ("x", "y"))
            size = float(re.search(r'font-size="([\d.]+)"', attrs).group(1))
            bold = 'font-weight="bold"' in attrs
            box = next(b for b in boxes if b[0] < x < b[0] + b[2] and b[1] < y < b[1] + b[3] and b[2] < 900)
            yield text.group(2), size, bold, box[2]


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_label_of_the_diagram_fits_its_box(language):
    svg = diagrams.translate_svg(DIAGRAM.read_text(encoding="utf-8"), translations_for(language).gettext, language)
    fonts = Path(font_directory())
    checked = 0
    for label, size, bold, width in labels_and_boxes(svg):
        font = ImageFont.truetype(str(fonts / f"AtkinsonHyperlegible-{'Bold' if bold else 'Regular'}.ttf"), size)
        assert font.getlength(label) <= width - 16, f"{label!r} is wider than its box ({width:.0f} px)"
        checked += 1
    assert checked == 21


def test_updated_catalogues_end_with_one_newline_as_every_file(tmp_path):
    from babel.messages.catalog import Catalog
    from babel.messages.pofile import write_po

    path = tmp_path / "page.po"
    catalog = Catalog(locale="es")
    catalog.add("One", "Uno")
    with path.open("wb") as out:
        write_po(out, catalog)
    assert path.read_text().endswith('"\n\n')  # as Babel and sphinx-intl write it
    catalogue.main(["--tidy", str(tmp_path)])
    assert path.read_text().endswith('msgstr "Uno"\n')



def marked_in_f_strings(source: str) -> list[int]:
    """The lines of the `_()` and `__()` calls inside f-strings. Before Python 3.12 an
    f-string is one token, so babel does not see them: handbook.pot made with Debian 12's
    Python 3.11 missed them, and the Spanish build with Debian 13's 3.13 (which sees them)
    stopped at "3 new messages"."""
    return sorted(
        call.lineno
        for node in ast.walk(ast.parse(source)) if isinstance(node, ast.JoinedStr)
        for call in ast.walk(node)
        if isinstance(call, ast.Call) and isinstance(call.func, ast.Name) and call.func.id in {"_", "__"}
    )


def test_no_message_is_marked_inside_an_f_string():
    found = {str(path.relative_to(ROOT)): lines
             for path in [ROOT / "conf.py", *sorted((ROOT / "_ext").rglob("*.py"))]
             if (lines := marked_in_f_strings(path.read_text(encoding="utf-8")))}
    assert not found, found


def test_a_message_marked_inside_an_f_string_is_found():
    assert marked_in_f_strings("line = f\"{edition}. {_('Draft')}\"\nok = _('Edition')\n") == [1]
