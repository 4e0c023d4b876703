"""Run every rule of the house style on every build and on ``make lint``.

The rules (listed in catalogue.py) are pure functions on a page's doctree, in
content_rules.py, readability.py, chapters.py and glossary.py. Each problem is
one warning, so ``-W`` fails the build, logged with the page, the line and the
rule id as the warning type (``suppress_warnings`` takes the id).
build_errors.py prints it as ``docs/page.md:LINE: [rule-id] message``.

Per page, two transforms run in whichever process reads the page:

- ``RecordAbbreviations`` reads the abbreviations as written, before
  abbreviations.py writes each expansion into the text;
- ``CheckPage`` runs last (after every transform that adds text) and reports
  what one page shows alone.

What needs every page (the glossary is a page, chapters are known from the
parts' tables of contents, the median page) is kept per page in the
environment (merged from parallel readers, dropped when a page is re-read) and
checked once all pages are read (``env-check-consistency``). The readability
score of every page is written to ``readability.txt`` next to the doctrees.
"""

from __future__ import annotations

from pathlib import Path

from sphinx.locale import get_translation
from sphinx.transforms import SphinxTransform
from sphinx.util import logging

from handbook.rules import chapters, glossary, readability
from handbook.rules.build_errors import display_path
from handbook.rules.content_rules import (
    acronym_uses, acronyms_not_in_glossary, check_page, duplicate_titles, glossary_terms, page_title,
)

_ = get_translation("handbook")
logger = logging.getLogger(__name__)
ENV_KEY = "handbook_content_facts"  # env attribute: {docname: {fact: value}}
REPORT = "readability.txt"
SCORE_CACHE_KEY = "handbook_readability_scores"  # env attribute: readability.ScoreCache


def _facts(env) -> dict[str, dict]:
    if not hasattr(env, ENV_KEY):
        setattr(env, ENV_KEY, {})
    return getattr(env, ENV_KEY)


def _page_facts(env) -> dict:
    return _facts(env).setdefault(env.docname, {})


def _warn(docname: str, finding) -> None:
    # Text an {include} brings in is reported in its own file: "path:line" is taken as it is.
    location = f"{finding.source}:{finding.line or 1}" if finding.source else (docname, finding.line)
    logger.warning(finding.message, type=finding.rule, location=location)


class SortTranslatedGlossaries(SphinxTransform):
    """Not a rule: a translated glossary in its edition's alphabet (see glossary.py), so the
    glossary-order rule holds in every edition."""

    default_priority = 30  # after Sphinx translates the page (20)

    def apply(self) -> None:
        glossary.sort_translated_glossaries(self.document, self.config.language)


class RecordAbbreviations(SphinxTransform):
    default_priority = 890  # before abbreviations.py (900) writes the expansions into the text

    def apply(self) -> None:
        spelled, first, repeated = glossary.abbreviations(self.document)
        for finding in repeated:
            _warn(self.env.docname, finding)
        _page_facts(self.env).update(spelled=spelled, first_uses=first)


class CheckPage(SphinxTransform):
    default_priority = 990  # after every transform that adds text

    def apply(self) -> None:
        docname, tree = self.env.docname, self.document
        for finding in sorted([*check_page(tree), *glossary.check_glossary_page(tree, self.config.language)],
                              key=lambda f: f.line or 0):
            _warn(docname, finding)
        _page_facts(self.env).update(
            acronyms=acronym_uses(tree),
            glossary=sorted(glossary_terms(tree)),
            glossary_entries=glossary.entries(tree),
            term_references=glossary.term_references(tree),
            title=page_title(tree),
            parts=chapters.parts(tree),
            chapter_findings=chapters.check_chapter(tree),
            related=chapters.related_targets(tree, docname),
            prose=readability.prose_blocks(tree, skip_section=chapters.is_related_section),
        )


def forget_page(app, env, docname) -> None:
    _facts(env).pop(docname, None)


def merge_facts(app, env, docnames, other) -> None:
    facts = _facts(other)
    _facts(env).update({docname: facts[docname] for docname in docnames if docname in facts})


def check_book(app, env) -> None:
    """The rules that need every page."""
    facts = _facts(env)
    paths = {docname: display_path(env.doc2path(docname)) for docname in facts}
    # Where each {term} link leads: Sphinx's glossary index, lower-case term -> (page, anchor).
    term_index = env.get_domain("std").data.get("terms", {})
    for docname, finding in _book_findings(facts, paths, term_index):
        _warn(docname, finding)


