"""One Sphinx configuration for every format of the handbook (HTML, PDF, EPUB).

Build it through the Makefile: ``make`` builds every format, ``make help`` lists
the targets. The language is a build parameter (``make LANGUAGE=es``).
"""

import os
import sys
from pathlib import Path

HERE = Path(__file__).parent.resolve()
# Local extensions live in _ext/, one concern each.
sys.path.insert(0, str(HERE / "_ext"))

# -- Project -----------------------------------------------------------------

# The title readers see on the cover, in the browser tab and in e-reader libraries.
project = "Immigration Enforcement and Combating Transnational Crime"
# A subtitle that says what this is, and that it is not an agency publication.
handbook_subtitle = (
    "An independent plain-language handbook on the two mission areas of "
    "U.S. Immigration and Customs Enforcement"
)
author = "The handbook contributors"
# version, release and copyright come from the edition (date and commit of the
# last change in git), set by _ext/edition.py, so two builds of one commit agree.
# The language is a build parameter: `make LANGUAGE=es` builds the Spanish edition.
language = os.environ.get("HANDBOOK_LANGUAGE", "en")
# Our own user-facing strings (templates, builders) are translated from here.
locale_dirs = ["locales/"]
gettext_compact = False
# The stem of every output file; the edition's language is appended to it.
handbook_basename = "ice-mission-areas"
root_doc = "index"
exclude_patterns = ["_build", ".venv", "node_modules", "**/README.md"]
templates_path = ["_templates"]
# Broken references are errors, not silent plain text (`make` also passes -n).
nitpicky = True

extensions = [
    "myst_parser",
    "edition",
    # Local extensions, one concern each (see _ext/).
    "fonts",
    "downloads",
    "pdf_builder",
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
# No "last updated" time-of-day noise: the edition date is enough and reproducible.
html_last_updated_fmt = None
# The copy of every Markdown source adds weight and is not for readers.
html_copy_source = False
html_show_sourcelink = False
html_theme_options = {
    # The downloads (PDF, large print, EPUB) sit in every page's header.
    "article_header_end": ["downloads.html", "article-header-buttons.html"],
    "use_download_button": False,
    "use_fullscreen_button": False,
    "home_page_in_toc": True,
    "show_navbar_depth": 1,
}

# -- PDF ---------------------------------------------------------------------

# Paper size for the print editions; `make PAPER=a4` switches to A4.
pdf_paper_size = os.environ.get("HANDBOOK_PAPER", "letter")

# -- EPUB --------------------------------------------------------------------

# The same stem as the PDFs: the handbook's name and the edition's language.
epub_basename = f"{handbook_basename}-{language}"
epub_title = project
epub_author = author
epub_publisher = author
epub_language = language
# A stable identifier, the same on every build, so readers' libraries see one book.
epub_identifier = "urn:uuid:5f0b7a3e-2d1c-4b8e-9a61-3c7e2f4d8a10"
epub_scheme = "uuid"
epub_uid = "bookid"
# Only the reading pages: no search page or index, which make no sense offline.
epub_exclude_files = ["search.html", "genindex.html"]
epub_show_urls = "no"
epub_tocdepth = 3
