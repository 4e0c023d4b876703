"""Drive the built site in Debian's Chromium: a local server, the views, the checks.

Pure helpers, shared by tests/test_html_a11y.py and by ad-hoc measurements
(``python tests/browser.py <site folder>``). Nothing here talks to another host:
the site is served from 127.0.0.1, and every request is recorded; a request to
any other host is recorded and aborted.

Every check returns a list of problems, one line each, naming the element, so a
test can say which page, view, rule and element failed.
"""

from __future__ import annotations

import contextlib
import functools
import http.server
import io
import json
import sys
import threading
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
# Two more engines with their own rules, loaded from node_modules (never from a CDN):
# IBM Equal Access (the browser build of its engine, not the wrapper package, which
# fetches the engine from a CDN) and HTML_CodeSniffer (pa11y's maintained fork).
IBM_ACE = ROOT / "node_modules" / "accessibility-checker-engine" / "ace.js"
HTMLCS = ROOT / "node_modules" / "@pa11y" / "html_codesniffer" / "build" / "HTMLCS.js"
VNU = ROOT / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--no-first-run", "--disable-sync",
]
# Every WCAG 2.x A/AA rule set axe has, and its best practices.
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]
# IBM's own policy: WCAG 2.0-2.2 A and AA plus IBM's supplemental requirements.
IBM_POLICY = "IBM_Accessibility"
HTMLCS_STANDARD = "WCAG2AA"
LOCAL_HOST = "127.0.0.1"


@dataclass(frozen=True)
class View:
    """One way a reader sees the site."""

    name: str
    width: int = 1280
    height: int = 900
    # The colour mode the reader picked (pydata-sphinx-theme keeps it in localStorage);
    # None is a first visit, which follows the system's light scheme.
    mode: str | None = None

    def __str__(self) -> str:
        return self.name


LIGHT = View("light", mode="light")
DARK = View("dark", mode="dark")
NARROW = View("narrow-320", width=320, height=720)  # WCAG 1.4.10 Reflow; also a first visit
ZOOM_200 = View("zoom-200", width=640, height=450, mode="light")  # 1280x900 at 200% zoom
VIEWS = (LIGHT, DARK, NARROW)

# WCAG 1.4.12 Text Spacing: the minimums a reader's own stylesheet may impose.
TEXT_SPACING_CSS = """
* { line-height: 1.5 !important; letter-spacing: 0.12em !important; word-spacing: 0.16em !important; }
p { margin-bottom: 2em !important; }
"""

# Names an element for a failure message: tag#id.classes "its text or label".
_DESCRIBE_JS = """
window.__describe = el => {
  if (!el || el === document.body) return "body";
  let s = el.tagName.toLowerCase();
  if (el.id) s += "#" + el.id;
  const classes = [...el.classList].slice(0, 3);
  if (classes.length) s += "." + classes.join(".");
  const label = (el.getAttribute("aria-label") || el.getAttribute("title") || el.textContent || "")
    .replace(/\\s+/g, " ").trim().slice(0, 60);
  return label ? `${s} "${label}"` : s;
};
"""


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):  # keep the test output clean
        pass


