"""Make every build problem one readable line: file, line, rule id, what is
wrong and how to fix it.

    docs/transnational-crime/overview.md:12: [image-alt-missing] The image ... Add ...

- Every warning that has a type (the handbook's rules from content_checks.py,
  Sphinx's, MyST's, docutils') is printed in that form: the path relative to
  the folder the build runs from, the rule id in brackets at the front (for
  Sphinx's own warnings, a handbook name from KNOWN_WARNINGS or Sphinx's
  ``type.subtype``), and for known warnings a hint on how to fix it.
- Inline images that MyST leaves without a line get their paragraph's line,
  so "image file not readable" says where the image is.
- A page that is not valid UTF-8 is one error line at the first bad byte,
  not a traceback; the rest of the build goes on.
- A build with problems leaves no saved environment behind, so the next
  build reads every page again and reports them again: a failed build is
  never followed by a silent success.
- After a problem, a format's expensive step (WeasyPrint rendering the PDFs,
  packing the EPUB) does not start: :func:`stop_after_problems` says so in one
  line, instead of a render that fails on the same problem with a traceback
  (a missing image is a FatalURLFetchingError in WeasyPrint).
"""

from __future__ import annotations

import codecs
import encodings.utf_8_sig
import logging
import os
import weakref
from dataclasses import dataclass
from functools import partial
from pathlib import Path

from docutils import nodes
from sphinx.application import ENV_PICKLE_FILENAME
from sphinx.locale import get_translation
from sphinx.util import logging as sphinx_logging

from handbook.common.failure import fail_build
from handbook.rules.content_rules import source_line

_ = get_translation("handbook")
logger = sphinx_logging.getLogger(__name__)


@dataclass(frozen=True)
class KnownWarning:
    rule: str  # the id printed in brackets
    hint: str  # how to fix it
    type: str | None  # Sphinx's warning type and subtype; None for warnings without a type
    subtype: str | None = None
    starts_with: str = ""  # for warnings Sphinx gives no (specific) type: the English message start


KNOWN_WARNINGS = [
    KnownWarning("heading-skip", _("Make each heading one level below the heading it belongs to: the page "
                                   "title is #, its sections ##, their subsections ###."), "myst", "header"),
    KnownWarning("front-matter-invalid", _("Fix the front matter between the two --- lines at the top of the "
                                           "page: it must be YAML key: value pairs; put quotes around a value "
                                           "that contains a colon or starts with [ or {."), "myst", "topmatter"),
    KnownWarning("directive-unknown", _("Check the spelling of the name in braces after ``` or ::: "
                                        "(for example {figure}, {admonition}, {glossary})."),
                 "myst", "directive_unknown"),
    KnownWarning("role-unknown", _("Check the spelling of the name in braces before the backticks "
                                   "(for example {doc}, {term}, {abbr}, {ref})."), "myst", "role_unknown"),
    KnownWarning("link-target-missing", _("Point the link at a page (its path from this page, ending in .md) "
                                          "or at a heading anchor (# and the heading in lower case, words "
                                          "joined by -); check the spelling."), "myst", "xref_missing"),
    KnownWarning("doc-missing", _("Write the page's path from this page without .md, for example "
                                  "{doc}`the program <287g-program>` or ../back/glossary; check the spelling."),
                 "ref", "doc"),
    KnownWarning("label-missing", _("Put the label on its own line before the heading, like (my-label)=, "
                                    "or fix the spelling."), "ref", "ref"),
    KnownWarning("term-missing", _("Add the term to the glossary (docs/back/glossary.md) or use the exact "
                                   "spelling of an existing term."), "ref", "term"),
    KnownWarning("toctree-page-missing", _("Write the page's path from this page without .md, or create the "
                                           "page."), "toc", "not_readable"),
    KnownWarning("page-not-in-toctree", _("List the page in a toctree (docs/index.md lists every chapter), "
                                          "or delete it if it is not part of the handbook."),
                 "toc", "not_included"),
    KnownWarning("image-missing", _("Check the image's path: it is relative to the page's folder (for "
                                    "example ../images/name.svg) and the file must exist."),
                 "image", "not_readable"),
    KnownWarning("label-duplicate", _("Give each label (the (name)= line) a name used nowhere else in the "
                                      "handbook."), "docutils", None, "Duplicate explicit target name"),
    KnownWarning("label-duplicate", _("Give each label (the (name)= line) a name used nowhere else in the "
                                      "handbook."), None, None, "duplicate label"),
]


def known_warning(type_: str | None, subtype: str | None, message: str) -> KnownWarning | None:
    for known in KNOWN_WARNINGS:
        if (known.type, known.subtype) == (type_ or None, subtype or None) and message.startswith(known.starts_with):
            return known
    return None


def display_path(path: str | os.PathLike) -> str:
    """A path as the person running the build typed it: relative to the current folder when inside it."""
    relative = os.path.relpath(path)
    return str(path) if relative.startswith("..") else relative


def rule_line(rule: str, message: str, hint: str | None) -> str:
    """``[rule] message. hint`` (the location is prefixed by the logging record)."""
    message = message.rstrip()
    if hint:
        message = f"{message if message.endswith(('.', '!', '?')) else message + '.'} {hint}"
    return f"[{rule}] {message}"


