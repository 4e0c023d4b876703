"""Shared fixtures: the real handbook, every edition, built once per test session.

Like pydata-sphinx-theme's tests, the suite builds once and asserts on the
parsed output. The build runs `make all` into a fresh folder, so the tests see
exactly what a reader gets: the English and the Spanish editions in every format.
``outputs`` is one edition: every test that uses it runs on each edition (test ids
``[en]`` and ``[es]``). Set HANDBOOK_TEST_BUILDDIR to reuse a folder between runs
while working on the tests (make rebuilds only what changed), and HANDBOOK_DRAFT=1
to build while a translation is incomplete.

What readers see depends on the edition's language; tests look the expected words
up where the build does (``translator``, ``translated``), not in English.
"""

from __future__ import annotations

import gettext
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "_ext"))
sys.path.insert(0, str(ROOT / "scripts"))

from handbook import LOCALES  # noqa: E402
from handbook.common.editions import SOURCE_LANGUAGE, site_folder  # noqa: E402
from handbook.common.translations import CATALOGUE, catalogue_path, translations_for  # noqa: E402

# The editions `make` builds (the Makefile's HANDBOOK_LANGUAGES): every one is tested.
LANGUAGES = ("en", "es")
BASENAME = "ice-mission-areas"


def pytest_configure(config):
    config.addinivalue_line(
        "markers", "fresh: makes a fresh Debian chroot (minutes, as root); runs only with `-m fresh` (.ci/run)")


def pytest_collection_modifyitems(config, items):
    """A test that needs the built handbook is slow, wherever it is: `make test-fast` leaves it out.
    The `fresh` tests are left out unless the `-m` expression names them."""
    for item in items:
        if {"outputs", "build"} & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.slow)
    if "fresh" in config.option.markexpr:
        return
    fresh = [item for item in items if item.get_closest_marker("fresh")]
    if fresh:
        config.hook.pytest_deselected(items=fresh)
        items[:] = [item for item in items if not item.get_closest_marker("fresh")]


@dataclass(frozen=True)
class Outputs:
    build_dir: Path
    language: str
    site: Path  # the web site, with every edition and the downloads
    html: Path  # this edition's folder of the site
    pdf: Path
    large_print_pdf: Path
    epub: Path
    brf: Path  # braille ASCII
    braille_txt: Path  # the same pages in Unicode braille

    @property
    def stem(self) -> str:
        return f"{BASENAME}-{self.language}"

    @property
    def downloads(self) -> tuple[Path, ...]:
        return (self.pdf, self.large_print_pdf, self.epub, self.brf, self.braille_txt)

    @property
    def page_map(self) -> Path:
        """Where the print PDF's pages start (published beside the PDF; the EPUB and braille read it)."""
        return self.build_dir / "pdf" / f"{self.stem}-pages.json"

    @property
    def other_editions(self) -> list[str]:
        """The top-level folders of the site that hold other editions than this one."""
        return [site_folder(other).rstrip("/") for other in LANGUAGES if other != self.language and site_folder(other)]


def outputs_of(build_dir: Path, language: str) -> Outputs:
    stem = f"{BASENAME}-{language}"
    return Outputs(
        build_dir=build_dir,
        language=language,
        site=build_dir / "html",
        html=build_dir / "html" / site_folder(language),
        pdf=build_dir / "pdf" / f"{stem}.pdf",
        large_print_pdf=build_dir / "pdf" / f"{stem}-large-print.pdf",
        epub=build_dir / "epub" / f"{stem}.epub",
        brf=build_dir / "braille" / f"{stem}.brf",
        braille_txt=build_dir / "braille" / f"{stem}-braille.txt",
    )


