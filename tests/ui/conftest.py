"""The terminal application's test world: a real SQLite file, the fake Microsoft 365 over HTTPS, real
MSAL, a fixed clock, and the App built by its one factory.

Pilot tests are async and hand the App a store opened on their own loop; snapshot tests are plain
functions (`snap_compare` runs its own event loop), so the App opens the seeded file itself.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import copy
import os
import time
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import requests
from textual import events
from textual.keys import REPLACED_KEYS, _character_to_key, _get_unicode_name_from_key
from textual.pilot import Pilot
from textual.widgets import Input

from tests.threaded_fake import CLIENT_ID, UPN, AutoApprover, ThreadedFake, write_config
from tui_sync.config import Settings, load_settings
from tui_sync.domain.models import Action, Rights, SyncPrefs, User
from tui_sync.domain.period import Period
from tui_sync.services import Services
from tui_sync.store import Store
from tui_sync.sync.events import Summary
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
    keep = {"TEXTUAL_SNAPSHOT_TEMPDIR"}  # pytest-textual-snapshot's report folder, set for the session
    for name in [n for n in os.environ if n.upper().startswith(("TUI_SYNC_", "TEXTUAL_")) and n not in keep]:
        monkeypatch.delenv(name)
    for xdg in ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_STATE_HOME", "XDG_CACHE_HOME"):
        monkeypatch.setenv(xdg, str(tmp_path / xdg.lower()))


async def type_text(pilot: Pilot, text: str) -> None:
    """Type `text` into the focused field as one burst of keys — as a quick typist, or an SSH
    connection, delivers them — then wait once for the application to be idle. The key events are the
    ones `pilot.press` makes and go the same way (the driver's queue, then the focused field); only
    Pilot's wait for an idle process after each key (about 0.1 s a key on a busy machine) is left out.

    Printable characters only: the field inserts those as they come, whereas a key bound to an action
    (backspace, tab, enter) is run once the key has bubbled back up to the application, so in a burst
    it would act after the characters that follow it. Press those with `pilot.press`."""
    driver = pilot.app._driver
    assert driver is not None
    for character in text:
        assert character.isprintable() and len(character) == 1, repr(character)
        key = character if character.isalnum() else _character_to_key(character)
        try:
            char = unicodedata.lookup(_get_unicode_name_from_key(REPLACED_KEYS.get(key, key)))
        except KeyError:
            char = character
        driver.send_message(events.Key(key, char))
    await pilot.pause()


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
        """Run `await coroutine_function(services)` on a store and loop of its own (seeding, checking)."""

        async def go() -> object:
            store = await self.open_store()
            try:
                return await coroutine_function(Services.build(store, self.settings, clock=fixed_clock))
            finally:
                await store.close()

        # In a thread of its own: callers may be async tests whose loop is running.
        with concurrent.futures.ThreadPoolExecutor(1) as pool:
            return pool.submit(asyncio.run, go()).result()

    def connect(self, code: str = "CARINE", upn: str = UPN) -> None:
        """Sign `code` in through the fake (the person approving the device code on their phone)."""

        async def sign_in(services: Services) -> None:
            await services.accounts.connect(code, lambda _code: None)

        with AutoApprover(self.fake, upn):
            self.run(sign_in)


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


@dataclass(frozen=True)
class SignedIn:
    """What CARINE's device-code sign-in left behind: the token cache MSAL wrote, the account the CRM
    remembers for her, and the tokens the fake issued (its own records of them)."""

    cache: str
    home_account_id: str
    access_tokens: dict[str, Any]
    refresh_tokens: dict[str, Any]

    def replay(self, world: UiWorld) -> None:
        """CARINE connected in `world` as that sign-in left her, on the fake reset for this test: its
        token records and her mailbox back, the token cache written, the account remembered."""
        identity = world.fake.server.identity
        identity.access_tokens.update(copy.deepcopy(self.access_tokens))
        identity.refresh_tokens.update(copy.deepcopy(self.refresh_tokens))
        world.fake.server.state.ensure(UPN)
        cache = world.tmp / "token-cache.json"
        cache.write_text(self.cache, encoding="utf-8")
        cache.chmod(0o600)

        async def remember(services: Services) -> None:
            await services.store.set_home_account("CARINE", self.home_account_id)

        world.run(remember)


@pytest.fixture(scope="session")
def signed_in(fake_session: ThreadedFake, tmp_path_factory: pytest.TempPathFactory) -> SignedIn:
    """CARINE signed in once for the whole run, for real: the device code approved in the fake, MSAL
    redeeming it, the token cache written. Each `world` replays what it left instead of signing in
    again, which costs 0.3 s a test (MSAL waits before its first poll); the sign-in itself is what the
    Connect tests drive."""
    fake_session.reset()
    tmp = tmp_path_factory.mktemp("signed-in")
    ui = UiWorld(tmp, fake_session, load_settings(write_config(tmp, fake_session), {}))
    ui.run(seed)
    ui.connect()

    async def account(services: Services) -> str | None:
        return (await services.store.get_user("CARINE")).home_account_id

    home_account_id = ui.run(account)
    assert isinstance(home_account_id, str)
    identity = fake_session.server.identity
    return SignedIn(
        (tmp / "token-cache.json").read_text(encoding="utf-8"),
        home_account_id,
        copy.deepcopy(identity.access_tokens),
        copy.deepcopy(identity.refresh_tokens),
    )


@pytest.fixture
def world(tmp_path: Path, signed_in: SignedIn, fake: ThreadedFake) -> Iterator[UiWorld]:
    """The seeded CRM with CARINE connected to the (reset) fake."""
    settings = load_settings(write_config(tmp_path, fake), {})
    ui = UiWorld(tmp_path, fake, settings)
    ui.run(seed)
    signed_in.replay(ui)
    yield ui


class Outlook:
    """The Outlook user acting on CARINE's mailbox with plain Graph calls (another device, so to say)."""

    def __init__(self, fake: ThreadedFake, upn: str = UPN) -> None:
        self.fake = fake
        self.upn = upn
        self.http = requests.Session()
        self.http.verify = fake.ca_file
        self.http.trust_env = False
        self.http.headers["Authorization"] = f"Bearer {fake.token(upn)}"

    def call(self, method: str, path: str, body: object = None) -> requests.Response:
        """One Graph call; a 429 (the mailbox still busy with a cancelled run's batch) is waited out."""
        for _ in range(50):
            reply = self.http.request(method, self.fake.graph_url + path, json=body, timeout=30)
            if reply.status_code != 429:
                return reply
            time.sleep(float(reply.headers.get("Retry-After", "0.1")))
        return reply

    def calendar_id(self, name: str = CALENDAR) -> str:
        reply = self.call("GET", "/me/calendars")
        assert reply.status_code == 200, reply.text
        calendars = reply.json()["value"]
        return next(c["id"] for c in calendars if c["name"] == name)

    def events(self) -> list[dict]:
        reply = self.call("GET", f"/me/calendars/{self.calendar_id()}/events?$top=1000")
        assert reply.status_code == 200, reply.text
        return reply.json()["value"]

    def delete(self, event_id: str) -> None:
        assert self.call("DELETE", f"/me/events/{event_id}").status_code == 204

    def contacts(self) -> list[dict]:
        """The contacts of the mailbox's default contacts folder."""
        reply = self.call("GET", "/me/contacts?$top=1000")
        assert reply.status_code == 200, reply.text
        return reply.json()["value"]


@pytest.fixture
def outlook(world: UiWorld) -> Iterator[Outlook]:
    client = Outlook(world.fake)
    yield client
    client.http.close()


def add_actions(world: UiWorld, count: int, owner: str = "CARINE", title: str = "Rendez-vous") -> None:
    """`count` one-hour actions on the days after NOW, inside the default period."""

    async def add(services: Services) -> None:
        async with services.store.transaction():  # one commit, not one per action
            for n in range(count):
                start = NOW + timedelta(days=1 + n // 8, hours=n % 8)
                await services.store.add_action(
                    Action(owner, f"{title} {n + 1}", start, start + timedelta(hours=1))
                )

    world.run(add)


def crm_titles(world: UiWorld, owner: str = "CARINE") -> list[str]:
    async def titles(services: Services) -> list[str]:
        period = Period.from_dates(date(2026, 1, 1), date(2027, 12, 31), services.settings.tz)
        return sorted(a.title for a in await services.store.single_actions(owner, period))

    return world.run(titles)  # type: ignore[return-value]


def sync_now(world: UiWorld, code: str = "CARINE") -> Summary:
    """A sync outside the App (setting the scene): agenda and contacts, deletions kept."""

    async def run(services: Services) -> Summary:
        return await services.sync.run(code, code, ("agenda", "contacts"))

    summary = world.run(run)
    assert summary.ok, summary.errors  # type: ignore[union-attr]
    return summary  # type: ignore[return-value]
