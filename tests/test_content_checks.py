"""The build-time content checks (_ext/handbook/rules/content_rules.py, content_checks.py) and
the readable build errors (_ext/handbook/rules/build_errors.py).

Two layers:
- the pure rules, on doctrees parsed by MyST without Sphinx;
- the corpus tests/broken/docs/: one page per problem, built with the real
  conf.py into a temporary folder. Every problem must come out as exactly one
  line ``docs/page.md:LINE: [rule-id] what is wrong. How to fix it.`` at the
  right file and line, nothing else may come out, and a clean page passes.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from docutils.core import publish_doctree
from myst_parser.parsers.docutils_ import Parser

from handbook.rules.build_errors import first_undecodable, known_warning, rule_line
from handbook.rules.content_rules import (
    acronym_uses, acronyms_not_in_glossary, check_page, find_acronyms, poor_alt_reason,
    unsafe_html_features, vague_link_text_reason,
)

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "tests" / "broken" / "docs"
LINE = re.compile(r"^(?P<path>docs/\S+?):(?P<line>\d+): \[(?P<rule>[\w.-]+)\] (?P<message>.+)$")


def parse(markdown: str):
    # doctitle_xform off, as in Sphinx: every heading stays a section.
    return publish_doctree(markdown, parser=Parser(),
                           settings_overrides={"doctitle_xform": False, "report_level": 5})


def rules_and_lines(markdown: str) -> list[tuple[str, int]]:
    return [(finding.rule, finding.line) for finding in check_page(parse(markdown))]


# -- The pure rules ---------------------------------------------------------------


@pytest.mark.parametrize(("text", "expected"), [
    ("HSI looks into crime.", ["HSI"]),
    ("The FBI and ICE's officers.", ["FBI", "ICE"]),
    ("Partners in the U.S. and abroad.", ["U.S."]),
    ("A PDF/UA-1 file.", ["PDF/UA"]),
    ("Two TCOs met.", ["TCO"]),
    ("COVID-19 and AT&T.", ["COVID", "AT&T"]),
    ("A Plain Title Case Sentence, I think.", []),
    ("An iPhone and McDonald and PhD.", []),
])
def test_find_acronyms(text, expected):
    assert [word for word, _ in find_acronyms(text)] == expected


def test_acronyms_skip_code_and_count_lines_inside_a_paragraph():
    tree = parse("# Title\n\nFirst line\nsecond line with HSI and `XYZ`\nthird FBI.\n\n```\nQRS\n```\n")
    assert acronym_uses(tree) == {"HSI": 4, "FBI": 5}


def test_acronyms_not_in_glossary_reports_the_first_use_per_page():
    uses = {"b": {"XYZ": 7, "HSI": 3}, "a": {"XYZ": 2}}
    found = [(doc, f.rule, f.line) for doc, f in acronyms_not_in_glossary(uses, {"HSI"}, ["docs/glossary.md"])]
    assert found == [("a", "acronym-not-in-glossary", 2), ("b", "acronym-not-in-glossary", 7)]


@pytest.mark.parametrize(("alt", "poor"), [
    ("map.svg", True), ("map", True), ("IMG_0042.JPG", True), ("Image of a map", True),
    ("picture of the border", True), ("Diagram.", True),
    ("Diagram. ICE has two mission areas.", False), ("A map of the southern border.", False),
])
def test_poor_alt_text(alt, poor):
    assert (poor_alt_reason(alt, "images/map.svg") is not None) is poor


@pytest.mark.parametrize(("text", "vague"), [
    ("here", True), ("Click here", True), ("read more.", True), ("This page", True), ("more", True),
    ("https://www.ice.gov/about", True), ("www.ice.gov", True),
    ("the 287(g) program", False), ("ICE's page about its history", False), ("More about HSI", False),
])
def test_vague_link_text(text, vague):
    assert (vague_link_text_reason(text) is not None) is vague


def test_unsafe_html_is_named():
    html = '<script src="x.js"></script><a href="javascript:go()" onClick="x()">a</a><iframe></iframe>'
    assert unsafe_html_features(html) == ["<script>", "<iframe>", "an onclick attribute", "a javascript: link"]
    assert unsafe_html_features("<b>bold</b>") == []


def test_check_page_finds_each_rule_at_its_line():
    markdown = (
        "# Title\n"            # 1
        "\n"
        "Text ![](a.png) and\n"  # 3
        "[here](https://x.org) and [](https://y.org).\n"  # 4
        "\n"
        "<b>bold</b>\n"          # 6
        "\n"
        "# Second title\n"       # 8
        "\n"
        "|   |   |\n"            # 10
        "|---|---|\n"
        "| a | b |\n"
    )
    assert rules_and_lines(markdown) == [
        ("image-alt-missing", 3), ("link-text-vague", 4), ("link-text-empty", 4),
        ("raw-html", 6), ("heading-multiple-h1", 8), ("table-no-header", 10),
    ]


def test_check_page_passes_a_clean_page():
    markdown = (
        "# Title\n\n![A map of the border.](a.png)\n\n"
        "Read [the agency's annual report](https://x.org).\n\n"
        "## Section\n\n| Part | Area |\n|---|---|\n| a | b |\n\n% a MyST comment\n"
    )
    assert rules_and_lines(markdown) == []


def test_first_undecodable_byte_is_located():
    assert first_undecodable(b"# T\n\nCaf\xe9\n") == (3, 4, 0xE9)
    assert first_undecodable("\ufeff# T\n\nCafé\n".encode()) is None


def test_known_sphinx_warnings_get_a_rule_and_a_hint():
    assert known_warning("ref", "doc", "unknown document: 'x'").rule == "doc-missing"
    assert known_warning(None, None, "duplicate label x, other instance in y").rule == "label-duplicate"
    assert known_warning("docutils", None, "Some other docutils message") is None
    assert rule_line("doc-missing", "unknown document: 'x'", "Fix it.") == "[doc-missing] unknown document: 'x'. Fix it."


# -- The corpus, built with the real configuration ----------------------------------

# (page, line, rule) for every problem in tests/broken/docs/. Nothing else may be reported.
EXPECTED = {
    ("docs/index.md", 5, "toctree-page-missing"),
    ("docs/image-alt-missing.md", 3, "image-alt-missing"),
    ("docs/image-alt-missing.md", 5, "image-alt-missing"),
    ("docs/image-alt-poor.md", 3, "image-alt-poor"),
    ("docs/image-alt-poor.md", 5, "image-alt-poor"),
    ("docs/image-alt-poor.md", 7, "image-alt-poor"),
    ("docs/heading-skip.md", 5, "heading-skip"),
    ("docs/heading-starts-at-level-2.md", 1, "heading-skip"),
    ("docs/heading-multiple-h1.md", 5, "heading-multiple-h1"),
    ("docs/link-text-vague.md", 3, "link-text-vague"),
    ("docs/link-text-vague.md", 4, "link-text-vague"),
    ("docs/link-text-vague.md", 6, "link-text-vague"),
    ("docs/link-text-empty.md", 3, "link-text-empty"),
    ("docs/raw-html.md", 3, "raw-html"),
    ("docs/raw-html.md", 5, "raw-html"),
    ("docs/raw-html.md", 7, "raw-html"),
    ("docs/raw-html.md", 9, "raw-html"),
    ("docs/table-no-header.md", 4, "table-no-header"),
    ("docs/table-no-header.md", 8, "table-no-header"),
    ("docs/acronym-not-in-glossary.md", 4, "acronym-not-in-glossary"),  # XYZ, first use only
    ("docs/acronym-not-in-glossary.md", 5, "acronym-not-in-glossary"),  # QRS and U.S.
    ("docs/front-matter-invalid.md", 1, "front-matter-invalid"),
    ("docs/directive-unknown.md", 3, "directive-unknown"),
    ("docs/role-unknown.md", 3, "role-unknown"),
    ("docs/doc-missing.md", 3, "doc-missing"),
    ("docs/label-missing.md", 3, "label-missing"),
    ("docs/term-missing.md", 3, "term-missing"),
    ("docs/link-target-missing.md", 3, "link-target-missing"),
    ("docs/image-missing.md", 3, "image-missing"),
    ("docs/label-duplicate.md", 6, "label-duplicate"),
    ("docs/label-duplicate-elsewhere.md", 4, "label-duplicate"),
    ("docs/not-in-toctree.md", 1, "page-not-in-toctree"),
    ("docs/source-not-utf8.md", 3, "source-not-utf8"),
}
# Problems that share a page and a line, each its own message.
EXPECTED_COUNTS = {("docs/acronym-not-in-glossary.md", 5, "acronym-not-in-glossary"): 2}


def copy_corpus(tmp_path: Path) -> Path:
    project = tmp_path / "project"
    shutil.copytree(CORPUS, project / "docs")
    # Kept out of git as a file of its own: a page that is not UTF-8 (0xE9 is Latin-1 "é").
    (project / "docs" / "source-not-utf8.md").write_bytes(b"# Not in the right encoding\n\nCaf\xe9 bytes\n")
    return project


def build(project: Path, *options: str) -> subprocess.CompletedProcess:
    """Build like `make`, from the project folder so paths read docs/..."""
    return subprocess.run(
        # --no-color: Sphinx colours its messages when CI is set, and the lines are read as text.
        [sys.executable, "-m", "sphinx", "-b", "html", "--no-color", "-W", "--keep-going", "-n", "-q", "-c", str(ROOT),
         "-d", "out/doctrees", "-D", "handbook_downloads_required=0", *options, "docs", "out/html"],
        cwd=project, capture_output=True, text=True,
    )


def reported(stderr: str) -> list[tuple[str, int, str]]:
    found = []
    for line in stderr.splitlines():
        match = LINE.match(line)
        assert match, f"not a one-line error with file, line and rule: {line!r}"
        assert ". " in match["message"], f"no hint on how to fix it: {line!r}"
        found.append((match["path"], int(match["line"]), match["rule"]))
    return found


def assert_reports_exactly_the_corpus(done: subprocess.CompletedProcess, expected=EXPECTED) -> None:
    assert done.returncode != 0, "the build passed, but every page in the corpus is broken"
    assert "Traceback" not in done.stderr + done.stdout
    found = reported(done.stderr)
    assert set(found) == expected
    for key in expected:
        assert found.count(key) == EXPECTED_COUNTS.get(key, 1), key


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    return copy_corpus(tmp_path_factory.mktemp("corpus"))


@pytest.fixture(scope="module")
def first_build(corpus) -> subprocess.CompletedProcess:
    return build(corpus, "-j", "1")


def test_corpus_has_at_least_20_broken_inputs():
    assert len(EXPECTED) >= 20


def test_every_broken_page_fails_with_its_file_line_and_rule(first_build):
    assert_reports_exactly_the_corpus(first_build)


def test_the_clean_corpus_page_reports_nothing(first_build):
    assert not [line for line in first_build.stderr.splitlines() if line.startswith("docs/clean.md:")]


def test_a_failed_build_fails_again_when_nothing_changed(corpus, first_build):
    # Sphinx would reuse its saved environment and report nothing: a silent success.
    assert_reports_exactly_the_corpus(build(corpus, "-j", "1"))


def test_parallel_reading_reports_the_same(tmp_path):
    # Sphinx itself does not report a label defined on two pages read by different
    # processes (StandardDomain.merge_domaindata keeps one silently); `make` reads serially.
    expected = EXPECTED - {("docs/label-duplicate-elsewhere.md", 4, "label-duplicate")}
    assert_reports_exactly_the_corpus(build(copy_corpus(tmp_path), "-j", "2"), expected)


def test_a_clean_project_builds(tmp_path):
    docs = tmp_path / "docs"
    docs.mkdir()
    shutil.copytree(CORPUS / "images", docs / "images")
    for page in ("clean.md", "glossary.md"):
        shutil.copy(CORPUS / page, docs / page)
    (docs / "index.md").write_text("# A clean handbook\n\n```{toctree}\nclean\nglossary\n```\n")
    done = build(tmp_path, "-j", "1")
    assert (done.returncode, done.stderr) == (0, "")
