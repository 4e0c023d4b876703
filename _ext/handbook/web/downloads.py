"""Offer the PDF, the large-print PDF, the EPUB and the braille files from every page of the site.

The HTML build copies the finished files into ``downloads/`` beside the pages,
writes ``downloads/SHA256SUMS`` so a reader can check them, and gives every
page template a ``handbook_downloads`` list (format, file size, link) for the
header (``_templates/downloads.html``). A missing file is a build error that
says which ``make`` target builds it; ``make serve`` turns that off.
"""

from __future__ import annotations

import hashlib
import shutil
from dataclasses import dataclass
from pathlib import Path

from babel.numbers import format_decimal
from sphinx.locale import get_translation
from sphinx.util import logging

from handbook.common.edition import output_stem

_ = get_translation("handbook")
logger = logging.getLogger(__name__)
HTML_BUILDERS = {"html", "dirhtml"}
DOWNLOAD_DIR = "downloads"


@dataclass(frozen=True)
class Download:
    label: str  # the format, as readers name it
    filename: str
    source: Path  # where `make` publishes it
    make_target: str  # the make target that builds it
    mimetype: str


def expected_downloads(config, build_dir: Path) -> list[Download]:
    stem = output_stem(config)
    return [
        Download(_("PDF"), f"{stem}.pdf", build_dir / "pdf" / f"{stem}.pdf", "pdf", "application/pdf"),
        Download(
            _("Large-print PDF"), f"{stem}-large-print.pdf",
            build_dir / "pdf" / f"{stem}-large-print.pdf", "pdf", "application/pdf",
        ),
        Download(_("EPUB"), f"{stem}.epub", build_dir / "epub" / f"{stem}.epub", "epub", "application/epub+zip"),
        # Braille ASCII for embossers and braille notetakers; the same pages in
        # Unicode braille for a braille display through a browser or an editor.
        Download(_("Braille (BRF)"), f"{stem}.brf", build_dir / "braille" / f"{stem}.brf", "braille", "text/plain"),
        Download(
            _("Unicode braille"), f"{stem}-braille.txt",
            build_dir / "braille" / f"{stem}-braille.txt", "braille", "text/plain",
        ),
    ]


def human_size(size: int, language: str) -> str:
    """A file size as readers say it: 980 KB, 1.4 MB (decimal units, localised digits)."""
    if size < 1000 * 1000:
        value, unit = max(size / 1000, 0.1), "KB"
        pattern = "#,##0" if value >= 10 else "#,##0.#"
    else:
        value, unit = size / (1000 * 1000), "MB"
        pattern = "#,##0.#"
    return f"{format_decimal(value, format=pattern, locale=language)}\N{NO-BREAK SPACE}{unit}"


def sha256sums(files: list[Path]) -> str:
    """The contents of a SHA256SUMS file, as `sha256sum --check` reads it."""
    lines = []
    for file in sorted(files, key=lambda f: f.name):
        digest = hashlib.sha256(file.read_bytes()).hexdigest()
        lines.append(f"{digest}  {file.name}\n")
    return "".join(lines)


def fingerprint(downloads: list[Download]) -> str:
    """Names and sizes of the downloads: when one changes, every page's header must too."""
    return ";".join(f"{d.filename}:{d.source.stat().st_size}" for d in downloads)


def _on_config_inited(app, config) -> None:
    """Find the published downloads once; remember them for the HTML builder."""
    build_dir = Path(app.confdir, config.handbook_downloads_from)
    expected = expected_downloads(config, build_dir)
    app.handbook_downloads_found = [d for d in expected if d.source.is_file()]
    app.handbook_downloads_missing = [d for d in expected if not d.source.is_file()]
    # A config value that Sphinx compares between builds (rebuild="html"), so a
    # new size of any download rewrites every page, not only the pages that changed.
    config.handbook_downloads_fingerprint = fingerprint(app.handbook_downloads_found)


def _on_builder_inited(app) -> None:
    if app.builder.name not in HTML_BUILDERS:
        app.builder.handbook_downloads = []
        return
    if app.config.handbook_downloads_required:
        for download in app.handbook_downloads_missing:
            logger.warning(
                _("%(file)s is missing, so the site cannot offer it for download. "
                  "Build it first with `make %(target)s` (plain `make` builds every format)."),
                {"file": download.source, "target": download.make_target},
                type="handbook", subtype="downloads",
            )
    app.builder.handbook_downloads = app.handbook_downloads_found


def _on_page_context(app, pagename, templatename, context, doctree) -> None:
    context["handbook_downloads"] = [
        {
            "label": download.label,
            "size": human_size(download.source.stat().st_size, app.config.language),
            "href": context["pathto"](f"{DOWNLOAD_DIR}/{download.filename}", 1),
            "filename": download.filename,
            "mimetype": download.mimetype,
        }
        for download in getattr(app.builder, "handbook_downloads", [])
    ]


def _on_build_finished(app, exception) -> None:
    downloads = getattr(app.builder, "handbook_downloads", [])
    if exception is not None or not downloads:
        return
    target_dir = Path(app.outdir, DOWNLOAD_DIR)
    target_dir.mkdir(exist_ok=True)
    copies = []
    for download in downloads:
        copy = target_dir / download.filename
        shutil.copyfile(download.source, copy)
        copies.append(copy)
    (target_dir / "SHA256SUMS").write_text(sha256sums(copies), encoding="utf-8")


def setup(app):
    app.setup_extension("handbook.common.edition")
    # Where `make` publishes the downloads, relative to conf.py. Not part of the
    # output (rebuild=""), so two builds in different folders write the same site.
    app.add_config_value("handbook_downloads_from", "_build", "", types=frozenset({str}))
    app.add_config_value("handbook_downloads_fingerprint", "", "html", types=frozenset({str}))
    app.connect("config-inited", _on_config_inited)
    # `make serve` previews without the downloads.
    app.add_config_value("handbook_downloads_required", True, "html", types=frozenset({bool}))
    app.connect("builder-inited", _on_builder_inited)
    app.connect("html-page-context", _on_page_context)
    app.connect("build-finished", _on_build_finished)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
