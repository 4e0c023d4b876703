"""The source map (docs/back/source-map.md) covers the handbook's one source, sentence by sentence.

The handbook promises that every fact of its source is in it, and nothing more.
The source map lets readers check that promise: each numbered item quotes a few
words of one source sentence, in quotation marks, and links to the chapter
({doc}) and the sections ({ref}) that explain it. These tests keep the map from
rotting when chapters or sections move:

* every sentence of the source has exactly one item, in the source's order;
* each item's quotation occurs in its sentence and in no other one;
* every {doc} and {ref} target exists, and each section an item links to is in
  a chapter that the same item links to.

The map is read with MyST's own markdown-it parser (the one Sphinx uses) and
with the MyST syntax that conf.py enables, not with regexes; only the ordered
lists of the map page are items. Each rule is shown failing on a broken copy of
docs/ (an item removed, swapped, repeated, misquoted; a link that leads nowhere).
"""

from __future__ import annotations

import ast
import posixpath
import re
import shutil
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import pytest
from markdown_it import MarkdownIt
from markdown_it.renderer import RendererHTML
from myst_parser.config.main import MdParserConfig
from myst_parser.parsers.mdit import create_md_parser

# A role's text with an explicit target, as MyST and Sphinx read it: {doc}`the words <target>`.
EXPLICIT_TARGET = re.compile(r"^(?P<text>.*?)\s*<(?P<target>[^<>]+)>$", re.DOTALL)

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
MAP_DOCNAME = "back/source-map"
#: Where the source is kept outside the repository, when it is there (a copy is below).
SEED = ROOT.parent / "shared" / "seed" / "mission-areas.txt"

#: The handbook's only source, word for word: ICE's public description of its
#: mission areas "Immigration Enforcement" and "Combating Transnational Crime"
#: (one paragraph a line). A copy lives here so the test runs anywhere;
#: test_the_copy_of_the_source_is_exact compares it with the original when present.
SOURCE = "\n".join([
    "Securing our nation's borders and safeguarding the integrity of our immigration system is a primary focus of ICE officers and agents throughout the country. Immigration enforcement is the largest single area of responsibility for ERO and is a critical component of the overall safety, security, and well-being of our nation.",
    "While ERO has significant assets near the border, the majority of its immigration enforcement mission takes place in the interior of the country. To accomplish ICE's important immigration enforcement objectives, ERO coordinates closely with law enforcement partners within the U.S. and around the world. One of the most notable law enforcement coordination and partnership efforts within ERO involves the biometric and biographic identification of priority undocumented individuals who are incarcerated within federal, state, and local prisons and jails.",
    "ERO works with law enforcement partners in the shared responsibility for ensuring the safety of our communities through a variety resources and programs. The 287(g) program enables a state or local law enforcement entity to receive delegated authority, training, and technology resources for immigration enforcement within their jurisdictions. ICE's Law Enforcement Support Center coordinates response and enforcement actions with law enforcement partners using biometrics to identify foreign-born individuals arrested for criminal offenses.",
    'ERO also enhances the impact of multi-agency task forces through its administrative authority to arrest individuals deemed a threat to public safety on their unlawful immigration status without additional criminal charges. Finally, leveraging resources available through foreign law enforcement partners including INTERPOL and the ICE Attaché corps, ERO develops investigative leads and provides support in locating and arresting foreign nationals wanted for crimes committed abroad who are now at-large in the U.S.',
    'Browse through the "Immigration Enforcement" drop-down menu to learn more.',
    "As one of the country's premier federal law enforcement agencies, ICE is dedicated to detecting and dismantling transnational criminal networks that target the American people and threaten our industries, organizations and financial systems. Combating cross-border criminal activity is the largest single area of responsibility of HSI, and is a critical component of the overall safety, security, and well-being of our nation.",
    'HSI investigates the criminal enterprises that engage in a broad range of illicit activity including narcotics smuggling, human trafficking, gang violence, money laundering and other financial crimes, intellectual property theft, and customs fraud. HSI also investigates a broad range of cybercrime, including child exploitation in the commitment to securing both physical and virtual borders.',
    "HSI is committed to identifying and disrupting the movement of illicit proceeds generated by these criminal organizations and activities in an effort to safeguard our nation's trade, travel and financial systems.",
    'Our workforce maintains effective relationships throughout the global law enforcement community and works closely with our domestic and international partners at every level to ensure the safety of all Americans.',
    'HSI is the largest contributor to the FBI-led Joint Terrorism Task Forces and employs its unique and exclusive immigration and trade-based authorities to disrupt terrorist networks and prevent attacks against the homeland. This work includes HSI initiating investigations into transnational criminal organizations and subjects of national security concern or interest who are involved in narcotics smuggling, human trafficking and smuggling, and immigration document and benefit fraud, as well as investigating trade-based money laundering and intellectual property crimes used to finance or support terrorists or their activities. HSI is also responsible for preventing terrorist groups, illicit procurement networks, and hostile nations from acquiring U.S. military hardware, sensitive technical data, dual-use technology, and other materials used to develop weapons of mass destruction.',
    'Browse through the Investigations categories under the “Combatting Transnational Crime” drop-down menu to learn more.',
])

