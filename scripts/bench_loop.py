"""The contributor's side of `make bench`: the README's commands, run in a clone of the checkout.

In a git clone of HEAD (the project's venv and node packages lent to it, installed
beforehand and not timed) it measures what a contributor waits for:

- a clean `make` of every edition, and each edition's formats on their own;
- `make` after a one-sentence edit to one chapter (and its translation), and
  whether its outputs are the bytes a clean build of the same sources makes;
- `make pdf` of one language beside sphinx-simplepdf on the same sources;
- `make serve`: its first build, and how soon an edited sentence is in the
  served page, at 1x and at a larger size;
- `make test-fast` and `make test`.

Used by scripts/bench.py, which writes the figures into benchmarks/results.md.
"""

from __future__ import annotations

import hashlib
import http.client
import os
import shutil
import signal
import socket
import statistics
import subprocess
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from babel.messages.pofile import read_po, write_po

# The chapter every edit goes to, and the sentence added to its first one-line paragraph.
EDITED_PAGE = Path("transnational-crime") / "partnerships"
ADDED = {
    "en": "This sentence was added to measure a rebuild.",
    "es": "Esta frase se añadió para medir una recompilación.",
}
OUTPUT_FOLDERS = ("html", "pdf", "epub", "braille")


# What `make bench` exports to its commands (the Makefile's exports and make's own): the
# clone's commands run as a contributor's would, without them.
OUTER_MAKE = ("MAKEFLAGS", "MFLAGS", "MAKELEVEL", "MAKEOVERRIDES", "SOURCE_DATE_EPOCH",
              "HANDBOOK_LANGUAGES", "HANDBOOK_DRAFT", "HANDBOOK_PAPER")
CLEAN_ENV = {name: None for name in OUTER_MAKE}


def clean_environment() -> dict[str, str]:
    return {name: value for name, value in os.environ.items() if name not in OUTER_MAKE}


@dataclass
class Clone:
    """A clone of the checkout, built with the project's venv, and the make command for it."""

    path: Path
    venv: Path
    languages: tuple[str, ...]

    def make(self, *targets: str, **variables: str) -> list[str]:
        settings = {"VENV": str(self.venv), "HANDBOOK_LANGUAGES": " ".join(self.languages), **variables}
        return ["make", "--no-print-directory", *(f"{k}={v}" for k, v in settings.items()), *targets]


def clone_checkout(root: Path, dest: Path, venv: Path, languages: tuple[str, ...]) -> Clone:
    """Clone HEAD of ``root`` into ``dest``, lend it ``venv``, and install what `make test` needs (not timed)."""
    subprocess.run(["git", "clone", "--quiet", str(root), str(dest)], check=True)
    # The node packages of the checkout, for the same lock file: copied, so that nothing
    # done in the clone can change the checkout's.
    if (root / "node_modules" / ".installed").is_file():
        shutil.copytree(root / "node_modules", dest / "node_modules", symlinks=True)
        (dest / "node_modules" / ".installed").touch()
    # The project's venv, where the clone's tests look for their commands (.venv/bin/outloud).
    (dest / ".venv").symlink_to(venv)
    clone = Clone(dest, dest / ".venv", languages)
    subprocess.run(clone.make("venv", "test-deps"), cwd=dest, check=True, stdout=subprocess.DEVNULL,
                   env=clean_environment())
    return clone


# -- one edit, in the English page and its translation ------------------------------


def add_sentence(text: str, sentence: str, usable=lambda line: True) -> tuple[str, str, str]:
    """``text`` with ``sentence`` added to its first one-line paragraph that ``usable`` accepts.

    Returns the new text, the paragraph as it was, and the paragraph as it is now.
    """
    for line in text.splitlines():
        if line[:1].isalpha() and line.endswith(".") and usable(line):
            edited = f"{line} {sentence}"
            return text.replace(f"\n{line}\n", f"\n{edited}\n", 1), line, edited
    raise RuntimeError("no one-line paragraph to add a sentence to")


def edit_clone(clone: Clone) -> None:
    """Add a sentence to EDITED_PAGE, and its translation to every translation's catalogue.

    The editions stay complete, as after a contributor's change that the
    translators have caught up with.
    """
    page = clone.path / "docs" / EDITED_PAGE.with_suffix(".md")
    catalogues = {}
    for language in clone.languages:
        if language != "en":
            po = clone.path / "locales" / language / "LC_MESSAGES" / EDITED_PAGE.with_suffix(".po")
            with po.open("rb") as file:
                catalogues[po] = (language, read_po(file))

    def translated(line: str) -> bool:
        return all(catalogue.get(line) is not None and catalogue[line].string
                   for _, catalogue in catalogues.values())

    text, before, after = add_sentence(page.read_text(encoding="utf-8"), ADDED["en"], translated)
    page.write_text(text, encoding="utf-8")
    for po, (language, catalogue) in catalogues.items():
        message = catalogue[before]
        catalogue.delete(before)
        catalogue.add(after, f"{message.string} {ADDED[language]}", locations=message.locations, flags=message.flags)
        with po.open("wb") as file:
            write_po(file, catalogue, width=76)


