"""One Sphinx configuration for every format and edition of the handbook (HTML, PDF, EPUB, braille).

Build it through the Makefile: ``make`` builds every format of every edition, ``make help``
lists the targets. The language of one Sphinx run is a build parameter (HANDBOOK_LANGUAGE,
set by the Makefile for each edition in HANDBOOK_LANGUAGES).
"""

import os
import sys
from pathlib import Path

HERE = Path(__file__).parent.resolve()
# Local extensions live in _ext/handbook/, one concern each.
sys.path.insert(0, str(HERE / "_ext"))

from handbook import LOCALES  # noqa: E402  (needs _ext on sys.path)
from handbook.common.edition import repository_url  # noqa: E402
from handbook.common.translations import gettext_for  # noqa: E402

# -- Language ----------------------------------------------------------------

# The edition this run builds: English (the source text in docs/) or a translation.
language = os.environ.get("HANDBOOK_LANGUAGE", "en")
# The editions one `make` builds, for the language switch and the downloads of every page.
handbook_languages = os.environ.get("HANDBOOK_LANGUAGES", language).split()
# `make HANDBOOK_DRAFT=1`: a translation whose catalogues are incomplete builds, marked as a
# draft in every format; without it, such a build fails (_ext/handbook/common/catalogue.py).
handbook_draft = os.environ.get("HANDBOOK_DRAFT", "0") not in ("", "0")
# Translations: one catalogue per page (locales/<language>/LC_MESSAGES/<page>.po), made and
# updated by `make update-po`, and the handbook's own words in handbook.po beside them.
locale_dirs = [str(LOCALES)]
gettext_compact = False
# No "file:line" comments and no ids in the catalogues: they would change with every edit
# above a sentence, and hide the real changes from translators.
gettext_location = False
gettext_uuid = False
# A fuzzy message (its English changed) is not a translation: it fails the check, or shows
# the English text, marked as English, in a draft.
gettext_allow_fuzzy_translations = False
# The strings of this file that readers see, in the edition's language (handbook.po).
_ = gettext_for(language)

# -- Project -----------------------------------------------------------------

# The title readers see on the cover, in the browser tab and in e-reader libraries.
project = _("Immigration Enforcement and Combating Transnational Crime")
# A subtitle that says what this is, and that it is not an agency publication.
handbook_subtitle = _(
    "An independent plain-language handbook on the two mission areas of "
    "U.S. Immigration and Customs Enforcement"
)
author = _("The handbook contributors")
# version, release and copyright come from the edition (date and commit of the
# last change in git), set by _ext/handbook/common/edition.py, so two builds of one commit agree.
# The stem of every output file; the edition's language is appended to it.
handbook_basename = "ice-mission-areas"
root_doc = "index"
exclude_patterns = ["_build", ".venv", "node_modules", "**/README.md"]
templates_path = ["_templates"]
# Broken references are errors, not silent plain text (`make` also passes -n).
nitpicky = True

extensions = [
    "myst_parser",
    # Local extensions (see _ext/handbook/), grouped by what they serve.
    "handbook.common.translations",
    "handbook.common.catalogue",
    "handbook.common.diagrams",
    "handbook.common.edition",
    "handbook.common.abbreviations",
    "handbook.common.in_brief",
    "handbook.common.fonts",
    "handbook.common.page_map",
    "handbook.common.template_cache",
    "handbook.common.message_parsing",
    "handbook.common.quick_exit",
    "handbook.web.downloads",
    "handbook.web.language_switch",
    "handbook.web.current_page",
    "handbook.web.search_from_disk",
    "handbook.web.page_dates",
    "handbook.web.navigation",
    "handbook.pdf.builder",
    "handbook.epub.builder",
    "handbook.braille.builder",
    "handbook.rules.build_errors",
    "handbook.rules.content_checks",
]

# -- MyST --------------------------------------------------------------------

myst_enable_extensions = [
    "colon_fence",  # ::: fences keep directives readable in plain Markdown
    "deflist",  # definition lists for short term/explanation pairs
    "attrs_block",  # classes on blocks, e.g. a figure's layout
]
# Headings down to level 3 get stable anchors for cross-references.
myst_heading_anchors = 3

# -- HTML --------------------------------------------------------------------

