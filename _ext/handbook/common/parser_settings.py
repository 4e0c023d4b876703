"""docutils' default settings for MyST's documents, worked out once per build, not once per parse.

A translated edition is parsed message by message: Sphinx parses each translated
message as a small MyST document (about 1,100 for the Spanish edition, in every
format's build). For each parse, myst-parser 5.2.0 makes a default document even
when it is handed one: ``DocutilsRenderer.setup_render`` reads
``options.get("document", make_document())``, whose default Python evaluates
first. ``make_document`` asks docutils for its default settings, which it works
out from scratch each time, with an ``OptionParser`` of every component's options:
3.5 ms a parse, 4 of the 10 seconds of the Spanish PDF's Sphinx build. Upstream,
``setup_render`` would make the default document only when it has none (not yet
reported to myst-parser: no issue about it found in its tracker).

Here the option parser is kept, one per parser class, and every document still
gets settings of its own from it, as docutils gives each call: the same values,
a new ``Values`` and a new dependency list. Only the unused documents' cost goes.
"""

from __future__ import annotations

import functools
import warnings

from docutils.frontend import OptionParser
from docutils.parsers.rst import Parser as RSTParser
from docutils.utils import new_document
from myst_parser.mdit_to_docutils import base


@functools.cache
def _option_parser(parser_class) -> OptionParser:
    with warnings.catch_warnings():
        # As docutils.frontend.get_default_settings: OptionParser is deprecated for Docutils 2.0.
        warnings.filterwarnings("ignore", category=DeprecationWarning)
        return OptionParser(components=(parser_class,))


def make_document(source_path="notset", parser_cls=RSTParser):
    """``base.make_document``, with the default settings from a parser built once."""
    return new_document(source_path, settings=_option_parser(parser_cls).get_default_values())


def setup(app):
    # MyST's renderer looks make_document up in its module on each parse.
    base.make_document = make_document
    return {"parallel_read_safe": True, "parallel_write_safe": True}
