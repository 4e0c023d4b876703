"""The glossary and the abbreviations the pages spell out against it.

- The glossary's terms are in alphabetical order, in the edition's language
  (accents do not change a letter's place; in Spanish, ñ comes after n), and
  each definition is one or a few sentences: it ends with a full stop, within
  ``MAX_DEFINITION_WORDS`` words.
- Every term is linked from some page with the ``term`` role.
- An abbreviation is spelled out with ``{abbr}`ERO (Enforcement and Removal Operations)```
  at its first use on each page, and only there; the expansion is the one the
  glossary's entry starts with ("Enforcement and Removal Operations. A part of ...").
  Text that GitHub shows as well (CONTRIBUTING.md, included in the book) may spell it
  out as the build writes it: "Enforcement and Removal Operations (ERO)".
  Which acronyms are spelled out is the book's own choice: an acronym that some
  page spells out with ``abbr`` must be spelled out at its first use on every
  page. One the book never spells out (such as a conformance level, "AA") is
  only required to be in the glossary (content_rules.py, acronym-not-in-glossary).
"""

from __future__ import annotations

import unicodedata
from bisect import bisect_left
from collections.abc import Iterator, Mapping
from dataclasses import dataclass

from docutils import nodes
from sphinx import addnodes
from sphinx.locale import get_translation

from handbook.rules.content_rules import (
    NOT_PROSE, Finding, block_of, find_acronyms, in_glossary_term, located, self_and_ancestors,
)

_ = get_translation("handbook")

MAX_DEFINITION_WORDS = 60
# Typographic quotes (Sphinx's smart quotes) and straight ones compare equal.
_QUOTES = str.maketrans({"‘": "'", "’": "'", "“": '"', "”": '"'})


@dataclass(frozen=True)
class Entry:
    term: str
    where: dict  # the term's line and file
    definition: str  # its text, on one line
    ids: tuple[str, ...] = ()  # the term's anchors, which a {term} link resolves to


def entries(tree: nodes.Node) -> list[list[Entry]]:
    """Each glossary of a page, as its entries in the order written."""
    found = []
    for glossary in tree.findall(addnodes.glossary):
        found.append([
            Entry(term.astext().strip(), {**located(term), "line": _term_line(term, item)},
                  " ".join(item.next_node(nodes.definition).astext().split()), tuple(term["ids"]))
            for item in glossary.findall(nodes.definition_list_item)
            for term in item.findall(nodes.term)
        ])
    return found


def _term_line(term: nodes.term, item: nodes.definition_list_item) -> int | None:
    """A term's line in the page. MyST gives the glossary directive its content's lines counted from
    the directive, not the page (MyST-Parser PR 1175), so Sphinx's terms carry those; the definition's
    paragraph has its page line, and starts on the line after the item's last term."""
    terms = list(item.findall(nodes.term))
    paragraph = item.next_node(nodes.definition).next_node(nodes.paragraph)
    if term.line is None or paragraph is None or not paragraph.line:
        return term.line
    return term.line + paragraph.line - (terms[-1].line + 1)


# -- Order ---------------------------------------------------------------------


def collation_key(text: str, language: str | None) -> tuple[str, str]:
    """A sort key in the order of the edition's alphabet (without a system locale).

    Case and accents do not change a letter's place (é sorts as e);
    in Spanish, ñ is a letter of its own after n. The text itself breaks ties.
    """
    spanish = (language or "").split("_")[0].split("-")[0] == "es"
    letters = []
    for char in unicodedata.normalize("NFD", text.casefold()):
        if unicodedata.combining(char):
            if spanish and char == "\u0303" and letters and letters[-1] == "n":
                letters[-1] = "n\U0010ffff"  # after every other n...
            continue
        letters.append(char)
    return "".join(letters), text


def _in_order(keys: list[tuple[str, str]]) -> set[int]:
    """The indexes of a longest run of keys already in order: the terms that need not move."""
    # Patience sorting: tails[k] is the index ending the best increasing run of length k + 1.
    tails: list[int] = []
    before: list[int | None] = []
    for index, key in enumerate(keys):
        position = bisect_left([keys[t] for t in tails], key)
        before.append(tails[position - 1] if position else None)
        if position == len(tails):
            tails.append(index)
        else:
            tails[position] = index
    kept, index = set(), tails[-1] if tails else None
    while index is not None:
        kept.add(index)
        index = before[index]
    return kept


