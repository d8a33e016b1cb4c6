"""The sync-run log and the per-user sync lease (one writer per user).

A lease is short and renewed by its run's heartbeat, so a crashed run frees its user within one lease;
and a run on the same machine whose process is gone is taken over at once."""

from __future__ import annotations

import json
import logging
import os
import socket
import sqlite3
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from tui_sync import texts
from tui_sync.errors import SyncBusy
from tui_sync.store.db import Database, from_row, user_code

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class SyncRun:
    """One sync, as logged: `finished`/`ok` stay None while it runs (or if it died)."""

    id: int
    user: str
    what: str
    started: datetime
    finished: datetime | None = None
    ok: bool | None = None
    summary: dict[str, Any] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)


class RunsRepo(Database):
    """Sync runs and leases."""

    async def start_run(self, user: str, what: str) -> int:
        """Log the start of a sync of `what` (e.g. "agenda", "contacts") for `user`; returns the run id."""
        return await self._insert(
            "INSERT INTO sync_runs (user, what, started) VALUES (?, ?, ?)",
            (user_code(user), what, self._t(self.now())),
        )

    async def finish_run(self, run_id: int, ok: bool, summary: dict[str, Any], errors: list[str]) -> None:
        await self._write(
            "UPDATE sync_runs SET finished = ?, ok = ?, summary = ?, errors = ? WHERE id = ?",
            (self._t(self.now()), int(ok), json.dumps(summary), json.dumps(errors), run_id),
        )

    async def last_runs(self, user: str, n: int = 10) -> list[SyncRun]:
        """The user's `n` most recent runs, newest first."""
        rows = await self._rows(
            "SELECT id, user, what, started, finished, ok, summary, errors FROM sync_runs "
            "WHERE user = ? ORDER BY started DESC, id DESC LIMIT ?",
            (user_code(user), n),
        )
        return [self._run(row) for row in rows]

    def _run(self, row: sqlite3.Row) -> SyncRun:
        return from_row(
            SyncRun,
            row,
            started=self._time(row["started"]),
            finished=self._maybe_time(row["finished"]),
            ok=None if row["ok"] is None else bool(row["ok"]),
            summary=json.loads(row["summary"]),
            errors=json.loads(row["errors"]),
        )

    # --- leases ----------------------------------------------------------------------------------

    async def acquire_lease(self, user: str, holder: str | LeaseHolder, seconds: float) -> None:
        """Take (or extend, for the same holder) the user's sync lease for `seconds`.

        A live lease of another holder raises SyncBusy, saying who holds it, where and since when. It
        is taken over when it has expired (its holder stopped renewing it), and at once when its holder
        ran on this machine and that process is gone (killed, crashed): a user never waits for a dead
        process. A plain string `holder` names a holder without a machine or process (never taken over
        before it expires)."""
        holder = LeaseHolder.named(holder)
        now, user = self.now(), user_code(user)
        async with self.transaction():
            row = await self._one(
                "SELECT holder, expires, host, pid, viewer, since FROM sync_leases WHERE user = ?", (user,)
            )
            since = now
            if row is not None and row["holder"] == holder.name:
                since = self._maybe_time(row["since"]) or now
            elif row is not None and self._time(row["expires"]) > now:
                if not _gone(row["host"], row["pid"]):
                    raise SyncBusy(texts.sync.sync_busy(user, _describe(row), self._since_text(row["since"])))
                logger.warning(texts.sync.lease_taken_over(user, row["host"], row["pid"]))
            await self._write(
                "INSERT INTO sync_leases (user, holder, expires, host, pid, viewer, since) "
                "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (user) DO UPDATE SET holder = excluded.holder, "
                "expires = excluded.expires, host = excluded.host, pid = excluded.pid, "
                "viewer = excluded.viewer, since = excluded.since",
                (
                    user,
                    holder.name,
                    self._t(now + timedelta(seconds=seconds)),
                    holder.host,
                    holder.pid,
                    holder.viewer,
                    self._t(since),
                ),
            )

    async def renew_lease(self, user: str, holder: str | LeaseHolder, seconds: float) -> bool:
        """Push the holder's lease `seconds` from now (the heartbeat of a running sync). False when the
        holder no longer has it (another run took it over after it expired): that run must stop."""
        changed, _ = await self._write(
            "UPDATE sync_leases SET expires = ? WHERE user = ? AND holder = ?",
            (
                self._t(self.now() + timedelta(seconds=seconds)),
                user_code(user),
                LeaseHolder.named(holder).name,
            ),
        )
        return changed == 1

    async def release_lease(self, user: str, holder: str | LeaseHolder) -> None:
        """Give the lease back (only if `holder` still has it)."""
        await self._write(
            "DELETE FROM sync_leases WHERE user = ? AND holder = ?",
            (user_code(user), LeaseHolder.named(holder).name),
        )

    def _since_text(self, since: str | None) -> str:
        return self._time(since).strftime("%H:%M:%S") if since else texts.sync.LEASE_SINCE_UNKNOWN


@dataclass(frozen=True)
class LeaseHolder:
    """Who holds a sync lease: `name` identifies one run (only it may renew or release the lease);
    `host` and `pid` let a later run on the same machine see that the process is gone; `viewer` is the
    CRM user who started the run."""

    name: str
    host: str | None = None
    pid: int | None = None
    viewer: str | None = None

    @classmethod
    def this_process(cls, viewer: str | None = None) -> LeaseHolder:
        """A new run of this process on this machine (a fresh name, so two runs of one process differ)."""
        host, pid = socket.gethostname(), os.getpid()
        return cls(f"{host} pid {pid} run {uuid.uuid4().hex[:8]}", host, pid, viewer)

    @classmethod
    def named(cls, holder: str | LeaseHolder) -> LeaseHolder:
        return holder if isinstance(holder, LeaseHolder) else cls(holder)


def process_gone(pid: int) -> bool:
    """Whether process `pid` of this machine has ended: it does not exist, or it is a zombie (killed,
    not yet reaped by its parent). A process of another user still exists (PermissionError)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    except OSError:  # a pid the system cannot even name (e.g. out of range)
        return True
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:  # no /proc (not Linux), or it ended meanwhile: exists as far as we know
        return False
    return stat.rsplit(")", 1)[-1].split()[:1] == ["Z"]


def _gone(host: str | None, pid: int | None) -> bool:
    """A holder can be seen to be gone only from its own machine; elsewhere its lease must expire."""
    return host is not None and pid is not None and host == socket.gethostname() and process_gone(pid)


def _describe(row: sqlite3.Row) -> str:
    """Who holds a lease, for the busy message: the CRM user, the machine and the process."""
    if row["host"] is None or row["pid"] is None:
        return str(row["holder"])
    return texts.sync.lease_holder(row["viewer"], row["host"], row["pid"])
