"""The web edition is accessible (issue 4): real pages, in Debian's Chromium.

Every page of the built site, served from 127.0.0.1, is checked in three views
(light mode, dark mode, a 320 px wide phone) by three independent engines in the same
page load: axe-core (WCAG 2.0-2.2 A/AA and best practices), IBM Equal Access (its
IBM_Accessibility policy, violations only, with a short reasoned allow-list below) and
HTML_CodeSniffer (WCAG 2 AA errors); for reflow, structure, console errors and requests
to other hosts; once by the Nu HTML Checker; in the accessibility tree (where the reader
is in the navigation, the "In brief" regions); from the keyboard (skip link, tab order,
visible focus, the controls); and under WCAG text spacing and 200% zoom.
tests/a11y_fixtures/broken.html has one known defect per check and proves that each
check can fail.

A failure names the page, the view, the rule and the element. Every edition is checked
(``outputs`` is one edition); controls are found by their names in the edition's language.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from browser import (
    DARK, LIGHT, NARROW, VIEWS, ZOOM_200, Tab, add_text_spacing, active_element, axe_problems,
    clipped_text_problems, colour_transition_problems, current_page_problems, horizontal_scroll_problems, htmlcs_problems,
    ibm_problems, in_brief_problems, search_field_problems, serve, site_pages,
    structure_problems, vnu_problems, walk_tab_order,
)
from conftest import translated, translator
from handbook.common.editions import site_folder

# Every test drives Chromium or runs the Nu checker (Java): `make test`, not `make test-fast`.
pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "a11y_fixtures"
# The pages a reader can open: one per source file, the search page and the index.
PAGES = sorted(
    [p.relative_to(ROOT / "docs").with_suffix(".html").as_posix()
     for p in (ROOT / "docs").rglob("*.md") if p.name != "README.md"]
    + ["search.html", "genindex.html"]
)
# Focus is measured element by element (two screenshots each), so on the pages that
# between them hold every kind of control: the home page (the sidebar, the article
# header, the contents), a chapter (the in-page contents), the search page.
FOCUS_PAGES = ["index.html", "front/about.html", "search.html"]
# The pages in the site navigation (every source page); the search page and the index are not.
LISTED_PAGES = {p for p in PAGES if p not in ("search.html", "genindex.html")}


@dataclass(frozen=True)
class Allowed:
    """An IBM Equal Access result the handbook leaves as it is, and why."""

    rule: str
    element: str  # a regular expression the failing element's start tag must match
    why: str
    upstream: str


# Each entry is one rule on one kind of element, never a whole rule.
IBM_ALLOWED = (
    Allowed(
        "aria_content_in_landmark", r'^<a href="#main-content">$',
        "The skip link is the first thing on the page and leads into <main>; it sits before "
        "every landmark, as skip links should (GOV.UK Design System: do not wrap it in a nav or "
        "move it into the header). axe's region rule exempts skip links; IBM's rule has no "
        "exemption, and the rule is only in IBM's own policy, not its WCAG rule sets.",
        "https://github.com/IBMa/equal-access/issues/2134",
    ),
)


def ibm_violations(page) -> list[str]:
    """IBM Equal Access violations, less the allowed ones."""
    return [line for line in ibm_problems(page) if not any(
        line.startswith(f"ibm {entry.rule} ") and re.search(entry.element, line.rsplit(" [", 1)[-1][:-1])
        for entry in IBM_ALLOWED)]


def report(page: str, view, problems: list[str]) -> str:
    return f"{page} in the {view} view:\n  " + "\n  ".join(problems)


@pytest.fixture(scope="session")
def site(outputs):
    """The edition's address: the whole site is served, as its pages link to the other editions and downloads."""
    with serve(outputs.site) as base:
        yield base + site_folder(outputs.language)


def search_word(language: str) -> str:
    """A word every edition's text has: the last of the first part's name ("enforcement")."""
    return translated(language, "Immigration Enforcement", "index").split()[-1].lower()


@pytest.fixture(scope="session")
def fixtures_site():
    with serve(FIXTURES) as base:
        yield base


@pytest.fixture(scope="session")
def tab(browser):
    """One tab per view for the whole session: `tab(view)`."""
    tabs: dict = {}

    def get(view) -> Tab:
        if view.name not in tabs:
            tabs[view.name] = Tab(browser, view)
        return tabs[view.name]

    yield get
    for opened in tabs.values():
        opened.close()


