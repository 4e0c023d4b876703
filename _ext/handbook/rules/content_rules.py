"""The handbook's content rules: pure functions on one page's docutils tree.

Used by the ``content_checks`` extension and unit-tested without Sphinx
(tests/test_content_checks.py). Each problem is a :class:`Finding` with a
stable rule id, the source line and a message that says what is wrong and how
to fix it. The rules run on the parsed tree, so they hold for every format
(HTML, PDF, EPUB) built from it.

Raw HTML is not allowed anywhere in docs/ (rule ``raw-html``). Raw HTML
passes through the build untouched: it skips the accessibility checks that
every format gets (alt text, headings, link text, tables), it is not offered
to translators, and it can run code or pull content from elsewhere
(``<script>``, ``<iframe>``, ``on*`` attributes, ``javascript:`` links).
Everything the handbook needs has a MyST form that every format renders
accessibly, so there is nothing to allow. An HTML comment is raw HTML too,
and it is published in the page source: write a MyST comment (a line
starting with ``%``), which stays out of every output.

Acronyms (rule ``acronym-not-in-glossary``): a word with two or more
capital letters, such as HSI, PDF/UA or U.S., must be a term of the glossary
(docs/back/glossary.md), so every reader can look it up and translators see
one list of abbreviations. "U.S." gets no exception: it is an abbreviation
like any other, screen readers may read it as the word "us", and other
languages write it differently (EE. UU. in Spanish), so it needs an entry.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import PurePosixPath

from docutils import nodes
from sphinx import addnodes
from sphinx.locale import get_translation

from handbook.rules.catalogue import RULES

_ = get_translation("handbook")


@dataclass(frozen=True)
class Finding:
    rule: str  # the stable rule id, e.g. "image-alt-missing"
    line: int | None
    message: str  # what is wrong, then how to fix it
    source: str | None = None  # the file, when not the page's own (text an {include} brings in)

    def __post_init__(self) -> None:
        if self.rule not in RULES:  # every rule is listed, and has a broken page in tests/broken/
            raise ValueError(f"{self.rule!r} is not a rule of handbook.rules.catalogue")


# -- Where a node is in the source ---------------------------------------------


def self_and_ancestors(node: nodes.Node) -> Iterator[nodes.Node]:
    while node is not None:
        yield node
        node = node.parent


def block_of(node: nodes.Node) -> nodes.Element | None:
    """The paragraph-like block (paragraph, title, caption, term ...) a node is in."""
    return next((a for a in self_and_ancestors(node.parent)
                 if isinstance(a, nodes.TextElement) and not isinstance(a, nodes.Inline)), None)


def source_line(node: nodes.Node, offset: int = 0) -> int | None:
    """The source line of ``node`` (of character ``offset`` in a text node).

    MyST gives inline nodes the line where their paragraph starts (or 0), so
    the line is counted from the enclosing paragraph-like block: its first
    line plus the line breaks in its text before the node.
    """
    for ancestor in self_and_ancestors(node):
        is_block_of_text = isinstance(ancestor, nodes.TextElement) and not isinstance(ancestor, nodes.Inline)
        if is_block_of_text and ancestor.line:
            return ancestor.line + _line_breaks_before(ancestor, node, offset)
    # Not in a paragraph-like block (a block image, a table): the nearest line known.
    return next((a.line for a in self_and_ancestors(node) if a.line), None)


def source_of(node: nodes.Node) -> str | None:
    """The file a node was read from: the page's, or the one an {include} brought it from."""
    # MyST 5.2 gives a table from an included file that file as its source, but the table's
    # rows and cells the including page's (with the included file's lines): ask the table.
    table = next((a for a in self_and_ancestors(node) if isinstance(a, nodes.table)), node)
    source = next((a.source for a in self_and_ancestors(table) if getattr(a, "source", None)), None)
    # Sphinx parses a translation as a document of its own, "page.md:LINE:<translated>".
    return re.sub(r":\d+:<translated>$", "", source) if source else None


def located(node: nodes.Node, offset: int = 0) -> dict:
    """A finding's ``line`` and ``source`` for a node (for character ``offset`` in a text node)."""
    return {"line": source_line(node, offset), "source": source_of(node)}