# -- The source, sentence by sentence ------------------------------------------------

# A sentence ends at . ! or ? followed by a space and a capital letter (or an
# opening quotation mark), except after an initialism such as "U.S.", which the
# source also uses inside sentences ("U.S. military hardware"). Paragraph ends
# always end a sentence.
SENTENCE_BREAK = re.compile(r"(?<=[.!?])(?<![A-Z]\.[A-Z]\.)\s+(?=[\"“]?[A-Z])")
QUOTE_MARKS = re.compile(r"[\"'“”‘’]")


def split_sentences(text: str) -> list[str]:
    sentences = []
    for paragraph in text.splitlines():
        sentences += [s.strip() for s in SENTENCE_BREAK.split(paragraph) if s.strip()]
    return sentences


def comparable(text: str) -> str:
    """Text as compared: quotation marks and apostrophes dropped, spaces collapsed.

    An item may quote words that the source itself puts in quotation marks;
    the item then writes them with single quotes inside its own double ones.
    """
    return " ".join(QUOTE_MARKS.sub("", text).split())


# -- The map and the labels, read with MyST's parser -------------------------------------


@lru_cache(maxsize=1)
def parser() -> MarkdownIt:
    """MyST's markdown-it parser, with the syntax extensions conf.py enables."""
    tree = ast.parse((ROOT / "conf.py").read_text(encoding="utf-8"))
    extensions = next(
        ast.literal_eval(node.value) for node in tree.body
        if isinstance(node, ast.Assign)
        and any(getattr(t, "id", None) == "myst_enable_extensions" for t in node.targets)
    )
    return create_md_parser(MdParserConfig(enable_extensions=set(extensions)), RendererHTML)


@dataclass(frozen=True)
class Item:
    line: int  # 1-based, in the map page
    quote: str | None  # the source's words the item starts with
    links: tuple[tuple[str, str], ...]  # (role, target) of each {doc} and {ref}


LEADING_QUOTE = re.compile(r"^\s*[\"“](?P<quote>[^\"”]+)[\"”]")


def map_items(markdown: str) -> list[Item]:
    """The items of the map: the items of the page's ordered lists, in order."""
    tokens = parser().parse(markdown)
    items = []
    ordered = []  # for each open list, whether it is ordered
    for index, token in enumerate(tokens):
        if token.type in {"ordered_list_open", "bullet_list_open"}:
            ordered.append(token.type == "ordered_list_open")
        elif token.type in {"ordered_list_close", "bullet_list_close"}:
            ordered.pop()
        elif token.type == "list_item_open" and ordered[-1] and len(ordered) == 1:
            inline = next(t for t in tokens[index:] if t.type == "inline")
            children = inline.children or []
            lead = "".join(c.content for c in children[:1] if c.type == "text")
            quote = LEADING_QUOTE.match(lead)
            links = tuple(
                (c.meta["name"], role_target(c.content)) for c in children
                if c.type == "myst_role" and c.meta.get("name") in {"doc", "ref"}
            )
            items.append(Item(token.map[0] + 1, quote.group("quote") if quote else None, links))
    return items


