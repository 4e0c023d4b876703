"""The handbook's own words in the edition's language: the ``handbook`` catalogue.

Sphinx translates the pages from their catalogues (locales/<language>/LC_MESSAGES/<page>.po).
Everything else readers meet is the handbook's own: conf.py's title and descriptions, the
templates of the web, print and EPUB formats, the builders' words (the cover, the download
menu, file sizes, the diagram). It is in one catalogue beside the pages', handbook.po,
extracted from the code by `make update-po` (see catalogue.py). This module compiles it
when it changed (into handbook.mo beside it, as Sphinx does with the pages' catalogues) and
makes it the first place ``_()`` looks: in conf.py (``gettext_for``), in Python
(``get_translation("handbook")``) and in templates, ahead of Sphinx's and the theme's own.

It also holds the editions' settings: which languages one `make` builds, and the draft option.
"""

from __future__ import annotations

import gettext
import os
from collections.abc import Callable
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from handbook import LOCALES
from handbook.common.editions import SOURCE_LANGUAGE

CATALOGUE = "handbook"


def catalogue_path(locale_dir: Path, language: str, domain: str) -> Path:
    """Where Sphinx and gettext look for a domain's catalogue (gettext_compact = False)."""
    return locale_dir / language / "LC_MESSAGES" / f"{domain}.po"


def compile_catalogue(po: Path) -> Path:
    """Compile ``po`` into the .mo beside it, unless that is newer; fuzzy messages stay out.

    The .mo is written beside and renamed into place, so two builds at once never read half a file.
    """
    mo = po.with_suffix(".mo")
    if mo.is_file() and mo.stat().st_mtime >= po.stat().st_mtime:
        return mo
    with po.open("rb") as source:
        catalog = read_po(source)
    partial = mo.with_name(f".{mo.name}.{os.getpid()}.part")
    with partial.open("wb") as target:
        write_mo(target, catalog, use_fuzzy=False)
    os.replace(partial, mo)
    return mo


def translations_for(language: str, locale_dir: Path = LOCALES) -> gettext.NullTranslations:
    """The handbook catalogue of ``language``, compiled if needed; English has none and stays as written."""
    po = catalogue_path(locale_dir, language, CATALOGUE)
    if po.is_file():
        compile_catalogue(po)
    return gettext.translation(CATALOGUE, locale_dir, [language], fallback=True)


def speak_in(language: str) -> None:
    """Outside a Sphinx build (a command of the handbook's own): ``_()`` answers in ``language``.

    What ``setup`` below arranges for a build: the handbook catalogue first.
    """
    from sphinx import locale

    translations_for(language)  # compiles the catalogue if it changed
    locale.init([str(LOCALES)], language, CATALOGUE)


def gettext_for(language: str) -> Callable[[str], str]:
    """``_`` for conf.py, which runs before any extension: its strings in the edition's language."""
    return translations_for(language).gettext


def _ours_first_in_templates(app) -> None:
    """Templates look words up in the handbook catalogue first, then in Sphinx's and the theme's."""
    environment = getattr(getattr(app.builder, "templates", None), "environment", None)
    if environment is None:
        return
    ours = translations_for(app.config.language)
    ours.add_fallback(app.translator)
    environment.install_gettext_translations(ours)


def _source_language_is_never_a_draft(app, config) -> None:
    # The English text is the source: complete by definition. Toggling the option must not
    # make Sphinx read its pages again either (handbook_draft is an "env" value).
    if config.language == SOURCE_LANGUAGE:
        config.handbook_draft = False


def setup(app):
    # The editions one `make` builds (HANDBOOK_LANGUAGES); every page links to its counterparts.
    app.add_config_value("handbook_languages", [SOURCE_LANGUAGE], "html", types=frozenset({list, tuple}))
    # A translation with untranslated or fuzzy messages builds only as a draft, marked in every format.
    app.add_config_value("handbook_draft", False, "env", types=frozenset({bool}))
    app.connect("config-inited", _source_language_is_never_a_draft)
    translations_for(app.config.language)
    app.add_message_catalog(CATALOGUE, str(LOCALES))
    app.connect("builder-inited", _ours_first_in_templates)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
