"""liblouis, called through ctypes: print text to braille ASCII and back.

Debian's liblouis20 (3.24) is a C library; the project's virtual environment has
its own Python, which cannot import Debian's python3-louis, so this module calls
the shared library directly. One call translates a whole block (a paragraph, a
list item), so liblouis chooses contractions and emphasis indicators across
the markup inside it, as PreTeXt's braille rewrite (its pull request 3037) does.

The display table ``en-us-brf.dis`` comes first in every table list, so the
output is North American braille ASCII, the character set of BRF files,
whatever the language's translation table.
"""

from __future__ import annotations

import ctypes
from collections.abc import Sequence
from functools import lru_cache

LIBRARY = "liblouis.so.20"
DISPLAY_TABLE = "en-us-brf.dis"
# The contracted table of each edition's language (liblouis-data).
TABLES = {
    "en": "en-ueb-g2.ctb",  # Unified English Braille, grade 2
    "es": "es-g2.ctb",  # Spanish contracted braille
}

# The 64 braille ASCII characters, in the order of the Unicode braille patterns
# U+2800 to U+283F (dot 1 is bit 0, ..., dot 6 is bit 5).
BRAILLE_ASCII = " A1B'K2L@CIF/MSP\"E3H9O6R^DJG>NTQ,*5<-U8V.%[$+X!&;:4\\0Z7(_?W]#Y)="
UNICODE_BRAILLE = {ascii_char: chr(0x2800 + dots) for dots, ascii_char in enumerate(BRAILLE_ASCII)}

# Typeform bits (liblouis.h, enum typeforms): the emphasis of each input character.
PLAIN = 0x0000
ITALIC = 0x0001  # emph_1: the tables' first emphasis class
BOLD = 0x0004  # emph_3: "emphclass bold" is the third class in the UEB and Spanish tables
TRANSCRIBERS_NOTE = 0x0010  # emph_5: "emphclass transnote" in the UEB tables
NO_CONTRACT = 0x1000  # uncontracted, for computer terms and commands
# Translation modes (liblouis.h, enum translationModes).
NO_UNDEFINED = 128  # leave out characters the table does not define, instead of writing \x escapes


class LouisError(Exception):
    """liblouis is missing, a table cannot be compiled, or a translation failed."""


# liblouis writes its messages to stderr unless given a callback: keep them for our
# one-line errors instead. The callback must outlive every call, hence module level.
_MESSAGES: list[str] = []
_LOG_CALLBACK = ctypes.CFUNCTYPE(None, ctypes.c_int, ctypes.c_char_p)(
    lambda level, message: _MESSAGES.append(message.decode(errors="replace"))
)


@lru_cache(maxsize=1)
def _library() -> ctypes.CDLL:
    try:
        library = ctypes.CDLL(LIBRARY)
    except OSError as error:
        raise LouisError(
            f"liblouis cannot be loaded ({error}). Install it: apt-get install liblouis-bin liblouis-data"
        ) from None
    widechar = ctypes.c_uint32
    arguments = [ctypes.c_char_p, ctypes.POINTER(widechar), ctypes.POINTER(ctypes.c_int),
                 ctypes.POINTER(widechar), ctypes.POINTER(ctypes.c_int),
                 ctypes.POINTER(ctypes.c_ushort), ctypes.c_char_p, ctypes.c_int]
    for name in ("lou_translateString", "lou_backTranslateString"):
        function = getattr(library, name)
        function.argtypes, function.restype = arguments, ctypes.c_int
    library.lou_checkTable.argtypes, library.lou_checkTable.restype = [ctypes.c_char_p], ctypes.c_int
    library.lou_version.restype = ctypes.c_char_p
    library.lou_charSize.restype = ctypes.c_int
    library.lou_registerLogCallback.argtypes = [type(_LOG_CALLBACK)]
    library.lou_registerLogCallback(_LOG_CALLBACK)
    # This module passes 32-bit characters: Debian builds liblouis with --enable-ucs4.
    if library.lou_charSize() != ctypes.sizeof(widechar):
        raise LouisError(f"{LIBRARY} uses {library.lou_charSize()}-byte characters; this module needs a UCS-4 build")
    return library


def version() -> str:
    return _library().lou_version().decode()


def to_unicode(braille_ascii: str) -> str:
    """Braille ASCII as Unicode braille patterns (a blank cell is U+2800); other characters stay."""
    return "".join(UNICODE_BRAILLE.get(char, char) for char in braille_ascii)


class Translator:
    """One edition's translation: a display table, then the language's contracted table."""

    def __init__(self, table: str, display: str = DISPLAY_TABLE) -> None:
        """``table``: the contracted table; ``display``: how cells are written (unicode.dis: Unicode braille)."""
        self.table = table
        self.tables = f"{display},{table}"
        _MESSAGES.clear()
        if not _library().lou_checkTable(self.tables.encode()):
            said = f" ({_MESSAGES[0]})" if _MESSAGES else ""
            raise LouisError(
                f"liblouis cannot compile the tables {self.tables}{said}. "
                "Install liblouis-data (apt-get install liblouis-data) or fix the table name"
            )
        self._defined: dict[str, bool] = {}

    def translate(self, text: str, typeform: Sequence[int] | None = None, mode: int = 0) -> str:
        """``text`` in braille ASCII; ``typeform`` gives each character's emphasis bits."""
        if typeform is not None and len(typeform) != len(text):
            raise ValueError("the typeform needs one entry per character")
        return self._run(_library().lou_translateString, text, typeform, mode)

    def back_translate(self, braille: str) -> str:
        """Braille ASCII back to print, with the same tables."""
        return self._run(_library().lou_backTranslateString, braille, None, 0)

    def undefined_characters(self, text: str) -> list[str]:
        """The characters of ``text`` that the tables cannot write in braille, in order of first use."""
        found = []
        for char in dict.fromkeys(text):
            if char.isspace():
                continue
            if char not in self._defined:
                # A defined character gives at least one cell; an undefined one gives nothing in this mode.
                self._defined[char] = bool(self._run(_library().lou_translateString, char, None, NO_UNDEFINED))
            if not self._defined[char]:
                found.append(char)
        return found

    def has_indicators(self, typeform_bit: int) -> bool:
        """Whether the tables mark text of this typeform (say, transcriber's note indicators)."""
        sample = "a"
        return self.translate(sample, [typeform_bit]) != self.translate(sample)

    def _run(self, function, text: str, typeform: Sequence[int] | None, mode: int) -> str:
        if not text:
            return ""
        widechar = ctypes.c_uint32
        length = len(text)
        source = (widechar * length)(*map(ord, text))
        # Contractions shorten text, but indicators (capitals, numbers, emphasis) can
        # more than double it; grow the buffer until the whole input fits.
        capacity = 2 * length + 64
        while True:
            target = (widechar * capacity)()
            in_length, out_length = ctypes.c_int(length), ctypes.c_int(capacity)
            # liblouis may write to the typeform, so it gets a buffer as long as the output.
            forms = (ctypes.c_ushort * max(capacity, length))(*(typeform or ()))
            done = function(self.tables.encode(), source, ctypes.byref(in_length), target,
                            ctypes.byref(out_length), forms if typeform is not None else None, None, mode)
            if not done:
                raise LouisError(f"liblouis could not translate a text of {length} characters with {self.tables}")
            if in_length.value >= length and out_length.value < capacity:
                return "".join(map(chr, target[:out_length.value]))
            capacity *= 2
