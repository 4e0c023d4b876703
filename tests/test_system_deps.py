"""A fresh machine gets every system package the handbook needs (issue 12).

scripts/system-deps.sh holds the lists. The hosted builds must install the same ones
(a drift is caught here, without a chroot), a missing library must be named in one line,
and `make check-fresh` must fail, naming the culprit, when a commit breaks a fresh machine
(the `fresh` tests: each makes a Debian chroot, so they run only with `-m fresh`).
"""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

import pytest
import yaml

from conftest import ROOT

SYSTEM_DEPS = ROOT / "scripts" / "system-deps.sh"
WORKFLOW = ROOT / ".github" / "workflows" / "handbook.yml"
READ_THE_DOCS = ROOT / ".readthedocs.yaml"


def listed(which: str, script: Path = SYSTEM_DEPS) -> list[str]:
    """A list of system-deps.sh, as it prints it."""
    done = subprocess.run(["bash", str(script), "--list", which], capture_output=True, text=True, check=True)
    return done.stdout.split()


def drift(wanted: list[str], installed: list[str]) -> dict[str, list[str]]:
    """What a copy of a list lacks and what it adds."""
    return {"missing": sorted(set(wanted) - set(installed)), "extra": sorted(set(installed) - set(wanted))}


def read_the_docs_packages(path: Path = READ_THE_DOCS) -> list[str]:
    return yaml.safe_load(path.read_text())["build"]["apt_packages"]


def workflow_steps(path: Path = WORKFLOW) -> dict[str, list[str]]:
    """The shell of every `run` step of each job that has one, in order."""
    jobs = yaml.safe_load(path.read_text())["jobs"]
    steps = {name: [step["run"] for step in job.get("steps", ()) if "run" in step] for name, job in jobs.items()}
    return {name: runs for name, runs in steps.items() if runs}


def apt_installed(run: str) -> list[str]:
    """The packages that `apt-get install` lines of a step install by hand."""
    packages = []
    for line in run.splitlines():
        if re.search(r"\bapt-get\b.*\binstall\b", line):
            packages += [word for word in line.split()[line.split().index("install") + 1:] if not word.startswith("-")]
    return packages


# -- the hosted builds install what system-deps.sh lists --------------------------------


def test_read_the_docs_installs_the_build_list():
    assert drift(listed("build"), read_the_docs_packages()) == {"missing": [], "extra": []}


def test_drift_from_the_build_list_is_caught(tmp_path):
    config = yaml.safe_load(READ_THE_DOCS.read_text())
    config["build"]["apt_packages"].remove("libharfbuzz-subset0")
    config["build"]["apt_packages"].append("libcairo2")
    (tmp_path / ".readthedocs.yaml").write_text(yaml.safe_dump(config))
    assert drift(listed("build"), read_the_docs_packages(tmp_path / ".readthedocs.yaml")) == {
        "missing": ["libharfbuzz-subset0"], "extra": ["libcairo2"]}


def test_every_workflow_job_installs_by_hand_only_the_bootstrap_list_then_runs_system_deps():
    jobs = workflow_steps()
    every_command = []
    for name, steps in jobs.items():
        by_hand = [package for run in steps for package in apt_installed(run)]
        assert drift(listed("bootstrap"), by_hand) == {"missing": [], "extra": []}, name
        # The rest comes from the script itself: the build list before `make`, the test list from `make test`.
        commands = [line.strip() for run in steps for line in run.splitlines()]
        first_make = next(i for i, command in enumerate(commands) if command.split()[:1] == ["make"])
        assert commands.index("bash scripts/system-deps.sh build") < first_make, name
        every_command += commands
    assert {"make pdf epub braille", "make assemble", "make test"} <= set(every_command)


def test_a_package_installed_by_hand_in_the_workflow_is_caught(tmp_path):
    workflow = tmp_path / "handbook.yml"
    workflow.write_text(WORKFLOW.read_text().replace("git make python3", "git make python3 libpango-1.0-0", 1))
    first_job = next(iter(workflow_steps(workflow).values()))
    by_hand = [package for run in first_job for package in apt_installed(run)]
    assert drift(listed("bootstrap"), by_hand)["extra"] == ["libpango-1.0-0"]