def _line_breaks_before(block: nodes.Element, node: nodes.Node, offset: int) -> int:
    breaks = 0
    for descendant in block.findall():
        if descendant is node:
            return breaks + (str(node)[:offset].count("\n") if isinstance(node, nodes.Text) else 0)
        if isinstance(descendant, nodes.Text):
            breaks += descendant.count("\n")
    return breaks


# -- Images --------------------------------------------------------------------

IMAGE_FILE = re.compile(r"^[\w.-]+\.(?:png|jpe?g|gif|svg|webp|bmp|tiff?|avif)$", re.IGNORECASE)
POOR_ALT_STARTS = ("image of", "picture of", "photo of", "an image of", "a picture of", "a photo of")
# Words that name the kind of picture but say nothing of what it shows.
GENERIC_ALT = {"image", "picture", "photo", "graphic", "figure", "diagram", "chart", "icon", "img"}


def poor_alt_reason(alt: str, uri: str) -> str | None:
    """Why an alt text does not describe its image, or None if it may."""
    text = " ".join(alt.split())
    lowered = text.lower()
    if IMAGE_FILE.match(text) or text == PurePosixPath(uri).name or text == PurePosixPath(uri).stem:
        return _("the alt text is the file name %(alt)r") % {"alt": text}
    if lowered.startswith(POOR_ALT_STARTS):
        return _("the alt text starts with %(start)r, which screen readers already announce") % {
            "start": next(s for s in POOR_ALT_STARTS if lowered.startswith(s)),
        }
    if lowered.rstrip(".") in GENERIC_ALT:
        return _("the alt text %(alt)r names the kind of picture, not what it shows") % {"alt": text}
    return None


def check_images(tree: nodes.Node) -> Iterator[Finding]:
    for image in tree.findall(nodes.image):
        alt = image.get("alt", "")
        in_figure = isinstance(image.parent, nodes.figure)
        if not alt.strip():
            fix = (
                _("Add an :alt: option to the figure that says what the picture shows")
                if in_figure
                else _("Write what the picture shows between the brackets, ![like this](%(uri)s), "
                       "or add an :alt: option to the image directive") % {"uri": image["uri"]}
            )
            yield Finding("image-alt-missing", message=_("The image %(uri)s has no alt text. %(fix)s.")
                          % {"uri": image["uri"], "fix": fix}, **located(image))
        elif reason := poor_alt_reason(alt, image["uri"]):
            yield Finding("image-alt-poor", message=_(
                "The image %(uri)s has a poor alt text: %(reason)s. Describe what the picture "
                "shows and why it is there, e.g. \"Diagram. ICE has two mission areas...\".")
                % {"uri": image["uri"], "reason": reason}, **located(image))


# -- Headings ------------------------------------------------------------------


def check_headings(tree: nodes.Node) -> Iterator[Finding]:
    """One top-level heading per page. (MyST itself reports skipped levels,
    which the tree no longer shows; build_errors names them heading-skip.)"""
    top_sections = [child for child in tree.children if isinstance(child, nodes.section)]
    for extra in top_sections[1:]:
        title = extra.next_node(nodes.title)
        yield Finding("heading-multiple-h1", message=_(
            "The page has more than one top-level heading (#): %(title)r. A page has one "
            "title. Make this heading level 2 (##) or move it to a page of its own.")
            % {"title": title.astext()}, **located(title))


def page_title(tree: nodes.Node) -> tuple[str, dict] | None:
    """The page's title (its first heading) and where it is."""
    section = next((child for child in tree.children if isinstance(child, nodes.section)), None)
    if section is None or not isinstance(section[0], nodes.title):
        return None
    return section[0].astext(), located(section[0])


def duplicate_titles(titles: Mapping[str, tuple[str, dict]], paths: Mapping[str, str]) -> Iterator[tuple[str, Finding]]:
    """(docname, finding) for each page whose title an earlier page (by name) already has."""
    first: dict[str, str] = {}
    for docname in sorted(titles):
        title, where = titles[docname]
        if title in first:
            yield docname, Finding("title-duplicate", message=_(
                "The title %(title)r is also the title of %(other)s, so the contents, search results and "
                "bookmarks cannot tell the pages apart. Give each page a title of its own.")
                % {"title": title, "other": paths[first[title]]}, **where)
        else:
            first[title] = docname