def role_target(content: str) -> str:
    match = EXPLICIT_TARGET.match(content)
    return match.group("target") if match else content


def page_names(docs: Path) -> set[str]:
    return {p.relative_to(docs).with_suffix("").as_posix()
            for p in docs.rglob("*.md") if p.name != "README.md"}


def section_labels(docs: Path) -> dict[str, str]:
    """Each label placed before a heading, (label)=, with the page it is on."""
    labels = {}
    for name in sorted(page_names(docs)):
        tokens = parser().parse((docs / f"{name}.md").read_text(encoding="utf-8"))
        for token, after in zip(tokens, tokens[1:]):
            if token.type == "myst_target" and after.type == "heading_open":
                labels[token.content.strip()] = name
    return labels


def resolve_doc(target: str, from_docname: str) -> str:
    if target.startswith("/"):
        return target.lstrip("/")
    return posixpath.normpath(posixpath.join(posixpath.dirname(from_docname), target))


# -- The check -------------------------------------------------------------------------


def short(sentence: str, words: int = 8) -> str:
    return " ".join(sentence.split()[:words]) + " ..."


def check_source_map(sentences: list[str], docs: Path) -> list[str]:
    """Every problem of the map in docs/, one line each: file:line: [rule] what, how to fix."""
    path = f"docs/{MAP_DOCNAME}.md"
    items = map_items((docs / f"{MAP_DOCNAME}.md").read_text(encoding="utf-8"))
    pages = page_names(docs)
    labels = section_labels(docs)
    problems = []
    matched: list[tuple[Item, int]] = []
    for item in items:
        where = f"{path}:{item.line}"
        if item.quote is None:
            problems.append(f"{where}: [map-no-quote] the item does not start with the source's "
                            "words in quotation marks. Start it with a few words of its sentence.")
        elif len(item.quote.split()) < 3:
            problems.append(f"{where}: [map-quote-short] \"{item.quote}\" is too short to name one "
                            "sentence. Quote at least three words.")
        else:
            hits = [i for i, s in enumerate(sentences) if comparable(item.quote) in comparable(s)]
            if not hits:
                problems.append(f"{where}: [map-quote-not-in-source] \"{item.quote}\" is not in any "
                                "sentence of the source. Quote the source's words exactly.")
            elif len(hits) > 1:
                problems.append(f"{where}: [map-quote-ambiguous] \"{item.quote}\" is in sentences "
                                f"{', '.join(str(i + 1) for i in hits)}. Quote words that only one has.")
            else:
                matched.append((item, hits[0]))
        problems += link_problems(item, where, pages, labels)

    counts = Counter(index for _, index in matched)
    for index, sentence in enumerate(sentences):
        if counts[index] == 0:
            problems.append(f"{path}: [map-sentence-missing] source sentence {index + 1} has no item: "
                            f"\"{short(sentence)}\". Add an item that quotes a few of its words.")
        elif counts[index] > 1:
            lines = ", ".join(str(item.line) for item, i in matched if i == index)
            problems.append(f"{path}: [map-sentence-repeated] source sentence {index + 1} has "
                            f"{counts[index]} items (lines {lines}). Keep one.")
    for (_, before), (item, after) in zip(matched, matched[1:]):
        if after < before:
            problems.append(f"{path}:{item.line}: [map-order] the item for source sentence {after + 1} "
                            f"comes after the one for sentence {before + 1}. Keep the source's order.")
    return problems


