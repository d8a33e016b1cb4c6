"""Automatic mode's pushes: each saved change of a single action goes to Microsoft 365 at once, in a
worker of the App (so leaving the screen never cancels a push half-way).

The workers are not exclusive (a second push must not cancel the first mid-write) but they run one after
the other: each takes the owner's sync lease, so two at once would refuse each other. A failure is one
notification (the next sync settles it) and never a traceback; the screen that asked is told how it went
through `report` ("pending", "done", "failed"), if it still cares.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import TYPE_CHECKING, Literal

from textual.worker import Worker

from tui_sync import texts
from tui_sync.errors import UserError
from tui_sync.ui.advice import explain, said

if TYPE_CHECKING:
    from tui_sync.ui.app import TuiSyncApp

PUSH_GROUP = "push"
PushState = Literal["pending", "done", "failed"]


def pushes_running(app: TuiSyncApp) -> int:
    """How many pushes are queued or under way."""
    return sum(1 for w in app.workers if w.group == PUSH_GROUP and w.is_running)


def start_push(
    app: TuiSyncApp,
    owner: str,
    action_id: int,
    report: Callable[[PushState], None] = lambda _state: None,
) -> Worker[None]:
    """Push one action's add / change / delete for `owner` now (it returns quietly when Automatic is
    off or the owner is not connected)."""

    async def push() -> None:
        report("pending")
        try:
            async with app.push_lock:
                await app.services.sync.push_action(owner, action_id)
        except asyncio.CancelledError:
            raise
        except Exception as error:  # anything at all: one line, and the next sync settles it
            problem = explain(error) if isinstance(error, UserError) else said(error)
            app.notify(texts.tui_agenda.agenda_push_failed(owner, problem), severity="warning", markup=False)
            report("failed")
            return
        report("done")

    return app.run_worker(push(), group=PUSH_GROUP, exit_on_error=False, description=f"push {owner}")