def _book_findings(facts: dict[str, dict], paths: dict[str, str], term_index: dict[str, tuple[str, str]]):
    glossary_docs = sorted(docname for docname, page in facts.items() if page["glossary"])
    terms = {term for page in facts.values() for term in page["glossary"]}
    yield from acronyms_not_in_glossary({d: page["acronyms"] for d, page in facts.items()}, terms,
                                        [paths[d] for d in glossary_docs])
    yield from duplicate_titles({d: page["title"] for d, page in facts.items() if page["title"]}, paths)
    parts = {d: page["parts"] for d, page in facts.items() if page["parts"]}
    for docname in sorted(chapters.chapters(parts) & facts.keys()):
        for finding in facts[docname]["chapter_findings"]:
            yield docname, finding
    yield from chapters.too_few_links_across_parts(parts, {d: page["related"] for d, page in facts.items()})
    glossaries = {d: page["glossary_entries"] for d, page in facts.items() if page["glossary_entries"]}
    linked = {d: {term_index[t][1] for t in page["term_references"] if t in term_index} for d, page in facts.items()}
    yield from glossary.unused_terms(glossaries, linked)
    spelled = {d: page["spelled"] for d, page in facts.items()}
    entries = {entry.term: entry for pages in glossaries.values() for g in pages for entry in g}
    yield from glossary.mismatched_expansions(spelled, entries)
    yield from glossary.not_spelled_out_first({d: page["first_uses"] for d, page in facts.items()}, spelled)


def check_readability(app, env) -> None:
    """Score every page; warn about the pages, and the median, that are too hard to read.

    On env-updated, unlike the other book rules: Sphinx saves the environment
    after it and before env-check-consistency, and the scores kept in it are
    what spares the next build scoring the pages it did not change.
    """
    facts = _facts(env)
    paths = {docname: display_path(env.doc2path(docname)) for docname in facts}
    measure = readability.measure_for(app.config.language)
    if measure is None:
        logger.info(_("readability: no measure for the language %r; not checked"), app.config.language)
        return
    # The titles Sphinx writes into links that show them, as readers will read them.
    std = env.get_domain("std")
    titles = {f"doc:{docname}": title.astext() for docname, title in env.titles.items()}
    titles.update({f"ref:{label}": name for label, (_doc, _anchor, name) in std.labels.items() if name})
    # Kept in the environment: a build that changed one page scores that page's texts only.
    cache = env.__dict__.setdefault(SCORE_CACHE_KEY, readability.ScoreCache())
    # And shared with the edition's other formats (the Makefile names one file per language).
    shared = Path(app.confdir, app.config.handbook_readability_cache) if app.config.handbook_readability_cache \
        else None
    cache.share_through(shared)
    scores = {d: readability.score_page([readability.Block(block.where, readability.with_titles(block.text, titles))
                                         for block in page["prose"]], measure, cache)
              for d, page in facts.items()}
    cache.keep_only_used()
    if shared and cache.scored:
        cache.write(shared)
    readability.release_dictionaries()  # every page is scored: the writers never count syllables
    for docname in sorted(scores):
        finding = readability.page_finding(scores[docname], measure)
        if finding:
            _warn(docname, finding)
    median = readability.median_finding(scores, measure, paths)
    if median:
        _warn(*median)
    report = Path(app.doctreedir, REPORT)
    report.write_text(readability.report(scores, measure, paths), encoding="utf-8")
    logger.info(_("readability (%s): every page's score in %s"), measure.name, display_path(report))


def setup(app):
    # A file the edition's builds share their readability scores through ("": each keeps its own).
    app.add_config_value("handbook_readability_cache", "", "", types=frozenset({str}))
    app.add_transform(SortTranslatedGlossaries)
    app.add_transform(RecordAbbreviations)
    app.add_transform(CheckPage)
    app.connect("env-purge-doc", forget_page)
    app.connect("env-merge-info", merge_facts)
    app.connect("env-updated", check_readability)
    app.connect("env-check-consistency", check_book)
    return {"version": "2", "parallel_read_safe": True, "parallel_write_safe": True, "env_version": 2}
