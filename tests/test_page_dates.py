"""_ext/handbook/web/page_dates.py: each page's date is its own last change."""

from handbook.web import page_dates


def test_newest_commit_wins_for_each_file():
    log = "@300\n\ndocs/a.md\n@200\n\ndocs/a.md\ndocs/b.md\n@100\n\ndocs/c.md\n"
    assert page_dates.last_changes(log) == {"docs/a.md": 300, "docs/b.md": 200, "docs/c.md": 100}


def test_an_empty_log_gives_no_dates():
    assert page_dates.last_changes("") == {}
