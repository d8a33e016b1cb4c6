"""What the command line says to a newcomer: the version, where its files are, a user who never
connected, and a hint that is a command which runs as printed."""

from __future__ import annotations

import shlex
from importlib.metadata import version

import pytest

from tests.threaded_fake import AutoApprover, ThreadedFake, prepare_cli
from tui_sync import texts


def test_version(run_cli) -> None:
    result = run_cli("--version")
    assert (result.exit_code, result.stdout, result.stderr) == (0, f"tui-sync {version('tui-sync')}\n", "")
    assert not run_cli.database.exists()


def test_admin_show_says_where_the_database_and_the_token_cache_are(run_cli, tmp_path) -> None:
    shown = run_cli("admin", "show", "--json").json()
    assert shown["database"] == str(run_cli.database)
    assert shown["token_cache"] == str(tmp_path / "token-cache.json")
    assert shown["config_file"] == str(run_cli.config)
    assert shown["log_file"] == str(tmp_path / "tui-sync.log")
    text = run_cli("admin", "show").stdout.splitlines()
    assert f"database: {run_cli.database}" in text
    assert f"token cache: {tmp_path / 'token-cache.json'}" in text


def test_a_user_who_never_connected_is_told_to_connect_not_to_reconnect(run_cli) -> None:
    assert run_cli("user", "add", "CARINE", "Carine", "--calendar", "Calendar").exit_code == 0
    result = run_cli("sync", "--user", "CARINE")
    assert result.exit_code == 1
    assert result.stderr == f"tui-sync: {texts.microsoft.never_connected('CARINE')}\n"
    assert "no longer works" not in result.stderr


def test_the_missing_categories_hint_is_a_command_that_runs_as_printed(
    run_cli, fake: ThreadedFake, monkeypatch: pytest.MonkeyPatch
) -> None:
    cli = prepare_cli(run_cli, fake, monkeypatch)
    with AutoApprover(fake):
        assert cli("connect", "--user", "CARINE").exit_code == 0
    warning = cli("test", "--user", "CARINE").stdout.splitlines()[-1]
    hint = texts.microsoft.create_categories_cli("CARINE")
    assert warning.endswith(hint)
    command = shlex.split(hint.removeprefix("(create them with: ").removesuffix(")"))
    assert command[0] == "tui-sync"
    created = cli(*command[1:])
    assert created.exit_code == 0 and "Outlook categories created" in created.stdout
    assert cli("test", "--user", "CARINE").stdout.splitlines()[-1].endswith(texts.microsoft.CATEGORIES_OK)
