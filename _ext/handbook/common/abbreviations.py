"""Spell out each marked abbreviation in the text itself, not only in a tooltip.

Pages mark the first use of an acronym with the abbr role:
``{abbr}`ERO (Enforcement and Removal Operations)` ``. Sphinx turns that into
``<abbr title="...">ERO</abbr>``, whose expansion only mouse users ever see (a
title is not shown on touch screens, in print, or by most e-readers). This
transform writes the expansion in front, in every format:
"Enforcement and Removal Operations (<abbr>ERO</abbr>)" (WCAG 3.1.4).
"""

from __future__ import annotations

from docutils import nodes
from docutils.transforms import Transform


def spell_out(abbreviation: nodes.abbreviation) -> list[nodes.Node]:
    """The nodes that replace one abbreviation: its expansion, then the short form in brackets."""
    explanation = abbreviation.get("explanation")
    if not explanation:
        return [abbreviation]
    return [nodes.Text(f"{explanation} ("), abbreviation, nodes.Text(")")]


class SpellOutAbbreviations(Transform):
    default_priority = 900  # after the roles have made their nodes

    def apply(self) -> None:
        for abbreviation in list(self.document.findall(nodes.abbreviation)):
            replacement = spell_out(abbreviation)
            if len(replacement) > 1:
                parent = abbreviation.parent
                index = parent.index(abbreviation)
                parent[index:index + 1] = replacement


def setup(app):
    app.add_transform(SpellOutAbbreviations)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
