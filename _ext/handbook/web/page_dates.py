"""Each web page's "last updated" date, from the last commit that changed its source
or a file it includes (docs/back/contributing.md shows CONTRIBUTING.md).

pydata-sphinx-theme shows ``last_updated`` in the footer, but Sphinx fills it
with the build's date for every page; readers want to know when the page they
read last changed. The dates come from git, so they are the same on every
build of one commit (reproducible), and are written in the edition's language. A translated
page changed last when its text or its catalogue did, whichever is later.

Why not sphinx-last-updated-by-git (0.3.8), which also follows included files:
outside a git checkout (a downloaded ZIP, the tests' and the benchmark's copies
of the pages) or in a shallow clone it warns, over several lines, and `make`
treats warnings as errors; here such a build simply has no dates. It also dates
by author, where the edition (edition.py) dates by commit.
"""

from __future__ import annotations

import datetime as dt
import subprocess
from pathlib import Path

from babel.dates import format_date

from handbook import LOCALES
from handbook.common.editions import SOURCE_LANGUAGE
from handbook.common.translations import catalogue_path


def last_changes(log: str) -> dict[str, int]:
    """Map each file to the time of the newest commit in a ``git log`` listing.

    ``log`` is the output of ``git log --format=@%ct --name-only``: a line
    ``@<timestamp>`` per commit, newest first, followed by the files it changed.
    """
    changed: dict[str, int] = {}
    timestamp = 0
    for line in log.splitlines():
        if line.startswith("@"):
            timestamp = int(line[1:])
        elif line.strip():
            changed.setdefault(line.strip(), timestamp)
    return changed


def newest(paths, dates: dict[str, int]) -> int | None:
    """The time of the newest commit among a page's files, or None if none is committed."""
    known = [dates[str(path)] for path in paths if str(path) in dates]
    return max(known, default=None)


def git_log(root: Path) -> str:
    try:
        return subprocess.run(
            ["git", "-C", str(root), "log", "--format=@%ct", "--name-only", "--no-renames"],
            capture_output=True, text=True, check=True, timeout=60,
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return ""  # not a git checkout: no page dates, as with a plain Sphinx build


def _on_builder_inited(app) -> None:
    top = subprocess.run(["git", "-C", str(app.srcdir), "rev-parse", "--show-toplevel"],
                         capture_output=True, text=True).stdout.strip()
    app.builder.handbook_page_dates = {}
    if top:
        for name, timestamp in last_changes(git_log(Path(top))).items():
            app.builder.handbook_page_dates[str(Path(top, name))] = timestamp


def page_sources(app, pagename: str) -> list[Path]:
    """What a page's text comes from: its Markdown, what it includes and, in a translation, its catalogue."""
    # Sphinx notes included files absolute or relative to the sources.
    sources = [Path(app.env.doc2path(pagename)).resolve(),
               *(Path(app.srcdir, dependency).resolve() for dependency in app.env.dependencies.get(pagename, ()))]
    if app.config.language != SOURCE_LANGUAGE:
        sources.append(catalogue_path(LOCALES, app.config.language, pagename).resolve())
    return sources


def _on_page_context(app, pagename, templatename, context, doctree) -> None:
    if doctree is None or pagename not in app.env.all_docs:
        return
    timestamp = newest(page_sources(app, pagename), getattr(app.builder, "handbook_page_dates", {}))
    if timestamp is None:
        return  # a page not yet committed: no date rather than a wrong one
    day = dt.datetime.fromtimestamp(timestamp, tz=dt.timezone.utc).date()
    context["last_updated"] = format_date(day, format="long", locale=app.config.language)


def setup(app):
    app.connect("builder-inited", _on_builder_inited)
    app.connect("html-page-context", _on_page_context)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
