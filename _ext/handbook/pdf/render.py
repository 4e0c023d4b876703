"""The print document rendered into the PDF editions: WeasyPrint's layout, then the tag repair.

The ``pdf`` builder (builder.py) writes the print document and, beside it, a render
job (``render-job.json``): all the renders need from the Sphinx build. This module
renders from the job alone. ``sphinx-build -b pdf`` calls it at the end of the build;
`make` runs it as a command of its own, ``python -m handbook.pdf.render JOB --after
sphinx-build ...``: the command runs the Sphinx build in a process of its own, loads
WeasyPrint meanwhile, and renders once the build has exited, so that the renders never
sit beside the Sphinx process's memory (a third of a gigabyte at 20 times the handbook's size).

Each edition renders in a forked process: side by side while the memory budget
allows (render_plan.py), else one after another. An edition's body is laid out in
pieces of a few chapters, one after another (pieces.py), so that a render holds one
piece's layout at a time, and the pieces' PDFs are merged (merge.py) before the tags
are repaired; each piece's layout is kept for the next render, which lays out again
only the pieces an edit changed. A render writes its PDF beside the target and
renames it into place, so a failure leaves any earlier file intact.

`make` builds the languages side by side (its jobs). The budget is one job's: the
command's ``--one-at-a-time LOCK`` makes every other job's render wait on the file
LOCK, so two jobs' renders never hold their layouts at once.
"""

from __future__ import annotations

import contextlib
import cProfile
import ctypes
import dataclasses
import fcntl
import functools
import gc
import io
import json
import logging
import multiprocessing
import os
import re
import resource
import shutil
import subprocess
import sys
import warnings
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit
from urllib.request import url2pathname

from sphinx.locale import get_translation

from handbook.common import page_map
from handbook.pdf import box_sources, merge, page_labels, pieces, render_cache, render_plan

_ = get_translation("handbook")

JOB_NAME = "render-job.json"
RULE = "handbook.pdf"  # how a render's problems are labelled, as the Sphinx build labels them

# `make bench` profiles the renders (scripts/bench.py): a profile of each edition's render
# is written into this folder, as <edition>.prof. A profile of sphinx-build sees none of it.
PROFILE_ENVIRONMENT = "HANDBOOK_PDF_PROFILE_DIR"


class RenderError(Exception):
    """A problem that stops a render, said in one line for the contributor."""


@dataclass(frozen=True)
class PrintEdition:
    suffix: str  # appended to the output stem: "" or "-large-print"
    stylesheets: tuple[str, ...]  # in the theme's static folder, applied in order


EDITIONS = (
    PrintEdition("", ("print.css",)),
    PrintEdition("-large-print", ("print.css", "large-print.css")),
)
PAPER_SIZES = {"letter": "letter", "a4": "A4"}


@dataclass(frozen=True)
class RenderJob:
    """What the renders need from the Sphinx build, as the builder found it."""

    html_file: str  # the print document; its _static folder is beside it
    stem: str  # the PDFs' names: <stem>.pdf, <stem>-large-print.pdf, <stem>-pages.json
    language: str  # of the edition, for the messages
    paper: str  # a value of PAPER_SIZES
    release: str  # makes each edition's PDF identifier
    body_id: str | None  # the body's first section: page 1
    last_section: tuple[str, str] | None  # (id, title): the PDF must reach it
    link_titles: dict[str, str]  # each link target's heading, for the links' tags
    page_map_source: str  # names the PDF the page map follows, for the EPUB and braille
    memory_mb: int  # pdf_memory_mb
    cache_dir: str | None = None  # where renders are kept for the next build (render_cache.py); None: not kept

    def target(self, edition: PrintEdition) -> Path:
        return Path(self.html_file).with_name(f"{self.stem}{edition.suffix}.pdf")

    def page_map_file(self) -> Path:
        return Path(self.html_file).with_name(f"{self.stem}-pages.json")

    def outputs(self, edition: PrintEdition) -> list[Path]:
        """The files an edition's render writes: its PDF, and the page map with the standard edition."""
        return [self.target(edition), *([self.page_map_file()] if edition.suffix == "" else [])]

    def write(self, folder: Path) -> Path:
        path = Path(folder, JOB_NAME)
        path.write_text(json.dumps(dataclasses.asdict(self), ensure_ascii=False, indent=1), encoding="utf-8")
        return path

    @classmethod
    def read(cls, path: Path) -> RenderJob:
        fields = json.loads(Path(path).read_text(encoding="utf-8"))
        if fields["last_section"] is not None:
            fields["last_section"] = tuple(fields["last_section"])
        return cls(**fields)


