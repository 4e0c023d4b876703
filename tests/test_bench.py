"""scripts/bench.py: the synthetic handbook builds cleanly; the benchmark runs end to end.

A smoke run only: no timing is asserted (speed is reported by `make bench`).
"""

from __future__ import annotations

import subprocess
import sys

import pytest

import bench
from conftest import ROOT

# The synthetic handbook is checked with every `make test` (slow: one builds it), so that
# a new house rule it breaks is found at once; the end-to-end run is `make test-bench`'s.
pytestmark = pytest.mark.slow


def test_generated_handbook_has_the_copies_and_their_features(tmp_path):
    docs = bench.generate_handbook(ROOT / "docs", tmp_path / "docs", 3)
    originals = len(list((ROOT / "docs").rglob("*.md")))
    copies = list(docs.rglob("*-copy*.md"))
    # Every page but the landing page and the glossary is repeated twice.
    assert len(copies) == 2 * (originals - 2)
    page = copies[0].read_text()
    for feature in ("| --- |", "[^copy", "{figure}", "{term}", "{doc}", "(copy "):
        assert feature in page, feature
    related = [p for p in copies if "## Related" in p.read_text()]
    assert related and all(p.read_text().rindex("## Features of copy") < p.read_text().index("## Related")
                           for p in related), "the Related section stays last"


def test_generated_handbook_builds_without_warnings(tmp_path):
    tree = tmp_path / "tree"
    tree.mkdir()
    (tree / "CONTRIBUTING.md").write_text((ROOT / "CONTRIBUTING.md").read_text())
    docs = bench.generate_handbook(ROOT / "docs", tree / "docs", 2)
    done = subprocess.run(
        bench.sphinx_command("html", ROOT, docs, tmp_path / "html", strict=True),
        capture_output=True, text=True,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stderr == ""


@pytest.mark.bench
def test_benchmark_runs_end_to_end_at_1x(tmp_path):
    results = tmp_path / "results.md"
    done = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "bench.py"), "--sizes", "1", "--runs", "1",
         "--serve-sizes", "1", "--no-suite", "--output", str(results)],
        capture_output=True, text=True, timeout=2400,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    text = results.read_text()
    for row in ("| 1x | html |", "| 1x | pdf |", "| 1x | epub |", "| ours |", "| stock sphinx-book-theme |",
                "| `make` from clean", '| `make braille HANDBOOK_LANGUAGES="es"` from clean', "| `make` after",
                "every file byte-identical", "| 1x | ", "## Targets"):
        assert row in text, row
    assert "failed or timed out" not in text
