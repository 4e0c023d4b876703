"""Search results keep their excerpts when the site is opened from disk (file://).

Sphinx's search page fetches each result's page to cut an excerpt from it. Browsers
refuse fetch() on file:// URLs, so a reader who opens the downloaded site from disk
got titles and no excerpts. As each page is written, its body (Sphinx's ``body``,
the page's content without the theme around it) is kept in the doctree folder;
after the HTML build every page's body goes into ``_static/search-pages.js``. On the
search page, ``_static/search-from-disk.js`` loads it, only when the page itself
comes from disk, and answers those fetches from it. Over HTTP nothing changes and
nothing extra is loaded.

The bodies go through files because pages may be written by parallel processes,
and only the files (not the processes' memory) reach the end of the build.
"""

from __future__ import annotations

import json
from pathlib import Path

HTML_BUILDERS = {"html"}
DATA_FILE = "search-pages.js"
SHIM_FILE = "search-from-disk.js"
BODIES = "search-from-disk"  # a folder in the doctree folder: one body per page


def main_box(body: str) -> str:
    """A page's body inside the role="main" box Sphinx's search cuts excerpts from."""
    return f'<div role="main">{body}</div>'


def data_script(pages: dict[str, str]) -> str:
    """The JavaScript that hands the search page every page's article, by document name."""
    payload = json.dumps(pages, ensure_ascii=False, sort_keys=True).replace("</", "<\\/")
    return f"window.handbookSearchPages = {payload};\n"


def _body_file(app, docname: str) -> Path:
    return Path(app.doctreedir, BODIES, f"{docname}.html")


def _on_page_context(app, pagename, templatename, context, doctree) -> None:
    if app.builder.name not in HTML_BUILDERS:
        return
    if pagename == "search":
        app.add_js_file(SHIM_FILE)
    if doctree is not None and "body" in context:
        body = _body_file(app, pagename)
        body.parent.mkdir(parents=True, exist_ok=True)
        body.write_text(context["body"], encoding="utf-8")


def _on_build_finished(app, exception) -> None:
    if exception is not None or app.builder.name not in HTML_BUILDERS:
        return
    pages = {docname: main_box(_body_file(app, docname).read_text(encoding="utf-8"))
             for docname in sorted(app.env.found_docs) if _body_file(app, docname).is_file()}
    (Path(app.outdir) / "_static" / DATA_FILE).write_text(data_script(pages), encoding="utf-8")


def setup(app):
    app.connect("html-page-context", _on_page_context)
    app.connect("build-finished", _on_build_finished)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
