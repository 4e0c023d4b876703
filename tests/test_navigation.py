"""_ext/handbook/web/navigation.py: the sidebar rendered once per build says what the theme says on every page.

The pure functions are tested on a small navigation; then whole sites are built
twice, with the theme's own per-page navigation and with the cached one, and
every page must match byte for byte (the current page's link marked as
current_page.py marks it).
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from conftest import ROOT
from handbook.web import navigation

# The shape of the theme's sidebar (pydata-sphinx-theme's generate_toctree_html, for
# no page): a caption, a list with an entry that has children, an external entry.
THEME_NAV = (
    '<p aria-level="2" class="caption" role="heading"><span class="caption-text">Part</span></p>\n'
    '<ul class="nav bd-sidenav">\n'
    '<li class="toctree-l1 has-children"><a class="reference internal" href="part/a.html">A</a>'
    '<details><summary><span class="toctree-toggle" role="presentation"><i class="fa-solid fa-chevron-down"></i>'
    "</span></summary><ul>\n"
    '<li class="toctree-l2"><a class="reference internal" href="part/a1.html">A one &amp; more</a></li>\n'
    '<li class="toctree-l2"><a class="reference internal" href="part/a1.html#s">A one, a section</a></li>\n'
    "</ul>\n</details></li>\n"
    '<li class="toctree-l1"><a class="reference external" href="https://example.org/?a=1&amp;b=2">Out</a></li>\n'
    '<li class="toctree-l1"><a class="reference internal" href="b.html">B</a></li>\n'
    "</ul>\n"
)


def cut_theme_nav() -> navigation.Navigation:
    return navigation.cut(BeautifulSoup(THEME_NAV, "html.parser"))


def test_a_page_outside_the_navigation_gets_it_unmarked_with_links_from_its_folder():
    nav = cut_theme_nav()
    assert nav.html_for("index.html") == THEME_NAV
    assert nav.html_for("search.html") == THEME_NAV
    elsewhere = nav.html_for("other/page.html")
    assert elsewhere == (
        THEME_NAV.replace('href="part/', 'href="../part/').replace('href="b.html"', 'href="../b.html"')
    )


def test_the_current_page_and_its_ancestors_are_marked_as_sphinx_and_the_theme_mark_them():
    html = cut_theme_nav().html_for("part/a1.html")
    assert html == (
        '<p aria-level="2" class="caption" role="heading"><span class="caption-text">Part</span></p>\n'
        '<ul class="current nav bd-sidenav">\n'
        '<li class="toctree-l1 current active has-children"><a class="reference internal" href="a.html">A</a>'
        '<details open="open"><summary><span class="toctree-toggle" role="presentation">'
        '<i class="fa-solid fa-chevron-down"></i></span></summary><ul class="current">\n'
        '<li class="toctree-l2 current active"><a aria-current="page" class="current reference internal"'
        ' href="a1.html">A one &amp; more</a></li>\n'
        '<li class="toctree-l2"><a class="reference internal" href="#s">A one, a section</a></li>\n'
        "</ul>\n</details></li>\n"
        '<li class="toctree-l1"><a class="reference external" href="https://example.org/?a=1&amp;b=2">Out</a></li>\n'
        '<li class="toctree-l1"><a class="reference internal" href="../b.html">B</a></li>\n'
        "</ul>\n"
    )


def test_marks_do_not_leak_to_the_next_page_of_the_same_folder():
    nav = cut_theme_nav()
    nav.html_for("part/a1.html")
    html = nav.html_for("part/a.html")
    assert 'href="a1.html">A one' in html
    assert html.count("aria-current") == 1
    assert '<li class="toctree-l1 current active has-children"><a aria-current="page" class="current reference internal" href="a.html"' in html
    assert '<ul class="current">' not in html  # the children's list is not above the page


def test_only_the_plain_sidebar_is_cached():
    builder = object.__new__(navigation.StandaloneHTMLBuilder)
    plain = {"collapse": False, "maxdepth": 4, "includehidden": True, "titles_only": True}
    assert navigation.cacheable(builder, "sidebar", 0, 1, plain)
    assert not navigation.cacheable(builder, "raw", 0, 1, plain)
    assert not navigation.cacheable(builder, "sidebar", 1, 1, plain)
    assert not navigation.cacheable(builder, "sidebar", 0, 0, plain)
    assert not navigation.cacheable(builder, "sidebar", 0, 1, {**plain, "collapse": True})
    assert not navigation.cacheable(builder, "sidebar", 0, 1, {"maxdepth": 4})  # collapse defaults to True

    from sphinx.builders.dirhtml import DirectoryHTMLBuilder

    assert not navigation.cacheable(object.__new__(DirectoryHTMLBuilder), "sidebar", 0, 1, plain)


# -- whole sites, both ways -------------------------------------------------------

NESTED_PAGES = {
    "index.rst": """
        Home
        ====

        .. toctree::
           :caption: First part

           part/a
           b
           Example <https://example.org/>

        .. toctree::
           :caption: Second part

           c
        """,
    "part/a.rst": """
        A
        =

        .. toctree::

           a1
           a2
        """,
    "part/a1.rst": "A one\n=====\n\nSection\n-------\n\nText.\n",
    "part/a2.rst": "A two\n=====\n\nText.\n",
    "b.rst": "B\n=\n\nText.\n",
    "c.rst": "C\n=\n\nText.\n",
}

NESTED_CONF = """
import sys
sys.path.insert(0, {ext!r})
project = "Nested"
extensions = {extensions!r}
templates_path = {templates!r}
html_theme = "sphinx_book_theme"
html_theme_options = {{"home_page_in_toc": True, "show_navbar_depth": 1}}
handbook_navigation_cache = {cache!r}
"""

# The handbook's own configuration, read from the repository; only the navigation varies.
HANDBOOK_CONF = """
from pathlib import Path
__file__ = {conf!r}
exec(compile(Path(__file__).read_text(), __file__, "exec"))
templates_path = {templates!r}
html_static_path = [{static!r}]
locale_dirs = [{locales!r}]
"""


def build(srcdir: Path, confdir: Path, outdir: Path, *options: str) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "sphinx", "-b", "html", "-q", "-W", "--keep-going", "-c", str(confdir),
         "-d", str(outdir) + "-doctrees", *options, str(srcdir), str(outdir)],
        capture_output=True, text=True,
    )
    assert done.returncode == 0, done.stdout + done.stderr


def pages(site: Path) -> dict[str, str]:
    return {str(p.relative_to(site)): p.read_text(encoding="utf-8") for p in sorted(site.rglob("*.html"))}


def assert_same_and_each_page_marked(stock: dict[str, str], ours: dict[str, str], documents: int) -> None:
    """The same bytes both ways, and each document's page (not search or the index) marked once."""
    assert stock.keys() == ours.keys()
    for name, html in ours.items():
        assert html == stock[name], name
        assert html.count(navigation.CURRENT_LINK) <= 1, name
    assert sum(html.count(navigation.CURRENT_LINK) for html in ours.values()) == documents


