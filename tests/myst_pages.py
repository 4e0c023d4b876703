"""Small MyST pages, read by Sphinx and MyST into the doctrees the rules see.

Unit tests of the rules (handbook.rules.*) call the pure rule functions on
these doctrees: no copy of a rule, no second Markdown parser. The handbook's
own rules extension is not loaded, so a test sees the rule it calls and
nothing else.
"""

from __future__ import annotations

import io
from pathlib import Path

from docutils import nodes
from sphinx.application import Sphinx

# As conf.py: ::: fences, definition lists and attributes on blocks.
MYST_EXTENSIONS = ["colon_fence", "deflist", "attrs_block"]


def read_pages(folder: Path, pages: dict[str, str], *, spell_out_abbreviations: bool = True,
               language: str = "en") -> dict[str, nodes.document]:
    """Read ``{docname: markdown}`` with Sphinx; return each page's doctree after reading.

    With ``spell_out_abbreviations`` the handbook's abbreviations.py runs, as in
    every build; without it the tree keeps each {abbr} as written.
    """
    source = folder / "src"
    for docname, markdown in pages.items():
        path = source / f"{docname}.md"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(markdown, encoding="utf-8")
    extensions = ["myst_parser"] + (["handbook.common.abbreviations"] if spell_out_abbreviations else [])
    app = Sphinx(str(source), None, str(folder / "out"), str(folder / "doctrees"), "dummy",
                 confoverrides={"extensions": extensions, "myst_enable_extensions": MYST_EXTENSIONS,
                                "root_doc": next(iter(pages)), "language": language},
                 status=None, warning=io.StringIO(), freshenv=True)
    app.build()
    return {docname: app.env.get_doctree(docname) for docname in pages}
