"""The demo's fake Microsoft 365, in this process: its own event loop in a daemon thread.

Why a thread: the terminal application runs its own asyncio loop (`app.run()`) and MSAL blocks in
worker threads; a fake on a loop of its own answers all of them over real HTTPS on loopback, and nobody
needs a second terminal. Its state (CA, mailboxes, tokens) lives in a folder of the demo, so a kept
demo finds its mailboxes and sign-ins again. The fake itself saves only when it is closed; a demo that
is killed (SIGKILL, a closed SSH session) never closes it, and would reopen on empty mailboxes, every
synced item looking deleted in Outlook. So the state is also saved within SAVE_EVERY seconds of each
change (compared as the JSON the fake writes; the file is replaced atomically, never left half-written).
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import json
import threading
from collections.abc import Coroutine
from pathlib import Path
from typing import Any, TypeVar

from fake_microsoft365 import FakeServer, start_fake

T = TypeVar("T")
DEVICE_INTERVAL = 1  # seconds between sign-in polls (Microsoft asks for 5): Connect in the demo is quick
SAVE_EVERY = 1.0  # seconds: at most this much of the fake mailboxes' changes is lost to a killed demo


class ThreadedDemoFake:
    """`start_fake()` on a private loop in a daemon thread; `close()` saves its state and stops it."""

    def __init__(self, state_dir: Path, *, port: int = 0, latency_ms: int = 0) -> None:
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="demo-fake", daemon=True)
        self._thread.start()
        try:
            self.server: FakeServer = self.call(self._start(state_dir, port, latency_ms))
        except BaseException:
            self._stop_loop()
            raise
        self._saved = self._snapshot()
        self._saver = asyncio.run_coroutine_threadsafe(self._keep_saved(), self._loop)

    @staticmethod
    async def _start(state_dir: Path, port: int, latency_ms: int) -> FakeServer:
        try:
            return await start_fake(
                port=port, state_dir=state_dir, latency_ms=latency_ms, device_interval=DEVICE_INTERVAL
            )
        except OSError:
            if port == 0:
                raise
            # the port of the last run is taken now: another one (the old sign-ins then need Connect)
            return await start_fake(
                port=0, state_dir=state_dir, latency_ms=latency_ms, device_interval=DEVICE_INTERVAL
            )

    def _snapshot(self) -> str:
        """The state as `FakeServer.save` writes it (read on the fake's loop, or before it serves)."""
        return json.dumps({"state": self.server.state.to_json(), "identity": self.server.identity.to_json()})

    async def _keep_saved(self) -> None:
        """Save the fake's state whenever it changed, every SAVE_EVERY seconds, on the fake's own loop
        (so no request changes it halfway through a save)."""
        while True:
            await asyncio.sleep(SAVE_EVERY)
            self.save_if_changed()

    def save_if_changed(self) -> None:
        """Write state.json when the state differs from what was last written (call on the fake's loop)."""
        now = self._snapshot()
        if now != self._saved:
            self.server.save()
            self._saved = now

    def save(self) -> None:
        """Save now, from any thread (after the seeding: the biggest batch of changes)."""

        async def save_now() -> None:
            self.save_if_changed()

        self.call(save_now())

    def call(self, coroutine: Coroutine[Any, Any, T]) -> T:
        """Run `coroutine` on the fake's loop and wait for its result."""
        return asyncio.run_coroutine_threadsafe(coroutine, self._loop).result(timeout=60)

    def approve(self, user_code: str, upn: str) -> None:
        """Sign `upn` in on a pending device code (the person on their phone), on the fake's loop."""
        self._loop.call_soon_threadsafe(self.server.approve, user_code, upn)

    def token(self, upn: str) -> str:
        """An access token for `upn`, straight from the fake (Outlook's own session, so to say)."""

        async def issue() -> str:
            return self.server.issue_token(upn)

        return self.call(issue())

    def auto_approve(self, after: float, upn: str) -> None:
        """From now on every device code is approved as `upn`, `after` seconds after it is shown."""

        async def configure() -> None:
            self.server.identity.auto_approve_after = after
            self.server.identity.auto_approve_upn = upn

        self.call(configure())

    def close(self) -> None:
        self._saver.cancel()
        with contextlib.suppress(concurrent.futures.CancelledError, concurrent.futures.TimeoutError):
            self._saver.result(timeout=5)
        try:
            self.call(self.server.close())
        finally:
            self._stop_loop()

    def _stop_loop(self) -> None:
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=10)
        self._loop.close()
