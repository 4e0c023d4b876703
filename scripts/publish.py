"""Move finished outputs from the staging folder to where readers find them.

A build writes into _build/.stage/<format>; only a complete, successful build
reaches this step (make stops at the first failure). Publishing never leaves a
half-written file: each file is copied beside its target and renamed over it
(rename is atomic on POSIX), and a folder is swapped in with two renames.
So a failed, interrupted or killed build leaves the previous outputs as they were.

    publish.py --files DEST_DIR FILE...   publish single files into DEST_DIR
    publish.py --tree STAGED_DIR DEST_DIR  replace the folder DEST_DIR by a copy of STAGED_DIR
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
from pathlib import Path


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
    parent = dest.parent
    parent.mkdir(parents=True, exist_ok=True)
    outgoing = parent / f".{dest.name}.old"
    if not dest.exists() and outgoing.exists():
        os.rename(outgoing, dest)  # an earlier swap was killed between its two renames
    incoming = Path(tempfile.mkdtemp(dir=parent, prefix=f".{dest.name}.new."))
    try:
        shutil.copytree(staged, incoming, dirs_exist_ok=True)
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
