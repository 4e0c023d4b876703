"""Every web page links to the same page in the other editions.

The header's language switch (``_templates/language-switch.html``) names each other
edition in its own language ("Español" on an English page, "English" on a Spanish one),
with ``lang`` and ``hreflang``; the page's head lists every edition, itself included,
as ``<link rel="alternate" hreflang>``, for search engines and browsers. The editions
share their page names, so the same page always exists in each (scripts/publish.py
assembles them into one site; tests/test_languages.py follows every link).
"""

from __future__ import annotations

import html

from handbook.common.editions import language_name, site_folder, site_href

HTML_BUILDERS = {"html", "dirhtml"}


def counterparts(pagename: str, suffix: str, language: str, languages: list[str]) -> list[dict]:
    """The page in every edition, as links from the page itself (pure)."""
    page = f"{site_folder(language)}{pagename}{suffix}"
    return [
        {
            "language": other,
            "name": language_name(other),
            "href": site_href(page, f"{site_folder(other)}{pagename}{suffix}"),
            "current": other == language,
        }
        for other in languages
    ]


def alternate_links(editions: list[dict]) -> str:
    return "".join(
        f'\n<link rel="alternate" hreflang="{html.escape(e["language"])}" href="{html.escape(e["href"])}" />'
        for e in editions
    )


def _on_page_context(app, pagename, templatename, context, doctree) -> None:
    if app.builder.name not in HTML_BUILDERS or len(app.config.handbook_languages) < 2:
        context["handbook_other_editions"] = []
        return
    editions = counterparts(pagename, app.builder.out_suffix, app.config.language, app.config.handbook_languages)
    context["handbook_other_editions"] = [e for e in editions if not e["current"]]
    # Sphinx writes metatags into every page's head.
    context["metatags"] = context.get("metatags", "") + alternate_links(editions)


def setup(app):
    app.setup_extension("handbook.common.translations")
    app.connect("html-page-context", _on_page_context)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