def link_problems(item: Item, where: str, pages: set[str], labels: dict[str, str]) -> list[str]:
    if not item.links:
        return [f"{where}: [map-no-link] the item links to no chapter. Add {{doc}} and {{ref}} "
                "links to where the handbook explains its sentence."]
    problems = []
    chapters = set()
    for role, target in item.links:
        if role == "doc":
            name = resolve_doc(target, MAP_DOCNAME)
            if name in pages:
                chapters.add(name)
            else:
                problems.append(f"{where}: [map-doc-missing] {{doc}} target {target!r} is not a page "
                                "in docs/. Fix the path.")
    for role, target in item.links:
        if role != "ref":
            continue
        if target not in labels:
            problems.append(f"{where}: [map-label-missing] {{ref}} target {target!r} is not a label "
                            "before a heading in docs/. Put (label)= before the section, or fix the name.")
        elif labels[target] not in chapters:
            problems.append(f"{where}: [map-label-elsewhere] section {target!r} is in "
                            f"{labels[target]}, which the item does not link with {{doc}}. "
                            "Link that chapter, or the section in the linked one.")
    return problems


# -- The real map ----------------------------------------------------------------------


def test_the_copy_of_the_source_is_exact():
    if not SEED.exists():
        pytest.skip(f"the original source is not on this machine ({SEED})")
    assert SOURCE == SEED.read_text(encoding="utf-8").rstrip("\n")


def test_the_source_has_21_sentences_split_at_their_ends():
    sentences = split_sentences(SOURCE)
    assert len(sentences) == 21
    assert comparable(" ".join(sentences)) == comparable(SOURCE)
    assert all(s[0].isupper() and s.endswith(".") for s in sentences)
    assert sentences[0].startswith("Securing our nation's borders")
    assert sentences[9].endswith("who are now at-large in the U.S.")
    assert sentences[19].startswith("HSI is also responsible") and "U.S. military" in sentences[19]


def test_sentences_split_at_ends_but_not_after_initialisms():
    text = "One ends here. Two is in the U.S. Army? Three.\nA \"quoted\" one. “Four” starts with a quote."
    assert split_sentences(text) == [
        "One ends here.", "Two is in the U.S. Army?", "Three.", 'A "quoted" one.',
        "“Four” starts with a quote.",
    ]


def test_every_source_sentence_has_one_item_in_order_and_every_link_leads_somewhere():
    problems = check_source_map(split_sentences(SOURCE), DOCS)
    assert problems == [], "\n".join(problems)


def test_the_map_is_read_as_one_item_per_sentence():
    items = map_items((DOCS / f"{MAP_DOCNAME}.md").read_text(encoding="utf-8"))
    assert len(items) == len(split_sentences(SOURCE))
    assert all(item.quote and item.links for item in items)


# -- Each rule catches its bad case, on a copy of docs/ -----------------------------------------


@pytest.fixture
def docs_copy(tmp_path: Path) -> Path:
    copy = tmp_path / "docs"
    shutil.copytree(DOCS, copy)
    return copy


def map_lines(docs: Path) -> list[str]:
    return (docs / f"{MAP_DOCNAME}.md").read_text(encoding="utf-8").splitlines(keepends=True)


def write_map(docs: Path, lines: list[str]) -> None:
    (docs / f"{MAP_DOCNAME}.md").write_text("".join(lines), encoding="utf-8")


def item_line_indexes(docs: Path) -> list[int]:
    return [item.line - 1 for item in map_items("".join(map_lines(docs)))]


def edit_page(docs: Path, docname: str, old: str, new: str) -> None:
    page = docs / f"{docname}.md"
    text = page.read_text(encoding="utf-8")
    assert old in text, f"{old!r} is not in {docname}"
    page.write_text(text.replace(old, new, 1), encoding="utf-8")


def problems_of(docs: Path) -> str:
    return "\n".join(check_source_map(split_sentences(SOURCE), docs))


