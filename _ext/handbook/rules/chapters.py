"""The shape of a chapter: an In brief box first, a Related section last.

The chapters are the pages listed in the parts' tables of contents (the toctrees
with ``:class: part`` in docs/index.md). Each opens, right after its title,
with an In brief box of two to four sentences, and ends with a Related section:
a list of links to related chapters, each one link with words that name the page.
Across the book, at least ``MIN_LINKS_ACROSS_PARTS`` chapters of each part link
to another part, so a reader of one mission area finds the other.

Every edition is checked the same way, whatever its language: the In brief box
is found by its class (``in-brief``), and the Related section by its title as
the handbook's catalogue translates it ("Related" is the message id, so a page
whose translation is not finished still passes). Nothing here depends on
English words.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from posixpath import normpath

from docutils import nodes
from sphinx import addnodes
from sphinx.locale import get_translation

from handbook.rules.content_rules import Finding, located
from handbook.rules.readability import prose_blocks, sentence_count

_ = get_translation("handbook")

IN_BRIEF_CLASS = "in-brief"
IN_BRIEF_SENTENCES = (2, 4)
PART_CLASS = "part"
MIN_LINK_WORDS = 3
MIN_LINKS_ACROSS_PARTS = 3


def in_brief_titles() -> set[str]:
    return {"In brief", str(_("In brief"))}


def related_titles() -> set[str]:
    return {"Related", str(_("Related"))}


def _title(section: nodes.Element) -> str:
    return section[0].astext().strip() if section.children and isinstance(section[0], nodes.title) else ""


def is_related_section(section: nodes.section) -> bool:
    return _title(section) in related_titles()


def _top_section(tree: nodes.Node) -> nodes.section | None:
    return next((child for child in tree.children if isinstance(child, nodes.section)), None)


# -- The parts and their chapters ---------------------------------------------------


@dataclass(frozen=True)
class Part:
    caption: str
    chapters: tuple[str, ...]  # docnames
    where: dict  # the line and file of its table of contents


def parts(tree: nodes.Node) -> list[Part]:
    """The parts a page's tables of contents define (docs/index.md has two)."""
    found = []
    for toctree in tree.findall(addnodes.toctree):
        wrapper = toctree.parent
        if PART_CLASS in wrapper.get("classes", []) or PART_CLASS in toctree.get("classes", []):
            found.append(Part(toctree.get("caption") or "", tuple(doc for _, doc in toctree["entries"]),
                              located(wrapper)))
    return found


# -- One page -------------------------------------------------------------------------


def _is_in_brief(node: nodes.Node) -> bool:
    return isinstance(node, nodes.admonition) and IN_BRIEF_CLASS in node.get("classes", [])


def check_in_brief(tree: nodes.Node) -> Iterator[Finding]:
    top = _top_section(tree)
    if top is None:
        return
    first = next((child for child in top.children[1:] if not isinstance(child, (nodes.target, nodes.comment))), None)
    if first is not None and _is_in_brief(first):
        count = sentence_count(" ".join(block.text for block in prose_blocks(first)))
        low, high = IN_BRIEF_SENTENCES
        if not low <= count <= high:
            yield Finding("in-brief-length", message=(
                _("The In brief box is too short to sum the chapter up. Write %(low)d to %(high)d short "
                  "sentences.") if count < low else
                _("The In brief box is too long to read at a glance. Keep %(low)d to %(high)d short "
                  "sentences.")) % {"low": low, "high": high}, **located(first))
        return
    elsewhere = next(top.findall(_is_in_brief), None)
    untagged = next((n for n in top.findall(nodes.admonition) if _title(n) in in_brief_titles()), None)
    if elsewhere is not None:
        yield Finding("in-brief-missing", message=_(
            "The In brief box must come right after the chapter's title. Move it up, before the first "
            "paragraph."), **located(elsewhere))
    elif untagged is not None:
        yield Finding("in-brief-missing", message=_(
            "The In brief box has no class, so it is not shown or checked as one. Add the line "
            ":class: in-brief right after its first line."), **located(untagged))
    else:
        yield Finding("in-brief-missing", message=_(
            "The chapter has no In brief box. After the title, add one: a :::{admonition} with the "
            "title %(title)r, the line :class: in-brief, and two to four sentences.")
            % {"title": str(_("In brief"))}, **located(top[0]))


