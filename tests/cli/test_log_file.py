"""A log file that cannot be written: the run goes on, says so once, and no line points at that file
(a user sent to read a log that does not exist loses the one clue they had)."""

from __future__ import annotations

import io
import logging
import os
from pathlib import Path

from tui_sync import cli
from tui_sync.config import load_settings
from tui_sync.logs import log_to_file


def unwritable_log(run_cli) -> Path:
    """A log_file under a regular file: no folder can be made there, whoever runs the test (root too)."""
    blocker = run_cli.config.parent / "not-a-folder"
    blocker.write_text("")
    path = blocker / "tui-sync.log"
    text = run_cli.config.read_text(encoding="utf-8")
    run_cli.config.write_text(
        "\n".join(
            f"log_file = {str(path)!r}" if line.startswith("log_file") else line for line in text.splitlines()
        ),
        encoding="utf-8",
    )
    return path


def test_an_unwritable_log_is_said_once_and_the_command_still_works(run_cli) -> None:
    path = unwritable_log(run_cli)
    result = run_cli("user", "add", "CARINE", "Carine Dupont")
    assert result.exit_code == 0
    assert result.stderr.startswith(f"tui-sync: warning: cannot write the log file {path} (")
    assert result.stderr.endswith("): this run keeps no log\n") and result.stderr.count("\n") == 1
    assert "CARINE" in run_cli("user", "list").stdout


def test_an_unexpected_error_points_at_the_log_only_when_it_was_written(run_cli) -> None:
    settings = load_settings(run_cli.config, os.environ)
    said = io.StringIO()
    cli._unexpected(RuntimeError("boom"), said, settings)
    expected = f"tui-sync: unexpected error (RuntimeError: boom); the details are in {settings.log_path}\n"
    assert said.getvalue() == expected
    assert "RuntimeError: boom" in settings.log_path.read_text(encoding="utf-8")

    path = unwritable_log(run_cli)
    said = io.StringIO()
    cli._unexpected(RuntimeError("boom"), said, load_settings(run_cli.config, os.environ))
    assert str(path) not in said.getvalue() and "details are in" not in said.getvalue()
    assert said.getvalue().count("\n") == 1 and "boom" in said.getvalue()


def test_a_log_that_fails_mid_run_stops_quietly(run_cli, capsys) -> None:
    """/dev/full opens like any file and refuses every write, as a full disk does: no traceback."""
    settings = load_settings(run_cli.config, {**os.environ, "TUI_SYNC_LOG_FILE": "/dev/full"})
    with log_to_file(settings) as written:
        assert written
        for n in range(3):
            logging.getLogger("tui_sync.test").warning("record %d", n)
    assert capsys.readouterr().err == ""
