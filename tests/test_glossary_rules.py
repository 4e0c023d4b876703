"""The glossary and abbreviation rules (_ext/handbook/rules/glossary.py), on small pages read by Sphinx.

The broken-page corpus shows each rule as a build line (test_content_checks.py).
"""

from __future__ import annotations

import random

import pytest
from docutils import nodes

from handbook.rules import glossary
from myst_pages import read_pages


# -- Alphabetical order, per language ---------------------------------------------------

ENGLISH_ORDER = ["287(g) program", "AA", "AAA", "administrative arrest", "at large", "attaché", "biometric",
                 "counter-proliferation", "counterfeit", "EPUB", "Étude", "expert", "U.S.", "undocumented"]
SPANISH_ORDER = ["árbol", "arma", "canal", "nación", "nudo", "ñandú", "ñu", "oso", "único"]


@pytest.mark.parametrize(("language", "order"), [("en", ENGLISH_ORDER), ("es", SPANISH_ORDER)])
def test_terms_sort_in_the_languages_alphabet(language, order):
    shuffled = random.Random(15).sample(order, len(order))
    assert sorted(shuffled, key=lambda term: glossary.collation_key(term, language)) == order


def test_n_with_tilde_is_a_letter_of_its_own_only_in_spanish():
    assert glossary.collation_key("ñu", "es") > glossary.collation_key("nz", "es")
    assert glossary.collation_key("ñu", "en") < glossary.collation_key("nz", "en")


GLOSSARY = """# Glossary

```{glossary}
apple
   A fruit.

zebra crossing
   A place to cross a road.

mango
   A sweet fruit from warm countries

quince
   %s
```
""" % " ".join(["word"] * 60 + ["end."])


@pytest.fixture(scope="module")
def trees(tmp_path_factory):
    pages = {
        "glossary": GLOSSARY,
        "first": "# First\n\nHSI looks into crime. Then {abbr}`HSI (Homeland Security Investigations)` again.\n"
                 "{abbr}`ERO (Enforcement and Removal Operations)` and {term}`apple`.\n\n"
                 "{abbr}`ERO (Enforcement and Removal Operations)` is spelled out twice.\n",
        "plain": "# Plain\n\nThe HyperText Markup Language\n(HTML) is spelled out in the text. HTML again.\n",
        "terms": "# Terms\n\n```{glossary}\nERO\n   Enforcement and Removal Operations. A part of ICE.\n\n"
                 "HSI\n   Homeland Security Inquiries. A part of ICE.\n```\n\nERO and {term}`zebra crossing`.\n",
    }
    return read_pages(tmp_path_factory.mktemp("glossary"), pages, spell_out_abbreviations=False)


@pytest.fixture(scope="module")
def entries(trees):
    (entries,) = glossary.entries(trees["glossary"])
    return entries


def test_entries_have_their_terms_page_lines(entries):
    assert [(e.term, e.where["line"]) for e in entries] == [
        ("apple", 4), ("zebra crossing", 7), ("mango", 10), ("quince", 13)]


def test_the_term_out_of_order_is_the_one_to_move(entries):
    (finding,) = glossary.check_order(entries, "en")
    assert (finding.rule, finding.line) == ("glossary-order", 7)
    assert "'zebra crossing'" in finding.message and "to the end" in finding.message


def test_a_term_out_of_order_is_told_where_it_belongs():
    entries = [glossary.Entry(term, {"line": n}, "x.") for n, term in enumerate(["a", "b", "d", "c", "e"])]
    (finding,) = glossary.check_order(entries, "en")
    assert finding.line in {2, 3} and "before" in finding.message


def test_an_ordered_glossary_has_no_finding():
    entries = [glossary.Entry(term, {"line": n}, "x.") for n, term in enumerate(ENGLISH_ORDER)]
    assert list(glossary.check_order(entries, "en")) == []


TO_SORT = "# Glossary\n\n```{glossary}\narrest\n   Taking a person.\n\nattaché\n   A specialist.\n\ncybercrime\n" \
          "   Crime on computers.\n```\n"


def test_a_translated_glossary_is_put_in_its_editions_alphabet(tmp_path):
    spanish = {"arrest": "arresto", "attaché": "agregado", "cybercrime": "ciberdelito"}
    tree = read_pages(tmp_path, {"glossary": TO_SORT}, language="es", translations={"glossary": spanish})["glossary"]
    assert [term.astext() for term in tree.findall(nodes.term)] == ["arresto", "agregado", "ciberdelito"]
    assert glossary.sort_translated_glossaries(tree, "es") == 1
    assert [term.astext() for term in tree.findall(nodes.term)] == ["agregado", "arresto", "ciberdelito"]
    (entries,) = glossary.entries(tree)
    assert list(glossary.check_order(entries, "es")) == []


