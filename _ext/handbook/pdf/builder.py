"""The ``pdf`` builder: the handbook as a tagged PDF/UA-1 book, and a large-print edition.

A subclass of the single-page HTML builder with its own lean print theme
(_themes/print) and stylesheets: WeasyPrint is slow on the web theme's nested
flex layout (WeasyPrint issue 1166), and a book needs a cover, a table of
contents with page numbers, part title pages and running headers anyway.
``finish()`` renders each edition with WeasyPrint and fails the build on any
WeasyPrint error or warning (sphinx-simplepdf only logs them), or when the PDF
stops before the last section (WeasyPrint issues 2798 and 2595).
"""

from __future__ import annotations

import contextlib
import cProfile
import ctypes
import gc
import hashlib
import io
import logging
import multiprocessing
import os
import re
import resource
import sys
import warnings
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from functools import partial
from pathlib import Path

from docutils import nodes
from roman_numerals import RomanNumeral
from sphinx.builders.singlehtml import SingleFileHTMLBuilder
from sphinx.errors import SphinxError
from sphinx.locale import get_translation
from sphinx.util import logging as sphinx_logging
from sphinx.util.nodes import inline_all_toctrees

from handbook import THEMES
from handbook.common import page_map
from handbook.common.edition import output_stem
from handbook.common.failure import fail_build
from handbook.pdf import box_sources, page_labels, render_plan
from handbook.pdf import doctree as print_doctree
from handbook.pdf import tagging as pdf_tagging
from handbook.rules.build_errors import stop_after_problems

_ = get_translation("handbook")
logger = sphinx_logging.getLogger(__name__)
THEME_DIR = THEMES / "print"


class PDFBuildError(SphinxError):
    category = "PDF build failed"


@dataclass(frozen=True)
class PrintEdition:
    suffix: str  # appended to the output stem: "" or "-large-print"
    stylesheets: tuple[str, ...]  # in the theme's static folder, applied in order


EDITIONS = (
    PrintEdition("", ("print.css",)),
    PrintEdition("-large-print", ("print.css", "large-print.css")),
)
PAPER_SIZES = {"letter": "letter", "a4": "A4"}


class _CollectWeasyPrintProblems(logging.Handler):
    """Keeps every WeasyPrint warning and error, so the build can fail on them."""

    def __init__(self) -> None:
        super().__init__(level=logging.WARNING)
        self.problems: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.problems.append(record.getMessage())


