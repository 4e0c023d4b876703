"""make serve: sphinx-autobuild, with each rebuild forked from a process that has Sphinx loaded.

sphinx-autobuild starts a new Python for every rebuild (``python -m sphinx``):
it imports Sphinx, the themes and the handbook's extensions again, and the
readability rule reads the pronouncing dictionary again, longer than it takes
to rebuild the one page that changed. Here the server process loads all of
that once, and each rebuild is a fork of it that runs the same sphinx-build
command line and ends: the same build, in a process of its own, without the
start-up. What a build imports beyond that, the server imports after it, for
the next. Everything else (watching, serving, reloading the browser) is
sphinx-autobuild's.

Usage: the arguments of sphinx-autobuild (the Makefile's `serve` target).
"""

from __future__ import annotations

import contextlib
import importlib
import os
import sys
from pathlib import Path

import sphinx_autobuild.__main__ as autobuild
from sphinx.cmd.build import build_main
from sphinx.config import Config
from sphinx.util.tags import Tags
from sphinx_autobuild.build import Builder
from sphinx_autobuild.utils import show_message


class ForkedBuilder(Builder):
    """sphinx-autobuild's Builder, running sphinx-build in a fork of this process instead of a new Python."""

    def _run_sphinx(self) -> int:
        # The build tells this process which modules it imported: a build imports about 200
        # that the extensions do not (Sphinx's own builders, domains, the theme's styles),
        # half the time of a rebuild after an edit. Imported here, the next fork has them.
        read_end, write_end = os.pipe()
        pid = os.fork()
        if pid == 0:  # the build's own process: whatever the build does to it ends with it
            os.close(read_end)
            code = 1
            known = set(sys.modules)
            try:
                code = build_main(self.sphinx_args)
            finally:
                sys.stdout.flush()
                sys.stderr.flush()
                with os.fdopen(write_end, "w") as report:
                    report.write("\n".join(name for name in sys.modules if name not in known))
                os._exit(code)
        os.close(write_end)
        with os.fdopen(read_end) as report:
            imported = report.read().split()
        code = os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1])
        import_as_the_build_did(imported)
        return code

    def __call__(self, *, changed_paths):
        """What Builder.__call__ does, with sphinx-build forked rather than started anew."""
        if changed_paths:
            show_message("Detected changes (%s)" % ", ".join(str(path) for path in changed_paths[:5]))
            show_message("Rebuilding...")
        if self._run_commands(self.pre_build_commands, "pre-build") != 0:
            return
        code = self._run_sphinx()
        if code:
            print(f"Sphinx exited with exit code: {code}. The server goes on serving the last build: "
                  "fix the problem above, or press Ctrl+C to stop.")
        else:
            self._run_commands(self.post_build_commands, "post-build")
        show_message(f"Serving on {self.uri}")


def load_once(confdir: Path) -> None:
    """Import what every build imports (the extensions in conf.py), and warm the readability measure."""
    config = Config.read(str(confdir), overrides={}, tags=Tags())  # runs conf.py: _ext on the path, the language
    for name in config.extensions:
        importlib.import_module(name)
    from handbook.rules import readability

    measure = readability.measure_for(config.language)
    if measure is not None:
        measure.score("One short sentence loads what scoring a page needs.")


def import_as_the_build_did(names: list[str]) -> None:
    """Import the modules a build imported, so that the next build, forked from here, starts with them.

    Only a matter of speed: a module that does not import here (one the build made
    itself, say) is left to each build, as before.
    """
    for name in names:
        if name not in sys.modules:
            with contextlib.suppress(Exception):
                importlib.import_module(name)


def _option(argv: list[str], *names: str) -> str | None:
    for index, argument in enumerate(argv[:-1]):
        if argument in names:
            return argv[index + 1]
    return None


def main(argv: list[str]) -> None:
    load_once(Path(_option(argv, "-c", "--conf-dir") or "."))
    autobuild.Builder = ForkedBuilder
    autobuild.main(argv)


if __name__ == "__main__":
    main(sys.argv[1:])
