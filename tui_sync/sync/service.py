"""SyncService: the one entry point through which the TUI and the CLI sync a user.

It checks the rights, takes the user's lease (one writer per user), signs in silently, opens one Graph
session for the run, runs the agenda and/or contacts engines, and records the run and the last-sync
times. Failures become lines of `Summary.errors` rather than exceptions, so a caller always gets a
Summary to show; only bad requests (unknown user, no right) raise.
"""

from __future__ import annotations

import asyncio
import os
import socket
import time
import uuid
from collections.abc import Callable, Collection
from datetime import UTC, datetime

from tui_sync import messages
from tui_sync.config import Settings
from tui_sync.domain.models import User
from tui_sync.domain.period import Period
from tui_sync.errors import UserError
from tui_sync.microsoft.auth import Authenticator
from tui_sync.microsoft.calendar import OutlookCalendar
from tui_sync.microsoft.errors import NotConnected
from tui_sync.microsoft.graph import GraphClient
from tui_sync.store import Store
from tui_sync.sync.agenda import AgendaSync
from tui_sync.sync.contacts import ContactsSync
from tui_sync.sync.deletions import DeletionGate
from tui_sync.sync.events import (
    AnswerAll,
    Confirmer,
    Progress,
    ProgressCallback,
    Summary,
    What,
    ignore_progress,
)
from tui_sync.sync.push import push_action

LEASE_SECONDS = 30 * 60  # longer than any sync; a crashed run's lease is taken over after it


def utc_now() -> datetime:
    return datetime.now(UTC)


def _lease_holder() -> str:
    """Who holds a lease: this machine, process and run (shown when another run finds it taken)."""
    return f"{socket.gethostname()} pid {os.getpid()} run {uuid.uuid4().hex[:8]}"


class NotAllowed(UserError):
    """The signed-in CRM user may not sync this target."""


class SyncService:
    """Built once by the App or the CLI, with everything injected; `run` as often as needed."""

    def __init__(
        self,
        store: Store,
        settings: Settings,
        *,
        clock: Callable[[], datetime] = utc_now,
        authenticator: Authenticator | None = None,
        fix: str = messages.CONNECT_FIX_TUI,
    ) -> None:
        self.store = store
        self.settings = settings
        self.clock = clock
        self.fix = fix
        self._authenticator = authenticator

    async def authenticator(self) -> Authenticator:
        """The MSAL client for the ADM's application settings (built once, shared by every run)."""
        if self._authenticator is None:
            app = await self.store.get_microsoft_settings()
            self._authenticator = Authenticator.from_settings(self.settings.microsoft, app, self.fix)
        return self._authenticator

    def forget_authenticator(self) -> None:
        """The ADM changed the application (client ID, tenant): the next run builds a new MSAL client."""
        self._authenticator = None

    def default_period(self, user: User) -> Period:
        today = self.clock().astimezone(self.settings.tz).date()
        return Period.around(today, user.prefs.months_before, user.prefs.months_after, self.settings.tz)

    async def check_rights(self, viewer: str, target: str, what: Collection[What]) -> User:
        user = await self.store.get_user(target)
        me = await self.store.get_user(viewer)
        if "agenda" in what and not await self.store.can_sync_agenda(me.code, user.code):
            raise NotAllowed(messages.not_allowed_agenda(me.code, user.code))
        if "contacts" in what and me.code != user.code and not me.is_admin:
            raise NotAllowed(messages.not_allowed_contacts(me.code, user.code))
        return user

    async def graph_for(self, user: User) -> GraphClient:
        """A Graph client for the user's mailbox; NotConnected if they never signed in."""
        if not user.home_account_id:
            raise NotConnected(user.code)
        auth = await self.authenticator()
        provider = auth.token_provider(user.home_account_id, user.code)
        return GraphClient.from_settings(self.settings.microsoft, provider, user.code)

    async def run(
        self,
        viewer: str,
        target: str,
        what: Collection[What],
        *,
        period: Period | None = None,
        confirmer: Confirmer | None = None,
        on_event: ProgressCallback = ignore_progress,
        two_way: bool = True,
    ) -> Summary:
        """Sync `target`'s agenda and/or contacts on behalf of `viewer`. `two_way=False` is the
        "At startup" direction: Microsoft 365 → CRM only."""
        user = await self.check_rights(viewer, target, what)
        started = time.monotonic()
        summary = Summary(user.code)
        holder = _lease_holder()
        try:  # the lease is given back whatever happens, cancellation included (release is a no-op
            await self.store.acquire_lease(user.code, holder, LEASE_SECONDS)  # if it was never taken)
            run_id = await self.store.start_run(user.code, "+".join(sorted(what)))
            graph: GraphClient | None = None
            try:
                on_event(Progress(next(iter(what)), "connecting"))
                graph = await self.graph_for(user)
                async with graph:
                    if "agenda" in what:
                        await self._agenda(user, graph, period, confirmer, on_event, two_way, summary)
                    if "contacts" in what and two_way:
                        await self._contacts(user, graph, on_event, summary)
            except UserError as error:
                summary.errors.append(error.message)
            finally:
                summary.requests = graph.requests if graph else 0
                summary.seconds = time.monotonic() - started
                await self.store.finish_run(run_id, summary.ok, summary.to_json(), summary.errors)
        finally:  # shielded: a cancelled run still gives its lease back
            await asyncio.shield(self.store.release_lease(user.code, holder))
        return summary

    async def _agenda(
        self,
        user: User,
        graph: GraphClient,
        period: Period | None,
        confirmer: Confirmer | None,
        on_event: ProgressCallback,
        two_way: bool,
        summary: Summary,
    ) -> None:
        if not user.prefs.calendar_name.strip():
            raise UserError(messages.CALENDAR_NAME_NOT_SET)
        engine = AgendaSync(
            store=self.store,
            calendar=OutlookCalendar(graph),
            user=user,
            period=period or self.default_period(user),
            policy=self.settings.sync.conflict,
            deletions=DeletionGate(confirmer or AnswerAll(yes=False)),
            on_event=on_event,
            tz=self.settings.tz,
            now=self.clock(),
            two_way=two_way,
        )
        summary.agenda = engine.summary
        await engine.run()
        summary.errors.extend(engine.errors)
        if engine.summary.left_out:
            summary.notices.append(messages.left_out(engine.summary.left_out))
        if not engine.errors:
            await self.store.set_last_sync(user.code, "agenda", self.clock())

    async def _contacts(
        self, user: User, graph: GraphClient, on_event: ProgressCallback, summary: Summary
    ) -> None:
        engine = ContactsSync(
            store=self.store,
            graph=graph,
            user=user,
            policy=self.settings.sync.conflict,
            on_event=on_event,
            now=self.clock(),
        )
        summary.contacts = await engine.run()
        summary.errors.extend(engine.errors)
        if summary.contacts.left_out:
            summary.notices.append(messages.contacts_left_out(summary.contacts.left_out))
        if not engine.errors:
            await self.store.set_last_sync(user.code, "contacts", self.clock())

    async def push_action(self, user_code: str, action_id: int) -> None:
        """Automatic mode: push one (non-series) action's add / change / delete to Microsoft 365 now."""
        user = await self.store.get_user(user_code)
        if not (user.prefs.automatic and user.prefs.calendar_name and user.home_account_id):
            return
        holder = _lease_holder()
        await self.store.acquire_lease(user.code, holder, LEASE_SECONDS)
        try:
            async with await self.graph_for(user) as graph:
                await push_action(self.store, OutlookCalendar(graph), user, action_id, self.settings.tz)
        finally:
            await asyncio.shield(self.store.release_lease(user.code, holder))
