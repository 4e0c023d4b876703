"""Check every page's content on every build: alt text, headings, link text,
raw HTML, tables and acronyms (the rules and their reasons: content_rules.py).

Each problem is one warning, so ``-W`` fails the build, logged with the page,
the line and the rule id as the warning type (``suppress_warnings`` takes the
id). build_errors.py prints it as ``docs/page.md:LINE: [rule-id] message``.

Per-page rules run as the last transform of reading a page, in whichever
process reads it: later than ``doctree-read`` (priority 880), so they see the
text other transforms add, such as the spelled-out abbreviations. The acronym rule needs every page and the glossary, which
is a page too, so each page's acronyms and glossary terms are kept in the
environment (merged from parallel readers, dropped when a page is re-read)
and checked once all pages are read (``env-check-consistency``).
"""

from __future__ import annotations

from sphinx.transforms import SphinxTransform
from sphinx.util import logging

from handbook.rules.build_errors import display_path
from handbook.rules.content_rules import acronym_uses, acronyms_not_in_glossary, check_page, glossary_terms

logger = logging.getLogger(__name__)
ENV_KEY = "handbook_content_facts"  # env attribute: {docname: {"acronyms": ..., "glossary": ...}}


def _facts(env) -> dict[str, dict]:
    if not hasattr(env, ENV_KEY):
        setattr(env, ENV_KEY, {})
    return getattr(env, ENV_KEY)


def _warn(docname: str, finding) -> None:
    logger.warning(finding.message, type=finding.rule, location=(docname, finding.line))


class CheckPage(SphinxTransform):
    default_priority = 990  # after every transform that adds text

    def apply(self) -> None:
        docname = self.env.docname
        for finding in check_page(self.document):
            _warn(docname, finding)
        _facts(self.env)[docname] = {
            "acronyms": acronym_uses(self.document), "glossary": sorted(glossary_terms(self.document)),
        }


def forget_page(app, env, docname) -> None:
    _facts(env).pop(docname, None)


def merge_facts(app, env, docnames, other) -> None:
    facts = _facts(other)
    _facts(env).update({docname: facts[docname] for docname in docnames if docname in facts})


def check_acronyms(app, env) -> None:
    facts = _facts(env)
    glossary_docs = sorted(docname for docname, page in facts.items() if page["glossary"])
    terms = {term for page in facts.values() for term in page["glossary"]}
    uses = {docname: page["acronyms"] for docname, page in facts.items()}
    where = [display_path(env.doc2path(docname)) for docname in glossary_docs]
    for docname, finding in acronyms_not_in_glossary(uses, terms, where):
        _warn(docname, finding)


def setup(app):
    app.add_transform(CheckPage)
    app.connect("env-purge-doc", forget_page)
    app.connect("env-merge-info", merge_facts)
    app.connect("env-check-consistency", check_acronyms)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True, "env_version": 1}
