"""Outlook's upload limit, kept by the client: wait for room rather than be refused.

Outlook allows each app 150 MB of upload (the bodies of PATCH, POST and PUT requests) per mailbox in any
5 minutes (learn.microsoft.com/graph/throttling-limits, "Outlook service limits"); sub-requests of a
`$batch` count one by one. A first sync of 2000 contacts with photos can reach it, and beyond it every
write is answered 429 until the window moves on. So the client counts what it uploads and, when the next
request would cross the limit, waits until enough of the window has passed: the sync goes slower instead
of failing. (Uploads by other apps or runs are not seen here: their 429s are retried after their
`Retry-After`, as any throttling.)
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import Callable

UPLOAD_LIMIT_BYTES = 150 * 1024 * 1024
UPLOAD_WINDOW_SECONDS = 300.0
UPLOAD_METHODS = frozenset({"POST", "PATCH", "PUT"})


class UploadBudget:
    """Bytes uploaded in the last `window` seconds, and the wait before `size` more may go. Shared by
    every request of one client (one mailbox); requests wait their turn in order."""

    def __init__(
        self,
        limit: int = UPLOAD_LIMIT_BYTES,
        window: float = UPLOAD_WINDOW_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.limit = limit
        # Counted when sent, an upload is counted by Outlook a little later: it is kept a tenth longer.
        self.window = window * 1.1
        self._clock = clock
        self._sent: deque[tuple[float, int]] = deque()
        self._total = 0
        self._turn = asyncio.Lock()
        self.waited = 0.0  # seconds spent waiting for room, over the client's life

    async def spend(self, size: int) -> None:
        """Wait until `size` more bytes fit in the window, then count them. An upload larger than the
        whole budget goes once the window is empty."""
        if size <= 0:
            return
        async with self._turn:
            while True:
                now = self._clock()
                while self._sent and self._sent[0][0] <= now - self.window:
                    self._total -= self._sent.popleft()[1]
                if not self._sent or self._total + size <= self.limit:
                    break
                pause = self._room_at(size) - now
                self.waited += pause
                await asyncio.sleep(pause)
            self._sent.append((self._clock(), size))
            self._total += size

    def _room_at(self, size: int) -> float:
        """When enough of the oldest uploads leave the window for `size` more bytes to fit."""
        remaining = self._total
        for when, sent in self._sent:
            remaining -= sent
            if remaining + size <= self.limit:
                return when + self.window
        return self._sent[-1][0] + self.window
