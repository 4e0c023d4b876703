"""_ext/handbook/common/template_cache.py: compiled templates kept between builds, the pages unchanged."""

from __future__ import annotations

import io

from sphinx.application import Sphinx

from handbook.common import template_cache


def _build(src, out, doctrees) -> None:
    Sphinx(str(src), str(src), str(out), str(doctrees), "html", status=io.StringIO(), warning=io.StringIO(),
           freshenv=True).build(force_all=True)


def test_a_second_build_loads_the_compiled_templates_and_writes_the_same_pages(tmp_path):
    src = tmp_path / "src"
    src.mkdir()
    (src / "conf.py").write_text('extensions = ["handbook.common.template_cache"]\nproject = "T"\n')
    (src / "index.rst").write_text("Title\n=====\n\nText.\n")
    doctrees = tmp_path / "doctrees"

    _build(src, tmp_path / "first", doctrees)
    cached = sorted((doctrees / template_cache.FOLDER).iterdir())
    assert cached, "the compiled templates are kept"
    stamps = {path: path.stat().st_mtime_ns for path in cached}

    _build(src, tmp_path / "second", doctrees)
    assert {path: path.stat().st_mtime_ns for path in cached} == stamps, "loaded, not compiled again"
    assert (tmp_path / "first" / "index.html").read_bytes() == (tmp_path / "second" / "index.html").read_bytes()


def test_a_changed_template_is_compiled_again(tmp_path):
    src = tmp_path / "src"
    (src / "_templates").mkdir(parents=True)
    (src / "conf.py").write_text('extensions = ["handbook.common.template_cache"]\nproject = "T"\n'
                                 'templates_path = ["_templates"]\n')
    (src / "index.rst").write_text("Title\n=====\n\nText.\n")
    layout = src / "_templates" / "layout.html"
    doctrees = tmp_path / "doctrees"
    layout.write_text('{% extends "!layout.html" %}{% block footer %}First footer{% endblock %}')
    _build(src, tmp_path / "first", doctrees)
    layout.write_text('{% extends "!layout.html" %}{% block footer %}Second footer{% endblock %}')
    _build(src, tmp_path / "second", doctrees)
    assert "Second footer" in (tmp_path / "second" / "index.html").read_text()
