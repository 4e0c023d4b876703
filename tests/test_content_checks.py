"""The rule engine (_ext/handbook/rules/) and the readable build errors.

Two layers:
- the page rules of content_rules.py, on small MyST strings parsed by MyST
  (the chapter, glossary and readability rules have test modules of their own:
  test_chapter_rules.py, test_glossary_rules.py, test_readability.py);
- the corpus tests/broken/docs/: pages that break the rules, built with the
  real conf.py into a temporary folder as `make lint` builds (and as the PDF
  and EPUB builders do). Every problem must come out as exactly one line
  ``docs/page.md:LINE: [rule-id] what is wrong. How to fix it.`` at the right
  file and line, nothing else may come out, no traceback, and a clean page
  passes. Every rule of the catalogue has a page there.

The PDF and EPUB builds of the corpus write their HTML pages first (as the web
site's build does), so what is found while writing comes out there too.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from docutils import nodes
from docutils.core import publish_doctree
from myst_parser.parsers.docutils_ import Parser

from handbook.rules.build_errors import first_undecodable, known_warning, rule_line
from handbook.rules.catalogue import RULES
from handbook.rules.content_rules import (
    Finding, acronym_uses, acronyms_not_in_glossary, check_page, duplicate_titles, find_acronyms, page_title,
    poor_alt_reason, unsafe_html_features, vague_link_text_reason,
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
    assert {word: where["line"] for word, where in acronym_uses(tree).items()} == {"HSI": 4, "FBI": 5}


def test_acronyms_not_in_glossary_reports_the_first_use_per_page():
    uses = {"b": {"XYZ": {"line": 7}, "HSI": {"line": 3}}, "a": {"XYZ": {"line": 2}}}
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


@pytest.mark.parametrize(("markdown", "reason"), [
    ("[a link](javascript:alert(1))", "javascript: links are not allowed"),
    ("[a link](JavaScript:alert(1))", "javascript: links are not allowed"),
    ("[a link](vbscript:msgbox)", "vbscript: links are not allowed"),
    ("[a file](file:///etc/passwd)", "file: links are not allowed"),
    ("[a page](data:text/html,hi)", "data: links are not allowed"),
    ("![a picture](javascript:alert(1))", "javascript: links are not allowed"),
    ("<javascript:alert(1)>", "javascript: links are not allowed"),
    ("[the report](annual report.md)", "its target has a space"),
    ("[a reference][no-such-label]", "no line defines its label"),
    ("[the report](https://example.org/a(b) today", "its target cannot be read"),
])
def test_a_link_the_parser_refuses_is_found_with_its_reason(markdown, reason):
    (finding,) = check_page(parse(f"# Title\n\nText\nwith {markdown}.\n"))
    assert (finding.rule, finding.line) == ("link-refused", 4)
    assert reason in finding.message


@pytest.mark.parametrize("markdown", [
    "[the report](https://example.org/report)", "[the report](<annual report.md>)", "[mail us](mailto:a@b.org)",
    "<https://example.org/report>", "![A map.](data:image/png;base64,AAAA)", "A [bracket] and (a parenthesis).",
    "`[code](javascript:x)`",
])
def test_links_the_parser_makes_and_plain_brackets_are_not_refused(markdown):
    assert "link-refused" not in [finding.rule for finding in check_page(parse(f"# Title\n\n{markdown}\n"))]


def test_a_bare_web_address_in_the_text_is_found_but_not_one_in_code_or_a_link():
    tree = parse("# Title\n\nSee https://example.org/report.\nOr www.example.org, `https://x.org`\n"
                 "and [the report](https://example.org/report).\n")
    assert [(f.rule, f.line, f.message.split()[3]) for f in check_page(tree)] == [
        ("url-bare", 3, "https://example.org/report"), ("url-bare", 4, "www.example.org")]


def test_two_pages_with_one_title_are_one_finding_on_the_second():
    titles = {docname: page_title(parse(f"# {title}\n\nText.\n"))
              for docname, title in (("b", "Same"), ("a", "Same"), ("c", "Other"))}
    found = [(doc, f.rule, f.line) for doc, f in duplicate_titles(titles, {"a": "a.md", "b": "b.md", "c": "c.md"})]
    assert found == [("b", "title-duplicate", 1)]


def test_a_finding_in_a_translation_names_the_page_file():
    tree = parse("# Title\n\nSee https://example.org/report.\n")
    for node in tree.next_node(nodes.paragraph).findall():
        node.source = "/docs/page.md:3:<translated>"  # as Sphinx parses a translated paragraph
    assert [(f.rule, f.source) for f in check_page(tree)] == [("url-bare", "/docs/page.md")]


def test_a_finding_must_name_a_rule_of_the_catalogue():
    with pytest.raises(ValueError, match="not a rule"):
        Finding("no-such-rule", 1, "A message.")


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
    assert rule_line("doc-missing", "unknown document: 'x'", "Fix it.") == (
        "[doc-missing] unknown document: 'x'. Fix it.")


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
    ("docs/link-refused-scheme.md", 3, "link-refused"),  # javascript:
    ("docs/link-refused-scheme.md", 5, "link-refused"),  # file:
    ("docs/link-refused-scheme.md", 7, "link-refused"),  # <javascript:...>
    ("docs/link-refused-malformed.md", 3, "link-refused"),  # a space in the target
    ("docs/link-refused-malformed.md", 5, "link-refused"),  # an undefined reference label
    ("docs/url-bare.md", 3, "url-bare"),
    ("docs/parts/included.inc", 3, "url-bare"),  # in a table of the file include-problem.md includes (at
    # the table's line: MyST gives the cells of a table in an included file their table's line)
    ("docs/raw-html.md", 3, "raw-html"),
    ("docs/raw-html.md", 5, "raw-html"),
    ("docs/raw-html.md", 7, "raw-html"),
    ("docs/raw-html.md", 9, "raw-html"),
    ("docs/table-no-header.md", 4, "table-no-header"),
    ("docs/table-no-header.md", 8, "table-no-header"),
    ("docs/title-duplicate.md", 1, "title-duplicate"),
    ("docs/acronym-not-in-glossary.md", 4, "acronym-not-in-glossary"),  # XYZ, first use only
    ("docs/acronym-not-in-glossary.md", 5, "acronym-not-in-glossary"),  # QRS and U.S.
    ("docs/readability-page.md", 3, "readability-page"),  # where its hardest paragraph starts
    ("docs/index.md", 45, "related-across-parts"),  # the first part's table of contents
    ("docs/in-brief-missing.md", 1, "in-brief-missing"),
    ("docs/in-brief-length.md", 3, "in-brief-length"),
    ("docs/related-missing.md", 1, "related-missing"),
    ("docs/related-item.md", 11, "related-item"),
    ("docs/glossary-broken.md", 7, "glossary-order"),
    ("docs/glossary-broken.md", 10, "glossary-definition"),
    ("docs/glossary-broken.md", 13, "glossary-term-unused"),
    ("docs/abbr-glossary-mismatch.md", 3, "abbr-glossary-mismatch"),
    ("docs/abbr-first-use.md", 3, "abbr-first-use"),
    ("docs/abbr-repeated.md", 5, "abbr-repeated"),
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
# The rules no page of the corpus can show as a line of its own, and the test that shows each.
ELSEWHERE = {
    "readability-median": "test_a_hard_median_page_is_one_line",  # one hard page cannot move a median
    "build-stopped": "test_pdf_and_epub_do_not_start_their_expensive_step_after_a_problem",
}
# What `make lint` runs (the Makefile's ALLSPHINXOPTS), and the paths read docs/...
LINT = ["-b", "dummy", "-W", "--keep-going", "-n", "-q"]


def copy_corpus(tmp_path: Path) -> Path:
    project = tmp_path / "project"
    shutil.copytree(CORPUS, project / "docs")
    # Kept out of git as a file of its own: a page that is not UTF-8 (0xE9 is Latin-1 "é").
    (project / "docs" / "source-not-utf8.md").write_bytes(b"# Not in the right encoding\n\nCaf\xe9 bytes\n")
    return project


def build(project: Path, *options: str, builder: str = "dummy") -> subprocess.CompletedProcess:
    """Build like `make lint` (or with another builder), from the project folder so paths read docs/..."""
    return subprocess.run(
        # --no-color: Sphinx colours its messages when CI is set, and the lines are read as text.
        [sys.executable, "-m", "sphinx", "-b", builder, "--no-color", "-W", "--keep-going", "-n", "-q",
         "-c", str(ROOT), "-d", f"out/doctrees-{builder}", "-D", "handbook_downloads_required=0", *options,
         "docs", f"out/{builder}"],
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


def test_every_rule_has_a_broken_page_or_a_test_of_its_own():
    shown = {rule for _, _, rule in EXPECTED}
    assert set(RULES) - shown == set(ELSEWHERE), "a rule without a broken page in tests/broken/docs/"
    assert not shown - set(RULES), "a rule id the catalogue does not list"


def test_every_broken_page_fails_with_its_file_line_and_rule(first_build):
    assert_reports_exactly_the_corpus(first_build)


def test_the_clean_corpus_page_reports_nothing(first_build):
    assert not [line for line in first_build.stderr.splitlines() if line.startswith("docs/clean.md:")]


def test_a_failed_build_fails_again_when_nothing_changed(corpus, first_build):
    # Sphinx would reuse its saved environment and report nothing: a silent success.
    assert_reports_exactly_the_corpus(build(corpus, "-j", "1"))


@pytest.mark.slow  # a third build of the corpus; `make` reads serially
def test_parallel_reading_reports_the_same(tmp_path):
    # Sphinx itself does not report a label defined on two pages read by different
    # processes (StandardDomain.merge_domaindata keeps one silently); `make` reads serially.
    expected = EXPECTED - {("docs/label-duplicate-elsewhere.md", 4, "label-duplicate")}
    assert_reports_exactly_the_corpus(build(copy_corpus(tmp_path), "-j", "2"), expected)


@pytest.mark.parametrize(("builder", "step", "output"), [
    ("pdf", "Rendering the PDF editions", "*.pdf"),
    # The same gate as the PDF's.
    pytest.param("epub", "Packing the EPUB", "*.epub", marks=pytest.mark.slow),
    pytest.param("braille", "Transcribing the braille edition", "*.brf", marks=pytest.mark.slow),
])
def test_pdf_and_epub_do_not_start_their_expensive_step_after_a_problem(corpus, builder, step, output):
    """A missing image used to run WeasyPrint into a 40-line FatalURLFetchingError traceback."""
    done = build(corpus, builder=builder)
    *problems, last = done.stderr.splitlines()
    assert last == (f"[build-stopped] {step} did not start because of the {len(problems)} problems above. "
                    "Fix them, then build again.")
    assert_reports_exactly_the_corpus(subprocess.CompletedProcess(done.args, done.returncode, done.stdout,
                                                                  "\n".join(problems)))
    assert not list((corpus / "out" / builder).glob(output))


def small_project(folder: Path, pages: dict[str, str]) -> Path:
    docs = folder / "docs"
    docs.mkdir(parents=True)
    for name, text in pages.items():
        (docs / name).write_text(text, encoding="utf-8")
    return folder


# Grade 9.5: each page may be that hard (10), but not the median page (8).
HARDISH = 5 * ("The agency works with local police and federal partners to find people who are wanted. "
               "Officers share facts about arrests and travel records across several systems. ")


def test_a_hard_median_page_is_one_line(tmp_path):
    pages = {"index.md": f"# Hard pages\n\n{HARDISH}\n\n```{{toctree}}\nmore\n```\n", "more.md": f"# More\n\n{HARDISH}\n"}
    done = build(small_project(tmp_path, pages))
    assert "Traceback" not in done.stderr
    ((path, line, rule),) = reported(done.stderr)
    assert (path in {"docs/index.md", "docs/more.md"}, line, rule) == (True, 3, "readability-median")
    assert (tmp_path / "out" / "doctrees-dummy" / "readability.txt").read_text().splitlines()[-1] == "median: 9.4"


def test_a_clean_project_builds(tmp_path):
    docs = tmp_path / "docs"
    docs.mkdir()
    shutil.copytree(CORPUS / "images", docs / "images")
    for page in ("clean.md", "glossary.md"):
        shutil.copy(CORPUS / page, docs / page)
    (docs / "index.md").write_text("# A clean handbook\n\n```{toctree}\nclean\nglossary\n```\n")
    done = build(tmp_path, "-j", "1")
    assert (done.returncode, done.stderr) == (0, "")


@pytest.mark.slow  # starts WeasyPrint
@pytest.mark.parametrize("in_build", [True, False], ids=["sphinx-build renders", "make renders after sphinx-build"])
def test_a_file_weasyprint_cannot_fetch_is_one_line(tmp_path, in_build):
    """What Sphinx does not know (here, an image a template adds) fails the render in one line, not 40."""
    (tmp_path / "inject_missing_image.py").write_text(
        "def add_image(app, pagename, templatename, context, doctree):\n"
        "    context['body'] = context.get('body', '') + '<img src=\"_images/no-such-image.png\" alt=\"Gone.\">'\n\n"
        "def setup(app):\n"
        "    app.connect('html-page-context', add_image)\n"
        "    return {'parallel_read_safe': True, 'parallel_write_safe': True}\n"
    )
    (tmp_path / "conf.py").write_text(
        "import runpy, sys\n"
        f"globals().update({{k: v for k, v in runpy.run_path({str(ROOT / 'conf.py')!r}).items() if k[0] != '_'}})\n"
        f"sys.path.insert(0, {str(tmp_path)!r})\n"
        "extensions = [*extensions, 'inject_missing_image']\n"
        # The real configuration's folders, which Sphinx reads relative to the configuration's own.
        f"html_static_path, templates_path = [{str(ROOT / '_static')!r}], [{str(ROOT / '_templates')!r}]\n"
        f"locale_dirs = [{str(ROOT / 'locales')!r}]\n"
    )
    project = small_project(tmp_path / "project", {"index.md": "# A short book\n\nIt has one page. It is short.\n"})
    done = subprocess.run(
        [sys.executable, "-m", "sphinx", "-b", "pdf", "--no-color", "-W", "--keep-going", "-q", "-c", str(tmp_path),
         "-D", f"pdf_render_in_build={int(in_build)}", "-d", "out/doctrees", "docs", "out/pdf"],
        cwd=project, capture_output=True, text=True)
    if not in_build:  # as the Makefile runs it: the render once sphinx-build has written the job
        assert (done.returncode, done.stderr) == (0, "")
        done = subprocess.run([sys.executable, "-m", "handbook.pdf.render", "out/pdf/render-job.json"], cwd=project,
                              capture_output=True, text=True, env={**os.environ, "PYTHONPATH": str(ROOT / "_ext")})
    assert done.returncode != 0
    assert "Traceback" not in done.stderr + done.stdout
    (line,) = done.stderr.splitlines()  # the two editions fail alike: one line
    assert line.startswith("[handbook.pdf] WeasyPrint could not load a file the handbook needs"), line
    assert "no-such-image.png" in line
    assert not list((project / "out" / "pdf").glob("*.pdf"))