def outputs_digest(clone: Clone) -> dict[str, str]:
    """SHA-256 of every output file, by path under _build."""
    build = clone.path / "_build"
    digests = {}
    for folder in OUTPUT_FOLDERS:
        for path in sorted((build / folder).rglob("*")):
            if path.is_file():
                digests[str(path.relative_to(build))] = hashlib.sha256(path.read_bytes()).hexdigest()
    return digests


# -- make serve ----------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _page_text(url: str) -> str | None:
    """The page as served now; None while the server is not up or the page is being rewritten.

    A rebuild rewrites the page in place: the server may announce its old length and
    then find it shorter (IncompleteRead), as a reader reloading mid-build would.
    """
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return response.read().decode("utf-8", "replace")
    except (urllib.error.URLError, http.client.IncompleteRead, ConnectionError, TimeoutError):
        return None


def wait_for(url: str, needle: str, timeout: float, process: subprocess.Popen, log: Path) -> float:
    """Seconds until the page at ``url`` contains ``needle``, polled every 20 ms."""
    start = time.perf_counter()
    while time.perf_counter() - start < timeout:
        if process.poll() is not None:
            raise RuntimeError(f"make serve ended ({process.returncode}):\n{log.read_text()[-3000:]}")
        text = _page_text(url)
        if text is not None and needle in text:
            return time.perf_counter() - start
        time.sleep(0.02)
    raise RuntimeError(f"{url} did not show {needle!r} within {timeout:.0f} s")


@dataclass
class PreviewLoop:
    first_serve: float  # seconds from `make serve` to the first page served
    edits: list[float] = field(default_factory=list)  # seconds from a saved edit to the page showing it

    @property
    def edit(self) -> float:
        return statistics.median(self.edits)


def launch_chromium(playwright):
    """Debian's Chromium, headless, with nothing of its own on the network."""
    return playwright.chromium.launch(
        executable_path="/usr/bin/chromium",
        args=["--no-sandbox", "--disable-gpu", "--disable-background-networking",
              "--disable-component-update", "--no-first-run", "--disable-sync"],
    )


def preview_loop(clone: Clone, edits: int, timeout: float) -> PreviewLoop:
    """Start `make serve` in the clone, open the chapter in Chromium, then edit it ``edits`` times.

    An edit counts as shown when the open page, reloaded by sphinx-autobuild's
    script once the rebuild is over, has the new sentence: what the contributor sees.
    """
    from playwright.sync_api import sync_playwright

    port = free_port()
    page_file = clone.path / "docs" / EDITED_PAGE.with_suffix(".md")
    url = f"http://127.0.0.1:{port}/{EDITED_PAGE.as_posix()}.html"
    original = page_file.read_text(encoding="utf-8")
    log = clone.path / "_build" / "serve.log"
    log.parent.mkdir(exist_ok=True)
    with log.open("w") as output:  # a file, not a pipe: a full pipe would stop the server
        process = subprocess.Popen(
            clone.make("serve", SPHINXOPTS=f"--port {port} --no-color"), cwd=clone.path, env=clean_environment(),
            stdout=output, stderr=subprocess.STDOUT, start_new_session=True,
        )
    try:
        loop = PreviewLoop(first_serve=wait_for(url, "</html>", timeout, process, log))
        with sync_playwright() as playwright:
            browser = launch_chromium(playwright)
            page = browser.new_page()
            page.goto(url, wait_until="load")
            for number in range(1, edits + 1):
                sentence = f"Edit number {number} of the preview benchmark."
                time.sleep(1.0)  # the watcher settles after the last build
                start = time.perf_counter()
                page_file.write_text(add_sentence(original, sentence)[0], encoding="utf-8")
                page.wait_for_function("s => document.body && document.body.innerText.includes(s)",
                                       arg=sentence, timeout=timeout * 1000, polling=20)
                loop.edits.append(time.perf_counter() - start)
            browser.close()
        return loop
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
        page_file.write_text(original, encoding="utf-8")


# -- all of it ----------------------------------------------------------------------


@dataclass
class LoopResults:
    clean_make: object  # bench.Run of a clean `make`, every edition
    formats: dict[tuple[str, str], object] = field(default_factory=dict)  # (language, target) -> Run
    edit_make: object = None  # Run of `make` after the one-sentence edit
    differing: list[str] = field(default_factory=list)  # outputs that differ from a clean build's
    make_pdf: list = field(default_factory=list)  # Runs of a clean `make pdf`, one language
    simplepdf: list = field(default_factory=list)  # Runs of sphinx-simplepdf on the same sources
    preview: dict[int, PreviewLoop] = field(default_factory=dict)  # by size
    tests: dict[str, tuple[object, str]] = field(default_factory=dict)  # target -> (Run, pytest's last line)


