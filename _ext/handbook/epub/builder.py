"""The ``epub`` builder: the handbook as an accessible, reproducible EPUB 3.

A subclass of Sphinx's EPUB 3 builder, registered under the same name. Sphinx
renders content.opf and nav.xhtml from fixed templates (templates_path does not
reach them), so this builder writes them from its own (_ext/handbook/epub/package/):

- EPUB Accessibility 1.1 metadata (schema:accessMode, ..., a11y:certifiedBy),
  set in conf.py's EPUB section (config values registered here);
- dcterms:modified and the zip entries' times from the edition (git), never the
  clock, and zip entries in a fixed order: two builds of one commit are equal;
- a cover image generated from the title (with its text as alt text), a
  colophon with the edition and the statement that the handbook is independent;
- a nav grouped by the parts of the handbook, with role="doc-toc" and landmarks;
- page-break markers and a page list that follow the print PDF's pages, when
  the build is given the PDF's page map (_ext/handbook/common/page_map.py; `make epub` does).

The pages use a lean theme (_themes/epub) with its own reading stylesheet: no
web theme CSS or JavaScript goes into the book. Upstream bugs worked around here:
Sphinx issue 14030 (toctree captions with role="heading" but no aria-level) and
Sphinx issue 11184 (toc.ncx carries epub_uid where the identifier belongs).
"""

from __future__ import annotations

import datetime as dt
import html
import io
import re
from dataclasses import dataclass
from pathlib import Path
from zipfile import ZIP_DEFLATED, ZIP_STORED, ZipFile, ZipInfo

from docutils import nodes
from sphinx import addnodes
from sphinx.builders.epub3 import PAGE_PROGRESSION_DIRECTIONS, Epub3Builder, NavPoint
from sphinx.errors import ConfigError
from sphinx.locale import get_translation
from sphinx.util.fileutil import copy_asset_file
from sphinx.util.osutil import copyfile
from sphinx.writers.html5 import HTML5Translator

from handbook import THEMES
from handbook.common.failure import fail_build
from handbook.common.fonts import font_directory
from handbook.common.page_map import page_list, read_page_map
from handbook.rules.build_errors import stop_after_problems

_ = get_translation("handbook")
HERE = Path(__file__).resolve().parent
THEME_DIR = THEMES / "epub"
PACKAGE_TEMPLATES = HERE / "package"
COVER_PAGE = "cover"  # page names of the generated pages (not documents)
COLOPHON_PAGE = "colophon"
COVER_IMAGE = "cover.png"
# The theme's templates have names of their own: the project's templates_path
# (searched first) holds the web theme's layout.html and page overrides.
PAGE_TEMPLATE = "epub-page.html"
# The zip format cannot store times before 1980.
ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)
# Files Sphinx leaves in the output folder that are not part of the book.
NOT_IN_BOOK = {".buildinfo", "mimetype", "content.opf", "toc.ncx", "nav.xhtml", "META-INF/container.xml"}
REQUIRED_ACCESSIBILITY_VALUES = (
    "epub_access_modes",
    "epub_access_modes_sufficient",
    "epub_accessibility_features",
    "epub_accessibility_hazards",
    "epub_accessibility_summary",
    "epub_conforms_to",
    "epub_certified_by",
)


@dataclass(frozen=True)
class ManifestItem:
    href: str
    id: str
    media_type: str
    properties: str = ""


@dataclass(frozen=True)
class Landmark:
    type: str  # an epub:type from the EPUB Structural Semantics Vocabulary
    href: str
    title: str


# -- Pure helpers (unit-tested without Sphinx) ---------------------------------


def manifest_id(href: str) -> str:
    """A readable, stable XML id for a file of the book: front/about.xhtml -> f-front-about-xhtml."""
    return "f-" + re.sub(r"[^A-Za-z0-9]+", "-", href).strip("-")


