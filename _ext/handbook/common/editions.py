"""The language editions of the handbook: where each one sits in the site, and their names.

English is the source text (docs/) and its edition is the site's root; every other
edition is a translation and sits in a folder named by its language (``es/``). One
`make` builds the editions listed in HANDBOOK_LANGUAGES (conf.py's ``handbook_languages``);
a page links to the same page in the others. Pure functions, used by the web extensions
and by scripts/publish.py, which assembles the site.
"""

from __future__ import annotations

import posixpath

from babel import Locale

SOURCE_LANGUAGE = "en"  # the language of docs/
DOWNLOADS_FOLDER = "downloads"  # at the site's root, shared by every edition


def site_folder(language: str) -> str:
    """The edition's folder in the site, relative to its root: "" or "es/"."""
    return "" if language == SOURCE_LANGUAGE else f"{language}/"


def site_href(from_path: str, to_path: str) -> str:
    """A relative link between two files of the site, both given from the site's root.

    ``site_href("es/front/about.html", "front/about.html") == "../../front/about.html"``
    """
    return posixpath.relpath(to_path, posixpath.dirname(from_path) or ".")


def others_first(language: str, languages: list[str]) -> list[str]:
    """The editions in the order a reader of ``language`` meets them: their own first."""
    return [language, *(other for other in languages if other != language)]


def language_name(language: str, in_language: str | None = None) -> str:
    """The language's name, in its own language (for a switch) or in another (in a sentence).

    ``language_name("es") == "Español"``; ``language_name("en", "es") == "inglés"``:
    a name of its own starts a link, so it takes a capital; inside a sentence the
    name is as the reader's language writes it (Spanish writes it in lower case).
    """
    name = Locale.parse(language).get_display_name(in_language or language)
    return name[:1].upper() + name[1:] if in_language is None else name