@contextlib.contextmanager
def serve(folder: Path):
    """Serve `folder` on 127.0.0.1 on a free port, from a thread; yields the base URL."""
    handler = functools.partial(_QuietHandler, directory=str(folder))
    server = http.server.ThreadingHTTPServer((LOCAL_HOST, 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://{LOCAL_HOST}:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


def launch(playwright):
    return playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)


def is_local(url: str) -> bool:
    parts = urlsplit(url)
    return parts.scheme in ("data", "blob", "about", "file") or parts.hostname == LOCAL_HOST


@dataclass
class Visit:
    """What one page load did: its requests (local or not), bytes and console messages."""

    url: str = ""
    requests: list[str] = field(default_factory=list)
    transferred: int = 0
    console: list[str] = field(default_factory=list)

    def foreign_requests(self) -> list[str]:
        return [u for u in self.requests if not is_local(u)]


class Tab:
    """One browser tab in one view, reused for every page that view visits."""

    def __init__(self, browser, view: View):
        self.view = view
        self.context = browser.new_context(
            viewport={"width": view.width, "height": view.height},
            color_scheme="dark" if view.mode == "dark" else "light",
            accept_downloads=True,
        )
        if view.mode:
            # pydata-sphinx-theme reads the reader's choice from localStorage before it paints.
            self.context.add_init_script(
                f"try {{ localStorage.setItem('mode', {json.dumps(view.mode)}); }} catch (e) {{}}")
        self.context.add_init_script(_DESCRIBE_JS)
        self.context.route("**/*", self._route)
        self.page = self.context.new_page()
        self.visit = Visit()
        self.page.on("request", lambda request: self.visit.requests.append(request.url))
        self.page.on("requestfinished", self._finished)
        self.page.on("console", lambda m: self.visit.console.append(f"console.{m.type}: {m.text}"))
        self.page.on("pageerror", lambda e: self.visit.console.append(f"uncaught error: {e}"))

    @staticmethod
    def _route(route):
        # Nothing leaves the machine: a request to another host is recorded (above) and aborted.
        if is_local(route.request.url):
            route.continue_()
        else:
            route.abort("blockedbyclient")

    def _finished(self, request):
        try:
            sizes = request.sizes()
            self.visit.transferred += sizes["responseBodySize"] + sizes["responseHeadersSize"]
        except Exception:  # a request that failed has no sizes
            pass

    def open(self, url: str, wait_until: str = "load") -> Visit:
        """Load a page and wait until its scripts have run and its fonts are in."""
        self.visit = Visit(url=url)
        self.page.goto(url, wait_until=wait_until)
        self.page.evaluate("document.fonts.ready.then(() => true)")
        return self.visit

    def close(self):
        self.context.close()


# -- Checks on the page as it is now -----------------------------------------------------


def axe_problems(page) -> list[str]:
    """axe-core's violations, one line per failing element: rule, selector, what is wrong."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.add_script_tag(content=AXE.read_text(encoding="utf-8"))
    result = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})",
        AXE_TAGS,
    )
    lines = []
    for violation in result["violations"]:
        for node in violation["nodes"]:
            target = " ".join(str(t) for t in node["target"])
            summary = " ".join(node.get("failureSummary", "").split())
            html = " ".join(node["html"].split())[:160]
            lines.append(f"axe {violation['id']}: `{target}`: {summary} [{html}]")
    return lines


def _load_script(page, path: Path, global_name: str) -> None:
    if not page.evaluate(f"typeof window.{global_name} !== 'undefined'"):
        page.add_script_tag(content=path.read_text(encoding="utf-8"))


def ibm_problems(page) -> list[str]:
    """IBM Equal Access violations (not its "potential" or "recommendation" results).

    One line per failing element: rule, reason, DOM path, message, the element's start tag.
    """
    _load_script(page, IBM_ACE, "ace")
    results = page.evaluate("""async policy => {
      const report = await new ace.Checker().check(document, [policy]);
      return report.results
        .filter(r => r.value[0] === "VIOLATION" && r.value[1] === "FAIL")
        .map(r => ({rule: r.ruleId, reason: r.reasonId, path: r.path.dom,
                    message: r.message, snippet: r.snippet}));
    }""", IBM_POLICY)
    return [f"ibm {r['rule']} ({r['reason']}): `{r['path']}`: {r['message']} "
            f"[{' '.join(r['snippet'].split())[:160]}]" for r in results]


def htmlcs_problems(page) -> list[str]:
    """HTML_CodeSniffer's errors at WCAG 2 AA (not its warnings or notices), one line per element."""
    _load_script(page, HTMLCS, "HTMLCS")
    results = page.evaluate("""standard => new Promise((resolve, reject) => {
      HTMLCS.process(standard, document, () => resolve(
        HTMLCS.getMessages().filter(m => m.type === HTMLCS.ERROR).map(m => ({
          code: m.code, message: m.msg,
          element: m.element === document ? "document" : __describe(m.element),
          html: m.element.outerHTML ? m.element.outerHTML.slice(0, 160) : "",
        }))), () => reject(new Error("HTML_CodeSniffer could not load " + standard)), "en");
    })""", HTMLCS_STANDARD)
    return [f"htmlcs {r['code']}: {r['element']}: {r['message']} [{' '.join(r['html'].split())}]"
            for r in results]


def search_field_problems(page) -> list[str]:
    """Something drawn over the text of a visible search field: its icon, shortcut hint or button.

    The text (and the placeholder) starts inside the field's border and padding; no other
    box in the search form may cover any of that content box.
    """
    found = page.evaluate("""() => {
      const out = [];
      for (const form of document.querySelectorAll("form.bd-search")) {
        const input = form.querySelector("input");
        if (!input || !input.checkVisibility()) continue;
        const r = input.getBoundingClientRect(), s = getComputedStyle(input);
        const px = v => parseFloat(v) || 0;
        const text = {left: r.left + px(s.borderLeftWidth) + px(s.paddingLeft),
                      right: r.right - px(s.borderRightWidth) - px(s.paddingRight),
                      top: r.top + px(s.borderTopWidth), bottom: r.bottom - px(s.borderBottomWidth)};
        for (const other of form.querySelectorAll("*")) {
          if (other === input || other.contains(input) || !other.checkVisibility()) continue;
          const o = other.getBoundingClientRect();
          if (o.width < 1 || o.height < 1) continue;
          const sideways = Math.min(o.right, text.right) - Math.max(o.left, text.left);
          const upright = Math.min(o.bottom, text.bottom) - Math.max(o.top, text.top);
          if (sideways > 0.5 && upright > 0.5)
            out.push(`${__describe(other)} (x ${Math.round(o.left)}-${Math.round(o.right)}) covers the text ` +
                     `of ${__describe(input)} (x ${Math.round(text.left)}-${Math.round(text.right)})`);
        }
      }
      return out;
    }""")
    return [f"search field: {line}" for line in found]


# -- The accessibility tree, as Chromium gives it to screen readers ------------------------


class AccessibilityTree:
    """Chromium's accessibility tree of the page (CDP Accessibility.getFullAXTree), without
    the ignored nodes, and the DOM elements behind its nodes."""

    def __init__(self, page):
        self.cdp = page.context.new_cdp_session(page)
        self.nodes = [n for n in self.cdp.send("Accessibility.getFullAXTree")["nodes"] if not n.get("ignored")]

    def close(self) -> None:
        self.cdp.detach()

    @staticmethod
    def role(node) -> str:
        return node.get("role", {}).get("value", "")

    @staticmethod
    def name(node) -> str:
        return node.get("name", {}).get("value", "")

    @staticmethod
    def property(node, name: str):
        return next((p["value"].get("value") for p in node.get("properties", []) if p["name"] == name), None)

    def call(self, node, function: str):
        """Run `function` (a JS function of `this`) on the DOM element behind `node`."""
        element = self.cdp.send("DOM.resolveNode", {"backendNodeId": node["backendDOMNodeId"]})
        result = self.cdp.send("Runtime.callFunctionOn", {
            "objectId": element["object"]["objectId"], "functionDeclaration": function, "returnByValue": True})
        return result["result"].get("value")


def current_page_problems(page, url: str, listed: bool) -> list[str]:
    """Where am I: in the accessibility tree, the page's entry in the site navigation is a
    link to the page itself (not "#") marked aria-current="page", and nothing else is current.

    `listed`: whether the page is in the site navigation at all (the search page and the
    index are not). Chromium's tree does not carry aria-current (CDP has no such property),
    so it is read from the element behind the link node.
    """
    tree = AccessibilityTree(page)
    try:
        links = [n for n in tree.nodes if tree.role(n) == "link"
                 and str(tree.property(n, "url") or "").split("#")[0] == url]
        own = [n for n in links if tree.property(n, "url") == url]
        empty = [n for n in links if str(tree.property(n, "url")).endswith("#")]
        problems = [f'current page: the link "{tree.name(n)}" points at "#", not at the page' for n in empty]
        if listed and len(own) != 1:
            problems.append(f"current page: {len(own)} links to the page itself in the accessibility tree, not 1")
        for node in own:
            if tree.call(node, "function () { return this.getAttribute('aria-current'); }") != "page":
                problems.append(f'current page: the link "{tree.name(node)}" to the page itself has no aria-current="page"')
        marked = page.evaluate("[...document.querySelectorAll('[aria-current]')].map(__describe)")
        if len(marked) > (1 if listed else 0):
            problems.append(f"current page: more elements marked current than the page's own link: {marked}")
        return problems
    finally:
        tree.close()


def in_brief_problems(page) -> list[str]:
    """Each "In brief" summary is a region in the accessibility tree, named by its visible title."""
    tree = AccessibilityTree(page)
    try:
        regions = {}
        for node in tree.nodes:
            if tree.role(node) == "region" and tree.call(node, "function () { return this.matches('.in-brief'); }"):
                regions[tree.name(node)] = node
        titles = page.evaluate("""[...document.querySelectorAll('.in-brief')].map(
            el => (el.querySelector('.admonition-title')?.textContent || '').trim())""")
        problems = []
        for title in titles:
            if not title:
                problems.append("in brief: a summary without a title")
            elif title not in regions:
                problems.append(f'in brief: the summary "{title}" is no region named "{title}" '
                                f"in the accessibility tree (regions: {sorted(regions) or 'none'})")
        return problems
    finally:
        tree.close()


def horizontal_scroll_problems(page, width: int) -> list[str]:
    """WCAG 1.4.10: the page scrolls sideways; names the elements that stick out."""
    found = page.evaluate("""width => {
      if (document.documentElement.scrollWidth <= width) return [];
      const wide = [...document.querySelectorAll("body *")].filter(el => {
        const r = el.getBoundingClientRect();
        return r.width > 0 && r.right > width + 1 && getComputedStyle(el).visibility !== "hidden";
      });
      // The innermost culprits: those with no culprit inside them.
      const innermost = wide.filter(el => !wide.some(o => o !== el && el.contains(o)));
      return [`scrollWidth ${document.documentElement.scrollWidth} > ${width}`,
              ...innermost.slice(0, 5).map(el => "too wide: " + __describe(el))];
    }""", width)
    return [f"reflow: {line}" for line in found]


def clipped_text_problems(page) -> list[str]:
    """Text cut off: an element that hides overflow, with text, whose content is bigger than its box.

    Visually hidden text (a 1 px box for screen readers) is meant to be clipped and is not content loss.
    """
    found = page.evaluate("""() => {
      const out = [];
      for (const el of document.querySelectorAll("body *")) {
        const style = getComputedStyle(el);
        const hides = v => v === "hidden" || v === "clip";
        const x = hides(style.overflowX), y = hides(style.overflowY);
        if (!x && !y && style.textOverflow !== "ellipsis") continue;
        if (!el.checkVisibility({visibilityProperty: true})) continue;
        if (!el.innerText || !el.innerText.trim()) continue;
        const r = el.getBoundingClientRect();
        if (r.width <= 1 || r.height <= 1) continue;  // visually hidden, for screen readers
        if (x && el.scrollWidth > el.clientWidth + 1)
          out.push(`clipped sideways (${el.scrollWidth} > ${el.clientWidth}px): ${__describe(el)}`);
        if (y && el.scrollHeight > el.clientHeight + 1)
          out.push(`clipped at the bottom (${el.scrollHeight} > ${el.clientHeight}px): ${__describe(el)}`);
      }
      return out;
    }""")
    return [f"text spacing/zoom: {line}" for line in found]


def add_text_spacing(page) -> None:
    page.add_style_tag(content=TEXT_SPACING_CSS)
    page.evaluate("document.fonts.ready.then(() => new Promise(r => requestAnimationFrame(() => r(true))))")


def colour_transition_problems(page) -> list[str]:
    """Text or icons whose colours fade: at load they fade in from the colours before the
    theme's (black on the dark background, in dark mode), at a contrast no checker sees."""
    found = page.evaluate("""() => [...document.querySelectorAll('body *')].filter(el => {
        const s = getComputedStyle(el);
        const fades = s.transitionDuration.split(',').some(d => parseFloat(d) > 0);
        return fades && /(^|, )(all|color|background-color|background)(,|$)/.test(s.transitionProperty);
      }).map(el => [__describe(el), getComputedStyle(el).transitionProperty])""")
    return [f"colour transition: {name} fades {properties}" for name, properties in found]


def structure_problems(page) -> list[str]:
    """Language, title, landmarks and heading levels, as a screen reader meets them."""
    found = page.evaluate("""() => {
      const out = [];
      if (!document.documentElement.lang) out.push("no lang on <html>");
      if (!document.title.trim()) out.push("empty <title>");
      const exposed = el => el.checkVisibility() || el.getBoundingClientRect().width > 0;
      const headings = [...document.querySelectorAll("h1,h2,h3,h4,h5,h6,[role=heading]")]
        .filter(el => exposed(el) && el.getAttribute("aria-hidden") !== "true")
        .map(el => ({el, level: Number(el.getAttribute("aria-level") || el.tagName.slice(1))}));
      const main = document.querySelector("main, [role=main]");
      if (!main) { out.push("no main landmark"); return out; }
      // The page's own headings start at one h1 in <main> and go down one level at a time;
      // a heading outside <main> (in the site navigation) may start at level 2.
      const inMain = headings.filter(h => main.contains(h.el));
      if (!inMain.length || inMain[0].level !== 1) out.push("main does not start with an h1");
      if (inMain.filter(h => h.level === 1).length > 1) out.push("more than one h1 in main");
      const check = (list, start) => {
        let previous = start;
        for (const h of list) {
          if (h.level > previous + 1) out.push(`heading skips from h${previous} to h${h.level}: ${__describe(h.el)}`);
          previous = h.level;
        }
      };
      check(inMain, 0);
      check(headings.filter(h => !main.contains(h.el)), 1);
      return out;
    }""")
    return [f"structure: {line}" for line in found]


# -- Keyboard -----------------------------------------------------------------------------


def active_element(page) -> dict:
    """The focused element, once its transitions (a skip link sliding in) have finished."""
    return page.evaluate("""async () => {
      const finite = document.getAnimations().filter(a => a.effect?.getComputedTiming().endTime !== Infinity);
      await Promise.all(finite.map(a => a.finished.catch(() => null)));
      const el = document.activeElement;
      const r = el.getBoundingClientRect();
      return {name: __describe(el), body: el === document.body || el === document.documentElement,
              mark: el.dataset.tabStop || null, x: r.x, y: r.y, width: r.width, height: r.height,
              inMain: !!el.closest("main"), isMain: el.id === "main-content",
              skip: el.matches(".skip-link a, a[href='#main-content']")};
    }""")


def relative_luminance(rgb) -> float:
    def channel(c):
        c = c / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4
    r, g, b = rgb[:3]
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)


