"""The ``braille`` builder: the handbook as a braille-ready file (BRF), and in Unicode braille.

Built from the doctree, not from the HTML, so the structure drives the layout.
Three stages, as in PreTeXt's braille rewrite (its pull request 3037):
whole blocks are translated by liblouis (translate.py, called from body.py),
set in lines (lines.py), then in pages (pages.py). The language's table comes
from Sphinx's ``language`` (translate.TABLES): UEB grade 2 for English, the
Spanish contracted table for Spanish. The print page numbers follow the
standard PDF, through its page map (``-D handbook_page_map=...``, as for the
EPUB; `make braille` passes it).

Outputs, in the output folder: ``<stem>.brf`` (braille ASCII, pages of 25
lines of at most 40 cells, separated by form feeds) and ``<stem>-braille.txt``,
the same pages in Unicode braille for reading on a braille display through
a browser or an editor. Nothing is written when a block cannot be transcribed.
"""

from __future__ import annotations

from pathlib import Path

from docutils import nodes
from roman_numerals import RomanNumeral
from sphinx.builders import Builder
from sphinx.locale import get_translation
from sphinx.util import logging
from sphinx.util.nodes import inline_all_toctrees

from handbook import LOCALES
from handbook.braille import front
from handbook.braille.body import BodyWriter
from handbook.braille.pages import Page, brf, paginate
from handbook.braille.translate import BRAILLE_ASCII, TABLES, LouisError, Translator, to_unicode, version
from handbook.common.edition import output_stem
from handbook.common.page_map import read_page_map
from handbook.pdf import doctree as print_doctree
from handbook.rules.build_errors import stop_after_problems

MESSAGE_CATALOG = "handbook"
_ = get_translation(MESSAGE_CATALOG)
logger = logging.getLogger(__name__)
UNICODE_SUFFIX = "-braille.txt"


