"""A `ca_file` in the config that is missing or is not a PEM certificate: `sync`, `test` and `connect`
say so in one line naming the file, and the sync's run log records the run as failed with that line."""

from __future__ import annotations

import asyncio
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from tests.threaded_fake import AutoApprover, ThreadedFake, prepare_cli
from tui_sync import texts
from tui_sync.store import Store, SyncRun


def last_run(database: Path) -> SyncRun:
    async def read() -> SyncRun:
        store = await Store.open(database, ZoneInfo("Europe/Paris"))
        try:
            return (await store.last_runs("CARINE", 1))[0]
        finally:
            await store.close()

    return asyncio.run(read())


@pytest.mark.parametrize(
    ("content", "problem"),
    [(None, texts.config.CA_FILE_MISSING), ("not a certificate\n", texts.config.CA_FILE_NOT_PEM)],
)
def test_an_unusable_ca_file_is_one_line_and_a_failed_run(
    run_cli, fake: ThreadedFake, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, content, problem
) -> None:
    cli = prepare_cli(run_cli, fake, monkeypatch)
    with AutoApprover(fake):
        assert cli("connect", "--user", "CARINE").exit_code == 0
    bad = tmp_path / "company-ca.pem"
    if content is not None:
        bad.write_text(content)
    monkeypatch.setenv("TUI_SYNC_MICROSOFT__CA_FILE", str(bad))
    expected = texts.config.ca_file_unusable(bad, problem)

    synced = cli("sync", "--user", "CARINE")
    assert synced.exit_code == 1
    assert synced.stderr == f"tui-sync: {expected}\n"
    run = last_run(run_cli.database)
    assert run.ok is False and run.errors == [expected]

    tested = cli("test", "--user", "CARINE")
    assert tested.exit_code == 1 and tested.stderr == ""
    assert expected in tested.stdout and "Traceback" not in tested.stdout

    connected = cli("connect", "--user", "CARINE")
    assert (connected.exit_code, connected.stderr) == (1, f"tui-sync: {expected}\n")
