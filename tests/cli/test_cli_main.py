"""The command line itself: help, one-line errors with exit 2, config errors, no stray database."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tui_sync import cli, texts


def test_an_unknown_user_for_the_application_is_one_line_exit_2(run_cli, db_dump) -> None:
    assert run_cli("user", "list").exit_code == 0
    before = db_dump(run_cli.database)
    result = run_cli("--user", "NOBODY")
    assert result.exit_code == 2
    assert result.stderr == "tui-sync: " + texts.errors.unknown_user("NOBODY") + "\n"
    assert result.stdout == ""
    assert db_dump(run_cli.database) == before


def test_a_bad_key_in_the_keymap_is_one_line_exit_2(run_cli) -> None:
    run_cli.config.write_text(run_cli.config.read_text() + '[keys]\n"sync.start" = "ctrl+nope"\n')
    result = run_cli("--user", "ADM")
    assert result.exit_code == 2
    assert result.stderr == "tui-sync: " + texts.config.keymap_bad_key("sync.start", "ctrl+nope") + "\n"
    unknown = run_cli.config.read_text().replace('"sync.start"', '"no.such.binding"')
    run_cli.config.write_text(unknown)
    result = run_cli("--user", "ADM")
    assert result.exit_code == 2 and "'no.such.binding' is not a key binding id" in result.stderr


@pytest.mark.parametrize("args", [["--help"], ["user", "--help"], ["user", "set", "--help"]])
def test_help_exits_0_and_creates_no_database(run_cli, args: list[str]) -> None:
    result = run_cli(*args)
    assert result.exit_code == 0 and "usage: tui-sync" in result.stdout
    assert not run_cli.database.exists()


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["bogus"], "invalid choice: 'bogus'"),
        (["user"], "user: the following arguments are required"),
        (["user", "add"], "user add: the following arguments are required: CODE, FULL_NAME"),
        (["user", "set", "ADM", "--months-before", "many"], "invalid int value: 'many'"),
        (["user", "set", "ADM", "--automatic", "--frobnicate"], "unrecognized arguments: --frobnicate"),
        (["user", "set", "ADM", "--interface", "Gmail"], "invalid choice: 'Gmail'"),
        (["contacts", "sync-list", "ADM", "--add", "x"], "invalid int value: 'x'"),
        (["admin", "client-id"], "the following arguments are required: GUID"),
    ],
)
def test_bad_arguments_are_one_line_exit_2_and_touch_nothing(run_cli, db_dump, args, expected) -> None:
    assert run_cli("user", "list").exit_code == 0
    before = db_dump(run_cli.database)
    result = run_cli(*args)
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.count("\n") == 1 and result.stderr.startswith("tui-sync: ")
    assert expected in result.stderr and "--help" in result.stderr
    assert db_dump(run_cli.database) == before


def test_a_bad_config_is_one_line_exit_2_and_no_database(run_cli) -> None:
    run_cli.config.write_text(f'database = "{run_cli.database}"\n[microsoft]\nbatch_size = 50\n')
    result = run_cli("user", "list")
    assert result.exit_code == 2 and result.stdout == ""
    assert result.stderr == (
        f"tui-sync: config file {run_cli.config}: microsoft.batch_size: must be between 1 and 20 (got 50)\n"
    )
    assert not run_cli.database.exists()


def test_a_bad_variable_is_one_line_exit_2(run_cli, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TUI_SYNC_TIMEZONE", "Atlantis/Capital")
    result = run_cli("user", "list")
    assert result.exit_code == 2
    assert result.stderr.startswith("tui-sync: environment variable TUI_SYNC_TIMEZONE: timezone: ")
    assert result.stderr.count("\n") == 1


def test_config_may_follow_the_command_and_names_the_file_used(run_cli, tmp_path: Path) -> None:
    other_db = tmp_path / "other.sqlite3"
    other = tmp_path / "other.toml"
    other.write_text(f'database = "{other_db}"\n')
    result = cli.main(["user", "add", "PAUL", "Paul", "--config", str(other)])
    assert result == 0 and other_db.exists()
    missing = run_cli("user", "list", "--config", str(tmp_path / "missing.toml"))
    assert missing.exit_code == 2 and "missing.toml (given by --config) does not exist" in missing.stderr


def test_a_file_that_is_not_a_database_is_one_line_exit_1(run_cli) -> None:
    run_cli.database.write_text("not a database " * 100)
    result = run_cli("user", "list")
    assert result.exit_code == 1
    assert result.stderr.startswith(f"tui-sync: database {run_cli.database} cannot be used")
    assert result.stderr.count("\n") == 1


def test_python_dash_m_runs_the_same_program(run_cli) -> None:
    env = {**os.environ, "TUI_SYNC_CONFIG": str(run_cli.config)}
    done = subprocess.run(
        [sys.executable, "-m", "tui_sync", "user", "list", "--json"],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert '"code": "ADM"' in done.stdout and run_cli.database.exists()


def test_every_command_module_registers_handlers() -> None:
    """Each leaf command has a handler, so `tui-sync X Y` never falls through to the TUI message."""
    parser = cli.build_parser()
    leaves = []

    def walk(p) -> None:
        sub = [a for a in p._actions if a.__class__.__name__ == "_SubParsersAction"]
        if not sub:
            leaves.append(p)
            return
        for child in sub[0].choices.values():
            walk(child)

    walk(parser)
    assert leaves and all(leaf.get_default("handler") is not None for leaf in leaves)


def test_ci_runs_the_readme_test_command_word_for_word() -> None:
    root = Path(__file__).resolve().parents[2]
    blocks = re.findall(r"```sh\n(.*?)\n```", (root / "README.md").read_text(encoding="utf-8"), re.S)
    install_and_start, install_and_test = blocks[:2]
    assert "\n" not in install_and_start and install_and_start.endswith("tui-sync demo")
    assert (
        "\n" not in install_and_test and "pytest" in install_and_test and "lint-imports" in install_and_test
    )
    ci = (root / ".ci" / "run").read_text(encoding="utf-8").splitlines()
    assert ci[0] == "#!/usr/bin/env bash" and "set -euo pipefail" in ci
    assert ci[-1] == install_and_test


def test_fake_graph_gets_its_arguments_and_opens_no_database(run_cli) -> None:
    helped = run_cli("fake-graph", "--help")
    assert (
        helped.exit_code == 0
        and "usage: tui-sync fake-graph" in helped.stdout
        and "--latency-ms" in helped.stdout
    )
    refused = run_cli("fake-graph", "--port", "x")
    assert refused.exit_code == 2 and refused.stderr.count("\n") == 1 and "--port" in refused.stderr
    assert not run_cli.database.exists()


def test_fake_graph_serves_and_prints_its_ready_line(run_cli) -> None:
    env = {**os.environ, "TUI_SYNC_CONFIG": str(run_cli.config)}
    command = [sys.executable, "-m", "tui_sync", "fake-graph", "--port", "0", "--latency-ms", "1"]
    with subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env
    ) as fake:
        try:
            ready = json.loads(fake.stdout.readline())  # type: ignore[union-attr]
        finally:
            fake.terminate()
        assert fake.wait(timeout=30) == 0
    assert ready["graph_url"].startswith("https://127.0.0.1:") and ready["graph_url"].endswith("/v1.0")
    assert not run_cli.database.exists()
