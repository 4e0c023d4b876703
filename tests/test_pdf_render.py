"""The render job: what the PDF builder hands to the render, and the render command's errors."""

from __future__ import annotations

import gc
import sys

import pytest

from sphinx import locale

from handbook.pdf import render
from handbook.pdf.render import EDITIONS, JOB_NAME, RenderJob, main


@pytest.fixture(autouse=True)
def translators_restored(monkeypatch):
    """The render command sets the language of ``_()`` for the process: Sphinx's translators restored after."""
    monkeypatch.delenv("HANDBOOK_LANGUAGE", raising=False)
    saved = dict(locale.translators)
    yield
    locale.translators.clear()
    locale.translators.update(saved)


def job_in(folder, **changes) -> RenderJob:
    fields = dict(
        html_file=str(folder / "index.html"), stem="book-en", language="en", paper="A4", release="1 (abc)",
        body_id="start", last_section=("end", "The end"), link_titles={"start": "Début"},
        page_map_source="A book, PDF edition", memory_mb=1500,
    )
    return RenderJob(**{**fields, **changes})


def test_a_job_reads_back_as_written(tmp_path):
    job = job_in(tmp_path)
    assert RenderJob.read(job.write(tmp_path)) == job
    assert RenderJob.read(job_in(tmp_path, last_section=None).write(tmp_path)).last_section is None


def test_each_edition_has_its_target_beside_the_print_document(tmp_path):
    assert [job_in(tmp_path).target(edition).name for edition in EDITIONS] == ["book-en.pdf",
                                                                               "book-en-large-print.pdf"]


@pytest.mark.parametrize(("prepare", "says"), [
    (lambda folder: None, "cannot read the render job"),
    (lambda folder: (folder / JOB_NAME).write_text("{not json"), "cannot read the render job"),
    (lambda folder: (folder / JOB_NAME).write_text('{"stem": "book-en"}'), "cannot read the render job"),
    (lambda folder: job_in(folder).write(folder), "the print document"),
])
def test_a_render_without_its_job_or_document_fails_in_one_line(tmp_path, capsys, prepare, says):
    prepare(tmp_path)
    assert main([str(tmp_path / JOB_NAME)]) == 1
    out, err = capsys.readouterr()
    (line,) = err.splitlines()
    assert line.startswith(f"[handbook.pdf] {says}"), line
    assert "sphinx-build -b pdf" in line  # what to do about it
    assert out == ""
    assert not list(tmp_path.glob("*.pdf"))


def test_the_render_command_speaks_the_edition_language(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("HANDBOOK_LANGUAGE", "es")  # as the Makefile runs it for the Spanish edition
    assert main([str(tmp_path / JOB_NAME)]) == 1
    (line,) = capsys.readouterr().err.splitlines()
    assert line.startswith("[handbook.pdf] no se puede leer el encargo de composición"), line


def test_a_render_waits_while_another_job_renders(tmp_path):
    """`make` builds the languages side by side; their renders take turns (--one-at-a-time)."""
    import fcntl

    from handbook.pdf.render import one_at_a_time

    lock = tmp_path / "stage" / "render.lock"
    with one_at_a_time(str(lock)), open(lock) as other_job:
        with pytest.raises(BlockingIOError):
            fcntl.flock(other_job, fcntl.LOCK_EX | fcntl.LOCK_NB)
    with open(lock) as other_job:
        fcntl.flock(other_job, fcntl.LOCK_EX | fcntl.LOCK_NB)  # free once the render is done


def test_the_render_command_reads_its_lock_option_before_the_job(tmp_path, capsys):
    lock = tmp_path / "render.lock"
    assert main(["--one-at-a-time", str(lock), str(tmp_path / JOB_NAME)]) == 1
    assert "cannot read the render job" in capsys.readouterr().err
    assert main(["--one-at-a-time", str(tmp_path / JOB_NAME)]) == 2  # the lock without a job
    assert "usage:" in capsys.readouterr().err


# -- --after: the Sphinx build first, WeasyPrint loaded meanwhile -------------------------------

WAIT_FOR_GO = ("import pathlib, sys, time\n"
               "for _ in range(400):\n"
               "    if pathlib.Path('go').exists(): break\n"
               "    time.sleep(0.05)\n"
               "pathlib.Path('built').touch()\n"
               "sys.exit(int(sys.argv[1]))\n")


def test_the_render_loads_weasyprint_while_the_build_runs_then_reads_the_job(tmp_path, capsys, monkeypatch):
    from handbook.pdf import render

    monkeypatch.chdir(tmp_path)
    loaded_during_build = []

    def load():  # the build waits for this call: it cannot end before WeasyPrint starts loading
        loaded_during_build.append(not (tmp_path / "built").exists())
        (tmp_path / "go").touch()

    monkeypatch.setattr(render, "weasyprint_problem", load)
    assert main([JOB_NAME, "--after", sys.executable, "-c", WAIT_FOR_GO, "0"]) == 1
    assert loaded_during_build[0] is True
    assert (tmp_path / "built").exists()
    assert "cannot read the render job" in capsys.readouterr().err  # read once the build is over


def test_a_failed_build_stops_the_render_with_its_status(tmp_path, capsys, monkeypatch):
    from handbook.pdf import render

    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(render, "weasyprint_problem", lambda: (tmp_path / "go").touch())
    assert main([JOB_NAME, "--after", sys.executable, "-c", WAIT_FOR_GO, "3"]) == 3
    assert capsys.readouterr().err == ""  # the build said what failed; the render adds nothing


def test_a_build_that_cannot_start_is_one_line(tmp_path, capsys):
    assert main([str(tmp_path / JOB_NAME), "--after", str(tmp_path / "no-such-sphinx-build")]) == 1
    (line,) = capsys.readouterr().err.splitlines()
    assert line.startswith("[handbook.pdf] cannot run the build"), line
    assert "--after" in line  # what to check


def test_after_needs_a_command(tmp_path, capsys):
    assert main([str(tmp_path / JOB_NAME), "--after"]) == 2
    assert "usage:" in capsys.readouterr().err


class _Layout:
    def __init__(self) -> None:
        self.pages = [object(), object()]


def _collections_by_layout_release(monkeypatch, held_mb: list[float]) -> int:
    """Full collections by the finisher, called once per layout, the process holding ``held_mb`` at each."""
    holding = [held_mb[0]]
    monkeypatch.setattr(render, "own_memory_mb", lambda: holding[0])
    started = []

    def record(phase, info):
        if phase == "start":
            started.append(info["generation"])

    gc.callbacks.append(record)
    try:
        release = render._LayoutRelease()
        for held in held_mb:
            holding[0] = held
            layout = _Layout()
            release(layout, None)
            assert layout.pages == [], "the layout is let go either way"
    finally:
        gc.callbacks.remove(record)
    return started.count(2)


def test_the_layouts_are_collected_once_the_render_has_grown_by_enough(monkeypatch):
    step = render.COLLECT_EVERY_MB / 2 + 1
    assert _collections_by_layout_release(monkeypatch, [100, 100 + step, 100 + 2 * step, 100 + 3 * step]) == 1


def test_small_layouts_are_not_collected(monkeypatch):
    # A full collection walks every object: at 1x, a sixth of a second for a whole layout's 9 MB.
    assert _collections_by_layout_release(monkeypatch, [118, 130, 140]) == 0
