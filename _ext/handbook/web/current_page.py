"""The current page in the site navigation: a real link, marked aria-current="page".

Sphinx writes the current page's entry in the sidebar contents as ``href="#"``
(a page's link to itself is empty, and the HTML writer fills in "#"), and
pydata-sphinx-theme marks it only with a ``current`` class, which screen
readers do not announce: nothing said where the reader was (WCAG 1.3.1, 2.4.8).
Here the entry links to the page itself and carries ``aria-current="page"``.
The home link above the contents is in the sidebar template (sbt-sidebar-nav.html),
which uses ``handbook_page_href``.
"""

from __future__ import annotations

import functools
import posixpath

from bs4 import BeautifulSoup


def page_href(target_uri: str) -> str:
    """A page's link to itself, relative to itself: its file name ("front/about.html" -> "about.html")."""
    return posixpath.basename(target_uri) or "./"


def mark_current(soup: BeautifulSoup, href: str) -> int:
    """Give the contents' link to the current page its real address and aria-current="page".

    Sphinx marks that link with the ``current`` class and an empty target ("#").
    Returns how many links were marked.
    """
    marked = 0
    for link in soup.select('a.current[href="#"]'):
        link["href"] = href
        link["aria-current"] = "page"
        marked += 1
    return marked


def _on_page_context(app, pagename, templatename, context, doctree) -> None:
    href = page_href(app.builder.get_target_uri(pagename))
    context["handbook_page_href"] = href
    generate = context.get("generate_toctree_html")
    if generate is None:  # not the web theme (the PDF and EPUB have no sidebar)
        return

    @functools.wraps(generate)
    def generate_marked(*args, **kwargs):
        html = generate(*args, **kwargs)
        if isinstance(html, BeautifulSoup):
            mark_current(html, href)
        return html

    context["generate_toctree_html"] = generate_marked


def setup(app):
    # After pydata-sphinx-theme has put its toctree functions in the context (priority 500).
    app.connect("html-page-context", _on_page_context, priority=600)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
