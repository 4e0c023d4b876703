"""Offer the PDF, the large-print PDF, the EPUB and the braille files of every edition from every page.

Every page template gets a ``handbook_downloads`` list (format, language, file size,
link) for the header (``_templates/downloads.html``): the page's own edition first,
then the other editions', each named with its language. The files themselves sit in
``downloads/`` at the site's root, beside ``SHA256SUMS``: `make` puts them there when
it publishes the site (scripts/publish.py). A missing file is a build error that says
which ``make`` target builds it; ``make serve`` turns that off.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from babel.numbers import format_decimal
from sphinx.locale import get_translation
from sphinx.util import logging

from handbook.common.edition import output_stem
from handbook.common.editions import DOWNLOADS_FOLDER, language_name, others_first, site_folder, site_href

_ = get_translation("handbook")
logger = logging.getLogger(__name__)
HTML_BUILDERS = {"html", "dirhtml"}


@dataclass(frozen=True)
class Download:
    label: str  # the format, as readers name it
    filename: str
    source: Path  # where `make` publishes it
    make_target: str  # the make target that builds it
    mimetype: str
    language: str  # the edition's


def expected_downloads(config, build_dir: Path, language: str | None = None) -> list[Download]:
    """The files one edition offers (the edition being built, unless ``language`` says another)."""
    language = language or config.language
    stem = output_stem(config, language)
    return [
        Download(_("PDF"), f"{stem}.pdf", build_dir / "pdf" / f"{stem}.pdf", "pdf", "application/pdf", language),
        Download(
            _("Large-print PDF"), f"{stem}-large-print.pdf",
            build_dir / "pdf" / f"{stem}-large-print.pdf", "pdf", "application/pdf", language,
        ),
        Download(_("EPUB"), f"{stem}.epub", build_dir / "epub" / f"{stem}.epub", "epub", "application/epub+zip",
                 language),
        # Braille ASCII for embossers and braille notetakers; the same pages in
        # Unicode braille for a braille display through a browser or an editor.
        Download(_("Braille (BRF)"), f"{stem}.brf", build_dir / "braille" / f"{stem}.brf", "braille", "text/plain",
                 language),
        Download(
            _("Unicode braille"), f"{stem}-braille.txt",
            build_dir / "braille" / f"{stem}-braille.txt", "braille", "text/plain", language,
        ),
    ]


def human_size(size: int, language: str) -> str:
    """A file size as readers say it: 980 KB, 1.4 MB (decimal units; digits and unit symbols localised)."""
    if size < 1000 * 1000:
        value, unit = max(size / 1000, 0.1), _("KB")
        pattern = "#,##0" if value >= 10 else "#,##0.#"
    else:
        value, unit = size / (1000 * 1000), _("MB")
        pattern = "#,##0.#"
    return f"{format_decimal(value, format=pattern, locale=language)}\N{NO-BREAK SPACE}{unit}"


def download_label(download: Download, language: str) -> str:
    """What a reader of ``language`` sees: the format, and the edition's language if it is another."""
    if download.language == language:
        return str(download.label)
    return _("%(format)s in %(language)s") % {
        "format": download.label, "language": language_name(download.language, language)}


def fingerprint(downloads: list[Download]) -> str:
    """Names and sizes of the downloads: when one changes, every page's header must too."""
    return ";".join(f"{d.filename}:{d.source.stat().st_size}" for d in downloads)


def _on_config_inited(app, config) -> None:
    """Find the published downloads once; remember them for the HTML builder."""
    build_dir = Path(app.confdir, config.handbook_downloads_from)
    expected = [
        download
        for language in others_first(config.language, config.handbook_languages)
        for download in expected_downloads(config, build_dir, language)
    ]
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
    language = app.config.language
    page = f"{site_folder(language)}{pagename}{app.builder.out_suffix}"
    context["handbook_downloads"] = [
        {
            "label": download_label(download, language),
            "size": human_size(download.source.stat().st_size, language),
            "href": site_href(page, f"{DOWNLOADS_FOLDER}/{download.filename}"),
            "filename": download.filename,
            "mimetype": download.mimetype,
            "language": download.language,
        }
        for download in getattr(app.builder, "handbook_downloads", [])
    ]


def setup(app):
    app.setup_extension("handbook.common.edition")
    app.setup_extension("handbook.common.translations")
    # Where `make` publishes the downloads, relative to conf.py. Not part of the
    # output (rebuild=""), so two builds in different folders write the same site.
    app.add_config_value("handbook_downloads_from", "_build", "", types=frozenset({str}))
    app.add_config_value("handbook_downloads_fingerprint", "", "html", types=frozenset({str}))
    app.connect("config-inited", _on_config_inited)
    # `make serve` previews without the downloads.
    app.add_config_value("handbook_downloads_required", True, "html", types=frozenset({bool}))
    app.connect("builder-inited", _on_builder_inited)
    app.connect("html-page-context", _on_page_context)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
