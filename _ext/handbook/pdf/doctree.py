"""Turn the handbook's documents into one print document tree.

Pure functions on docutils trees, used by the ``pdf`` builder (builder.py)
and unit-tested without Sphinx (tests/test_print_doctree.py):

- each captioned toctree becomes a part: a section with a title, so the PDF
  has part title pages, a part level in its outline and running headers;
- ids are made unique across documents (every chapter has a "Related"
  section, and footnote ids repeat from page to page);
- internal links point at real section ids. Sphinx 8.2+ single-page HTML
  writes ``#document-<doc>#<anchor>`` (two ``#``, Sphinx issue 14221), which
  WeasyPrint drops, and ``#document-<doc>`` points at an empty marker span,
  which puts table-of-contents page numbers one page early;
- footnotes move to where they are cited, so WeasyPrint can set them at the
  foot of the page (``float: footnote``);
- an image with a large-print drawing beside it (``name-large-print.svg``
  next to ``name.svg``) is followed by that drawing, which only the
  large-print stylesheet shows.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Iterator

from docutils import nodes
from sphinx import addnodes

DOC_PREFIX = "#document-"


def mark_parts(tree: nodes.Node) -> None:
    """Record each toctree's caption on its wrapper, before the toctree is inlined.

    ``inline_all_toctrees`` replaces the toctree node by the documents it lists
    but keeps the wrapper, so the caption must travel on the wrapper.
    """
    for toctree in tree.findall(addnodes.toctree):
        wrapper = toctree.parent
        if toctree.get("caption") and isinstance(wrapper, nodes.compound):
            wrapper["part_caption"] = toctree["caption"]


def slugify(text: str) -> str:
    """A lower-case, dash-separated id from a title."""
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "part"


def parts_from_wrappers(
    tree: nodes.Node, numbered_label: Callable[[int, str], str]
) -> list[nodes.section]:
    """Replace each captioned toctree wrapper by a part section; return the parts.

    Wrappers with the class ``part`` are numbered parts (the two mission areas),
    titled by ``numbered_label(number, caption)``; the others (front and back
    matter) keep their plain caption. Parts follow the root document's own text
    as children of its title section, wherever its toctrees stood, so that
    every part is one heading level below the book's title.
    """
    root_section = next(iter(tree.findall(nodes.section)), None)
    parts = []
    number = 0
    for wrapper in list(tree.findall(nodes.compound)):
        caption = wrapper.get("part_caption")
        if not caption:
            continue
        is_numbered = "part" in wrapper["classes"]
        if is_numbered:
            number += 1
            title_text = numbered_label(number, caption)
        else:
            title_text = caption
        part = nodes.section(
            ids=[f"part-{slugify(caption)}"],
            classes=["part", "numbered-part" if is_numbered else "matter"],
        )
        part += nodes.title(title_text, title_text)
        part.extend(wrapper.children)
        wrapper.parent.remove(wrapper)
        parts.append(part)
    (root_section if root_section is not None else tree).extend(parts)
    return parts


def walk_with_doc(node: nodes.Node, docname: str) -> Iterator[tuple[nodes.Element, str]]:
    """Every element in document order, with the document it came from."""
    if isinstance(node, addnodes.start_of_file):
        docname = node["docname"]
    if isinstance(node, nodes.Element):
        yield node, docname
        for child in node.children:
            yield from walk_with_doc(child, docname)


def make_ids_unique(tree: nodes.Node, root_doc: str) -> dict[tuple[str, str], str]:
    """Rename ids that an earlier document already used; return (doc, old) -> new.

    References inside the same document (``refid``, footnote ``backrefs``)
    follow the renaming.
    """
    seen: set[str] = set()
    renamed: dict[tuple[str, str], str] = {}
    for element, doc in walk_with_doc(tree, root_doc):
        new_ids = []
        for old in element["ids"]:
            new = old
            if new in seen:
                stem = f"{slugify(doc)}-{old}"
                new, counter = stem, 1
                while new in seen:
                    counter += 1
                    new = f"{stem}-{counter}"
                renamed[(doc, old)] = new
            seen.add(new)
            new_ids.append(new)
        element["ids"] = new_ids
    for element, doc in walk_with_doc(tree, root_doc):
        if "refid" in element:
            element["refid"] = renamed.get((doc, element["refid"]), element["refid"])
        if element.get("backrefs"):
            element["backrefs"] = [renamed.get((doc, ref), ref) for ref in element["backrefs"]]
    return renamed


def first_section_ids(tree: nodes.Node, root_doc: str) -> dict[str, str]:
    """The id of each document's title section, for links to a whole document."""
    firsts: dict[str, str] = {}
    for element, doc in walk_with_doc(tree, root_doc):
        if isinstance(element, nodes.section) and element["ids"] and doc not in firsts:
            if "part" not in element["classes"]:
                firsts[doc] = element["ids"][0]
    return firsts


def rewrite_link(refuri: str, renamed: dict[tuple[str, str], str], firsts: dict[str, str]) -> str:
    """Map a single-page link (``#document-doc`` or ``#document-doc#anchor``) to a real id."""
    if not refuri.startswith(DOC_PREFIX):
        return refuri
    doc, _, anchor = refuri[len(DOC_PREFIX):].partition("#")
    if anchor:
        return "#" + renamed.get((doc, anchor), anchor)
    if doc in firsts:
        return "#" + firsts[doc]
    return refuri


