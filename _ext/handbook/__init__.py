"""The handbook's own Sphinx extensions, grouped by what they serve.

- ``common``: what every format shares (the edition, abbreviations, fonts, the print page map).
- ``rules``: the house style, checked on every build and by ``make lint``.
- ``web``: the HTML site (downloads menu, search, page dates, the sidebar rendered once per build).
- ``pdf``: the print builder, its document tree and the PDF/UA tag repair.
- ``epub``: the EPUB 3 builder and its package templates.
- ``braille``: the braille-ready edition (liblouis translation, line and page stages, builder).

ARCHITECTURE.md at the top of the repository shows how a build flows through them.
"""

from pathlib import Path

# The repository's top folder: the themes and the translation catalogues live there.
REPOSITORY = Path(__file__).resolve().parents[2]
THEMES = REPOSITORY / "_themes"
LOCALES = REPOSITORY / "locales"
