"""Move finished outputs from the staging folder to where readers find them.

A build writes into _build/.stage/<format>; only a complete, successful build
reaches this step (make stops at the first failure). Publishing never leaves a
half-written file: each file is copied beside its target and renamed over it
(rename is atomic on POSIX), and a folder is swapped in with two renames.
So a failed, interrupted or killed build leaves the previous outputs as they were.

    publish.py --files DEST_DIR FILE...   publish single files into DEST_DIR
    publish.py --tree STAGED_DIR DEST_DIR  replace the folder DEST_DIR by a copy of STAGED_DIR
    publish.py --site DEST_DIR --edition LANGUAGE=STAGED_DIR... --downloads FILE...
        replace the web site DEST_DIR by its editions (English at the root, the others in
        a folder named by their language) and the downloads, listed in downloads/SHA256SUMS
"""

from __future__ import annotations

import argparse
import hashlib
import os
import shutil
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "_ext"))
from handbook.common.editions import DOWNLOADS_FOLDER, site_folder  # noqa: E402  (needs _ext on sys.path)


def publish_file(source: Path, dest_dir: Path) -> Path:
    """Copy ``source`` into ``dest_dir`` under the same name, atomically."""
    dest_dir.mkdir(parents=True, exist_ok=True)
    target = dest_dir / source.name
    fd, tmp = tempfile.mkstemp(dir=dest_dir, prefix=f".{source.name}.", suffix=".part")
    try:
        with os.fdopen(fd, "wb") as out, source.open("rb") as src:
            shutil.copyfileobj(src, out)
            out.flush()
            os.fsync(out.fileno())
        shutil.copystat(source, tmp)
        os.replace(tmp, target)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return target


def publish_tree(staged: Path, dest: Path) -> Path:
    """Replace the folder ``dest`` by a copy of ``staged``; the old one goes only at the end."""
    return _swap_in(dest, lambda incoming: shutil.copytree(staged, incoming, dirs_exist_ok=True))


def sha256sums(files: list[Path]) -> str:
    """The contents of a SHA256SUMS file, as `sha256sum --check` reads it."""
    lines = []
    for file in sorted(files, key=lambda f: f.name):
        digest = hashlib.sha256(file.read_bytes()).hexdigest()
        lines.append(f"{digest}  {file.name}\n")
    return "".join(lines)


def assemble_site(site: Path, editions: dict[str, Path], downloads: list[Path]) -> None:
    """Fill the empty folder ``site``: each edition in its folder, the downloads and their checksums."""
    for language, staged in editions.items():
        folder = site / site_folder(language)
        clash = [site_folder(other) for other in editions
                 if other != language and site_folder(other) and (staged / site_folder(other)).exists()]
        if clash:
            raise ValueError(f"the {language} edition has a folder {clash[0]}, where another edition goes")
        # Sphinx's backup of an earlier build's settings (written when they changed) is not the site's.
        shutil.copytree(staged, folder, dirs_exist_ok=True, ignore=shutil.ignore_patterns(".buildinfo.bak"))
    folder = site / DOWNLOADS_FOLDER
    folder.mkdir()
    for file in downloads:
        shutil.copyfile(file, folder / file.name)
    (folder / "SHA256SUMS").write_text(sha256sums([folder / file.name for file in downloads]), encoding="utf-8")


def publish_site(dest: Path, editions: dict[str, Path], downloads: list[Path]) -> Path:
    """Replace the web site ``dest`` by its editions and downloads, all at once."""
    return _swap_in(dest, lambda incoming: assemble_site(incoming, editions, downloads))


def _swap_in(dest: Path, fill: Callable[[Path], None]) -> Path:
    """Fill a new folder beside ``dest``, then put it in the place of ``dest`` with two renames."""
    parent = dest.parent
    parent.mkdir(parents=True, exist_ok=True)
    outgoing = parent / f".{dest.name}.old"
    if not dest.exists() and outgoing.exists():
        os.rename(outgoing, dest)  # an earlier swap was killed between its two renames
    incoming = Path(tempfile.mkdtemp(dir=parent, prefix=f".{dest.name}.new."))
    try:
        fill(incoming)
        if outgoing.exists():
            shutil.rmtree(outgoing)
        if dest.exists():
            os.rename(dest, outgoing)
        os.rename(incoming, dest)
    except BaseException:
        # Put the previous folder back if the swap did not finish.
        if not dest.exists() and outgoing.exists():
            os.rename(outgoing, dest)
        shutil.rmtree(incoming, ignore_errors=True)
        raise
    shutil.rmtree(outgoing, ignore_errors=True)
    return dest


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    group = parser.add_mutually_exclusive_group(required=True)
    group.add_argument("--files", nargs="+", metavar="PATH", help="DEST_DIR then the files to publish")
    group.add_argument("--tree", nargs=2, metavar=("STAGED_DIR", "DEST_DIR"))
    group.add_argument("--site", metavar="DEST_DIR", help="the web site, from --edition and --downloads")
    parser.add_argument("--edition", action="append", default=[], metavar="LANGUAGE=STAGED_DIR")
    parser.add_argument("--downloads", nargs="*", default=[], metavar="FILE")
    args = parser.parse_args(argv)
    try:
        return _publish(args)
    except OSError as error:
        # A full disk or a missing permission: one line, and the old outputs stay.
        print(f"publish: cannot publish {error.filename or 'the outputs'}: {error.strerror or error}. "
              "The previous outputs are unchanged; free some disk space or fix the permission and run make again.",
              file=sys.stderr)
        return 1


def _publish(args: argparse.Namespace) -> int:
    if args.site:
        editions = dict(edition.split("=", 1) for edition in args.edition)
        missing = [staged for staged in editions.values() if not Path(staged).is_dir()]
        missing += [file for file in args.downloads if not Path(file).is_file()]
        if not editions or missing:
            print(f"publish: missing build output: {', '.join(missing) or 'no edition given'}", file=sys.stderr)
            return 1
        try:
            publish_site(Path(args.site), {k: Path(v) for k, v in editions.items()}, list(map(Path, args.downloads)))
        except ValueError as error:
            print(f"publish: {error}; rename it", file=sys.stderr)
            return 1
        return 0
    if args.tree:
        staged, dest = map(Path, args.tree)
        if not staged.is_dir():
            print(f"publish: {staged} does not exist; the build did not finish", file=sys.stderr)
            return 1
        publish_tree(staged, dest)
        return 0
    dest_dir, *files = map(Path, args.files)
    missing = [str(f) for f in files if not f.is_file()]
    if not files or missing:
        print(f"publish: missing build output: {', '.join(missing) or 'no files given'}", file=sys.stderr)
        return 1
    for file in files:
        publish_file(file, dest_dir)
    return 0


if __name__ == "__main__":
    sys.exit(main())