@pytest.mark.parametrize("removed", range(21))
def test_removing_any_item_leaves_its_sentence_without_one(docs_copy, removed):
    lines = map_lines(docs_copy)
    del lines[item_line_indexes(docs_copy)[removed]]
    write_map(docs_copy, lines)
    problems = problems_of(docs_copy)
    assert f"[map-sentence-missing] source sentence {removed + 1} has no item" in problems, problems


def test_two_items_out_of_order_are_caught(docs_copy):
    lines = map_lines(docs_copy)
    first, second = item_line_indexes(docs_copy)[2:4]
    lines[first], lines[second] = lines[second], lines[first]
    write_map(docs_copy, lines)
    assert "[map-order] the item for source sentence 3 comes after the one for sentence 4" in problems_of(docs_copy)


def test_a_repeated_item_is_caught(docs_copy):
    lines = map_lines(docs_copy)
    index = item_line_indexes(docs_copy)[5]
    lines.insert(index + 1, lines[index])
    write_map(docs_copy, lines)
    assert "[map-sentence-repeated] source sentence 6 has 2 items" in problems_of(docs_copy)


def test_a_quote_that_is_not_the_source_is_caught(docs_copy):
    edit_page(docs_copy, MAP_DOCNAME, '"a primary focus of ICE officers and agents"',
              '"the main focus of ICE officers and agents"')
    problems = problems_of(docs_copy)
    assert "[map-quote-not-in-source]" in problems
    assert "[map-sentence-missing] source sentence 1 has no item" in problems


def test_a_quote_found_in_two_sentences_is_caught(docs_copy):
    edit_page(docs_copy, MAP_DOCNAME, '"the largest single area of responsibility for ERO"',
              '"the largest single area of responsibility"')
    assert "[map-quote-ambiguous] \"the largest single area of responsibility\" is in sentences 2, 13" in problems_of(docs_copy)


def test_a_short_or_missing_quote_is_caught(docs_copy):
    edit_page(docs_copy, MAP_DOCNAME, '"priority undocumented individuals"', '"priority"')
    edit_page(docs_copy, MAP_DOCNAME, '"in the shared responsibility": ', "")
    problems = problems_of(docs_copy)
    assert "[map-quote-short]" in problems and "[map-no-quote]" in problems


def test_a_missing_label_or_page_is_caught(docs_copy):
    edit_page(docs_copy, MAP_DOCNAME, "{ref}`tc-hsi`", "{ref}`tc-nowhere`")
    edit_page(docs_copy, MAP_DOCNAME, "{doc}`../transnational-crime/cybercrime`",
              "{doc}`../transnational-crime/cyber-crime`")
    problems = problems_of(docs_copy)
    assert "[map-label-missing] {ref} target 'tc-nowhere'" in problems
    assert "[map-doc-missing] {doc} target '../transnational-crime/cyber-crime'" in problems


def test_a_section_that_loses_its_label_is_caught(docs_copy):
    # A chapter rewritten without the section the map points to.
    edit_page(docs_copy, "immigration-enforcement/overview", "(ie-interior)=\n", "")
    assert "[map-label-missing] {ref} target 'ie-interior'" in problems_of(docs_copy)


def test_a_section_in_another_chapter_than_the_item_names_is_caught(docs_copy):
    edit_page(docs_copy, MAP_DOCNAME, "{doc}`../transnational-crime/overview`: {ref}`tc-hsi`",
              "{doc}`../transnational-crime/partnerships`: {ref}`tc-hsi`")
    assert "[map-label-elsewhere] section 'tc-hsi' is in transnational-crime/overview" in problems_of(docs_copy)


def test_an_item_without_links_is_caught(docs_copy):
    edit_page(docs_copy, MAP_DOCNAME, " See {doc}`../transnational-crime/overview`: {ref}`tc-aim`.", "")
    assert "[map-no-link]" in problems_of(docs_copy)
