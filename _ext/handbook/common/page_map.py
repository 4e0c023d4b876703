"""The print PDF's page numbers, carried into the EPUB, so readers of both can cite one page.

Every block of every page (paragraph, heading, term, figure, table) gets a
stable id when the page is read, the same in every format: ``pb-<page>-<n>``.
The ``pdf`` builder records, for each page of the standard PDF, the first
block that starts on it (``page_starts``) and writes that map beside the PDF.
The ``epub`` builder then puts a page-break marker before each of those blocks
and lists the pages in its navigation (EPUB page list, with pageBreakSource).
A PDF page that only continues a block started on the page before has no
marker: readers find it with the page before it.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from pathlib import Path

from docutils import nodes
from sphinx import addnodes

PREFIX = "pb-"
BLOCKS = (nodes.paragraph, nodes.title, nodes.term, nodes.figure, nodes.table)


def block_id(docname: str, index: int) -> str:
    return f"{PREFIX}{docname.replace('/', '-')}-{index}"


def mark_blocks(tree: nodes.Node, docname: str) -> None:
    """Give every block of one page its stable id, in reading order."""
    blocks = (
        node for node in tree.findall(lambda n: isinstance(n, BLOCKS))
        if not isinstance(node, addnodes.compact_paragraph)
    )
    for index, node in enumerate(blocks):
        node["ids"].append(block_id(docname, index))


def page_starts(pages: Iterable[Iterable[str]], labels: Sequence[str]) -> list[tuple[str, str]]:
    """(page label, first block id) for each page on which a block starts.

    ``pages`` gives, page by page, the ids laid out on it in layout order;
    ``labels`` the number printed on each page (and in the PDF's /PageLabels):
    the front matter has roman numerals and the body starts again at 1.
    """
    seen: set[str] = set()
    starts = []
    for label, anchors in zip(labels, pages, strict=True):
        first = next((a for a in anchors if a.startswith(PREFIX) and a not in seen), None)
        seen.update(a for a in anchors if a.startswith(PREFIX))
        if first is not None:
            starts.append((label, first))
    return starts


def write_page_map(starts: list[tuple[str, str]], target: Path, source: str) -> None:
    target.write_text(
        json.dumps({"source": source, "pages": [{"page": p, "id": i} for p, i in starts]}, indent=1),
        encoding="utf-8",
    )


def read_page_map(path: Path) -> tuple[str, dict[str, str]]:
    """The PDF edition the pages come from, and each block id's page number."""
    data = json.loads(path.read_text(encoding="utf-8"))
    return data["source"], {entry["id"]: entry["page"] for entry in data["pages"]}


def page_list(block_pages: dict[str, str], docnames: Iterable[str], suffix: str) -> list[tuple[str, str]]:
    """(page number, page-break href) for every marked page, in page order.

    Worked out from the block ids (``pb-<docname>-<n>``) rather than collected while
    pages are written: under ``-j`` the pages are written in other processes.
    """
    targets = set()
    for docname in docnames:
        prefix = block_id(docname, 0)[:-1]
        for block, page in block_pages.items():
            if block.startswith(prefix) and block[len(prefix):].isdigit():
                targets.add((int(page), f"{docname}{suffix}#page-{page}"))
    return [(str(number), href) for number, href in sorted(targets)]


def _on_doctree_read(app, doctree) -> None:
    mark_blocks(doctree, app.env.docname)


def setup(app):
    app.connect("doctree-read", _on_doctree_read)
    # The page map written by `make pdf`; the EPUB build reads it (see the Makefile).
    app.add_config_value("handbook_page_map", "", "", types=frozenset({str}))
    return {"parallel_read_safe": True, "parallel_write_safe": True}
