"""_ext/handbook/common/parser_settings.py: docutils' default settings worked out once, not per parse."""

from __future__ import annotations

import pytest
from docutils import frontend
from docutils.parsers.rst import Parser as RSTParser
from myst_parser.mdit_to_docutils import base

from handbook.common import parser_settings
from myst_pages import read_pages


@pytest.fixture
def option_parsers_made(monkeypatch):
    """How many docutils option parsers are made; MyST's make_document as released, restored after."""
    monkeypatch.setattr(base, "make_document", base.make_document)
    made = []
    original = frontend.OptionParser.__init__

    def counted(self, *args, **kwargs):
        made.append(1)
        original(self, *args, **kwargs)

    monkeypatch.setattr(frontend.OptionParser, "__init__", counted)
    return made


def _translated_page(folder, paragraphs: int, *extensions: str):
    english = [f"Paragraph number {n} of the page." for n in range(paragraphs)]
    page = "# Title\n\n" + "\n\n".join(english) + "\n"
    spanish = {"Title": "Título", **{text: f"Párrafo número {n} de la página." for n, text in enumerate(english)}}
    return read_pages(folder, {"index": page}, language="es", translations={"index": spanish},
                      extensions=extensions)["index"]


def test_as_released_every_translated_message_makes_an_option_parser(tmp_path, option_parsers_made):
    _translated_page(tmp_path / "few", 2)
    few = len(option_parsers_made)
    _translated_page(tmp_path / "many", 12)
    assert len(option_parsers_made) - few >= few + 10, "the cost this module removes"


def test_the_option_parsers_made_do_not_grow_with_the_messages(tmp_path, option_parsers_made):
    _translated_page(tmp_path / "few", 2, "handbook.common.parser_settings")
    few = len(option_parsers_made)
    option_parsers_made.clear()
    _translated_page(tmp_path / "many", 12, "handbook.common.parser_settings")
    assert len(option_parsers_made) <= few


def test_the_translated_page_is_the_same(tmp_path, option_parsers_made):
    released = _translated_page(tmp_path / "released", 5)
    ours = _translated_page(tmp_path / "ours", 5, "handbook.common.parser_settings")
    assert ours.pformat().replace(str(tmp_path / "ours"), "") == released.pformat().replace(
        str(tmp_path / "released"), "")
    assert "Párrafo número 4 de la página." in ours.astext()


def test_each_document_has_settings_of_its_own():
    first, second = parser_settings.make_document(), parser_settings.make_document("page.md")
    assert first.settings is not second.settings
    assert first.settings.record_dependencies is not second.settings.record_dependencies
    assert vars(first.settings).keys() == vars(frontend.get_default_settings(RSTParser)).keys()
    assert second["source"] == "page.md"
