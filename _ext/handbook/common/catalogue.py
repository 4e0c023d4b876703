"""Never a mislabelled edition: a translation builds only when its catalogues are complete.

A Spanish page with English sentences left in it would be read aloud as Spanish. So a
translated edition's build stops, with one line that says how many messages are missing
and where, when:

- before reading (builder-inited): a catalogue has untranslated or fuzzy messages, a page
  has no catalogue, or the code has words that are not yet in handbook.po;
- after reading (env-updated): a page has text its catalogue has no translation for,
  because the English changed since the last `make update-po` (counted on each page's
  English text by asking its catalogue, just before Sphinx translates it).

With `make HANDBOOK_DRAFT=1` the edition builds anyway, marked as a draft in every format
(the templates and builders read ``handbook_draft``), and every sentence still in English
is marked as English (lang="en"), so that screen readers read it with the right voice.

It is also the extractor of the handbook's own words for `make update-po`:
``python -m handbook.common.catalogue --pot FILE`` (with _ext on PYTHONPATH); ``--tidy``
ends the updated catalogues as every file of the repository ends.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import re
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_file
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import PoFileError, read_po, write_po
from babel.util import pathmatch
from docutils import nodes
from sphinx.builders.gettext import MessageCatalogBuilder
from sphinx.locale import get_translation, get_translator
from sphinx.locale import init as init_locale
from sphinx.transforms import SphinxTransform
from sphinx.util import logging
from sphinx.util.i18n import docname_to_domain
from sphinx.util.nodes import extract_messages

from handbook import LOCALES, REPOSITORY
from handbook.common.editions import SOURCE_LANGUAGE, language_name
from handbook.common.translations import CATALOGUE, catalogue_path

__ = get_translation(CATALOGUE, "console")  # messages for the person building, in their locale
logger = logging.getLogger(__name__)
# Where `make update-po` finds the handbook's own words (babel.cfg says how to read each file).
CODE = ("conf.py", "_ext", "_templates", "_themes", "docs/images")
MAPPING = REPOSITORY / "babel.cfg"
# ``__`` marks console messages (Sphinx's convention), ``_`` everything else.
KEYWORDS = {**DEFAULT_KEYWORDS, "__": None}


class CatalogueError(Exception):
    """A catalogue that cannot be read: one line, file:line: what is wrong."""


@dataclass(frozen=True)
class Gap:
    """What one catalogue lacks."""

    path: Path
    untranslated: int = 0  # no translation at all
    fuzzy: int = 0  # a translation of an older English text
    new: int = 0  # messages of the code or the page that are not in the catalogue yet
    missing: int = 0  # catalogues that do not exist (1 for a page without one)
    line: int = 1  # the first message to look at

    @property
    def count(self) -> int:
        return self.untranslated + self.fuzzy + self.new + self.missing


# -- Reading catalogues (pure, unit-tested on small .po files) ------------------------


def read_catalogue(path: Path) -> Catalog:
    try:
        with path.open("rb") as source:
            return read_po(source, abort_invalid=True)
    except PoFileError as error:
        # Babel counts lines from 0 and says "... on <line>"; the line goes in front, as in every other problem.
        raise CatalogueError(f"{path}:{error.lineno + 1}: {re.sub(r' on [0-9]+$', '', str(error))}") from None
    except UnicodeDecodeError as error:
        raise CatalogueError(f"{path}:1: not UTF-8 ({error.reason})") from None


def _translated(message) -> bool:
    strings = message.string if isinstance(message.string, (list, tuple)) else [message.string]
    return all(strings)


def catalogue_gap(path: Path, code_messages: Iterable[str] = ()) -> Gap:
    """Count the untranslated and fuzzy messages of one catalogue, and ``code_messages`` it lacks."""
    if not path.is_file():
        return Gap(path, missing=1)
    catalog = read_catalogue(path)
    untranslated = fuzzy = 0
    lines = []
    for message in catalog:
        if not message.id:
            continue  # the header
        if message.fuzzy:
            fuzzy += 1
        elif not _translated(message):
            untranslated += 1
        else:
            continue
        lines.append(message.lineno)
    new = len(set(code_messages) - {m.id if isinstance(m.id, str) else m.id[0] for m in catalog})
    return Gap(path, untranslated, fuzzy, new, line=min(lines, default=1))


def total(gaps: list[Gap]) -> Gap:
    return Gap(gaps[0].path, *(sum(getattr(g, kind) for g in gaps)
                               for kind in ("untranslated", "fuzzy", "new", "missing")))


def describe(gap: Gap) -> str:
    """``12 untranslated, 3 fuzzy messages``: only the kinds there are."""
    kinds = [
        (gap.untranslated, __("untranslated")),
        (gap.fuzzy, __("fuzzy")),
        (gap.new, __("new")),
    ]
    counts = ", ".join(f"{number} {kind}" for number, kind in kinds if number)
    messages = gap.count - gap.missing
    parts = []
    if messages:
        parts.append((__("%(counts)s message") if messages == 1 else __("%(counts)s messages")) % {"counts": counts})
    if gap.missing == 1 and not messages:
        parts.append(__("no catalogue"))
    elif gap.missing:
        parts.append((__("%(count)d catalogue missing") if gap.missing == 1 else
                      __("%(count)d catalogues missing")) % {"count": gap.missing})
    return ", ".join(parts)


def incomplete_edition_line(gaps: list[Gap], language: str, shown: int = 5) -> tuple[str, str]:
    """(location, message) of the one line that stops an incomplete edition's build.

    The location is the catalogue with the most to do, at its first such message; the
    message adds up all of them and names the others, the largest first.
    """
    gaps = sorted((g for g in gaps if g.count), key=lambda g: (-g.count, str(g.path)))
    first = gaps[0]
    edition = __("the %(language)s edition is incomplete") % {"language": language_name(language, console_language())}
    if len(gaps) == 1:
        message = f"{describe(first)} ({edition})"
    else:
        others = ", ".join(f"{catalogue_name(g.path)} ({g.count})" for g in gaps[1:shown + 1])
        if len(gaps) > shown + 1:
            others += __(" and %(count)d more") % {"count": len(gaps) - shown - 1}
        message = __("%(counts)s in %(catalogues)d catalogues, the most here; also %(others)s (%(edition)s)") % {
            "counts": describe(total(gaps)), "catalogues": len(gaps), "others": others, "edition": edition}
    hint = __("Translate them (make po-status counts them per catalogue; make update-po first if the English "
              "or the code changed), or build a draft with make HANDBOOK_DRAFT=1")
    return f"{relative(first.path)}:{first.line}", f"{message}. {hint}"


def console_language() -> str:
    """The language the console messages are in (the person's locale, when the catalogue has it)."""
    return get_translator(CATALOGUE, "console").info().get("language") or SOURCE_LANGUAGE


def catalogue_name(path: Path) -> str:
    """A catalogue's name inside its LC_MESSAGES folder: back/glossary.po."""
    parts = path.parts
    return "/".join(parts[parts.index("LC_MESSAGES") + 1:]) if "LC_MESSAGES" in parts else path.name


def relative(path: Path) -> str:
    """A path in the repository as the person at its top typed it."""
    try:
        return path.relative_to(REPOSITORY).as_posix()
    except ValueError:
        return str(path)


# -- The handbook's own words ----------------------------------------------------------


def code_messages(root: Path = REPOSITORY, mapping: Path = MAPPING) -> dict[str, list[tuple[str, int]]]:
    """Every message of the code, with where it is: what `make update-po` puts into handbook.pot."""
    with mapping.open(encoding="utf-8") as config:
        method_map, options_map = parse_mapping_cfg(config)
    found: dict[str, list[tuple[str, int]]] = {}
    files = [root / name for name in CODE if (root / name).is_file()]
    files += sorted(p for name in CODE if (root / name).is_dir() for p in (root / name).rglob("*") if p.is_file())
    for path in files:
        name = path.relative_to(root).as_posix()
        for pattern, method in method_map:
            if pathmatch(pattern, name):
                if method != "ignore":
                    for lineno, message, _comments, _context in extract_from_file(
                        method, str(path), keywords=KEYWORDS, options=options_map.get(pattern, {})
                    ):
                        text = message if isinstance(message, str) else message[0]
                        if text:
                            found.setdefault(text, []).append((name, lineno))
                break
    return found


def write_pot(messages: dict[str, list[tuple[str, int]]], target: Path, project: str) -> None:
    """handbook.pot, sorted and without locations, so that it changes only when a message does."""
    # Dated like Sphinx's catalogues of the pages: by the last commit, not the clock.
    created = dt.datetime.fromtimestamp(int(os.environ.get("SOURCE_DATE_EPOCH", "0")), tz=dt.timezone.utc)
    catalog = Catalog(project=project, copyright_holder="The handbook contributors", msgid_bugs_address="",
                      creation_date=created, fuzzy=False)
    for text in sorted(messages):
        catalog.add(text)
    with target.open("wb") as out:
        write_po(out, catalog, omit_header=False, no_location=True, sort_output=True, width=96)


# -- The checks, in a build -------------------------------------------------------------


def translated_edition(config) -> bool:
    return config.language != SOURCE_LANGUAGE


def edition_gaps(app) -> list[Gap]:
    """What the edition's catalogues lack: one per page, and the handbook's own."""
    language = app.config.language
    docnames = app.project.discover(app.config.exclude_patterns, app.config.include_patterns)
    gaps = [catalogue_gap(catalogue_path(LOCALES, language, docname)) for docname in sorted(docnames)]
    gaps.append(catalogue_gap(catalogue_path(LOCALES, language, CATALOGUE), code_messages()))
    return gaps


def stop(location: str, message: str, rule: str) -> None:
    """One line, file:line: [rule] message; then the build ends, before it writes anything.

    Sphinx has no quiet way to end a build from an event: an exception prints a
    traceback report, and common/failure.py's fail_build lets the build go on to write
    the edition. The line is already out, so the process ends here, failed.
    """
    logger.error(message, type=rule, location=location)
    raise SystemExit(1)


def _check_catalogues(app) -> None:
    if not translated_edition(app.config) or app.builder.name == "gettext":
        return
    try:
        gaps = [gap for gap in edition_gaps(app) if gap.count]
    except CatalogueError as error:
        location, _, message = str(error).partition(": ")
        stop(location, message + ". " + __("Fix the catalogue, or make update-po to write it afresh"),
             "translation-unreadable")
    if gaps and not app.config.handbook_draft:
        stop(*incomplete_edition_line(gaps, app.config.language), "translation-incomplete")


def missing_messages(messages: Iterable[tuple[nodes.Element, str]], translations: dict[str, str]) -> list:
    """The nodes whose message has no translation (pure)."""
    return [node for node, message in messages if not translations.get(message, "").strip()]


class NoteUntranslated(SphinxTransform):
    """Count (or, in a draft, mark as English) the page's text that its catalogue does not translate.

    It runs on the English text just before Sphinx's Locale transform (priority 20), and
    asks the catalogue itself: Sphinx's own ``translated`` flags stay False on a toctree
    caption or an image's alt text even when it has translated them.
    """

    default_priority = 19

    def apply(self, **kwargs) -> None:
        if not translated_edition(self.config) or issubclass(self.env._builder_cls, MessageCatalogBuilder):
            return
        domain = docname_to_domain(self.env.docname, self.config.gettext_compact)
        catalog, _found = init_locale([Path(self.env.srcdir, d) for d in self.config.locale_dirs],
                                      self.config.language, domain)
        translations: dict[str, str] = {}
        while catalog is not None:  # the catalogue and its fallbacks, the first one winning
            translations = {**getattr(catalog, "_catalog", {}), **translations}
            catalog = getattr(catalog, "_fallback", None)
        untranslated = missing_messages(extract_messages(self.document), translations)
        if self.config.handbook_draft:
            for node in untranslated:
                # docutils writes a class language-xx as lang="xx" (HTML, EPUB and the print HTML).
                node["classes"].append(f"language-{SOURCE_LANGUAGE}")
        else:
            self.env.handbook_untranslated[self.env.docname] = len(untranslated)


def _check_pages(app, env) -> None:
    """After reading: the pages whose English changed since their catalogue was updated."""
    if not translated_edition(app.config) or app.config.handbook_draft or app.builder.name == "gettext":
        return
    stale = {doc: count for doc, count in env.handbook_untranslated.items() if count}
    if not stale:
        return
    language = app.config.language
    gaps = [Gap(catalogue_path(LOCALES, language, doc), new=count) for doc, count in sorted(stale.items())]
    stop(*incomplete_edition_line(gaps, language), "translation-incomplete")


def _init_env(app, env, docnames) -> None:
    if not hasattr(env, "handbook_untranslated"):
        env.handbook_untranslated = {}


def _purge(app, env, docname) -> None:
    getattr(env, "handbook_untranslated", {}).pop(docname, None)


def _merge(app, env, docnames, other) -> None:
    for docname in docnames:
        if docname in other.handbook_untranslated:
            env.handbook_untranslated[docname] = other.handbook_untranslated[docname]


def setup(app):
    app.setup_extension("handbook.common.translations")
    app.connect("builder-inited", _check_catalogues)
    app.connect("env-before-read-docs", _init_env)
    app.connect("env-purge-doc", _purge)
    app.connect("env-merge-info", _merge)
    app.add_transform(NoteUntranslated)
    app.connect("env-updated", _check_pages)
    return {"parallel_read_safe": True, "parallel_write_safe": True}


def end_with_one_newline(path: Path) -> None:
    """Babel ends a catalogue with an empty line; the repository's files end with one newline."""
    text = path.read_text(encoding="utf-8")
    if text.endswith("\n\n"):
        path.write_text(text.rstrip("\n") + "\n", encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="The handbook's own words, for `make update-po`.")
    action = parser.add_mutually_exclusive_group(required=True)
    action.add_argument("--pot", type=Path, help="extract them into this catalogue template")
    action.add_argument("--tidy", type=Path, help="end every catalogue under this folder with one newline")
    args = parser.parse_args(argv)
    if args.pot:
        write_pot(code_messages(), args.pot, CATALOGUE)
    else:
        for path in sorted(args.tidy.rglob("*.po")):
            end_with_one_newline(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