class PDFBuilder(SingleFileHTMLBuilder):
    name = "pdf"
    epilog = _("The PDF editions are in %(outdir)s.")
    search = False
    copysource = False
    supported_image_types = ["image/svg+xml", "image/png", "image/jpeg"]

    def init(self) -> None:
        # Permalink pilcrows are links to themselves: noise in print.
        self.config.html_permalinks = False
        super().init()

    def get_theme_config(self) -> tuple[str, dict]:
        return "handbook_print", {}

    # -- one print document -------------------------------------------------

    def assemble_doctree(self) -> nodes.document:
        root = self.config.root_doc
        tree = self.env.get_doctree(root)
        print_doctree.mark_parts(tree)
        tree = inline_all_toctrees(self, set(), root, tree, str, [root])
        tree["docname"] = root
        self.env.resolve_references(tree, root, self)
        self._parts = print_doctree.parts_from_wrappers(
            tree, lambda number, caption: _("Part %(number)s: %(caption)s") % {
                "number": RomanNumeral(number).to_uppercase(), "caption": caption}
        )
        renamed = print_doctree.make_ids_unique(tree, root)
        unresolved = print_doctree.rewrite_links(tree, renamed, root)
        if unresolved:
            fail_build(self.app, _("links with no target in the print document: %s") % ", ".join(unresolved),
                       type="handbook", subtype="pdf")
        print_doctree.inline_footnotes(tree)
        print_doctree.markers_as_classes(tree, page_map.PREFIX)
        self._link_titles = print_doctree.heading_titles(tree)
        last = print_doctree.last_section(tree)
        self._last_section = (last["ids"][0], last[0].astext()) if last is not None else None
        # The body (``main``) starts with the root document's section: page 1.
        first = next(iter(tree.findall(nodes.section)), None)
        self._body_id = first["ids"][0] if first is not None else None
        return tree

    def post_process_images(self, doctree: nodes.Node) -> None:
        variants = print_doctree.add_large_print_variants(doctree, lambda uri: Path(self.srcdir, uri).is_file())
        super().post_process_images(doctree)
        # Not referenced by any page, so not among the environment's images: copy them too.
        for variant in variants:
            self.images[variant] = Path(variant).name

    def get_doc_context(self, docname: str, body: str, metatags: str) -> dict:
        context = super().get_doc_context(docname, body, metatags)
        context["print_toc"] = print_doctree.print_toc_html(self._parts)
        return context

    # -- rendering ------------------------------------------------------------

    def finish(self) -> None:
        super().finish()
        # WeasyPrint would fail on the same problem (a missing image), with a traceback, after minutes.
        if stop_after_problems(self.app, _("Rendering the PDF editions")):
            return
        html_file = Path(self.outdir, self.config.root_doc + self.out_suffix)
        stem = output_stem(self.config)
        targets = [Path(self.outdir, f"{stem}{edition.suffix}.pdf") for edition in EDITIONS]
        problem = weasyprint_problem()
        if problem:
            # One clear line naming the package, before any rendering (not once per edition).
            fail_build(self.app, problem, type="handbook", subtype="pdf")
            return
        for target in targets:
            logger.info(_("rendering %s"), target.name)
        # The print document is written: let its doctree go. The parts are its sections
        # and keep it alive, and its nodes every page's doctree (their ``document``).
        # Sphinx keeps every doctree it read too, pickled and unpickled (BuildEnvironment's
        # _pickled_doctree_cache and _write_doc_doctree_cache): let them go (Sphinx reads
        # a doctree from disk again if it needs one), and give the freed memory back
        # before the renders start beside this process.
        self._parts = None
        self.env._pickled_doctree_cache.clear()
        self.env._write_doc_doctree_cache.clear()
        gc.collect()
        _return_free_memory()
        # The editions are independent layouts of one document, and WeasyPrint uses
        # one core: render them side by side, one forked process each, as far as the
        # memory budget allows (render_plan.py); the rest wait for the first to end.
        # The processes inherit this builder (a builder cannot be pickled), found
        # through a global.
        plan = render_plan.groups([render_plan.edition_memory_mb(html_file.stat().st_size)] * len(EDITIONS),
                                  _own_memory_mb(), self.config.pdf_memory_mb, os.cpu_count() or 1)
        if len(plan) > 1:
            logger.info(_("rendering the editions one after another, within pdf_memory_mb = %d MB"),
                        self.config.pdf_memory_mb)
        global _BUILDER_IN_CHILD
        _BUILDER_IN_CHILD = self
        # The forked processes share this one's memory until they write to it, and the
        # garbage collector writes to every object it visits: keep the objects made so
        # far (the environment, the doctrees) out of its way, in the processes too.
        gc.freeze()
        errors: list[str | None] = []
        try:
            for group in plan:
                # Fresh processes for each group: the memory a render leaves is not reused.
                with ProcessPoolExecutor(max_workers=len(group), mp_context=multiprocessing.get_context("fork")) as pool:
                    errors += pool.map(_render_in_child, [str(html_file)] * len(group), group,
                                       [str(targets[index]) for index in group])
        finally:
            gc.unfreeze()
            _BUILDER_IN_CHILD = None
        for error in dict.fromkeys(filter(None, errors)):  # both editions may fail alike
            # One clear line, no traceback; the failed build exits non-zero.
            fail_build(self.app, error, type="handbook", subtype="pdf")

    def _stylesheets(self, edition: PrintEdition, font_config) -> list:
        from weasyprint import CSS

        paper = PAPER_SIZES.get(self.config.pdf_paper_size.lower())
        if paper is None:
            raise PDFBuildError(
                _("pdf_paper_size is %(given)r; use one of: %(known)s")
                % {"given": self.config.pdf_paper_size, "known": ", ".join(PAPER_SIZES)}
            )
        static = Path(self.outdir, "_static")
        # Without the FontConfiguration, WeasyPrint ignores @font-face and falls back to DejaVu.
        sheets = [CSS(filename=static / name, font_config=font_config) for name in edition.stylesheets]
        sheets.append(CSS(string=f"@page {{ size: {paper}; }}"))
        return sheets

    def render(self, html_file: Path, edition: PrintEdition, target: Path) -> None:
        """Render one edition to ``target``; leave any earlier file intact on failure."""
        from weasyprint import CSS, HTML, URLFetcher  # loadable: finish() checked weasyprint_problem()
        from weasyprint.text.fonts import FontConfiguration
        from weasyprint.urls import FatalURLFetchingError

        from handbook.pdf import long_documents  # imports WeasyPrint: not for every build that loads this module
        long_documents.apply()

        weasy_logger = logging.getLogger("weasyprint")
        collector = _CollectWeasyPrintProblems()
        weasy_logger.addHandler(collector)
        # Only local files: the PDF must never depend on the network.
        fetcher = URLFetcher(allowed_protocols={"file", "data"}, fail_on_errors=True)
        edition_id = hashlib.sha256(f"{self.config.release}{edition.suffix}".encode()).digest()[:16]
        # WeasyPrint writes `raw`; the tagging fixes write `tmp`, which then replaces `target`.
        raw = target.with_name(target.name + ".raw.part")
        tmp = target.with_name(target.name + ".part")
        try:
            font_config = FontConfiguration()
            stylesheets = self._stylesheets(edition, font_config)

            def render(body_start: int = 0, html: str | None = None):
                # Number the body from 1 (print.css): from the page it starts on, the front matter's count.
                numbered = [CSS(string=f"@page :nth({body_start + 1}) {{ counter-reset: page 1; }}")] if body_start else []
                source = HTML(string=html, base_url=str(html_file), url_fetcher=fetcher) if html is not None \
                    else HTML(filename=html_file, url_fetcher=fetcher)
                try:
                    return source.render(stylesheets=stylesheets + numbered, font_config=font_config,
                                         pdf_variant="pdf/ua-1")
                except FatalURLFetchingError as error:  # a BaseException: it would end the build with a traceback
                    raise PDFBuildError(
                        _("WeasyPrint could not load a file the handbook needs (%(error)s: %(cause)s). Check that "
                          "the file exists and that its path is relative to the page.")
                        % {"error": error, "cause": error.__cause__}
                    ) from None

            # The page the body starts on, from the front matter laid out alone (a few pages, whose
            # contents point at pages not laid out: not problems of the PDF); then the whole handbook
            # is laid out once, numbered from there, and again only if the body moved.
            weasy_logger.removeHandler(collector)
            try:
                front = render(html=front_matter_html(html_file.read_text(encoding="utf-8"), self._body_id))
                expected = self._body_start(front)
                del front
            finally:
                weasy_logger.addHandler(collector)
            document = render(expected)
            self._check_complete(document)
            body_start = self._body_start(document)
            if body_start != expected:
                del document  # never two layouts in memory
                document = render(body_start)
                if self._body_start(document) != body_start:
                    raise PDFBuildError(_("the body moved to another page when its pages were numbered from 1"))
            if edition.suffix == "":
                # Where each page starts, for the EPUB's page list (_ext/handbook/common/page_map.py).
                page_map.write_page_map(
                    page_map.page_starts(map(_page_markers, document.pages),
                                         page_labels.labels(len(document.pages), body_start)),
                    target.with_name(f"{output_stem(self.config)}-pages.json"),
                    _("%(title)s, PDF edition of %(date)s, %(paper)s paper")
                    % {"title": self.config.project, "date": self.config.handbook_edition.date,
                       "paper": self.config.pdf_paper_size.upper() if self.config.pdf_paper_size.lower() == "a4"
                       else _("US Letter")},
                )
            with box_sources.recording():
                document.write_pdf(
                    raw,
                    pdf_variant="pdf/ua-1",
                    pdf_identifier=edition_id,
                    custom_metadata=True,
                    finisher=_release_layout,
                )
            del document  # the layout is written: free it before the tag repair loads the PDF
            gc.collect()
            _return_free_memory()
            if collector.problems:
                raise PDFBuildError(
                    _("WeasyPrint reported problems in %(file)s:\n  %(problems)s")
                    % {"file": target.name, "problems": "\n  ".join(collector.problems)}
                )
            self._fix_tagging(raw, tmp, body_start)
            os.replace(tmp, target)
        finally:
            weasy_logger.removeHandler(collector)
            raw.unlink(missing_ok=True)
            tmp.unlink(missing_ok=True)

    def _fix_tagging(self, source: Path, destination: Path, body_start: int) -> None:
        """Close WeasyPrint 70's PDF/UA gaps (see pdf_tagging.py), label the pages, save to ``destination``."""
        import pikepdf

        with pikepdf.open(source) as pdf:
            try:
                untitled = pdf_tagging.fix_tagging(pdf, self._link_titles)
            except pdf_tagging.TaggingError as error:
                raise PDFBuildError(_("cannot fix the tags of %(file)s: %(error)s")
                                    % {"file": destination.name, "error": error}) from None
            if untitled:
                raise PDFBuildError(_("links to targets with no title, which readers would hear as ids: %s")
                                    % ", ".join(untitled))
            page_labels.write(pdf, body_start)
            # The same sources give the same file: the /ID comes from the content, not the clock.
            pdf.save(destination, deterministic_id=True, object_stream_mode=pikepdf.ObjectStreamMode.generate)

    def _body_start(self, document) -> int:
        """The index of the page the body (main) starts on: the page numbered 1."""
        for index, page in enumerate(document.pages):
            if self._body_id in page.anchors:
                return index
        raise PDFBuildError(_("the PDF has no page with the start of the body (%r): cannot number its pages")
                            % self._body_id)

    def _check_complete(self, document) -> None:
        """Fail when WeasyPrint stopped before the last section of the handbook."""
        if self._last_section is None:
            return
        last_id, last_title = self._last_section
        if not any(last_id in page.anchors for page in document.pages):
            raise PDFBuildError(
                _("the PDF stops before the last section, %r: WeasyPrint did not lay out the whole handbook")
                % last_title
            )