html_theme = "sphinx_book_theme"
html_title = project
html_static_path = ["_static"]
html_css_files = ["handbook.css"]
# Keyboard repairs to the theme's header buttons and sidebar toggles (see the file).
html_js_files = [("handbook.js", {"defer": "defer"})]
# No build-time date: each page's "last updated" comes from git (_ext/handbook/web/page_dates.py).
html_last_updated_fmt = None
# The repository, set once: "Edit this page" and "Open an issue" point there. It is
# HANDBOOK_REPOSITORY_URL or git's origin; a local clone has neither, and no buttons.
handbook_repository_url = repository_url(HERE)
# The copy of every Markdown source adds weight and is not for readers.
html_copy_source = False
html_show_sourcelink = False
html_theme_options = {
    # The downloads (PDF, large print, EPUB) sit in every page's header.
    "article_header_end": ["language-switch.html", "downloads.html", "article-header-buttons.html"],
    "use_download_button": False,
    "use_fullscreen_button": False,
    # The contents start with the home page, which stands for the site title.
    "home_page_in_toc": True,
    "show_navbar_depth": 1,
    # Results appear on the search page; the search scripts load only there (see layout.html).
    "search_as_you_type": False,
    # The theme's own words that it does not translate into every language.
    "search_bar_text": _("Search..."),
    "toc_title": _("Contents"),
    "repository_url": handbook_repository_url,
    "repository_branch": "main",
    "path_to_docs": "docs",
    "use_edit_page_button": bool(handbook_repository_url),
    "use_issues_button": bool(handbook_repository_url),
    "use_repository_button": bool(handbook_repository_url),
    # One search control: the sidebar's button on wide screens, the article header's on
    # narrow ones. The theme's default also put one in a top bar that held nothing else.
    "navbar_persistent": [],
}
# The sidebar: the search button and the contents, both inside landmarks. The theme's
# logo link (outside every landmark) repeated the contents' home link; the icon links are empty.
html_sidebars = {"**": ["search-button-field.html", "sbt-sidebar-nav.html"]}
# The colour mode before the reader picks one: the system's. Without it the theme starts
# from an empty mode and logs "Got invalid theme mode: . Resetting to auto." on a first visit.
html_context = {"default_mode": "auto"}

# -- PDF ---------------------------------------------------------------------

# Paper size for the print editions; `make PAPER=a4` switches to A4.
pdf_paper_size = os.environ.get("HANDBOOK_PAPER", "letter")
# The memory the PDF build may take, in MB, summed over its processes: what a CI runner
# can spare (issue 18). The two editions render side by side while they fit, else one
# after the other (_ext/handbook/pdf/render_plan.py). A bigger machine renders a long
# book faster with `make pdf SPHINXOPTS="-D pdf_memory_mb=4000"`.
pdf_memory_mb = 1500

# -- EPUB --------------------------------------------------------------------

# The EPUB 3 builder is _ext/handbook/epub/builder.py (it overrides Sphinx's `epub`).
# The same stem as the PDFs: the handbook's name and the edition's language.
epub_basename = f"{handbook_basename}-{language}"
epub_title = project
epub_author = author
epub_publisher = author
epub_description = handbook_subtitle
epub_language = language
# A stable identifier, the same on every build, so readers' libraries see one book.
epub_identifier = "urn:uuid:5f0b7a3e-2d1c-4b8e-9a61-3c7e2f4d8a10"
epub_scheme = "uuid"
epub_uid = "bookid"
# A lean theme (_themes/epub) with its own reading stylesheet; the web theme's
# CSS (html_css_files) has no place in a reflowable book.
epub_theme = "handbook_epub"
epub_css_files = []
# No general index: a book of this size is read through its contents and glossary.
epub_use_index = False
# Web addresses stay in the links; printed inline they would break the reading.
epub_show_urls = "no"
# Chapters, their sections and subsections in the EPUB's contents.
epub_tocdepth = 3

# EPUB Accessibility 1.1 metadata (https://www.w3.org/TR/epub-a11y-11/), true
# to the book: text with one diagram, whose facts the text after it repeats.
epub_access_modes = ["textual", "visual"]
epub_access_modes_sufficient = ["textual"]
epub_accessibility_features = [
    "structuralNavigation",  # headings mark every chapter and section
    "tableOfContents",  # the navigation document
    "alternativeText",  # the diagram and the cover have text alternatives
    "readingOrder",  # the reading order follows the content
    "displayTransformability",  # reflowable, no fixed sizes or colours
]
epub_accessibility_hazards = ["none"]  # no flashing, motion simulation or sound
epub_accessibility_summary = _(
    "This publication conforms to EPUB Accessibility 1.1 and WCAG 2.2 Level AA. "
    "It is reflowable text with a table of contents, headings for every chapter "
    "and section, and a glossary. Its one diagram has a text alternative, and the "
    "text after it gives the same facts. No meaning rests on colour alone, and "
    "readers can change the font, size and colours."
)
epub_conforms_to = "EPUB Accessibility 1.1 - WCAG 2.2 Level AA"
# Checked by the handbook's own tests (EPUBCheck and DAISY Ace on every build).
epub_certified_by = author
