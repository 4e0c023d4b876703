"""scripts/serve.py (`make serve`): an edit reaches the served page, built as sphinx-build builds it."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

import bench_loop
from conftest import ROOT, copy_sources

pytestmark = pytest.mark.slow  # builds the handbook twice
PAGE = Path("docs") / bench_loop.EDITED_PAGE.with_suffix(".md")


def test_an_edit_is_served_as_sphinx_build_would_build_it(tmp_path):
    tree = copy_sources(tmp_path / "tree")
    env = {**os.environ, "HANDBOOK_LANGUAGE": "en"}
    options = ["-b", "html", "-c", ".", "-q", "--no-color", "-D", "handbook_downloads_required=0"]
    port = bench_loop.free_port()
    log = tmp_path / "serve.log"
    with log.open("w") as output:
        server = subprocess.Popen(
            [sys.executable, str(ROOT / "scripts" / "serve.py"), *options, "-d", str(tmp_path / "serve-doctrees"),
             "--port", str(port), "docs", str(tmp_path / "served")],
            cwd=tree, env=env, stdout=output, stderr=subprocess.STDOUT, start_new_session=True)
    url = f"http://127.0.0.1:{port}/{bench_loop.EDITED_PAGE.as_posix()}.html"
    try:
        bench_loop.wait_for(url, "</html>", 180, server, log)
        text, _, _ = bench_loop.add_sentence((tree / PAGE).read_text(), "A sentence added while serving.")
        (tree / PAGE).write_text(text)
        bench_loop.wait_for(url, "A sentence added while serving.", 180, server, log)
        time.sleep(2)  # the rest of the rebuild (search index, inventory) after the page
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
    built = subprocess.run([sys.executable, "-m", "sphinx", *options, "-d", str(tmp_path / "doctrees"),
                            "docs", str(tmp_path / "built")], cwd=tree, env=env, capture_output=True, text=True)
    assert built.returncode == 0, built.stdout + built.stderr
    for page in (tmp_path / "built").rglob("*.html"):
        served = tmp_path / "served" / page.relative_to(tmp_path / "built")
        assert served.read_bytes() == page.read_bytes(), page.relative_to(tmp_path / "built")
