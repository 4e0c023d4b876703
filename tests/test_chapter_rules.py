"""The shape of a chapter (_ext/handbook/rules/chapters.py), on small pages read by Sphinx.

The broken-page corpus shows each rule as a build line (test_content_checks.py).
"""

from __future__ import annotations

import gettext
import io

import pytest
import sphinx.locale
from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo

from handbook.rules import chapters
from myst_pages import read_pages

IN_BRIEF = ":::{admonition} In brief\n:class: in-brief\n\nIt has a summary. It is short.\n:::\n"
RELATED = "## Related\n\n- {doc}`A chapter in good shape <good>`\n"


def chapter(title: str, *parts: str) -> str:
    return f"# {title}\n\n" + "\n".join(parts)


PAGES = {
    "index": "# Book\n\n```{toctree}\n:caption: Front\n\nfront\n```\n\n"
             "```{toctree}\n:caption: Part one\n:class: part\n\ngood\nsub/deep\n```\n\n"
             "```{toctree}\n:caption: Part two\n:class: part\n\nother\n```\n",
    "front": "# Front\n\nNo box, no links: not a chapter.\n",
    "good": chapter("Good", IN_BRIEF, "## Body\n\nText.\n", "## Related\n\n- {doc}`The chapter of part two <other>`\n"
                    "- [The deep chapter of this part](sub/deep.md)\n"),
    "other": chapter("Other", IN_BRIEF, RELATED),
    "sub/deep": chapter("Deep", IN_BRIEF, "## Related\n\n- {doc}`The good chapter again </good>`\n"
                        "- {doc}`The chapter of part two <../other>`\n"),
    "no-box": chapter("No box", "Text first.\n", RELATED),
    "box-later": chapter("Box later", "Text first.\n", IN_BRIEF, RELATED),
    "box-untagged": chapter("Box untagged", ":::{admonition} In brief\n\nIt is here. It has no class.\n:::\n", RELATED),
    "box-long": chapter("Box long", ":::{admonition} In brief\n:class: in-brief\n\nOne. Two. Three. Four. Five.\n:::\n",
                        RELATED),
    "box-short": chapter("Box short", ":::{admonition} In brief\n:class: in-brief\n\nThe U.S. box has one.\n:::\n",
                         RELATED),
    "no-related": chapter("No related", IN_BRIEF, "## Body\n\nText.\n"),
    "related-early": chapter("Related early", IN_BRIEF, RELATED, "## Body\n\nText.\n"),
    "related-prose": chapter("Related prose", IN_BRIEF, RELATED + "\nAnd a paragraph.\n"),
    "related-items": chapter("Related items", IN_BRIEF, "## Related\n\n- {doc}`Good <good>`\n- {doc}`good`\n"
                             "- See {doc}`a chapter in good shape <good>`\n"
                             "- [A web page about it](https://example.org)\n"),
}


@pytest.fixture(scope="module")
def trees(tmp_path_factory):
    return read_pages(tmp_path_factory.mktemp("chapters"), PAGES)


def findings(tree) -> list[tuple[str, int]]:
    return [(finding.rule, finding.line) for finding in chapters.check_chapter(tree)]


def test_the_parts_and_their_chapters_come_from_the_part_toctrees(trees):
    assert [(p.caption, p.chapters, p.where["line"]) for p in chapters.parts(trees["index"])] == [
        ("Part one", ("good", "sub/deep"), 9), ("Part two", ("other",), 17)]
    assert chapters.chapters({"index": chapters.parts(trees["index"])}) == {"good", "sub/deep", "other"}


@pytest.mark.parametrize("page", ["good", "other", "sub/deep"])
def test_a_chapter_in_good_shape_has_no_finding(trees, page):
    assert findings(trees[page]) == []


@pytest.mark.parametrize(("page", "expected", "words"), [
    ("no-box", [("in-brief-missing", 1)], "has no In brief box"),
    ("box-later", [("in-brief-missing", 5)], "right after the chapter's title"),
    ("box-untagged", [("in-brief-missing", 3)], ":class: in-brief"),
    ("box-long", [("in-brief-length", 3)], "too long"),
    ("box-short", [("in-brief-length", 3)], "too short"),  # "U.S." ends no sentence
    ("no-related", [("related-missing", 1)], "does not end with a Related section"),
    ("related-early", [("related-missing", 9)], "must be the chapter's last section"),
    ("related-prose", [("related-item", 9)], "one list of links and nothing else"),
])
def test_each_break_of_the_shape_is_one_finding(trees, page, expected, words):
    assert findings(trees[page]) == expected
    assert words in chapters.check_chapter(trees[page])[0].message


def test_each_poor_item_of_the_related_list_is_a_finding(trees):
    # Too few words, no words of its own, more than a link, not a link to a page.
    assert findings(trees["related-items"]) == [("related-item", line) for line in (11, 12, 13, 14)]


def test_related_links_are_read_as_the_pages_they_lead_to(trees):
    assert chapters.related_targets(trees["good"], "good") == ["other", "sub/deep"]
    assert chapters.related_targets(trees["sub/deep"], "sub/deep") == ["good", "other"]
    assert chapters.related_targets(trees["no-related"], "no-related") == []


def test_each_part_must_lead_to_another_part(trees):
    parts = {"index": chapters.parts(trees["index"])}
    related = {name: chapters.related_targets(tree, name) for name, tree in trees.items()}
    # Part one has two chapters, both link to part two; part two's one chapter links back.
    assert list(chapters.too_few_links_across_parts(parts, related)) == []
    related["sub/deep"] = ["good"]
    found = [(doc, f.rule, f.line) for doc, f in chapters.too_few_links_across_parts(parts, related)]
    assert found == [("index", "related-across-parts", 9)]


# -- Another language -------------------------------------------------------------------


@pytest.fixture
def spanish_catalogue(monkeypatch):
    """The handbook catalogue with Spanish titles, as the Spanish edition's build loads it."""
    catalogue = Catalog(locale="es", domain="handbook")
    catalogue.add("Related", "Relacionados")
    catalogue.add("In brief", "En resumen")
    mo = io.BytesIO()
    write_mo(mo, catalogue)
    mo.seek(0)
    monkeypatch.setitem(sphinx.locale.translators, ("general", "handbook"), gettext.GNUTranslations(mo))


SPANISH = {
    "index": "# Libro\n\n```{toctree}\n:class: part\n\nbien\nsin-relacionados\n```\n",
    "bien": "# Bien\n\n:::{admonition} En resumen\n:class: in-brief\n\nTiene un resumen. Es corto.\n:::\n\n"
            "## Relacionados\n\n- {doc}`El capítulo que sigue <sin-relacionados>`\n",
    "sin-relacionados": "# Sin enlaces\n\n:::{admonition} En resumen\n:class: in-brief\n\nTiene un resumen. "
                        "Es corto.\n:::\n\n## Véase\n\n- {doc}`El capítulo de antes <bien>`\n",
}


def test_a_translated_chapter_is_found_by_its_class_and_the_catalogues_title(tmp_path, spanish_catalogue):
    trees = read_pages(tmp_path, SPANISH, language="es")
    assert findings(trees["bien"]) == []
    (finding,) = chapters.check_chapter(trees["sin-relacionados"])
    assert (finding.rule, finding.line) == ("related-missing", 1)
    assert "## Relacionados" in finding.message
