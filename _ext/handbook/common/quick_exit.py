"""A build's process ends without the garbage collector walking its whole heap.

When Python exits, it runs full collections over every object still alive:
after a build of the handbook, half a second of the process's life (measured
on a PDF build of the 1x handbook: 0.50 s from the end of ``sphinx-build``'s
``main`` to the process's exit, 0.03 s with this), on every one of the eight
builds of a ``make``, and a seventh of a second for the PDF render's process
(``render.main`` does the same). The render waits for its build's process to
end, and `make` for the render's.

At exit, before the final collections, the objects alive are moved to the
permanent generation (``gc.freeze``), which those collections skip; the
system takes the memory back. The atexit handlers registered before this one,
such as logging's flush, still run after it, and output is still flushed.
What is skipped is finalizers of objects in reference cycles at exit, which
Python does not promise to run (the data model's ``__del__``). The builds
write their files with ``with`` blocks. The same as Spack's
``bin/spack`` (spack/spack pull request 53020); CPython issue 75739, which
added ``gc.freeze``, discusses the shutdown it makes faster.
"""

from __future__ import annotations

import atexit
import gc


def freeze_at_exit() -> None:
    """Make the process's exit skip the collection of the objects alive then (idempotent)."""
    atexit.unregister(gc.freeze)  # once, however many builds this process sets up
    atexit.register(gc.freeze)


def setup(app):
    freeze_at_exit()
    return {"parallel_read_safe": True, "parallel_write_safe": True}