def check_order(glossary: list[Entry], language: str | None) -> Iterator[Finding]:
    keys = [collation_key(entry.term, language) for entry in glossary]
    kept = _in_order(keys)
    ordered = sorted(kept, key=lambda i: keys[i])
    for index, entry in enumerate(glossary):
        if index in kept:
            continue
        position = bisect_left([keys[i] for i in ordered], keys[index])
        place = (_("before %(term)r") % {"term": glossary[ordered[position]].term} if position < len(ordered)
                 else _("to the end"))
        yield Finding("glossary-order", message=_(
            "The glossary term %(term)r is out of alphabetical order. Move the entry %(place)s.")
            % {"term": entry.term, "place": place}, **entry.where)


def sort_translated_glossaries(tree: nodes.Node, language: str | None) -> int:
    """Put each translated glossary in the order of its edition's alphabet; return how many moved.

    A glossary is written in English order, and Sphinx translates it entry by entry in
    place: Spanish readers would get "ciberdelito" after "arresto" but before "agregado".
    The source's own order is the authors' (the glossary-order rule checks it).
    """
    moved = 0
    for glossary in tree.findall(addnodes.glossary):
        terms = list(glossary.findall(nodes.term))
        if not any(term.get("translated") for term in terms):
            continue
        for definitions in glossary.findall(nodes.definition_list):
            items = list(definitions.children)
            ordered = sorted(items, key=lambda item: collation_key(item.next_node(nodes.term).astext(), language))
            if ordered != items:
                definitions.children = []
                definitions.extend(ordered)
                moved += 1
    return moved


def check_definitions(glossary: list[Entry]) -> Iterator[Finding]:
    for entry in glossary:
        words = len(entry.definition.split())
        if not entry.definition.endswith("."):
            yield Finding("glossary-definition", message=_(
                "The definition of %(term)r does not end with a full stop. Write it as one or a few short "
                "sentences.") % {"term": entry.term}, **entry.where)
        elif words > MAX_DEFINITION_WORDS:
            yield Finding("glossary-definition", message=_(
                "The definition of %(term)r has %(words)d words. Keep it to %(max)d: the chapters give the "
                "details.") % {"term": entry.term, "words": words, "max": MAX_DEFINITION_WORDS}, **entry.where)


def check_glossary_page(tree: nodes.Node, language: str | None) -> list[Finding]:
    return [finding for glossary in entries(tree)
            for finding in (*check_order(glossary, language), *check_definitions(glossary))]


def term_references(tree: nodes.Node) -> set[str]:
    """The glossary terms a page links to with the term role (lower case, as Sphinx matches them)."""
    return {xref["reftarget"].lower() for xref in tree.findall(addnodes.pending_xref)
            if xref.get("reftype") == "term"}


def unused_terms(glossaries: Mapping[str, list[list[Entry]]],
                 linked_ids: Mapping[str, set[str]]) -> Iterator[tuple[str, Finding]]:
    """(docname, finding) for each term no other page links to.

    ``linked_ids`` holds, per page, the anchors its {term} links lead to (Sphinx's glossary
    index): in a translation a link may name the English term and lead to the translated one.
    """
    for docname in sorted(glossaries):
        linked = {anchor for page, anchors in linked_ids.items() if page != docname for anchor in anchors}
        for glossary in glossaries[docname]:
            for entry in glossary:
                if not linked & set(entry.ids):
                    yield docname, Finding("glossary-term-unused", message=_(
                        "No page links to the glossary term %(term)r. Link it where a reader first meets it, "
                        "with {term}`%(term)s`, or remove the entry.") % {"term": entry.term}, **entry.where)


# -- Abbreviations (read before abbreviations.py writes the expansions into the text) ------------


@dataclass(frozen=True)
class SpelledOut:
    short: str
    expansion: str
    where: dict


@dataclass(frozen=True)
class FirstUse:
    where: dict
    spelled_out: bool  # with {abbr} and its expansion, or as the term a glossary defines
    before: str = ""  # the text just before a bare use: "HyperText Markup Language (" spells HTML out too

    def spells_out(self, expansion: str) -> bool:
        before = " ".join(self.before.translate(_QUOTES).split())
        return self.spelled_out or before.endswith(f"{' '.join(expansion.translate(_QUOTES).split())} (")


