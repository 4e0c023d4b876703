"""_ext/handbook/pdf/render_cache.py: a render is kept by what it is made from, and used only whole."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest

from handbook.pdf import render, render_cache

SYSTEM = ["harfbuzz 6.0.0", "pango-1.0 1.50.12", "fonts abc"]
HTML = """<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>A book</title></head>
<body><main><section id="start"><h1>Start</h1><p>Some text.</p></section>
<section id="end"><h1>The end</h1><p>More text.</p><img src="_images/map.svg" alt="A map."></section></main>
</body></html>
"""


def print_document(folder: Path) -> Path:
    """A print document with what the builder puts beside it: styles and images."""
    (folder / "_static").mkdir(parents=True)
    (folder / "_static" / "print.css").write_text("@page { margin: 20mm; } section { break-before: page; }\n")
    (folder / "_static" / "large-print.css").write_text("body { font-size: 18pt; }\n")
    (folder / "_images").mkdir()
    (folder / "_images" / "map.svg").write_text("<svg xmlns='http://www.w3.org/2000/svg' width='9' height='9'/>\n")
    html_file = folder / "index.html"
    html_file.write_text(HTML, encoding="utf-8")
    return html_file


def job_for(html_file: Path, **changes) -> render.RenderJob:
    fields = dict(html_file=str(html_file), stem="book-en", language="en", paper="A4", release="1 (abc)",
                  body_id="start", last_section=("end", "The end"), link_titles={}, page_map_source="A book",
                  memory_mb=1500, cache_dir=str(html_file.parent / "renders"))
    return render.RenderJob(**{**fields, **changes})


def digest(job: render.RenderJob, system=SYSTEM) -> str:
    return render_cache.inputs_digest(dataclasses.asdict(job), Path(job.html_file), system)


# -- The key --------------------------------------------------------------------


def test_the_same_inputs_give_the_same_key(tmp_path):
    html_file = print_document(tmp_path)
    assert digest(job_for(html_file)) == digest(job_for(html_file))


@pytest.mark.parametrize("change", ["document", "job", "system"])
def test_what_the_render_starts_from_changes_the_key(tmp_path, change):
    html_file = print_document(tmp_path)
    job, system = job_for(html_file), SYSTEM
    before = digest(job)
    if change == "document":
        html_file.write_text(HTML.replace("Some text.", "Some other text."), encoding="utf-8")
    elif change == "job":
        job = job_for(html_file, paper="letter")
    else:
        system = [*SYSTEM[:2], "fonts def"]  # a font installed or updated
    assert digest(job, system) != before


def test_what_only_schedules_the_renders_leaves_the_key(tmp_path):
    html_file = print_document(tmp_path)
    assert digest(job_for(html_file, memory_mb=4000)) == digest(job_for(html_file))


def test_a_file_beside_the_document_that_the_render_does_not_load_leaves_the_key(tmp_path):
    html_file = print_document(tmp_path)
    before = digest(job_for(html_file))
    (tmp_path / "_static" / "handbook.css").write_text("/* the web theme's */\n")
    assert digest(job_for(html_file)) == before


def test_each_edition_has_its_own_key():
    assert render_cache.edition_key("inputs", "") != render_cache.edition_key("inputs", "-large-print")


def test_the_system_state_names_the_text_libraries_and_the_fonts():
    state = render_cache.system_state()
    assert [line.split()[0] for line in state] == ["harfbuzz", "pango-1.0", "fonts"]
    assert "unknown" not in " ".join(state), "WeasyPrint's libraries are installed: their versions are known"


# -- Keeping and restoring --------------------------------------------------------


def loaded_in(folder: Path) -> list[Path]:
    """Files a render loaded: a stylesheet and its font."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "print.css").write_text("@font-face { src: url(font.ttf); }\n")
    (folder / "font.ttf").write_bytes(b"glyphs")
    return [folder / "print.css", folder / "font.ttf"]


def outputs_in(folder: Path, content: bytes = b"%PDF-1.7 one") -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    pdf, page_map = folder / "book-en.pdf", folder / "book-en-pages.json"
    pdf.write_bytes(content)
    page_map.write_text('{"pages": []}')
    return [pdf, page_map]


def test_a_kept_render_is_restored_byte_for_byte(tmp_path):
    cache = tmp_path / "renders"
    made = outputs_in(tmp_path / "made")
    render_cache.store(cache, "book-en.pdf", "k1", made, loaded_in(tmp_path / "static"))
    targets = [tmp_path / "next" / path.name for path in made]
    targets[0].parent.mkdir()
    assert render_cache.restore(cache, "book-en.pdf", "k1", targets) == sorted(loaded_in(tmp_path / "static")), \
        "the files its render loaded"
    assert [path.read_bytes() for path in targets] == [path.read_bytes() for path in made]