def contrasting_pixels(before: bytes, after: bytes, ratio: float = 3.0) -> int:
    """How many pixels changed by at least `ratio`:1 between two PNG screenshots of one area."""
    import numpy as np
    from PIL import Image

    a = np.asarray(Image.open(io.BytesIO(before)).convert("RGB"), dtype=float) / 255
    b = np.asarray(Image.open(io.BytesIO(after)).convert("RGB"), dtype=float) / 255

    def luminance(x):
        x = np.where(x <= 0.04045, x / 12.92, ((x + 0.055) / 1.055) ** 2.4)
        return x @ np.array([0.2126, 0.7152, 0.0722])

    la, lb = luminance(a), luminance(b)
    contrast = (np.maximum(la, lb) + 0.05) / (np.minimum(la, lb) + 0.05)
    return int((contrast >= ratio).sum())


# Bootstrap's tooltips appear on focus, beside the control: hidden while measuring so that
# only the control's own focus indicator counts (a tooltip is not a focus indicator).
_NO_TOOLTIPS_CSS = ".tooltip { display: none !important; }"
FOCUS_MARGIN = 6  # px around the element: an outline and its offset fall inside


def walk_tab_order(page, limit: int = 400, measure_focus: bool = False):
    """Press Tab from the top of the page until focus leaves the page or comes back around.

    Returns (stops, problems): the names of the tab stops in order, and, with
    `measure_focus`, every stop whose focus indicator lacks 3:1 contrast with its
    unfocused look over at least a 1 px perimeter (WCAG 2.4.7 and 2.4.13's measure).
    Reaching `limit` stops without ending or wrapping is a keyboard trap.
    """
    if measure_focus:
        page.add_style_tag(content=_NO_TOOLTIPS_CSS)
    page.evaluate("document.activeElement && document.activeElement.blur(); window.scrollTo(0, 0)")
    stops, problems = [], []
    for index in range(limit):
        page.keyboard.press("Tab")
        el = active_element(page)
        if el["body"] or el["mark"] == "0":
            return stops, problems  # left the document, or wrapped to the first stop
        if el["mark"] is not None:
            problems.append(f"keyboard trap: Tab went back to stop {el['mark']}, {el['name']}, "
                            f"not on to the end")
            return stops, problems
        page.evaluate("i => { document.activeElement.dataset.tabStop = i; }", index)
        stops.append(el["name"])
        if measure_focus:
            problem = _focus_problem(page, el, index)
            if problem:
                problems.append(problem)
    problems.append(f"keyboard trap: {limit} Tab presses never left the page (last: {stops[-1]})")
    return stops, problems


