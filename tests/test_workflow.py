"""The pull-request workflow and the Read the Docs configuration pass their linters.

zizmor (GitHub Actions security, pedantic persona, offline) and check-jsonschema's
built-in schemas. Each tool is also shown failing on a workflow broken on purpose.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from conftest import ROOT

BIN = Path(sys.executable).parent
WORKFLOW = ROOT / ".github" / "workflows" / "handbook.yml"
FIXTURES = Path(__file__).parent / "workflow_fixtures"


def zizmor(path: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(BIN / "zizmor"), "--offline", "--persona=pedantic", "--no-progress", str(path)],
        capture_output=True, text=True,
    )


def schema_check(schema: str, path: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(BIN / "check-jsonschema"), "--builtin-schema", schema, str(path)], capture_output=True, text=True
    )


def test_workflow_has_no_zizmor_findings():
    done = zizmor(WORKFLOW)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "No findings" in done.stdout + done.stderr


def test_zizmor_catches_an_unpinned_action():
    done = zizmor(FIXTURES / "unpinned-action.yml")
    assert done.returncode != 0
    assert "unpinned-uses" in done.stdout + done.stderr


def test_workflow_matches_the_github_workflow_schema():
    done = schema_check("vendor.github-workflows", WORKFLOW)
    assert done.returncode == 0, done.stdout + done.stderr


def test_schema_check_catches_an_invalid_workflow():
    done = schema_check("vendor.github-workflows", FIXTURES / "not-a-workflow.yml")
    assert done.returncode != 0, done.stdout


def test_read_the_docs_configuration_matches_its_schema():
    done = schema_check("vendor.readthedocs", ROOT / ".readthedocs.yaml")
    assert done.returncode == 0, done.stdout + done.stderr
