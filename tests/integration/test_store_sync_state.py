"""Sync state in the store: links, the run log and the per-user lease."""

from __future__ import annotations

import asyncio
import os
import socket
import sqlite3
import subprocess
import sys
from contextlib import closing
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from tui_sync import texts
from tui_sync.domain.models import User
from tui_sync.errors import SyncBusy, UserError
from tui_sync.store import LeaseHolder, Link, Store
from tui_sync.store.runs import process_gone


@pytest.fixture
async def timed(tmp_path: Path, tz: ZoneInfo, clock):  # type: ignore[no-untyped-def]
    store = await Store.open(tmp_path / "crm.sqlite3", tz, now=clock)
    await store.add_user(User("CARINE", "Carine"))
    yield store
    await store.close()


def link(key: str, remote: str, kind: str = "event", **changes: object) -> Link:
    base = Link("CARINE", kind, key, remote, f"crm-{key}", f"ck-{remote}", f"r-{remote}", {"n": 1})
    return Link(**{**base.__dict__, **changes})  # type: ignore[arg-type]


async def test_links_are_saved_read_by_kind_and_replaced(timed: Store) -> None:
    await timed.save_links([link("1", "AAA"), link("2", "BBB"), link("1", "CCC", kind="contact")])
    events = await timed.links("carine", "event")
    assert events == {"1": link("1", "AAA"), "2": link("2", "BBB")}
    await timed.save_links([link("1", "AAA", remote_change_key="ck-new", extra={"occurrences": ["x", "y"]})])
    updated = (await timed.links("CARINE", "event"))["1"]
    assert (updated.remote_change_key, updated.extra) == ("ck-new", {"occurrences": ["x", "y"]})
    assert await timed.links("CARINE", "contact") == {"1": link("1", "CCC", kind="contact")}
    assert await timed.links("ADM", "event") == {}


async def test_a_link_is_found_by_its_remote_id(timed: Store) -> None:
    await timed.save_links([link("1", "AAA"), link("2", "BBB")])
    assert await timed.link_by_remote("CARINE", "event", "BBB") == link("2", "BBB")
    assert await timed.link_by_remote("CARINE", "contact", "BBB") is None


async def test_links_are_deleted_by_key_and_cleared_by_kind(timed: Store) -> None:
    await timed.save_links([link("1", "A"), link("2", "B"), link("3", "C"), link("9", "Z", kind="contact")])
    await timed.delete_links("CARINE", "event", ["1", "3", "404"])
    assert list(await timed.links("CARINE", "event")) == ["2"]
    assert await timed.clear_links("CARINE", ["event", "series"]) == 1
    assert await timed.links("CARINE", "event") == {}
    assert list(await timed.links("CARINE", "contact")) == ["9"]
    assert await timed.clear_links("CARINE", []) == 0


async def test_a_failed_batch_of_links_is_not_half_written(timed: Store) -> None:
    with pytest.raises(RuntimeError):
        async with timed.transaction():
            await timed.save_links([link("1", "A")])
            raise RuntimeError("network dropped before the next batch")
    assert await timed.links("CARINE", "event") == {}


async def test_runs_are_logged_newest_first(timed: Store, clock, tz: ZoneInfo) -> None:
    first = await timed.start_run("CARINE", "agenda")
    clock.now += timedelta(seconds=30)
    await timed.finish_run(first, True, {"crm": {"created": 2}}, [])
    clock.now += timedelta(minutes=1)
    second = await timed.start_run("carine", "contacts")
    runs = await timed.last_runs("CARINE", 5)
    assert [r.id for r in runs] == [second, first]
    running, done = runs
    assert (running.what, running.finished, running.ok, running.summary, running.errors) == (
        "contacts",
        None,
        None,
        {},
        [],
    )
    assert done.started == datetime(2024, 3, 1, 12, 0, tzinfo=UTC) and done.started.tzinfo == tz
    assert done.finished == datetime(2024, 3, 1, 12, 0, 30, tzinfo=UTC)
    assert (done.ok, done.summary, done.errors) == (True, {"crm": {"created": 2}}, [])
    await timed.finish_run(second, False, {}, ["No calendar named Travail was found on the server"])
    assert (await timed.last_runs("CARINE", 1))[0].errors == [
        "No calendar named Travail was found on the server"
    ]
    assert len(await timed.last_runs("CARINE", 1)) == 1


async def test_a_lease_is_one_writer_per_user(timed: Store, clock) -> None:
    await timed.acquire_lease("CARINE", "tty1", 60)
    await timed.acquire_lease("CARINE", "tty1", 60)  # the holder may extend it
    with pytest.raises(SyncBusy, match="tty1") as caught:
        await timed.acquire_lease("carine", "tty2", 60)
    assert isinstance(caught.value, UserError) and "\n" not in str(caught.value)
    await timed.acquire_lease("ADM", "tty2", 60)  # another user is another lease
    await timed.release_lease("CARINE", "tty2")  # not the holder: nothing happens
    with pytest.raises(SyncBusy):
        await timed.acquire_lease("CARINE", "tty2", 60)
    await timed.release_lease("CARINE", "tty1")
    await timed.acquire_lease("CARINE", "tty2", 60)


