"""Ship the Atkinson Hyperlegible typeface with every format.

The font files come from the PyPI package ``fontpkg-atkinson-hyperlegible``
(pinned in requirements.txt), so nothing is fetched from a font CDN at build
or reading time. They are added to the static files, so the HTML site, the PDF
and the EPUB all carry them in ``_static/``; the stylesheets refer to them there.
"""

from __future__ import annotations

from sphinx.errors import ExtensionError


def font_directory() -> str:
    try:
        import fontpkg_atkinson_hyperlegible as atkinson
    except ImportError:
        raise ExtensionError(
            "The Atkinson Hyperlegible font package is missing. "
            "Run `make` (it installs requirements.txt into .venv)."
        ) from None
    return str(atkinson.ROOT / "files")


def _add_fonts(app, config) -> None:
    fonts = font_directory()
    if fonts not in config.html_static_path:
        config.html_static_path.append(fonts)


def setup(app):
    app.connect("config-inited", _add_fonts)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
