"""_ext/handbook/web/page_dates.py: each page's date is its own last change."""

from handbook.web import page_dates


def test_newest_commit_wins_for_each_file():
    log = "@300\n\ndocs/a.md\n@200\n\ndocs/a.md\ndocs/b.md\n@100\n\ndocs/c.md\n"
    assert page_dates.last_changes(log) == {"docs/a.md": 300, "docs/b.md": 200, "docs/c.md": 100}


def test_an_empty_log_gives_no_dates():
    assert page_dates.last_changes("") == {}


def test_a_page_is_as_new_as_the_newest_file_it_includes():
    dates = {"/r/docs/back/contributing.md": 100, "/r/CONTRIBUTING.md": 300, "/r/docs/other.md": 500}
    assert page_dates.newest(["/r/docs/back/contributing.md", "/r/CONTRIBUTING.md"], dates) == 300
    assert page_dates.newest(["/r/docs/new.md"], dates) is None  # not committed yet: no date
