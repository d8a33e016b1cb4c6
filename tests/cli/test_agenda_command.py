"""`tui-sync agenda list|add|edit|delete`: a user's single actions from scripts, through the agenda
service (its rights and its checks); a refused value is one line naming its option and changes nothing."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

NOW = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)

ADD = ["add", "--user", "CARINE", "--title", "T", "--start", "2026-12-01 09:00"]


def now() -> datetime:
    return NOW


@pytest.fixture
def cli(run_cli):
    """run_cli on a fixed clock, with CARINE and XAVIER in the CRM."""

    def run(*args: str):
        return run_cli(*args, now=now)

    run.database = run_cli.database
    assert run("user", "add", "CARINE", "Carine").exit_code == 0
    assert run("user", "add", "XAVIER", "Xavier").exit_code == 0
    return run


def test_add_list_edit_delete(cli) -> None:
    added = cli(
        "agenda", "add", "--user", "carine", "--title", "Visit Acme", "--start", "2026-12-01 09:30",
        "--minutes", "45", "--type", "appel", "--location", "Lyon", "--note", "bring the offer",
        "--private", "--reminder", "10",
    )  # fmt: skip
    assert added.exit_code == 0, added.stderr
    action_id = int(added.stdout)
    day = cli("agenda", "add", "--user", "CARINE", "--title", "Fair", "--start", "2026-12-03", "--all-day")
    assert day.exit_code == 0, day.stderr

    listed = cli("agenda", "list", "--user", "CARINE")
    assert listed.exit_code == 0, listed.stderr
    lines = listed.stdout.splitlines()
    assert len(lines) == 2
    assert lines[0].split() == [str(action_id), "2026-12-01", "09:30-10:15", "Appel", "Visit", "Acme", "P"]
    assert lines[1].split()[1:] == ["2026-12-03", "all", "day", "Tâche", "Fair"]

    as_json = cli(
        "agenda", "list", "--user", "CARINE", "--from", "2026-12-01", "--to", "2026-12-02", "--json"
    )
    assert as_json.exit_code == 0 and as_json.stdout.count("\n") == 1
    data = as_json.json()
    assert data["user"] == "CARINE" and len(data["actions"]) == 1
    first = data["actions"][0]
    assert first["id"] == action_id and first["title"] == "Visit Acme" and first["type"] == "Appel"
    assert first["start"] == "2026-12-01T09:30:00+01:00" and first["end"] == "2026-12-01T10:15:00+01:00"
    assert first["location"] == "Lyon" and first["note"] == "bring the offer"
    assert first["private"] is True and first["reminder_minutes"] == 10 and first["all_day"] is False

    edited = cli("agenda", "edit", str(action_id), "--start", "2026-12-02 14:00", "--title", "Visit Acme SA")
    assert edited.exit_code == 0, edited.stderr
    assert "next sync" in edited.stdout
    after = cli("agenda", "list", "--user", "CARINE", "--json").json()["actions"][0]
    assert after["title"] == "Visit Acme SA"
    assert after["start"] == "2026-12-02T14:00:00+01:00" and after["end"] == "2026-12-02T14:45:00+01:00"
    assert after["location"] == "Lyon" and after["private"] is True  # what was not given stays

    refused = cli("agenda", "delete", str(action_id))
    assert refused.exit_code == 2 and refused.stderr.count("\n") == 1 and "--yes" in refused.stderr
    deleted = cli("agenda", "delete", str(action_id), "--yes")
    assert deleted.exit_code == 0 and "Visit Acme SA" in deleted.stdout
    assert [a["title"] for a in cli("agenda", "list", "--user", "CARINE", "--json").json()["actions"]] == [
        "Fair"
    ]


@pytest.mark.parametrize(
    ("args", "option"),
    [
        (["add", "--user", "CARINE", "--title", " ", "--start", "2026-12-01 09:00"], "--title"),
        (["add", "--user", "CARINE", "--title", "T", "--start", "2026-13-01 09:00"], "--start"),
        (["add", "--user", "CARINE", "--title", "T", "--start", "2026-12-01"], "--start"),
        ([*ADD, "--end", "2026-12-01 08:00"], "--end"),
        ([*ADD, "--type", "Party"], "--type"),
        ([*ADD, "--minutes", "0"], "--minutes"),
        ([*ADD, "--reminder", "99999"], "--reminder"),
        (["add", "--user", "NOBODY", "--title", "T", "--start", "2026-12-01 09:00"], "NOBODY"),
        (["edit", "ID", "--end", "2026-12-01 08:00"], "--end"),
        (["edit", "ID", "--type", "Party"], "--type"),
        (["edit", "ID"], "--title"),
        (["edit", "999", "--title", "X"], "999"),
        (["delete", "999", "--yes"], "999"),
        (["list", "--user", "CARINE", "--from", "2026-12-01"], "--to"),
        (["list", "--user", "CARINE", "--from", "2026-12-01", "--to", "someday"], "--to"),
    ],
)  # fmt: skip
def test_bad_input_is_one_line_and_changes_nothing(cli, db_dump, args: list[str], option: str) -> None:
    added = cli("agenda", "add", "--user", "CARINE", "--title", "Kept", "--start", "2026-12-01 09:00")
    action_id = added.stdout.strip()
    before = db_dump(cli.database)
    result = cli("agenda", *[action_id if a == "ID" else a for a in args])
    assert result.exit_code == 2, result
    assert result.stdout == "" and result.stderr.count("\n") == 1 and option in result.stderr, result.stderr
    assert db_dump(cli.database) == before


def test_as_another_user_needs_the_agenda_right(cli, db_dump) -> None:
    action_id = cli(
        "agenda", "add", "--user", "CARINE", "--title", "Mine", "--start", "2026-12-01 09:00"
    ).stdout
    before = db_dump(cli.database)
    for args in (
        ["list", "--user", "CARINE", "--as", "XAVIER"],
        ["add", "--user", "CARINE", "--as", "XAVIER", "--title", "T", "--start", "2026-12-01 10:00"],
        ["edit", action_id.strip(), "--as", "XAVIER", "--title", "Theirs"],
        ["delete", action_id.strip(), "--as", "XAVIER", "--yes"],
    ):
        refused = cli("agenda", *args)
        assert refused.exit_code == 1 and refused.stderr.count("\n") == 1, refused
        assert "XAVIER may not" in refused.stderr and refused.stdout == ""
    assert db_dump(cli.database) == before

    assert cli("user", "grant", "XAVIER", "CARINE", "--agenda").exit_code == 0
    edited = cli("agenda", "edit", action_id.strip(), "--as", "XAVIER", "--title", "Theirs")
    assert edited.exit_code == 0, edited.stderr
    assert (
        cli("agenda", "list", "--user", "CARINE", "--as", "XAVIER", "--json").json()["actions"][0]["title"]
        == "Theirs"
    )