def test_nested_toctrees_render_as_the_theme_renders_them(tmp_path):
    src = tmp_path / "src"
    for name, text in NESTED_PAGES.items():
        (src / name).parent.mkdir(parents=True, exist_ok=True)
        (src / name).write_text(textwrap.dedent(text).lstrip(), encoding="utf-8")
    ext = str(ROOT / "_ext")
    # The navigation's template alone: the handbook's other templates are not under test.
    templates = tmp_path / "templates"
    templates.mkdir()
    shutil.copy(ROOT / "_templates" / "sbt-sidebar-nav.html", templates)
    stock_conf, our_conf = tmp_path / "stock-conf", tmp_path / "our-conf"
    for folder, cache in ((stock_conf, False), (our_conf, True)):
        folder.mkdir()
        (folder / "conf.py").write_text(NESTED_CONF.format(
            ext=ext, extensions=["handbook.web.navigation"], templates=[str(templates)], cache=cache))
    build(src, stock_conf, tmp_path / "stock")
    build(src, our_conf, tmp_path / "ours")
    ours = pages(tmp_path / "ours")
    assert '<details open="open">' in ours["part/a1.html"]  # the nested case is exercised
    assert_same_and_each_page_marked(pages(tmp_path / "stock"), ours, documents=len(NESTED_PAGES))


@pytest.mark.slow  # builds the whole site, with the cache and without
def test_the_handbook_renders_as_with_the_theme_on_every_page(tmp_path):
    stock_conf, our_conf = tmp_path / "stock-conf", tmp_path / "our-conf"
    for folder, cache in ((stock_conf, False), (our_conf, True)):
        folder.mkdir()
        (folder / "conf.py").write_text(HANDBOOK_CONF.format(
            conf=str(ROOT / "conf.py"), templates=[str(ROOT / "_templates")], static=str(ROOT / "_static"),
            locales=str(ROOT / "locales"),
        ) + f"handbook_navigation_cache = {cache!r}\n")
    no_downloads = ("-D", "handbook_downloads_required=0")
    build(ROOT / "docs", stock_conf, tmp_path / "stock", *no_downloads)
    build(ROOT / "docs", our_conf, tmp_path / "ours", *no_downloads)
    documents = len(list((ROOT / "docs").rglob("*.md")))
    assert_same_and_each_page_marked(pages(tmp_path / "stock"), pages(tmp_path / "ours"), documents)
