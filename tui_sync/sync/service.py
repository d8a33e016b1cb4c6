"""SyncService: the one entry point through which the TUI and the CLI sync a user.

It checks the rights, takes the user's lease (one writer per user), connects to the user's mailbox for
the run (by default Microsoft 365: signed in silently, one Graph session; `connect` is where another
provider would plug in, see `tui_sync.sync.ports`), runs the agenda and/or contacts engines on its
calendar and address book, and records the run and the last-sync times. Failures become lines of
`Summary.errors` rather than exceptions, so a caller always gets a Summary to show; only bad requests
(unknown user, no right) raise.

The engines and the Graph client are imported where a run starts, not at the top: every command builds
this service, and those that only read the CRM (`user list`, `agenda list`, …) start faster without them.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator, Callable, Collection
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from tui_sync import texts
from tui_sync.config import Settings
from tui_sync.domain.models import User
from tui_sync.domain.period import Period
from tui_sync.errors import LeaseLost, NotFound, StoreError, UserError
from tui_sync.microsoft.auth import Authenticator
from tui_sync.microsoft.errors import AccountNotAccessible, NeverConnected
from tui_sync.store import LeaseHolder, Store
from tui_sync.store.db import user_code as canonical_code
from tui_sync.sync.events import (
    AnswerAll,
    Confirmer,
    Progress,
    ProgressCallback,
    Summary,
    What,
    ignore_progress,
)

if TYPE_CHECKING:
    from tui_sync.microsoft.graph import GraphClient
    from tui_sync.sync.ports import AddressBook, Calendar, Connect, Remote

# A running sync renews its lease every HEARTBEAT_SECONDS, so a run that died (on another machine: on
# this one a dead process is taken over at once) frees its user within LEASE_SECONDS. Four beats per
# lease: a beat delayed by a busy database (up to 5 s) or a slow machine does not lose the lease.
LEASE_SECONDS = 60.0
HEARTBEAT_SECONDS = 15.0

logger = logging.getLogger(__name__)


def utc_now() -> datetime:
    return datetime.now(UTC)


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
        lease_seconds: float = LEASE_SECONDS,
        heartbeat_seconds: float = HEARTBEAT_SECONDS,
        connect: Connect | None = None,
    ) -> None:
        if not 0 < heartbeat_seconds < lease_seconds:
            raise ValueError("the heartbeat must renew the lease before it expires")
        self.lease_seconds = lease_seconds
        self.heartbeat_seconds = heartbeat_seconds
        self.store = store
        self.settings = settings
        self.clock = clock
        self._authenticator = authenticator
        self._connect: Connect = connect or self._microsoft  # where the users' calendars and contacts are

    async def authenticator(self) -> Authenticator:
        """The MSAL client for the ADM's application settings (built once, shared by every run)."""
        if self._authenticator is None:
            app = await self.store.get_microsoft_settings()
            self._authenticator = Authenticator.from_settings(self.settings.microsoft, app)
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
            raise NotAllowed(texts.errors.not_allowed_agenda(me.code, user.code))
        if "contacts" in what and me.code != user.code and not me.is_admin:
            raise NotAllowed(texts.errors.not_allowed_contacts(me.code, user.code))
        return user

    async def graph_for(self, user: User) -> GraphClient:
        """A Graph client for the user's mailbox; NeverConnected if they never signed in."""
        if not user.home_account_id:
            raise NeverConnected(user.code)
        from tui_sync.microsoft.graph import GraphClient

        auth = await self.authenticator()
        provider = auth.token_provider(user.home_account_id, user.code)
        return GraphClient.from_settings(self.settings.microsoft, provider, user.code)

    @asynccontextmanager
    async def _microsoft(self, user: User) -> AsyncIterator[Remote]:
        """The user's Microsoft 365 mailbox over one Graph session, signed in silently."""
        from tui_sync.microsoft.mailbox import OutlookMailbox

        async with await self.graph_for(user) as graph:
            yield OutlookMailbox(graph)

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
        "At startup" direction: remote → CRM only."""
        user = await self.check_rights(viewer, target, what)
        started = time.monotonic()
        summary = Summary(user.code)
        async with self.lease(user.code, canonical_code(viewer)):
            run_id = await self.store.start_run(user.code, "+".join(sorted(what)))
            remote: Remote | None = None
            try:
                on_event(Progress(next(iter(what)), "connecting"))
                async with self._connect(user) as remote:
                    if "agenda" in what:
                        await self._agenda(
                            user, remote.calendar, period, confirmer, on_event, two_way, summary
                        )
                    if "contacts" in what and two_way:
                        await self._contacts(user, remote.address_book, on_event, summary)
            except UserError as error:
                summary.errors.append(error.message)
                if isinstance(error, AccountNotAccessible):
                    summary.account_problem = error.message
            except BaseException as error:  # Ctrl-C, or a failure nobody foresaw: logged as failed too
                interrupted = isinstance(error, asyncio.CancelledError | KeyboardInterrupt)
                summary.errors.append(texts.sync.INTERRUPTED if interrupted else repr(error))
                raise
            finally:
                summary.requests = remote.requests if remote else 0
                summary.seconds = time.monotonic() - started
                await self.store.finish_run(run_id, summary.ok, summary.to_json(), summary.errors)
        return summary

    @asynccontextmanager
    async def lease(self, user_code: str, viewer: str) -> AsyncIterator[None]:
        """Hold `user_code`'s sync lease for the block (one writer per user): SyncBusy if a live run
        holds it. A heartbeat renews it while the block runs; if a renewal finds it taken over (this
        run stalled for a whole lease), the block is cancelled and LeaseLost raised, so two runs never
        write at once. The lease is given back whatever happens, cancellation included."""
        holder = LeaseHolder.this_process(viewer)
        owner = asyncio.current_task()
        assert owner is not None  # always, in a coroutine
        lost: list[bool] = []
        try:  # (release is a no-op if the lease was never taken)
            await self.store.acquire_lease(user_code, holder, self.lease_seconds)
            beat = asyncio.create_task(self._heartbeat(user_code, holder, owner, lost))
            try:
                try:
                    yield
                finally:  # the heartbeat ends before the lease is given back
                    beat.cancel()
                    await asyncio.wait({beat})  # not `await beat`: that would swallow our own cancellation
            except asyncio.CancelledError:
                if lost and owner.uncancel() == 0:  # cancelled by the heartbeat alone
                    raise LeaseLost(texts.sync.lease_lost(user_code)) from None
                raise
        finally:  # shielded: a cancelled run still gives its lease back
            await asyncio.shield(self.store.release_lease(user_code, holder))

    async def _heartbeat(
        self, user_code: str, holder: LeaseHolder, owner: asyncio.Task[object], lost: list[bool]
    ) -> None:
        """Renew the lease every `heartbeat_seconds`; cancel `owner` if another run has taken it."""
        while True:
            await asyncio.sleep(self.heartbeat_seconds)
            try:
                held = await self.store.renew_lease(user_code, holder, self.lease_seconds)
            except StoreError as error:  # the database was busy: the next beat tries again
                logger.warning("%s", error.message)
                continue
            except Exception:  # any other failure must not end the heartbeat either (the lease would
                logger.exception("renewing the sync lease of %s", user_code)  # lapse mid-run): retry
                continue
            if not held:
                lost.append(True)
                owner.cancel()
                return

    async def _agenda(
        self,
        user: User,
        calendar: Calendar,
        period: Period | None,
        confirmer: Confirmer | None,
        on_event: ProgressCallback,
        two_way: bool,
        summary: Summary,
    ) -> None:
        if not user.prefs.calendar_name.strip():
            raise UserError(texts.microsoft.CALENDAR_NAME_NOT_SET)
        from tui_sync.sync.agenda import AgendaSync
        from tui_sync.sync.deletions import DeletionGate
        from tui_sync.sync.plan import as_policy

        engine = AgendaSync(
            store=self.store,
            calendar=calendar,
            user=user,
            period=period or self.default_period(user),
            policy=as_policy(self.settings.sync.conflict),
            deletions=DeletionGate(confirmer or AnswerAll(yes=False)),
            on_event=on_event,
            tz=self.settings.tz,
            now=self.clock(),
            two_way=two_way,
        )
        summary.agenda = engine.summary
        await engine.run()
        summary.errors.extend(engine.errors)
        summary.notices.extend(engine.notices)
        if engine.summary.left_out:
            summary.notices.append(texts.sync.left_out(engine.summary.left_out))
        if not engine.errors:
            await self.store.set_last_sync(user.code, "agenda", self.clock())

    async def _contacts(
        self, user: User, address_book: AddressBook, on_event: ProgressCallback, summary: Summary
    ) -> None:
        from tui_sync.sync.contacts import ContactsSync
        from tui_sync.sync.plan import as_policy

        engine = ContactsSync(
            store=self.store,
            address_book=address_book,
            user=user,
            policy=as_policy(self.settings.sync.conflict),
            on_event=on_event,
            now=self.clock(),
        )
        summary.contacts = await engine.run()
        summary.errors.extend(engine.errors)
        if summary.contacts.left_out:
            summary.notices.append(texts.sync.contacts_left_out(summary.contacts.left_out))
        if not engine.errors:
            await self.store.set_last_sync(user.code, "contacts", self.clock())

    async def _check_own_action(self, user: User, action_id: int) -> None:
        """A push sends one action of `user`'s to `user`'s own mailbox: NotAllowed for anyone else's
        (whoever asks, the id alone must not move an action into another calendar)."""
        try:
            action = await self.store.get_action(action_id)
        except NotFound:
            return  # deleted: the push can only remove what `user`'s own links point to
        if action.owner != user.code:
            raise NotAllowed(texts.errors.push_not_owned(user.code, action_id, action.owner))

    async def push_action(self, user_code: str, action_id: int) -> None:
        """Automatic mode: push one (non-series) action's add / change / delete to the remote now."""
        user = await self.store.get_user(user_code)
        await self._check_own_action(user, action_id)
        if not (user.prefs.automatic and user.prefs.calendar_name and user.home_account_id):
            return
        from tui_sync.sync.push import push_action

        async with self.lease(user.code, user.code), self._connect(user) as remote:
            await push_action(self.store, remote.calendar, user, action_id, self.settings.tz)