def test_nothing_is_restored_under_another_key(tmp_path):
    cache = tmp_path / "renders"
    made = outputs_in(tmp_path / "made")
    render_cache.store(cache, "book-en.pdf", "k1", made, loaded_in(tmp_path / "static"))
    targets = [tmp_path / "next" / path.name for path in made]
    assert None is render_cache.restore(cache, "book-en.pdf", "k2", targets)
    assert not any(path.exists() for path in targets)


@pytest.mark.parametrize("change", ["changed", "removed"])
def test_a_render_whose_loaded_files_changed_is_not_used(tmp_path, change):
    cache = tmp_path / "renders"
    made, loaded = outputs_in(tmp_path / "made"), loaded_in(tmp_path / "static")
    render_cache.store(cache, "book-en.pdf", "k1", made, loaded)
    if change == "changed":
        loaded[1].write_bytes(b"other glyphs")  # a font updated: the same document prints otherwise
    else:
        loaded[0].unlink()
    targets = [tmp_path / "next" / path.name for path in made]
    targets[0].parent.mkdir()
    assert None is render_cache.restore(cache, "book-en.pdf", "k1", targets)
    assert not any(path.exists() for path in targets)


def test_a_kept_file_that_changed_is_thrown_away(tmp_path):
    cache = tmp_path / "renders"
    made = outputs_in(tmp_path / "made")
    render_cache.store(cache, "book-en.pdf", "k1", made, loaded_in(tmp_path / "static"))
    kept_pdf = next(cache.glob("book-en.pdf.k1")) / "book-en.pdf"
    kept_pdf.write_bytes(b"%PDF-1.7 on")  # cut short
    targets = [tmp_path / "next" / path.name for path in made]
    targets[0].parent.mkdir()
    assert None is render_cache.restore(cache, "book-en.pdf", "k1", targets)
    assert not any(path.exists() for path in targets), "nothing half-restored"
    assert not list(cache.glob("book-en.pdf.*")), "the entry is gone: the next render keeps a whole one"


def test_a_restore_that_cannot_copy_leaves_nothing_half_done(tmp_path, monkeypatch):
    cache = tmp_path / "renders"
    made = outputs_in(tmp_path / "made")
    render_cache.store(cache, "book-en.pdf", "k1", made, [])
    targets = [tmp_path / "next" / path.name for path in made]
    targets[0].parent.mkdir()
    copies = []

    def copy_then_fail(source, destination):  # the disk fills up on the second file
        if copies:
            raise OSError(28, "No space left on device")
        copies.append(Path(destination).write_bytes(Path(source).read_bytes()))

    monkeypatch.setattr(render_cache.shutil, "copyfile", copy_then_fail)
    assert None is render_cache.restore(cache, "book-en.pdf", "k1", targets)
    assert list(targets[0].parent.iterdir()) == [], "no target and no partial file"


def test_a_render_keeps_one_entry_and_leaves_the_others_renders(tmp_path):
    cache = tmp_path / "renders"
    render_cache.store(cache, "book-en.pdf", "k1", outputs_in(tmp_path / "one"), [])
    render_cache.store(cache, "book-en-large-print.pdf", "k9", outputs_in(tmp_path / "lp"), [])
    (cache / ".book-en.pdf.left-by-a-killed-render").mkdir()
    render_cache.store(cache, "book-en.pdf", "k2", outputs_in(tmp_path / "two", b"%PDF-1.7 two"), [])
    assert sorted(path.name for path in cache.iterdir()) == ["book-en-large-print.pdf.k9", "book-en.pdf.k2"]


# -- In the render ----------------------------------------------------------------


def test_an_unchanged_print_document_is_not_laid_out_again(tmp_path, monkeypatch):
    html_file = print_document(tmp_path)
    job = job_for(html_file)
    assert render.render_all(job, say=lambda line: None) == []
    made = {path: path.read_bytes() for edition in render.EDITIONS for path in job.outputs(edition)}
    manifest = json.loads(next((tmp_path / "renders").glob("book-en.pdf.*/manifest.json")).read_text())
    assert sorted(Path(path).relative_to(tmp_path).as_posix() for path in manifest["loaded"]) == [
        "_images/map.svg", "_static/print.css"], "what the render fetched, and its stylesheet"
    for path in made:
        path.unlink()

    def no_layout(job, edition):  # runs in the forked render processes
        raise render.RenderError(f"laid out {edition.suffix or 'standard'} again")

    monkeypatch.setattr(render, "render_edition", no_layout)
    assert render.render_all(job, say=lambda line: None) == []
    assert {path: path.read_bytes() for path in made} == made, "the same files, restored"

    (tmp_path / "_static" / "handbook.css").write_text("/* the web theme's, which the render does not load */\n")
    assert render.render_all(job, say=lambda line: None) == [], "an edit to the web theme renders nothing"

    (tmp_path / "_static" / "large-print.css").write_text("body { font-size: 20pt; }\n")
    assert render.render_all(job, say=lambda line: None) == ["laid out -large-print again"]

    html_file.write_text(HTML.replace("More text.", "Other text."), encoding="utf-8")
    assert render.render_all(job, say=lambda line: None) == ["laid out standard again", "laid out -large-print again"]
