"""The pre-commit hooks: the real tools, on the real tree and on files broken on purpose."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ROOT

BIN = Path(sys.executable).parent
CONFIG = (ROOT / ".pre-commit-config.yaml").read_text()


def tracked_text_files() -> list[Path]:
    names = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT, capture_output=True, text=True, check=True,
    ).stdout.split("\0")
    files = []
    for name in filter(None, names):
        path = ROOT / name
        if path.is_file() and b"\0" not in path.read_bytes()[:4096] and path.suffix not in {".ttf", ".svg"}:
            files.append(path)
    return files


def run(tool: str, *args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    return subprocess.run([str(BIN / tool), *args], cwd=cwd, capture_output=True, text=True)


def normalized(requirement: str) -> str:
    """A pin with its name normalised as PyPI does (PEP 503): Foo_Bar==1 -> foo-bar==1."""
    name, _, pinned_version = requirement.partition("==")
    return f"{re.sub(r'[-_.]+', '-', name).lower()}=={pinned_version}"


def test_hook_versions_are_the_tested_ones():
    requirements = (ROOT / "requirements-test.txt").read_text()
    pinned = {normalized(pin) for pin in re.findall(r"^([A-Za-z0-9_.-]+==\S+)$", requirements, re.M)}
    hooks = {normalized(pin) for pin in re.findall(r"additional_dependencies: \[([^\]]+)\]", CONFIG)}
    assert hooks and hooks <= pinned, hooks - pinned


@pytest.mark.parametrize("fixer", ["trailing-whitespace-fixer", "end-of-file-fixer"])
def test_whitespace_hooks_pass_on_the_tree(tmp_path, fixer):
    copies = []
    for path in tracked_text_files():
        copy = tmp_path / path.relative_to(ROOT)
        copy.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, copy)
        copies.append(str(copy))
    done = run(fixer, *copies)
    assert done.returncode == 0, done.stdout  # a fixer exits 1 when it had to change a file


@pytest.mark.parametrize(("fixer", "text"), [
    ("trailing-whitespace-fixer", "A line with a space at its end. \n"),
    ("end-of-file-fixer", "No newline at the end."),
])
def test_whitespace_hooks_catch_the_bad_case(tmp_path, fixer, text):
    page = tmp_path / "page.md"
    page.write_text(text)
    assert run(fixer, str(page)).returncode == 1


def test_spelling_passes_on_the_tree():
    files = [str(p) for p in tracked_text_files() if p.suffix in {".md", ".py", ".html", ".css"}]
    done = run("codespell", "--ignore-words=.codespell-words.txt", *files)
    assert done.returncode == 0, done.stdout


def test_spelling_catches_a_misspelling(tmp_path):
    page = tmp_path / "page.md"
    misspelled = "rec" + "ieve"  # spelled out of parts, or this file would fail its own check
    page.write_text(f"# A page\n\nWe {misspelled} the facts from one source.\n")
    done = run("codespell", f"--ignore-words={ROOT / '.codespell-words.txt'}", str(page))
    assert done.returncode != 0 and misspelled in done.stdout


def test_markdown_lint_passes_on_the_pages():
    done = run("pymarkdown", "--config", ".pymarkdown.json", "scan", "-r", "docs")
    assert done.returncode == 0, done.stdout + done.stderr


def test_markdown_lint_catches_a_bad_heading(tmp_path):
    page = tmp_path / "page.md"
    page.write_text("#A heading without its space\n\nText.\n")
    done = run("pymarkdown", "--config", str(ROOT / ".pymarkdown.json"), "scan", str(page))
    assert done.returncode != 0 and "MD018" in done.stdout
