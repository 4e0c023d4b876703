"""The sidebar's navigation, rendered once per build instead of once per page.

pydata-sphinx-theme's ``generate_toctree_html`` (which sphinx-book-theme's sidebar
calls) resolves the whole toctree, renders it and rewrites it with BeautifulSoup for
every page: with N pages that is N navigations of N entries each, and the HTML
build grows with the square of the handbook (pydata-sphinx-theme issues 381, 364,
859 and 876, sphinx-book-theme issue 561). The themes' mitigations show less of the
navigation; the handbook's readers need all of it.

The navigation is the same on every page but for two things: links are relative to
the page, and the page's own entry is marked as current (with its ancestors). So
the theme's function renders it once, for a name that is no page, and each page
gets that HTML with its links made relative and its entry marked, as Sphinx and the
theme would (``marked``). The current link also gets ``aria-current="page"``,
which the theme leaves out. Pure string work per page: no toctree, no parsing.

Only the theme's plain sidebar is served from the cache: with ``collapse`` or
``show_nav_level=0`` the navigation's shape depends on the page, and the theme's
own function renders it as before.
"""

from __future__ import annotations

import functools
import inspect
import re
import weakref
from dataclasses import dataclass, field

from bs4 import BeautifulSoup, Tag
from bs4.dammit import EntitySubstitution
from sphinx.builders.html import StandaloneHTMLBuilder
from sphinx.util import url_re
from sphinx.util.osutil import relative_uri

from handbook.web.current_page import page_href

# A document name no page can have: the navigation rendered for it marks no entry
# as current, and its links, relative to a page at the top, are the pages' own URIs.
NO_PAGE = "\x00navigation"
# A placeholder put into the theme's HTML where pages differ (private-use
# characters, which neither Sphinx nor BeautifulSoup writes or escapes).
_SLOT = re.compile(r'( class=)?"\ue000(\d+)\ue001"| \ue000(\d+)\ue001=""')
# The current page's link says so to assistive technology (WCAG 2.4.8); the theme leaves it out.
CURRENT_LINK = ' aria-current="page"'


@dataclass(frozen=True, eq=False)
class Slot:
    """Where the navigation differs from page to page.

    ``kind`` is "href" (``value``: the link's target, relative to the top),
    "class" (``value``: the element's classes on other pages) or "open" (a
    ``<details>`` element that is open on its entry's page).
    """

    kind: str
    value: str | tuple[str, ...] = ""

    def unmarked(self, page_uri: str) -> str:
        if self.kind == "href":
            # As Sphinx links a toctree entry: relative to the page, "#" for the page itself.
            path, hash_, anchor = self.value.partition("#")
            return _quoted(relative_uri(page_uri, path) + hash_ + anchor or "#")
        if self.kind == "class":
            return _class_attribute(self.value)
        return ""


@dataclass
class Navigation:
    """The theme's navigation HTML, cut where pages differ.

    ``pieces`` are fixed HTML and slots. ``marks`` gives, for a page's URI, what
    the slots of its own links become on it (by position in ``pieces``).
    """

    pieces: list[str | Slot] = field(default_factory=list)
    marks: dict[str, dict[int, str]] = field(default_factory=dict)
    _by_folder: dict[str, list[str]] = field(default_factory=dict)

    def html_for(self, page_uri: str) -> str:
        """The navigation as the page at ``page_uri`` (e.g. ``part/page.html``) shows it."""
        folder, slash, _ = page_uri.rpartition("/")
        parts = self._by_folder.get(folder)
        if parts is None:
            # Relative links depend only on the page's folder (the page's own link is
            # marked): work them out once per folder, from a name no page has.
            somewhere = folder + slash + NO_PAGE
            parts = [piece if isinstance(piece, str) else piece.unmarked(somewhere) for piece in self.pieces]
            self._by_folder[folder] = parts
        marked = self.marks.get(page_uri)
        if marked:
            parts = list(parts)
            for index, value in marked.items():
                parts[index] = value
        return "".join(parts)


def _quoted(value: str) -> str:
    """An attribute value, quoted and escaped as BeautifulSoup writes it."""
    return EntitySubstitution.substitute_xml(value, make_quoted_attribute=True)


def _class_attribute(classes: tuple[str, ...]) -> str:
    return f" class={_quoted(' '.join(classes))}" if classes else ""


def marked(slot: Slot, element: str) -> str:
    """What ``slot`` of ``element`` (its tag name) becomes on the page its link leads to.

    Sphinx links the page to itself with "#" (plus the anchor, for a link into the
    page) and gives the page's link and every ``<li>`` and ``<ul>`` above it the
    class "current", first, before the classes its writer adds; the theme adds
    "active" after "current" on the ``<li>``s and opens their ``<details>``.
    """
    if slot.kind == "href":
        _, hash_, anchor = slot.value.partition("#")
        if anchor:
            return _quoted(hash_ + anchor)
        # The page's own entry links to the page itself, not "#" (see current_page.py).
        return _quoted(page_href(slot.value))
    if slot.kind == "open":
        return ' open="open"'
    classes = list(slot.value)
    if element == "a":
        # aria-current before class: BeautifulSoup, which marks the uncached pages, sorts attributes.
        return CURRENT_LINK + _class_attribute(("current", *classes))
    if element == "li":
        level = next((i for i, name in enumerate(classes) if name.startswith("toctree-l")), -1)
        classes[level + 1:level + 1] = ["current", "active"]
    else:
        classes.insert(0, "current")
    return _class_attribute(tuple(classes))


