"""Ctrl-C in a terminal during `tui-sync sync`: "interrupted" on a line of its own (not glued to the
progress line or to the `^C` the terminal echoes), exit 130, and the run logged as failed.

The command runs on a real pseudo-terminal, and Ctrl-C is the byte a keyboard sends (0x03): the
terminal driver turns it into SIGINT and echoes `^C`, as for a person at the keyboard."""

from __future__ import annotations

import asyncio
import os
import pty
import select
import sys
import time
from datetime import date, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from tests.threaded_fake import AutoApprover, ThreadedFake, prepare_cli
from tui_sync import texts
from tui_sync.store import Store


def screen(raw: str) -> list[str]:
    """The lines a terminal shows for `raw`: a carriage return goes back to the line's start and
    ESC [ K erases what follows, so each line is what was written after its last carriage return."""
    return [line.split("\r")[-1].replace("\x1b[K", "") for line in raw.replace("\r\n", "\n").split("\n")]


def run_on_a_terminal_and_press_ctrl_c(argv: list[str], env: dict[str, str], after: str) -> tuple[str, int]:
    """Run `argv` on a pseudo-terminal, press Ctrl-C once `after` has been shown; (output, exit code)."""
    pid, fd = pty.fork()
    if pid == 0:  # the child: become the command at once (nothing else runs after a fork)
        os.execve(argv[0], argv, env)
    output, pressed, deadline = b"", False, time.monotonic() + 60
    while time.monotonic() < deadline:
        ready, _, _ = select.select([fd], [], [], 0.1)
        if ready:
            try:
                chunk = os.read(fd, 4096)
            except OSError:  # the child has gone: the terminal is closed
                break
            if not chunk:
                break
            output += chunk
        if not pressed and after.encode() in output:
            time.sleep(0.3)
            os.write(fd, b"\x03")
            pressed = True
    os.close(fd)
    _, status = os.waitpid(pid, 0)
    return output.decode("utf-8", "replace"), os.waitstatus_to_exitcode(status)


def test_ctrl_c_during_a_sync(run_cli, fake: ThreadedFake, monkeypatch: pytest.MonkeyPatch) -> None:
    cli = prepare_cli(run_cli, fake, monkeypatch)
    with AutoApprover(fake):
        assert cli("connect", "--user", "CARINE").exit_code == 0
    for days in range(1, 21):
        start = f"{date.today() + timedelta(days=days)} 09:00"
        added = cli("agenda", "add", "--user", "CARINE", "--title", f"Call {days}", "--start", start)
        assert added.exit_code == 0
    fake.faults(latency_ms=400)  # every Graph request takes 0.4 s: the sync is still running at Ctrl-C
    env = {**os.environ, "TUI_SYNC_CONFIG": str(run_cli.config), "PYTHONPATH": os.pathsep.join(sys.path)}

    output, code = run_on_a_terminal_and_press_ctrl_c(
        [sys.executable, "-m", "tui_sync", "sync", "--user", "CARINE", "--agenda"], env, after="Writing"
    )

    assert code == 130, output
    assert f"tui-sync: {texts.sync.INTERRUPTED}" in screen(output), output
    assert "Traceback" not in output

    async def last_run() -> tuple[bool | None, list[str]]:
        store = await Store.open(Path(run_cli.database), ZoneInfo("Europe/Paris"))
        try:
            run = (await store.last_runs("CARINE", 1))[0]
            return run.ok, run.errors
        finally:
            await store.close()

    assert asyncio.run(last_run()) == (False, [texts.sync.INTERRUPTED])
