"""The print document tree (_ext/handbook/pdf/doctree.py), on small docutils trees without Sphinx."""

from __future__ import annotations

from docutils import nodes
from sphinx import addnodes

from handbook.pdf import doctree as print_doctree


def section(ids: list[str], title: str, *children) -> nodes.section:
    node = nodes.section(ids=ids)
    node += nodes.title(title, title)
    node.extend(children)
    return node


def chapter(docname: str, title: str, *children) -> addnodes.start_of_file:
    sof = addnodes.start_of_file(docname=docname)
    sof += section([print_doctree.slugify(title)], title, *children)
    return sof


def book(*wrappers: nodes.compound) -> nodes.document:
    tree = nodes.document(None, None)
    root = section(["book"], "The book", nodes.paragraph(text="Intro."))
    root.extend(wrappers)
    tree += root
    return tree


def wrapper(caption: str, *chapters, numbered: bool = False) -> nodes.compound:
    node = nodes.compound(classes=["toctree-wrapper"] + (["part"] if numbered else []))
    node["part_caption"] = caption
    node.extend(chapters)
    return node


def label(number: int, caption: str) -> str:
    return f"Part {number}: {caption}"


def test_captioned_toctrees_become_parts_numbered_only_with_the_part_class():
    tree = book(
        wrapper("About", chapter("front/about", "About")),
        wrapper("Immigration", chapter("ie/overview", "Overview"), numbered=True),
        wrapper("Crime", chapter("tc/overview", "Crime overview"), numbered=True),
        wrapper("Reference", chapter("back/glossary", "Glossary")),
    )
    parts = print_doctree.parts_from_wrappers(tree, label)

    assert [p[0].astext() for p in parts] == ["About", "Part 1: Immigration", "Part 2: Crime", "Reference"]
    assert [p["classes"] for p in parts] == [["part", "matter"], ["part", "numbered-part"],
                                             ["part", "numbered-part"], ["part", "matter"]]
    root = tree[0]
    assert all(p.parent is root for p in parts), "parts sit one level below the book title"
    assert not list(tree.findall(nodes.compound))


def test_ids_repeated_across_documents_are_renamed_and_links_follow():
    tree = book(wrapper("Part", chapter("a", "A", section(["related"], "Related")),
                        chapter("b", "B", section(["related"], "Related")), numbered=True))
    renamed = print_doctree.make_ids_unique(tree, "index")
    assert renamed == {("b", "related"): "b-related"}
    ids = [i for node in tree.findall(nodes.Element) for i in node["ids"]]
    assert len(ids) == len(set(ids))


def test_single_page_links_point_at_real_ids():
    firsts = {"ie/overview": "overview"}
    renamed = {("b", "related"): "b-related"}
    assert print_doctree.rewrite_link("#document-ie/overview", renamed, firsts) == "#overview"
    assert print_doctree.rewrite_link("#document-b#related", renamed, firsts) == "#b-related"
    assert print_doctree.rewrite_link("https://example.org", renamed, firsts) == "https://example.org"
    assert print_doctree.rewrite_link("#document-missing", renamed, firsts) == "#document-missing"


def test_footnotes_move_to_where_they_are_cited():
    paragraph = nodes.paragraph(text="A fact")
    paragraph += nodes.footnote_reference("1", "1", refid="fn-1")
    footnote = nodes.footnote(ids=["fn-1"])
    footnote += nodes.paragraph(text="The source.")
    tree = book()
    tree[0].extend([paragraph, footnote])

    print_doctree.inline_footnotes(tree)

    assert not list(tree.findall(nodes.footnote))
    (inline,) = [n for n in paragraph.findall(nodes.inline) if "footnote" in n["classes"]]
    assert inline.astext() == "The source."


def test_link_titles_name_sections_and_glossary_terms():
    term = nodes.term("ERO", "ERO", ids=["term-ERO"])
    tree = book(wrapper("Part", chapter("a", "Chapter A", nodes.definition_list("", nodes.definition_list_item(
        "", term, nodes.definition("", nodes.paragraph(text="Enforcement."))))), numbered=True))
    titles = print_doctree.heading_titles(tree)
    assert titles["chapter-a"] == "Chapter A"
    assert titles["term-ERO"] == "ERO"


def test_contents_list_parts_and_chapters_once():
    tree = book(
        wrapper("About this book", chapter("front/about", "About this book"), chapter("front/read", "How to read")),
        wrapper("Immigration", chapter("ie/overview", "Overview"), numbered=True),
    )
    parts = print_doctree.parts_from_wrappers(tree, label)
    html = print_doctree.print_toc_html(parts)

    # The matter part named like its first chapter gets one line, not two.
    assert html.count(">About this book<") == 1
    assert '<a href="#how-to-read">How to read</a>' in html
    assert '<li class="toc-part"><a href="#part-immigration">Part 1: Immigration</a>' in html
    assert '<a href="#overview">Overview</a>' in html


def test_the_last_section_is_the_last_in_reading_order():
    tree = book(wrapper("Part", chapter("a", "A", section(["a-end"], "End of A")), chapter("b", "B"), numbered=True))
    print_doctree.parts_from_wrappers(tree, label)
    assert print_doctree.last_section(tree)["ids"] == ["b"]


def test_an_image_with_a_large_print_drawing_is_followed_by_it():
    figure = nodes.figure(ids=["fig"])
    figure += nodes.image(uri="images/map.svg", candidates={"*": "images/map.svg"}, alt="A map.")
    figure += nodes.image(uri="images/logo.svg", candidates={"*": "images/logo.svg"}, alt="A logo.")
    exists = {"images/map-large-print.svg"}.__contains__

    added = print_doctree.add_large_print_variants(figure, exists)

    assert added == ["images/map-large-print.svg"]
    uris = [(image["uri"], image["classes"], image["alt"]) for image in figure.findall(nodes.image)]
    assert uris == [
        ("images/map.svg", ["standard-print-only"], "A map."),
        ("images/map-large-print.svg", ["large-print-only"], "A map."),
        ("images/logo.svg", [], "A logo."),
    ]
    assert print_doctree.add_large_print_variants(figure, exists) == [], "done once"


def test_page_map_markers_become_classes_and_other_ids_stay():
    paragraph = nodes.paragraph(text="A fact", ids=["pb-a-0"])
    term = nodes.term("ERO", "ERO", ids=["term-ERO", "pb-a-1"])
    tree = book(wrapper("Part", chapter("a", "Chapter A", paragraph, term), numbered=True))

    print_doctree.markers_as_classes(tree, "pb-")

    assert (paragraph["ids"], paragraph["classes"]) == ([], ["pb-a-0"])
    assert (term["ids"], term["classes"]) == (["term-ERO"], ["pb-a-1"])
    assert tree[0]["ids"] == ["book"]