# -- Links ---------------------------------------------------------------------

VAGUE_LINK_TEXTS = {
    "click here", "here", "link", "this link", "read more", "more", "learn more",
    "this page", "this", "click", "go", "details", "more info", "more information",
}
BARE_URL = re.compile(r"^(?:https?://|www\.)\S+$", re.IGNORECASE)


def vague_link_text_reason(text: str) -> str | None:
    """Why a link text does not say where the link goes, or None if it does."""
    words = " ".join(text.split())
    if BARE_URL.match(words):
        return _("the link text is a bare address, which screen readers spell out character by character")
    if words.strip(" .,:;!?\"'()").lower() in VAGUE_LINK_TEXTS:
        return _("the link text %(text)r does not say where the link goes") % {"text": words}
    return None


def check_links(tree: nodes.Node) -> Iterator[Finding]:
    for link in tree.findall(lambda n: isinstance(n, (nodes.reference, addnodes.pending_xref))):
        text = link.astext()
        if isinstance(link, nodes.reference) and link.get("refuri") and not text.strip():
            yield Finding("link-text-empty", message=_(
                "The link to %(uri)s has no text, so readers cannot tell where it goes. Write what they "
                "will find there between the brackets: [the agency's 2024 annual report](%(uri)s).")
                % {"uri": link["refuri"]}, **located(link))
        elif reason := vague_link_text_reason(text):
            yield Finding("link-text-vague", message=_(
                "Vague link text: %(reason)s. Use words that name the destination, "
                "e.g. [the 287(g) program](287g-program.md) instead of [here](...).")
                % {"reason": reason}, **located(link))


# Links the parser refused to make. markdown-it (under MyST) leaves a link as the text
# it was written as when its target is forbidden (validateLink: javascript:, vbscript:,
# file:, data: other than images) or cannot be parsed (a space, an unbalanced
# bracket), and a reference link as text when its label is not defined. Readers then
# see the raw Markdown, so what is left in the text is the trace to look for.
LEFTOVER_LINK = re.compile(
    r"(?P<inline>!?\[[^\[\]\n]*\]\((?P<target>[^\n]*?)\))(?=[\s.,;:!?\"'”’]|$)"  # [text](target)
    r"|(?P<reference>!?\[[^\[\]\n]+\]\[[^\[\]\n]*\])"  # [text][label]
    r"|(?P<autolink><(?P<address>[A-Za-z][A-Za-z0-9+.-]{1,31}:[^<>\s]*)>)"  # <scheme:address>
)
FORBIDDEN_SCHEME = re.compile(r"^\s*<?\s*(javascript|vbscript|file|data):", re.IGNORECASE)
BARE_ADDRESS = re.compile(r"(?<![\w/.@-])(?:https?://|www\.)[^\s<>]*[^\s<>.,;:!?\"'”’)\]]", re.IGNORECASE)


def refused_link_reason(match: re.Match) -> str:
    """Why markdown-it left this link as text: a translated clause, then how to fix it."""
    target = match["target"] if match["inline"] else match["address"] or ""
    scheme = FORBIDDEN_SCHEME.match(target)
    if scheme:
        return (_("%(scheme)s: links are not allowed, because they can run code or open local files. "
                  "Link to a web page (https://...) or to a page of the handbook (its path, ending in .md)")
                % {"scheme": scheme.group(1).lower()})
    if match["reference"]:
        return _("no line defines its label. Add one on a line of its own, like [label]: https://..., "
                 "or write the address in round brackets: [text](https://...)")
    if re.search(r"\s", target.strip()):
        return _("its target has a space. Write the address without spaces, or put it in angle "
                 "brackets: [text](<my page.md>)")
    return _("its target cannot be read (an unbalanced bracket?). Check the brackets, or put the target "
             "in angle brackets: [text](<target>)")