def _not_prose(node: nodes.Node) -> bool:
    return any(isinstance(a, NOT_PROSE) for a in self_and_ancestors(node))


def _spelling(text: nodes.Text) -> str | None:
    """The acronym a text spells out: an {abbr} with its expansion, or a term the glossary defines."""
    parent = text.parent
    if isinstance(parent, nodes.abbreviation) and parent.get("explanation"):
        return parent.astext().strip()
    if isinstance(parent, nodes.term) and in_glossary_term(parent):
        return parent.astext().strip()
    return None


def abbreviations(tree: nodes.Node) -> tuple[list[SpelledOut], dict[str, FirstUse], list[Finding]]:
    """A page's spelled-out abbreviations, each acronym's first use, and the ones spelled out twice."""
    spelled: list[SpelledOut] = []
    first: dict[str, FirstUse] = {}
    repeated: list[Finding] = []
    done: set[str] = set()  # the acronyms spelled out so far
    block, recent = None, ""  # the prose of the current paragraph so far (MyST splits it at line ends)
    for text in tree.findall(nodes.Text):
        if _not_prose(text):
            continue
        if block_of(text) is not block:
            block, recent = block_of(text), ""
        before, recent = recent, (recent + str(text))[-200:]
        short = _spelling(text)
        if short is not None:
            where = located(text)
            if isinstance(text.parent, nodes.abbreviation):
                spelled.append(SpelledOut(short, text.parent["explanation"], where))
                if short in done:
                    repeated.append(Finding("abbr-repeated", message=_(
                        "%(short)s is spelled out again. Spell an abbreviation out only at its first use on "
                        "the page; after that, write %(short)s alone.") % {"short": short}, **where))
            done.add(short)
            first.setdefault(short, FirstUse(where, True))
            continue
        for word, offset in find_acronyms(str(text)):
            first.setdefault(word, FirstUse(located(text, offset), False, (before + str(text)[:offset])[-200:]))
    return spelled, first, repeated


def _same(expansion: str, definition: str) -> bool:
    """The definition starts with the expansion, then a full stop, or a gloss in brackets (a
    translation gives the name in its own language: "Enforcement and Removal Operations (...).")."""
    name = expansion.translate(_QUOTES).rstrip(".")
    return definition.translate(_QUOTES).startswith((name + ".", name + " ("))


def mismatched_expansions(spelled: Mapping[str, list[SpelledOut]],
                          glossary: Mapping[str, Entry]) -> Iterator[tuple[str, Finding]]:
    """(docname, finding) for each {abbr} whose expansion is not the one its glossary entry starts with."""
    for docname in sorted(spelled):
        for use in spelled[docname]:
            entry = glossary.get(use.short)
            if entry is not None and not _same(use.expansion, entry.definition):
                yield docname, Finding(
                    "abbr-glossary-mismatch", message=_(
                        "%(short)s is spelled out as %(expansion)r, but its glossary entry starts %(definition)r. Use "
                        "the same full name in both places, and start the entry with it and a full stop.")
                    % {"short": use.short, "expansion": use.expansion,
                       "definition": entry.definition[:len(use.expansion) + 20]}, **use.where)


def not_spelled_out_first(first_uses: Mapping[str, Mapping[str, FirstUse]],
                          spelled: Mapping[str, list[SpelledOut]]) -> Iterator[tuple[str, Finding]]:
    """(docname, finding) for each page whose first use of a spelled-out acronym is bare."""
    expansions: dict[str, str] = {}
    for docname in sorted(spelled):
        for use in spelled[docname]:
            expansions.setdefault(use.short, use.expansion)
    for docname in sorted(first_uses):
        for short, use in first_uses[docname].items():
            if short in expansions and not use.spells_out(expansions[short]):
                yield docname, Finding(
                    "abbr-first-use", message=_(
                        "The first use of %(short)s on this page is not spelled out. Write it as "
                        "{abbr}`%(short)s (%(expansion)s)` here (in a file GitHub shows too: %(expansion)s "
                        "(%(short)s)); later uses stay %(short)s.")
                    % {"short": short, "expansion": expansions[short]}, **use.where)
