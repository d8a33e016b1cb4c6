"""Shared fixtures: the CRM time zone, a real store in tmp_path, and the CLI run in-process."""

from __future__ import annotations

import contextlib
import io
import json
import os
import sqlite3
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import pytest_textual_snapshot as pts

from tests.threaded_fake import AutoApprover, ThreadedFake, prepare_cli
from tui_sync import cli
from tui_sync.store import Store

# Snapshots live in snapshots/<test module>/<test>.svg: pytest-textual-snapshot 1.1.0 can only be
# pointed there by patching its extension's dirname..
SNAPS = Path(__file__).resolve().parents[1] / "snapshots"
pts.SVGImageExtension.dirname = classmethod(lambda cls, *, test_location: str(SNAPS / test_location.basename))


@pytest.fixture
def tz() -> ZoneInfo:
    return ZoneInfo("Europe/Paris")


class Clock:
    """A UTC clock moved by hand (`clock.now += timedelta(...)`), for the store's `now=` and the CLI's."""

    def __init__(self) -> None:
        self.now = datetime(2024, 3, 1, 12, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
async def store(tmp_path: Path, tz: ZoneInfo) -> AsyncIterator[Store]:
    """A real, freshly created SQLite store (ADM and the default action types in it)."""
    opened = await Store.open(tmp_path / "crm.sqlite3", tz)
    yield opened
    await opened.close()


@dataclass
class Result:
    exit_code: int
    stdout: str
    stderr: str

    def json(self) -> Any:
        return json.loads(self.stdout)


class CliRunner:
    """Runs `tui_sync.cli.main` in-process on a config that keeps everything in tmp_path."""

    def __init__(self, tmp_path: Path) -> None:
        self.database = tmp_path / "crm.sqlite3"
        self.config = tmp_path / "config.toml"
        quoted = {name: json.dumps(str(tmp_path / name)) for name in ("tui-sync.log", "token-cache.json")}
        self.config.write_text(
            f"database = {json.dumps(str(self.database))}\n"
            'timezone = "Europe/Paris"\n'
            f"log_file = {quoted['tui-sync.log']}\n"
            "[microsoft]\n"
            f"token_cache = {quoted['token-cache.json']}\n",
            encoding="utf-8",
        )

    def __call__(self, *args: str, now: Callable[[], datetime] | None = None) -> Result:
        out, err = io.StringIO(), io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = cli.main(["--config", str(self.config), *args], now=now)
        return Result(code, out.getvalue(), err.getvalue())


@pytest.fixture
def run_cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    """`run_cli("user", "list", "--json") -> Result(exit_code, stdout, stderr)`; `run_cli.database` is
    the SQLite file, `run_cli.config` the config file. TUI_SYNC_* variables of the caller are removed
    and the user dirs point into tmp_path, so nothing outside it is read or written."""
    for name in [n for n in os.environ if n.upper().startswith("TUI_SYNC_")]:
        monkeypatch.delenv(name)
    for xdg in ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_STATE_HOME", "XDG_CACHE_HOME"):
        monkeypatch.setenv(xdg, str(tmp_path / xdg.lower()))
    return CliRunner(tmp_path)


@pytest.fixture
def db_dump() -> Callable[[Path], list[str]]:
    """The full SQL dump of a database file, to assert that a refused command changed nothing."""

    def dump(path: Path) -> list[str]:
        with contextlib.closing(sqlite3.connect(path)) as db:
            return list(db.iterdump())

    return dump


@pytest.fixture(scope="session")
def fake_session() -> Iterator[ThreadedFake]:
    """One fake Microsoft 365 for the whole run, in its own thread (see tests/threaded_fake.py)."""
    fake = ThreadedFake()
    try:
        yield fake
    finally:
        fake.close()


@pytest.fixture
def fake(fake_session: ThreadedFake) -> ThreadedFake:
    """The session's fake, emptied (mailboxes, tokens, faults, request log) for this test."""
    fake_session.reset()
    return fake_session


@pytest.fixture
def connected_cli(run_cli: CliRunner, fake: ThreadedFake, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    """`run_cli` pointed at the fake with CARINE added and connected (the device code approved)."""
    prepare_cli(run_cli, fake, monkeypatch)
    with AutoApprover(fake):
        assert run_cli("connect", "--user", "CARINE").exit_code == 0
    return run_cli


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The slow runs (randomized histories, minutes each) get an hour instead of the default timeout."""
    for item in items:
        if item.get_closest_marker("slow") is not None:
            item.add_marker(pytest.mark.timeout(3600))