async def test_an_expired_lease_is_taken_over(timed: Store, clock) -> None:
    await timed.acquire_lease("CARINE", "crashed", 60)
    clock.now += timedelta(seconds=59)
    with pytest.raises(SyncBusy):
        await timed.acquire_lease("CARINE", "tty2", 60)
    clock.now += timedelta(seconds=2)
    await timed.acquire_lease("CARINE", "tty2", 60)
    await timed.release_lease("CARINE", "crashed")  # the old holder coming back cannot release it
    with pytest.raises(SyncBusy, match="tty2"):
        await timed.acquire_lease("CARINE", "tty3", 60)


async def test_the_lease_holds_across_processes(timed: Store, tmp_path: Path, tz: ZoneInfo, clock) -> None:
    other = await Store.open(tmp_path / "crm.sqlite3", tz, now=clock)
    try:
        await timed.acquire_lease("CARINE", "first", 600)
        with pytest.raises(SyncBusy):
            await other.acquire_lease("CARINE", "second", 600)
    finally:
        await other.close()


# --- leases that cannot strand a user: who holds them, and a dead holder on this machine ------------


def dead_pid() -> int:
    """The pid of a process of this machine that has ended and been reaped."""
    process = subprocess.Popen([sys.executable, "-c", "pass"])
    process.wait()
    return process.pid


def lease_row(path: Path) -> tuple | None:
    with closing(sqlite3.connect(path)) as db:
        return db.execute("SELECT holder, host, pid, viewer, since, expires FROM sync_leases").fetchone()


async def test_a_dead_process_of_this_machine_is_taken_over_at_once(timed: Store, clock) -> None:
    crashed = LeaseHolder("crashed run", socket.gethostname(), dead_pid(), "ADM")
    await timed.acquire_lease("CARINE", crashed, 60)
    assert process_gone(crashed.pid)  # type: ignore[arg-type]
    await timed.acquire_lease("CARINE", LeaseHolder.this_process("CARINE"), 60)  # no clock moved
    holder, host, pid, viewer, *_ = lease_row(timed.path)  # type: ignore[misc]
    assert (host, pid, viewer) == (socket.gethostname(), os.getpid(), "CARINE") and "run" in holder
    assert not await timed.renew_lease("CARINE", crashed, 60)  # the dead run could not renew it


async def test_a_killed_but_unreaped_process_is_gone_too(timed: Store) -> None:
    zombie = subprocess.Popen([sys.executable, "-c", "pass"])
    try:
        for _ in range(200):  # it ends, but nobody waits for it: a zombie
            if process_gone(zombie.pid):
                break
            await asyncio.sleep(0.02)
        assert process_gone(zombie.pid)
        await timed.acquire_lease("CARINE", LeaseHolder("zombie", socket.gethostname(), zombie.pid), 60)
        await timed.acquire_lease("CARINE", "next", 60)
    finally:
        zombie.wait()


async def test_a_live_holder_refuses_saying_who_where_and_since_when(timed: Store, clock) -> None:
    here = LeaseHolder.this_process("ADM")
    await timed.acquire_lease("CARINE", here, 60)
    clock.now += timedelta(seconds=40)
    await timed.acquire_lease("CARINE", here, 60)  # extending keeps "since"
    with pytest.raises(SyncBusy) as caught:
        await timed.acquire_lease("CARINE", LeaseHolder.this_process("CARINE"), 60)
    holder = texts.sync.lease_holder("ADM", socket.gethostname(), os.getpid())
    assert str(caught.value) == texts.sync.sync_busy("CARINE", holder, "13:00:00")  # 12:00 UTC in Paris
    assert "by ADM on " in str(caught.value) and "since 13:00:00" in str(caught.value)


async def test_a_holder_on_another_machine_holds_until_its_lease_expires(timed: Store, clock) -> None:
    """From here nobody can see whether a process of another machine is alive: its lease must expire
    (its heartbeat stopped) before it is taken over, even with a pid that does not exist here."""
    elsewhere = LeaseHolder("far run", "another-host", dead_pid(), "ADM")
    await timed.acquire_lease("CARINE", elsewhere, 60)
    clock.now += timedelta(seconds=59)
    with pytest.raises(SyncBusy, match="by ADM on another-host, pid"):
        await timed.acquire_lease("CARINE", "here", 60)
    assert await timed.renew_lease("CARINE", elsewhere, 60)  # its heartbeat: 60 s more
    clock.now += timedelta(seconds=59)
    with pytest.raises(SyncBusy):
        await timed.acquire_lease("CARINE", "here", 60)
    clock.now += timedelta(seconds=2)  # no heartbeat for over a lease: it died
    await timed.acquire_lease("CARINE", "here", 60)
    assert not await timed.renew_lease("CARINE", elsewhere, 60)  # and it cannot get it back
    await timed.release_lease("CARINE", elsewhere)
    assert lease_row(timed.path)[0] == "here"  # type: ignore[index]


async def test_a_lease_written_before_the_holder_columns_still_refuses(timed: Store, clock) -> None:
    with closing(sqlite3.connect(timed.path)) as db, db:
        db.execute(
            "INSERT INTO sync_leases (user, holder, expires) VALUES ('CARINE', 'old tui-sync', ?)",
            ((clock.now + timedelta(seconds=60)).strftime("%Y-%m-%dT%H:%M:%S.%fZ"),),
        )
    with pytest.raises(SyncBusy) as caught:
        await timed.acquire_lease("CARINE", "new", 60)
    assert str(caught.value) == texts.sync.sync_busy("CARINE", "old tui-sync", texts.sync.LEASE_SINCE_UNKNOWN)