class _CollectWeasyPrintProblems(logging.Handler):
    """Keeps every WeasyPrint warning and error, so the build can fail on them."""

    def __init__(self) -> None:
        super().__init__(level=logging.WARNING)
        self.problems: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.problems.append(record.getMessage())


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


def render_all(job: RenderJob, say=print) -> list[str]:
    """Render every edition of ``job``; return the problems that stopped any, each once.

    ``say`` reports progress worth a line (the Sphinx build passes its logger's).
    """
    problem = weasyprint_problem()
    if problem:
        return [problem]  # one line naming the package, before any rendering (not once per edition)
    html_file = Path(job.html_file)
    keys = _render_keys(job)
    pending = [index for index, edition in enumerate(EDITIONS)
               if keys is None or render_cache.restore(Path(job.cache_dir), job.target(edition).name,
                                                       keys[index], job.outputs(edition)) is None]
    if not pending:
        return []
    # The editions are independent layouts of one document, and WeasyPrint uses one core:
    # render them side by side, one forked process each, as far as the memory budget
    # allows (render_plan.py); the rest wait for the first to end.
    plan = [[pending[index] for index in group] for group in render_plan.groups(
        [render_plan.edition_memory_mb(html_file.stat().st_size)] * len(pending),
        own_memory_mb(), job.memory_mb, os.cpu_count() or 1)]
    if len(plan) > 1:
        say(_("rendering the editions one after another, within pdf_memory_mb = %d MB") % job.memory_mb)
    # The forked processes share this one's memory until they write to it, and the
    # garbage collector writes to every object it visits: keep the objects made so
    # far out of its way, in the processes too.
    gc.freeze()
    errors: list[str | None] = []
    try:
        for group in plan:
            # Fresh processes for each group: the memory a render leaves is not reused.
            with ProcessPoolExecutor(max_workers=len(group), mp_context=multiprocessing.get_context("fork")) as pool:
                errors += pool.map(_render_in_child, [job] * len(group), group,
                                   [keys[index] if keys else None for index in group])
    finally:
        gc.unfreeze()
    return list(dict.fromkeys(filter(None, errors)))  # both editions may fail alike


def _render_keys(job: RenderJob) -> list[str] | None:
    """Each edition's key in the render cache (render_cache.py); None when the job keeps no renders."""
    if job.cache_dir is None:
        return None
    inputs = render_cache.inputs_digest(dataclasses.asdict(job), Path(job.html_file), render_cache.system_state())
    return [render_cache.edition_key(inputs, edition.suffix) for edition in EDITIONS]


def _render_in_child(job: RenderJob, edition_index: int, key: str | None = None) -> str | None:
    """Render one edition in a forked process, kept under ``key``; return the problem that stopped it, if any."""
    edition = EDITIONS[edition_index]
    # WeasyPrint's layout makes millions of objects that live until its PDF is written, and
    # few reference cycles: the collector's automatic passes over them took an eighth of a
    # render at 20 times the handbook's size (37 s of 304), for 6% less memory. The render
    # collects as its process grows instead (_LayoutRelease), and this process ends with it.
    gc.disable()
    try:
        if os.environ.get(PROFILE_ENVIRONMENT):
            profile = cProfile.Profile()
            try:
                loaded = profile.runcall(render_edition, job, edition)
            finally:
                profile.dump_stats(Path(os.environ[PROFILE_ENVIRONMENT], job.target(edition).stem + ".prof"))
        else:
            loaded = render_edition(job, edition)
    except RenderError as error:
        return str(error)
    if key is not None:
        try:
            render_cache.store(Path(job.cache_dir), job.target(edition).name, key, job.outputs(edition), loaded)
        except OSError as error:
            return _("the PDF is made, but it could not be kept for the next build in %(folder)s (%(error)s)") \
                % {"folder": job.cache_dir, "error": error}
    return None


