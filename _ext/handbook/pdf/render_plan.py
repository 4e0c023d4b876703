"""Which print editions render side by side, and which wait: a plan within a memory budget.

The PDF render renders each edition in a process of its own, forked from the
process that runs it (render.py). Side by side they take the time of one, but
each needs memory that grows with the book: a piece's layout at a time (pieces.py),
then the whole merged PDF while its tags are repaired. ``groups`` splits the
editions into groups rendered one after another, each as large as the budget
(the config value ``pdf_memory_mb``) and the cores allow. Pure: the render
measures, this decides.
"""

from __future__ import annotations

from collections.abc import Sequence

# What one edition's render adds to the process it is forked from, at its peak
# (while the tags of the merged PDF are repaired), from the size of the print
# document: measured on the handbook at 1x (0.15 MB of HTML) and 20x (3.4 MB, both
# editions at about 590 MB, resident), the large-print edition (more pages) the
# larger. An estimate: it errs high.
BASE_MB = 60
MB_PER_HTML_MB = 160


def edition_memory_mb(html_bytes: int) -> float:
    """The estimated peak memory one edition's render adds, in MB, for a print document of ``html_bytes``."""
    return BASE_MB + MB_PER_HTML_MB * html_bytes / 2**20


def groups(estimates_mb: Sequence[float], shared_mb: float, budget_mb: float, cores: int) -> list[list[int]]:
    """The editions (indices into ``estimates_mb``) in groups to render one group after another.

    A group takes editions in order while their estimates, with ``shared_mb`` (the
    process they are forked from), fit ``budget_mb``, and while there is a core
    for each. An edition that does not fit even alone gets a group of its own:
    it renders anyway, as lean as it can.
    """
    plan: list[list[int]] = []
    group: list[int] = []
    total = shared_mb
    for index, estimate in enumerate(estimates_mb):
        if group and (len(group) >= max(1, cores) or total + estimate > budget_mb):
            plan.append(group)
            group, total = [], shared_mb
        group.append(index)
        total += estimate
    if group:
        plan.append(group)
    return plan
