"""The handbook's own pages: every rule passes on them, as `make lint` checks them.

The rules themselves are tested on small pages (test_content_checks.py,
test_chapter_rules.py, test_glossary_rules.py, test_readability.py) and on the
broken-page corpus; here they run once on docs/, like `make lint`, and the
home page's facts that no rule knows are checked on its doctree.
"""

from __future__ import annotations

import pickle
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from docutils import nodes
from sphinx import addnodes

from conftest import ROOT

DOCS = ROOT / "docs"


@pytest.fixture(scope="module")
def lint(tmp_path_factory) -> tuple[subprocess.CompletedProcess, Path]:
    """`make lint`'s build of docs/, into a temporary folder."""
    out = tmp_path_factory.mktemp("lint")
    done = subprocess.run(
        [sys.executable, "-m", "sphinx", "-b", "dummy", "--no-color", "-W", "--keep-going", "-n", "-q", "-c", ".",
         "-d", str(out / "doctrees"), "docs", str(out / "dummy")],
        cwd=ROOT, capture_output=True, text=True,
    )
    return done, out / "doctrees"


def doctree(doctrees: Path, docname: str) -> nodes.document:
    return pickle.loads((doctrees / f"{docname}.doctree").read_bytes())


def test_every_page_passes_every_rule(lint):
    done, _ = lint
    assert (done.returncode, done.stderr) == (0, "")


def test_every_pages_readability_is_reported(lint):
    _, doctrees = lint
    report = (doctrees / "readability.txt").read_text()
    pages = {line.split()[-1] for line in report.splitlines()[2:-1]}
    assert pages == {str(page.relative_to(ROOT)) for page in DOCS.rglob("*.md") if page.name != "README.md"}
    assert report.splitlines()[-1].startswith("median: ")


def test_the_home_page_keeps_its_four_parts_in_order(lint):
    _, doctrees = lint
    captions = [toctree["caption"] for toctree in doctree(doctrees, "index").findall(addnodes.toctree)]
    assert captions == ["About this handbook", "Immigration Enforcement", "Combating Transnational Crime", "Reference"]


def test_the_diagram_has_a_full_text_alternative_and_a_caption(lint):
    _, doctrees = lint
    (figure,) = [f for f in doctree(doctrees, "index").findall(nodes.figure)
                 if f.next_node(nodes.image)["uri"].endswith("mission-areas.svg")]
    assert len(figure.next_node(nodes.image)["alt"].split()) >= 10  # it tells the facts, not only "a diagram"
    assert figure.next_node(nodes.caption).astext().strip()


def test_diagram_svg_is_accessible_and_scalable():
    svg = DOCS / "images" / "mission-areas.svg"
    root = ET.parse(svg).getroot()
    ns = "{http://www.w3.org/2000/svg}"
    assert root.get("viewBox")
    assert root.get("width") is None and root.get("height") is None
    assert root.get("role") == "img"
    assert root.find(f"{ns}title") is not None and root.find(f"{ns}title").text
    assert root.find(f"{ns}desc") is not None and root.find(f"{ns}desc").text
    assert root.get("font-family") == "Atkinson Hyperlegible, sans-serif"
    # Every part named in the diagram is also named in the text of the index.
    index_text = (DOCS / "index.md").read_text(encoding="utf-8").lower()
    for label in ("287(g) program", "law enforcement support center", "criminal enterprises",
                  "cybercrime", "illicit proceeds", "joint terrorism task forces",
                  "counter-proliferation"):
        assert label in index_text, label
