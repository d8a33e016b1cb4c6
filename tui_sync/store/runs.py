"""The sync-run log and the per-user sync lease (one writer per user, ARCHITECTURE "Rules")."""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from tui_sync import messages
from tui_sync.errors import SyncBusy
from tui_sync.store.db import Database, user_code


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
        _, run_id = await self._write(
            "INSERT INTO sync_runs (user, what, started) VALUES (?, ?, ?)",
            (user_code(user), what, self._t(self.now())),
        )
        return run_id  # type: ignore[return-value]

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
        return SyncRun(
            id=row["id"],
            user=row["user"],
            what=row["what"],
            started=self._time(row["started"]),
            finished=self._maybe_time(row["finished"]),
            ok=None if row["ok"] is None else bool(row["ok"]),
            summary=json.loads(row["summary"]),
            errors=json.loads(row["errors"]),
        )

    # --- leases ----------------------------------------------------------------------------------

    async def acquire_lease(self, user: str, holder: str, seconds: float) -> None:
        """Take (or extend, for the same holder) the user's sync lease for `seconds`. A live lease of
        another holder raises SyncBusy; an expired one (its process died) is taken over."""
        now, user = self.now(), user_code(user)
        async with self.transaction():
            row = await self._one("SELECT holder, expires FROM sync_leases WHERE user = ?", (user,))
            if row is not None and row["holder"] != holder:
                expires = self._time(row["expires"])
                if expires > now:
                    until = expires.strftime("%H:%M:%S")
                    raise SyncBusy(messages.sync_busy(user, row["holder"], until))
            await self._write(
                "INSERT INTO sync_leases (user, holder, expires) VALUES (?, ?, ?) "
                "ON CONFLICT (user) DO UPDATE SET holder = excluded.holder, expires = excluded.expires",
                (user, holder, self._t(now + timedelta(seconds=seconds))),
            )

    async def release_lease(self, user: str, holder: str) -> None:
        """Give the lease back (only if `holder` still has it)."""
        await self._write("DELETE FROM sync_leases WHERE user = ? AND holder = ?", (user_code(user), holder))
