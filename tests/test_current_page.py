"""The current page's link in the site navigation (_ext/handbook/web/current_page.py).

The pure functions, on small pieces of HTML; the built pages are checked in
Chromium's accessibility tree by tests/test_html_a11y.py.
"""

from __future__ import annotations

from bs4 import BeautifulSoup

from handbook.web.current_page import mark_current, page_href

TOCTREE = """<ul class="nav bd-sidenav">
<li class="toctree-l1 current active"><a class="current reference internal" href="#">About this handbook</a></li>
<li class="toctree-l1"><a class="reference internal" href="how-to-read.html">How to read</a></li>
<li class="toctree-l1"><a class="reference internal" href="#glossary">A section link</a></li>
</ul>"""


def test_a_page_links_to_itself_by_its_file_name():
    assert page_href("front/about.html") == "about.html"
    assert page_href("index.html") == "index.html"
    assert page_href("es/back/glossary.html") == "glossary.html"


def test_only_the_current_entry_is_marked_and_gets_a_real_address():
    soup = BeautifulSoup(TOCTREE, "html.parser")
    assert mark_current(soup, "about.html") == 1
    current = soup.select('[aria-current="page"]')
    assert [a.get_text() for a in current] == ["About this handbook"]
    assert current[0]["href"] == "about.html"
    assert [a["href"] for a in soup.select("a")] == ["about.html", "how-to-read.html", "#glossary"]
    assert mark_current(soup, "about.html") == 0  # already marked: nothing changes


def test_a_navigation_without_the_current_page_is_left_alone():
    soup = BeautifulSoup(TOCTREE.replace('class="current reference internal" href="#"',
                                         'class="reference internal" href="about.html"'), "html.parser")
    assert mark_current(soup, "search.html") == 0
    assert not soup.select("[aria-current]")
