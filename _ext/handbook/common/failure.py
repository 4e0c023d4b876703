"""A build failure in one line: reported like a warning, and the build exits non-zero.

Raising a SphinxError would print a traceback report; a logged error alone would let
``sphinx-build`` without ``-W`` exit 0 after a failure. This does neither.
"""

from __future__ import annotations

from sphinx.util import logging

logger = logging.getLogger(__name__)


def fail_build(app, message: str, *, type: str, subtype: str, location=None) -> None:
    logger.error(message, type=type, subtype=subtype, location=location)
    app.statuscode = 1
