"""The ``pdf`` builder: the handbook as a tagged PDF/UA-1 book, and a large-print edition.

A subclass of the single-page HTML builder with its own lean print theme
(_themes/print) and stylesheets: WeasyPrint is slow on the web theme's nested
flex layout (WeasyPrint issue 1166), and a book needs a cover, a table of
contents with page numbers, part title pages and running headers anyway.
``finish()`` writes the render job (render.py) and, unless ``pdf_render_in_build``
is off, renders each edition with WeasyPrint, failing the build on any WeasyPrint
error or warning (sphinx-simplepdf only logs them), or when the PDF stops before
the last section (WeasyPrint issues 2798 and 2595).
"""

from __future__ import annotations

import gc
from pathlib import Path

from docutils import nodes
from roman_numerals import RomanNumeral
from sphinx.builders.singlehtml import SingleFileHTMLBuilder
from sphinx.locale import get_translation
from sphinx.util import logging as sphinx_logging
from sphinx.util.nodes import inline_all_toctrees

from handbook import THEMES
from handbook.common import page_map
from handbook.common.edition import output_stem
from handbook.common.failure import fail_build
from handbook.pdf import doctree as print_doctree
from handbook.pdf import render
from handbook.rules.build_errors import stop_after_problems

_ = get_translation("handbook")
logger = sphinx_logging.getLogger(__name__)
THEME_DIR = THEMES / "print"


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
        paper = render.PAPER_SIZES.get(self.config.pdf_paper_size.lower())
        if paper is None:
            fail_build(self.app, _("pdf_paper_size is %(given)r; use one of: %(known)s")
                       % {"given": self.config.pdf_paper_size, "known": ", ".join(render.PAPER_SIZES)},
                       type="handbook", subtype="pdf")
            return
        job = render.RenderJob(
            html_file=str(Path(self.outdir, self.config.root_doc + self.out_suffix)),
            stem=output_stem(self.config),
            language=self.config.language,
            paper=paper,
            release=self.config.release,
            body_id=self._body_id,
            last_section=self._last_section,
            link_titles=self._link_titles,
            page_map_source=_("%(title)s, PDF edition of %(date)s, %(paper)s paper")
            % {"title": self.config.project, "date": self.config.handbook_edition.date,
               "paper": paper.upper() if paper == "A4" else _("US Letter")},
            memory_mb=self.config.pdf_memory_mb,
            # Beside the doctrees: kept between builds, gone with `make clean`.
            cache_dir=str(Path(self.doctreedir, "renders")),
        )
        job.write(Path(self.outdir))
        if not self.config.pdf_render_in_build:
            return  # `make` renders once this process has exited (render.py)
        for edition in render.EDITIONS:
            logger.info(_("rendering %s"), job.target(edition).name)
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
        render.return_free_memory()
        for problem in render.render_all(job, say=logger.info):
            # One clear line, no traceback; the failed build exits non-zero.
            fail_build(self.app, problem, type="handbook", subtype="pdf")


def setup(app):
    app.setup_extension("handbook.common.edition")
    app.setup_extension("handbook.common.translations")
    app.add_config_value("pdf_paper_size", "letter", "env", types=frozenset({str}))
    # The memory the PDF build may take, in MB, summed over its processes (render_plan.py):
    # the editions render side by side while they fit, else one after another.
    app.add_config_value("pdf_memory_mb", 1500, "", types=frozenset({int}))
    # False: the build writes the print document and its render job, and stops there;
    # ``python -m handbook.pdf.render`` renders once Sphinx has exited (the Makefile does).
    app.add_config_value("pdf_render_in_build", True, "", types=frozenset({bool}))
    app.add_html_theme("handbook_print", str(THEME_DIR))
    app.add_builder(PDFBuilder)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