def cut(soup: BeautifulSoup) -> Navigation:
    """Cut the theme's navigation, rendered for ``NO_PAGE``, where pages differ.

    Changes ``soup``. Every internal link's target is a slot; so are the classes of
    each link to a whole page and of the ``<li>`` and ``<ul>`` elements above it,
    and the state of those ``<li>``'s ``<details>``.
    """
    slots: list[tuple[Slot, str]] = []  # (slot, its element's tag name), by number
    numbers: dict[tuple[int, str], int] = {}  # (id of the element, kind) -> slot number
    slots_by_page: dict[str, set[int]] = {}  # a page's URI -> the slots its own links change

    def slot_for(element: Tag, kind: str) -> int:
        key = (id(element), kind)
        if key not in numbers:
            numbers[key] = len(slots)
            placeholder = f"\ue000{len(slots)}\ue001"
            if kind == "href":
                slots.append((Slot("href", element["href"]), element.name))
                element["href"] = placeholder
            elif kind == "class":
                slots.append((Slot("class", tuple(element.get("class", ()))), element.name))
                element["class"] = placeholder
            else:
                slots.append((Slot("open"), element.name))
                element[placeholder] = ""
        return numbers[key]

    for link in soup.find_all("a", href=True):
        target = link["href"]
        if url_re.match(target):
            continue  # an external entry: the same on every page
        page, _, anchor = target.partition("#")
        changed = slots_by_page.setdefault(page, set())
        changed.add(slot_for(link, "href"))
        if anchor:
            continue  # a link into the page marks nothing
        changed.add(slot_for(link, "class"))
        for ancestor in link.parents:
            if ancestor.name in ("li", "ul"):
                changed.add(slot_for(ancestor, "class"))
            if ancestor.name == "li":
                opener = ancestor.find("details", recursive=False)
                if opener is not None and "open" not in opener.attrs:
                    changed.add(slot_for(opener, "open"))

    nav = Navigation()
    html = str(soup)
    position_of: dict[int, int] = {}
    position = 0
    for match in _SLOT.finditer(html):
        number = int(match.group(2) or match.group(3))
        nav.pieces.append(html[position:match.start()])
        position_of[number] = len(nav.pieces)
        nav.pieces.append(slots[number][0])
        position = match.end()
    nav.pieces.append(html[position:])
    if len(position_of) != len(slots):
        raise ValueError("the navigation's HTML lost a placeholder")
    for page, changed in slots_by_page.items():
        nav.marks[page] = {position_of[number]: marked(*slots[number]) for number in changed}
    return nav


# -- in the build ---------------------------------------------------------------

# The navigations rendered in this build, by builder and by the template's arguments.
_RENDERED: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def cacheable(builder, kind: str, startdepth: int, show_nav_level: int, kwargs: dict) -> bool:
    """Whether the navigation is the same on every page but for its links and marks."""
    return (
        isinstance(builder, StandaloneHTMLBuilder)
        # Links as Sphinx makes them from StandaloneHTMLBuilder's URIs (not dirhtml's).
        and type(builder).get_target_uri is StandaloneHTMLBuilder.get_target_uri
        and type(builder).get_relative_uri is StandaloneHTMLBuilder.get_relative_uri
        and kind == "sidebar"
        and startdepth == 0
        # show_nav_level=0 wraps the parts in their own collapsible lists, per page.
        and int(show_nav_level) >= 1
        # Collapsed, the tree keeps only the page's branch: its shape depends on the page.
        and kwargs.get("collapse", True) is False
    )


def navigation_html(app, pagename: str, context: dict, kind: str, startdepth: int = 1,
                    show_nav_level: int = 1, **kwargs) -> str:
    """The theme's ``generate_toctree_html``, from the build's one rendering when it can be."""
    theme_function = context["generate_toctree_html"]
    if not (app.config.handbook_navigation_cache and cacheable(app.builder, kind, startdepth, show_nav_level, kwargs)):
        return theme_function(kind, startdepth, show_nav_level, **kwargs)
    rendered = _RENDERED.setdefault(app.builder, {})
    key = (kind, startdepth, show_nav_level, tuple(sorted(kwargs.items())))
    if key not in rendered:
        page_toctree = context["toctree"]
        # The theme's function asks the page's `toctree` (Sphinx's _get_local_toctree for
        # the page) for the tree: ask for no page's.
        context["toctree"] = lambda **options: app.builder._get_local_toctree(NO_PAGE, **options)
        try:
            # Unwrapped: past the theme's per-page cache, which must keep the page's own result,
            # and past current_page.py's marking, which marks no page here.
            soup = inspect.unwrap(theme_function)(kind, startdepth, show_nav_level, **kwargs)
        finally:
            context["toctree"] = page_toctree
        rendered[key] = cut(soup)
    return rendered[key].html_for(app.builder.get_target_uri(pagename))


def _add_to_context(app, pagename, templatename, context, doctree) -> None:
    # _templates/sbt-sidebar-nav.html calls this in place of the theme's function.
    context["handbook_navigation_html"] = functools.partial(navigation_html, app, pagename, context)


def setup(app):
    app.setup_extension("handbook.web.current_page")
    # Off, every page renders its own navigation, as the theme does (the tests compare the two).
    app.add_config_value("handbook_navigation_cache", True, "html", types=frozenset({bool}))
    app.connect("html-page-context", _add_to_context)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
