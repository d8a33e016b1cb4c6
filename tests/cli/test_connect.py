"""`tui-sync connect` and `tui-sync disconnect` against the fake Microsoft 365 (real MSAL, real HTTPS):
the printed instructions, who signed in, the stored account, Ctrl-C, and Reset."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import sqlite3
import stat
import subprocess
import sys
from contextlib import closing
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from tests.threaded_fake import UPN, AutoApprover, ThreadedFake, prepare_cli
from tui_sync import texts
from tui_sync.store import Link, Store


@pytest.fixture
def cli(run_cli, fake: ThreadedFake, monkeypatch: pytest.MonkeyPatch):
    """`run_cli` pointed at the fake, with CARINE (login e-mail, calendar) and the client ID set."""
    return prepare_cli(run_cli, fake, monkeypatch)


async def add_link(database: Path, link: Link) -> None:
    store = await Store.open(database, ZoneInfo("Europe/Paris"))
    try:
        await store.save_links([link])
    finally:
        await store.close()


def home_account(database: Path, code: str = "CARINE") -> str | None:
    with closing(sqlite3.connect(database)) as db:
        return db.execute("SELECT home_account_id FROM users WHERE code = ?", (code,)).fetchone()[0]


def test_connect_prints_the_code_and_stores_the_account(cli, fake: ThreadedFake, tmp_path: Path) -> None:
    with AutoApprover(fake) as approver:
        result = cli("connect", "--user", "carine")
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    code = approver.approved[0]
    assert lines[0] == texts.microsoft.device_code_instructions(
        f"{fake.authority_host}/devicelogin", code, 15
    )
    assert lines[1] == texts.microsoft.waiting_for_sign_in()
    assert lines[2] == texts.microsoft.signed_in_as(UPN)
    assert len(lines) == 3  # no e-mail warning: it is CARINE's login e-mail
    assert home_account(cli.database)
    cache = tmp_path / "token-cache.json"
    assert stat.S_IMODE(cache.stat().st_mode) == 0o600 and json.loads(cache.read_text())["RefreshToken"]

    listed = cli("user", "list", "--json").json()
    carine = next(u for u in listed["users"] if u["code"] == "CARINE")
    assert carine["connected"] is True and carine["home_account_id"] == home_account(cli.database)


def test_connect_as_another_address_warns(cli, fake: ThreadedFake) -> None:
    with AutoApprover(fake, "boss@contoso.test"):
        result = cli("connect", "--user", "CARINE")
    assert result.exit_code == 0
    assert result.stdout.splitlines()[-1] == texts.microsoft.email_mismatch("boss@contoso.test", UPN)


def test_reconnecting_with_another_account_drops_the_old_tokens(
    cli, fake: ThreadedFake, tmp_path: Path
) -> None:
    with AutoApprover(fake):
        cli("connect", "--user", "CARINE")
    first = home_account(cli.database)
    with AutoApprover(fake, "carine.dupont@contoso.test"):
        cli("connect", "--user", "CARINE")
    second = home_account(cli.database)
    assert first and second and first != second
    cache = json.loads((tmp_path / "token-cache.json").read_text())
    owners = {entry["home_account_id"] for entry in cache["RefreshToken"].values()}
    assert owners == {second}


def test_connect_with_an_unknown_client_id(cli) -> None:
    cli("admin", "client-id", "00000000-0000-0000-0000-000000000000")
    result = cli("connect", "--user", "CARINE")
    assert result.exit_code == 1 and result.stdout == ""
    assert result.stderr.strip() == "tui-sync: " + texts.microsoft.account_not_accessible(
        texts.microsoft.reason_wrong_client_id("00000000-0000-0000-0000-000000000000"),
        texts.microsoft.connect_fix_cli("CARINE"),
    )


def test_connect_an_unknown_user(cli) -> None:
    result = cli("connect", "--user", "NOBODY")
    assert result.exit_code == 2 and result.stderr.strip() == "tui-sync: " + texts.errors.unknown_user(
        "NOBODY"
    )


def test_ctrl_c_cancels_cleanly(cli, fake: ThreadedFake) -> None:
    """A real process, a real SIGINT: one line, exit 130, nothing stored."""
    env = {**os.environ, "TUI_SYNC_CONFIG": str(cli.config)}
    process = subprocess.Popen(
        [sys.executable, "-m", "tui_sync", "connect", "--user", "CARINE"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        assert process.stdout is not None
        first = process.stdout.readline()
        assert "enter the code" in first
        process.stdout.readline()  # "Waiting for the sign-in…"
        process.send_signal(signal.SIGINT)
        _, err = process.communicate(timeout=15)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 130
    assert err == f"tui-sync: {texts.microsoft.SIGN_IN_CANCELLED}\n"
    assert home_account(cli.database) is None


def test_disconnect_removes_tokens_and_links(cli, fake: ThreadedFake, tmp_path: Path) -> None:
    with AutoApprover(fake):
        cli("connect", "--user", "CARINE")
    asyncio.run(add_link(cli.database, Link("CARINE", "action", "1", "AAMkAAA")))
    cache_file = tmp_path / "token-cache.json"
    secrets = [e["secret"] for e in json.loads(cache_file.read_text())["RefreshToken"].values()]

    result = cli("disconnect", "--user", "CARINE")

    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines() == [
        texts.microsoft.disconnected("CARINE", True, 1),
        texts.microsoft.RESET_WHAT_FOLLOWS,
    ]
    assert home_account(cli.database) is None
    with closing(sqlite3.connect(cli.database)) as db:
        assert db.execute("SELECT COUNT(*) FROM links WHERE user = 'CARINE'").fetchone()[0] == 0
    content = cache_file.read_text()
    assert not any(secret in content for secret in secrets)
    assert stat.S_IMODE(cache_file.stat().st_mode) == 0o600

    again = cli("disconnect", "--user", "CARINE")
    assert again.stdout.splitlines()[0] == texts.microsoft.disconnected("CARINE", False, 0)


def test_connect_without_a_client_id(run_cli, fake: ThreadedFake, monkeypatch: pytest.MonkeyPatch) -> None:
    cli = prepare_cli(run_cli, fake, monkeypatch, client_id="")
    result = cli("connect", "--user", "CARINE")
    assert result.exit_code == 1 and result.stdout == ""
    assert (
        result.stderr
        == "tui-sync: "
        + texts.microsoft.account_not_accessible(
            texts.microsoft.REASON_NO_CLIENT_ID, texts.microsoft.connect_fix_cli("CARINE")
        )
        + "\n"
    )
    assert home_account(cli.database) is None


def test_sync_without_a_client_id_gives_the_command_lines_advice(connected_cli) -> None:
    """The engine says only what is wrong; the command line adds its own way to fix it, in the printed
    errors and in the JSON summary alike."""
    with closing(sqlite3.connect(connected_cli.database)) as db, db:
        db.execute("UPDATE settings SET value = '' WHERE key = 'microsoft.client_id'")  # the ADM cleared it
    line = texts.microsoft.account_not_accessible(
        texts.microsoft.REASON_NO_CLIENT_ID, texts.microsoft.CONNECT_FIX_CLI
    )
    printed = connected_cli("sync", "--user", "CARINE", "--agenda")
    assert printed.exit_code == 1 and printed.stderr.splitlines()[-1] == "tui-sync: " + line
    as_json = connected_cli("sync", "--user", "CARINE", "--agenda", "--json")
    assert as_json.exit_code == 1 and as_json.json()["errors"] == [line]
