"""The end of a sync as the command line prints it and the Sync wizard shows it: the error count said
on the last line is the number of error lines listed under it (items failing for one reason are one
line, naming the first and counting the others)."""

from __future__ import annotations

from tui_sync import texts
from tui_sync.sync.events import Summary

REFUSED = "Microsoft 365 refused the whole batch (424)"


def test_the_error_count_is_the_number_of_lines_listed() -> None:
    alike = [texts.sync.item_failed(f"Rendez-vous {n}", REFUSED) for n in range(1, 6)]
    summary = Summary("CARINE", errors=[*alike, "No calendar named Nowhere was found on the server"])

    listed = texts.sync.error_lines(summary.errors)

    assert listed == [
        f"“Rendez-vous 1” and 4 other items could not be synced: {REFUSED}",
        "No calendar named Nowhere was found on the server",
    ]
    assert " finished with 2 error(s) in " in texts.sync.summary_lines(summary)[-1]
    assert texts.sync.error_count(summary.errors) == 2


def test_a_run_without_errors_is_said_completed() -> None:
    assert " completed in " in texts.sync.summary_lines(Summary("CARINE"))[-1]