def page_problems(tab: Tab, url: str) -> list[str]:
    """Everything checked on one load of a page in one view."""
    visit = tab.open(url)
    # The page's own console messages, before the engines add theirs.
    problems = [f"console: {m}" for m in visit.console
                if m.startswith(("console.error", "console.warning", "uncaught"))]
    problems += axe_problems(tab.page)
    problems += ibm_violations(tab.page)
    problems += htmlcs_problems(tab.page)
    problems += horizontal_scroll_problems(tab.page, tab.view.width)
    problems += colour_transition_problems(tab.page)
    problems += structure_problems(tab.page)
    problems += [f"request to another host: {u}" for u in visit.foreign_requests()]
    return problems


# -- Every page, every view ---------------------------------------------------------------


def test_every_page_is_checked(outputs):
    assert site_pages(outputs.html, skip=outputs.other_editions) == PAGES


@pytest.mark.parametrize("view", VIEWS, ids=str)
@pytest.mark.parametrize("page", PAGES)
def test_page_passes_axe_ibm_htmlcs_reflow_structure_and_stays_local(site, tab, page, view):
    problems = page_problems(tab(view), site + page)
    assert not problems, report(page, view, problems)


def test_ibm_allow_list_is_short_and_reasoned():
    assert len(IBM_ALLOWED) <= 3
    for entry in IBM_ALLOWED:
        assert re.fullmatch(r"[a-z_]+", entry.rule) and entry.element.startswith("^<"), entry
        assert len(entry.why) > 80 and entry.upstream.startswith("https://github.com/"), entry


# -- What a screen reader is told -----------------------------------------------------


@pytest.mark.parametrize("page", PAGES)
def test_the_current_page_is_marked_in_the_navigation(site, tab, page):
    t = tab(LIGHT)
    t.open(site + page)
    problems = current_page_problems(t.page, site + page, listed=page in LISTED_PAGES)
    assert not problems, report(page, LIGHT, problems)


# The pages whose source opens with an "In brief" summary.
IN_BRIEF_PAGES = sorted(p.relative_to(ROOT / "docs").with_suffix(".html").as_posix()
                        for p in (ROOT / "docs").rglob("*.md")
                        if ":class: in-brief" in p.read_text(encoding="utf-8"))


@pytest.mark.parametrize("page", IN_BRIEF_PAGES)
def test_in_brief_is_a_region_named_by_its_title(site, tab, page):
    t = tab(LIGHT)
    t.open(site + page)
    assert t.page.locator(".in-brief").count() == 1, f"{page}: no In brief summary on the page"
    problems = in_brief_problems(t.page)
    assert not problems, report(page, LIGHT, problems)


# -- One search control, and a field that can be read -------------------------------


@pytest.mark.parametrize("view", [LIGHT, NARROW], ids=str)
@pytest.mark.parametrize("page", PAGES)
def test_one_search_control_and_nothing_over_the_search_text(site, tab, page, view):
    t = tab(view)
    t.open(site + page)
    controls = t.page.evaluate("""[...document.querySelectorAll('.search-button__button')]
        .filter(el => el.checkVisibility()).map(__describe)""")
    problems = [] if len(controls) == 1 else [f"search: {len(controls)} search buttons shown: {controls}"]
    # The field's text and placeholder start at its content box, whatever is typed.
    problems += search_field_problems(t.page)  # the search page's own field
    # Ctrl+K opens the search dialog; on the search page it moves to the page's own field.
    t.page.keyboard.press("Control+k")
    if not t.page.evaluate("""document.querySelector('#pst-search-dialog').open
                              || document.activeElement.matches('form.bd-search input')"""):
        problems.append("search: Ctrl+K neither opened the search dialog nor went to a search field")
    problems += search_field_problems(t.page)
    t.page.keyboard.press("Escape")
    assert not problems, report(page, view, problems)


def test_titles_are_unique_and_name_the_page(html_pages, outputs):
    titles = {}
    for path in html_pages:
        if path.relative_to(outputs.html).parts[0].startswith("_"):
            continue
        soup = BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")
        title = soup.title.get_text(" ", strip=True) if soup.title else ""
        name = path.relative_to(outputs.html).as_posix()
        h1 = soup.select_one("article h1")
        assert title, f"{name}: empty <title>"
        if h1:
            heading = h1.get_text(" ", strip=True).rstrip("#¶ ").strip()
            assert title.startswith(heading), f"{name}: <title> {title!r} does not start with its h1 {heading!r}"
        assert title not in titles, f"{name} and {titles.get(title)} share the <title> {title!r}"
        titles[title] = name