def _stylesheet_files(job: RenderJob, edition: PrintEdition) -> list[Path]:
    static = Path(job.html_file).with_name("_static")
    return [static / name for name in edition.stylesheets]


def _stylesheets(job: RenderJob, edition: PrintEdition, font_config, fetcher) -> list:
    from weasyprint import CSS

    # Without the FontConfiguration, WeasyPrint ignores @font-face and falls back to DejaVu.
    sheets = [CSS(filename=path, font_config=font_config, url_fetcher=fetcher)
              for path in _stylesheet_files(job, edition)]
    sheets.append(CSS(string=f"@page {{ size: {job.paper}; }}"))
    return sheets


def _local_fetcher():
    """WeasyPrint's URL fetcher for local files only, recording the files it loads (in ``loaded``).

    The PDF must never depend on the network. What it loads (fonts, images) is what
    the render cache checks before it uses a kept render (render_cache.py).
    """
    from weasyprint import URLFetcher

    class LocalFetcher(URLFetcher):
        def __init__(self) -> None:
            super().__init__(allowed_protocols={"file", "data"}, fail_on_errors=True)
            self.loaded: set[Path] = set()

        def fetch(self, url, headers=None):
            response = super().fetch(url, headers)
            if url.lower().startswith("file:"):
                self.loaded.add(Path(url2pathname(urlsplit(url).path)))
            return response

    return LocalFetcher()


def render_edition(job: RenderJob, edition: PrintEdition) -> list[Path]:
    """Render one edition to its target; leave any earlier file intact on failure.

    The body is laid out in pieces (pieces.py), one after another, each written to
    a PDF of its own, and the front matter last, with the contents' page numbers
    the pieces found; the PDFs are merged (merge.py) and the tags repaired. The
    render holds one piece's layout at a time, and a piece whose document and
    start are unchanged is taken from the last render (render_cache.py).
    Returns the files the render loaded besides the print document (its
    stylesheets, their fonts, the images).
    """
    from handbook.pdf import long_documents  # imports WeasyPrint: only where a render runs
    long_documents.apply()

    target = job.target(edition)
    tmp = target.with_name(target.name + ".part")  # the merged PDF, repaired: it replaces `target`
    weasy_logger = logging.getLogger("weasyprint")
    layout = _Layout(job, edition, target.with_name(target.name + ".pieces.part"))
    weasy_logger.addHandler(layout.problems)
    try:
        text = Path(job.html_file).read_text(encoding="utf-8")
        try:
            print_document = pieces.read(text)
        except pieces.PieceError as error:
            raise RenderError(_("cannot cut the print document into pieces: %s") % error) from None
        front_html = front_matter_html(text, job.body_id)
        # The pieces need the side the body starts on: print.css ends the contents with a break
        # to a right-hand page. The front matter, laid out once the pieces give its contents'
        # page numbers, says whether it is: if not, the pieces are laid out again from the left.
        with _links_to_other_pieces():
            for body_on_right in (True, False):
                body = layout.body(print_document, body_on_right)
                front, body_start = layout.front(pieces.with_page_numbers(front_html, body.page_numbers()))
                if (body_start % 2 == 0) == body_on_right:  # the first page (index 0) is a right-hand one
                    break
            else:
                raise RenderError(_("the body starts on a left-hand page with its pieces laid out from a right-hand "
                                    "one, and on a right-hand page with them laid out from a left-hand one"))
        _check_complete(body.anchors, job.last_section)
        pages = front + body.pages
        if edition.suffix == "":
            # Where each page starts, for the EPUB's page list (_ext/handbook/common/page_map.py).
            page_map.write_page_map(
                page_map.page_starts((page.markers for page in pages), page_labels.labels(len(pages), body_start)),
                job.page_map_file(),
                job.page_map_source,
            )
        if layout.problems.problems:
            raise RenderError(
                _("WeasyPrint reported problems in %(file)s:\n  %(problems)s")
                % {"file": target.name, "problems": "\n  ".join(layout.problems.problems)}
            )
        merged = layout.folder / "merged.pdf"
        try:
            merge.merge(layout.folder / _Layout.FRONT_PDF, body_start, body.files, pages, merged)
        except merge.MergeError as error:
            raise RenderError(_("cannot merge the pieces of %(file)s: %(error)s")
                              % {"file": target.name, "error": error}) from None
        _fix_tagging(merged, tmp, body_start, job.link_titles)
        os.replace(tmp, target)
        return sorted(layout.loaded)
    finally:
        weasy_logger.removeHandler(layout.problems)
        shutil.rmtree(layout.folder, ignore_errors=True)
        tmp.unlink(missing_ok=True)


