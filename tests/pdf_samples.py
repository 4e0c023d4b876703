"""Small real PDFs for the PDF tests: rendered by WeasyPrint, like the handbook.

The sample has what the handbook's PDF has, in a few lines: running headers
and page numbers, headings, a figure, a table, a list of paragraphs, links
that wrap spans and a TOC-style link with a leader, and an external link.
"""

from __future__ import annotations

from pathlib import Path

import pikepdf

from handbook.pdf import box_sources, page_labels
from handbook.pdf import tagging as pdf_tagging

SAMPLE_HTML = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Sample handbook</title>
<style>
@page { size: A5; margin: 20mm 15mm;
  @top-left { content: string(chapter); } @bottom-center { content: counter(page); } }
h2 { string-set: chapter content(); }
.toc a::after { content: leader(". ") target-counter(attr(href url), page); }
</style></head>
<body>
<h1>Sample handbook</h1>
<p>An introduction with a <a href="#chapter-one"><span class="doc">link to chapter one</span></a>.</p>
<ul class="toc"><li><a href="#chapter-two">Chapter two</a></li></ul>
<section id="chapter-one"><h2>Chapter one</h2>
<p>Read the <a href="https://example.org/source">public source</a> for more.</p>
<figure><img alt="A red square." src="data:image/svg+xml,%3Csvg xmlns='http://www.w3.org/2000/svg' width='40' height='40'%3E%3Crect width='40' height='40' fill='red'/%3E%3C/svg%3E">
<figcaption>A figure.</figcaption></figure>
<ul><li><p>First item, in a paragraph.</p></li><li><p>Second item.</p></li></ul>
</section>
<section id="chapter-two"><h2>Chapter two</h2>
<h3>A section</h3>
<table><thead><tr><th>Term</th><th>Meaning</th></tr></thead>
<tbody><tr><td>ERO</td><td>Enforcement and Removal Operations</td></tr></tbody></table>
</section>
</body></html>
"""
LINK_TITLES = {"chapter-one": "Chapter one", "chapter-two": "Chapter two"}


def render_sample(path: Path, html: str = SAMPLE_HTML) -> Path:
    """WeasyPrint's own PDF/UA-1 output, before the builder's fixes, with what box_sources.py records."""
    from weasyprint import HTML

    with box_sources.recording():
        HTML(string=html, base_url=str(path.parent)).write_pdf(path, pdf_variant="pdf/ua-1")
    return path


def fixed_sample(raw: Path, path: Path) -> Path:
    """The sample after the builder's fixes: the good PDF the checker tests break."""
    with pikepdf.open(raw) as pdf:
        untitled = pdf_tagging.fix_tagging(pdf, LINK_TITLES)
        assert not untitled, untitled
        page_labels.write(pdf, body_start=0)
        pdf.save(path)
    return path
