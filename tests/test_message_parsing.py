"""_ext/handbook/common/message_parsing.py: MyST set up once for the translated messages, not per message."""

from __future__ import annotations

import pytest
from docutils import frontend
from docutils.parsers.rst import Parser as RSTParser
from myst_parser.config.main import MdParserConfig
from myst_parser.mdit_to_docutils import base
from myst_parser.mdit_to_docutils.sphinx_ import SphinxRenderer
from myst_parser.parsers import sphinx_

from handbook.common import message_parsing
from myst_pages import read_pages

EXTENSION = "handbook.common.message_parsing"


@pytest.fixture
def made(monkeypatch):
    """How many docutils option parsers and Markdown parsers are made; MyST as released, restored after."""
    monkeypatch.setattr(base, "make_document", base.make_document)
    monkeypatch.setattr(sphinx_, "create_md_parser", sphinx_.create_md_parser)
    monkeypatch.setattr(message_parsing.create_md_parser, "parser", None)
    counts = {"option parsers": 0, "markdown parsers": 0}
    option_parser_init, make_md_parser = frontend.OptionParser.__init__, message_parsing._make_md_parser

    def counted_option_parser(self, *args, **kwargs):
        counts["option parsers"] += 1
        option_parser_init(self, *args, **kwargs)

    def counted_md_parser(*args):
        counts["markdown parsers"] += 1
        return make_md_parser(*args)

    monkeypatch.setattr(frontend.OptionParser, "__init__", counted_option_parser)
    monkeypatch.setattr(message_parsing, "_make_md_parser", counted_md_parser)
    return counts


def _translated_page(folder, paragraphs: int, *extensions: str):
    english = [f"Paragraph number {n} of the page." for n in range(paragraphs)]
    page = "# Title\n\n" + "\n\n".join(english) + "\n"
    spanish = {"Title": "Título", **{text: f"Párrafo número {n} de la página." for n, text in enumerate(english)}}
    return read_pages(folder, {"index": page}, language="es", translations={"index": spanish},
                      extensions=extensions)["index"]


def _made_for(folder, paragraphs: int, made, *extensions: str) -> dict[str, int]:
    before = dict(made)
    _translated_page(folder, paragraphs, *extensions)
    return {what: made[what] - before[what] for what in made}


def test_as_released_every_translated_message_sets_myst_up_again(tmp_path, made):
    few, many = _made_for(tmp_path / "few", 2, made), _made_for(tmp_path / "many", 12, made)
    assert many["option parsers"] >= few["option parsers"] + 10, "the cost this module removes"
    assert many["markdown parsers"] == 0, "released, MyST does not make its parsers through this module"


def test_with_the_extension_the_parsers_made_do_not_grow_with_the_messages(tmp_path, made):
    few = _made_for(tmp_path / "few", 2, made, EXTENSION)
    many = _made_for(tmp_path / "many", 12, made, EXTENSION)
    assert many["option parsers"] <= few["option parsers"]
    assert 1 <= many["markdown parsers"] <= few["markdown parsers"] + 1, "one per build's configuration"


def test_the_translated_page_is_the_same(tmp_path, made):
    released = _translated_page(tmp_path / "released", 5)
    ours = _translated_page(tmp_path / "ours", 5, EXTENSION)
    assert ours.pformat().replace(str(tmp_path / "ours"), "") == released.pformat().replace(
        str(tmp_path / "released"), "")
    assert "Párrafo número 4 de la página." in ours.astext()


def test_each_document_has_settings_of_its_own():
    first, second = message_parsing.make_document(), message_parsing.make_document("page.md")
    assert first.settings is not second.settings
    assert first.settings.record_dependencies is not second.settings.record_dependencies
    assert vars(first.settings).keys() == vars(frontend.get_default_settings(RSTParser)).keys()
    assert second["source"] == "page.md"


def test_another_configuration_gets_a_parser_of_its_own(made, monkeypatch):
    build, page = MdParserConfig(), MdParserConfig(heading_anchors=2)  # a page's front matter
    first = message_parsing.create_md_parser(build, SphinxRenderer)
    assert message_parsing.create_md_parser(build, SphinxRenderer) is first
    assert message_parsing.create_md_parser(page, SphinxRenderer) is not first
    assert message_parsing.create_md_parser(page, SphinxRenderer).options["myst_config"] is page
    assert message_parsing.create_md_parser(build, SphinxRenderer).options["myst_config"] is build
