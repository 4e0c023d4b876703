"""Checks of the handbook's content, read straight from the Markdown in docs/.

No Sphinx build is needed: these tests read the sources and check the
conventions the content follows (plain language, glossary, abbreviations,
chapter structure, table of contents, the diagram), and unit-test the text
extraction of scripts/readability.py.
"""

from __future__ import annotations

import importlib.util
import re
import sys
import xml.etree.ElementTree as ET
from functools import lru_cache
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
GLOSSARY = DOCS / "back" / "glossary.md"
INDEX = DOCS / "index.md"
SCRIPT = ROOT / "scripts" / "readability.py"


def _load_readability():
    spec = importlib.util.spec_from_file_location("handbook_readability", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up here
    spec.loader.exec_module(module)
    return module


readability = _load_readability()

# -- Reading the sources -------------------------------------------------------

#: All-caps words that are not abbreviations: WCAG conformance levels.
NOT_ACRONYMS = frozenset({"AA", "AAA"})
ACRONYM = re.compile(r"\b[A-Z]{2,}(?:/[A-Z]{2,})?\b")
ABBR_ROLE = re.compile(r"\{abbr\}`(?P<short>[^`]+?)\s*\((?P<long>[^`]+)\)`")
TERM_ROLE = re.compile(r"\{term\}`(?P<body>[^`]+)`")
DOC_ROLE = re.compile(r"\{doc\}`(?P<body>[^`]+)`")
EXPLICIT = readability.EXPLICIT_TARGET
FENCE_OPEN = re.compile(r"^(?P<fence>`{3,}|:{3,})\s*(?:\{(?P<name>[^}]+)\})?")
HEADING = re.compile(r"^(?P<marks>#{1,6})\s+(?P<title>.+?)\s*$")
#: A role with its body, or inline code (a file or command name): roles are kept, code goes.
ROLE_OR_CODE = re.compile(r"(?P<role>\{[\w:-]+\}`[^`]*`)|`[^`]+`")


def drop_inline_code(line: str) -> str:
    return ROLE_OR_CODE.sub(lambda m: m.group("role") or "", line)


def all_pages() -> list[Path]:
    return sorted(p for p in DOCS.rglob("*.md") if p.name != "README.md")


def chapters() -> list[Path]:
    """Every page except the landing page."""
    return [p for p in all_pages() if p != INDEX]


def docname(path: Path) -> str:
    return path.relative_to(DOCS).with_suffix("").as_posix()


@lru_cache(maxsize=None)
def source(path: Path) -> str:
    return path.read_text(encoding="utf-8")


def split_target(body: str) -> tuple[str, str]:
    """Split a role body into (text, target); the text is '' if there is none."""
    match = EXPLICIT.match(body)
    if match:
        return match.group("text"), match.group("target")
    return "", body


def visible_lines(text: str) -> list[tuple[str, str]]:
    """Return (kind, line) for the lines a reader sees, in order.

    kind is "text" for ordinary lines and "glossary-term" for the term lines of
    a glossary. Code, toctrees, directive option lines and fence lines are left
    out. Prose directives (admonitions, figures, the glossary) keep their body.
    """
    out: list[tuple[str, str]] = []
    fences: list[tuple[str, str | None]] = []  # (fence marker, directive name)
    at_options = False
    for line in text.splitlines():
        stripped = line.strip()
        if fences:
            marker, name = fences[-1]
            if stripped.startswith(marker[0] * len(marker)) and stripped.strip(marker[0]) == "":
                fences.pop()
                at_options = False
                continue
            opener = FENCE_OPEN.match(stripped)
            if opener and opener.group("name") and name in readability.PROSE_DIRECTIVES:
                fences.append((opener.group("fence"), opener.group("name")))
                at_options = True
                continue
            if name not in readability.PROSE_DIRECTIVES:
                continue  # code, toctrees ...
            if at_options and re.match(r"^:[\w-]+:", stripped):
                continue
            at_options = False
            if name == "glossary" and stripped and not line[0].isspace():
                out.append(("glossary-term", stripped))
            else:
                out.append(("text", drop_inline_code(line)))
            continue
        opener = FENCE_OPEN.match(stripped)
        if opener:
            fences.append((opener.group("fence"), opener.group("name")))
            at_options = True
            continue
        out.append(("text", drop_inline_code(line)))
    return out


def prose_source(path: Path) -> str:
    """The visible Markdown lines of a page, joined (roles left as written)."""
    return "\n".join(line for _, line in visible_lines(source(path)))


@lru_cache(maxsize=1)
def glossary() -> dict[str, str]:
    """Map each glossary term to its definition (one line of text)."""
    text = source(GLOSSARY)
    match = re.search(r"^```\{glossary\}\n(?P<body>.*?)^```\s*$", text, re.M | re.S)
    assert match, "docs/back/glossary.md has no ```{glossary} block"
    body = readability.strip_options(match.group("body"))
    entries: dict[str, list[str]] = {}
    term = None
    for line in body.splitlines():
        if line.strip() and not line[0].isspace():
            term = line.strip()
            assert term not in entries, f"glossary term {term!r} appears twice"
            entries[term] = []
        elif line.strip():
            assert term is not None, f"definition without a term: {line!r}"
            entries[term].append(line.strip())
    return {term: " ".join(lines) for term, lines in entries.items()}


def glossary_keys() -> dict[str, str]:
    """Glossary terms by their lower-case form (Sphinx matches terms that way)."""
    return {term.lower(): term for term in glossary()}


def headings(path: Path) -> list[tuple[int, str]]:
    out = []
    for kind, line in visible_lines(source(path)):
        match = HEADING.match(line)
        if kind == "text" and match:
            out.append((len(match.group("marks")), match.group("title")))
    return out


def toctree_entries() -> list[tuple[Path, str | None, list[str]]]:
    """(page, caption, entries) for each toctree in docs/."""
    found = []
    for path in all_pages():
        for match in re.finditer(
            r"^```\{toctree\}\n(?P<body>.*?)^```\s*$", source(path), re.M | re.S
        ):
            caption = None
            entries = []
            for line in match.group("body").splitlines():
                option = re.match(r"^:(\w+):\s*(.*)$", line.strip())
                if option:
                    if option.group(1) == "caption":
                        caption = option.group(2)
                elif line.strip():
                    entries.append(line.strip())
            found.append((path, caption, entries))
    return found


def section(text: str, title: str) -> str:
    """The text of the `## title` section of a page."""
    match = re.search(
        rf"^## {re.escape(title)}\s*$(?P<body>.*?)(?=^#{{1,2}} |\Z)", text, re.M | re.S
    )
    return match.group("body") if match else ""


# -- Plain language -------------------------------------------------------------


def test_readability_thresholds_hold():
    scores = [readability.score_file(path) for path in all_pages()]
    passed, problems = readability.verdict(scores)
    assert passed, "\n".join(problems)
    assert readability.median_grade(scores) <= readability.MEDIAN_MAX


@pytest.mark.parametrize("path", all_pages(), ids=docname)
def test_each_long_page_is_at_most_grade_10(path):
    score = readability.score_file(path)
    if score.words >= readability.MIN_WORDS:
        assert score.grade <= readability.PAGE_MAX, f"{docname(path)}: {score}"


def test_readability_script_passes_from_the_command_line(capsys):
    assert readability.main([str(DOCS)]) == 0
    assert "median grade" in capsys.readouterr().out


# -- Glossary, terms and abbreviations -----------------------------------------------


def test_glossary_is_sorted_alphabetically():
    terms = list(glossary())
    assert terms == sorted(terms, key=str.lower)


def test_glossary_definitions_are_short_sentences():
    for term, definition in glossary().items():
        assert definition, f"{term!r} has no definition"
        assert definition.endswith("."), f"{term!r}: definition must end with a full stop"
        assert len(definition.split()) <= 60, f"{term!r}: definition is long"


def test_every_glossary_term_is_referenced_from_the_text():
    referenced = set()
    for path in all_pages():
        if path == GLOSSARY:
            continue
        for match in TERM_ROLE.finditer(source(path)):
            text, target = split_target(match.group("body"))
            referenced.add((target or text).lower())
    missing = [term for term in glossary() if term.lower() not in referenced]
    assert not missing, f"glossary terms never linked with {{term}}: {missing}"


def test_every_term_reference_names_a_glossary_term():
    keys = glossary_keys()
    for path in all_pages():
        for match in TERM_ROLE.finditer(source(path)):
            _, target = split_target(match.group("body"))
            assert target.lower() in keys, f"{docname(path)}: unknown term {target!r}"


def test_abbr_expansions_match_the_glossary():
    entries = glossary()
    for path in all_pages():
        for match in ABBR_ROLE.finditer(source(path)):
            short, long = match.group("short"), match.group("long")
            assert short in entries, f"{docname(path)}: {short} is not in the glossary"
            assert entries[short].startswith(long + "."), (
                f"{docname(path)}: {short} is spelled out as {long!r}, "
                f"but the glossary says {entries[short]!r}"
            )


def test_every_acronym_is_in_the_glossary():
    entries = glossary()
    for path in all_pages():
        for acronym in ACRONYM.findall(prose_source(path)):
            if acronym not in NOT_ACRONYMS:
                assert acronym in entries, f"{docname(path)}: {acronym} is not in the glossary"


@pytest.mark.parametrize("path", all_pages(), ids=docname)
def test_acronyms_are_spelled_out_once_at_first_use(path):
    spelled: set[str] = set()
    pattern = re.compile(f"{ABBR_ROLE.pattern}|(?P<bare>{ACRONYM.pattern})")
    for kind, line in visible_lines(source(path)):
        if kind == "glossary-term":
            # A glossary entry spells its own term out: "ICE" then its full name.
            spelled.add(line)
            continue
        for match in pattern.finditer(line):
            if match.group("short"):
                short = match.group("short")
                assert short not in spelled, (
                    f"{docname(path)}: {short} is spelled out again; later uses are plain"
                )
                spelled.add(short)
            elif match.group("bare") not in NOT_ACRONYMS:
                assert match.group("bare") in spelled, (
                    f"{docname(path)}: first use of {match.group('bare')} is not "
                    f"spelled out with {{abbr}}: {line.strip()!r}"
                )


def test_us_is_ordinary_text_not_an_abbr():
    for path in all_pages():
        for match in ABBR_ROLE.finditer(source(path)):
            assert match.group("short") != "U.S."


# -- Table of contents and page structure -------------------------------------------


def test_index_keeps_its_four_toctrees_in_order():
    captions = [caption for page, caption, _ in toctree_entries() if page == INDEX]
    assert captions == [
        "About this handbook",
        "Immigration Enforcement",
        "Combating Transnational Crime",
        "Reference",
    ]


def test_every_page_is_listed_in_a_toctree():
    listed = set()
    for page, _, entries in toctree_entries():
        base = page.parent.relative_to(DOCS)
        for entry in entries:
            listed.add((base / entry).as_posix().lstrip("./"))
    pages = {docname(path) for path in chapters()}
    assert pages - listed == set(), f"pages missing from every toctree: {pages - listed}"
    assert listed - pages == set(), f"toctree entries with no page: {listed - pages}"


@pytest.mark.parametrize("path", all_pages(), ids=docname)
def test_one_title_and_no_skipped_heading_levels(path):
    levels = [level for level, _ in headings(path)]
    assert levels and levels[0] == 1, f"{docname(path)} must start with a # title"
    assert levels.count(1) == 1, f"{docname(path)} must have exactly one # title"
    for before, after in zip(levels, levels[1:]):
        assert after <= before + 1, f"{docname(path)} skips a heading level"


def test_page_titles_are_unique():
    titles = [headings(path)[0][1] for path in all_pages()]
    assert len(titles) == len(set(titles)), titles


@pytest.mark.parametrize("path", chapters(), ids=docname)
def test_chapter_opens_with_an_in_brief_summary(path):
    text = source(path)
    match = re.match(
        r"# [^\n]+\n\n:::\{admonition\} In brief\n:class: in-brief\n\n(?P<body>.*?)\n:::\n",
        text,
        re.S,
    )
    assert match, f"{docname(path)}: the In brief admonition must follow the title"
    body = readability.prose_text(match.group("body"))
    sentences = re.findall(r"[^.!?]+[.!?]", readability._for_scoring(body))
    assert 2 <= len(sentences) <= 4, f"{docname(path)}: In brief has {len(sentences)} sentences"


@pytest.mark.parametrize("path", chapters(), ids=docname)
def test_chapter_ends_with_a_related_section_of_doc_links(path):
    levels = headings(path)
    assert levels[-1] == (2, "Related"), f"{docname(path)} must end with ## Related"
    items = [line for line in section(source(path), "Related").splitlines() if line.strip()]
    assert items, f"{docname(path)}: the Related section is empty"
    for item in items:
        match = re.fullmatch(r"- \{doc\}`(?P<body>[^`]+)`", item.strip())
        assert match, f"{docname(path)}: Related items are single {{doc}} links: {item!r}"
        text, _ = split_target(match.group("body"))
        assert len(text.split()) >= 3, f"{docname(path)}: link text is not descriptive: {text!r}"


def test_parts_cross_reference_each_other():
    for part, other in (("immigration-enforcement", "transnational-crime"),
                        ("transnational-crime", "immigration-enforcement")):
        linking = [
            path for path in (DOCS / part).glob("*.md")
            if f"../{other}/" in section(source(path), "Related")
        ]
        assert len(linking) >= 3, f"too few links from {part} to {other}"


def test_doc_links_point_to_existing_pages():
    for path in all_pages():
        for match in DOC_ROLE.finditer(source(path)):
            _, target = split_target(match.group("body"))
            resolved = (path.parent / target).resolve().with_suffix(".md")
            assert resolved.exists(), f"{docname(path)}: {{doc}} target {target!r} not found"


BAD_LINK_TEXT = re.compile(r"^(click here|here|read more|more|link|this page)$", re.I)


def test_link_text_is_descriptive():
    for path in all_pages():
        text = source(path)
        for match in DOC_ROLE.finditer(text):
            link_text, _ = split_target(match.group("body"))
            assert not BAD_LINK_TEXT.match(link_text.strip()), f"{docname(path)}: {link_text!r}"
        for link_text in re.findall(r"\[([^\]]+)\]\([^)]+\)", text):
            assert not BAD_LINK_TEXT.match(link_text.strip()), f"{docname(path)}: {link_text!r}"
        assert not re.search(r"(?<![<(`])https?://", prose_source(path)), (
            f"{docname(path)}: bare URL in the text"
        )


@pytest.mark.parametrize("path", all_pages(), ids=docname)
def test_no_raw_html(path):
    tokens = readability._parser().parse(source(path))
    kinds = {token.type for token in tokens}
    kinds |= {child.type for token in tokens for child in (token.children or [])}
    assert not kinds & {"html_block", "html_inline"}, f"{docname(path)} has raw HTML"


# -- The diagram --------------------------------------------------------------------


def test_diagram_is_included_with_alt_text_and_caption():
    figures = []
    for path in all_pages():
        figures += [
            (path, m)
            for m in re.finditer(
                r"^```\{figure\} (?P<src>\S+)\n(?P<body>.*?)^```\s*$", source(path), re.M | re.S
            )
        ]
    assert any(m.group("src").endswith("mission-areas.svg") for _, m in figures)
    for path, match in figures:
        alt = re.search(r"^:alt: (?P<alt>.+)$", match.group("body"), re.M)
        assert alt, f"{docname(path)}: figure without :alt:"
        alt_text = alt.group("alt").strip()
        assert len(alt_text.split()) >= 10
        assert not re.match(r"(image|picture|graphic) of", alt_text, re.I)
        assert not re.search(r"\.(svg|png|jpe?g)\b", alt_text, re.I)
        caption = readability.strip_options(match.group("body")).strip()
        assert caption, f"{docname(path)}: figure without a caption"
        assert (path.parent / match.group("src")).exists()


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
    index_text = source(INDEX).lower()
    for label in ("287(g) program", "law enforcement support center", "criminal enterprises",
                  "cybercrime", "illicit proceeds", "joint terrorism task forces",
                  "counter-proliferation"):
        assert label in index_text, label


# -- Unit tests of the text extraction ----------------------------------------------------


def test_role_text_keeps_what_a_reader_sees():
    assert readability.role_text("abbr", "ERO (Enforcement and Removal Operations)") == (
        "ERO (Enforcement and Removal Operations)"
    )
    assert readability.role_text("term", "attachés <attaché>") == "attachés"
    assert readability.role_text("term", "cybercrime") == "cybercrime"
    assert readability.role_text("doc", "../back/illicit-proceeds") == "illicit proceeds"


def test_prose_text_drops_markup_and_keeps_prose():
    page = """# Title that is not prose

:::{admonition} In brief
:class: in-brief

First {abbr}`ERO (Enforcement and Removal Operations)` sentence.
:::

```python
print("code is not prose")
```

```{toctree}
:caption: Contents

some/page
```

```{figure} images/x.svg
:alt: Alternative text is an option line

The caption counts.
```

A list follows
- item with [a link](https://example.org) and `inline code`
- {term}`shown text <hidden target>`

## Related

- {doc}`Links are not prose <other>`
"""
    text = readability.prose_text(page)
    assert "Title" not in text
    assert "in-brief" not in text and "In brief" not in text
    assert "First ERO (Enforcement and Removal Operations) sentence." in text
    assert "print" not in text and "inline code" not in text
    assert "some/page" not in text and "Contents" not in text
    assert "Alternative text" not in text and "x.svg" not in text
    assert "The caption counts." in text
    assert "item with a link and." in text
    assert "shown text." in text and "hidden" not in text
    assert "Links are not prose" not in text
    assert "{" not in text and "`" not in text


def test_blocks_are_closed_as_sentences():
    assert readability.end_sentence("a list item") == "a list item."
    assert readability.end_sentence("ends with a colon:") == "ends with a colon:."
    assert readability.end_sentence("Done.") == "Done."
    assert readability.end_sentence('He said "yes."') == 'He said "yes."'


def test_strip_options_removes_option_lines_and_yaml():
    assert readability.strip_options(":class: x\n:name: y\n\nBody").strip() == "Body"
    assert readability.strip_options("---\nclass: x\n---\nBody").strip() == "Body"
    assert readability.strip_options("Body only").strip() == "Body only"


def test_glossary_blocks_keep_definitions_not_terms():
    body = "TERM ONE\n   Its first definition.\n\nterm two\n   The second one.\n"
    assert readability.glossary_blocks(body) == ["Its first definition.", "The second one."]


def test_dotted_abbreviations_are_not_sentence_ends():
    text = "The U.S. agency follows WCAG 2.2 now."
    assert readability._for_scoring(text) == "The US agency follows WCAG 22 now."


EASY = " ".join(["The cat sat on the mat. It was a big red cat."] * 10)
HARD = " ".join(
    [
        "Notwithstanding considerable institutional heterogeneity, intergovernmental "
        "administrative coordination mechanisms systematically operationalize "
        "multidimensional interoperability requirements across jurisdictional "
        "boundaries, thereby necessitating comprehensive organizational "
        "reconfiguration and extraordinarily sophisticated implementation."
    ]
    * 6
)


def test_grade_separates_easy_and_hard_text():
    assert readability.grade(EASY) < 4
    assert readability.grade(HARD) > 15
    assert readability.grade("") == 0.0


def test_threshold_check_fails_on_a_hard_page():
    hard = readability.score_text(HARD, "hard.md")
    easy = readability.score_text(EASY, "easy.md")
    assert hard.words >= readability.MIN_WORDS and hard.grade > readability.PAGE_MAX
    passed, problems = readability.verdict([hard, easy, easy])
    assert not passed
    assert any("hard.md" in problem for problem in problems)


def test_threshold_check_fails_on_a_hard_median_and_spares_short_pages():
    short_hard = readability.PageScore(Path("short.md"), 14.0, 50)
    medium = readability.PageScore(Path("medium.md"), 9.0, 500)
    passed, problems = readability.verdict([short_hard, medium, medium])
    assert not passed
    assert problems == ["median grade 9.0 is above 8"]
    passed, _ = readability.verdict([short_hard, readability.PageScore(Path("ok.md"), 6.0, 500),
                                     readability.PageScore(Path("ok2.md"), 7.0, 500)])
    assert passed


def test_inline_code_is_not_prose_but_roles_are():
    line = "Run `make PDF` to read {abbr}`ERO (Enforcement and Removal Operations)` offline."
    assert drop_inline_code(line) == "Run  to read {abbr}`ERO (Enforcement and Removal Operations)` offline."
