"""Search results keep their excerpts when the site is opened from disk (file://).

Sphinx's search page fetches each result's page to cut an excerpt from it. Browsers
refuse fetch() on file:// URLs, so a reader who opens the downloaded site from disk
got titles and no excerpts. After the HTML build this writes every page's article
into ``_static/search-pages.js``; on the search page, ``_static/search-from-disk.js``
loads it, only when the page itself comes from disk, and answers those fetches from it.
Over HTTP nothing changes and nothing extra is loaded.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

HTML_BUILDERS = {"html"}
DATA_FILE = "search-pages.js"
SHIM_FILE = "search-from-disk.js"
_ARTICLE = re.compile(r'<article class="bd-article"[^>]*>.*?</article>', re.S)


def article_html(page_html: str) -> str | None:
    """The page's article, inside the role="main" box Sphinx's search cuts excerpts from."""
    found = _ARTICLE.search(page_html)
    return f'<div role="main">{found.group(0)}</div>' if found else None


def data_script(pages: dict[str, str]) -> str:
    """The JavaScript that hands the search page every page's article, by document name."""
    payload = json.dumps(pages, ensure_ascii=False, sort_keys=True).replace("</", "<\\/")
    return f"window.handbookSearchPages = {payload};\n"


def _on_page_context(app, pagename, templatename, context, doctree) -> None:
    if app.builder.name in HTML_BUILDERS and pagename == "search":
        app.add_js_file(SHIM_FILE)


def _on_build_finished(app, exception) -> None:
    if exception is not None or app.builder.name not in HTML_BUILDERS:
        return
    out = Path(app.outdir)
    pages = {}
    for docname in sorted(app.env.found_docs):
        path = out / f"{docname}{app.builder.out_suffix}"
        if path.is_file():
            article = article_html(path.read_text(encoding="utf-8"))
            if article:
                pages[docname] = article
    (out / "_static" / DATA_FILE).write_text(data_script(pages), encoding="utf-8")


def setup(app):
    app.connect("html-page-context", _on_page_context)
    app.connect("build-finished", _on_build_finished)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
