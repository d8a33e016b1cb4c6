"""`tui-sync user add|set|grant|list`: scripted administration, round-tripping every preference."""

from __future__ import annotations

import contextlib
import sqlite3
from datetime import datetime

import pytest

from tui_sync.domain.models import SyncPrefs

EVERY_PREF = [
    "--interface", "Office 365",
    "--email", "carine@contoso.test",
    "--calendar", "Travail",
    "--months-before", "6",
    "--months-after", "36",
    "--automatic",
    "--startup",
    "--no-series",
]  # fmt: skip
PREFS_SET = {
    "interface": "Office 365",
    "login_email": "carine@contoso.test",
    "calendar_name": "Travail",
    "months_before": 6,
    "months_after": 36,
    "automatic": True,
    "at_startup": True,
    "series": False,
}


def users(run_cli) -> dict[str, dict]:
    result = run_cli("user", "list", "--json")
    assert result.exit_code == 0 and result.stderr == ""
    assert result.stdout.count("\n") == 1  # one JSON object, nothing else
    return {u["code"]: u for u in result.json()["users"]}


def test_every_preference_has_an_option_and_a_json_name() -> None:
    assert set(PREFS_SET) == set(SyncPrefs.__dataclass_fields__)


def test_list_shows_adm_with_defaults(run_cli) -> None:
    assert users(run_cli) == {
        "ADM": {
            "code": "ADM",
            "full_name": "Administrator",
            "admin": True,
            "prefs": {
                "interface": "Office 365",
                "login_email": "",
                "calendar_name": "",
                "months_before": 1,
                "months_after": 3,
                "automatic": False,
                "at_startup": False,
                "series": True,
            },
            "connected": False,
            "home_account_id": None,
            "last_agenda_sync": None,
            "last_contacts_sync": None,
            "rights": [],
        }
    }


def test_add_with_every_preference_round_trips(run_cli) -> None:
    result = run_cli("user", "add", "carine", "Carine Dupont", "--admin", *EVERY_PREF)
    assert result.exit_code == 0 and "CARINE" in result.stdout
    carine = users(run_cli)["CARINE"]
    assert (carine["full_name"], carine["admin"], carine["prefs"]) == ("Carine Dupont", True, PREFS_SET)


def test_set_changes_only_what_is_given_and_round_trips(run_cli) -> None:
    run_cli("user", "add", "CARINE", "Carine")
    assert run_cli("user", "set", "carine", *EVERY_PREF, "--name", "Carine Dupont").exit_code == 0
    assert users(run_cli)["CARINE"]["prefs"] == PREFS_SET
    assert (
        run_cli("user", "set", "CARINE", "--series", "--no-automatic", "--months-before", "0").exit_code == 0
    )
    carine = users(run_cli)["CARINE"]
    assert carine["prefs"] == {**PREFS_SET, "series": True, "automatic": False, "months_before": 0}
    assert carine["full_name"] == "Carine Dupont" and carine["admin"] is False
    assert run_cli("user", "set", "CARINE", "--email", "", "--no-startup").exit_code == 0
    assert users(run_cli)["CARINE"]["prefs"]["login_email"] == ""


def test_list_json_replays_into_an_identical_crm(run_cli, tmp_path) -> None:
    """What `user list --json` prints is enough to rebuild every user with `user add` + `user set`."""
    run_cli("user", "add", "CARINE", "Carine Dupont", *EVERY_PREF)
    run_cli("user", "add", "PAUL", "Paul", "--admin", "--months-after", "0", "--series")
    run_cli("user", "grant", "CARINE", "PAUL", "--visible", "--agenda")
    original = users(run_cli)
    run_cli.database.unlink()
    for code, user in original.items():
        if code != "ADM":
            assert run_cli("user", "add", code, user["full_name"]).exit_code == 0
        assert run_cli("user", "set", code, *replay_options(user)).exit_code == 0
    for code, user in original.items():
        for right in user["rights"]:
            flags = [
                "--visible" if right["visible"] else "--no-visible",
                "--agenda" if right["agenda"] else "--no-agenda",
            ]
            assert run_cli("user", "grant", code, right["target"], *flags).exit_code == 0
    assert users(run_cli) == original


def replay_options(user: dict) -> list[str]:
    p = user["prefs"]
    return [
        "--name", user["full_name"],
        "--admin" if user["admin"] else "--no-admin",
        "--interface", p["interface"],
        "--email", p["login_email"],
        "--calendar", p["calendar_name"],
        "--months-before", str(p["months_before"]),
        "--months-after", str(p["months_after"]),
        "--automatic" if p["automatic"] else "--no-automatic",
        "--startup" if p["at_startup"] else "--no-startup",
        "--series" if p["series"] else "--no-series",
    ]  # fmt: skip


