"""_ext/handbook/pdf/page_labels.py: the page numbers viewers show are the printed ones."""

from __future__ import annotations

import pikepdf
import pytest
from pikepdf import Name

from handbook.pdf import page_labels


def test_front_matter_in_roman_numerals_then_the_body_from_1():
    assert page_labels.labels(6, 3) == ["i", "ii", "iii", "1", "2", "3"]
    assert page_labels.labels(2, 0) == ["1", "2"]


def test_a_body_outside_the_document_is_an_error():
    with pytest.raises(ValueError, match="page index 4 of a 4-page"):
        page_labels.labels(4, 4)


@pytest.mark.parametrize("body_start", [0, 3])
def test_the_labels_written_are_the_labels_computed(body_start):
    pdf = pikepdf.new()
    for _ in range(6):
        pdf.add_blank_page()

    page_labels.write(pdf, body_start)

    assert [page.label for page in pdf.pages] == page_labels.labels(6, body_start)
    assert pdf.Root.PageMode == Name.UseOutlines
