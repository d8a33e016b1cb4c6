"""The fake Microsoft 365 for the sign-in, Graph client and command tests, running in its own thread.

Why a thread: MSAL blocks, and the CLI runs `asyncio.run` itself. With the fake on its own event loop in
a background thread, async tests (any loop), MSAL's worker threads and synchronous CLI tests all reach it
over real HTTPS on loopback. One fake serves the session; each test starts from `POST /_fake/reset`.
The admin API is driven with `requests` (synchronous), trusting only the fake's CA.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from typing import Any

import pytest
import requests

from tui_sync.fake_microsoft import FakeServer, start_fake

UPN = "carine@contoso.test"
CLIENT_ID = "6731de76-14a6-49ae-97bc-6eba6914391e"
UNKNOWN_CLIENT_ID = "00000000-0000-0000-0000-000000000000"  # the fake (like Entra) does not know it


class ThreadedFake:
    """`start_fake()` on a private event loop in a daemon thread, plus its admin API."""

    def __init__(self) -> None:
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="fake-microsoft", daemon=True)
        self._thread.start()
        self.server: FakeServer = self._run(start_fake())
        self.graph_url = self.server.graph_url
        self.authority_host = self.server.authority_host
        self.ca_file = self.server.ca_file
        self.admin_url = self.server.admin_url
        self._http = requests.Session()
        self._http.verify = self.ca_file
        self._http.trust_env = False  # REQUESTS_CA_BUNDLE is set on these machines (GRAPH.md's trap)

    def _run(self, coroutine: Any) -> Any:
        return asyncio.run_coroutine_threadsafe(coroutine, self._loop).result(timeout=30)

    def close(self) -> None:
        self._http.close()
        self._run(self.server.close())
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=10)
        self._loop.close()

    # --- the admin API (`/_fake/...`) -------------------------------------------------------------

    def admin(self, method: str, path: str, body: Any = None) -> Any:
        response = self._http.request(method, self.admin_url + path, json=body, timeout=10)
        assert response.status_code == 200, (path, response.status_code, response.text)
        return response.json()

    def reset(self) -> None:
        self.admin("POST", "/reset")

    def approve(self, user_code: str, upn: str = UPN) -> None:
        self.admin("POST", "/device/approve", {"user_code": user_code, "upn": upn})

    def decline(self, user_code: str) -> None:
        self.admin("POST", "/device/decline", {"user_code": user_code})

    def faults(self, **changes: Any) -> dict[str, Any]:
        return self.admin("POST", "/faults", changes)

    def token(self, upn: str = UPN) -> str:
        return self.admin("POST", "/token", {"upn": upn})["access_token"]

    def revoke(self, upn: str = UPN) -> int:
        return self.admin("POST", "/revoke", {"upn": upn})["revoked"]

    def requests(self) -> list[dict[str, Any]]:
        return self.admin("GET", "/requests")["requests"]

    def clear_requests(self) -> None:
        self.admin("DELETE", "/requests")

    def state(self) -> dict[str, Any]:
        return self.admin("GET", "/state")


@pytest.fixture(scope="session")
def fake_session() -> Iterator[ThreadedFake]:
    fake = ThreadedFake()
    try:
        yield fake
    finally:
        fake.close()


@pytest.fixture
def fake(fake_session: ThreadedFake) -> ThreadedFake:
    """The session's fake, emptied (mailboxes, tokens, faults, request log) for this test."""
    fake_session.reset()
    return fake_session