def test_grant_sets_and_keeps_what_is_not_given(run_cli) -> None:
    run_cli("user", "add", "CARINE", "Carine")
    run_cli("user", "add", "PAUL", "Paul")
    assert run_cli("user", "grant", "carine", "paul", "--visible").exit_code == 0
    assert users(run_cli)["CARINE"]["rights"] == [{"target": "PAUL", "visible": True, "agenda": False}]
    assert run_cli("user", "grant", "CARINE", "PAUL", "--agenda").exit_code == 0
    assert users(run_cli)["CARINE"]["rights"] == [{"target": "PAUL", "visible": True, "agenda": True}]
    result = run_cli("user", "grant", "CARINE", "PAUL", "--no-visible")
    assert "visible no, agenda yes" in result.stdout
    assert users(run_cli)["CARINE"]["rights"] == [{"target": "PAUL", "visible": False, "agenda": True}]
    assert users(run_cli)["PAUL"]["rights"] == []


def test_list_shows_connection_and_last_syncs(run_cli) -> None:
    run_cli("user", "add", "CARINE", "Carine")
    with contextlib.closing(sqlite3.connect(run_cli.database)) as db:  # as `connect` and `sync` would
        db.execute(
            "UPDATE users SET home_account_id = 'uid.tid', last_agenda_sync = '2024-03-01T08:30:00.000000Z' "
            "WHERE code = 'CARINE'"
        )
        db.commit()
    carine = users(run_cli)["CARINE"]
    assert carine["connected"] is True and carine["home_account_id"] == "uid.tid"
    assert datetime.fromisoformat(carine["last_agenda_sync"]) == datetime.fromisoformat(
        "2024-03-01T09:30:00+01:00"
    )
    assert carine["last_agenda_sync"].endswith("+01:00")  # in the CRM's zone
    assert carine["last_contacts_sync"] is None
    text = run_cli("user", "list").stdout
    assert "● connected" in text and "last agenda sync 2024-03-01 09:30" in text and "○ not connected" in text


def test_list_text_shows_every_preference_and_rights(run_cli) -> None:
    run_cli("user", "add", "CARINE", "Carine Dupont", *EVERY_PREF)
    run_cli("user", "grant", "ADM", "CARINE", "--agenda")
    text = run_cli("user", "list").stdout
    assert "CARINE  Carine Dupont" in text
    assert "login carine@contoso.test, calendar Travail, period 6 month(s) before / 36 after" in text
    assert "automatic yes, at startup yes, series no" in text
    assert "rights on others: CARINE (agenda)" in text


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["user", "add", "ADM", "Again"], "user ADM already exists"),
        (["user", "add", "CAR INE", "Carine"], "CODE: 'CAR INE' must be 1–20 letters, digits or _"),
        (["user", "add", "X" * 21, "Long"], "CODE: "),
        (["user", "add", "ZOE", "  "], "FULL_NAME: must not be empty"),
        (["user", "add", "ZOE", "Zoé", "--email", "zoe"], "--email: 'zoe' is not an e-mail address"),
        (
            ["user", "add", "ZOE", "Zoé", "--months-after", "37"],
            "--months-after: must be between 0 and 36 (got 37)",
        ),
        (
            ["user", "set", "CARINE", "--months-before", "-1"],
            "--months-before: must be between 0 and 36 (got -1)",
        ),
        (["user", "set", "CARINE", "--email", "carine@"], "--email: 'carine@' is not an e-mail address"),
        (["user", "set", "CARINE", "--name", ""], "--name: must not be empty"),
        (["user", "set", "CARINE"], "nothing to change: give at least one of --name, --admin"),
        (["user", "set", "NOBODY", "--automatic"], "no user NOBODY in the CRM"),
        (["user", "set", "ADM", "--no-admin"], "ADM is the last administrator"),
        (["user", "grant", "CARINE", "NOBODY", "--visible"], "no user NOBODY"),
        (["user", "grant", "NOBODY", "CARINE", "--visible"], "no user NOBODY"),
        (["user", "grant", "CARINE", "carine", "--agenda"], "CARINE always sees and syncs their own agenda"),
        (["user", "grant", "CARINE", "ADM"], "nothing to change: give at least one of --visible"),
    ],
)
def test_bad_input_is_one_line_exit_2_and_changes_nothing(run_cli, db_dump, args, expected) -> None:
    run_cli("user", "add", "CARINE", "Carine", "--email", "carine@contoso.test")
    before = db_dump(run_cli.database)
    result = run_cli(*args)
    assert (result.exit_code, result.stdout) == (2, ""), result.stderr
    assert result.stderr.startswith("tui-sync: ") and result.stderr.count("\n") == 1
    assert expected in result.stderr
    assert db_dump(run_cli.database) == before


def test_demoting_an_admin_is_fine_while_another_remains(run_cli) -> None:
    run_cli("user", "add", "BOSS", "Boss", "--admin")
    assert run_cli("user", "set", "ADM", "--no-admin").exit_code == 0
    assert users(run_cli)["ADM"]["admin"] is False
