"""_ext/handbook/common/abbreviations.py: the expansion stands in the text, the abbr keeps its title."""

from docutils import nodes
from docutils.frontend import get_default_settings
from docutils.parsers.rst import Parser
from docutils.utils import new_document

from handbook.common.abbreviations import SpellOutAbbreviations, spell_out


def test_spell_out_puts_the_expansion_first():
    abbr = nodes.abbreviation("ERO", "ERO", explanation="Enforcement and Removal Operations")
    parts = spell_out(abbr)
    assert "".join(p.astext() for p in parts) == "Enforcement and Removal Operations (ERO)"
    assert parts[1] is abbr and abbr["explanation"] == "Enforcement and Removal Operations"


def test_an_abbreviation_without_expansion_is_left_alone():
    abbr = nodes.abbreviation("PDF", "PDF")
    assert spell_out(abbr) == [abbr]


def test_transform_rewrites_the_paragraph():
    document = new_document("test", get_default_settings(Parser))
    paragraph = nodes.paragraph()
    paragraph += nodes.Text("Work of ")
    paragraph += nodes.abbreviation("HSI", "HSI", explanation="Homeland Security Investigations")
    paragraph += nodes.Text(" abroad.")
    document += paragraph
    SpellOutAbbreviations(document).apply()
    assert paragraph.astext() == "Work of Homeland Security Investigations (HSI) abroad."
    assert len(list(paragraph.findall(nodes.abbreviation))) == 1