def _page_link(item: nodes.list_item) -> addnodes.pending_xref | None:
    """The one link to a page that an item of the Related list must be."""
    if len(item.children) != 1 or not isinstance(item[0], nodes.paragraph):
        return None
    parts_ = [child for child in item[0].children if not (isinstance(child, nodes.Text) and not child.strip())]
    if len(parts_) != 1 or not isinstance(parts_[0], addnodes.pending_xref):
        return None
    return parts_[0] if _is_page_link(parts_[0]) else None


def _is_page_link(node: nodes.Node) -> bool:
    """{doc}`text <page>`, or [text](page.md), which MyST makes a "myst" link in the "doc" domain."""
    return isinstance(node, addnodes.pending_xref) and (
        node.get("reftype") == "doc" or (node.get("reftype") == "myst" and node.get("refdomain") == "doc"))


def check_related(tree: nodes.Node) -> Iterator[Finding]:
    top = _top_section(tree)
    if top is None:
        return
    sections = [child for child in top.children if isinstance(child, nodes.section)]
    if not sections or not is_related_section(sections[-1]):
        related = next((s for s in sections if is_related_section(s)), None)
        yield Finding("related-missing", message=(
            _("The Related section must be the chapter's last section. Move it to the end.")
            if related is not None else
            _("The chapter does not end with a Related section. Add a last section, ## %(title)s, with a "
              "list of links to related chapters.") % {"title": str(_("Related"))}),
            **located(related[0] if related is not None else top[0]))
        return
    related = sections[-1]
    body = related.children[1:]
    lists = [child for child in body if isinstance(child, nodes.bullet_list)]
    if len(lists) != 1 or len(body) != 1:
        yield Finding("related-item", message=_(
            "The Related section must hold one list of links and nothing else. Write each link as a list "
            "item: - {doc}`Words that name the chapter <path/to/page>`."), **located(related[0]))
        return
    for item in lists[0].children:
        link = _page_link(item)
        if link is None:
            yield Finding("related-item", message=_(
                "Each item of the Related list must be one link to a page, with nothing else. Write it as "
                "- {doc}`Words that name the chapter <path/to/page>`."), **located(item))
        elif len(link.astext().split()) < MIN_LINK_WORDS or not link.get("refexplicit", True):
            yield Finding("related-item", message=_(
                "The link text %(text)r does not say enough about the chapter it leads to. Use at least "
                "%(words)d words that name it: {doc}`Words that name the chapter <path/to/page>`.")
                % {"text": link.astext(), "words": MIN_LINK_WORDS}, **located(item))


def related_targets(tree: nodes.Node, docname: str) -> list[str]:
    """The pages the page's Related section links to, as docnames."""
    top = _top_section(tree)
    sections = [child for child in top.children if isinstance(child, nodes.section)] if top is not None else []
    if not sections or not is_related_section(sections[-1]):
        return []
    targets = []
    for link in sections[-1].findall(_is_page_link):
        target = link["reftarget"]
        if link["reftype"] == "doc" and not target.startswith("/"):  # relative to the page; MyST's are not
            target = f"{docname.rpartition('/')[0]}/{target}"
        targets.append(normpath(f"/{target}").lstrip("/"))
    return targets


def check_chapter(tree: nodes.Node) -> list[Finding]:
    """The findings a page would have if it is a chapter (that is known once every page is read)."""
    return [*check_in_brief(tree), *check_related(tree)]


# -- The book --------------------------------------------------------------------------


def chapters(parts_by_doc: Mapping[str, list[Part]]) -> set[str]:
    return {chapter for page_parts in parts_by_doc.values() for part in page_parts for chapter in part.chapters}


def too_few_links_across_parts(parts_by_doc: Mapping[str, list[Part]],
                               related: Mapping[str, list[str]]) -> Iterator[tuple[str, Finding]]:
    """(docname of the contents, finding) for each part whose chapters hardly lead to another part."""
    all_parts = [(docname, part) for docname, page_parts in sorted(parts_by_doc.items()) for part in page_parts]
    for docname, part in all_parts:
        others = {c for _, other in all_parts if other is not part for c in other.chapters}
        if not others:
            continue
        linking = [c for c in part.chapters if others & set(related.get(c, []))]
        wanted = min(MIN_LINKS_ACROSS_PARTS, len(part.chapters))
        if len(linking) < wanted:
            yield docname, Finding(
                "related-across-parts", message=_(
                    "Of the chapters of the part %(part)r, %(count)d link to another part in their Related "
                    "section; at least %(wanted)d should, so readers of one part find the other. Add a link to a "
                    "chapter of the other part to the Related sections of more chapters.")
                % {"count": len(linking), "part": part.caption, "wanted": wanted}, **part.where)
