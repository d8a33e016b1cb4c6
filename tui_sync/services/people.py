"""The CRM's people: users, their rights on each other, their sync preferences, the ADM's Microsoft
application settings, and who the terminal application opens as.

Every change is validated whole before anything is written (a refused value leaves the database as it
was), and the rules live here, once: the last administrator cannot lose the flag, a user always sees
and syncs their own data, a changed client ID means a new MSAL application.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from tui_sync import texts
from tui_sync.config import Settings
from tui_sync.domain.models import MicrosoftSettings, Rights, SyncPrefs, User
from tui_sync.domain.recurrence import expand
from tui_sync.errors import BadInput
from tui_sync.services.accounts import AccountService, Connection
from tui_sync.store import Store, SyncRun
from tui_sync.sync.service import SyncService


@dataclass(frozen=True)
class LastRun:
    """The outcome of a user's last sync of one kind: when it finished and how many errors it had (as
    its summary listed them: items failing for one reason are one)."""

    finished: datetime | None
    errors: int

    @property
    def ok(self) -> bool:
        return self.finished is not None and self.errors == 0


@dataclass(frozen=True)
class UserStatus:
    """One row of Home: the user, their connection dot and the last run of each kind (None: never)."""

    user: User
    connection: Connection
    agenda_run: LastRun | None
    contacts_run: LastRun | None
    can_sync_agenda: bool
    sync_list_size: int = 0  # contacts to sync (at most 2000)
    actions_in_period: int = 0  # single actions + series occurrences in the user's sync period


def _last_run(runs: list[SyncRun], kind: str) -> LastRun | None:
    for run in runs:  # newest first
        if kind in run.what.split("+"):
            return LastRun(run.finished, texts.sync.error_count(run.errors) if run.finished else 1)
    return None


class PeopleService:
    """Users, rights, preferences and the folder-level Microsoft settings."""

    def __init__(self, store: Store, settings: Settings, sync: SyncService, accounts: AccountService) -> None:
        self.store = store
        self.settings = settings
        self.sync = sync
        self.accounts = accounts

    # --- who opens the application ---------------------------------------------------------------

    async def who_signs_in(self, asked: str | None, login_name: str | None) -> User | None:
        """The CRM user the application opens as: `asked` (--user, else TUI_SYNC_USER / the config
        key `user`; UnknownUser if it is not a CRM user), else the user whose code is the login name
        (case-blind), else None: the application then lets the person pick."""
        if asked and asked.strip():
            return await self.store.get_user(asked)
        if login_name:
            return await self.store.find_user(login_name)
        return None

    # --- users -----------------------------------------------------------------------------------

    async def get_user(self, code: str) -> User:
        return await self.store.get_user(code)

    async def list_users(self) -> list[User]:
        return await self.store.list_users()

    async def add_user(self, code: str, full_name: str, *, is_admin: bool = False, **prefs: Any) -> User:
        """A new CRM user (InvalidValue names the refused field; AlreadyExists if the code is taken).
        The code and name are checked before the preferences, so the first field typed wrong is named."""
        user = User(code=code, full_name=full_name, is_admin=is_admin)
        return await self.store.add_user(replace(user, prefs=SyncPrefs(**prefs)))

    async def update_user(
        self, code: str, *, full_name: str | None = None, is_admin: bool | None = None, **prefs: Any
    ) -> User:
        """Change a user's name, admin flag and/or preferences (the others stay); all or nothing."""
        async with self.store.transaction():
            user = await self.store.get_user(code)
            changes: dict[str, Any] = {}
            if full_name is not None:
                changes["full_name"] = full_name
            if is_admin is not None:
                changes["is_admin"] = is_admin
            updated = replace(user, prefs=replace(user.prefs, **prefs), **changes)
            if user.is_admin and not updated.is_admin:
                others = [u for u in await self.store.list_users() if u.is_admin and u.code != user.code]
                if not others:
                    raise BadInput(texts.errors.last_admin(user.code))
            return await self.store.update_user(updated)

    async def save_prefs(self, code: str, prefs: SyncPrefs) -> User:
        """Preferences → Synchronisation saved whole (a SyncPrefs is valid by construction)."""
        async with self.store.transaction():
            user = await self.store.get_user(code)
            return await self.store.update_user(replace(user, prefs=prefs))

    # --- rights ----------------------------------------------------------------------------------

    async def rights(self) -> dict[tuple[str, str], Rights]:
        """Every stored right, by (viewer, target); a pair not in it has neither right."""
        async with self.store.snapshot():
            users = await self.store.list_users()
            found = {}
            for user in users:
                for right in await self.store.rights_of(user.code):
                    found[(right.viewer, right.target)] = right
        return found

    async def users_with_rights(self) -> list[tuple[User, list[Rights]]]:
        """Every user with the rights they hold on others (by target), read at one instant: the whole
        directory an export or a listing shows."""
        async with self.store.snapshot():
            return [(u, await self.store.rights_of(u.code)) for u in await self.store.list_users()]

    async def set_rights(
        self, viewer: str, target: str, *, visible: bool | None = None, agenda: bool | None = None
    ) -> Rights:
        """Set what `viewer` may do with `target`'s data; a right not given stays as it was."""
        if visible is None and agenda is None:
            raise BadInput(texts.cli.nothing_to_change("--visible, --no-visible, --agenda, --no-agenda"))
        async with self.store.transaction():
            v = await self.store.get_user(viewer)
            t = await self.store.get_user(target)
            current = {r.target: r for r in await self.store.rights_of(v.code)}.get(
                t.code, Rights(v.code, t.code)
            )
            wanted = Rights(
                v.code,
                t.code,
                current.visible if visible is None else visible,
                current.agenda if agenda is None else agenda,
            )
            return await self.store.set_rights(wanted)

    async def visible_users(self, viewer: str) -> list[UserStatus]:
        """Home's rows: the viewer, then the users they may see, each with dot and last runs."""
        async with self.store.snapshot():
            users = await self.store.visible_users(viewer)
            runs = {u.code: await self.store.last_runs(u.code, 20) for u in users}
            syncable = {u.code: await self.store.can_sync_agenda(viewer, u.code) for u in users}
            lists = {u.code: len(await self.store.sync_list(u.code)) for u in users}
            actions = {u.code: await self._actions_in_period(u) for u in users}
        connections = await self.accounts.connections(users)
        return [
            UserStatus(
                user=u,
                connection=connections[u.code],
                agenda_run=_last_run(runs[u.code], "agenda"),
                contacts_run=_last_run(runs[u.code], "contacts"),
                can_sync_agenda=syncable[u.code],
                sync_list_size=lists[u.code],
                actions_in_period=actions[u.code],
            )
            for u in users
        ]

    async def _actions_in_period(self, user: User) -> int:
        """What the next agenda sync of the user weighs: their actions and occurrences in their period."""
        period = self.sync.default_period(user)
        singles = await self.store.single_actions(user.code, period)
        series = await self.store.series_of(user.code)
        return len(singles) + sum(len(expand(s, period)) for s in series)

    # --- the ADM's Microsoft application ---------------------------------------------------------

    async def microsoft_settings(self) -> MicrosoftSettings:
        return await self.store.get_microsoft_settings()

    async def save_microsoft_settings(self, client_id: str, tenant: str | None = None) -> MicrosoftSettings:
        """Validate and store the application (client) ID and tenant; the next sign-in uses them."""
        current = await self.store.get_microsoft_settings()
        wanted = MicrosoftSettings(
            client_id=client_id.strip(), tenant=(tenant or current.tenant).strip() or "common"
        )
        await self.store.set_microsoft_settings(wanted)
        self.sync.forget_authenticator()
        return wanted

    async def require_admin(self, code: str) -> User:
        """The user, if an administrator; BadInput saying why not otherwise."""
        user = await self.store.get_user(code)
        if not user.is_admin:
            raise BadInput(texts.errors.admin_only(user.code))
        return user
