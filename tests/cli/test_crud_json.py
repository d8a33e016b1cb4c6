"""Headless CRUD for scripts: `--json` out of `add`/`edit`, `--from-json FILE|-` in (the keys `list --json`
prints, so a listed item goes back in), and `agenda edit|delete SN` on a whole series. Everything goes
through the same services and checks as the terminal application; a bad object is one line, nothing
changed."""

from __future__ import annotations

import contextlib
import io
import json
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import pytest

NOW = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)


@pytest.fixture
def cli(run_cli, monkeypatch: pytest.MonkeyPatch):
    """run_cli on a fixed clock with CARINE; `stdin=` feeds the command's standard input."""

    def run(*args: str, stdin: str = ""):
        monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
        return run_cli(*args, now=lambda: NOW)

    run.database = run_cli.database
    assert run("user", "add", "CARINE", "Carine").exit_code == 0
    return run


# --- contacts ----------------------------------------------------------------------------------------------


def test_contacts_add_and_edit_print_json_and_read_it_back(cli, tmp_path: Path) -> None:
    added = cli(
        "contacts", "add", "--last-name", "Martin", "--email", "m@acme.test", "--address", "1 rue X", "--json"
    )
    assert added.exit_code == 0 and added.stdout.count("\n") == 1
    martin = added.json()
    assert martin["last_name"] == "Martin" and martin["email"] == "m@acme.test"
    assert martin["address_lines"] == ["1 rue X"] and isinstance(martin["id"], int)

    listed = cli("contacts", "list", "--json").json()["contacts"][0]
    assert listed == martin  # what add printed is what list prints
    copy = {**listed, "first_name": "Anne", "city": "Lyon"}  # the listed object, changed, goes back in
    again = cli("contacts", "add", "--from-json", "-", "--json", stdin=json.dumps(copy))
    assert again.exit_code == 0, again.stderr
    anne = again.json()
    assert anne["id"] != martin["id"]
    assert (anne["last_name"], anne["first_name"], anne["city"], anne["address_lines"]) == (
        "Martin",
        "Anne",
        "Lyon",
        ["1 rue X"],
    )

    change = tmp_path / "change.json"
    change.write_text(json.dumps({"city": "Paris", "company": "Acme"}))
    edited = cli(
        "contacts", "edit", str(anne["id"]), "--from-json", str(change), "--city", "Nantes", "--json"
    )
    assert edited.exit_code == 0, edited.stderr
    assert (edited.json()["city"], edited.json()["company"]) == ("Nantes", "Acme")  # the option wins
    assert edited.json()["email"] == "m@acme.test"  # what was not given stays


@pytest.mark.parametrize(
    ("stdin", "expected"),
    [
        ('{"last_name": "X", "nickname": "Bob"}', "unknown key(s) nickname"),
        ('{"last_name": 3}', "last_name: must be text"),
        ('{"last_name": "X", "address_lines": "1 rue X"}', "address_lines: must be a list of text lines"),
        ('{"last_name": "X", "email": "not-an-email"}', "--email"),
        ('{"last_name": "X",', "not JSON (line 1, column"),
        ('["Martin"]', "must hold one JSON object"),
        ('{"city": "Lyon"}', "a contact needs a name or a company"),
    ],
)
def test_a_bad_contact_object_is_one_line_and_changes_nothing(
    cli, db_dump, stdin: str, expected: str
) -> None:
    before = db_dump(cli.database)
    result = cli("contacts", "add", "--from-json", "-", stdin=stdin)
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr.count("\n") == 1 and expected in result.stderr, result.stderr
    assert db_dump(cli.database) == before


def test_a_missing_json_file_is_one_line(cli, tmp_path: Path) -> None:
    result = cli("contacts", "add", "--from-json", str(tmp_path / "nope.json"))
    assert result.exit_code == 2 and result.stderr.count("\n") == 1
    assert f"--from-json {tmp_path / 'nope.json'}: No such file" in result.stderr


# --- agenda ------------------------------------------------------------------------------------------------


def test_agenda_add_reads_json_and_prints_it(cli) -> None:
    wanted = {
        "user": "CARINE",
        "title": "Visit Acme",
        "start": "2026-12-01T09:30:00+01:00",
        "end": "2026-12-01T10:15:00+01:00",
        "type": "Appel",
        "location": "Lyon",
        "private": True,
        "reminder_minutes": None,
        "note": "bring the offer",
    }
    added = cli("agenda", "add", "--from-json", "-", "--json", stdin=json.dumps(wanted))
    assert added.exit_code == 0, added.stderr
    printed = added.json()
    assert {k: printed[k] for k in ("title", "start", "end", "location", "private", "note")} == {
        k: wanted[k] for k in ("title", "start", "end", "location", "private", "note")
    }
    assert printed["type"] == "Appel" and printed["reminder_minutes"] is None and printed["kind"] == "single"
    listed = cli("agenda", "list", "--user", "CARINE", "--json").json()["actions"]
    assert listed == [printed]

    day = {"user": "CARINE", "title": "Fair", "start": "2026-12-03", "all_day": True}
    fair = cli("agenda", "add", "--from-json", "-", "--json", stdin=json.dumps(day)).json()
    assert (fair["start"], fair["end"]) == ("2026-12-03T00:00:00+01:00", "2026-12-04T00:00:00+01:00")
    copied = cli("agenda", "add", "--from-json", "-", "--json", stdin=json.dumps({**fair, "user": "CARINE"}))
    assert copied.exit_code == 0, copied.stderr  # a listed all-day item goes back in as the same day
    assert (copied.json()["start"], copied.json()["end"]) == (fair["start"], fair["end"])

    edited = cli(
        "agenda", "edit", str(printed["id"]), "--from-json", "-", "--json", stdin='{"reminder_minutes": 10}'
    )
    assert edited.exit_code == 0, edited.stderr
    assert edited.json()["reminder_minutes"] == 10 and edited.json()["title"] == "Visit Acme"