def _focus_problem(page, el, index: int) -> str | None:
    if el["width"] < 1 or el["height"] < 1:
        return f"focus: the focused element has no size, so no visible focus: {el['name']}"
    viewport = page.viewport_size
    x0 = max(0, el["x"] - FOCUS_MARGIN)
    y0 = max(0, el["y"] - FOCUS_MARGIN)
    x1 = min(viewport["width"], el["x"] + el["width"] + FOCUS_MARGIN)
    y1 = min(viewport["height"], el["y"] + el["height"] + FOCUS_MARGIN)
    if x1 - x0 < 1 or y1 - y0 < 1:
        return f"focus: the focused element is off screen: {el['name']}"
    clip = {"x": x0, "y": y0, "width": x1 - x0, "height": y1 - y0}
    focused = page.screenshot(clip=clip, animations="disabled", caret="hide")
    page.evaluate("document.activeElement.blur()")
    unfocused = page.screenshot(clip=clip, animations="disabled", caret="hide")
    # Focus again, so that the next Tab goes on from here.
    page.evaluate("i => document.querySelector(`[data-tab-stop='${i}']`).focus({preventScroll: true})", index)
    changed = contrasting_pixels(unfocused, focused)
    needed = int(2 * (min(el["width"], clip["width"]) + min(el["height"], clip["height"])))
    if changed < needed:
        return (f"focus: no visible focus indicator with 3:1 contrast: {el['name']} "
                f"({changed} pixels change by 3:1, a 1 px perimeter is {needed})")
    return None