# -- a missing library is named in one line ---------------------------------------------


@pytest.mark.slow  # reads the whole handbook before the PDF builder starts WeasyPrint
def test_missing_harfbuzz_subset_is_one_line_naming_the_package(tmp_path):
    # The dynamic loader finds an empty libharfbuzz-subset.so.0 first and fails to load it,
    # so WeasyPrint goes without it, as on a machine where it is not installed. (Hiding the
    # real file with a bind mount would need a private / , which a chroot cannot have.)
    broken = tmp_path / "lib"
    broken.mkdir()
    (broken / "libharfbuzz-subset.so.0").write_bytes(b"")
    done = subprocess.run(
        [str(ROOT / ".venv" / "bin" / "sphinx-build"), "-b", "pdf", "-q", "-W", "--keep-going", "-c", str(ROOT),
         "-d", str(tmp_path / "doctrees"), str(ROOT / "docs"), str(tmp_path / "out")],
        capture_output=True, text=True, env={**os.environ, "LD_LIBRARY_PATH": str(broken)},
    )
    assert done.returncode != 0
    output = done.stdout + done.stderr
    assert "Traceback" not in output
    assert "Please install" not in output  # WeasyPrint's own warnings name no package
    lines = [line for line in output.splitlines() if "HarfBuzz" in line]
    assert len(lines) == 1, output
    assert "apt-get install libharfbuzz-subset0" in lines[0]
    assert not list((tmp_path / "out").glob("*.pdf"))


# -- `make check-fresh` fails on a commit that breaks a fresh machine ---------------------


def commit_with(tmp_path: Path, path: str, old: str, new: str) -> Path:
    """A clone of HEAD with one more commit, which replaces ``old`` by ``new`` in ``path``."""
    clone = tmp_path / "sources"
    subprocess.run(["git", "clone", "--quiet", "--no-hardlinks", str(ROOT), str(clone)], check=True)
    subprocess.run(["git", "-C", str(clone), "checkout", "--quiet", "--detach",
                    subprocess.run(["git", "-C", str(ROOT), "rev-parse", "HEAD"], capture_output=True, text=True,
                                   check=True).stdout.strip()], check=True)
    file = clone / path
    assert old in file.read_text(), f"{old!r} is not in {path}"
    file.write_text(file.read_text().replace(old, new, 1))
    subprocess.run(["git", "-C", str(clone), "-c", "user.name=test", "-c", "user.email=test@example.org",
                    "commit", "--quiet", "-am", f"break a fresh machine: {path}"], check=True)
    return clone


def mounts_under(folder: Path) -> list[str]:
    return [fields[4] for fields in (line.split() for line in Path("/proc/self/mountinfo").read_text().splitlines())
            if fields[4] == str(folder) or fields[4].startswith(f"{folder}/")]


@pytest.mark.fresh
@pytest.mark.parametrize(("path", "old", "new", "named"), [
    ("scripts/system-deps.sh", " libharfbuzz-subset0 ", " ", "apt-get install libharfbuzz-subset0"),
    ("requirements.txt", "soupsieve==2.10", "soupsieve==4.1.3", "soupsieve==4.1.3"),
], ids=["package-dropped", "pin-too-new-for-python-3.11.2"])
def test_check_fresh_fails_and_names_the_culprit(tmp_path, path, old, new, named):
    broken = commit_with(tmp_path, path, old, new)
    fresh_dir = tmp_path / "fresh"
    done = subprocess.run(
        ["bash", str(ROOT / "scripts" / "check-fresh.sh"), "--repo", str(broken), "bookworm"],
        capture_output=True, text=True, env={**os.environ, "FRESH_DIR": str(fresh_dir), "FRESH_TEST": ""},
    )
    output = done.stdout + done.stderr
    assert done.returncode == 1, output
    assert named in output, output
    assert "check-fresh: bookworm: make FAILED" in output, output
    assert "FAILED on a fresh Debian bookworm" in output.splitlines()[-1], output
    # Nothing is left: no mount, no chroot, and this machine's /dev is whole.
    assert not mounts_under(tmp_path)
    assert not (fresh_dir / "bookworm").exists()
    assert Path("/dev/null").is_char_device() and Path("/dev/pts").is_dir()
