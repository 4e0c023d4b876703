"""_ext/handbook/pdf/render_plan.py: the editions side by side while they fit the memory budget."""

from __future__ import annotations

from handbook.pdf import render_plan


def test_editions_that_fit_render_side_by_side():
    assert render_plan.groups([150, 150], shared_mb=200, budget_mb=1500, cores=2) == [[0, 1]]


def test_editions_that_do_not_fit_together_render_one_after_another():
    assert render_plan.groups([900, 900], shared_mb=300, budget_mb=1500, cores=2) == [[0], [1]]


def test_an_edition_over_the_budget_alone_still_renders_alone():
    assert render_plan.groups([1600, 100, 100], shared_mb=300, budget_mb=1500, cores=4) == [[0], [1, 2]]


def test_no_more_editions_at_once_than_cores():
    assert render_plan.groups([10, 10, 10], shared_mb=0, budget_mb=1500, cores=2) == [[0, 1], [2]]
    assert render_plan.groups([10, 10], shared_mb=0, budget_mb=1500, cores=1) == [[0], [1]]
    assert render_plan.groups([10, 10], shared_mb=0, budget_mb=1500, cores=0) == [[0], [1]]


def test_the_estimate_grows_with_the_print_document():
    # Rendered in pieces, the handbook at 1x (0.15 MB of HTML) and at 20x (3.4 MB, about
    # 590 MB an edition) renders both editions side by side in 1.5 GB, beside the render
    # command (80 MB); at 40x (7 MB) an edition alone takes over a gigabyte.
    small, large, larger = (render_plan.edition_memory_mb(size) for size in (150_000, 3_570_000, 7_000_000))
    assert small < 200 and 590 <= large < 700 and 1000 < larger
    assert render_plan.groups([small] * 2, shared_mb=80, budget_mb=1500, cores=2) == [[0, 1]]
    assert render_plan.groups([large] * 2, shared_mb=80, budget_mb=1500, cores=2) == [[0, 1]]
    assert render_plan.groups([larger] * 2, shared_mb=80, budget_mb=1500, cores=2) == [[0], [1]]