def rewrite_links(tree: nodes.Node, renamed: dict[tuple[str, str], str], root_doc: str) -> list[str]:
    """Point every internal link at a real id; return the links left unresolved."""
    firsts = first_section_ids(tree, root_doc)
    unresolved = []
    for ref in tree.findall(nodes.reference):
        if "refuri" not in ref:
            continue
        ref["refuri"] = rewrite_link(ref["refuri"], renamed, firsts)
        if ref["refuri"].startswith(DOC_PREFIX):
            unresolved.append(ref["refuri"])
    return unresolved


def inline_footnotes(tree: nodes.Node) -> None:
    """Move each footnote's text to where it is cited, as an inline ``footnote``."""
    footnotes = {fid: fn for fn in tree.findall(nodes.footnote) for fid in fn["ids"]}
    for ref in list(tree.findall(nodes.footnote_reference)):
        footnote = footnotes.get(ref.get("refid", ""))
        if footnote is None:
            continue
        inline = nodes.inline(classes=["footnote"])
        for paragraph in footnote.findall(nodes.paragraph):
            inline.extend(child.deepcopy() for child in paragraph.children)
        ref.replace_self(inline)
    for footnote in set(footnotes.values()):
        footnote.parent.remove(footnote)


LARGE_PRINT_SUFFIX = "-large-print"


def large_print_variant(uri: str) -> str:
    """The source path of an image's large-print drawing: ``a/b.svg`` -> ``a/b-large-print.svg``."""
    stem, dot, extension = uri.rpartition(".")
    return f"{stem}{LARGE_PRINT_SUFFIX}{dot}{extension}" if dot else uri + LARGE_PRINT_SUFFIX


def add_large_print_variants(tree: nodes.Node, exists: Callable[[str], bool]) -> list[str]:
    """Put each image's large-print drawing, where ``exists``, after it; return their source paths.

    The image is marked ``standard-print-only`` and the drawing, with the same
    alternative text, ``large-print-only``: one print document serves both
    editions and each edition's stylesheet shows its own drawing.
    """
    added = []
    for image in list(tree.findall(nodes.image)):
        variant = large_print_variant(image["uri"])
        done = {"large-print-only", "standard-print-only"} & set(image["classes"])
        if done or not exists(variant):
            continue
        large = image.deepcopy()
        large["uri"], large["candidates"], large["ids"] = variant, {"*": variant}, []
        large["classes"] = [*large["classes"], "large-print-only"]
        image["classes"].append("standard-print-only")
        image.parent.insert(image.parent.index(image) + 1, large)
        added.append(variant)
    return added


def markers_as_classes(tree: nodes.Node, prefix: str) -> None:
    """Turn the ids that start with ``prefix`` into classes of the same names.

    The page-map markers (``pb-`` ids on every block, common/page_map.py) are
    no link targets in the print document. WeasyPrint makes every id an anchor,
    and an anchor costs: the element's style can no longer be shared, and every
    anchor is looked up on every page (WeasyPrint issue 578), so at 20 times the
    handbook's size they took a fifth of the rendering time. As classes, the
    markers still reach the layout, where the builder reads each page's first.
    """
    for node in tree.findall(nodes.Element):
        markers = [id_ for id_ in node["ids"] if id_.startswith(prefix)]
        if markers:
            node["ids"] = [id_ for id_ in node["ids"] if not id_.startswith(prefix)]
            node["classes"].extend(markers)


def heading_titles(tree: nodes.Node) -> dict[str, str]:
    """Readable names of link targets (section titles, glossary terms), by id."""
    titles: dict[str, str] = {}
    for section in tree.findall(nodes.section):
        if section.children and isinstance(section[0], nodes.title):
            for id_ in section["ids"]:
                titles[id_] = section[0].astext()
    for term in tree.findall(nodes.term):
        for id_ in term["ids"]:
            titles[id_] = term.astext()
    return titles


def print_toc_html(parts: list[nodes.section]) -> str:
    """The printed table of contents: parts and their chapters, as nested lists.

    Page numbers and dot leaders come from the print stylesheet
    (``target-counter`` and ``leader()``).
    """

    def item(section: nodes.section, css_class: str, inner: str = "") -> str:
        title = html.escape(section[0].astext())
        target = html.escape(section["ids"][0])
        return f'<li class="{css_class}"><a href="#{target}">{title}</a>{inner}</li>'

    out = ['<ol class="toc-parts">']
    for part in parts:
        chapters = [
            section
            for sof in part.findall(addnodes.start_of_file)
            if sof.parent is part
            for section in sof.children
            if isinstance(section, nodes.section)
        ]
        # A matter part named like its first chapter ("About this handbook")
        # starts on that chapter's page: one line in the contents is enough.
        if chapters and chapters[0][0].astext() == part[0].astext():
            chapters = chapters[1:]
        inner = "".join(item(chapter, "toc-chapter") for chapter in chapters)
        out.append(item(part, "toc-part", f'<ol class="toc-chapters">{inner}</ol>' if inner else ""))
    out.append("</ol>")
    return "".join(out)


def last_section(tree: nodes.Node) -> nodes.section | None:
    """The last section in reading order: the builder checks it reached the PDF."""
    sections = list(tree.findall(nodes.section))
    return sections[-1] if sections else None
