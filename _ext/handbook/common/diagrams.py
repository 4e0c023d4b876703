"""The diagrams' words in the edition's language.

The diagrams (docs/images/*.svg) are drawn in English. Their title, description and labels
are messages of the handbook catalogue: `make update-po` extracts them (``extract_svg``,
named in babel.cfg), and a translated edition's build writes a copy of each diagram with
its words translated and its language set, into the build's own folder, and points the
pages' images at that copy before Sphinx collects them. The figure's alt text and caption
are the page's, in the page's catalogue.
"""

from __future__ import annotations

import html
import os
import re
from pathlib import Path

from sphinx.locale import get_translation

from handbook.common.editions import SOURCE_LANGUAGE
from handbook.common.files import write_text_atomically

_ = get_translation("handbook")
# The elements whose text readers see or hear: the title and description (the accessible
# name), and the labels. Their text has no markup in it, only entities.
_WORDS = re.compile(r"(<(title|desc|text)\b[^>]*>)([^<]*)(</\2>)")
_ROOT = re.compile(r"<svg\b")


def svg_messages(svg: str) -> list[tuple[int, str]]:
    """(line, text) of every title, description and label (pure)."""
    return [
        (svg.count("\n", 0, match.start(3)) + 1, " ".join(html.unescape(match.group(3)).split()))
        for match in _WORDS.finditer(svg)
        if match.group(3).strip()
    ]


def translate_svg(svg: str, translate, language: str) -> str:
    """The diagram with every title, description and label passed through ``translate`` (pure)."""
    def words(match: re.Match) -> str:
        text = " ".join(html.unescape(match.group(3)).split())
        if not text:
            return match.group(0)
        return f"{match.group(1)}{html.escape(translate(text), quote=False)}{match.group(4)}"

    translated = _WORDS.sub(words, svg)
    return _ROOT.sub(f'<svg xml:lang="{html.escape(language)}"', translated, count=1)


def extract_svg(fileobj, keywords, comment_tags, options):
    """Babel extractor for the diagrams (babel.cfg): (line, function, message, comments)."""
    for line, text in svg_messages(fileobj.read().decode("utf-8")):
        yield line, None, text, []


def _write_if_changed(path: Path, text: str) -> None:
    # An unchanged copy keeps its time, so Sphinx does not read the page that shows it again.
    if path.is_file() and path.read_text(encoding="utf-8") == text:
        return
    write_text_atomically(path, text)


def _translate_diagrams(app) -> None:
    app.handbook_translated_diagrams = {}
    if app.config.language == SOURCE_LANGUAGE or app.builder.name == "gettext":
        return
    srcdir = Path(app.srcdir)
    target_dir = Path(app.doctreedir) / "translated-diagrams"
    for source in sorted(srcdir.rglob("*.svg")):
        relative = source.relative_to(srcdir)
        target = target_dir / relative
        _write_if_changed(target, translate_svg(source.read_text(encoding="utf-8"), _, app.config.language))
        app.handbook_translated_diagrams[relative.as_posix()] = target


def _use_translated_diagrams(app, doctree) -> None:
    """Point each image at its translated copy (a path from the source folder, as Sphinx wants it)."""
    diagrams = getattr(app, "handbook_translated_diagrams", {})
    if not diagrams:
        return
    from docutils import nodes

    srcdir = Path(app.srcdir)
    for image in doctree.findall(nodes.image):
        relative, _absolute = app.env.relfn2path(image["uri"], app.env.docname)
        if relative in diagrams:
            # A leading / means "from the source folder" to Sphinx, which copies the file by its name.
            image["uri"] = "/" + os.path.relpath(diagrams[relative], srcdir).replace(os.sep, "/")


def setup(app):
    app.setup_extension("handbook.common.translations")
    app.connect("builder-inited", _translate_diagrams)
    # Before Sphinx's image collector (priority 500), which copies the images it finds.
    app.connect("doctree-read", _use_translated_diagrams, priority=200)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
