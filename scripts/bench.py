"""make bench: build speed, memory and page weight, ours beside the plain alternatives.

For each size of a synthetic handbook (the real one at 1x, 5x and 20x its size,
with the same features) and each format, it measures a clean build's time and
peak memory, the PDFs' pages per second, the output sizes, and an incremental
HTML rebuild after a one-line edit. In the same run, on the same sources, it
builds the plain alternatives a user would otherwise pick: the PDF by
sphinx-simplepdf, the EPUB by stock Sphinx, the HTML by stock sphinx-book-theme.
Every figure is the median of --runs alternating runs (ours, theirs, ours, ...).
It loads both landing pages in Chromium and counts the bytes and requests.
Last, in a clone of the checkout, it times the contributor's commands: `make`
from clean and after a one-sentence edit, each edition's formats (Spanish and
braille included), `make pdf` beside sphinx-simplepdf, `make serve`'s preview
loop, `make test-fast` and `make test` (scripts/bench_loop.py).

Writes benchmarks/results.md and prints a summary. Targets are reported, not
asserted: timing belongs in a benchmark, not in a test.
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from importlib.metadata import version
from pathlib import Path

import bench_loop

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "_ext"))
# Where the PDF render writes a profile of each edition's render, when this names a folder;
# the job sphinx-build writes for the render.
from handbook.pdf.render import JOB_NAME, PROFILE_ENVIRONMENT  # noqa: E402
PYTHON = sys.executable
FORMATS = ("html", "pdf", "epub")
OUR_BUILDERS = {"html": "html", "pdf": "pdf", "epub": "epub"}
STOCK_BUILDERS = {"html": "html", "pdf": "simplepdf", "epub": "epub"}
STOCK_NAMES = {"html": "stock sphinx-book-theme", "pdf": "sphinx-simplepdf 1.7.0", "epub": "stock Sphinx EPUB"}
# Everything of ours that a build reads besides docs/.
PROJECT_FILES = ("conf.py", "_ext", "_static", "_templates", "_themes", "locales", "CONTRIBUTING.md")

# A page that exercises what the real chapters may not: a table, a footnote,
# a figure, a glossary term and a cross-reference. Added to every copy, before its
# Related section, in words as plain as the house style asks (the readability rule
# judges the copies too).
FEATURE_SECTION = """

## Features of copy {copy}

This part is a test. It has a table, a note and a map.[^copy{copy}]

| Row | Text |
| --- | --- |
| One | A short cell. |
| Two | One more short cell. |

```{{figure}} {image}
:alt: Diagram of the two mission areas of ICE and their parts, repeated for the benchmark.

The map, once more, in copy {copy}.
```

See {{term}}`money laundering` and {{doc}}`{first_chapter}`.

