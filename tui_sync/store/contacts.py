"""Contacts and each user's ordered contacts-to-sync list (at most 2000)."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable

from tui_sync import texts
from tui_sync.domain.models import MAX_CONTACTS_TO_SYNC, Contact
from tui_sync.errors import LimitReached, NotFound
from tui_sync.store.db import fold, from_row
from tui_sync.store.users import UsersRepo

_FIELDS = (
    "civility, last_name, first_name, company, job_title, email, phone, mobile, address1, address2, "
    "address3, postal_code, city, country, photo, note"
)
_COLUMNS = f"id, {_FIELDS}, created_at, updated_at"
_ORDER = "last_name COLLATE NOCASE, first_name COLLATE NOCASE, company COLLATE NOCASE, id"
# What the filter box searches in: names, company, e-mail, phones, city.
_SEARCHED = (
    "tui_fold(last_name || ' ' || first_name || ' ' || company || ' ' || email || ' ' || phone || ' ' "
    "|| mobile || ' ' || city)"
)
_CHUNK = 500  # ids per IN (...) list, well under SQLite's variable limit


def _values(contact: Contact) -> tuple[object, ...]:
    lines = (*contact.address_lines, "", "", "")[:3]
    return (
        contact.civility,
        contact.last_name,
        contact.first_name,
        contact.company,
        contact.job_title,
        contact.email,
        contact.phone,
        contact.mobile,
        *lines,
        contact.postal_code,
        contact.city,
        contact.country,
        contact.photo,
        contact.note,
    )


def _like_pattern(text: str) -> str:
    escaped = fold(text.strip()).replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


class ContactsRepo(UsersRepo):
    """The CRM's contacts and the per-user lists of contacts to sync."""

    def _contact(self, row: sqlite3.Row) -> Contact:
        return from_row(
            Contact,
            row,
            address_lines=(row["address1"], row["address2"], row["address3"]),
            created_at=self._time(row["created_at"]),
            updated_at=self._time(row["updated_at"]),
        )

    async def add_contact(self, contact: Contact) -> Contact:
        """Add a contact; returns it with its id and timestamps."""
        now = self._t(self.now())
        async with self.transaction():
            new_id = await self._insert(
                f"INSERT INTO contacts ({_FIELDS}, created_at, updated_at) "
                f"VALUES ({', '.join('?' for _ in range(16))}, ?, ?)",
                (*_values(contact), now, now),
            )
            return await self.get_contact(new_id)

    async def get_contact(self, contact_id: int) -> Contact:
        row = await self._one(f"SELECT {_COLUMNS} FROM contacts WHERE id = ?", (contact_id,))
        if row is None:
            raise NotFound(texts.errors.not_found("contact", contact_id))
        return self._contact(row)

    async def update_contact(self, contact: Contact) -> Contact:
        """Write every field of the contact with this id; bumps updated_at."""
        assignments = ", ".join(f"{c.strip()} = ?" for c in _FIELDS.split(","))
        async with self.transaction():
            changed, _ = await self._write(
                f"UPDATE contacts SET {assignments}, updated_at = ? WHERE id = ?",
                (*_values(contact), self._t(self.now()), contact.id),
            )
            if not changed:
                raise NotFound(texts.errors.not_found("contact", contact.id))
            return await self.get_contact(contact.stored_id)

    async def delete_contact(self, contact_id: int) -> bool:
        """Delete a contact (it leaves every sync list too); False if it was already gone."""
        changed, _ = await self._write("DELETE FROM contacts WHERE id = ?", (contact_id,))
        return changed > 0

    async def list_contacts(self, text_filter: str = "") -> list[Contact]:
        """All contacts by name, or those whose name, company, e-mail, phones or city contain
        `text_filter` (case and accents ignored)."""
        if not text_filter.strip():
            rows = await self._rows(f"SELECT {_COLUMNS} FROM contacts ORDER BY {_ORDER}")
        else:
            rows = await self._rows(
                f"SELECT {_COLUMNS} FROM contacts WHERE {_SEARCHED} LIKE ? ESCAPE '\\' ORDER BY {_ORDER}",
                (_like_pattern(text_filter),),
            )
        return [self._contact(row) for row in rows]

    async def contacts_by_ids(self, ids: Iterable[int]) -> list[Contact]:
        """The contacts with these ids, in the order given; ids that do not exist are left out."""
        wanted = list(dict.fromkeys(ids))
        found: dict[int, Contact] = {}
        async with self.snapshot():
            for i in range(0, len(wanted), _CHUNK):
                chunk = wanted[i : i + _CHUNK]
                rows = await self._rows(
                    f"SELECT {_COLUMNS} FROM contacts WHERE id IN ({', '.join('?' for _ in chunk)})", chunk
                )
                found.update((row["id"], self._contact(row)) for row in rows)
        return [found[i] for i in wanted if i in found]

    # --- contacts to sync ------------------------------------------------------------------------

    async def sync_list(self, code: str) -> list[int]:
        """The ids of the user's contacts to sync, in list order."""
        user = await self.get_user(code)
        rows = await self._rows(
            "SELECT contact_id FROM contact_sync_list WHERE user = ? ORDER BY position", (user.code,)
        )
        return [row["contact_id"] for row in rows]

    async def add_to_sync_list(self, code: str, ids: Iterable[int]) -> None:
        """Append contacts to the user's list (those already in it stay where they are). Every id must
        exist; past 2000 contacts the whole addition is refused with LimitReached and nothing changes."""
        async with self.transaction():
            user = await self.get_user(code)
            present = set(await self.sync_list(user.code))
            new = [i for i in dict.fromkeys(ids) if i not in present]
            existing = {c.id for c in await self.contacts_by_ids(new)}
            missing = [i for i in new if i not in existing]
            if missing:
                raise NotFound(texts.errors.not_found("contact", missing[0]))
            if len(present) + len(new) > MAX_CONTACTS_TO_SYNC:
                raise LimitReached(
                    texts.errors.sync_list_limit(user.code, len(present), len(new), MAX_CONTACTS_TO_SYNC)
                )
            row = await self._one("SELECT MAX(position) FROM contact_sync_list WHERE user = ?", (user.code,))
            start = (row[0] if row and row[0] is not None else -1) + 1
            await self._write_many(
                "INSERT INTO contact_sync_list (user, position, contact_id) VALUES (?, ?, ?)",
                [(user.code, start + n, contact_id) for n, contact_id in enumerate(new)],
            )

    async def remove_from_sync_list(self, code: str, ids: Iterable[int]) -> None:
        """Take contacts off the user's list (ids not in it are ignored); the order of the rest stays."""
        async with self.transaction():
            user = await self.get_user(code)
            await self._write_many(
                "DELETE FROM contact_sync_list WHERE user = ? AND contact_id = ?",
                [(user.code, contact_id) for contact_id in dict.fromkeys(ids)],
            )