@dataclass
class _PageFacts:
    """What the render keeps of a laid-out page once its PDF is written: for the outline and the page map."""

    bookmarks: list  # WeasyPrint's (level, label, (x, y), state): weasyprint.anchors makes the outline from them
    height: float
    markers: list[str]

    @classmethod
    def of(cls, page) -> _PageFacts:
        return cls(page.bookmarks, page.height, _page_markers(page))


@dataclass
class _Body:
    files: list[Path]  # each piece's PDF, in order
    pages: list[_PageFacts]
    anchors: dict[str, int]  # each id's page, counted in the body from 0

    def page_numbers(self) -> dict[str, int]:
        """Each id's page number (the body's first page is 1)."""
        return {name: index + 1 for name, index in self.anchors.items()}


class _Layout:
    """The layouts of one edition: the front matter's, then each piece's; each kept for the next render.

    A layout is kept (render_cache.py) under the digest of its document and its
    start, with the render's code, libraries and system; the files it loaded are
    checked before it is used again. One that WeasyPrint reported a problem in
    is not kept: the next render reports it again.
    """

    FRONT_PDF = "front.pdf"

    def __init__(self, job: RenderJob, edition: PrintEdition, folder: Path) -> None:
        from weasyprint.text.fonts import FontConfiguration

        self.job, self.edition, self.folder = job, edition, folder
        self.problems = _CollectWeasyPrintProblems()
        self.fetcher = _local_fetcher()
        self.font_config = FontConfiguration()  # without it, WeasyPrint ignores @font-face
        self.stylesheets = _stylesheets(job, edition, self.font_config, self.fetcher)
        # Every layout loads the stylesheets and their fonts (fetched with the stylesheets, once).
        self.common_loaded = {*_stylesheet_files(job, edition), *self.fetcher.loaded}
        self.loaded = set(self.common_loaded)  # by every layout of the edition, kept or made
        self.release_layout = _LayoutRelease()
        self.cache = None if job.cache_dir is None else Path(job.cache_dir) / "pieces"
        self.common_key = "" if self.cache is None else render_cache.inputs_digest(
            {"paper": job.paper}, None, render_cache.system_state())
        folder.mkdir(exist_ok=True)

    def render(self, html: str, start_css: str = ""):
        from weasyprint import CSS, HTML
        from weasyprint.urls import FatalURLFetchingError

        source = HTML(string=html, base_url=self.job.html_file, url_fetcher=self.fetcher)
        try:
            return source.render(stylesheets=self.stylesheets + ([CSS(string=start_css)] if start_css else []),
                                 font_config=self.font_config, pdf_variant="pdf/ua-1")
        except FatalURLFetchingError as error:  # a BaseException: it would end the build with a traceback
            raise RenderError(
                _("WeasyPrint could not load a file the handbook needs (%(error)s: %(cause)s). Check that "
                  "the file exists and that its path is relative to the page.")
                % {"error": error, "cause": error.__cause__}
            ) from None

    def kept_or_made(self, name: str, document: str, outputs: list[Path], make) -> dict:
        """The facts of the layout ``name`` of ``document``: kept ones, or ``make()``'s, which writes ``outputs``."""
        facts_file = self.folder / f"{name}.json"
        entry = self.entry_name(name)
        key = render_cache.layout_key(self.common_key, self.edition.suffix, name, document)
        if self.cache is not None:
            loaded = render_cache.restore(self.cache, entry, key, [*outputs, facts_file])
            if loaded is not None:
                self.loaded.update(loaded)
                return json.loads(facts_file.read_text(encoding="utf-8"))
        self.fetcher.loaded = set()
        problems = len(self.problems.problems)
        facts = make()
        facts_file.write_text(json.dumps(facts), encoding="utf-8")
        self.loaded.update(self.fetcher.loaded)
        if self.cache is not None and len(self.problems.problems) == problems:
            try:
                render_cache.store(self.cache, entry, key, [*outputs, facts_file],
                                   self.common_loaded | self.fetcher.loaded)
            except OSError as error:
                raise RenderError(_("the PDF is made, but it could not be kept for the next build in "
                                    "%(folder)s (%(error)s)") % {"folder": self.cache, "error": error}) from None
        return facts

    def body(self, print_document, on_right: bool) -> _Body:
        """Lay out and write each piece of the body in turn, each from where the one before it ended.

        ``on_right``: the body starts on a right-hand page.
        """
        body = _Body([], [], {})
        for number, piece in enumerate(print_document.pieces):
            first = len(body.pages)
            start_css = pieces.start_css(piece, first + 1, right_page=(first % 2 == 0) == on_right)
            html = print_document.piece_html(piece)
            path = self.folder / f"piece-{number:04d}.pdf"

            def make(html=html, start_css=start_css, path=path, number=number) -> dict:
                document = self.render(html, start_css)
                anchors: dict[str, int] = {}  # each id's first page, where links go (as resolve_links)
                for index, page in enumerate(document.pages):
                    for name in page.anchors:
                        anchors.setdefault(name, index)
                facts = {"pages": [dataclasses.asdict(_PageFacts.of(page)) for page in document.pages],
                         "anchors": anchors}
                with box_sources.recording(pieces.source_names(str(number))):
                    document.write_pdf(path, pdf_variant="pdf/ua-1", custom_metadata=True,
                                       finisher=self.release_layout)
                return facts

            facts = self.kept_or_made(f"piece-{number:04d}", f"{start_css}\n{html}", [path], make)
            body.files.append(path)
            for name, index in facts["anchors"].items():
                body.anchors.setdefault(name, first + index)
            body.pages += [_PageFacts(**page) for page in facts["pages"]]
        self.forget_pieces_from(len(print_document.pieces))
        return body

    def forget_pieces_from(self, count: int) -> None:
        """Remove the kept layouts of pieces the book no longer has (it got shorter)."""
        if self.cache is None or not self.cache.is_dir():
            return
        for entry in self.cache.glob(f"{self.entry_name('piece-')}*"):
            number = entry.name.removeprefix(self.entry_name("piece-")).split(".")[0]
            if number.isdigit() and int(number) >= count:
                shutil.rmtree(entry, ignore_errors=True)

    def entry_name(self, name: str) -> str:
        return f"{self.edition.suffix or 'standard'}-{name}"

    def front(self, front_html: str) -> tuple[list[_PageFacts], int]:
        """Lay out the front matter and write its pages before the body's; its pages, and the body's first."""
        def make() -> dict:
            document = self.render(front_html)
            body_start = _body_start(document, self.job.body_id)
            facts = {"pages": [dataclasses.asdict(_PageFacts.of(page)) for page in document.pages[:body_start]],
                     "body_start": body_start}
            with box_sources.recording(pieces.source_names("front")):
                document.write_pdf(self.folder / self.FRONT_PDF, pdf_variant="pdf/ua-1", custom_metadata=True)
            return facts

        facts = self.kept_or_made("front", front_html, [self.folder / self.FRONT_PDF], make)
        return [_PageFacts(**page) for page in facts["pages"]], facts["body_start"]