def weasyprint_problem() -> str | None:
    """Why WeasyPrint cannot make the PDF on this system, in one line naming the package; or None."""
    try:
        # At import WeasyPrint prints an installation banner before it raises (Pango missing)
        # and warns when HarfBuzz-Subset is missing: the lines below say it instead, with
        # the package to install.
        with warnings.catch_warnings(), contextlib.redirect_stdout(io.StringIO()):
            warnings.simplefilter("ignore", DeprecationWarning)
            from weasyprint.text import ffi
    except OSError as error:  # Pango or another system library is missing
        return _("WeasyPrint cannot start (%s). Install Pango: apt-get install libpango-1.0-0 libpangoft2-1.0-0") % error
    # Without HarfBuzz-Subset (or with a HarfBuzz older than 4.1.0) WeasyPrint subsets fonts
    # with fontTools and warns on every font, a warning that names no package.
    if ffi.harfbuzz_subset is None or not ffi.harfbuzz.hb_version_atleast(4, 1, 0):
        return _("WeasyPrint cannot embed fonts without the HarfBuzz-Subset library (HarfBuzz 4.1.0 or later). "
                 "Install it: apt-get install libharfbuzz-subset0")
    return None


def front_matter_html(html: str, body_id: str) -> str:
    """The print document cut after the opening tag of the body's first element (id ``body_id``).

    What comes before the body, laid out alone, ends on the page before the one
    the body starts on: that element breaks to a new page (print.css).
    """
    main = html.find("<main")
    start = re.compile(rf'<(\w+)\b[^>]*\bid="{re.escape(body_id)}"[^>]*>').search(html, main if main >= 0 else 0)
    if main < 0 or start is None:
        raise PDFBuildError(_("the print document has no body starting with %r") % body_id)
    return f"{html[:start.end()]}</{start.group(1)}></main></body></html>"


