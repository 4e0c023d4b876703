"""The builder's fixes to WeasyPrint 70's tags (_ext/handbook/pdf/tagging.py), on a small real PDF.

Each test renders the sample with WeasyPrint, shows the gap is there, runs one
fix and shows it is closed, without losing content.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pikepdf
import pytest
from pikepdf import Dictionary, Name

import pdf_samples
import pdf_tagged
import pdfua_check
from handbook.pdf import box_sources, page_labels
from handbook.pdf import tagging as pdf_tagging

LEADER = ". . ."


@pytest.fixture(scope="module")
def raw_pdf(tmp_path_factory) -> Path:
    return pdf_samples.render_sample(tmp_path_factory.mktemp("tagging") / "raw.pdf")


@pytest.fixture
def pdf(raw_pdf):
    with pikepdf.open(raw_pdf) as opened:
        yield opened


def findings(pdf: pikepdf.Pdf, check) -> list:
    return list(check(pdf))


def marked_content(page: pikepdf.Page) -> list[tuple[str, Dictionary | None]]:
    return [
        (str(operands[0]), operands[1] if len(operands) > 1 else None)
        for operands, operator in pikepdf.parse_content_stream(page)
        if str(operator) in ("BDC", "BMC")
    ]


def link_elements(pdf: pikepdf.Pdf) -> list[Dictionary]:
    return [e for e in pdf_tagging.struct_elements(pdf) if e.S == Name.Link]


def test_running_header_and_page_number_become_pagination_artifacts(pdf):
    assert findings(pdf, pdfua_check.check_content_tagged)  # WeasyPrint issue 1836
    tagged_before = sum(1 for tag, props in marked_content(pdf.pages[0]) if props is not None and "/MCID" in props)

    converted = pdf_tagging.artifact_untied_content(pdf)

    assert converted == 2  # the running header and the page number
    artifacts = [props for tag, props in marked_content(pdf.pages[0]) if tag == "/Artifact" and props is not None]
    assert [str(p.Type) for p in artifacts] == ["/Pagination", "/Pagination"]
    tagged_after = sum(1 for tag, props in marked_content(pdf.pages[0]) if props is not None and "/MCID" in props)
    assert tagged_after == tagged_before - converted
    assert findings(pdf, pdfua_check.check_content_tagged) == []


def test_link_annotations_are_tied_to_the_outer_link_element(pdf):
    assert findings(pdf, pdfua_check.check_links)  # the span-wrapping link's annotation sits on a Span
    annotations_before = len(pdf.pages[0].obj.Annots)

    dropped = pdf_tagging.tie_link_annotations(pdf)

    assert findings(pdf, pdfua_check.check_links) == []
    # The TOC-style link had three annotations over one area (the <a>, its ::after
    # and the leader), the span-wrapping link two: one of each is left.
    assert dropped == annotations_before - len(pdf.pages[0].obj.Annots) == 3
    for link in link_elements(pdf):
        assert not any(e.S == Name.Link for e in pdf_tagging._descendants(link)), "no Link inside a Link"
        objrs = [k for k in pdf_tagging.kids(link) if pdf_tagging._is_objr(k)]
        assert len(objrs) == 1
    assert not any(
        pdf_tagging._is_objr(k) for e in pdf_tagging.struct_elements(pdf) if e.S != Name.Link for k in pdf_tagging.kids(e)
    )


def test_unwrapped_link_content_is_mapped_to_the_link(pdf):
    pdf_tagging.tie_link_annotations(pdf)
    tree = pdf_tagging.parent_tree(pdf)
    by_mcid = tree[int(pdf.pages[0].obj.StructParents)]
    for link in link_elements(pdf):
        for kid in pdf_tagging.kids(link):
            if isinstance(kid, int) or (isinstance(kid, pikepdf.Object) and kid._type_code == pikepdf.ObjectType.integer):
                assert by_mcid[int(kid)].objgen == link.objgen


def test_links_are_described_by_their_targets_title(pdf):
    missing = pdf_tagging.describe_links(pdf, {"chapter-one": "Chapter one"})

    assert missing == ["chapter-two"]
    contents = {str(a.Dest): str(a.Contents) for a in pdf.pages[0].obj.Annots if "/Dest" in a}
    assert contents["chapter-one"] == "Chapter one"
    external = [a for a in pdf.pages[0].obj.Annots if "/A" in a]
    assert str(external[0].Contents) == "https://example.org/source"


def test_list_items_get_a_body(pdf):
    assert findings(pdf, pdfua_check.check_list_items)  # <li><p> gives LI > Lbl, P

    fixed = pdf_tagging.add_list_bodies(pdf)

    assert fixed == 2
    assert findings(pdf, pdfua_check.check_list_items) == []
    for item in (e for e in pdf_tagging.struct_elements(pdf) if e.S == Name.LI):
        assert [str(k.S) for k in pdf_tagging.kids(item)] == ["/Lbl", "/LBody"]
        body = pdf_tagging.kids(item)[1]
        for kid in pdf_tagging.kids(body):
            assert kid.P.objgen == body.objgen


def test_empty_spans_are_dropped(tmp_path):
    # The outer span is empty only once the inner one is gone: one walk drops both.
    html = pdf_samples.SAMPLE_HTML.replace(
        "<h1>", '<span id="document-intro"></span><span class="outer"><span id="inner"></span></span><h1>')
    with pikepdf.open(pdf_samples.render_sample(tmp_path / "raw.pdf", html)) as pdf:
        def empty():
            return [e for e in pdf_tagging.struct_elements(pdf)
                    if e.S == Name.Span and not pdf_tagging.kids(e) and "/Alt" not in e]
        assert empty()

        removed = pdf_tagging.remove_empty_elements(pdf)

        assert removed >= 1
        assert empty() == []


def test_annotations_are_printed(pdf):
    assert any(int(a.get("/F", 0)) & 4 == 0 for a in pdf.pages[0].obj.Annots)

    pdf_tagging.show_annotations_in_print(pdf)

    assert all(int(a.F) & 4 for a in pdf.pages[0].obj.Annots)


def test_all_fixes_keep_every_word(pdf, raw_pdf, tmp_path):
    fixed = tmp_path / "fixed.pdf"
    pdf_tagging.fix_tagging(pdf, pdf_samples.LINK_TITLES)
    page_labels.write(pdf, body_start=0)  # as the builder does after the tag fixes
    pdf.save(fixed)

    def text(path):
        return subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout

    assert text(fixed) == text(raw_pdf)
    assert pdfua_check.check_file(fixed) == []


def test_the_fixes_edit_the_content_a_page_at_a_time(split_pdf, monkeypatch):
    """Five fixes edit the pages' content: each page parsed once for all of them, and written before the next.

    Keeping every page parsed at once took a gigabyte at 20 times the handbook's size.
    """
    events = []
    parse, unparse = pikepdf.parse_content_stream, pikepdf.unparse_content_stream

    def parsed(page, *args):
        events.append("parse")
        return parse(page, *args)

    def written(instructions):
        events.append("write")
        return unparse(instructions)

    monkeypatch.setattr(pikepdf, "parse_content_stream", parsed)
    monkeypatch.setattr(pikepdf, "unparse_content_stream", written)
    pdf_tagging.fix_tagging(split_pdf, pdf_samples.LINK_TITLES)

    writes = events.count("write")
    assert 1 < writes <= len(split_pdf.pages)
    # After the edits, the figures' boxes may read pages no fix edited.
    assert events[:2 * writes] == ["parse", "write"] * writes and "write" not in events[2 * writes:]


def test_a_pdf_without_tags_is_a_clear_error(tmp_path):
    from weasyprint import HTML

    plain = tmp_path / "plain.pdf"
    HTML(string=pdf_samples.SAMPLE_HTML).write_pdf(plain)
    with pikepdf.open(plain) as pdf, pytest.raises(pdf_tagging.TaggingError, match="no structure tree"):
        pdf_tagging.fix_tagging(pdf, {})


# -- what crosses pages, leaders, spaces, header cells (box_sources.py records what these need) --


@pytest.fixture(scope="module")
def split_raw(tmp_path_factory) -> Path:
    return pdf_samples.render_sample(tmp_path_factory.mktemp("split") / "raw.pdf", pdf_samples.SPLIT_HTML)


@pytest.fixture
def split_pdf(split_raw):
    with pikepdf.open(split_raw) as opened:
        yield opened


def count(pdf: pikepdf.Pdf, structure_type: str) -> int:
    return sum(1 for e in pdf_tagging.struct_elements(pdf) if e.S == Name(structure_type))


def test_elements_that_cross_pages_become_one(split_pdf):
    # WeasyPrint issue 2903: one element per page, the header row again on each page.
    pages = len(split_pdf.pages)
    assert pages >= 4 and count(split_pdf, "/Table") > 2 and count(split_pdf, "/L") > 1 and count(split_pdf, "/P") > 2

    merged = pdf_tagging.merge_split_elements(split_pdf)

    assert merged > 0
    # Two sections, and in each its own elements once; the second section starts a page
    # and stays a section of its own.
    assert [count(split_pdf, t) for t in ("/Sect", "/P", "/L", "/Table", "/THead", "/TBody")] == [2, 2, 1, 2, 1, 2]
    assert count(split_pdf, "/LI") == 24 and count(split_pdf, "/Link") == 1, "a link that wraps is one link"
    assert count(split_pdf, "/TR") == 1 + pdf_samples.SPLIT_ROWS + 1
    tree = pdf_tagging.parent_tree(split_pdf)
    for element in pdf_tagging.struct_elements(split_pdf):
        for kid in pdf_tagging.kids(element):
            if pdf_tagging.is_struct_element(kid):
                assert kid.P.objgen == element.objgen, "every kid points at its new parent"
            elif isinstance(kid, Dictionary) and kid.get("/Type") == Name.MCR:
                assert tree[int(kid.Pg.StructParents)][int(kid.MCID)].objgen == element.objgen


def test_a_repeated_header_row_is_an_artifact_and_cells_name_the_first(split_pdf, tmp_path):
    pdf_tagging.merge_split_elements(split_pdf)
    header_ids = {str(e.ID) for e in pdf_tagging.struct_elements(split_pdf) if e.S == Name.TH and "/ID" in e}
    named = {str(h) for e in pdf_tagging.struct_elements(split_pdf) if e.S == Name.TD
             for a in pdf_tagging._attribute_dicts(e) for h in a.get("/Headers", [])}
    assert named and named <= header_ids, "data cells name header cells that are still in the tree"
    split_pdf.save(tmp_path / "merged.pdf")
    tagged = pdf_tagged.read_tagged(tmp_path / "merged.pdf")
    assert "Term" in tagged.artifact_text, "the header printed again on later pages is an artifact"
    (table, _) = tagged.of_type("/Table")
    assert [h.text for h in table.kids[0].kids[0].kids] == ["Term", "Meaning"]


def test_an_unrecorded_pdf_cannot_be_merged(raw_pdf, tmp_path):
    from weasyprint import HTML

    plain = tmp_path / "unrecorded.pdf"
    HTML(string=pdf_samples.SAMPLE_HTML).write_pdf(plain, pdf_variant="pdf/ua-1")
    with pikepdf.open(plain) as pdf, pytest.raises(pdf_tagging.TaggingError, match="recording"):
        pdf_tagging.merge_split_elements(pdf)


def test_recording_puts_weasyprint_back():
    from weasyprint.pdf import tags

    original = tags._build_box_tree
    with box_sources.recording():
        assert tags._build_box_tree is not original
    assert tags._build_box_tree is original


def test_leaders_become_artifacts(pdf, tmp_path):
    pdf_tagging.tie_link_annotations(pdf)
    pdf.save(tmp_path / "before.pdf")
    assert any(LEADER in link.text for link in pdf_tagged.read_tagged(tmp_path / "before.pdf").of_type("/Link"))

    converted = pdf_tagging.artifact_leaders(pdf)

    assert converted >= 1
    pdf.save(tmp_path / "after.pdf")
    tagged = pdf_tagged.read_tagged(tmp_path / "after.pdf")
    toc_link = next(link for link in tagged.of_type("/Link") if link.text.startswith("Chapter two"))
    assert LEADER not in toc_link.text and toc_link.text.rstrip("0123456789") == "Chapter two"
    assert LEADER in tagged.artifact_text, "the leader is still printed"


def test_a_space_is_shown_where_a_line_wraps(split_pdf, split_raw, tmp_path):
    def paragraph_words(path):
        return pdf_tagged.read_tagged(path).of_type("/P")[0].text.split()

    expected = (" ".join(f"Sentence number {n} of a paragraph that goes on." for n in range(1, 25))
                + " a link whose words wrap over a line and more words.").split()
    pdf_tagging.merge_split_elements(split_pdf)
    split_pdf.save(tmp_path / "merged.pdf")
    assert paragraph_words(tmp_path / "merged.pdf") != expected, "WeasyPrint runs words together at wraps"

    added = pdf_tagging.space_line_wraps(split_pdf)

    split_pdf.save(tmp_path / "spaced.pdf")
    assert added > 10
    assert paragraph_words(tmp_path / "spaced.pdf") == expected

    def text(path):
        return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True,
                              check=True).stdout

    # The spaces print nothing: the page reads the same.
    assert [line.rstrip() for line in text(tmp_path / "spaced.pdf").splitlines()] == [
        line.rstrip() for line in text(split_raw).splitlines()]


def test_header_cells_get_a_scope_and_ids_an_id_tree(split_pdf):
    pdf_tagging.merge_split_elements(split_pdf)
    assert "/IDTree" not in split_pdf.Root.StructTreeRoot

    scoped = pdf_tagging.scope_header_cells(split_pdf)
    ids = pdf_tagging.add_id_tree(split_pdf)

    headers = [e for e in pdf_tagging.struct_elements(split_pdf) if e.S == Name.TH]
    assert scoped == len(headers) == 3
    scopes = [next(a.Scope for a in pdf_tagging._attribute_dicts(h) if "/Scope" in a) for h in headers]
    assert scopes == [Name.Column, Name.Column, Name.Row], "a th that heads its row has /Row"
    id_tree = pikepdf.NameTree(split_pdf.Root.StructTreeRoot.IDTree)
    assert ids == len(id_tree.keys()) == sum(1 for h in headers if "/ID" in h)
    for key, element in id_tree.items():
        assert str(element.ID) == key


def test_the_recorded_keys_do_not_reach_the_reader(split_pdf):
    pdf_tagging.fix_tagging(split_pdf, {})
    assert not any(f"/{key}" in e for e in pdf_tagging.struct_elements(split_pdf) for key in box_sources.PRIVATE_KEYS)
    assert not any(f"/{key}" in page.obj for page in split_pdf.pages for key in box_sources.PRIVATE_KEYS)


def test_an_anonymous_twin_is_unwrapped(tmp_path):
    # A section that starts with inline content (a link target) gets an anonymous block,
    # which WeasyPrint tags as a second Sect.
    html = pdf_samples.SAMPLE_HTML.replace('<section id="chapter-two">', '<section id="chapter-two"><span id="target">x</span>')
    with pikepdf.open(pdf_samples.render_sample(tmp_path / "raw.pdf", html)) as pdf:
        pdf_tagging.merge_split_elements(pdf)
        assert count(pdf, "/Sect") == 3

        assert pdf_tagging.unwrap_anonymous_twins(pdf) >= 1

        assert count(pdf, "/Sect") == 2


def test_a_figure_box_is_put_in_the_page_space(pdf, raw_pdf):
    figure = next(e for e in pdf_tagging.struct_elements(pdf) if e.S == Name.Figure)
    x1, y1, x2, y2 = (float(v) for v in figure.A.BBox)
    assert (x2 - x1) == pytest.approx(40), "WeasyPrint gives the 40 px image's box in CSS pixels"

    assert pdf_tagging.place_figure_boxes(pdf) == 1

    # The box is where the red square is painted, in points from the foot of the page.
    import pdfplumber

    with pdfplumber.open(raw_pdf) as plumbed:
        page = plumbed.pages[0]
        (square,) = [r for r in page.rects if r["non_stroking_color"] == (1, 0, 0)]
        painted = (square["x0"], page.height - square["bottom"], square["x1"], page.height - square["top"])
    assert [float(v) for v in figure.A.BBox] == pytest.approx(painted, abs=0.01)
    assert findings(pdf, pdfua_check.check_figure_boxes) == []


# -- hyphens that line breaks add ----------------------------------------------------------

HYPHEN = "\u2010"  # WeasyPrint's hyphenate-character


@pytest.fixture(scope="module")
def hyphen_raw(tmp_path_factory) -> Path:
    return pdf_samples.render_sample(tmp_path_factory.mktemp("hyphens") / "raw.pdf", pdf_samples.HYPHEN_HTML)


@pytest.fixture
def hyphen_pdf(hyphen_raw):
    with pikepdf.open(hyphen_raw) as opened:
        yield opened


def runs_by_mcid(path: Path) -> dict[int, str]:
    import pdfplumber

    runs: dict[int, str] = {}
    with pdfplumber.open(path) as plumbed:
        for char in pdf_tagged.page_chars(plumbed, 0):
            runs[char.mcid] = runs.get(char.mcid, "") + char.drawn
    return runs


def recorded(pdf: pikepdf.Pdf, key: str) -> set[int]:
    return {int(m) for m in pdf.pages[0].obj.get("/" + key, [])}


def test_the_hyphens_a_break_adds_are_recorded_and_the_html_s_own_are_not(hyphen_pdf, hyphen_raw):
    runs = runs_by_mcid(hyphen_raw)
    hyphenated = recorded(hyphen_pdf, box_sources.HYPHENS_KEY)
    # The narrow column hyphenates long words; "sub‐" ends a line with the HTML's own hyphen.
    assert len(hyphenated) >= 5
    assert all(runs[m].endswith(HYPHEN) for m in hyphenated)
    own = [m for m, text in runs.items() if text == "sub" + HYPHEN]
    assert own and not set(own) & hyphenated, "a hyphen that is in the HTML is text: not marked"
    assert {m for m, text in runs.items() if text.endswith(HYPHEN)} == hyphenated | set(own)
    # The word goes on on the next line: no line-wrap space after the hyphen.
    assert not hyphenated & recorded(hyphen_pdf, box_sources.SPACES_KEY)


def test_an_added_hyphen_prints_and_reads_as_nothing(hyphen_pdf, hyphen_raw, tmp_path):
    def tagged_paragraphs(path):
        return [p.text for p in pdf_tagged.read_tagged(path).of_type("/P")]

    def drawn_hyphens(path):
        import pdfplumber

        with pdfplumber.open(path) as plumbed:
            return sum(1 for char in plumbed.pages[0].chars if char["text"] == HYPHEN)

    assert any(HYPHEN in word for word in tagged_paragraphs(hyphen_raw)[0].split()), "WeasyPrint reads inmi‐ gración"

    replaced = pdf_tagging.replace_added_hyphens(hyphen_pdf)
    spaced = pdf_tagging.space_line_wraps(hyphen_pdf)
    hyphen_pdf.save(tmp_path / "fixed.pdf")

    assert replaced == len(recorded(hyphen_pdf, box_sources.HYPHENS_KEY))
    assert spaced == len(recorded(hyphen_pdf, box_sources.SPACES_KEY))
    hyphenated, real = tagged_paragraphs(tmp_path / "fixed.pdf")
    assert hyphenated.split() == pdf_samples.HYPHENATED_TEXT.split(), "the words whole, spaces where lines wrap"
    assert HYPHEN not in hyphenated
    assert real.split() == pdf_samples.REAL_HYPHEN_TEXT.split(), "the HTML's own hyphens are kept"
    assert drawn_hyphens(tmp_path / "fixed.pdf") == drawn_hyphens(hyphen_raw), "every hyphen still prints"
    # In a Span of its own with an empty ActualText, not an Artifact inside tagged content.
    spans = [props for tag, props in marked_content(hyphen_pdf.pages[0]) if props is not None and "/ActualText" in props]
    assert len(spans) == replaced and all(str(p.ActualText) == "" for p in spans)
    assert all(tag != "/Artifact" for tag, _ in marked_content(hyphen_pdf.pages[0]))
    assert findings(hyphen_pdf, pdfua_check.check_content_tagged) == []


def test_all_fixes_keep_the_hyphenated_words_whole(hyphen_pdf, tmp_path):
    assert recorded(hyphen_pdf, box_sources.HYPHENS_KEY)
    pdf_tagging.fix_tagging(hyphen_pdf, {})
    assert "/" + box_sources.HYPHENS_KEY not in hyphen_pdf.pages[0].obj, "the record does not reach the reader"
    hyphen_pdf.save(tmp_path / "fixed.pdf")
    tagged = pdf_tagged.read_tagged(tmp_path / "fixed.pdf")
    assert [p.text.split() for p in tagged.of_type("/P")] == [
        pdf_samples.HYPHENATED_TEXT.split(), pdf_samples.REAL_HYPHEN_TEXT.split()]
    # The sample has no headings, outline or labels to check: its marked content is what changed.
    for check in (pdfua_check.check_marked, pdfua_check.check_structure_tree, pdfua_check.check_content_tagged):
        assert findings(hyphen_pdf, check) == []


def test_a_run_without_its_hyphen_glyph_is_a_clear_error(hyphen_pdf):
    # As if WeasyPrint drew the hyphen otherwise: the recorded run ends in a letter.
    page = hyphen_pdf.pages[0]
    page.obj[Name("/" + box_sources.HYPHENS_KEY)] = pikepdf.Array([min(recorded(hyphen_pdf, box_sources.SPACES_KEY))])
    with pytest.raises(pdf_tagging.TaggingError, match="does not end in a hyphen glyph"):
        pdf_tagging.replace_added_hyphens(hyphen_pdf)


# -- the tagged-text reader (tests/pdf_tagged.py) -------------------------------------------


def test_the_reader_reads_actual_text_as_assistive_technology_does(tmp_path):
    # ISO 32000-1, 14.9.4's own example: "Drucker" hyphenated as "Druk-" "ker", with
    # ActualText giving back the c; then a glyph replaced by nothing, a nested sequence
    # without ActualText (the MCID goes on after it), and an artifact.
    import pdfplumber

    pdf = pikepdf.new()
    pdf.add_blank_page(page_size=(300, 200))
    page = pdf.pages[0]
    page.obj.Resources = Dictionary(Font=Dictionary(F1=Dictionary(
        Type=Name.Font, Subtype=Name.Type1, BaseFont=Name.Helvetica, Encoding=Name.WinAnsiEncoding)))
    page.obj.Contents = pdf.make_stream(b"""
BT /F1 12 Tf 20 150 Td
/P <</MCID 0>> BDC (Dru) Tj /Span <</ActualText (c)>> BDC (k-) Tj EMC 0 -14 Td (ker) Tj EMC
/P <</MCID 1>> BDC (ab) Tj /Span <</ActualText ()>> BDC (-) Tj EMC /Span <<>> BDC (cd) Tj EMC (ef) Tj EMC
/Artifact <</Type /Pagination>> BDC 0 -14 Td (7) Tj EMC
ET""")
    pdf.save(tmp_path / "actual.pdf")

    with pdfplumber.open(tmp_path / "actual.pdf") as plumbed:
        chars = pdf_tagged.page_chars(plumbed, 0)

    def read(mcid):
        return "".join(c.text for c in chars if c.mcid == mcid and not c.artifact)

    assert read(0) == "Drucker"
    assert read(1) == "abcdef", "a replaced glyph reads as nothing; the MCID outlives a nested sequence"
    assert "".join(c.drawn for c in chars if c.mcid == 0) == "Druk-ker", "what is drawn is kept apart"
    assert [c.text for c in chars if c.artifact] == ["7"]