@contextlib.contextmanager
def _links_to_other_pieces():
    """Keep the links whose target is in another piece: the merged PDF's names resolve them (merge.py).

    WeasyPrint drops a link to an id its document does not have, with an error;
    merge.py fails on a link whose name no piece has.
    """
    import weasyprint.pdf

    original = weasyprint.pdf.resolve_links

    def resolve_links(pages):
        names = {name for page in pages for name in page.anchors}
        all_links = [page.links for page in pages]
        elsewhere = [[link for link in links if link[0] == "internal" and link[1] not in names] for links in all_links]
        for page, links in zip(pages, all_links):
            page.links = [link for link in links if not (link[0] == "internal" and link[1] not in names)]
        try:
            for (links, anchors), kept in zip(original(pages), elsewhere, strict=True):
                yield [*links, *kept], anchors
        finally:
            for page, links in zip(pages, all_links):
                page.links = links

    weasyprint.pdf.resolve_links = resolve_links
    try:
        yield
    finally:
        weasyprint.pdf.resolve_links = original


def _fix_tagging(source: Path, destination: Path, body_start: int, link_titles: dict[str, str]) -> None:
    """Close WeasyPrint 70's PDF/UA gaps (see tagging.py), label the pages, save to ``destination``."""
    import pikepdf

    from handbook.pdf import tagging

    with pikepdf.open(source) as pdf:
        try:
            untitled = tagging.fix_tagging(pdf, link_titles)
        except tagging.TaggingError as error:
            raise RenderError(_("cannot fix the tags of %(file)s: %(error)s")
                              % {"file": destination.name, "error": error}) from None
        if untitled:
            raise RenderError(_("links to targets with no title, which readers would hear as ids: %s")
                              % ", ".join(untitled))
        page_labels.write(pdf, body_start)
        # The same sources give the same file: the /ID comes from the content, not the clock.
        pdf.save(destination, deterministic_id=True, object_stream_mode=pikepdf.ObjectStreamMode.generate)


