"""The fake Microsoft 365 in its own thread, for the sign-in, Graph client, command and engine tests.

Why a thread: MSAL blocks, and the CLI runs `asyncio.run` itself. With the fake on its own event loop in
a background thread, async tests (any loop), MSAL's worker threads and synchronous CLI tests all reach it
over real HTTPS on loopback. One fake serves the session (the `fake` fixture of tests/conftest.py);
each test starts from `POST /_fake/reset`.
The admin API is driven with `requests` (synchronous), trusting only the fake's CA.
"""

from __future__ import annotations

import asyncio
import json
import threading
import time
from pathlib import Path
from typing import Any

import pytest
import requests

from fake_microsoft365 import FakeServer, start_fake

UPN = "carine@contoso.test"
CLIENT_ID = "6731de76-14a6-49ae-97bc-6eba6914391e"
UNKNOWN_CLIENT_ID = "00000000-0000-0000-0000-000000000000"  # the fake (like Entra) does not know it


class ThreadedFake:
    """`start_fake()` on a private event loop in a daemon thread, plus its admin API."""

    def __init__(self) -> None:
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="fake-microsoft", daemon=True)
        self._thread.start()
        # Device-code polls every 0.25 s (our floor) instead of the fake's 1 s: sign-in tests stay fast.
        self.server: FakeServer = self._run(start_fake(device_interval=0))
        self.graph_url = self.server.graph_url
        self.authority_host = self.server.authority_host
        self.ca_file = self.server.ca_file
        self.admin_url = self.server.admin_url
        self._http = requests.Session()
        self._http.verify = self.ca_file
        self._http.trust_env = False  # REQUESTS_CA_BUNDLE would replace our CA

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

    def forget(self, user_code: str) -> None:
        """The sign-in service no longer knows this device code (`bad_verification_code` next)."""
        self.admin("POST", "/device/forget", {"user_code": user_code})

    def faults(self, **changes: Any) -> dict[str, Any]:
        return self.admin("POST", "/faults", changes)

    def token(self, upn: str = UPN) -> str:
        return self.admin("POST", "/token", {"upn": upn})["access_token"]

    def revoke(self, upn: str = UPN) -> int:
        return self.admin("POST", "/revoke", {"upn": upn})["revoked"]

    def requests(self) -> list[dict[str, Any]]:
        return self.admin("GET", "/requests")["requests"]

    def peak(self, upn: str = UPN) -> dict[str, int]:
        """Since the log was cleared, the most requests and sub-requests the mailbox served at once
        (`in_flight`) and the most HTTP requests it had open at once (`open`)."""
        return self.admin("GET", "/requests")["peak"].get(upn, {"in_flight": 0, "open": 0})

    def clear_requests(self) -> None:
        self.admin("DELETE", "/requests")

    def state(self) -> dict[str, Any]:
        return self.admin("GET", "/state")


class AutoApprover:
    """Approves, as `upn`, the first device code the fake hands out (the user on their phone)."""

    def __init__(self, fake: ThreadedFake, upn: str = UPN) -> None:
        self.fake, self.upn = fake, upn
        self.approved: list[str] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            pending = self.fake.admin("GET", "/device")["pending"]
            if pending:
                self.fake.approve(pending[0]["user_code"], self.upn)
                self.approved.append(pending[0]["user_code"])
                return
            time.sleep(0.02)

    def __enter__(self) -> AutoApprover:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(5)


def write_config(tmp: Path, fake: ThreadedFake, extra: str = "") -> Path:
    """A config.toml in `tmp` keeping the database, log and token cache there and pointing sign-in and
    Graph at the fake; `extra` goes in before the [microsoft] table."""
    config = tmp / "config.toml"
    quoted = {n: json.dumps(str(tmp / n)) for n in ("crm.sqlite3", "tui-sync.log", "token-cache.json")}
    config.write_text(
        f"database = {quoted['crm.sqlite3']}\n"
        'timezone = "Europe/Paris"\n'
        f"log_file = {quoted['tui-sync.log']}\n"
        f"{extra}"
        "[microsoft]\n"
        f"graph_url = {json.dumps(fake.graph_url)}\n"
        f"authority_host = {json.dumps(fake.authority_host)}\n"
        f"ca_file = {json.dumps(fake.ca_file)}\n"
        f"token_cache = {quoted['token-cache.json']}\n",
        encoding="utf-8",
    )
    return config


def point_at(fake: ThreadedFake, monkeypatch: pytest.MonkeyPatch) -> None:
    """Make the CLI (config via `TUI_SYNC_*`) use the fake for sign-in and Graph."""
    monkeypatch.setenv("TUI_SYNC_MICROSOFT__AUTHORITY_HOST", fake.authority_host)
    monkeypatch.setenv("TUI_SYNC_MICROSOFT__GRAPH_URL", fake.graph_url)
    monkeypatch.setenv("TUI_SYNC_MICROSOFT__CA_FILE", fake.ca_file)


def prepare_cli(
    run_cli: Any,
    fake: ThreadedFake,
    monkeypatch: pytest.MonkeyPatch,
    *,
    calendar: str = "Calendar",
    client_id: str = CLIENT_ID,
    email: str = UPN,
) -> Any:
    """`run_cli` (tests/conftest.py) pointed at the fake, with the user CARINE and the client ID set."""
    point_at(fake, monkeypatch)
    add = ["user", "add", "CARINE", "Carine Dupont"]
    add += ["--email", email] if email else []
    add += ["--calendar", calendar] if calendar else []
    assert run_cli(*add).exit_code == 0
    if client_id:
        assert run_cli("admin", "client-id", client_id).exit_code == 0
    return run_cli
