"""The terminal application's test world: a real SQLite file, the fake Microsoft 365 over HTTPS, real
MSAL, a fixed clock, and the App built by its one factory.

Pilot tests are async and hand the App a store opened on their own loop; snapshot tests are plain
functions (`snap_compare` runs its own event loop), so the App opens the seeded file itself.
"""

from __future__ import annotations

import asyncio
import json
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest
from textual.widgets import Input

from tests.threaded_fake import CLIENT_ID, UPN, AutoApprover, ThreadedFake
from tui_sync.config import Settings, load_settings
from tui_sync.domain.models import Rights, SyncPrefs, User
from tui_sync.services import Services
from tui_sync.store import Store
from tui_sync.ui.app import TuiSyncApp, make_app

NOW = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)  # a Monday; 10:00 in Paris
WALL = 1_800_000_000.0  # time.time() as the device-code countdown sees it
CALENDAR = "Calendar"


def fixed_clock() -> datetime:
    return NOW


@pytest.fixture(autouse=True)
def _quiet_terminal(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No blinking cursor, no user config or theme from the caller's environment, user dirs in tmp."""
    monkeypatch.setattr(Input, "_toggle_cursor", lambda self: None)
    for name in [n for n in os.environ if n.upper().startswith(("TUI_SYNC_", "TEXTUAL_"))]:
        monkeypatch.delenv(name)
    for xdg in ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_STATE_HOME", "XDG_CACHE_HOME"):
        monkeypatch.setenv(xdg, str(tmp_path / xdg.lower()))


@dataclass
class UiWorld:
    """A CRM (ADM, CARINE connected to the fake, FLORENT not connected, XAVIER hidden from CARINE)."""

    tmp: Path
    fake: ThreadedFake
    settings: Settings

    @property
    def database(self) -> Path:
        return self.settings.database

    async def open_store(self) -> Store:
        return await Store.open(self.database, self.settings.tz, now=fixed_clock)

    def app(self, viewer: str | None = "CARINE", store: Store | None = None, **kwargs: object) -> TuiSyncApp:
        kwargs.setdefault("startup_sync", False)
        app = make_app(
            self.settings, viewer=viewer, store=store, clock=fixed_clock, wall_clock=lambda: WALL, **kwargs
        )
        app.animation_level = "none"
        return app

    def run(self, coroutine_function: Callable[[Services], object]) -> object:
        """Run `await coroutine_function(services)` on a store of its own (seeding, checking)."""

        async def go() -> object:
            store = await self.open_store()
            try:
                return await coroutine_function(Services.build(store, self.settings, clock=fixed_clock))
            finally:
                await store.close()

        return asyncio.run(go())

    def connect(self, code: str = "CARINE", upn: str = UPN) -> None:
        """Sign `code` in through the fake (the person approving the device code on their phone)."""

        async def sign_in(services: Services) -> None:
            await services.accounts.connect(code, lambda _code: None)

        with AutoApprover(self.fake, upn):
            self.run(sign_in)


def write_config(tmp: Path, fake: ThreadedFake, extra: str = "") -> Path:
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


async def seed(services: Services) -> None:
    people, store = services.people, services.store
    await people.save_microsoft_settings(CLIENT_ID, "common")
    prefs = SyncPrefs(login_email=UPN, calendar_name=CALENDAR, months_before=1, months_after=3)
    await store.add_user(User("CARINE", "Carine Dupont", prefs=prefs))
    await store.add_user(User("FLORENT", "Florent Martin", prefs=SyncPrefs(calendar_name=CALENDAR)))
    await store.add_user(User("XAVIER", "Xavier Leroy"))
    await store.set_rights(Rights("CARINE", "FLORENT", visible=True, agenda=True))
    await store.set_rights(Rights("ADM", "CARINE", visible=True, agenda=True))
    await store.set_last_sync("CARINE", "agenda", datetime(2026, 11, 30, 8, 57, tzinfo=UTC))


@pytest.fixture
def world(tmp_path: Path, fake: ThreadedFake) -> Iterator[UiWorld]:
    """The seeded CRM with CARINE connected to the (reset) fake."""
    settings = load_settings(write_config(tmp_path, fake), {})
    ui = UiWorld(tmp_path, fake, settings)
    ui.run(seed)
    ui.connect()
    yield ui