def _body_start(document, body_id: str | None) -> int:
    """The index of the page the body (main) starts on: the page numbered 1."""
    for index, page in enumerate(document.pages):
        if body_id in page.anchors:
            return index
    raise RenderError(_("the PDF has no page with the start of the body (%r): cannot number its pages") % body_id)


def _check_complete(anchors: dict[str, int], last_section: tuple[str, str] | None) -> None:
    """Fail when WeasyPrint stopped before the last section of the handbook (``anchors``: the body's ids)."""
    if last_section is None:
        return
    last_id, last_title = last_section
    if last_id not in anchors:
        raise RenderError(
            _("the PDF stops before the last section, %r: WeasyPrint did not lay out the whole handbook")
            % last_title
        )


def front_matter_html(html: str, body_id: str | None) -> str:
    """The print document cut after the opening tag of the body's first element (id ``body_id``).

    What comes before the body, laid out alone, ends on the page before the one
    the body starts on: that element breaks to a new page (print.css).
    """
    main = html.find("<main")
    start = body_id and main >= 0 and re.compile(rf'<(\w+)\b[^>]*\bid="{re.escape(body_id)}"[^>]*>').search(html, main)
    if not start:
        raise RenderError(_("the print document has no body starting with %r") % body_id)
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


def own_memory_mb() -> float:
    """This process's resident memory, in MB (its peak so far where /proc is missing)."""
    try:
        resident_pages = int(Path("/proc/self/statm").read_text().split()[1])
        return resident_pages * os.sysconf("SC_PAGE_SIZE") / 2**20
    except OSError:
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        return peak / (2**20 if sys.platform == "darwin" else 2**10)  # bytes on macOS, KiB elsewhere


# How much the render's process may grow before the layouts it let go are collected: they are
# reference cycles, and the render runs with no automatic collection. A collection walks every
# object alive (a sixth of a second for a whole 1x layout, for 9 MB of cycles), so a 1x render
# collects once or never; at 20x, with a piece's layout let go every few seconds, a render
# that never collected would hold every piece's cycles until it ends.
COLLECT_EVERY_MB = 64


class _LayoutRelease:
    """``write_pdf``'s finisher: the PDF's objects are made, its bytes not yet; the layout can go first.

    Making the bytes takes memory of its own (pydyf serialises every object):
    not on top of the layout's.
    """

    def __init__(self) -> None:
        self.held_mb = own_memory_mb()  # after the last collection

    def __call__(self, document, pdf) -> None:
        document.pages.clear()
        if own_memory_mb() - self.held_mb > COLLECT_EVERY_MB:
            gc.collect()
            return_free_memory()
            self.held_mb = own_memory_mb()