def test_nu_html_checker_finds_no_errors(outputs):
    pages = [outputs.html / page for page in site_pages(outputs.html, skip=outputs.other_editions)]
    problems = vnu_problems(pages, outputs.html)
    assert not problems, "\n".join(problems)


# -- Keyboard -----------------------------------------------------------------------------


@pytest.mark.parametrize("page", PAGES)
def test_first_tab_stop_is_a_skip_link_to_the_content(site, tab, page):
    problems = skip_link_problems(tab(LIGHT), site + page)
    assert not problems, report(page, LIGHT, problems)


def skip_link_problems(tab: Tab, url: str) -> list[str]:
    tab.open(url)
    tab.page.keyboard.press("Tab")
    first = active_element(tab.page)
    if not first["skip"]:
        return [f"skip link: the first Tab stop is {first['name']}, not a skip link to the content"]
    tab.page.keyboard.press("Enter")
    target = active_element(tab.page)
    if not (target["isMain"] or target["inMain"]):
        return [f"skip link: activating it left focus on {target['name']}, not in <main>"]
    tab.page.keyboard.press("Tab")
    after = active_element(tab.page)
    if not after["inMain"]:
        return [f"skip link: the next Tab after it goes to {after['name']}, outside <main>"]
    return []


@pytest.mark.parametrize("view", [LIGHT, NARROW], ids=str)
@pytest.mark.parametrize("page", PAGES)
def test_tab_order_has_no_keyboard_trap(site, tab, page, view):
    tab(view).open(site + page)
    stops, problems = walk_tab_order(tab(view).page)
    assert stops, report(page, view, ["keyboard: no Tab stops at all"])
    assert not problems, report(page, view, problems)


@pytest.mark.parametrize("view", [LIGHT, DARK, NARROW], ids=str)
@pytest.mark.parametrize("page", FOCUS_PAGES)
def test_every_tab_stop_shows_focus_with_3_to_1_contrast(site, tab, page, view):
    tab(view).open(site + page)
    _, problems = walk_tab_order(tab(view).page, measure_focus=True)
    assert not problems, report(page, view, problems)


def press_tab_until(page, pattern: str, limit: int = 80) -> dict:
    """Tab from the top until the focused element's name matches `pattern`."""
    page.evaluate("document.activeElement && document.activeElement.blur(); window.scrollTo(0, 0)")
    for _ in range(limit):
        page.keyboard.press("Tab")
        el = active_element(page)
        if re.search(pattern, el["name"]):
            return el
    raise AssertionError(f"no Tab stop matching {pattern!r} in {limit} presses")


def press_keeps_focus(page, key: str) -> list[str]:
    """Press `key`; the elements that, meanwhile, let focus fall to nowhere (the body).

    Watched as it happens, not sampled afterwards: a page that drops focus and takes it
    back a moment later has still made a screen reader announce the document."""
    page.evaluate("""() => {
      if (!window.__focusDropped) {
        document.addEventListener("focusout", (e) => {
          if (!e.relatedTarget) window.__focusDropped.push(__describe(e.target));
        }, true);
      }
      window.__focusDropped = [];
    }""")
    page.keyboard.press(key)
    return page.evaluate("window.__focusDropped")


def test_search_works_from_the_keyboard(outputs, site, tab):
    _ = translator(outputs.language)
    t = tab(LIGHT)
    t.open(site + "front/about.html")
    press_tab_until(t.page, re.escape(f'"{_("Search")} Ctrl'))
    t.page.keyboard.press("Enter")
    focused = active_element(t.page)
    assert t.page.evaluate("document.querySelector('#pst-search-dialog').open"), "Enter did not open search"
    assert "input" in focused["name"], f"search opened but focus is on {focused['name']}"
    t.page.keyboard.type(search_word(outputs.language))
    with t.page.expect_navigation():
        t.page.keyboard.press("Enter")
    t.page.wait_for_selector("#search-results li a", timeout=10_000)
    t.page.wait_for_selector("#search-results li p.context", timeout=10_000)
    # Ctrl+K opens search too, and Escape closes it.
    t.open(site + "index.html")
    t.page.keyboard.press("Control+k")
    assert t.page.evaluate("document.querySelector('#pst-search-dialog').open"), "Ctrl+K did not open search"
    t.page.keyboard.press("Escape")
    assert not t.page.evaluate("document.querySelector('#pst-search-dialog').open"), "Escape did not close search"


