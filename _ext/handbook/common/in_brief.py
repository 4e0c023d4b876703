"""Each page's "In brief" summary is a named region, in every format.

Pages open with ``:::{admonition} In brief`` and ``:class: in-brief``. Sphinx
writes an admonition as a plain ``<div>`` whose title is a paragraph, so a
screen reader could neither find the summary nor skip it as a unit. This
transform turns the admonition into an ``in_brief`` node, and the HTML writer
(the web site, the EPUB and the PDF, which WeasyPrint renders from HTML) writes
it as ``<section aria-labelledby="...">`` labelled by its own title:

- a named ``section`` is a region landmark (HTML-AAM), which screen readers list
  and jump to; a ``note`` role is not navigable, and a named ``aside`` inside
  ``<main>`` is a complementary landmark nested in another (axe
  landmark-complementary-is-top-level);
- the label is the visible title, so it is translated with the page and needs
  no heading, which would add a level to the outline, the PDF bookmarks and the
  EPUB's contents;
- WeasyPrint tags ``<section>`` as ``/Sect`` (a ``<div>`` is only ``/Div``);
- the EPUB gets the same region and no ``epub:type="abstract"``: reading systems
  do not pass epub:type on to assistive technology, and DAISY Ace asks for the
  matching role with it (epub-type-has-matching-role), ``doc-abstract``, which
  would replace the region landmark by a role screen readers cannot jump to.

Other writers (text, LaTeX) write the node as the admonition it was.
"""

from __future__ import annotations

from docutils import nodes
from docutils.transforms import Transform

IN_BRIEF_CLASS = "in-brief"


class in_brief(nodes.admonition):  # noqa: N801  (docutils names node classes in lower case)
    """An "In brief" summary: an admonition whose title names it."""


def summaries(document: nodes.document) -> list[nodes.admonition]:
    """The document's generic admonitions marked ``in-brief`` that have a title."""
    return [node for node in document.findall(nodes.admonition)
            if type(node) is nodes.admonition and IN_BRIEF_CLASS in node["classes"]
            and isinstance(node.children[0] if node.children else None, nodes.title)]


def unused_id(document: nodes.document, base: str) -> str:
    """``base``, or ``base-2``, ``base-3``... whichever the document does not use yet."""
    candidate, number = base, 1
    while candidate in document.ids:
        number += 1
        candidate = f"{base}-{number}"
    return candidate


def mark_summary(document: nodes.document, admonition: nodes.admonition) -> in_brief:
    """Replace one admonition by an ``in_brief`` node; its title gets an id to label it."""
    summary = in_brief(admonition.rawsource, *admonition.children, **admonition.attributes)
    summary.source, summary.line = admonition.source, admonition.line  # problems found in it keep their line
    title = summary.children[0]
    if not title["ids"]:
        title_id = unused_id(document, f"{IN_BRIEF_CLASS}-title")
        title["ids"].append(title_id)
        document.ids[title_id] = title
    admonition.replace_self(summary)
    return summary


class MarkInBrief(Transform):
    # After Sphinx's translation of the page (priority 20), so the title is the
    # translated one; the label is read from the title when the page is written.
    default_priority = 800

    def apply(self) -> None:
        for admonition in summaries(self.document):
            mark_summary(self.document, admonition)


def label_id(node: in_brief) -> str:
    """The id of the summary's title, which labels it (ids may change after the transform:
    the PDF builder makes them unique across pages)."""
    return node.children[0]["ids"][0]


def visit_in_brief_html(self, node: in_brief) -> None:
    # starttag() adds "admonition" to the node's own classes ("in-brief").
    self.body.append(self.starttag(node, "section", CLASS="admonition",
                                   **{"aria-labelledby": label_id(node)}))


def depart_in_brief_html(self, node: in_brief) -> None:
    self.body.append("</section>\n")


def setup(app):
    app.add_node(in_brief, html=(visit_in_brief_html, depart_in_brief_html))
    app.add_transform(MarkInBrief)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
