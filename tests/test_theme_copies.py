"""The templates in _templates/ that replace the theme's own are read again when the theme changes.

A template named like one of sphinx-book-theme's or pydata-sphinx-theme's replaces it
(or extends it and replaces its blocks), so it holds a copy of the theme's markup of
one version. Its first comment names the theme and that version; when
requirements.txt pins another version, this test fails until someone compares the
copy with the new theme's template and records the new version.
"""

from __future__ import annotations

import re
from pathlib import Path

import pydata_sphinx_theme
import pytest
import sphinx_book_theme

from conftest import ROOT

THEMES = {
    "sphinx-book-theme": Path(sphinx_book_theme.__file__).parent / "theme",
    "pydata-sphinx-theme": Path(pydata_sphinx_theme.__file__).parent / "theme",
}
RECORDED = re.compile(r"\b(sphinx-book-theme|pydata-sphinx-theme) (\d+(?:\.\d+)+)")


def pinned(package: str) -> str:
    line = next(line for line in (ROOT / "requirements.txt").read_text().splitlines()
                if line.lower().startswith(f"{package}=="))
    return line.split("==", 1)[1]


def first_comment(template: Path) -> str:
    match = re.match(r"\s*\{#-?(.*?)-?#\}", template.read_text(encoding="utf-8"), re.S)
    return match.group(1) if match else ""


def replaced_themes(template: Path) -> set[str]:
    return {theme for theme, root in THEMES.items() if any(root.rglob(template.name))}


TEMPLATES = sorted((ROOT / "_templates").glob("*.html"))


@pytest.mark.parametrize("template", [t for t in TEMPLATES if replaced_themes(t)], ids=lambda t: t.name)
def test_a_copied_template_records_the_pinned_theme_version(template):
    recorded = dict(RECORDED.findall(first_comment(template)))
    assert recorded.keys() & replaced_themes(template), (
        f"_templates/{template.name} replaces {' and '.join(sorted(replaced_themes(template)))}'s template: "
        "name the theme and its version in its first comment")
    for theme, version in recorded.items():
        assert version == pinned(theme), (
            f"_templates/{template.name} was copied from {theme} {version}, but requirements.txt pins "
            f"{pinned(theme)}: compare it with the new theme's template, then record {pinned(theme)}")


def test_the_installed_themes_are_the_pinned_ones():
    # Which templates replace a theme's is read from the installed theme.
    assert sphinx_book_theme.__version__ == pinned("sphinx-book-theme")
    assert pydata_sphinx_theme.__version__ == pinned("pydata-sphinx-theme")


def test_the_recorded_version_is_read_from_the_first_comment():
    assert RECORDED.findall("{#- pydata-sphinx-theme 0.20.0's search button -#}") == [("pydata-sphinx-theme", "0.20.0")]
    assert RECORDED.findall("{#- sphinx-book-theme's layout -#}") == []