[^copy{copy}]: This part is in each copy.
"""

STOCK_CONF = """
project = {project!r}
author = "The handbook contributors"
extensions = ["myst_parser", "sphinx_simplepdf"]
myst_enable_extensions = ["colon_fence", "deflist", "attrs_block"]
myst_heading_anchors = 3
html_theme = "sphinx_book_theme"
exclude_patterns = ["_build"]
"""


# -- The synthetic handbook ---------------------------------------------------

TOCTREE = re.compile(r"(```\{toctree\}\n)(.*?)(```)", re.S)


def toctree_entries(block: str) -> list[str]:
    return [line.strip() for line in block.splitlines() if line.strip() and not line.startswith(":")]


def copy_name(entry: str, copy: int) -> str:
    return f"{entry}-copy{copy}"


LABEL = re.compile(r"^\(([\w-]+)\)=$", re.M)


def retitle(text: str, copy: int) -> str:
    """The page's own title and labels, marked as a copy so every title and label stays unique.

    References to the page's own labels follow them; the real pages' references
    (the source map's) keep pointing at the originals.
    """
    text = re.sub(r"^# (.+)$", lambda m: f"# {m.group(1)} (copy {copy})", text, count=1, flags=re.M)
    for label in LABEL.findall(text):
        text = re.sub(rf"^\({re.escape(label)}\)=$", f"({label}-copy{copy})=", text, flags=re.M)
        text = text.replace(f"{{ref}}`{label}`", f"{{ref}}`{label}-copy{copy}`")
    return text


RELATED = re.compile(r"^## Related$", re.M)


def with_feature(text: str, feature: str) -> str:
    """The page with the feature section before its Related section, which stays last (the house style)."""
    related = RELATED.search(text)
    if related is None:
        return text + feature
    return text[:related.start()].rstrip("\n") + feature + "\n" + text[related.start():]


def generate_handbook(docs: Path, dest: Path, factor: int) -> Path:
    """Write the real handbook at ``factor`` times its size into ``dest``.

    Every chapter listed in a toctree is repeated ``factor - 1`` times (the
    glossary once: its terms must stay unique), each copy with a section that
    has a table, a footnote, a figure, a glossary term and a cross-reference.
    """
    shutil.copytree(docs, dest)
    index = (dest / "index.md").read_text(encoding="utf-8")
    first_chapter = None

    def expand(match: re.Match) -> str:
        nonlocal first_chapter
        head, body, tail = match.groups()
        options = [line for line in body.splitlines() if line.startswith(":")]
        entries = toctree_entries(body)
        expanded = []
        for entry in entries:
            expanded.append(entry)
            if entry.endswith("glossary"):
                continue
            first_chapter = first_chapter or entry
            source = (dest / f"{entry}.md").read_text(encoding="utf-8")
            for copy in range(2, factor + 1):
                page = dest / f"{copy_name(entry, copy)}.md"
                image = os.path.relpath(dest / "images" / "mission-areas.svg", page.parent)
                feature = FEATURE_SECTION.format(
                    copy=copy, image=image, first_chapter="/" + first_chapter
                )
                page.write_text(with_feature(retitle(source, copy), feature), encoding="utf-8")
                expanded.append(copy_name(entry, copy))
        return head + "\n".join(options) + "\n\n" + "\n".join(expanded) + "\n" + tail

    (dest / "index.md").write_text(TOCTREE.sub(expand, index), encoding="utf-8")
    return dest


# -- Measuring ------------------------------------------------------------------

# The environment of the builds of the project's copy (main() sets the edition date).
COPY_ENV: dict[str, str] = {}


@dataclass
class Run:
    seconds: float
    peak_memory: int  # bytes, summed over the process tree (see tree_memory)
    cpu_seconds: float = 0.0  # user + system, of the process and its children
    output_bytes: int = 0
    pages: int = 0


@dataclass
class Series:
    runs: list[Run] = field(default_factory=list)
    failed: str = ""

    def median(self, attribute: str) -> float:
        return statistics.median(getattr(run, attribute) for run in self.runs) if self.runs else float("nan")


def tree_memory(pid: int) -> int:
    """Memory of a process and all its descendants, summed, in bytes.

    Each process counts its proportional set size (PSS): a page shared by
    forked processes is split between them rather than counted once per
    process, as summing RSS would. Where PSS cannot be read, RSS.
    """
    import psutil

    try:
        root = psutil.Process(pid)
        processes = [root, *root.children(recursive=True)]
    except psutil.NoSuchProcess:
        return 0
    total = 0
    for process in processes:
        try:
            try:
                total += process.memory_full_info().pss
            except (psutil.AccessDenied, AttributeError):
                total += process.memory_info().rss
        except psutil.NoSuchProcess:
            continue  # ended between the listing and the reading
    return total


class PeakMemory(threading.Thread):
    """Samples ``tree_memory`` of a running process until stopped; keeps the peak."""

    def __init__(self, pid: int, interval: float = 0.05) -> None:
        super().__init__(daemon=True)
        self.pid, self.interval, self.peak = pid, interval, 0
        self.done = threading.Event()

    def run(self) -> None:
        while not self.done.is_set():
            self.peak = max(self.peak, tree_memory(self.pid))
            self.done.wait(self.interval)


def measure(command: list[str], cwd: Path, timeout: float,
            extra_env: dict[str, str | None] | None = None) -> tuple[Run, subprocess.CompletedProcess]:
    """Run ``command``; return its wall and CPU time, the peak memory of its process tree, and the result.

    The memory is sampled over the whole tree, summed (the PDF builder renders in
    child processes: the largest single process understates what a machine needs).
    """
    # The venv's commands on PATH: sphinx-simplepdf runs the `weasyprint` command.
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
           **(extra_env or {})}
    env = {name: value for name, value in env.items() if value is not None}  # None: not set
    start = time.perf_counter()
    process = subprocess.Popen(
        command, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    sampler = PeakMemory(process.pid)
    sampler.start()
    timer = threading.Timer(timeout, process.kill)
    timer.start()
    try:
        output = process.stdout.read()
        process.stdout.close()
        # Wait for the end without reaping, so the sampler never reads a reused process id.
        os.waitid(os.P_PID, process.pid, os.WEXITED | os.WNOWAIT)
        sampler.done.set()
        sampler.join()
        _, status, usage = os.wait4(process.pid, 0)
    finally:
        timer.cancel()
        sampler.done.set()
    seconds = time.perf_counter() - start
    returncode = os.waitstatus_to_exitcode(status)
    process.returncode = returncode
    run = Run(seconds=seconds, peak_memory=sampler.peak, cpu_seconds=usage.ru_utime + usage.ru_stime)
    return run, subprocess.CompletedProcess(command, returncode, output)


def pdf_pages(path: Path) -> int:
    import pikepdf

    with pikepdf.open(path) as pdf:
        return len(pdf.pages)


def output_of(fmt: str, outdir: Path) -> list[Path]:
    if fmt == "html":
        return [p for p in outdir.rglob("*") if p.is_file()]
    suffix = ".pdf" if fmt == "pdf" else ".epub"
    return sorted(outdir.glob(f"*{suffix}"))


def sphinx_command(builder: str, confdir: Path, srcdir: Path, outdir: Path, strict: bool) -> list[str]:
    # Doctrees beside the output, never in it: the EPUB packs every file of its folder.
    doctrees = outdir.with_name(outdir.name + "-doctrees")
    command = [PYTHON, "-m", "sphinx", "-b", builder, "-q", "-c", str(confdir), "-d", str(doctrees)]
    if strict:
        command += ["-W", "--keep-going", "-n", "-D", "handbook_downloads_required=0"]
    return command + [str(srcdir), str(outdir)]


def our_pdf_command(tree: Path, srcdir: Path, outdir: Path) -> list[str]:
    """Our PDF build as the Makefile runs it: the render command runs sphinx-build, which writes the print document."""
    build = sphinx_command("pdf", tree, srcdir, outdir, strict=True)
    build[-2:-2] = ["-D", "pdf_render_in_build=0"]
    render = [PYTHON, "-m", "handbook.pdf.render", str(outdir / JOB_NAME), "--after", *build]
    return ["env", f"PYTHONPATH={tree / '_ext'}", *render]


def build_once(fmt: str, ours: bool, tree: Path, srcdir: Path, work: Path, timeout: float) -> Run:
    outdir = work / f"{'ours' if ours else 'stock'}-{fmt}"
    shutil.rmtree(outdir, ignore_errors=True)
    shutil.rmtree(outdir.with_name(outdir.name + "-doctrees"), ignore_errors=True)
    builder = (OUR_BUILDERS if ours else STOCK_BUILDERS)[fmt]
    confdir = tree if ours else work / "stock-conf"
    command = our_pdf_command(tree, srcdir, outdir) if ours and fmt == "pdf" else \
        sphinx_command(builder, confdir, srcdir, outdir, ours)
    run, done = measure(command, tree, timeout, COPY_ENV)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(done.args)} failed ({done.returncode}):\n{done.stdout[-3000:]}")
    files = output_of(fmt, outdir)
    run.output_bytes = sum(f.stat().st_size for f in files)
    # Pages per second counts every page rendered: ours renders two editions in one build.
    run.pages = sum(pdf_pages(f) for f in files if f.suffix == ".pdf")
    return run


def incremental_html(ours: bool, tree: Path, srcdir: Path, work: Path, timeout: float) -> float:
    """Seconds to rebuild the HTML after a one-line edit to one page (after a clean build)."""
    outdir = work / f"{'ours' if ours else 'stock'}-html"
    confdir = tree if ours else work / "stock-conf"
    page = srcdir / "transnational-crime" / "partnerships.md"
    original = page.read_text(encoding="utf-8")
    page.write_text(bench_loop.add_sentence(original, "One more sentence for the incremental build.")[0],
                    encoding="utf-8")
    try:
        run, done = measure(sphinx_command("html", confdir, srcdir, outdir, ours), tree, timeout, COPY_ENV)
    finally:
        page.write_text(original, encoding="utf-8")
    if done.returncode != 0:
        raise RuntimeError(f"incremental build failed:\n{done.stdout[-3000:]}")
    return run.seconds


# -- Profiles -------------------------------------------------------------------

PROFILE_ROWS = 15


def profile_builds(tree: Path, srcdir: Path, work: Path, timeout: float) -> dict[str, Path]:
    """cProfile the HTML build and each PDF edition's render; the profiles by name."""
    folder = work / "profiles"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir()
    html = sphinx_command("html", tree, srcdir, work / "profile-html", strict=True)
    html[1:1] = ["-m", "cProfile", "-o", str(folder / "html.prof")]
    for command, env in ((html, COPY_ENV),
                         (sphinx_command("pdf", tree, srcdir, work / "profile-pdf", strict=True),
                          {**COPY_ENV, PROFILE_ENVIRONMENT: str(folder)})):
        shutil.rmtree(command[-1], ignore_errors=True)
        _, done = measure(command, tree, timeout, env)
        if done.returncode != 0:
            raise RuntimeError(f"profiling {' '.join(command)} failed:\n{done.stdout[-3000:]}")
    names = {"html.prof": "HTML build (sphinx-build, one process)"}
    names.update({p.name: f"PDF render of {p.stem}.pdf (one forked process)" for p in folder.glob("*.prof")
                  if p.name != "html.prof"})
    return {names[p.name]: p for p in sorted(folder.glob("*.prof"))}


def _function_name(key: tuple[str, int, str]) -> str:
    file, line, name = key
    for marker in ("site-packages/", "/_ext/", "/lib/python3"):
        if marker in file:
            file = file.split(marker, 1)[1]
            break
    return f"{name} ({file}:{line})" if line else name


def profile_table(path: Path, rows: int = PROFILE_ROWS) -> list[str]:
    """The functions that took the most time of their own, with their calls and cumulative time."""
    import pstats

    stats = pstats.Stats(str(path))
    total = stats.total_tt
    stats.sort_stats(pstats.SortKey.TIME)
    lines = [f"Total {total:.1f} s.", "", "| Own time | Share | Cumulative | Calls | Function |",
             "| --- | --- | --- | --- | --- |"]
    for key in stats.fcn_list[:rows]:
        _, calls, own, cumulative, _ = stats.stats[key]
        name = _function_name(key).replace("|", "\\|")
        lines.append(f"| {own:.2f} s | {own / total:.0%} | {cumulative:.2f} s | {calls} | `{name}` |")
    return lines


# -- Page weight ----------------------------------------------------------------


def landing_page_weight(site: Path) -> tuple[int, int]:
    """Bytes transferred and requests made when Chromium opens the site's landing page."""
    from playwright.sync_api import sync_playwright

    handler = partial(SimpleHTTPRequestHandler, directory=str(site))
    SimpleHTTPRequestHandler.log_message = lambda *args: None
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    sizes: list[int] = []
    try:
        with sync_playwright() as playwright:
            browser = bench_loop.launch_chromium(playwright)
            page = browser.new_page()
            page.on("requestfinished", lambda request: sizes.append(
                request.sizes()["responseBodySize"] + request.sizes()["responseHeadersSize"]))
            page.goto(f"http://127.0.0.1:{server.server_port}/index.html", wait_until="networkidle")
            browser.close()
    finally:
        server.shutdown()
    return sum(sizes), len(sizes)


# -- Report ---------------------------------------------------------------------


def mb(value: float) -> str:
    return f"{value / 1e6:.1f} MB"


def ratio(ours: float, theirs: float) -> str:
    return f"{ours / theirs:.2f}" if theirs and theirs == theirs else "n/a"


def machine_line() -> str:
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    packages = ", ".join(
        f"{name} {version(name)}"
        for name in ("sphinx", "sphinx-book-theme", "myst-parser", "weasyprint", "sphinx-simplepdf")
    )
    return (
        f"Machine: {os.cpu_count()} cores, {memory / 2**30:.0f} GiB memory, {platform.platform()}, "
        f"Python {platform.python_version()}. Versions: {packages}."
    )


def report(results: dict, incremental: dict, weight: dict, runs: int,
           loop: bench_loop.LoopResults | None = None, profiles: tuple[int, dict[str, list[str]]] | None = None) -> str:
    lines = [
        "# Benchmark results",
        "",
        "Written by `make bench` (scripts/bench.py). " + machine_line(),
        f"Each figure is the median of {runs} alternating runs (ours, then the alternative).",
        "",
        "Memory is the peak of the whole process tree, summed (proportional set size: pages shared "
        "by forked processes are split between them). CPU time is user + system over the tree.",
        "",
        "| Size | Format | Ours: time | Ours: CPU time | Ours: time / 1x | Ours: peak memory | Ours: output "
        "| Ours: PDF pages/s | Alternative | Its time | Its peak memory | Its output | Time ratio (ours/theirs) |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for (size, fmt), (ours, theirs) in results.items():
        pages_per_second = (
            f"{ours.median('pages') / ours.median('seconds'):.1f}" if fmt == "pdf" and ours.runs else ""
        )
        base = results.get((1, fmt))
        growth = ratio(ours.median("seconds"), base[0].median("seconds")) if base else "n/a"
        theirs_time = f"{theirs.median('seconds'):.1f} s" if theirs.runs else theirs.failed
        lines.append(
            f"| {size}x | {fmt} | {ours.median('seconds'):.1f} s | {ours.median('cpu_seconds'):.1f} s | {growth} "
            f"| {mb(ours.median('peak_memory'))} "
            f"| {mb(ours.median('output_bytes'))} | {pages_per_second} | {STOCK_NAMES[fmt]} | {theirs_time} "
            f"| {mb(theirs.median('peak_memory')) if theirs.runs else ''} "
            f"| {mb(theirs.median('output_bytes')) if theirs.runs else ''} "
            f"| {ratio(ours.median('seconds'), theirs.median('seconds'))} |"
        )
    lines += ["", "## Incremental HTML rebuild after a one-line edit", "",
              "| Size | Ours | Ours as a share of our clean build | Stock sphinx-book-theme |", "| --- | --- | --- | --- |"]
    for size, (ours_inc, stock_inc) in incremental.items():
        clean = results[(size, "html")][0].median("seconds")
        lines.append(f"| {size}x | {ours_inc:.1f} s | {ours_inc / clean:.0%} | {stock_inc:.1f} s |")
    lines += ["", "## Landing page weight in Chromium (1x)", "",
              "| Site | Transferred | Requests |", "| --- | --- | --- |"]
    for name, (size, requests) in weight.items():
        lines.append(f"| {name} | {size / 1000:.0f} KB | {requests} |")
    if len(weight) == 2:
        (ours_size, _), (stock_size, _) = weight.values()
        lines.append(f"\nOurs transfers {ours_size / stock_size:.0%} of what the stock theme transfers.")
    if loop is not None:
        lines += loop_report(loop)
    lines += targets_report(results, loop)
    if profiles:
        size, tables = profiles
        lines += ["", f"## Profiles at {size}x", "",
                  f"cProfile, the {PROFILE_ROWS} functions with the most time of their own (profiling slows "
                  "each build down; the shares are what counts)."]
        for name, table in tables.items():
            lines += ["", f"### {name}", "", *table]
    return "\n".join(lines) + "\n"


def _seconds(run) -> str:
    return f"{run.seconds:.1f} s"


def loop_report(loop: bench_loop.LoopResults) -> list[str]:
    """The contributor's commands, timed in a clone of the checkout."""
    clean = loop.clean_make.seconds
    lines = ["", "## The contributor's commands (the real handbook, both editions, in a clone of HEAD)", "",
             "| Command | Time | CPU time | Peak memory |", "| --- | --- | --- | --- |",
             f"| `make` from clean (every format of both editions) | {_seconds(loop.clean_make)} "
             f"| {loop.clean_make.cpu_seconds:.1f} s | {mb(loop.clean_make.peak_memory)} |"]
    for (language, target), run in loop.formats.items():
        lines.append(f"| `make {target} HANDBOOK_LANGUAGES=\"{language}\"` from clean | {_seconds(run)} "
                     f"| {run.cpu_seconds:.1f} s | {mb(run.peak_memory)} |")
    edit = loop.edit_make
    lines.append(f"| `make` after a one-sentence edit to one chapter (and its translation) | {_seconds(edit)} "
                 f"({edit.seconds / clean:.0%} of clean) | {edit.cpu_seconds:.1f} s | {mb(edit.peak_memory)} |")
    lines += ["", "Outputs of `make` after the edit, against a clean build of the same sources: " + (
        "every file byte-identical." if not loop.differing else
        f"{len(loop.differing)} files differ: " + ", ".join(loop.differing[:20]))]
    ours, theirs = (statistics.median(run.seconds for run in runs) for runs in (loop.make_pdf, loop.simplepdf))
    lines += ["", f"`make pdf HANDBOOK_LANGUAGES=en` from clean (two editions, tags repaired): {ours:.1f} s; "
              f"sphinx-simplepdf 1.7.0 with a stock configuration on the same sources: {theirs:.1f} s; "
              f"ratio {ours / theirs:.2f} (medians of {len(loop.make_pdf)} alternating pairs)."]
    if loop.preview:
        lines += ["", "### `make serve`: the preview loop", "",
                  "| Size | First page served | An edit in the served page (median of 3) | Edit / first |",
                  "| --- | --- | --- | --- |"]
        for size, preview in loop.preview.items():
            lines.append(f"| {size}x | {preview.first_serve:.2f} s | {preview.edit:.2f} s "
                         f"| {preview.edit / preview.first_serve:.2f} |")
    if loop.tests:
        lines += ["", "### The tests", "", "| Command | Time | CPU time | Result |", "| --- | --- | --- | --- |"]
        for target, (run, result) in loop.tests.items():
            lines.append(f"| `make {target}` | {run.seconds:.0f} s | {run.cpu_seconds:.0f} s | {result} |")
    return lines


def targets_report(results: dict, loop: bench_loop.LoopResults | None) -> list[str]:
    """Each target of the scale and Spanish-edition issues, with what this run measured."""
    rows = []

    def target(name: str, measured: float | None, limit: float, text: str, at_most: bool = True) -> None:
        if measured is None or measured != measured:
            return
        met = measured <= limit if at_most else measured >= limit
        rows.append(f"| {name} | {text} | {'yes' if met else '**no**'} |")

    def median(size: int, fmt: str, attribute: str, ours: bool = True) -> float | None:
        series = results.get((size, fmt))
        return series[0 if ours else 1].median(attribute) if series and series[0 if ours else 1].runs else None

    big = max((size for size, _ in results), default=None)
    if big and big > 1 and (1, "html") in results:
        growth = median(big, "html", "seconds") / median(1, "html", "seconds")
        target(f"Clean HTML at {big}x: at most 25 times the 1x time", growth, 25, f"{growth:.1f} times")
        stock = median(big, "html", "seconds", ours=False)
        if stock:
            share = median(big, "html", "seconds") / stock
            target(f"Clean HTML at {big}x: at most half the stock theme's time", share, 0.5, f"{share:.2f}")
    if big and big > 1 and (1, "pdf") in results:
        speed = median(big, "pdf", "pages") / median(big, "pdf", "seconds")
        target(f"PDF at {big}x: at least 10 pages/s over both editions", speed, 10, f"{speed:.1f} pages/s",
               at_most=False)
        growth = median(big, "pdf", "seconds") / median(1, "pdf", "seconds")
        target(f"PDF at {big}x: at most 25 times the 1x time", growth, 25, f"{growth:.1f} times")
        memory = median(big, "pdf", "peak_memory")
        target(f"PDF at {big}x: peak memory at most 1.5 GB, summed over the process tree", memory, 1.5e9, mb(memory))
    if loop is not None:
        clean = loop.clean_make.seconds
        target("Clean `make`, both editions, every format: at most 60 s", clean, 60, f"{clean:.1f} s")
        share = loop.edit_make.seconds / clean
        target("`make` after a one-line edit: at most 0.6 of a clean `make`", share, 0.6, f"{share:.2f}")
        target("`make` after an edit: outputs byte-identical to a clean build", len(loop.differing), 0,
               f"{len(loop.differing)} files differ")
        pdf = statistics.median(r.seconds for r in loop.make_pdf) / statistics.median(r.seconds for r in loop.simplepdf)
        target("`make pdf` no slower than sphinx-simplepdf 1.7.0", pdf, 1.0, f"ratio {pdf:.2f}")
        for size, preview in loop.preview.items():
            share = preview.edit / preview.first_serve
            target(f"Preview at {size}x: an edit shows in at most 0.35 of the first serve", share, 0.35, f"{share:.2f}")
            if size > 1:
                target(f"Preview at {size}x: an edit shows in at most 5 s", preview.edit, 5, f"{preview.edit:.2f} s")
    if not rows:
        return []
    return ["", "## Targets", "", "| Target | Measured | Met |", "| --- | --- | --- |", *rows]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="1,5,20", help="handbook sizes, comma-separated (default 1,5,20)")
    parser.add_argument("--runs", type=int, default=3, help="alternating runs per measurement (default 3)")
    parser.add_argument("--timeout", type=float, default=900, help="seconds before one build is given up")
    parser.add_argument("--output", type=Path, default=ROOT / "benchmarks" / "results.md")
    parser.add_argument("--serve-sizes", default="1,20", help="sizes at which to time make serve (default 1,20)")
    parser.add_argument("--no-loop", dest="loop", action="store_false",
                        help="skip the contributor's commands (make, make serve, the tests) in a clone")
    parser.add_argument("--no-suite", dest="suite", action="store_false",
                        help="skip timing make test-fast and make test")
    parser.add_argument("--no-profile", dest="profile", action="store_false",
                        help="skip profiling the HTML build and the PDF renders at the largest size")
    args = parser.parse_args(argv)
    sizes = [int(size) for size in args.sizes.split(",")]

    results: dict = {}
    incremental: dict = {}
    weight: dict = {}
    with tempfile.TemporaryDirectory(prefix="handbook-bench-") as tmp:
        work = Path(tmp)
        tree = work / "tree"
        tree.mkdir()
        for name in PROJECT_FILES:
            source = ROOT / name
            if source.is_dir():
                shutil.copytree(source, tree / name)
            elif source.is_file():
                shutil.copy2(source, tree / name)
        (work / "stock-conf").mkdir()
        project = re.search(r'^project = (?:_\()?"(.*)"', (ROOT / "conf.py").read_text(), re.M).group(1)
        (work / "stock-conf" / "conf.py").write_text(STOCK_CONF.format(project=project))
        # The edition comes from git; the copy has none, so its builds get the checkout's date
        # (only they: the clone of bench_loop.py has its history, and its tests make commits).
        COPY_ENV["SOURCE_DATE_EPOCH"] = os.environ.get("SOURCE_DATE_EPOCH") or subprocess.run(
            ["git", "log", "-1", "--format=%ct"], cwd=ROOT, capture_output=True, text=True).stdout.strip() or "0"
        for size in sizes:
            # Inside the project's copy, where pages find what they include (CONTRIBUTING.md).
            srcdir = generate_handbook(ROOT / "docs", tree / f"docs-{size}x", size)
            for fmt in FORMATS:
                ours, theirs = Series(), Series()
                for _ in range(args.runs):
                    ours.runs.append(build_once(fmt, True, tree, srcdir, work, args.timeout))
                    if not theirs.failed:
                        try:
                            theirs.runs.append(build_once(fmt, False, tree, srcdir, work, args.timeout))
                        except RuntimeError as error:
                            theirs.failed = "failed or timed out"
                            print(f"{STOCK_NAMES[fmt]} at {size}x: {error}", file=sys.stderr)
                results[(size, fmt)] = (ours, theirs)
                print(f"{size}x {fmt}: ours {ours.median('seconds'):.1f} s, "
                      f"{STOCK_NAMES[fmt]} {theirs.median('seconds'):.1f} s", flush=True)
            incremental[size] = (
                incremental_html(True, tree, srcdir, work, args.timeout),
                incremental_html(False, tree, srcdir, work, args.timeout),
            )
            if size == 1:
                weight["ours"] = landing_page_weight(work / "ours-html")
                weight["stock sphinx-book-theme"] = landing_page_weight(work / "stock-html")
        profiles = None
        if args.profile:
            size = max(sizes)
            paths = profile_builds(tree, tree / f"docs-{size}x", work, args.timeout)
            profiles = (size, {name: profile_table(path) for name, path in paths.items()})
            print(f"profiled the builds at {size}x", flush=True)
        loop = None
        if args.loop:
            loop = bench_loop.run_loop(
                ROOT, work, measure=measure, generate_handbook=generate_handbook,
                simplepdf_command=lambda srcdir, outdir: sphinx_command(
                    "simplepdf", work / "stock-conf", srcdir, outdir, strict=False),
                runs=args.runs, serve_sizes=[int(size) for size in args.serve_sizes.split(",")],
                suite=args.suite, timeout=args.timeout,
            )
    text = report(results, incremental, weight, args.runs, loop, profiles)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(text, encoding="utf-8")
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
