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

# What crosses pages: a paragraph, a list and a table (its header row repeated on
# each page), on small pages; then a section that starts a page of its own, which
# must stay a section of its own. Lines wrap at spaces, and a link wraps.
SPLIT_ROWS = 30
SPLIT_HTML = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Split sample</title>
<style>@page { size: A7; margin: 8mm; } body { font-size: 9pt; } section { break-before: page; }</style></head>
<body>
<section id="long"><h1>Long things</h1>
<p>""" + " ".join(f"Sentence number {n} of a paragraph that goes on." for n in range(1, 25)) + """
<a href="https://example.org/a/long/link">a link whose words wrap over a line</a> and more words.</p>
<ul>""" + "".join(f"<li>Item {n} of a list that crosses a page</li>" for n in range(1, 25)) + """</ul>
<table><thead><tr><th>Term</th><th>Meaning</th></tr></thead><tbody>""" + "".join(
    f"<tr><td>T{n}</td><td>Meaning of term {n}</td></tr>" for n in range(1, SPLIT_ROWS + 1)) + """</tbody></table>
</section>
<section id="next"><h1>Next section</h1><p>It starts a page.</p>
<table><tbody><tr><th scope="row">Row head</th><td>Its data</td></tr></tbody></table></section>
</body></html>
"""

# Hyphenation: long Spanish words in a narrow column, hyphenated by the page's lang
# (Pyphen's es dictionary); a second paragraph has a hyphen of its own (U+2010, the
# hyphen WeasyPrint adds too) where the line wraps.
HYPHENATED_TEXT = ("La administración aduanera internacional exige responsabilidades extraordinarias "
                   "de las subcomisiones intergubernamentales independientes.")
REAL_HYPHEN_TEXT = "Las sub\u2010sedes y sub\u2010secciones."
HYPHEN_HTML = """<!DOCTYPE html>
<html lang="es"><head><meta charset="utf-8"><title>Guiones</title>
<style>@page { size: A6; margin: 10mm; } p { width: 32mm; font-size: 10pt; hyphens: auto; }
p.real { width: 14mm; }</style></head>
<body><p>""" + HYPHENATED_TEXT + """</p><p class="real">""" + REAL_HYPHEN_TEXT + """</p></body></html>
"""


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
