"""scripts/serve.py: each rebuild's fork starts with the modules the builds before it imported."""

from __future__ import annotations

import sys
from types import SimpleNamespace

import serve


def test_the_modules_a_build_imports_are_imported_for_the_next(monkeypatch):
    for name in ("wave", "this_module_does_not_exist"):
        monkeypatch.delitem(sys.modules, name, raising=False)

    def build_that_imports(args):
        import wave  # noqa: F401  (in the forked build only)
        sys.modules["this_module_does_not_exist"] = SimpleNamespace()  # one the build made itself
        return 3

    monkeypatch.setattr(serve, "build_main", build_that_imports)
    assert serve.ForkedBuilder._run_sphinx(SimpleNamespace(sphinx_args=[])) == 3  # the build's exit code
    assert "wave" in sys.modules
    assert "this_module_does_not_exist" not in sys.modules  # could not be imported here: left to each build
