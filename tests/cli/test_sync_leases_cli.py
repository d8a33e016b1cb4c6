"""`tui-sync sync` never waits for a dead process: a lease left by a killed run on this machine is
taken over at once (a real SIGKILL mid-sync included), an expired lease of another machine too; a live
holder still refuses in one line, saying who, where and since when (exit 1)."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from contextlib import closing
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import requests

from tests.threaded_fake import ThreadedFake
from tui_sync import texts
from tui_sync.domain.models import Action
from tui_sync.store import Store
from tui_sync.store.db import encode_time

PARIS = ZoneInfo("Europe/Paris")
PERIOD = ("--from", "2024-01-01", "--to", "2024-12-31")


@pytest.fixture
def cli(connected_cli):
    return connected_cli


def dead_pid() -> int:
    """The pid of a process of this machine that has ended and been reaped."""
    process = subprocess.Popen([sys.executable, "-c", "pass"])
    process.wait()
    return process.pid


def write_lease(
    database: Path, host: str, pid: int, *, expires_in: float = 3600, viewer: str = "ADM"
) -> None:
    """A lease as another run left it (by default one that would hold for an hour)."""
    now = datetime.now(UTC)
    with closing(sqlite3.connect(database)) as db, db:
        db.execute(
            "INSERT INTO sync_leases (user, holder, expires, host, pid, viewer, since) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            (
                "CARINE",
                f"{host} pid {pid} run 0badc0de",
                encode_time(now + timedelta(seconds=expires_in)),
                host,
                pid,
                viewer,
                encode_time(now - timedelta(minutes=2)),
            ),
        )


def lease(database: Path) -> tuple | None:
    with closing(sqlite3.connect(database)) as db:
        return db.execute("SELECT host, pid, since FROM sync_leases WHERE user = 'CARINE'").fetchone()


def timed_sync(cli, *args: str):  # type: ignore[no-untyped-def]
    started = time.monotonic()
    result = cli("sync", "--user", "CARINE", "--agenda", *PERIOD, *args)
    return result, time.monotonic() - started


def test_a_lease_of_a_dead_process_here_is_taken_over_at_once(cli) -> None:
    pid = dead_pid()
    write_lease(cli.database, socket.gethostname(), pid)
    result, seconds = timed_sync(cli)
    assert result.exit_code == 0, result.stderr
    assert "Sync of CARINE completed" in result.stdout and seconds < 20
    assert lease(cli.database) is None
    log = (cli.database.parent / "tui-sync.log").read_text(encoding="utf-8")
    assert (
        texts.sync.lease_taken_over("CARINE", socket.gethostname(), pid) in log
    )  # said where it is looked for


def test_an_expired_lease_of_another_machine_is_taken_over(cli) -> None:
    write_lease(cli.database, "another-host", 4242, expires_in=-1)
    result, _ = timed_sync(cli)
    assert result.exit_code == 0, result.stderr
    assert lease(cli.database) is None


@pytest.mark.parametrize("where", ["this machine", "another machine"])
def test_a_live_holder_refuses_in_one_line_with_who_where_and_since_when(cli, db_dump, where: str) -> None:
    """This test's own process is alive; a process of another machine cannot be seen, so its lease
    (still running: renewed) is respected even though no such pid exists here."""
    host, pid = (
        (socket.gethostname(), os.getpid()) if where == "this machine" else ("another-host", dead_pid())
    )
    write_lease(cli.database, host, pid)
    before = db_dump(cli.database)
    result, _ = timed_sync(cli)
    assert result.exit_code == 1
    since = (datetime.fromisoformat(lease(cli.database)[2]).astimezone(PARIS)).strftime("%H:%M:%S")  # type: ignore[index]
    expected = texts.sync.sync_busy("CARINE", texts.sync.lease_holder("ADM", host, pid), since)
    assert result.stderr == f"tui-sync: {expected}\n"
    assert f"by ADM on {host}, pid {pid}" in expected and f"since {since}" in expected
    assert db_dump(cli.database) == before  # nothing written, not even a run


async def seed(database: Path, n: int) -> None:
    store = await Store.open(database, PARIS)
    try:
        for i in range(n):
            start = datetime(2024, 3, 4 + i % 20, 8 + i % 9, tzinfo=PARIS)
            await store.add_action(Action("CARINE", f"CRM {i:02}", start, start + timedelta(minutes=45)))
    finally:
        await store.close()


def add_outlook_events(fake: ThreadedFake, n: int) -> None:
    with requests.Session() as http:
        http.verify, http.trust_env = fake.ca_file, False
        http.headers["Authorization"] = f"Bearer {fake.token()}"
        for i in range(n):
            body = {
                "subject": f"Outlook {i}",
                "start": {"dateTime": f"2024-04-{10 + i:02}T09:00:00", "timeZone": "Europe/Paris"},
                "end": {"dateTime": f"2024-04-{10 + i:02}T10:00:00", "timeZone": "Europe/Paris"},
            }
            assert http.post(f"{fake.graph_url}/me/events", json=body, timeout=10).status_code == 201


def both_sides(database: Path, fake: ThreadedFake) -> tuple[Counter, Counter, list[tuple[str, str]]]:
    with closing(sqlite3.connect(database)) as db:
        titles = Counter(t for (t,) in db.execute("SELECT title FROM actions WHERE owner = 'CARINE'"))
        links = db.execute("SELECT crm_key, remote_id FROM links WHERE user = 'CARINE'").fetchall()
    [mailbox] = fake.state()["mailboxes"]
    subjects = Counter(e["fields"]["subject"] for e in mailbox["events"])
    return titles, subjects, links


def writes(fake: ThreadedFake) -> int:
    """How many event creations Outlook has answered so far (in `$batch` requests)."""
    return sum(1 for r in fake.requests() for sub in r["sub_requests"] if sub["method"] == "POST")


def test_a_sync_killed_with_sigkill_does_not_lock_its_user_out(cli, fake: ThreadedFake) -> None:
    """The bug as a user met it: a sync killed mid-run (dropped SSH session, killed cron job) and the
    next one was refused for 30 minutes. Now it starts at once, and the two sides agree after it."""
    asyncio.run(seed(cli.database, 100))
    add_outlook_events(fake, 5)
    # Every Graph request takes a while, and the 100 creations go in five serial batches of 20 over
    # four lanes: when the first batch is answered, the fifth has hardly begun, however loaded the
    # machine is (four batches of equal length would all end at about the same moment).
    fake.faults(latency_ms=150)
    fake.clear_requests()
    env = {**os.environ, "TUI_SYNC_CONFIG": str(cli.config)}
    command = [sys.executable, "-m", "tui_sync", "sync", "--user", "CARINE", "--agenda", *PERIOD]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    try:
        deadline = time.monotonic() + 30
        while not (lease(cli.database) and writes(fake)):  # holding CARINE, writing to Outlook
            assert process.poll() is None, process.communicate()
            assert time.monotonic() < deadline
            time.sleep(0.05)
        process.send_signal(signal.SIGKILL)
        process.communicate(timeout=10)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert process.returncode == -signal.SIGKILL
    assert lease(cli.database)[:2] == (socket.gethostname(), process.pid)  # type: ignore[index]  # left behind
    _, subjects, _ = both_sides(cli.database, fake)
    assert 5 < sum(subjects.values()) < 105  # killed half-way through writing to Outlook

    fake.faults(latency_ms=0)
    result, seconds = timed_sync(cli, "--json")
    assert result.exit_code == 0, result.stderr
    assert result.json()["errors"] == [] and seconds < 30
    titles, subjects, links = both_sides(cli.database, fake)
    expected = Counter([f"CRM {i:02}" for i in range(100)] + [f"Outlook {i}" for i in range(5)])
    assert titles == expected and subjects == expected  # both sides agree, nothing twice
    assert len({remote for _, remote in links}) == len(links) == 105
    again = cli("sync", "--user", "CARINE", "--agenda", *PERIOD, "--json").json()["agenda"]
    assert again["microsoft"] == {"created": 0, "updated": 0, "deleted": 0}
    assert again["crm"] == {"created": 0, "updated": 0, "deleted": 0}