def _timed(measure, clone: Clone, command: list[str], timeout: float):
    run, done = measure(command, clone.path, timeout, CLEAN_ENV)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed ({done.returncode}):\n{done.stdout[-3000:]}")
    return run, done


def _clean(clone: Clone) -> None:
    subprocess.run(clone.make("clean"), cwd=clone.path, check=True, stdout=subprocess.DEVNULL,
                   env=clean_environment())


def run_loop(root: Path, work: Path, *, measure, generate_handbook, simplepdf_command, runs: int,
             serve_sizes: list[int], suite: bool, timeout: float) -> LoopResults:
    """Every measurement of this module, in a clone of ``root`` made under ``work``.

    bench.py lends its tools: ``measure(command, cwd, timeout, extra_env)``, ``generate_handbook``
    and ``simplepdf_command(srcdir, outdir)``, the stock PDF build it times too.
    """
    clone = clone_checkout(root, work / "clone", root / ".venv", ("en", "es"))
    results = LoopResults(clean_make=_timed(measure, clone, clone.make(), timeout)[0])
    print(f"clean make: {results.clean_make.seconds:.1f} s", flush=True)

    # One sentence edited right after that `make`, as a contributor edits after a `make` (not
    # after builds of one edition, made with other settings), then `make`; then the same
    # sources built from clean, to compare.
    edit_clone(clone)
    results.edit_make = _timed(measure, clone, clone.make(), timeout)[0]
    print(f"make after a one-sentence edit: {results.edit_make.seconds:.1f} s", flush=True)
    after_edit = outputs_digest(clone)
    _clean(clone)
    _timed(measure, clone, clone.make(), timeout)
    clean = outputs_digest(clone)
    results.differing = sorted(path for path in after_edit.keys() | clean.keys()
                               if after_edit.get(path) != clean.get(path))
    subprocess.run(["git", "checkout", "--quiet", "--", "docs", "locales"], cwd=clone.path, check=True)

    # Each edition's formats on their own, from clean, in the order `make` builds them.
    _clean(clone)
    for language in clone.languages:
        for target in ("pdf", "epub", "braille"):
            command = clone.make(target, HANDBOOK_LANGUAGES=language)
            results.formats[(language, target)] = _timed(measure, clone, command, timeout)[0]
    results.formats[("en es", "html")] = _timed(measure, clone, clone.make("html"), timeout)[0]

    # `make pdf` (one language: two editions) beside sphinx-simplepdf, alternating.
    for _ in range(runs):
        _clean(clone)
        results.make_pdf.append(_timed(measure, clone, clone.make("pdf", HANDBOOK_LANGUAGES="en"), timeout)[0])
        outdir = work / "simplepdf-loop"
        shutil.rmtree(outdir, ignore_errors=True)
        results.simplepdf.append(_timed(measure, clone, simplepdf_command(clone.path / "docs", outdir), timeout)[0])

    # make serve, at each size (the real handbook at 1x, the synthetic one beyond).
    _clean(clone)
    for size in serve_sizes:
        docs = clone.path / "docs"
        if size > 1:
            shutil.rmtree(docs)
            generate_handbook(root / "docs", docs, size)
        results.preview[size] = preview_loop(clone, edits=3, timeout=timeout)
        print(f"make serve at {size}x: first page {results.preview[size].first_serve:.1f} s, "
              f"an edit {results.preview[size].edit:.2f} s", flush=True)
        shutil.rmtree(docs)
        subprocess.run(["git", "checkout", "--quiet", "--", "docs"], cwd=clone.path, check=True)
        shutil.rmtree(clone.path / "_build" / "serve", ignore_errors=True)
        shutil.rmtree(clone.path / "_build" / "doctrees", ignore_errors=True)

    if suite:
        for target in ("test-fast", "test"):
            run, done = measure(clone.make(target, PYTESTOPTS="-rf"), clone.path, timeout * 8, CLEAN_ENV)
            lines = done.stdout.strip().splitlines()
            summary = next((line for line in reversed(lines) if line.startswith("=") and " in " in line), "")
            failures = [line for line in lines if line.startswith("FAILED ")]
            results.tests[target] = (run, summary.strip("= ") if done.returncode == 0
                                     else f"FAILED ({done.returncode}): {summary.strip('= ')}: " + "; ".join(failures))
            print(f"make {target}: {run.seconds:.0f} s, {results.tests[target][1]}", flush=True)
    return results
