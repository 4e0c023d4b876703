"""_ext/handbook/web/search_from_disk.py: every page's content, for search excerpts from disk.

The browser test (test_html_a11y.py) opens the real site from disk and sees the
excerpts; here, on a small site, what the build hands the search page.
"""

from __future__ import annotations

import io
import json

from sphinx.application import Sphinx

from handbook.web import search_from_disk


def test_pages_come_from_sphinxs_body_in_the_box_search_reads(tmp_path):
    source = tmp_path / "src"
    source.mkdir()
    (source / "index.md").write_text("# Home\n\nThe home page text.\n\n```{toctree}\nother\n```\n")
    (source / "other.md").write_text("# Other\n\nAnother page's words.\n")
    app = Sphinx(str(source), None, str(tmp_path / "html"), str(tmp_path / "doctrees"), "html",
                 confoverrides={"extensions": ["myst_parser", "handbook.web.search_from_disk"],
                                "html_theme": "alabaster", "project": "Site title in the sidebar"},
                 status=None, warning=io.StringIO(), freshenv=True, parallel=2)
    app.build()
    script = (tmp_path / "html" / "_static" / search_from_disk.DATA_FILE).read_text()
    assert script.startswith("window.handbookSearchPages = ")
    pages = json.loads(script.removeprefix("window.handbookSearchPages = ").rstrip(";\n"))
    assert sorted(pages) == ["index", "other"]  # written by two processes, gathered at the end
    assert pages["other"].startswith('<div role="main">') and "Another page’s words." in pages["other"]
    assert "Site title in the sidebar" not in pages["other"]  # the theme around the content stays out


def test_the_data_cannot_close_its_script_element():
    assert "</script>" not in search_from_disk.data_script({"a": "<script>x</script>"})
