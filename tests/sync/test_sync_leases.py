"""The sync lease around real runs (the fake Microsoft 365, a real SQLite file): the heartbeat keeps a
run longer than its lease holding the user, a run that lost its lease stops, and the Automatic push
takes over a dead holder at once but waits for a live one."""

from __future__ import annotations

import asyncio
import os
import socket
import sqlite3
import subprocess
import sys
from contextlib import closing
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from tests.sync.conftest import NOW, World
from tui_sync.domain.models import Action
from tui_sync.errors import LeaseLost, SyncBusy
from tui_sync.store import LeaseHolder
from tui_sync.sync.events import Decision, DeletionRequest
from tui_sync.sync.service import SyncService

PARIS = ZoneInfo("Europe/Paris")


def at(day: int, hour: int) -> datetime:
    return datetime(2026, 12, day, hour, tzinfo=PARIS)


class HeldConfirmer:
    """Holds the run at its first deletion question until `go` is set: a run as long as a test needs."""

    def __init__(self) -> None:
        self.asked = asyncio.Event()
        self.go = asyncio.Event()

    async def allow_mass_deletion(self, deletions: int, linked: int) -> bool:
        self.asked.set()
        await self.go.wait()
        return True

    async def confirm_deletion(self, request: DeletionRequest) -> Decision:
        self.asked.set()
        await self.go.wait()
        return Decision.KEEP


async def short_leases(world: World, lease: float, heartbeat: float) -> SyncService:
    return SyncService(
        world.store,
        world.settings,
        clock=lambda: NOW,
        authenticator=await world.service.authenticator(),
        lease_seconds=lease,
        heartbeat_seconds=heartbeat,
    )


async def a_run_that_waits_for_a_question(world: World, service: SyncService) -> tuple[Any, HeldConfirmer]:
    """A sync held at a deletion question (the event was deleted in Outlook), as a task."""
    await world.store.add_action(Action("CARINE", "Asked about", at(8, 9), at(8, 10)))
    assert (await world.sync()).errors == []
    [event] = await world.outlook_events()
    assert (await world.outlook.delete(f"/me/events/{event['id']}")).status == 204
    held = HeldConfirmer()
    task = asyncio.create_task(service.run("CARINE", "CARINE", ["agenda"], confirmer=held))
    await asyncio.wait_for(held.asked.wait(), 30)
    return task, held


def lease_rows(world: World) -> list[tuple]:
    with closing(sqlite3.connect(world.settings.database)) as db:
        return db.execute("SELECT holder, host, pid, viewer, expires FROM sync_leases").fetchall()


async def test_the_heartbeat_keeps_a_run_longer_than_its_lease_holding_the_user(world: World) -> None:
    # Renewed every half second, a 3 s lease outlives a stall of the loaded machine of up to 2.5 s.
    service = await short_leases(world, lease=3, heartbeat=0.5)
    task, held = await a_run_that_waits_for_a_question(world, service)
    await asyncio.sleep(3.5)  # longer than the lease: only the heartbeat keeps it
    [(_, host, pid, viewer, expires)] = lease_rows(world)
    assert (host, pid, viewer) == (socket.gethostname(), os.getpid(), "CARINE")
    left = datetime.fromisoformat(expires) - datetime.now(UTC)
    assert timedelta(0) < left <= timedelta(seconds=3)  # renewed lately, never for longer than a lease
    with pytest.raises(SyncBusy, match="since"):  # a second run is refused meanwhile
        await service.run("CARINE", "CARINE", ["agenda"])
    held.go.set()
    summary = await asyncio.wait_for(task, 30)
    assert summary.errors == [] and summary.agenda.microsoft.created == 1  # kept: written back
    assert lease_rows(world) == []


async def test_a_run_whose_lease_was_taken_over_stops(world: World) -> None:
    """If a run stalls for a whole lease and another run takes the user over, the first must not write
    on: its heartbeat finds the lease gone, and the run ends with LeaseLost."""
    service = await short_leases(world, lease=1, heartbeat=0.25)
    task, _ = await a_run_that_waits_for_a_question(world, service)
    with closing(sqlite3.connect(world.settings.database)) as db, db:
        db.execute("UPDATE sync_leases SET holder = 'thief', host = 'another-host', pid = 1")
    with pytest.raises(LeaseLost, match="CARINE"):
        await asyncio.wait_for(task, 10)
    assert [row[0] for row in lease_rows(world)] == ["thief"]  # not given back: it is not ours
    assert await world.outlook_events() == []  # the deletion was not written back by the stopped run


async def test_the_automatic_push_takes_over_a_dead_holder_and_waits_for_a_live_one(world: World) -> None:
    user = await world.store.get_user("CARINE")
    await world.store.update_user(replace(user, prefs=replace(user.prefs, automatic=True)))
    action = await world.store.add_action(Action("CARINE", "Pushed", at(4, 9), at(4, 10)))
    process = subprocess.Popen([sys.executable, "-c", "pass"])
    process.wait()
    dead = LeaseHolder("killed cron job", socket.gethostname(), process.pid, "CARINE")
    await world.store.acquire_lease("CARINE", dead, 3600)
    await world.service.push_action("CARINE", action.id)
    assert [e["subject"] for e in await world.outlook_events()] == ["Pushed"]
    assert lease_rows(world) == []

    live = LeaseHolder.this_process("ADM")  # this very process: alive
    await world.store.acquire_lease("CARINE", live, 3600)
    await world.store.update_action(action.with_changes(title="Not yet"))
    with pytest.raises(SyncBusy, match="by ADM on "):
        await world.service.push_action("CARINE", action.id)
    assert [e["subject"] for e in await world.outlook_events()] == ["Pushed"]
    await world.store.release_lease("CARINE", live)
    await world.service.push_action("CARINE", action.id)
    assert [e["subject"] for e in await world.outlook_events()] == ["Not yet"]
