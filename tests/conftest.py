"""Shared fixtures: the real handbook, built once per test session.

Like pydata-sphinx-theme's tests, the suite builds once and asserts on the
parsed output. The build runs `make all` into a fresh folder, so the tests see
exactly what a reader gets. Set HANDBOOK_TEST_BUILDDIR to reuse a folder
between runs while working on the tests (make rebuilds only what changed).
"""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
LANGUAGE = os.environ.get("LANGUAGE_UNDER_TEST", "en")
STEM = f"ice-mission-areas-{LANGUAGE}"
sys.path.insert(0, str(ROOT / "_ext"))
sys.path.insert(0, str(ROOT / "scripts"))


@dataclass(frozen=True)
class Outputs:
    build_dir: Path
    html: Path  # the site's folder
    pdf: Path
    large_print_pdf: Path
    epub: Path


def run_make(build_dir: Path, *targets: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        ["make", "--no-print-directory", *targets, f"BUILDDIR={build_dir}", f"LANGUAGE={LANGUAGE}"],
        cwd=ROOT, capture_output=True, text=True,
    )


def pytest_collection_modifyitems(items) -> None:
    """A test that needs the built handbook is slow, wherever it is: `make test-fast` leaves it out."""
    for item in items:
        if "outputs" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.slow)


@pytest.fixture(scope="session")
def outputs(tmp_path_factory) -> Outputs:
    build_dir = Path(os.environ.get("HANDBOOK_TEST_BUILDDIR") or tmp_path_factory.mktemp("build"))
    done = run_make(build_dir, "all")
    if done.returncode != 0:
        pytest.fail(f"`make all` failed:\n{done.stdout}\n{done.stderr}", pytrace=False)
    return Outputs(
        build_dir=build_dir,
        html=build_dir / "html",
        pdf=build_dir / "pdf" / f"{STEM}.pdf",
        large_print_pdf=build_dir / "pdf" / f"{STEM}-large-print.pdf",
        epub=build_dir / "epub" / f"{STEM}.epub",
    )


@pytest.fixture(scope="session")
def html_pages(outputs) -> list[Path]:
    """Every page of the site that a reader can open (not theme files in _static)."""
    return sorted(
        page for page in outputs.html.rglob("*.html")
        if not page.relative_to(outputs.html).parts[0].startswith("_")
    )
