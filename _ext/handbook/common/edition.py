"""The edition of the handbook: its date, commit, language and output names.

Every format prints the same edition, taken from git so that two builds of one
commit agree byte for byte. ``SOURCE_DATE_EPOCH`` (reproducible-builds.org)
wins over git when it is set.
"""

from __future__ import annotations

import datetime as dt
import os
import subprocess
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Edition:
    date: str  # ISO date, e.g. 2026-11-28
    year: str
    commit: str  # short commit id, or "unversioned" outside a git checkout
    timestamp: int  # seconds since the epoch, UTC


def _git(root: Path, *args: str) -> str | None:
    try:
        done = subprocess.run(
            ["git", "-C", str(root), *args],
            capture_output=True, text=True, check=True, timeout=30,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return done.stdout.strip() or None


def edition_from(timestamp: int, commit: str) -> Edition:
    """Build an Edition from a UTC timestamp and a commit id (pure)."""
    day = dt.datetime.fromtimestamp(timestamp, tz=dt.timezone.utc).date()
    return Edition(date=day.isoformat(), year=str(day.year), commit=commit, timestamp=timestamp)


def edition_info(root: Path) -> Edition:
    """The edition of the checkout at ``root``."""
    commit = _git(root, "rev-parse", "--short=12", "HEAD") or "unversioned"
    epoch = os.environ.get("SOURCE_DATE_EPOCH") or _git(root, "log", "-1", "--format=%ct")
    if epoch is None:
        # Not a git checkout and no SOURCE_DATE_EPOCH: fall back to the epoch
        # rather than the clock, so the build stays reproducible.
        epoch = "0"
    return edition_from(int(epoch), commit)


def output_stem(config, language: str | None = None) -> str:
    """The stem of every output file: the handbook's name and the edition's language.

    The editions sit side by side without clashing: ice-mission-areas-en.pdf,
    ice-mission-areas-es.pdf, ... (``language`` names another edition than the one built).
    """
    return f"{config.handbook_basename}-{language or config.language}"


def _set_edition(app, config) -> None:
    """Take the edition from git; version, release and copyright follow from it."""
    if config.handbook_edition is None:
        config.handbook_edition = edition_info(Path(app.confdir))
    edition = config.handbook_edition
    config.version = edition.date
    config.release = f"{edition.date} ({edition.commit})"
    config.copyright = f"{edition.year}, {config.author}"


def _add_template_context(app, pagename, templatename, context, doctree) -> None:
    edition = app.config.handbook_edition
    context["edition"] = edition
    context["edition_iso_timestamp"] = dt.datetime.fromtimestamp(
        edition.timestamp, tz=dt.timezone.utc
    ).isoformat()
    context["handbook_subtitle"] = app.config.handbook_subtitle
    context["author"] = app.config.author
    context["handbook_draft"] = app.config.handbook_draft


def setup(app):
    app.setup_extension("handbook.common.translations")
    app.add_config_value("handbook_basename", "handbook", "env", types=frozenset({str}))
    app.add_config_value("handbook_subtitle", "", "env", types=frozenset({str}))
    app.add_config_value("handbook_edition", None, "env")
    app.connect("config-inited", _set_edition)
    app.connect("html-page-context", _add_template_context)
    return {"parallel_read_safe": True, "parallel_write_safe": True}


def web_address_of(remote: str) -> str:
    """The web address of a git remote on a forge, or "" for a local or unknown one.

    ``git@github.com:owner/repo.git`` and ``https://github.com/owner/repo.git``
    both give ``https://github.com/owner/repo``.
    """
    remote = remote.strip()
    if remote.startswith("git@") and ":" in remote:
        host, _, path = remote[len("git@"):].partition(":")
        remote = f"https://{host}/{path}"
    if not remote.startswith("https://"):
        return ""
    return remote.removesuffix(".git").rstrip("/")


def repository_url(root: Path) -> str:
    """Where readers can edit pages and open issues: HANDBOOK_REPOSITORY_URL, else git's origin."""
    return web_address_of(
        os.environ.get("HANDBOOK_REPOSITORY_URL") or _git(root, "remote", "get-url", "origin") or ""
    )
