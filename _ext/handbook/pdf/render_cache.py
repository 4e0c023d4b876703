"""Renders kept by what they are made from: a print document that did not change is not laid out again.

Every format of `make` depends on every source file, so an edit to the web
theme, or to one language's catalogue, makes the PDF's build run again; the
print document it writes is then the same, and laying it out again (seconds at
the handbook's size, minutes at 20 times) would make the same bytes: the renders
are reproducible (tests/test_pdf_outputs.py).

An edition's render is kept under a key: the digest of the render job, the print
document, the render's own code, the versions of WeasyPrint, the libraries it
draws with and pikepdf, and the system's text libraries and fonts, with the
edition. Beside its files, the entry lists every file the render loaded (its
stylesheets, their fonts, the images: render.py records what WeasyPrint fetches),
each by digest. A render whose key is kept, and whose loaded files are all the
same, copies the kept files into place; any other renders, then keeps its files
in place of the ones it replaces. An entry is a folder renamed into place once
whole; a kept file that does not match its digest is thrown away and the
edition rendered.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import hashlib
import importlib.metadata
import json
import os
import shutil
import sys
import tempfile
from collections.abc import Iterable
from pathlib import Path

MANIFEST = "manifest.json"
# What makes the bytes besides the files: the layout, the fonts' subsets, the PDF
# objects, the hyphenation patterns, the tag repair.
LIBRARIES = ("weasyprint", "pydyf", "tinycss2", "tinyhtml5", "cssselect2", "fonttools", "pyphen", "pillow",
             "pikepdf")
# The render's own code: the package of this module, and the page map it writes.
CODE = (Path(__file__).parent, Path(__file__).parents[1] / "common" / "page_map.py")
# Where fontconfig finds the system's fonts and how it picks them: the print CSS falls back
# to them (code is set in DejaVu Sans Mono, a system font).
FONT_PLACES = (Path("/usr/share/fonts"), Path("/usr/local/share/fonts"), Path.home() / ".fonts",
               Path.home() / ".local/share/fonts", Path("/etc/fonts"))
# The system libraries that shape, lay out and subset the text, with a function saying their version.
SYSTEM_LIBRARIES = (("harfbuzz", "hb_version_string"), ("pango-1.0", "pango_version_string"))


def system_state() -> list[str]:
    """What of the system the bytes of a render depend on: its text libraries' versions and its fonts.

    The fonts by name, size and time: a font installed, removed or updated changes the state.
    """
    state = []
    for library, function in SYSTEM_LIBRARIES:
        try:
            version = getattr(ctypes.CDLL(ctypes.util.find_library(library)), function)
            version.restype = ctypes.c_char_p
            state.append(f"{library} {version().decode()}")
        except (OSError, AttributeError, TypeError):
            state.append(f"{library} unknown")
    fonts = hashlib.sha256()
    for path in _files_under(FONT_PLACES):
        try:
            info = path.stat()
        except OSError:  # a dangling link
            continue
        fonts.update(f"{path}:{info.st_size}:{info.st_mtime_ns};".encode())
    state.append(f"fonts {fonts.hexdigest()}")
    return state


def _hash_file(digest, path: Path) -> None:
    digest.update(f"{len(path.name)}:{path.name}:{_digest_of(path)};".encode())


def _files_under(paths: Iterable[Path], suffix: str | None = None) -> list[Path]:
    found = []
    for path in paths:
        if path.is_dir():
            found += sorted(p for p in path.rglob("*") if p.is_file() and (suffix is None or p.suffix == suffix))
        elif path.is_file():
            found.append(path)
    return found


def inputs_digest(job_fields: dict, html_file: Path | None, system: Iterable[str]) -> str:
    """The digest of what every edition's render of a job starts from (the edition and the files it loads aside).

    ``job_fields`` is the render job, as written (or the fields a layout depends on);
    ``html_file`` the print document (None: a piece's document is in its own key);
    ``system`` is ``system_state()``.
    """
    digest = hashlib.sha256()
    # pdf_memory_mb only decides which editions render side by side: the same bytes either way.
    fields = {name: value for name, value in job_fields.items() if name not in ("memory_mb", "cache_dir")}
    digest.update(json.dumps(fields, sort_keys=True, ensure_ascii=False).encode())
    digest.update(f"python {sys.version_info[:3]}".encode())
    for library in LIBRARIES:
        try:
            version = importlib.metadata.version(library)
        except importlib.metadata.PackageNotFoundError:
            version = "absent"
        digest.update(f"{library} {version};".encode())
    for line in system:
        digest.update(f"{line};".encode())
    for path in [*([html_file] if html_file else []), *_files_under(CODE, suffix=".py")]:
        _hash_file(digest, path)
    return digest.hexdigest()


def edition_key(inputs: str, edition_suffix: str) -> str:
    return hashlib.sha256(f"{inputs}\n{edition_suffix}".encode()).hexdigest()[:32]


def layout_key(inputs: str, edition_suffix: str, name: str, document: str) -> str:
    """The key of one layout of an edition's render (a piece, the front matter: render.py)."""
    return edition_key(inputs, f"{edition_suffix}\n{name}\n{document}")


def _entry(cache_dir: Path, name: str, key: str) -> Path:
    return cache_dir / f"{name}.{key}"


def restore(cache_dir: Path, name: str, key: str, targets: list[Path]) -> list[Path] | None:
    """Copy the files kept under ``key`` onto ``targets``, and return the files their render loaded;
    None when there are none whole, or any loaded file changed.

    ``name`` is the render's (its PDF's file name, or a piece's): it has at most one entry.
    """
    entry = _entry(cache_dir, name, key)
    try:
        manifest = json.loads((entry / MANIFEST).read_text(encoding="utf-8"))
        kept = [entry / target.name for target in targets]
        for path, digest in [*((path, manifest["outputs"].get(path.name)) for path in kept),
                             *((Path(loaded), digest) for loaded, digest in manifest["loaded"].items())]:
            if _digest_of(path) != digest:
                raise ValueError(f"{path} is not the file it was")
    except (OSError, ValueError, KeyError, TypeError):
        # Missing, not whole, or a file the render loaded has changed or gone: render again.
        shutil.rmtree(entry, ignore_errors=True)
        return None
    partials = [target.with_name(target.name + ".part") for target in targets]
    try:
        for path, partial in zip(kept, partials):
            shutil.copyfile(path, partial)
    except OSError:  # no room, say: the render runs and reports what stops it
        for partial in partials:
            partial.unlink(missing_ok=True)
        return None
    for partial, target in zip(partials, targets):
        os.replace(partial, target)
    return [Path(path) for path in manifest["loaded"]]


def store(cache_dir: Path, name: str, key: str, outputs: list[Path], loaded: Iterable[Path]) -> None:
    """Keep ``outputs`` under ``key``, with the digests of the files the render ``loaded``, in place of any earlier entry of ``name``."""
    cache_dir.mkdir(parents=True, exist_ok=True)
    entry = _entry(cache_dir, name, key)
    building = Path(tempfile.mkdtemp(prefix=f".{name}.", dir=cache_dir))
    try:
        manifest = {"outputs": {}, "loaded": {str(path): _digest_of(path) for path in sorted(set(loaded))}}
        for output in outputs:
            shutil.copyfile(output, building / output.name)
            manifest["outputs"][output.name] = _digest_of(building / output.name)
        (building / MANIFEST).write_text(json.dumps(manifest, indent=1), encoding="utf-8")
        shutil.rmtree(entry, ignore_errors=True)
        os.replace(building, entry)
    finally:
        shutil.rmtree(building, ignore_errors=True)
    # Earlier entries of this render, and any a killed render left half-kept.
    for old in [*cache_dir.glob(f"{name}.*"), *cache_dir.glob(f".{name}.*")]:
        if old != entry:
            shutil.rmtree(old, ignore_errors=True)


def _digest_of(path: Path) -> str:
    with path.open("rb") as stream:
        return hashlib.file_digest(stream, "sha256").hexdigest()