def _prose_text_of(block: nodes.Element) -> tuple[str, list[tuple[int, nodes.Text]]]:
    """A block's text with code and link text blanked out (lines kept), and where each node starts."""
    parts, starts, offset = [], [], 0
    for text in block.findall(nodes.Text):
        value = str(text)
        in_link = any(isinstance(a, (nodes.reference, addnodes.pending_xref)) for a in self_and_ancestors(text))
        parts.append(value if _is_prose(text) and not in_link else re.sub(r"[^\n]", "\0", value))
        starts.append((offset, text))
        offset += len(value)
    return "".join(parts), starts


def _located_at(starts: list[tuple[int, nodes.Text]], offset: int) -> dict:
    start, text = next((s, t) for s, t in reversed(starts) if s <= offset)
    return located(text, offset - start)


def check_text_links(tree: nodes.Node) -> Iterator[Finding]:
    """Links left as raw Markdown, and web addresses written as plain text."""
    blocks = (b for b in tree.findall(nodes.TextElement) if not isinstance(b, nodes.Inline))
    for block in blocks:
        text, starts = _prose_text_of(block)
        refused = list(LEFTOVER_LINK.finditer(text))
        for match in refused:
            yield Finding("link-refused", message=_(
                "The link %(link)s was not made, so readers see it as written: %(reason)s.")
                % {"link": match.group(0), "reason": refused_link_reason(match)},
                **_located_at(starts, match.start()))
        for match in BARE_ADDRESS.finditer(text):
            if not any(r.start() <= match.start() < r.end() for r in refused):
                yield Finding("url-bare", message=_(
                    "The web address %(url)s is plain text. Make it a link with words that name the page: "
                    "[the agency's annual report](%(url)s).") % {"url": match.group(0)},
                    **_located_at(starts, match.start()))


# -- Raw HTML ------------------------------------------------------------------

# What in raw HTML can run code or pull content from elsewhere, and how to name it.
UNSAFE_HTML = [
    (re.compile(r"<\s*(script|iframe|object|embed|style|link|frame|base)\b", re.IGNORECASE), "<{0}>"),
    (re.compile(r"\s(on[a-z]+)\s*=", re.IGNORECASE), "an {0} attribute"),
    (re.compile(r"javascript\s*:", re.IGNORECASE), "a javascript: link"),
]
HTML_COMMENT_ONLY = re.compile(r"^\s*(?:<!--.*?-->\s*)+$", re.DOTALL)


def unsafe_html_features(html: str) -> list[str]:
    """The parts of an HTML snippet that run code or load content, by name."""
    found = []
    for pattern, label in UNSAFE_HTML:
        for match in pattern.finditer(html):
            name = label.format(match.group(1).lower() if pattern.groups else "")
            if name not in found:
                found.append(name)
    return found


def check_raw(tree: nodes.Node) -> Iterator[Finding]:
    """One finding per line of raw markup (an inline <span ...>...</span> is two raw nodes)."""
    by_line: dict[tuple, list[nodes.raw]] = {}
    for raw in tree.findall(nodes.raw):
        by_line.setdefault((source_line(raw), source_of(raw)), []).append(raw)
    for (line, source), raws in by_line.items():
        content = "".join(raw.astext() for raw in raws)
        if HTML_COMMENT_ONLY.match(content):
            yield Finding("raw-html", line, _("An HTML comment is published in the page source. Write a "
                                              "MyST comment instead: a line that starts with %."), source)
            continue
        unsafe = unsafe_html_features(content)
        danger = (_(" It also runs code or loads content from elsewhere: %(what)s.")
                  % {"what": ", ".join(unsafe)}) if unsafe else ""
        markup = "HTML" if raws[0].get("format", "html") == "html" else raws[0]["format"]
        yield Finding("raw-html", line,
                      _("Raw %(markup)s is not allowed: it bypasses the accessibility checks of every "
                        "format and cannot be translated.%(danger)s Write it in MyST Markdown (a figure, "
                        "a table, an admonition) instead.") % {"markup": markup, "danger": danger}, source)


# -- Tables --------------------------------------------------------------------