GOOD = '"user": "CARINE", "title": "T", "start": "2026-12-01 09:00"'


@pytest.mark.parametrize(
    ("stdin", "expected"),
    [
        ('{"title": "T", "start": "2026-12-01T09:00:00+01:00"}', "--user: required"),
        ('{"user": "CARINE", "title": "T"}', "--start: required"),
        ("{" + GOOD + ', "colour": "red"}', "unknown key(s) colour"),
        ("{" + GOOD + ', "private": "yes"}', "private: must be true or false"),
        ("{" + GOOD + ', "reminder_minutes": "10"}', "reminder_minutes"),
        ('{"user": "CARINE", "title": "T", "start": "someday"}', "--start"),
    ],
)
def test_a_bad_action_object_is_one_line_and_changes_nothing(cli, db_dump, stdin: str, expected: str) -> None:
    before = db_dump(cli.database)
    result = cli("agenda", "add", "--from-json", "-", stdin=stdin)
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr.count("\n") == 1 and expected in result.stderr, result.stderr
    assert db_dump(cli.database) == before


# --- a series from the command line ---------------------------------------------------------------

WEEKLY = """BEGIN:VCALENDAR
VERSION:2.0
PRODID:-//tests//EN
BEGIN:VEVENT
UID:weekly-1@tests
DTSTAMP:20261101T000000Z
DTSTART:20261201T080000Z
DTEND:20261201T090000Z
SUMMARY:Team meeting
RRULE:FREQ=WEEKLY;COUNT=4
END:VEVENT
BEGIN:VEVENT
UID:weekly-1@tests
DTSTAMP:20261101T000000Z
RECURRENCE-ID:20261208T080000Z
DTSTART:20261208T100000Z
DTEND:20261208T110000Z
SUMMARY:Team meeting (moved)
END:VEVENT
END:VCALENDAR
"""


def test_a_series_is_edited_and_deleted_by_its_s_id(cli, tmp_path: Path, db_dump) -> None:
    ics = tmp_path / "weekly.ics"
    ics.write_text(WEEKLY)
    assert cli("import", "agenda", str(ics), "--user", "CARINE").exit_code == 0
    entries = cli("agenda", "list", "--user", "CARINE", "--json").json()["actions"]
    series_id = entries[0]["series_id"]
    assert len(entries) == 4 and {e["series_id"] for e in entries} == {series_id}
    listed = cli("agenda", "list", "--user", "CARINE").stdout
    assert f"S{series_id}" in listed

    edited = cli(
        "agenda", "edit", f"S{series_id}", "--title", "Weekly review", "--location", "Room 2", "--json"
    )
    assert edited.exit_code == 0, edited.stderr
    assert edited.json()["kind"] == "series" and edited.json()["series_id"] == series_id
    after = cli("agenda", "list", "--user", "CARINE", "--json").json()["actions"]
    plain = [e for e in after if e["kind"] == "occurrence"]  # the exception keeps its own fields
    assert len(after) == 4  # the rule is kept: still four
    assert {e["title"] for e in plain} == {"Weekly review"} and {e["location"] for e in plain} == {"Room 2"}
    text = cli("agenda", "edit", f"s{series_id}", "--title", "Weekly")
    assert text.exit_code == 0 and f"Saved series S{series_id}: Weekly" in text.stdout

    with contextlib.closing(sqlite3.connect(cli.database)) as db:
        (occurrence_id,) = db.execute("SELECT id FROM actions WHERE series_id IS NOT NULL").fetchone()
    before = db_dump(cli.database)
    for args in (["edit", str(occurrence_id), "--title", "X"], ["delete", str(occurrence_id), "--yes"]):
        refused = cli("agenda", *args)
        assert refused.exit_code == 2 and refused.stderr.count("\n") == 1
        assert f"give S{series_id}" in refused.stderr
    bad_id = cli("agenda", "edit", "X12", "--title", "X")
    assert bad_id.exit_code == 2 and "'X12' is not an id" in bad_id.stderr
    assert db_dump(cli.database) == before

    assert "--yes" in cli("agenda", "delete", f"S{series_id}").stderr
    deleted = cli("agenda", "delete", f"S{series_id}", "--yes")
    assert deleted.exit_code == 0 and f"series S{series_id}" in deleted.stdout
    assert cli("agenda", "list", "--user", "CARINE", "--json").json()["actions"] == []
