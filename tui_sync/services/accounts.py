"""The Microsoft 365 account of a CRM user: Connect, Reset, Reset calendar, Test, and the connection dot.

Connect runs the device-code sign-in and remembers which Microsoft account signed in; when the user had
another account before, that account's tokens leave this machine (one account per CRM user) unless
another CRM user shares it. Reset forgets the tokens and every sync link; Reset calendar only the agenda
links. Neither loses data: items tui-sync created in Microsoft 365 carry the CRM id, so the next sync
finds them again instead of duplicating them.

The Test checks (and the Graph client they bring) are imported when a Test runs: the commands that only
read the CRM build this service too, and start faster without them.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from tui_sync import texts
from tui_sync.config import Settings
from tui_sync.domain.models import User
from tui_sync.microsoft.auth import Authenticator, OnDeviceCode, SignedIn
from tui_sync.store import Store
from tui_sync.sync.kinds import AGENDA_KINDS, ALL_KINDS
from tui_sync.sync.service import SyncService

if TYPE_CHECKING:
    from tui_sync.microsoft.checks import CheckResult


@dataclass(frozen=True)
class Connection:
    """A user's connection dot: `working` when the token cache holds a refresh token for the account
    the CRM remembers (not merely an account id in the CRM), and the e-mail it belongs to."""

    working: bool
    username: str | None = None

    @property
    def dot(self) -> str:
        return "●" if self.working else "○"


@dataclass(frozen=True)
class ResetDone:
    """What a Reset did: whether tokens left this machine, and how many sync links were forgotten."""

    user: str
    tokens_removed: bool
    links_cleared: int

    @property
    def message(self) -> str:
        return texts.microsoft.disconnected(self.user, self.tokens_removed, self.links_cleared)


class AccountService:
    """Connect / Reset / Reset calendar / Test for one CRM user at a time."""

    def __init__(self, store: Store, settings: Settings, sync: SyncService) -> None:
        self.store = store
        self.settings = settings
        self.sync = sync

    async def authenticator(self) -> Authenticator:
        return await self.sync.authenticator()

    async def _shared(self, user: User, home_account_id: str | None) -> bool:
        """Whether another CRM user is connected with this Microsoft account (its tokens stay then)."""
        if not home_account_id:
            return False
        return any(
            u.home_account_id == home_account_id for u in await self.store.list_users() if u.code != user.code
        )

    async def connect(self, code: str, on_code: OnDeviceCode) -> SignedIn:
        """Device-code sign-in for `code`: `on_code` gets the URL and code to show; returns who signed
        in (with a warning when it is not the user's login e-mail). Raises SignInCancelled when
        `cancel_connect` is called or the task is cancelled, and the sign-in errors otherwise."""
        user = await self.store.get_user(code)
        auth = await self.authenticator()
        signed = await auth.sign_in(on_code, user_code=user.code, expected_email=user.prefs.login_email)
        previous = user.home_account_id
        await self.store.set_home_account(user.code, signed.home_account_id)
        if previous and previous != signed.home_account_id and not await self._shared(user, previous):
            auth.reset(previous)
        return signed

    async def cancel_connect(self) -> None:
        (await self.authenticator()).cancel_sign_in()

    async def reset(self, code: str) -> ResetDone:
        """Reset: the account's tokens leave this machine, every sync link of the user is forgotten."""
        user = await self.store.get_user(code)
        auth = await self.authenticator()
        removed = False
        if user.home_account_id and not await self._shared(user, user.home_account_id):
            removed = auth.reset(user.home_account_id)
        async with self.store.transaction():
            cleared = await self.store.clear_links(user.code, ALL_KINDS)
            await self.store.set_home_account(user.code, None)
        return ResetDone(user.code, removed, cleared)

    async def reset_calendar(self, code: str) -> int:
        """Reset calendar: forget the agenda links only (after choosing another calendar); how many."""
        user = await self.store.get_user(code)
        return await self.store.clear_links(user.code, AGENDA_KINDS)

    async def test(
        self,
        code: str,
        *,
        create_categories: bool = False,
        on_result: Callable[[CheckResult], None] | None = None,
    ) -> list[CheckResult]:
        """The Test checks, each handed to `on_result` as soon as it is known."""
        from tui_sync.microsoft.checks import run_checks

        return await run_checks(
            await self.store.get_user(code),
            await self.store.list_action_types(),
            self.settings,
            await self.authenticator(),
            create_categories=create_categories,
            on_result=on_result,
        )

    async def connections(self, users: Iterable[User]) -> dict[str, Connection]:
        """The connection dot of each user, read from the token cache in a thread (file I/O)."""
        auth = await self.authenticator()
        listed = list(users)

        def read() -> dict[str, Connection]:
            return {
                u.code: Connection(auth.is_connected(u.home_account_id), auth.username(u.home_account_id))
                for u in listed
            }

        return await asyncio.to_thread(read)
