"""Small MyST pages, read by Sphinx and MyST into the doctrees the rules see.

Unit tests of the rules (handbook.rules.*) call the pure rule functions on
these doctrees: no copy of a rule, no second Markdown parser. The handbook's
own rules extension is not loaded, so a test sees the rule it calls and
nothing else.
"""

from __future__ import annotations

import io
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.pofile import write_po
import sphinx.locale
from docutils import nodes
from sphinx.application import Sphinx

# As conf.py: ::: fences, definition lists and attributes on blocks.
MYST_EXTENSIONS = ["colon_fence", "deflist", "attrs_block"]


def read_pages(folder: Path, pages: dict[str, str], *, spell_out_abbreviations: bool = True,
               language: str = "en", translations: dict[str, dict[str, str]] | None = None,
               extensions: tuple[str, ...] = ()) -> dict[str, nodes.document]:
    """Read ``{docname: markdown}`` with Sphinx; return each page's doctree after reading.

    With ``spell_out_abbreviations`` the handbook's abbreviations.py runs, as in
    every build; without it the tree keeps each {abbr} as written. ``translations``
    gives pages a catalogue in ``language`` (``{docname: {English: translation}}``),
    which Sphinx compiles and applies as in a translated edition.
    """
    source = folder / "src"
    for docname, markdown in pages.items():
        path = source / f"{docname}.md"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(markdown, encoding="utf-8")
    for docname, messages in (translations or {}).items():
        catalogue = Catalog(locale=language, domain=docname)
        for english, translation in messages.items():
            catalogue.add(english, translation)
        path = source / "locales" / language / "LC_MESSAGES" / f"{docname}.po"
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("wb") as po:
            write_po(po, catalogue)
    extensions = ["myst_parser", *(["handbook.common.abbreviations"] if spell_out_abbreviations else []), *extensions]
    app = Sphinx(str(source), None, str(folder / "out"), str(folder / "doctrees"), "dummy",
                 confoverrides={"extensions": extensions, "myst_enable_extensions": MYST_EXTENSIONS,
                                "root_doc": next(iter(pages)), "language": language,
                                "locale_dirs": ["locales"], "gettext_compact": False},
                 status=None, warning=io.StringIO(), freshenv=True)
    # Sphinx keeps each catalogue it loads for the rest of the process: a page named like
    # one read before would be translated with that page's catalogue.
    loaded = dict(sphinx.locale.translators)
    try:
        app.build()
        return {docname: app.env.get_doctree(docname) for docname in pages}
    finally:
        sphinx.locale.translators.clear()
        sphinx.locale.translators.update(loaded)
