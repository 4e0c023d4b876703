"""Compiled templates kept between builds, beside the doctrees.

Every build compiles the theme's Jinja templates again (the book theme's
layout stacks about forty of them): a third of a second each time, most of a
one-page rebuild under `make serve`. Jinja keeps compiled templates in a
bytecode cache keyed by each template's source checksum, so a changed template
is compiled again; Sphinx does not give its template environment one, so this
does, in a folder of the build's doctree directory.
"""

from __future__ import annotations

from pathlib import Path

from jinja2 import FileSystemBytecodeCache

FOLDER = "jinja-bytecode"


def use_bytecode_cache(app) -> None:
    templates = getattr(app.builder, "templates", None)
    environment = getattr(templates, "environment", None)
    if environment is None:  # a builder that renders no templates
        return
    folder = Path(app.doctreedir, FOLDER)
    folder.mkdir(parents=True, exist_ok=True)
    # Jinja writes each entry to a temporary file and renames it: safe with parallel builds.
    environment.bytecode_cache = FileSystemBytecodeCache(str(folder))


def setup(app):
    app.connect("builder-inited", use_bytecode_cache)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
