"""The sync state: which Microsoft item each CRM item is linked to, and both versions at the last sync.

A link is keyed by (user, kind, crm_key): `kind` names the item kind ("event", "series", "contact", …,
the engine's choice) and `crm_key` is the engine's text key for the CRM item (an id, or a series id plus
an original start). `extra` holds what the engine needs besides (JSON object).
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from tui_sync.store.db import Database, from_row, user_code

_COLUMNS = "user, kind, crm_key, remote_id, crm_hash, remote_change_key, remote_hash, extra"
_SYNCED_CALENDAR = "synced_calendar:"  # + user code, in the settings table: the calendar the links point into


@dataclass(frozen=True)
class Link:
    """One CRM item ⇄ Microsoft item pair as of the last successful sync."""

    user: str
    kind: str
    crm_key: str
    remote_id: str
    crm_hash: str = ""
    remote_change_key: str = ""
    remote_hash: str = ""
    extra: dict[str, Any] = field(default_factory=dict)


def _link(row: sqlite3.Row) -> Link:
    return from_row(Link, row, extra=json.loads(row["extra"]))


class LinksRepo(Database):
    """Read and write links; the engine writes a batch's links in one call (one transaction)."""

    async def links(self, user: str, kind: str) -> dict[str, Link]:
        """The user's links of one kind, keyed by crm_key."""
        rows = await self._rows(
            f"SELECT {_COLUMNS} FROM links WHERE user = ? AND kind = ?", (user_code(user), kind)
        )
        return {row["crm_key"]: _link(row) for row in rows}

    async def link_by_remote(self, user: str, kind: str, remote_id: str) -> Link | None:
        """The link to this Microsoft item, if any (e.g. to match a delta change back to the CRM)."""
        row = await self._one(
            f"SELECT {_COLUMNS} FROM links WHERE user = ? AND kind = ? AND remote_id = ?",
            (user_code(user), kind, remote_id),
        )
        return None if row is None else _link(row)

    async def save_links(self, links: Iterable[Link]) -> None:
        """Insert or replace these links, all in one transaction."""
        await self._write_many(
            f"INSERT OR REPLACE INTO links ({_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [
                (
                    user_code(link.user),
                    link.kind,
                    link.crm_key,
                    link.remote_id,
                    link.crm_hash,
                    link.remote_change_key,
                    link.remote_hash,
                    json.dumps(link.extra, sort_keys=True),
                )
                for link in links
            ],
        )

    async def delete_links(self, user: str, kind: str, crm_keys: Iterable[str]) -> None:
        await self._write_many(
            "DELETE FROM links WHERE user = ? AND kind = ? AND crm_key = ?",
            [(user_code(user), kind, key) for key in crm_keys],
        )

    async def clear_links(self, user: str, kinds: Iterable[str]) -> int:
        """Forget every link of these kinds for the user (Reset / Reset calendar); how many were removed."""
        kinds = list(kinds)
        if not kinds:
            return 0
        changed, _ = await self._write(
            f"DELETE FROM links WHERE user = ? AND kind IN ({', '.join('?' for _ in kinds)})",
            (user_code(user), *kinds),
        )
        return changed

    async def switch_calendar(self, user: str, calendar_id: str, kinds: Iterable[str]) -> int:
        """Record that `user`'s agenda links point into `calendar_id`. When they pointed into another
        calendar (the one of that name was deleted and made again, or the preference names another
        one), those links are forgotten in the same transaction — their items are not in the synced
        calendar, so they must not read as deleted — and how many is returned."""
        key = f"{_SYNCED_CALENDAR}{user_code(user)}"
        row = await self._one("SELECT value FROM settings WHERE key = ?", (key,))
        if row is not None and row["value"] == calendar_id:
            return 0  # the usual case: nothing to write
        async with self.transaction():
            forgotten = await self.clear_links(user, kinds) if row is not None else 0
            await self._write(
                "INSERT OR REPLACE INTO settings (key, value) VALUES (?, ?)", (key, calendar_id)
            )
        return forgotten
