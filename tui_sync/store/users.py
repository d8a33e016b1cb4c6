"""Users, their visibility rights, and the folder-level Microsoft settings."""

from __future__ import annotations

import sqlite3
from datetime import datetime
from typing import Literal

from tui_sync import texts
from tui_sync.domain.models import DatabaseIdentity, InvalidValue, MicrosoftSettings, Rights, SyncPrefs, User
from tui_sync.domain.refusals import RightsOnSelf
from tui_sync.errors import AlreadyExists, UnknownUser
from tui_sync.store.db import Database, from_row, user_code

_USER_COLUMNS = (
    "code, full_name, is_admin, interface, login_email, calendar_name, months_before, months_after, "
    "automatic, at_startup, series, home_account_id, last_agenda_sync, last_contacts_sync"
)
_CLIENT_ID = "microsoft.client_id"
_TENANT = "microsoft.tenant"
_DATABASE_ID = "database_id"  # written by migration 0003, never changed
_LEGACY_STAMPS = "legacy_stamps"
SyncKind = Literal["agenda", "contacts"]


class UsersRepo(Database):
    """Users (with their sync preferences and connection state), rights, folder settings."""

    # --- folder-level settings -------------------------------------------------------------------

    async def get_microsoft_settings(self) -> MicrosoftSettings:
        rows = await self._rows("SELECT key, value FROM settings WHERE key IN (?, ?)", (_CLIENT_ID, _TENANT))
        values = {row["key"]: row["value"] for row in rows}
        return MicrosoftSettings(client_id=values.get(_CLIENT_ID, ""), tenant=values.get(_TENANT, "common"))

    async def set_microsoft_settings(self, settings: MicrosoftSettings) -> None:
        await self._write_many(
            "INSERT INTO settings (key, value) VALUES (?, ?) "
            "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            [(_CLIENT_ID, settings.client_id), (_TENANT, settings.tenant)],
        )

    async def database_identity(self) -> DatabaseIdentity:
        """This database's id and whether it also owns the bare stamps written before stamps named it."""
        rows = await self._rows(
            "SELECT key, value FROM settings WHERE key IN (?, ?)", (_DATABASE_ID, _LEGACY_STAMPS)
        )
        values = {row["key"]: row["value"] for row in rows}
        return DatabaseIdentity(values[_DATABASE_ID], values.get(_LEGACY_STAMPS) == "1")

    # --- users -----------------------------------------------------------------------------------

    def _user(self, row: sqlite3.Row) -> User:
        prefs = from_row(
            SyncPrefs,
            row,
            automatic=bool(row["automatic"]),
            at_startup=bool(row["at_startup"]),
            series=bool(row["series"]),
        )
        return from_row(
            User,
            row,
            is_admin=bool(row["is_admin"]),
            prefs=prefs,
            last_agenda_sync=self._maybe_time(row["last_agenda_sync"]),
            last_contacts_sync=self._maybe_time(row["last_contacts_sync"]),
        )

    @staticmethod
    def _editable(user: User) -> tuple[object, ...]:
        p = user.prefs
        return (
            user.full_name.strip(),
            int(user.is_admin),
            p.interface,
            p.login_email,
            p.calendar_name,
            p.months_before,
            p.months_after,
            int(p.automatic),
            int(p.at_startup),
            int(p.series),
        )

    async def add_user(self, user: User) -> User:
        """Add a user (prefs included; connection state and last syncs start empty)."""
        async with self.transaction():
            if await self.find_user(user.code) is not None:
                raise AlreadyExists(texts.errors.user_exists(user.code))
            await self._write(
                "INSERT INTO users (code, full_name, is_admin, interface, login_email, calendar_name, "
                "months_before, months_after, automatic, at_startup, series) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (user.code, *self._editable(user)),
            )
            return await self.get_user(user.code)

    async def find_user(self, code: str) -> User | None:
        row = await self._one(f"SELECT {_USER_COLUMNS} FROM users WHERE code = ?", (user_code(code),))
        return None if row is None else self._user(row)

    async def get_user(self, code: str) -> User:
        """The user `code` (case-insensitive); UnknownUser if there is none."""
        user = await self.find_user(code)
        if user is None:
            raise UnknownUser(texts.errors.unknown_user(user_code(code)))
        return user

    async def list_users(self) -> list[User]:
        return [
            self._user(row) for row in await self._rows(f"SELECT {_USER_COLUMNS} FROM users ORDER BY code")
        ]

    async def update_user(self, user: User) -> User:
        """Write the full name, admin flag and sync preferences (not the connection or sync times)."""
        async with self.transaction():
            changed, _ = await self._write(
                "UPDATE users SET full_name = ?, is_admin = ?, interface = ?, login_email = ?, "
                "calendar_name = ?, months_before = ?, months_after = ?, automatic = ?, at_startup = ?, "
                "series = ? WHERE code = ?",
                (*self._editable(user), user.code),
            )
            if not changed:
                raise UnknownUser(texts.errors.unknown_user(user.code))
            return await self.get_user(user.code)

    async def _set_user_column(self, code: str, column: str, value: object) -> None:
        changed, _ = await self._write(
            f"UPDATE users SET {column} = ? WHERE code = ?", (value, user_code(code))
        )
        if not changed:
            raise UnknownUser(texts.errors.unknown_user(user_code(code)))

    async def set_home_account(self, code: str, home_account_id: str | None) -> None:
        """Record (or forget, with None) the Microsoft account MSAL signed in for this user."""
        await self._set_user_column(code, "home_account_id", home_account_id)

    async def set_last_sync(self, code: str, kind: SyncKind, when: datetime) -> None:
        if kind not in ("agenda", "contacts"):
            raise ValueError(f"unknown sync kind {kind!r}")
        await self._set_user_column(code, f"last_{kind}_sync", self._t(when))

    # --- rights ----------------------------------------------------------------------------------

    async def set_rights(self, rights: Rights) -> Rights:
        """Set what `viewer` may do with `target`'s data (both must exist and differ)."""
        viewer, target = user_code(rights.viewer), user_code(rights.target)
        if viewer == target:
            raise InvalidValue("target", RightsOnSelf(viewer))
        async with self.transaction():
            await self.get_user(viewer)
            await self.get_user(target)
            await self._write(
                "INSERT INTO rights (viewer, target, visible, agenda) VALUES (?, ?, ?, ?) "
                "ON CONFLICT (viewer, target) "
                "DO UPDATE SET visible = excluded.visible, agenda = excluded.agenda",
                (viewer, target, int(rights.visible), int(rights.agenda)),
            )
        return Rights(viewer, target, rights.visible, rights.agenda)

    async def rights_of(self, viewer: str) -> list[Rights]:
        """The rights stored for `viewer`, by target."""
        rows = await self._rows(
            "SELECT viewer, target, visible, agenda FROM rights WHERE viewer = ? ORDER BY target",
            (user_code(viewer),),
        )
        return [from_row(Rights, r, visible=bool(r["visible"]), agenda=bool(r["agenda"])) for r in rows]

    async def can_sync_agenda(self, viewer: str, target: str) -> bool:
        """Own agenda always; another user's only with the `agenda` right (being admin is not enough)."""
        if user_code(viewer) == user_code(target):
            return True
        row = await self._one(
            "SELECT agenda FROM rights WHERE viewer = ? AND target = ?",
            (user_code(viewer), user_code(target)),
        )
        return bool(row and row["agenda"])

    async def visible_users(self, viewer: str) -> list[User]:
        """The viewer first, then the users whose data they may see (`visible` or `agenda` right)."""
        rows = await self._rows(
            f"SELECT {_USER_COLUMNS} FROM users WHERE code = ?1 OR code IN "
            "(SELECT target FROM rights WHERE viewer = ?1 AND (visible OR agenda)) "
            "ORDER BY code <> ?1, code",
            (user_code(viewer),),
        )
        return [self._user(row) for row in rows]
