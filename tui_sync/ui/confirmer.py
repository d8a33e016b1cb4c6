"""The engine's Confirmer in the terminal application: each question is a dialog awaited from the
sync worker, shown on whatever screen the user is on."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import TYPE_CHECKING, TypeVar
from zoneinfo import ZoneInfo

from textual.screen import ModalScreen

from tui_sync.sync.events import Decision, DeletionRequest
from tui_sync.ui.dialogs.confirm_delete import ConfirmDeletion, ConfirmMassDeletion

if TYPE_CHECKING:
    from textual.app import App

T = TypeVar("T")


class DialogConfirmer:
    """Implements `tui_sync.sync.events.Confirmer` with modal dialogs. Must be awaited from a worker
    (`push_screen_wait`)."""

    def __init__(
        self, app: App, owner: str, tz: ZoneInfo, on_ask: Callable[[int, int], None] | None = None
    ) -> None:
        self.app = app
        self.owner = owner
        self.tz = tz
        self.on_ask = on_ask  # (index, total) of each item asked about

    async def _ask(self, dialog: ModalScreen[T], if_cancelled: T) -> T:
        try:
            return await self.app.push_screen_wait(dialog)
        except asyncio.CancelledError:
            # push_screen_wait is shielded: a cancelled sync would leave its question on screen
            if dialog.is_attached and dialog.is_active:
                dialog.dismiss(if_cancelled)
            raise

    async def allow_mass_deletion(self, deletions: int, linked: int) -> bool:
        return await self._ask(ConfirmMassDeletion(deletions, linked), False)

    async def confirm_deletion(self, request: DeletionRequest) -> Decision:
        if self.on_ask is not None:
            self.on_ask(request.index, request.total)
        return await self._ask(ConfirmDeletion(request, self.owner, self.tz), Decision.KEEP_ALL)
