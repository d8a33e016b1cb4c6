"""The UIDs items were imported with (iCalendar UID of an action or series, vCard UID of a contact), so
that an import can tell an item it brought before from a new one."""

from __future__ import annotations

from typing import Literal

from tui_sync.store.db import user_code
from tui_sync.store.users import UsersRepo

UidKind = Literal["action", "series", "contact"]

# kind → (table, id column, owner query: the owner's items only, or every contact)
_TABLES = {
    "action": ("action_uids", "action_id", "SELECT owner FROM actions WHERE id = u.action_id"),
    "series": ("series_uids", "series_id", "SELECT owner FROM series WHERE id = u.series_id"),
    "contact": ("contact_uids", "contact_id", None),
}
_CHUNK = 500  # UIDs per IN (...) list, well under SQLite's variable limit


class ImportUidsRepo(UsersRepo):
    """Which CRM item each imported UID became."""

    async def ids_of_uids(self, kind: UidKind, uids: list[str], owner: str | None = None) -> dict[str, int]:
        """The item each of `uids` was imported as (an action or series of `owner`, or a contact)."""
        table, column, owner_query = _TABLES[kind]
        wanted = list(dict.fromkeys(u for u in uids if u))
        found: dict[str, int] = {}
        for i in range(0, len(wanted), _CHUNK):
            chunk = wanted[i : i + _CHUNK]
            sql = f"SELECT u.uid, u.{column} FROM {table} u WHERE u.uid IN ({', '.join('?' for _ in chunk)})"
            params: list[object] = list(chunk)
            if owner_query is not None:
                sql += f" AND ({owner_query}) = ?"
                params.append(user_code(owner or ""))
            for row in await self._rows(sql + f" ORDER BY u.{column}", params):
                found.setdefault(row[0], row[1])
        return found

    async def uids_of_ids(self, kind: UidKind, ids: list[int]) -> dict[int, str]:
        """The UID each of these items was imported with (items made in the CRM have none)."""
        table, column, _ = _TABLES[kind]
        wanted = list(dict.fromkeys(ids))
        found: dict[int, str] = {}
        for i in range(0, len(wanted), _CHUNK):
            chunk = wanted[i : i + _CHUNK]
            rows = await self._rows(
                f"SELECT {column}, uid FROM {table} WHERE {column} IN ({', '.join('?' for _ in chunk)})",
                chunk,
            )
            found.update((row[0], row[1]) for row in rows)
        return found

    async def remember_uid(self, kind: UidKind, item_id: int, uid: str) -> None:
        """Keep `uid` with the item (replacing what it had; a contact's UID leaves any other contact)."""
        table, column, _ = _TABLES[kind]
        async with self.transaction():
            if kind == "contact":
                await self._write(f"DELETE FROM {table} WHERE uid = ? AND {column} <> ?", (uid, item_id))
            await self._write(
                f"INSERT INTO {table} ({column}, uid) VALUES (?, ?) "
                f"ON CONFLICT ({column}) DO UPDATE SET uid = excluded.uid",
                (item_id, uid),
            )