def test_colour_mode_switch_works_from_the_keyboard(outputs, site, tab):
    _ = translator(outputs.language)
    t = tab(LIGHT)
    t.open(site + "front/about.html")
    press_tab_until(t.page, re.escape(_("Color mode")))
    dropped = press_keeps_focus(t.page, "Enter")
    assert not dropped, f"pressing the colour-mode button dropped focus from {dropped}"
    assert _("Color mode") in active_element(t.page)["name"], "focus left the colour-mode button"
    t.page.keyboard.press("ArrowDown")  # Bootstrap's menu: arrows move through the choices
    dark = rf"\b{re.escape(_('Dark'))}\b"
    for _step in range(3):
        if re.search(dark, active_element(t.page)["name"]):
            break
        t.page.keyboard.press("ArrowDown")
    assert re.search(dark, active_element(t.page)["name"]), "the arrow keys never reached Dark"
    t.page.keyboard.press("Enter")
    assert t.page.evaluate("document.documentElement.dataset.theme") == "dark"
    t.page.evaluate("localStorage.setItem('mode', 'light')")


def test_sidebar_toggles_work_from_the_keyboard(outputs, site, tab):
    navigation = translator(outputs.language)("Site navigation")
    # Wide: the article header's toggle hides and shows the contents sidebar.
    t = tab(LIGHT)
    t.open(site + "front/about.html")
    sidebar_shown = "document.querySelector('#pst-primary-sidebar').checkVisibility({visibilityProperty: true})"
    assert t.page.evaluate(sidebar_shown)
    press_tab_until(t.page, re.escape(navigation))
    dropped = press_keeps_focus(t.page, "Enter")
    assert not dropped, f"pressing the sidebar toggle dropped focus from {dropped}"
    t.page.wait_for_timeout(500)
    assert not t.page.evaluate(sidebar_shown), "Enter on the sidebar toggle did not hide the sidebar"
    assert navigation in active_element(t.page)["name"], "focus left the sidebar toggle"
    t.page.keyboard.press("Enter")
    t.page.wait_for_timeout(500)
    assert t.page.evaluate(sidebar_shown), "Enter again did not bring the sidebar back"
    # Narrow: the header's toggle opens the navigation drawer; Escape closes it.
    n = tab(NARROW)
    n.open(site + "front/about.html")
    press_tab_until(n.page, re.escape(navigation))
    n.page.keyboard.press("Enter")
    assert n.page.evaluate("document.querySelector('#pst-primary-sidebar-modal').open"), "the drawer did not open"
    assert n.page.evaluate("!!document.activeElement.closest('#pst-primary-sidebar-modal')"), \
        "focus did not move into the drawer"
    n.page.keyboard.press("Escape")
    assert not n.page.evaluate("document.querySelector('#pst-primary-sidebar-modal').open")


def test_downloads_work_from_the_keyboard(outputs, site, tab):
    _ = translator(outputs.language)
    t = tab(LIGHT)
    t.open(site + "front/about.html")
    # The edition's own files come first in the list.
    for label, suffix in [(_("PDF") + ",", ".pdf"), (_("Large-print PDF") + ",", "-large-print.pdf"),
                          (_("EPUB") + ",", ".epub")]:
        press_tab_until(t.page, re.escape(f'"{_("Download")}"'))
        t.page.keyboard.press("Enter")  # opens the list of formats
        for _step in range(4):
            t.page.keyboard.press("Tab")
            if re.search(re.escape(f'"{label}'), active_element(t.page)["name"]):
                break
        else:
            raise AssertionError(f"the {label} link is not reachable from the Download button")
        with t.page.expect_download() as download:
            t.page.keyboard.press("Enter")
        assert download.value.suggested_filename == f"{outputs.stem}{suffix}", download.value.suggested_filename


# -- Text spacing and zoom ----------------------------------------------------------------


@pytest.mark.parametrize("page", PAGES)
def test_text_spacing_loses_no_content(site, tab, page):
    t = tab(LIGHT)
    t.open(site + page)
    add_text_spacing(t.page)
    problems = clipped_text_problems(t.page) + horizontal_scroll_problems(t.page, LIGHT.width)
    assert not problems, report(page, "light, WCAG text spacing", problems)


