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
from handbook.pdf import tagging as pdf_tagging
import pdfua_check


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
    html = pdf_samples.SAMPLE_HTML.replace("<h1>", '<span id="document-intro"></span><h1>')
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
    pdf.save(fixed)

    def text(path):
        return subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout

    assert text(fixed) == text(raw_pdf)
    assert pdfua_check.check_file(fixed) == []


def test_a_pdf_without_tags_is_a_clear_error(tmp_path):
    from weasyprint import HTML

    plain = tmp_path / "plain.pdf"
    HTML(string=pdf_samples.SAMPLE_HTML).write_pdf(plain)
    with pikepdf.open(plain) as pdf, pytest.raises(pdf_tagging.TaggingError, match="no structure tree"):
        pdf_tagging.fix_tagging(pdf, {})