def return_free_memory() -> None:
    """Give the C heap's free pages back to the system, where the C library can (glibc's malloc_trim).

    Python gives the memory of freed objects back to the C heap, which keeps the
    pages: the process would go on holding them while it, or a process forked
    from it, does its next step.
    """
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None).malloc_trim(0)


@contextlib.contextmanager
def one_at_a_time(lock_file: str | None):
    """Hold ``lock_file`` (made if missing) for the block, waiting while another render holds it.

    The lock goes with the process: a render that is killed leaves nothing to clean up.
    """
    if lock_file is None:
        yield
        return
    Path(lock_file).parent.mkdir(parents=True, exist_ok=True)
    with open(lock_file, "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        yield


USAGE = f"usage: python -m handbook.pdf.render [--one-at-a-time LOCK] <folder>/{JOB_NAME} [--after COMMAND...]"


def main(argv: list[str] | None = None) -> int:
    """``python -m handbook.pdf.render [--one-at-a-time LOCK] JOB [--after COMMAND...]``: render the job's editions.

    Returns 1 on any problem. ``--after COMMAND...`` runs COMMAND first (the Sphinx
    build that writes JOB), and stops with its status if it fails.
    """
    from handbook.common.editions import SOURCE_LANGUAGE
    from handbook.common.quick_exit import freeze_at_exit
    from handbook.common.translations import speak_in
    from handbook.rules.build_errors import rule_line

    freeze_at_exit()  # WeasyPrint's heap is not collected at exit: `make` waits for this process to end
    args = sys.argv[1:] if argv is None else argv
    build = None
    if "--after" in args:
        at = args.index("--after")
        args, build = args[:at], args[at + 1:]
    lock_file = None
    if len(args) == 3 and args[0] == "--one-at-a-time":
        lock_file, args = args[1], args[2:]
    if len(args) != 1 or build == []:
        print(USAGE, file=sys.stderr)
        return 2
    # Until the job says which edition it renders, the one the Makefile names.
    speak_in(os.environ.get("HANDBOOK_LANGUAGE") or SOURCE_LANGUAGE)
    if build:
        try:
            status = build_while_loading(build)
        except OSError as error:
            print(rule_line(RULE, _("cannot run the build %(command)s (%(error)s)")
                            % {"command": build[0], "error": error},
                            _("Check the command after --after: it is the sphinx-build -b pdf that writes the job.")),
                  file=sys.stderr)
            return 1
        if status != 0:
            return status if status > 0 else 1  # killed by a signal: still a failure
    try:
        job = RenderJob.read(Path(args[0]))
    except (OSError, ValueError, TypeError, KeyError) as error:
        print(rule_line(RULE, _("cannot read the render job %(job)s (%(error)s)") % {"job": args[0], "error": error},
                        _("Run sphinx-build -b pdf first: it writes the job beside the print document.")),
              file=sys.stderr)
        return 1
    speak_in(job.language)
    if not Path(job.html_file).is_file():
        print(rule_line(RULE, _("the print document %(document)s, which the render job %(job)s names, is not there")
                        % {"document": job.html_file, "job": args[0]},
                        _("Run sphinx-build -b pdf again: it writes both.")), file=sys.stderr)
        return 1
    with one_at_a_time(lock_file):
        problems = render_all(job)
    for problem in problems:
        print(rule_line(RULE, problem, None), file=sys.stderr)
    return 1 if problems else 0


def build_while_loading(command: list[str]) -> int:
    """Run ``command`` in a process of its own, loading WeasyPrint meanwhile; return its exit status.

    The Sphinx build uses one core: loading WeasyPrint (a second) takes the other,
    instead of a second after the build, and before the render waits on the lock
    while another job renders. The build's memory is never shared with a render:
    the renders start once it has exited.
    """
    with subprocess.Popen(command) as build:
        weasyprint_problem()
        return build.wait()


if __name__ == "__main__":
    sys.exit(main())