@pytest.mark.parametrize("page", PAGES)
def test_200_percent_zoom_loses_no_content(site, tab, page):
    t = tab(ZOOM_200)
    t.open(site + page)
    problems = clipped_text_problems(t.page) + horizontal_scroll_problems(t.page, ZOOM_200.width)
    assert not problems, report(page, ZOOM_200, problems)


# -- Opened from disk ---------------------------------------------------------------------


def test_search_shows_excerpts_when_opened_from_disk(outputs, tab):
    t = tab(LIGHT)
    t.page.goto((outputs.html / "search.html").as_uri() + "?q=" + search_word(outputs.language))
    t.page.wait_for_selector("#search-results li a", timeout=10_000)
    t.page.wait_for_selector("#search-results li p.context", timeout=10_000)


# -- Each check can fail ------------------------------------------------------------------


@pytest.fixture(scope="module")
def broken(fixtures_site, tab):
    return fixtures_site + "broken.html"


def test_checks_catch_the_broken_page_in_axe_structure_and_requests(broken, tab):
    problems = "\n".join(page_problems(tab(NARROW), broken))
    for expected in ["axe image-alt", "axe color-contrast", "axe html-has-lang", "axe document-title",
                     "reflow: scrollWidth", "div.wide", "heading skips from h1 to h3",
                     "request to another host: http://example.com/logo.png"]:
        assert expected in problems, f"{expected!r} not reported:\n{problems}"


def test_checks_catch_the_broken_page_in_ibm_equal_access_and_html_codesniffer(broken, tab):
    lines = page_problems(tab(LIGHT), broken)
    problems = "\n".join(lines)
    for expected in ["ibm table_headers_exists", "ibm img_alt_valid",
                     "htmlcs WCAG2AA.Principle1.Guideline1_3.1_3_1.H42.2",  # the empty heading
                     "htmlcs WCAG2AA.Principle3.Guideline3_2.3_2_2.H32.2",  # the form without a submit button
                     "htmlcs WCAG2AA.Principle1.Guideline1_4.1_4_3.G18.Fail"]:  # the pale text
        assert expected in problems, f"{expected!r} not reported:\n{problems}"
    # The allow-list lets the handbook's skip link stand outside the landmarks, not any link.
    assert any(line.startswith("ibm aria_content_in_landmark") and "no-focus-style" in line for line in lines), problems


def test_checks_catch_the_broken_page_in_the_accessibility_tree_and_the_search_field(broken, tab):
    t = tab(LIGHT)
    t.open(broken)
    problems = "\n".join(current_page_problems(t.page, broken, listed=True) + in_brief_problems(t.page)
                         + search_field_problems(t.page))
    for expected in ['the link "This page, as a link to nowhere, not marked current" points at "#"',
                     "0 links to the page itself", 'the summary "In brief" is no region']:
        assert expected in problems, f"{expected!r} not reported:\n{problems}"
    assert re.search(r"search field: i \(x [\d-]+\) covers the text of input", problems), problems


def test_checks_catch_the_broken_page_from_the_keyboard(broken, tab):
    problems = skip_link_problems(tab(LIGHT), broken)
    assert problems and "not a skip link" in problems[0], problems
    tab(LIGHT).open(broken)
    _, problems = walk_tab_order(tab(LIGHT).page, limit=20, measure_focus=True)
    text = "\n".join(problems)
    assert 'no visible focus indicator with 3:1 contrast: a.no-focus-style' in text, text
    assert "keyboard trap" in text, text
    t = tab(LIGHT)
    t.open(broken)
    press_tab_until(t.page, "drops focus")
    dropped = press_keeps_focus(t.page, "Enter")
    assert len(dropped) == 1 and dropped[0].startswith("button.blurs"), dropped


def test_checks_catch_the_broken_page_under_text_spacing(broken, tab):
    t = tab(LIGHT)
    t.open(broken)
    assert not clipped_text_problems(t.page)  # it fits at the page's own spacing
    add_text_spacing(t.page)
    problems = "\n".join(clipped_text_problems(t.page))
    assert "clipped at the bottom" in problems and "div.tight" in problems, problems


def test_checks_catch_the_broken_page_in_the_nu_html_checker():
    problems = "\n".join(vnu_problems([FIXTURES / "broken.html"], FIXTURES))
    assert "Duplicate ID" in problems and "broken.html" in problems, problems