def check_tables(tree: nodes.Node) -> Iterator[Finding]:
    for table in tree.findall(nodes.table):
        head = table.next_node(nodes.thead)
        if head is None or not head.astext().strip():
            # A list-table's node sits at its last line: point at its first row instead.
            first_row = min((n.line for n in table.findall(nodes.Element) if n.line), default=None)
            yield Finding("table-no-header", first_row,
                          _("The table has no header row, so screen readers cannot say what each "
                            "column holds. Give it one: the first row of a Markdown table, or "
                            ":header-rows: 1 on a list-table."), source_of(table))


# -- Acronyms (cross-page: the glossary is a page of its own) -----------------

ACRONYM_CANDIDATE = re.compile(
    r"(?<![\w.&/-])"  # the start of a word
    r"((?:[A-Z]\.){2,}"  # dotted, e.g. U.S.
    r"|[A-Z][A-Za-z0-9&]*(?:/[A-Z][A-Za-z0-9]*)*)"  # HSI, AT&T, PDF/UA
)
# Where words are not prose: code, markup, and the terms the glossary defines.
NOT_PROSE = (nodes.literal, nodes.literal_block, nodes.raw, nodes.comment, nodes.math,
             nodes.math_block, nodes.system_message, nodes.target, nodes.substitution_definition)


def find_acronyms(text: str) -> Iterator[tuple[str, int]]:
    """Each acronym in a text, with its offset: two or more capitals, a plural "s" dropped."""
    for match in ACRONYM_CANDIDATE.finditer(text):
        word = match.group(1)
        if word.endswith("s") and word[:-1].isupper():
            word = word[:-1]  # TCOs is the plural of TCO
        if sum(c.isupper() for c in word) >= 2 and not any(c.islower() for c in word):
            yield word, match.start()


def in_glossary_term(node: nodes.Node) -> bool:
    """Whether a node is (in) a term that a glossary defines, not its definition."""
    ancestors = list(self_and_ancestors(node))
    term = next((i for i, a in enumerate(ancestors) if isinstance(a, nodes.term)), None)
    return term is not None and any(isinstance(a, addnodes.glossary) for a in ancestors[term:])


def _is_prose(text: nodes.Text) -> bool:
    in_term = False
    for ancestor in self_and_ancestors(text.parent):
        if isinstance(ancestor, NOT_PROSE):
            return False
        if isinstance(ancestor, addnodes.pending_xref) and ancestor.get("reftype") == "term":
            return False  # Sphinx itself reports a {term} that is not in the glossary
        in_term = in_term or isinstance(ancestor, nodes.term)
        if in_term and isinstance(ancestor, addnodes.glossary):
            return False  # a term the glossary defines
    return True


def acronym_uses(tree: nodes.Node) -> dict[str, dict]:
    """Each acronym of a page's prose, with where it is first used."""
    first_use: dict[str, dict] = {}
    for text in tree.findall(nodes.Text):
        if not _is_prose(text):
            continue
        for word, offset in find_acronyms(str(text)):
            first_use.setdefault(word, located(text, offset))
    return first_use


def glossary_terms(tree: nodes.Node) -> set[str]:
    return {term.astext() for glossary in tree.findall(addnodes.glossary) for term in glossary.findall(nodes.term)}


def acronyms_not_in_glossary(
    uses_by_doc: Mapping[str, Mapping[str, dict]], terms: set[str], glossary_docs: list[str],
) -> Iterator[tuple[str, Finding]]:
    """(docname, finding) for each page's first use of each acronym the glossary lacks."""
    glossary = ", ".join(glossary_docs) or _("the glossary (there is none yet)")
    for docname in sorted(uses_by_doc):
        for word, where in uses_by_doc[docname].items():
            if word not in terms:
                yield docname, Finding("acronym-not-in-glossary", message=_(
                    "The acronym %(word)s is not in the glossary. Add an entry for it to %(where)s "
                    "(the term %(word)s, then its full name), or write the words out.")
                    % {"word": word, "where": glossary}, **where)


def check_page(tree: nodes.Node) -> list[Finding]:
    """Every per-page finding, in the order of the page."""
    findings = [*check_images(tree), *check_headings(tree), *check_links(tree), *check_text_links(tree),
                *check_raw(tree), *check_tables(tree)]
    return sorted(findings, key=lambda f: f.line or 0)
