"""Translated messages parsed without setting MyST up again for each one.

A translated edition is parsed message by message: Sphinx parses each translated
message as a small MyST document (about 1,100 for the Spanish edition, in every
format's build). For each parse, myst-parser 5.2.0 sets up two things afresh that
depend only on the build's configuration. Neither is yet reported to myst-parser
(no issue about them found in its tracker); upstream, both would be made once.

- **docutils' default settings.** ``DocutilsRenderer.setup_render`` reads
  ``options.get("document", make_document())``: the default document is made even
  when the parse is handed one, and ``make_document`` has docutils work out its
  default settings from scratch, with an ``OptionParser`` of every component's
  options. Here the option parser is kept, one per parser class, and every document
  still gets settings of its own from it, as docutils gives each call: the same
  values, a new ``Values`` and a new dependency list.
- **The Markdown parser.** ``MystParser.parse`` builds a new markdown-it parser, with
  MyST's plugins and renderer, for each parse. Here the parser made for a
  configuration is kept while the next parse has the same configuration object (the
  build's, unless a page's front matter changes it). Every render sets the renderer
  up afresh (``setup_render``), and a parse never starts another, so nothing of one
  message's parse reaches the next.

With both made once, Sphinx's part of the Spanish PDF build went from 10.3 s to
about 6.5 s (measured one at a time: 1.6 s for the settings, 1 to 2.8 s for the
parser), and every output stayed the same byte for byte.
"""

from __future__ import annotations

import functools
import warnings

from docutils.frontend import OptionParser
from docutils.parsers.rst import Parser as RSTParser
from docutils.utils import new_document
from myst_parser.mdit_to_docutils import base
from myst_parser.parsers import sphinx_
from myst_parser.parsers.mdit import create_md_parser as _make_md_parser  # as released


@functools.cache
def _option_parser(parser_class) -> OptionParser:
    with warnings.catch_warnings():
        # As docutils.frontend.get_default_settings: OptionParser is deprecated for Docutils 2.0.
        warnings.filterwarnings("ignore", category=DeprecationWarning)
        return OptionParser(components=(parser_class,))


def make_document(source_path="notset", parser_cls=RSTParser):
    """``base.make_document``, with the default settings from a parser built once."""
    return new_document(source_path, settings=_option_parser(parser_cls).get_default_values())


class _LastParser:
    """The Markdown parser made last, and the configuration and renderer class it was made for."""

    config = renderer = parser = None

    def __call__(self, config, renderer):
        # By identity: the configuration is a mutable dataclass, and the build keeps its own for its length.
        if self.parser is None or config is not self.config or renderer is not self.renderer:
            self.config, self.renderer, self.parser = config, renderer, _make_md_parser(config, renderer)
        return self.parser


create_md_parser = _LastParser()


def setup(app):
    # MyST looks both up in their modules on each parse.
    base.make_document = make_document
    sphinx_.create_md_parser = create_md_parser
    return {"parallel_read_safe": True, "parallel_write_safe": True}
