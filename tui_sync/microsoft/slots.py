"""The mailbox's concurrency slots, counted on our side so that Outlook never has to refuse us.

Outlook runs at most 4 requests at once per app and mailbox and answers a fifth with 429
(learn.microsoft.com/graph/throttling-limits, "Outlook service limits"). A plain request takes one
slot; a `$batch` takes as many as it runs at once: all four for a parallel batch (Outlook runs 4 of its
sub-requests at a time), one for a serial batch (each sub-request `dependsOn` the one before). Waiters
are served in arrival order, so a batch waiting for four slots is not starved by single requests.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager


class MailboxSlots:
    """A counting semaphore whose holders take one or more slots, first come first served."""

    def __init__(self, size: int) -> None:
        self.size = max(1, size)
        self.free = self.size
        self._waiting: deque[tuple[int, asyncio.Future[None]]] = deque()

    @property
    def idle(self) -> bool:
        """No slot held and nobody waiting for one."""
        return self.free == self.size and not self._waiting

    @asynccontextmanager
    async def hold(self, slots: int = 1) -> AsyncIterator[None]:
        """Hold `slots` (at most all of them) while the block runs."""
        slots = max(1, min(slots, self.size))
        await self._acquire(slots)
        try:
            yield
        finally:
            self._release(slots)

    async def _acquire(self, slots: int) -> None:
        if not self._waiting and self.free >= slots:
            self.free -= slots
            return
        granted: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waiting.append((slots, granted))
        try:
            await granted
        except asyncio.CancelledError:
            if granted.done() and not granted.cancelled():
                self._release(slots)  # granted just as it was cancelled: give the slots back
            else:
                self._waiting = deque(w for w in self._waiting if w[1] is not granted)
                self._wake()  # it may have been the head that others queued behind
            raise

    def _release(self, slots: int) -> None:
        self.free += slots
        self._wake()

    def _wake(self) -> None:
        while self._waiting:
            slots, granted = self._waiting[0]
            if granted.done():  # cancelled while waiting
                self._waiting.popleft()
                continue
            if slots > self.free:
                return
            self._waiting.popleft()
            self.free -= slots
            granted.set_result(None)