def run_make(build_dir: Path, *targets: str, languages=LANGUAGES, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    return subprocess.run(
        ["make", "--no-print-directory", *targets, f"BUILDDIR={build_dir}",
         f"HANDBOOK_LANGUAGES={' '.join(languages)}", f"VENV={ROOT / '.venv'}"],
        cwd=cwd, capture_output=True, text=True,
    )



@pytest.fixture(scope="session")
def build(tmp_path_factory) -> Path:
    """The build folder of one `make all`: every edition, every format."""
    build_dir = Path(os.environ.get("HANDBOOK_TEST_BUILDDIR") or tmp_path_factory.mktemp("build"))
    done = run_make(build_dir, "all")
    if done.returncode != 0:
        pytest.fail(f"`make all` failed:\n{done.stdout}\n{done.stderr}", pytrace=False)
    return build_dir


@pytest.fixture(scope="session", params=LANGUAGES)
def outputs(request, build) -> Outputs:
    """One edition of the session's build; a test that uses it runs on every edition."""
    return outputs_of(build, request.param)


def edition_pages(outputs: Outputs) -> list[Path]:
    """Every page of the edition that a reader can open (not theme files, not other editions)."""
    skip = set(outputs.other_editions)
    return sorted(
        page for page in outputs.html.rglob("*.html")
        if not page.relative_to(outputs.html).parts[0].startswith("_")
        and page.relative_to(outputs.html).parts[0] not in skip
    )


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium for the whole session: one Playwright per process, shared by every test that drives it."""
    from playwright.sync_api import sync_playwright

    from browser import launch

    with sync_playwright() as playwright:
        chromium = launch(playwright)
        yield chromium
        chromium.close()


@pytest.fixture(scope="session")
def html_pages(outputs) -> list[Path]:
    return edition_pages(outputs)


def copy_sources(dest: Path) -> Path:
    """The working tree as git sees it (tracked and new files), with its history and remote.

    The history comes from a clone at the same commit (the checkout may be a git worktree,
    whose .git is a file); the files from the working tree, changes included.
    """
    git = ["git", "-C", str(ROOT)]
    subprocess.run(["git", "clone", "--quiet", "--no-checkout", "--shared", str(ROOT), str(dest)], check=True)
    origin = subprocess.run([*git, "remote", "get-url", "origin"], capture_output=True, text=True).stdout.strip()
    if origin:
        subprocess.run(["git", "-C", str(dest), "remote", "set-url", "origin", origin], check=True)
    else:
        subprocess.run(["git", "-C", str(dest), "remote", "remove", "origin"], check=True)
    files = subprocess.run([*git, "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
                           capture_output=True, text=True, check=True).stdout.split("\0")
    for name in filter(None, files):
        source = ROOT / name
        if source.is_file():
            (dest / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, dest / name)
    subprocess.run(["git", "-C", str(dest), "reset", "--quiet"], check=True)  # the index, as in a checkout
    return dest


# -- The words an edition shows ---------------------------------------------------------


@lru_cache(maxsize=None)
def translator(language: str) -> Callable[[str], str]:
    """``_`` as the build's templates have it: the handbook catalogue, then Sphinx's, then the theme's."""
    import pydata_sphinx_theme
    import sphinx

    ours = translations_for(language)
    sphinx_own = gettext.translation("sphinx", Path(sphinx.__file__).parent / "locale", [language], fallback=True)
    sphinx_own.add_fallback(gettext.translation(
        "sphinx", Path(pydata_sphinx_theme.__file__).parent / "locale", [language], fallback=True))
    ours.add_fallback(sphinx_own)
    return ours.gettext


@lru_cache(maxsize=None)
def _page_messages(language: str, domain: str) -> dict[str, str]:
    from babel.messages.pofile import read_po

    path = catalogue_path(LOCALES, language, domain)
    with path.open("rb") as source:
        catalog = read_po(source)
    return {m.id: m.string for m in catalog if m.id and m.string and not m.fuzzy}


def translated(language: str, text: str, docname: str) -> str:
    """A page's text as the edition shows it: its catalogue's translation (a draft keeps the English)."""
    if language == SOURCE_LANGUAGE:
        return text
    return _page_messages(language, docname).get(text, text)


def handbook_words(language: str) -> dict[str, str]:
    """Every message of the handbook catalogue, translated (for an edition without one: as written)."""
    if language == SOURCE_LANGUAGE:
        return {}
    return _page_messages(language, CATALOGUE)