def test_a_glossary_in_the_sources_language_keeps_its_authors_order(tmp_path):
    tree = read_pages(tmp_path, {"glossary": TO_SORT.replace("attaché", "zebra")})["glossary"]
    assert glossary.sort_translated_glossaries(tree, "en") == 0
    assert [term.astext() for term in tree.findall(nodes.term)] == ["arrest", "zebra", "cybercrime"]


def test_definitions_end_with_a_full_stop_and_stay_short(entries):
    found = [(f.rule, f.line, f.message.split("'")[1]) for f in glossary.check_definitions(entries)]
    assert found == [("glossary-definition", 10, "mango"), ("glossary-definition", 13, "quince")]


def test_a_term_no_other_page_links_to_is_unused(trees, entries):
    assert [e.ids[0] for e in entries] == ["term-apple", "term-zebra-crossing", "term-mango", "term-quince"]
    assert glossary.term_references(trees["first"]) == {"apple"}
    # Where the links lead (Sphinx's glossary index gives the anchor of each linked term).
    linked = {"first": {"term-apple"}, "terms": {"term-zebra-crossing"}, "glossary": {"term-mango"}}
    found = [(doc, f.rule, f.line) for doc, f in glossary.unused_terms({"glossary": [entries]}, linked)]
    # A link from the glossary's own page does not count.
    assert found == [("glossary", "glossary-term-unused", 10), ("glossary", "glossary-term-unused", 13)]


# -- Abbreviations -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def abbreviations(trees):
    return {name: glossary.abbreviations(tree) for name, tree in trees.items()}


def test_an_acronyms_first_use_is_recorded_bare_or_spelled_out(abbreviations):
    _, first, _ = abbreviations["first"]
    assert (first["HSI"].where["line"], first["HSI"].spelled_out) == (3, False)
    assert (first["ERO"].where["line"], first["ERO"].spelled_out) == (4, True)


def test_a_second_spelling_out_on_a_page_is_a_finding(abbreviations):
    _, _, repeated = abbreviations["first"]
    assert [(f.rule, f.line) for f in repeated] == [("abbr-repeated", 6)]


def test_a_glossary_term_spells_its_acronym_out(abbreviations):
    _, first, _ = abbreviations["terms"]
    assert first["ERO"].spelled_out


def test_the_first_use_of_an_acronym_the_book_spells_out_must_be_spelled_out(abbreviations):
    spelled = {name: found[0] for name, found in abbreviations.items()}
    spelled["html"] = [glossary.SpelledOut("HTML", "HyperText Markup Language", {"line": 1})]
    first_uses = {name: found[1] for name, found in abbreviations.items()}
    found = [(doc, f.rule, f.line, f.message.split()[4]) for doc, f in
             glossary.not_spelled_out_first(first_uses, spelled)]
    # HSI is bare first on "first"; "plain" spells HTML out in the words GitHub shows too.
    assert found == [("first", "abbr-first-use", 3, "HSI")]


def test_an_acronym_the_book_never_spells_out_needs_no_spelling_out(abbreviations):
    first_uses = {"page": {"AA": glossary.FirstUse({"line": 2}, False)}}
    assert list(glossary.not_spelled_out_first(first_uses, {})) == []


def test_an_expansion_must_be_the_one_the_glossary_starts_with(trees, abbreviations):
    entries = {e.term: e for g in glossary.entries(trees["terms"]) for e in g}
    spelled = {name: found[0] for name, found in abbreviations.items()}
    found = [(doc, f.rule, f.line) for doc, f in glossary.mismatched_expansions(spelled, entries)]
    # "first" spells HSI out as Homeland Security Investigations; the glossary here says Inquiries.
    assert found == [("first", "abbr-glossary-mismatch", 3)]


def test_a_translation_may_gloss_the_name_in_brackets():
    entries = {"ERO": glossary.Entry("ERO", {"line": 1}, "Enforcement and Removal Operations (Operaciones de "
                                                         "Control y Expulsión). Una parte de ICE.")}
    spelled = {"a": [glossary.SpelledOut("ERO", "Enforcement and Removal Operations", {"line": 2})],
               "b": [glossary.SpelledOut("ERO", "Enforcement and Removal", {"line": 3})]}
    assert [(doc, f.line) for doc, f in glossary.mismatched_expansions(spelled, entries)] == [("b", 3)]


def test_typographic_and_straight_quotes_compare_equal():
    entries = {"DHS": glossary.Entry("DHS", {"line": 1}, "Department’s Homeland Service. A test.")}
    spelled = {"a": [glossary.SpelledOut("DHS", "Department's Homeland Service", {"line": 2})]}
    assert list(glossary.mismatched_expansions(spelled, entries)) == []
