"""Every rule of the house style, by its id: the one list of what the build checks.

A problem is reported as ``file:line: [rule-id] what is wrong. How to fix it.``
The id is stable: contributors search for it, ``suppress_warnings`` takes it, and
tests/broken/ holds a page that breaks each rule (tests/test_content_checks.py
fails when a rule here has no such page). Where a rule is checked:

- ``content_rules``: one page's tree (images, headings, links, raw HTML, tables, acronyms);
- ``readability``: how easy each page's prose is to read, and the median page;
- ``chapters``: the shape of a chapter (In brief first, Related last);
- ``glossary``: the glossary's order and definitions, and abbreviations against it;
- ``build_errors``: Sphinx's, MyST's and docutils' own messages, given an id and a fix;
- ``content_checks``: runs all of them on every build and ``make lint``.
"""

from __future__ import annotations

RULES: dict[str, str] = {
    # content_rules.py: one page
    "image-alt-missing": "An image or figure has no alt text.",
    "image-alt-poor": "The alt text is a file name, starts with \"image of\", or names only the kind of picture.",
    "heading-multiple-h1": "A page has more than one # title.",
    "link-text-empty": "A link has no text.",
    "link-text-vague": "The link text does not say where the link goes, or is a bare web address.",
    "link-refused": "A link the Markdown parser refused to make (a forbidden scheme such as javascript:, "
                    "a target with spaces, an undefined reference): readers would see the raw Markdown.",
    "url-bare": "A web address written as plain text, not as a link with words.",
    "raw-html": "Raw HTML (or an HTML comment) in a page.",
    "table-no-header": "A table has no header row.",
    "title-duplicate": "Two pages have the same title.",
    "acronym-not-in-glossary": "An acronym is not a term of the glossary.",
    # readability.py
    "readability-page": "A page of 100 words or more is harder to read than the limit.",
    "readability-median": "The median page is harder to read than the limit.",
    # chapters.py: the pages listed in the parts' tables of contents
    "in-brief-missing": "A chapter does not open with its In brief box.",
    "in-brief-length": "The In brief box does not have two to four sentences.",
    "related-missing": "A chapter does not end with its Related section.",
    "related-item": "An item of the Related section is not one link to a page, with words that name it.",
    "related-across-parts": "Too few chapters of a part link to the other part in their Related section.",
    # glossary.py
    "glossary-order": "The glossary's terms are not in alphabetical order.",
    "glossary-definition": "A glossary definition does not end with a full stop, or is over 60 words.",
    "glossary-term-unused": "A glossary term is linked from no page with the term role.",
    "abbr-glossary-mismatch": "An {abbr} expansion differs from the glossary's.",
    "abbr-first-use": "An acronym's first use on a page is not spelled out with {abbr}.",
    "abbr-repeated": "An acronym is spelled out again after its first use on the page.",
    # build_errors.py: problems Sphinx, MyST and docutils find
    "heading-skip": "A heading skips a level, or the page starts below #.",
    "front-matter-invalid": "The front matter between the --- lines is not valid YAML.",
    "directive-unknown": "A directive name is misspelt or not available.",
    "role-unknown": "A role name is misspelt or not available.",
    "link-target-missing": "A Markdown link points to a page or anchor that does not exist.",
    "doc-missing": "A {doc} link points to a page that does not exist.",
    "label-missing": "A {ref} link points to a label that does not exist.",
    "term-missing": "A {term} link points to a term the glossary lacks.",
    "toctree-page-missing": "A table of contents lists a page that does not exist.",
    "page-not-in-toctree": "A page is in no table of contents.",
    "image-missing": "An image file does not exist.",
    "label-duplicate": "Two places use the same label.",
    "source-not-utf8": "A page is not saved as UTF-8.",
    "build-stopped": "A format's expensive step (rendering the PDF, packing the EPUB) did not start "
                     "because of the problems above.",
}
