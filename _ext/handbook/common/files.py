"""Files written whole or not at all.

A build may run beside another (`make -j`, `make serve` beside `make`) and read what
the other writes: a text is written to a file of its own beside the target, named
for the writing process, then renamed over it, so a reader never sees half of one.
"""

from __future__ import annotations

import os
from pathlib import Path


def write_text_atomically(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.{os.getpid()}.part")
    partial.write_text(text, encoding="utf-8")
    os.replace(partial, path)