def zip_date_time(timestamp: int) -> tuple[int, int, int, int, int, int]:
    """The zip entry time for a UTC timestamp, clamped to what zip can store.

    Zip keeps seconds in steps of two, so an odd second is rounded down here,
    where it shows, rather than silently by the zip writer.
    """
    moment = dt.datetime.fromtimestamp(timestamp, tz=dt.timezone.utc)
    moment = moment.replace(second=moment.second - moment.second % 2)
    return max(ZIP_EPOCH, moment.timetuple()[:6])


def w3c_datetime(timestamp: int) -> str:
    """The form dcterms:modified requires: CCYY-MM-DDThh:mm:ssZ."""
    return dt.datetime.fromtimestamp(timestamp, tz=dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def write_reproducible_zip(root: Path, names: list[str], target: Path, timestamp: int) -> None:
    """Zip ``names`` (relative to ``root``) in the given order, with fixed times and modes.

    The OCF rule: the first entry is ``mimetype``, stored, without extra fields.
    """
    if not names or names[0] != "mimetype":
        raise ValueError("the EPUB's first entry must be mimetype")
    if len(set(names)) != len(names):
        raise ValueError("a file is listed twice in the EPUB")
    date_time = zip_date_time(timestamp)
    with ZipFile(target, "w") as book:
        for name in names:
            info = ZipInfo(name, date_time)
            info.compress_type = ZIP_STORED if name == "mimetype" else ZIP_DEFLATED
            info.create_system = 3  # Unix, whatever machine builds it
            info.external_attr = 0o644 << 16
            book.writestr(info, (root / name).read_bytes())


def wrap_words(text: str, fits) -> list[str]:
    """Break ``text`` into lines at spaces; ``fits(line)`` says if a line fits the width."""
    lines: list[str] = []
    for word in text.split():
        if lines and fits(f"{lines[-1]} {word}"):
            lines[-1] = f"{lines[-1]} {word}"
        else:
            lines.append(word)
    return lines


def render_cover(title: str, subtitle: str, edition_line: str, fonts: Path) -> bytes:
    """A plain cover: dark text on white, the title large; a PNG (1600 x 2560 px)."""
    from PIL import Image, ImageDraw, ImageFont

    width, height, margin = 1600, 2560, 160
    image = Image.new("L", (width, height), color=255)
    draw = ImageDraw.Draw(image)

    def block(text: str, font_file: str, size: int, top: int) -> int:
        font = ImageFont.truetype(str(fonts / font_file), size)
        lines = wrap_words(text, lambda line: font.getlength(line) <= width - 2 * margin)
        for line in lines:
            draw.text((margin, top), line, font=font, fill=0)
            top += int(size * 1.25)
        return top

    top = block(title, "AtkinsonHyperlegible-Bold.ttf", 150, 480)
    draw.rectangle((margin, top + 60, margin + 320, top + 76), fill=0)
    block(subtitle, "AtkinsonHyperlegible-Regular.ttf", 80, top + 180)
    block(edition_line, "AtkinsonHyperlegible-Regular.ttf", 64, height - 360)
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()


def missing_accessibility_values(config) -> list[str]:
    return [name for name in REQUIRED_ACCESSIBILITY_VALUES if not getattr(config, name)]


# -- Sphinx --------------------------------------------------------------------




def page_break(page: str) -> str:
    """A print page-break marker (EPUB 3 pagebreak, DPUB-ARIA doc-pagebreak)."""
    page = html.escape(page)
    return f'<span epub:type="pagebreak" role="doc-pagebreak" id="page-{page}" aria-label="{page}"></span>'


class EpubTranslator(HTML5Translator):
    def dispatch_visit(self, node: nodes.Node) -> None:
        page = self._print_page(node)
        # A marker may stand before a block, but inside a term: a <dl> holds only <dt> and <dd>.
        if page and not isinstance(node, nodes.term):
            self.body.append(page_break(page))
        super().dispatch_visit(node)
        if page and isinstance(node, nodes.term):
            self.body.append(page_break(page))

    def _print_page(self, node: nodes.Node) -> str | None:
        """The print page that starts with this block, recorded for the page list."""
        if not isinstance(node, nodes.Element):
            return None
        for block in node["ids"]:
            page = self.builder.block_pages.get(block)
            if page:
                return page
        return None

    def visit_title(self, node: nodes.title) -> None:
        # Sphinx issue 14030: a toctree caption gets role="heading" without
        # aria-level, which assistive technology needs (Ace: aria-required-attr).
        # It is one level below the section that holds the toctree.
        if isinstance(node.parent, addnodes.compact_paragraph) and node.parent.get("toctree"):
            level = str(min(self.section_level + 1, 6))
            self.body.append(
                self.starttag(node, "p", "", CLASS="caption", ROLE="heading", **{"aria-level": level})
            )
            self.body.append('<span class="caption-text">')
            self.context.append("</span></p>\n")
        else:
            super().visit_title(node)


class AccessibleEpubBuilder(Epub3Builder):
    """Sphinx's EPUB 3 builder, with accessible and reproducible output."""

    name = "epub"
    default_translator_class = EpubTranslator

    def init(self) -> None:
        super().init()
        self.id_owners: dict[str, str] = {}  # manifest id -> file
        # The print PDF's pages: which block starts which page, and where the markers went.
        self.page_source, self.block_pages = "", {}
        if self.config.handbook_page_map:
            page_map = Path(self.config.handbook_page_map)
            if page_map.is_file():
                self.page_source, self.block_pages = read_page_map(page_map)
            else:
                self.problem(f"the PDF's page map {page_map} is missing: build the PDF first (`make pdf`)", "page_map")

    def problem(self, message: str, subtype: str) -> None:
        """A one-line build problem: the build fails on it (also without -W), without a traceback."""
        fail_build(self.app, message, type="epub", subtype=subtype)

    @property
    def page_list(self) -> list[tuple[str, str]]:
        """The marked print pages and where each marker is, for the nav and the metadata."""
        return page_list(self.block_pages, sorted(self.env.found_docs), self.out_suffix)

    def init_css_files(self) -> None:
        super().init_css_files()
        # No syntax-highlighting colours: they would fight the reader's night
        # mode, and the handbook has no code to highlight.
        self._css_files = [css for css in self._css_files if css.filename != "_static/pygments.css"]

    def copy_static_files(self) -> None:
        # Only what the book needs: the theme's reading stylesheet and the
        # typeface. html_static_path is left out: it holds the web theme's CSS.
        self._static_dir.mkdir(parents=True, exist_ok=True)
        self.copy_theme_static_files(self.globalcontext.copy())
        for font in sorted(Path(font_directory()).glob("*.ttf")):
            copyfile(font, self._static_dir / font.name, force=True)

    def make_id(self, name: str) -> str:
        new_id = manifest_id(name)
        if self.id_owners.setdefault(new_id, name) != name:
            self.problem(f"{name} and {self.id_owners[new_id]} get the same EPUB id; rename one", "id")
        return new_id

    def handle_page(self, pagename, addctx, templatename="page.html", **kwargs) -> None:
        if templatename == "page.html":
            templatename = PAGE_TEMPLATE
        super().handle_page(pagename, addctx, templatename, **kwargs)

    def handle_finish(self) -> None:
        # No package from a build with problems: the book would carry them (a missing image) to readers.
        if stop_after_problems(self.app, _("Packing the EPUB")):
            return
        clashes = [page for page in (COVER_PAGE, COLOPHON_PAGE) if page in self.env.found_docs]
        for page in clashes:
            self.problem(f"docs/{page} has the name of the EPUB's generated {page} page; rename it", "page_name")
        if clashes:
            return
        self.write_cover()
        self.handle_page(COLOPHON_PAGE, {"title": _("Colophon")}, "epub-colophon.html")
        super().handle_finish()

    def write_cover(self) -> None:
        config = self.config
        edition_line = _("Edition of %(date)s") % {"date": config.handbook_edition.date}
        if config.handbook_draft:
            # Not in an f-string: before Python 3.12, babel sees no call inside one.
            edition_line = "%s. %s" % (edition_line, _("Draft"))
        image = self.outdir / self.imagedir / COVER_IMAGE
        image.parent.mkdir(parents=True, exist_ok=True)
        image.write_bytes(
            render_cover(config.epub_title, config.handbook_subtitle, edition_line, Path(font_directory()))
        )
        context = {
            "title": _("Cover"),
            "cover_image": f"{self.imagedir}/{COVER_IMAGE}",
            # The alt text says all the cover says (one full stop after each part, even "EE. UU.").
            "cover_alt": ". ".join(part.rstrip(".") for part in (
                config.epub_title, config.handbook_subtitle, edition_line)),
        }
        self.handle_page(COVER_PAGE, context, "epub-cover.html")

    def build_content(self) -> None:
        """Write content.opf: metadata, every file of the book, and the reading order."""
        config = self.config
        edition = config.handbook_edition
        self.ignored_files = [*NOT_IN_BOOK, f"{config.epub_basename}.epub", *config.epub_exclude_files]
        self.files: list[str] = []
        manifest: list[ManifestItem] = []
        cover_href = f"{self.imagedir}/{COVER_IMAGE}"
        for path in sorted(p for p in self.outdir.rglob("*") if p.is_file()):
            href = path.relative_to(self.outdir).as_posix()
            if href in self.ignored_files:
                continue
            media_type = self.media_types.get(path.suffix)
            if media_type is None:
                self.problem(f"{href} has no EPUB media type; it is left out of the book", "media_type")
                continue
            properties = "cover-image" if href == cover_href else ""
            manifest.append(ManifestItem(href, self.make_id(href), media_type, properties))
            self.files.append(href)

        pages = [f"{COVER_PAGE}{self.out_suffix}", f"{COLOPHON_PAGE}{self.out_suffix}"]
        for refnode in self.refnodes:
            page = refnode["refuri"]
            if "#" not in page and page not in pages:
                pages.append(page)
        unread = [href for href in self.files if href.endswith(self.out_suffix) and href not in pages]
        if unread:
            self.problem(f"pages outside the reading order (add them to a toctree): {', '.join(unread)}", "spine")

        metadata = {
            "lang": config.epub_language,
            "uid": config.epub_uid,
            "identifier": config.epub_identifier,
            "title": config.epub_title,
            "author": config.epub_author,
            "publisher": config.epub_publisher,
            "description": config.epub_description,
            "rights": config.epub_copyright,
            "date": edition.date,
            "modified": w3c_datetime(edition.timestamp),
            "version": config.release,
            "access_modes": config.epub_access_modes,
            "access_modes_sufficient": config.epub_access_modes_sufficient,
            # With page markers, the book also offers page navigation and names its page source.
            "accessibility_features": [
                *config.epub_accessibility_features,
                *(["pageBreakMarkers", "pageNavigation"] if self.page_list else []),
            ],
            "page_break_source": self.page_source if self.page_list else "",
            "accessibility_hazards": config.epub_accessibility_hazards,
            "accessibility_summary": config.epub_accessibility_summary,
            "conforms_to": config.epub_conforms_to,
            "certified_by": config.epub_certified_by,
            "cover_id": self.make_id(cover_href),
            "manifest": manifest,
            # The contents page is reached through the toc landmark and the
            # reading system's menus, outside the linear reading (the
            # introduction already lists the chapters).
            "spine": [(self.make_id(page), True) for page in pages] + [("nav", False)],
            "page_progression_direction": PAGE_PROGRESSION_DIRECTIONS[config.epub_writing_mode],
        }
        copy_asset_file(PACKAGE_TEMPLATES / "content.opf.jinja", self.outdir, context=metadata, force=True)

    def build_navigation_doc(self) -> None:
        """Write nav.xhtml: the contents, grouped under the parts' captions, and landmarks."""
        root = self.config.root_doc + self.out_suffix
        doctree = self.env.get_and_resolve_doctree(
            self.config.root_doc, self, tags=self.tags, prune_toctrees=False, includehidden=True
        )
        navlist = [NavPoint(self.refnodes[0]["text"], root, [])]
        for toctree in doctree.findall(addnodes.compact_paragraph):
            if not toctree.get("toctree"):
                continue
            chapters = self.build_navlist(self.get_refnodes(toctree, []))
            caption = next(iter(toctree.findall(nodes.title)), None)
            if caption is None:
                navlist.extend(chapters)
            else:
                navlist.append(NavPoint(html.escape(caption.astext()), "", chapters))
        landmarks = [
            Landmark("cover", f"{COVER_PAGE}{self.out_suffix}", _("Cover")),
            Landmark("toc", "nav.xhtml#toc", _("Contents")),
            Landmark("bodymatter", root, _("Start of content")),
        ]
        context = {
            "lang": self.config.epub_language,
            "page_list_title": _("Pages of the print edition"),
            "page_list": self.page_list,
            "toc_title": _("Contents"),
            "landmarks_title": _("Landmarks"),
            "stylesheet": "_static/reading.css",
            "navlist": navlist,
            "landmarks": landmarks,
        }
        copy_asset_file(PACKAGE_TEMPLATES / "nav.xhtml.jinja", self.outdir, context=context, force=True)
        self.files.append("nav.xhtml")

    def toc_metadata(self, level: int, navpoints: list) -> dict:
        # Sphinx issue 11184: toc.ncx must carry the book's identifier, not the
        # id of the element that holds it (EPUBCheck NCX-001).
        return {**super().toc_metadata(level, navpoints), "uid": html.escape(self.config.epub_identifier)}

    def build_epub(self) -> None:
        names = ["mimetype", "META-INF/container.xml", "content.opf", "toc.ncx", *self.files]
        target = self.outdir / f"{self.config.epub_basename}.epub"
        write_reproducible_zip(self.outdir, names, target, self.config.handbook_edition.timestamp)


def _mark_a_draft_in_the_title(app, config) -> None:
    """A draft's title says so, in every reading system's library (see common/catalogue.py)."""
    if config.handbook_draft:
        config.epub_title = _("%(title)s (draft)") % {"title": config.epub_title}


def _check_accessibility_config(app) -> None:
    if app.builder.name != AccessibleEpubBuilder.name:
        return
    missing = missing_accessibility_values(app.config)
    if missing:
        raise ConfigError(f"conf.py must set the EPUB's accessibility metadata: {', '.join(missing)}")


def setup(app):
    app.setup_extension("sphinx.builders.epub3")
    app.setup_extension("handbook.common.translations")
    app.add_builder(AccessibleEpubBuilder, override=True)
    app.add_html_theme("handbook_epub", str(THEME_DIR))
    # EPUB Accessibility 1.1 metadata (https://www.w3.org/TR/epub-a11y-11/).
    app.add_config_value("epub_access_modes", [], "epub", types=frozenset({list, tuple}))
    app.add_config_value("epub_access_modes_sufficient", [], "epub", types=frozenset({list, tuple}))
    app.add_config_value("epub_accessibility_features", [], "epub", types=frozenset({list, tuple}))
    app.add_config_value("epub_accessibility_hazards", [], "epub", types=frozenset({list, tuple}))
    app.add_config_value("epub_accessibility_summary", "", "epub", types=frozenset({str}))
    app.add_config_value("epub_conforms_to", "", "epub", types=frozenset({str}))
    app.add_config_value("epub_certified_by", "", "epub", types=frozenset({str}))
    app.connect("builder-inited", _check_accessibility_config)
    # After translations.py settles whether this edition is a draft.
    app.connect("config-inited", _mark_a_draft_in_the_title, priority=600)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