# -- The Nu HTML Checker ------------------------------------------------------------------


def vnu_problems(files: list[Path], root: Path) -> list[str]:
    """The Nu HTML Checker's errors for `files`, in one run: file:line: message."""
    import subprocess

    done = subprocess.run(
        ["java", "-jar", str(VNU), "--errors-only", "--format", "json", *map(str, files)],
        capture_output=True, text=True,
    )
    report = json.loads(done.stderr or done.stdout or '{"messages": []}')
    lines = []
    for message in report["messages"]:
        url = message.get("url", "")
        name = Path(urlsplit(url).path).relative_to(root).as_posix() if url.startswith("file:") else url
        lines.append(f"vnu {message['type']}: {name}:{message.get('lastLine', '?')}: "
                     f"{message['message']} [{message.get('extract', '').strip()[:120]}]")
    return lines


def site_pages(folder: Path, skip=()) -> list[str]:
    """Every HTML page of a built site, as paths relative to it (theme files and the folders in `skip` excluded)."""
    return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*.html")
                  if not p.relative_to(folder).parts[0].startswith("_") and p.relative_to(folder).parts[0] not in skip)


def _measure(folder: Path) -> None:
    """Print the landing page's weight and the axe violations of every page in every view."""
    from playwright.sync_api import sync_playwright

    with serve(folder) as base, sync_playwright() as p:
        browser = launch(p)
        tab = Tab(browser, LIGHT)
        visit = tab.open(base + "index.html", wait_until="networkidle")
        print(f"landing page: {len(visit.requests)} requests, {visit.transferred / 1e6:.2f} MB")
        for url in visit.requests:
            print("   ", url)
        tab.close()
        for view in VIEWS:
            tab = Tab(browser, view)
            total = 0
            for name in site_pages(folder):
                tab.open(base + name)
                lines = axe_problems(tab.page)
                total += len(lines)
                for line in lines:
                    print(f"{view.name} {name}: {line}")
            print(f"== {view.name}: {total} axe violations (failing elements)")
            tab.close()
        browser.close()


if __name__ == "__main__":
    _measure(Path(sys.argv[-1]))