def _page_markers(page) -> list[str]:
    """The page-map markers on a WeasyPrint page, where WeasyPrint would put their anchors.

    Each is a class of its block (doctree.markers_as_classes). Like an id's anchor,
    a marker counts on the boxes that have the element's own style (not on its
    pseudo-elements or anonymous boxes), once per page, in WeasyPrint's order
    (weasyprint.anchors.gather_anchors).
    """
    found: dict[str, None] = {}
    boxes = [page._page_box]
    while boxes:
        box = boxes.pop()
        element, style = box.element, box.style
        if element is not None and getattr(style, "pseudo_type", "anonymous") is None:
            for name in (element.get("class") or "").split():
                if name.startswith(page_map.PREFIX):
                    found.setdefault(name)
        boxes.extend(reversed(list(box.all_children())))
    return list(found)


def _own_memory_mb() -> float:
    """This process's resident memory, in MB (its peak so far where /proc is missing)."""
    try:
        resident_pages = int(Path("/proc/self/statm").read_text().split()[1])
        return resident_pages * os.sysconf("SC_PAGE_SIZE") / 2**20
    except OSError:
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        return peak / (2**20 if sys.platform == "darwin" else 2**10)  # bytes on macOS, KiB elsewhere


def _release_layout(document, pdf) -> None:
    """``write_pdf``'s finisher: the PDF's objects are made, its bytes not yet; the layout can go first.

    Making the bytes takes memory of its own (pydyf serialises every object):
    not on top of the layout's, the peak of a long book's render.
    """
    document.pages.clear()
    gc.collect()
    _return_free_memory()


