"""`tui-sync sync` end to end: connect, import an agenda, sync headless, read the JSON summary."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.threaded_fake import ThreadedFake

DATA = Path(__file__).resolve().parents[1] / "data"


@pytest.fixture
def cli(connected_cli):
    return connected_cli


def test_sync_json_prints_the_summary_and_a_second_run_changes_nothing(cli, fake: ThreadedFake) -> None:
    assert cli("import", "agenda", str(DATA / "agenda.ics"), "--user", "CARINE").exit_code == 0
    first = cli(
        "sync", "--user", "CARINE", "--agenda", "--from", "2024-01-01", "--to", "2024-12-31", "--json"
    )
    assert first.exit_code == 0, first.stderr
    summary = first.json()
    assert set(summary) == {"user", "agenda", "requests", "errors", "seconds"}
    assert summary["user"] == "CARINE" and summary["errors"] == []
    assert summary["agenda"]["microsoft"]["created"] > 0 and summary["requests"] > 0
    events = fake.state()["mailboxes"][0]["events"]
    assert len(events) == summary["agenda"]["microsoft"]["created"]
    again = cli(
        "sync", "--user", "CARINE", "--agenda", "--from", "2024-01-01", "--to", "2024-12-31", "--json"
    )
    counts = again.json()["agenda"]
    assert counts["microsoft"] == {"created": 0, "updated": 0, "deleted": 0}
    assert counts["crm"] == {"created": 0, "updated": 0, "deleted": 0}


def test_sync_prints_a_readable_summary(cli) -> None:
    result = cli("sync", "--user", "CARINE", "--agenda")
    assert result.exit_code == 0, result.stderr
    assert "Agenda → Microsoft 365: +0 created" in result.stdout
    assert "Sync of CARINE completed" in result.stdout


def test_an_unknown_calendar_fails_with_spec_message_and_exit_1(cli) -> None:
    assert cli("user", "set", "CARINE", "--calendar", "Nope").exit_code == 0
    result = cli("sync", "--user", "CARINE", "--agenda", "--json")
    assert result.exit_code == 1
    assert result.json()["errors"] == ["No calendar named Nope was found on the server"]


@pytest.mark.parametrize(
    "args",
    [
        ("--from", "2026-13-01", "--to", "2026-12-31"),
        ("--from", "2026-01-01"),
        ("--from", "2026-02-01", "--to", "2026-01-01"),
    ],
)
def test_bad_periods_are_one_line_and_exit_2(cli, args: tuple[str, ...]) -> None:
    result = cli("sync", "--user", "CARINE", "--agenda", *args)
    assert result.exit_code == 2
    assert len(result.stderr.strip().splitlines()) == 1 and result.stdout == ""


def test_not_connected_user_fails_cleanly(cli) -> None:
    assert cli("user", "add", "PAUL", "Paul Martin", "--calendar", "Calendar").exit_code == 0
    result = cli("sync", "--user", "PAUL", "--agenda")
    assert result.exit_code == 1
    assert "tui-sync connect --user PAUL" in result.stderr
    assert "Traceback" not in result.stderr


def test_sync_lists_each_meeting_cancelled_by_its_organiser_and_what_became_of_it(
    cli, fake: ThreadedFake
) -> None:
    """A meeting its organiser cancelled stays in the attendee's calendar with isCancelled: true
    (api-reference/v1.0/resources/event.md): a headless sync reports it like a deletion, by name."""
    span = ("--from", "2026-12-01", "--to", "2026-12-31")
    for n in range(1, 5):  # a few, so that two deletions are not a mass deletion
        added = cli(
            "agenda", "add", "--user", "CARINE", "--title", f"Meeting {n}", "--start", f"2026-12-0{n} 09:00"
        )
        assert added.exit_code == 0, added.stderr
    assert cli("sync", "--user", "CARINE", "--agenda", *span).exit_code == 0
    events = {e["fields"]["subject"]: e["id"] for e in fake.state()["mailboxes"][0]["events"]}
    for title in ("Meeting 1", "Meeting 2"):
        fake.admin("POST", "/events/cancel", {"upn": "carine@contoso.test", "event_id": events[title]})
    kept = cli("sync", "--user", "CARINE", "--agenda", *span)
    assert kept.exit_code == 0, kept.stderr
    listed = [line for line in kept.stdout.splitlines() if "cancelled by the organiser" in line]
    assert len(listed) == 2 and all("kept in the CRM" in line for line in listed), kept.stdout
    assert "Action “Meeting 1” Tue 01 Dec 2026 09:00" in listed[0] + listed[1]
    again = cli("sync", "--user", "CARINE", "--agenda", *span)
    assert "cancelled by the organiser" not in again.stdout  # kept: not asked again
    fake.admin("POST", "/events/cancel", {"upn": "carine@contoso.test", "event_id": events["Meeting 3"]})
    deleted = cli("sync", "--user", "CARINE", "--agenda", "--yes", *span)
    assert "Action “Meeting 3” Thu 03 Dec 2026 09:00: cancelled by the organiser, deleted from the CRM" in (
        deleted.stdout
    )
    listed = cli("agenda", "list", "--user", "CARINE", "--from", "2026-12-01", "--to", "2026-12-31").stdout
    assert "Meeting 3" not in listed and "Meeting 1" in listed


def test_a_headless_mass_deletion_says_what_to_check_and_that_yes_deletes_them_all(
    cli, fake: ThreadedFake
) -> None:
    """--yes is the only way on for a headless run, and it deletes every item without a question: the
    refusal says so, and what to check before."""
    span = ("--from", "2026-12-01", "--to", "2026-12-31")
    for n in range(1, 5):
        added = cli(
            "agenda", "add", "--user", "CARINE", "--title", f"Meeting {n}", "--start", f"2026-12-0{n} 09:00"
        )
        assert added.exit_code == 0, added.stderr
    assert cli("sync", "--user", "CARINE", "--agenda", *span).exit_code == 0
    events = fake.state()["mailboxes"][0]["events"]
    for event in events[:3]:  # more than half of the synced items
        fake.admin("POST", "/events/cancel", {"upn": "carine@contoso.test", "event_id": event["id"]})
    refused = cli("sync", "--user", "CARINE", "--agenda", *span)
    assert refused.exit_code == 1
    assert refused.stderr.count("\n") == 1, refused.stderr
    assert "it would delete 3 of 4 synced items. Check first that the calendar" in refused.stderr
    assert refused.stderr.rstrip().endswith("--yes deletes all 3, asking about none")
    listed = cli("agenda", "list", "--user", "CARINE", *span).stdout
    assert all(f"Meeting {n}" in listed for n in range(1, 5))