class BrailleBuilder(Builder):
    name = "braille"
    format = "braille"
    epilog = _("The braille edition is in %(outdir)s.")

    def init(self) -> None:
        self.problems = 0
        # A problem here is one logged line, not an exception: Sphinx would print a
        # whole crash report for an exception raised while the builder starts.
        self.translator = None
        table = TABLES.get(self.config.language)
        if table is None:
            self.report("", "table", _("There is no braille table for the language %(language)r. Add its liblouis "
                                       "table to TABLES in _ext/handbook/braille/translate.py")
                        % {"language": self.config.language})
        else:
            try:
                self.translator = Translator(table)
            except LouisError as error:
                self.report("", "liblouis", str(error))
        self._numbers: dict[str, str] = {}
        # The print PDF's pages: which block starts which page (as for the EPUB's page list).
        self.page_source, self.block_pages = "", {}
        if self.config.handbook_page_map:
            page_map = Path(self.config.handbook_page_map)
            if page_map.is_file():
                self.page_source, self.block_pages = read_page_map(page_map)
            else:
                self.report("", "page_map",
                            _("The PDF's page map %(file)s is missing. Build the PDF first (`make pdf`).")
                            % {"file": page_map})

    def get_outdated_docs(self) -> str:
        return "all documents"  # one file holds the whole book

    def get_target_uri(self, docname: str, typ: str | None = None) -> str:
        return ""  # a link keeps its text; braille has nowhere to point it

    def prepare_writing(self, docnames) -> None:
        pass

    def write_doc(self, docname, doctree) -> None:
        pass  # the book is written at once, by write_documents()

    def report(self, location: str, rule: str, message: str) -> None:
        """One line, ``file:line: [braille.rule] message``; the build fails, and writes nothing."""
        self.problems += 1
        logger.error(message if message.endswith(".") else message + ".",
                     type="braille", subtype=rule, location=location or None)

    def write_documents(self, _docnames) -> None:
        if self.translator is None:
            return  # reported when the builder started
        tree = self.assemble_doctree()  # resolving the links reports those that lead nowhere
        # A book from pages with problems would carry them to readers; liblouis need not start.
        if stop_after_problems(self.app, _("Transcribing the braille edition")):
            return
        body = BodyWriter(self.translator, self.block_pages, self.report, _("Transcriber's note:"), {
            "#": _("number sign"), "_": _("underscore"), "~": _("tilde"), "^": _("caret"),
            "\\": _("backslash"), "`": _("backtick"),
        })
        body.block(tree)
        if self.problems:
            return
        try:
            pages = self.layout(body)
        except ValueError as error:  # the page stage refuses what the line stage gave: a bug here, said plainly
            self.report("", "layout", _("The braille pages cannot be laid out: %(error)s. Report this as a bug")
                        % {"error": error})
            return
        text = brf(pages)
        stray = sorted(set(text) - set(BRAILLE_ASCII) - {"\n", "\f"})
        if stray:
            self.report("", "layout", _("The braille file would hold characters outside braille ASCII: "
                                        "%(chars)r. Report this as a bug") % {"chars": stray})
            return
        stem = output_stem(self.config)
        Path(self.outdir, f"{stem}.brf").write_bytes(text.encode("ascii"))
        Path(self.outdir, f"{stem}{UNICODE_SUFFIX}").write_bytes(to_unicode(text).encode("utf-8"))
        logger.info(_("%(count)d braille pages, with the table %(table)s"),
                    {"count": len(pages), "table": self.translator.table})

    # -- the book as one tree ---------------------------------------------------

    def assemble_doctree(self) -> nodes.document:
        """Every page in reading order, with the parts as sections, as for the PDF."""
        root = self.config.root_doc
        tree = self.env.get_doctree(root)
        print_doctree.mark_parts(tree)
        tree = inline_all_toctrees(self, set(), root, tree, str, [root])
        self.env.resolve_references(tree, root, self)
        print_doctree.parts_from_wrappers(
            tree, lambda number, caption: _("Part %(number)s: %(caption)s") % {
                "number": RomanNumeral(number).to_uppercase(), "caption": caption}
        )
        return tree

    # -- pages --------------------------------------------------------------------

    def braille_number(self, number: str) -> str:
        """A page number (17, p1, a12) in braille, as the edition's table writes it."""
        if number not in self._numbers:
            self._numbers[number] = self.translator.translate(number)
        return self._numbers[number]

    def layout(self, body: BodyWriter) -> list[Page]:
        """Title page (p1), transcriber's notes (t1, ...), contents (p2, ...), then the text (1, ...)."""
        translate, number = self.translator.translate, self.braille_number
        text_pages, anchors = paginate(body.items, "", 1, number)
        title_pages, _anchors = paginate(front.title_page(map(translate, self.title_texts())), "p", 1, number)
        note_pages, _anchors = paginate(
            front.notes_page(translate(_("Transcriber's notes")), [translate(n) for n in self.notes(body)]),
            "t", 1, number,
        )
        contents = front.contents_pages(
            translate(_("Contents")), body.contents, {key: number(page) for key, page in anchors.items()}
        )
        contents_pages, _anchors = paginate(contents, "p", 1 + len(title_pages), number)
        return [*title_pages, *note_pages, *contents_pages, *text_pages]

    def title_texts(self) -> list[str]:
        config = self.config
        return [
            config.project,
            config.handbook_subtitle,
            config.author,
            _("Edition of %(date)s") % {"date": config.handbook_edition.date},
            _("Braille edition, transcribed by machine; not proofread by a certified braille transcriber."),
        ]

    def notes(self, body: BodyWriter) -> list[str]:
        """What a reader of this braille edition needs to know: what changed from print, and how."""
        found = body.found
        notes = [
            _("This braille edition has the text of the print edition. A computer program, liblouis "
              "%(version)s, transcribed it with its table %(table)s. A certified braille transcriber "
              "has not proofread it.") % {"version": version(), "table": self.translator.table},
        ]
        if self.block_pages:
            notes.append(
                _("Print page numbers are those of the %(source)s. The number at the right of a page's first "
                  "line is the print page its text is on; a letter before it (a, b, ...) means that the print "
                  "page began on an earlier braille page. Where a new print page begins inside a braille "
                  "page, a line of dots 3-6 ends with its number.") % {"source": self.page_source}
            )
        notes.append(
            _("Main headings are centred; section headings begin in cell 5, subsection headings in cell 7. "
              "Paragraphs begin in cell 3. List items begin in cell 1, with runover lines in cell 3; "
              "print bullets are left out.")
        )
        if found["terms"]:
            notes.append(_("Glossary terms begin in cell 1; their definitions follow, two cells further in."))
        if found["box"]:
            notes.append(_("Boxed text is set between a top box line of dots 2-3-5-6 and a bottom box line "
                           "of dots 1-2-4-5; the title of the box begins in cell 5."))
        if found["figure"]:
            notes.append(_("Each diagram is replaced by its text description, in a transcriber's note."))
        if found["figure"] and body.note_label:
            notes.append(_("Transcriber's notes in the text begin in cell 7, with runover lines in cell 5, "
                           "and start with the words \"%(label)s\".") % {"label": body.note_label})
        elif found["figure"]:
            notes.append(_("Transcriber's notes in the text begin in cell 7, with runover lines in cell 5, "
                           "between transcriber's note indicators."))
        if found["table-listed"]:
            notes.append(_("Tables too wide for a braille line are listed row by row, the row of column "
                           "headings first: the entry of the first column begins in cell 1, the entries of "
                           "the other columns in cell 3, and runover lines in cell 5."))
        if found["table-columns"]:
            notes.append(_("Tables that fit a braille line keep their columns, with a line of dots 2-5 "
                           "under the column headings."))
        if found["bold"]:
            notes.append(_("Bold print is shown with bold indicators."))
        if found["code"]:
            notes.append(_("Commands, file names and other computer terms are in uncontracted braille."))
        if body.named:
            notes.append(_("This braille code has no sign for some print characters; they are written out "
                           "by name: %(names)s.") % {"names": ", ".join(body.named.values())})
        notes.append(_("Links keep only their text; the contents give the braille page of every chapter."))
        return notes


def setup(app):
    app.setup_extension("handbook.common.edition")
    app.setup_extension("handbook.common.page_map")
    app.add_builder(BrailleBuilder)
    app.add_message_catalog(MESSAGE_CATALOG, str(LOCALES))
    # The builder writes the whole book in one step of its own, after reading.
    return {"parallel_read_safe": True, "parallel_write_safe": True}