class _RuleWarningRecord(sphinx_logging.SphinxWarningLogRecord):
    prefix = ""  # the rule id in brackets says what the line is, so no "WARNING: "


class HandbookWarningFormat(logging.Filter):
    """Reformat each warning on Sphinx's warning stream; runs after Sphinx's own filters."""

    def __init__(self) -> None:
        super().__init__()
        self.count = 0  # warnings that reached the output in this build

    def filter(self, record: logging.LogRecord) -> bool:
        self.count += 1
        # Sphinx's translator has already made the location "/abs/path:line" and
        # appended " [type.subtype]" to the message.
        location = getattr(record, "location", None)
        if isinstance(location, str) and location:
            path, sep, line = location.partition(":")
            # A warning about a whole page (not in any toctree) points at its first line.
            record.location = f"{display_path(path)}:{line if sep else 1}"
        type_, subtype = getattr(record, "type", None), getattr(record, "subtype", None)
        message = str(record.msg)
        suffix = f" [{type_}.{subtype}]" if subtype else f" [{type_}]"
        if type_ and message.endswith(suffix):
            message = message[: -len(suffix)]
        text = message % record.args if record.args else message
        known = known_warning(type_, subtype, text)
        if known or type_:
            rule = known.rule if known else ".".join(filter(None, (type_, subtype)))
            line = rule_line(rule, text, known.hint if known else None)
            # Paths inside messages ("other instance in /abs/docs/x.md") read like the location.
            record.msg, record.args = line.replace(os.getcwd() + os.sep, ""), ()
            record.__class__ = _RuleWarningRecord
        return True


# -- Pages that are not UTF-8 ---------------------------------------------------

REPLACING_CODEC = "handbook_utf8_replacing"


class _ReplacingDecoder(encodings.utf_8_sig.IncrementalDecoder):
    def __init__(self, errors: str = "strict") -> None:
        super().__init__("replace")  # the bad bytes are reported once, then read as U+FFFD


def _find_replacing_codec(name: str) -> codecs.CodecInfo | None:
    if name != REPLACING_CODEC:
        return None
    base = codecs.lookup("utf-8-sig")
    return codecs.CodecInfo(base.encode, base.decode, incrementalencoder=base.incrementalencoder,
                            incrementaldecoder=_ReplacingDecoder, name=REPLACING_CODEC)


codecs.register(_find_replacing_codec)


def first_undecodable(data: bytes) -> tuple[int, int, int] | None:
    """(line, column, byte) of the first byte that is not UTF-8, or None."""
    try:
        data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        start = error.start + (3 if data.startswith(codecs.BOM_UTF8) else 0)
        line_start = data.rfind(b"\n", 0, start) + 1
        return data.count(b"\n", 0, start) + 1, start - line_start + 1, data[start]
    return None


def report_undecodable_pages(app, env, docnames) -> None:
    """Sphinx stops with a traceback on a page that is not UTF-8: report it and read on."""
    for docname in docnames:
        found = first_undecodable(Path(env.doc2path(docname)).read_bytes())
        if found:
            line, column, byte = found
            logger.warning(
                _("The page is not valid UTF-8: byte 0x%(byte)02x in column %(column)d cannot be read. "
                  "Save the file as UTF-8 (in most editors: Save with Encoding, UTF-8) and retype the "
                  "character."),
                {"byte": byte, "column": column}, type="source-not-utf8", location=(docname, line),
            )
            env.settings["input_encoding"] = REPLACING_CODEC  # Sphinx resets it from the config on the next build


# -- Lines for Sphinx's own messages ---------------------------------------------


def give_nodes_their_lines(app, doctree) -> None:
    """MyST leaves inline images at line 0, so Sphinx's messages about them had no line."""
    for image in doctree.findall(nodes.image):
        if not image.line:
            image.line = source_line(image)


def forget_failed_environment(app, exception, warning_format: HandbookWarningFormat) -> None:
    if warning_format.count:
        Path(app.doctreedir, ENV_PICKLE_FILENAME).unlink(missing_ok=True)


# The problems each build (application) has reported so far.
_PROBLEMS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def stop_after_problems(app, step: str) -> bool:
    """True, after one line saying why, when the build has problems and ``step`` should not start.

    The build then fails (exits non-zero) even without -W: the output it was asked for is missing.
    After a builder's own failure (already one line, and a failed build) nothing more is said.
    """
    count = _PROBLEMS[app].count if app in _PROBLEMS else 0
    if count and not app.statuscode:
        fail_build(app, _("%(step)s did not start because of the %(count)d problems above. Fix them, then "
                          "build again.") % {"step": step, "count": count}, type="build-stopped", subtype="")
    return bool(count)


def _warning_handler() -> logging.Handler:
    return next(h for h in logging.getLogger(sphinx_logging.NAMESPACE).handlers
                if isinstance(h, sphinx_logging.WarningStreamHandler))


def setup(app):
    warning_format = HandbookWarningFormat()
    _warning_handler().addFilter(warning_format)
    _PROBLEMS[app] = warning_format
    app.connect("env-before-read-docs", report_undecodable_pages)
    # Before Sphinx's image collector (priority 500), which reports missing images.
    app.connect("doctree-read", give_nodes_their_lines, priority=100)
    app.connect("build-finished", partial(forget_failed_environment, warning_format=warning_format))
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
