"""make bench: build speed, memory and page weight, ours beside the plain alternatives.

For each size of a synthetic handbook (the real one at 1x, 5x and 20x its size,
with the same features) and each format, it measures a clean build's time and
peak memory, the PDFs' pages per second, the output sizes, and an incremental
HTML rebuild after a one-line edit. In the same run, on the same sources, it
builds the plain alternatives a user would otherwise pick: the PDF by
sphinx-simplepdf, the EPUB by stock Sphinx, the HTML by stock sphinx-book-theme.
Every figure is the median of --runs alternating runs (ours, theirs, ours, ...).
Last, it loads both landing pages in Chromium and counts the bytes and requests.

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

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
FORMATS = ("html", "pdf", "epub")
OUR_BUILDERS = {"html": "html", "pdf": "pdf", "epub": "epub"}
STOCK_BUILDERS = {"html": "html", "pdf": "simplepdf", "epub": "epub"}
STOCK_NAMES = {"html": "stock sphinx-book-theme", "pdf": "sphinx-simplepdf 1.7.0", "epub": "stock Sphinx EPUB"}
# Everything of ours that a build reads besides docs/.
PROJECT_FILES = ("conf.py", "_ext", "_static", "_templates", "_themes", "locales", "CONTRIBUTING.md")

# A page that exercises what the real chapters may not: a table, a footnote,
# a figure, a glossary term and a cross-reference. Added to every copy.
FEATURE_SECTION = """

## Features of copy {copy}

The table lists the two mission areas.[^copy{copy}]

| Mission area | Part of ICE |
| --- | --- |
| Immigration Enforcement | Enforcement and Removal Operations |
| Combating Transnational Crime | Homeland Security Investigations |

```{{figure}} {image}
:alt: Diagram of the two mission areas of ICE and their parts, repeated for the benchmark.

The two mission areas, repeated in copy {copy}.
```

See {{term}}`money laundering` and {{doc}}`{first_chapter}`.

[^copy{copy}]: This section is repeated in every copy of the benchmark handbook.
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
                page.write_text(retitle(source, copy) + feature, encoding="utf-8")
                expanded.append(copy_name(entry, copy))
        return head + "\n".join(options) + "\n\n" + "\n".join(expanded) + "\n" + tail

    (dest / "index.md").write_text(TOCTREE.sub(expand, index), encoding="utf-8")
    return dest


# -- Measuring ------------------------------------------------------------------


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


def measure(command: list[str], cwd: Path, timeout: float) -> tuple[Run, subprocess.CompletedProcess]:
    """Run ``command``; return its wall and CPU time, the peak memory of its process tree, and the result.

    The memory is sampled over the whole tree, summed (the PDF builder renders in
    child processes: the largest single process understates what a machine needs).
    """
    # The venv's commands on PATH: sphinx-simplepdf runs the `weasyprint` command.
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"}
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


def build_once(fmt: str, ours: bool, tree: Path, srcdir: Path, work: Path, timeout: float) -> Run:
    outdir = work / f"{'ours' if ours else 'stock'}-{fmt}"
    shutil.rmtree(outdir, ignore_errors=True)
    shutil.rmtree(outdir.with_name(outdir.name + "-doctrees"), ignore_errors=True)
    builder = (OUR_BUILDERS if ours else STOCK_BUILDERS)[fmt]
    confdir = tree if ours else work / "stock-conf"
    run, done = measure(sphinx_command(builder, confdir, srcdir, outdir, ours), tree, timeout)
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
    page.write_text(original + "\nOne more line for the incremental build.\n", encoding="utf-8")
    try:
        run, done = measure(sphinx_command("html", confdir, srcdir, outdir, ours), tree, timeout)
    finally:
        page.write_text(original, encoding="utf-8")
    if done.returncode != 0:
        raise RuntimeError(f"incremental build failed:\n{done.stdout[-3000:]}")
    return run.seconds


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
            browser = playwright.chromium.launch(
                executable_path="/usr/bin/chromium",
                args=["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                      "--disable-component-update", "--no-first-run", "--disable-sync"],
            )
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


def report(results: dict, incremental: dict, weight: dict, runs: int) -> str:
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
    return "\n".join(lines) + "\n"


# Written by hand from profiles (see the section itself), not measured here: kept as it is.
KEPT_SECTION = "## Profiles"


def kept_sections(results_file: Path) -> str:
    """The hand-written part of an earlier results file (from ``KEPT_SECTION`` on), if any."""
    if not results_file.is_file():
        return ""
    text = results_file.read_text(encoding="utf-8")
    start = text.find(f"\n{KEPT_SECTION}")
    return text[start:] if start >= 0 else ""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="1,5,20", help="handbook sizes, comma-separated (default 1,5,20)")
    parser.add_argument("--runs", type=int, default=3, help="alternating runs per measurement (default 3)")
    parser.add_argument("--timeout", type=float, default=900, help="seconds before one build is given up")
    parser.add_argument("--output", type=Path, default=ROOT / "benchmarks" / "results.md")
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
        project = re.search(r'^project = "(.*)"', (ROOT / "conf.py").read_text(), re.M).group(1)
        (work / "stock-conf" / "conf.py").write_text(STOCK_CONF.format(project=project))
        # The edition comes from git; the copy has none, so give it the checkout's date.
        os.environ.setdefault(
            "SOURCE_DATE_EPOCH",
            subprocess.run(["git", "log", "-1", "--format=%ct"], cwd=ROOT, capture_output=True, text=True).stdout.strip() or "0",
        )
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
    text = report(results, incremental, weight, args.runs) + kept_sections(args.output)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(text, encoding="utf-8")
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