def _return_free_memory() -> None:
    """Give the C heap's free pages back to the system, where the C library can (glibc's malloc_trim).

    Python gives the memory of freed objects back to the C heap, which keeps the
    pages: the process would go on holding them while it, or a process forked
    from it, does its next step.
    """
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None).malloc_trim(0)


_BUILDER_IN_CHILD: PDFBuilder | None = None


# `make bench` profiles the renders (scripts/bench.py): a profile of each edition's render
# is written into this folder, as <edition>.prof. A profile of sphinx-build sees none of it.
PROFILE_ENVIRONMENT = "HANDBOOK_PDF_PROFILE_DIR"


def _render_in_child(html_file: str, edition_index: int, target: str) -> str | None:
    """Render one edition in a forked process; return the build error, if any."""
    render = partial(_BUILDER_IN_CHILD.render, Path(html_file), EDITIONS[edition_index], Path(target))
    try:
        if os.environ.get(PROFILE_ENVIRONMENT):
            profile = cProfile.Profile()
            try:
                profile.runcall(render)
            finally:
                profile.dump_stats(Path(os.environ[PROFILE_ENVIRONMENT], Path(target).stem + ".prof"))
        else:
            render()
    except PDFBuildError as error:
        return str(error)
    return None


def setup(app):
    app.setup_extension("handbook.common.edition")
    app.setup_extension("handbook.common.translations")
    app.add_config_value("pdf_paper_size", "letter", "env", types=frozenset({str}))
    # The memory the PDF build may take, in MB, summed over its processes (render_plan.py):
    # the editions render side by side while they fit, else one after another.
    app.add_config_value("pdf_memory_mb", 1500, "", types=frozenset({int}))
    app.add_html_theme("handbook_print", str(THEME_DIR))
    app.add_builder(PDFBuilder)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
