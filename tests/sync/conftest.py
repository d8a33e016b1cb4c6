"""The world of an engine test: the fake Microsoft 365 over HTTPS, a real CRM store, a CRM user signed
in with the real MSAL device flow (approved through the fake's admin API), the SyncService, and an
"Outlook user" acting on the same mailbox through plain Graph calls."""

from __future__ import annotations

import ssl
from collections.abc import AsyncIterator, MutableSequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from fake_microsoft365 import FakeServer, start_fake
from tests.fake_microsoft.conftest import Graph
from tui_sync.config import Settings, load_settings
from tui_sync.domain.models import MicrosoftSettings, SyncPrefs, User
from tui_sync.microsoft.auth import Authenticator
from tui_sync.store import Store
from tui_sync.sync.events import Decision, DeletionRequest, Progress
from tui_sync.sync.service import SyncService

CLIENT_ID = "4a1e8bd0-6c2f-4f4b-9d5e-2b7f0c3a9e11"
UPN = "carine@contoso.test"
CALENDAR = "CRM"
NOW = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)


@dataclass
class ScriptedConfirmer:
    """Answers deletion requests from a list (then `default`), and records what it was asked."""

    answers: list[Decision] = field(default_factory=list)
    default: Decision = Decision.KEEP
    allow_mass: bool = True
    asked: list[DeletionRequest] = field(default_factory=list)
    mass_asked: list[tuple[int, int]] = field(default_factory=list)

    async def allow_mass_deletion(self, deletions: int, linked: int) -> bool:
        self.mass_asked.append((deletions, linked))
        return self.allow_mass

    async def confirm_deletion(self, request: DeletionRequest) -> Decision:
        self.asked.append(request)
        return self.answers.pop(0) if self.answers else self.default


@dataclass
class World:
    fake: FakeServer
    store: Store
    settings: Settings
    service: SyncService
    user: User
    outlook: Graph
    admin: aiohttp.ClientSession
    progress: list[Progress] = field(default_factory=list)

    async def sync(self, *what: str, confirmer: Any = None, **kw: Any):
        return await self.service.run(
            self.user.code,
            self.user.code,
            what or ("agenda",),
            confirmer=confirmer,
            on_event=self.progress.append,
            **kw,
        )

    async def close(self) -> None:
        await self.admin.close()
        await self.store.close()
        await self.fake.close()

    def request_log(self) -> MutableSequence[dict[str, Any]]:
        """The fake's live request log (what a sync killed after N requests watches)."""
        return self.fake.service.requests

    async def requests(self) -> list[dict[str, Any]]:
        async with self.admin.get(self.fake.admin_url + "/requests") as response:
            return (await response.json())["requests"]

    async def clear_requests(self) -> None:
        async with self.admin.delete(self.fake.admin_url + "/requests"):
            pass

    async def peak(self) -> dict[str, int]:
        """Since the log was cleared, the most operations the mailbox served at once (`in_flight`)
        and the most HTTP requests it had open at once (`open`)."""
        async with self.admin.get(self.fake.admin_url + "/requests") as response:
            return (await response.json())["peak"][UPN]

    async def faults(self, **faults: Any) -> None:
        async with self.admin.post(self.fake.admin_url + "/faults", json=faults) as response:
            assert response.status == 200

    async def calendar_id(self) -> str:
        reply = await self.outlook.get("/me/calendars", params={"$filter": f"name eq '{CALENDAR}'"})
        return reply.body["value"][0]["id"]

    async def outlook_events(self) -> list[dict[str, Any]]:
        """Every single event and series master of the CRM calendar, as the Outlook user sees them."""
        cid = await self.calendar_id()
        reply = await self.outlook.get(
            f"/me/calendars/{cid}/events",
            params={"$top": "1000"},
            headers={"Prefer": 'outlook.body-content-type="text"'},
        )
        assert reply.status == 200, reply.body
        return reply.body["value"]


def write_config(tmp_path: Path, fake: FakeServer) -> Settings:
    config = tmp_path / "config.toml"
    config.write_text(
        f'database = "{tmp_path / "crm.sqlite3"}"\n'
        'timezone = "Europe/Paris"\n'
        f'log_file = "{tmp_path / "tui-sync.log"}"\n'
        "[microsoft]\n"
        f'graph_url = "{fake.graph_url}"\n'
        f'authority_host = "{fake.authority_host}"\n'
        f'ca_file = "{fake.ca_file}"\n'
        f'token_cache = "{tmp_path / "token-cache.json"}"\n'
    )
    return load_settings(config, env={})


async def sign_in(fake: FakeServer, admin: aiohttp.ClientSession, auth: Authenticator, upn: str) -> str:
    """The real MSAL device flow, approved as the user would on another device."""

    async def approve(code: Any) -> None:
        body = {"user_code": code.user_code, "upn": upn}
        async with admin.post(fake.admin_url + "/device/approve", json=body) as response:
            assert response.status == 200

    return (await auth.sign_in(approve)).home_account_id


async def open_world(directory: Path) -> World:
    """Build the whole world in `directory` (also used outside pytest fixtures, e.g. by the state
    machine, which cannot take fixtures). Close it with `World.close`."""
    fake = await start_fake(state_dir=directory / "fake", retry_after=0.01, device_interval=0)
    context = ssl.create_default_context(cafile=str(fake.ca_file))
    admin = aiohttp.ClientSession(connector=aiohttp.TCPConnector(ssl=context))
    settings = write_config(directory, fake)
    store = await Store.open(settings.database, settings.tz)
    await store.set_microsoft_settings(MicrosoftSettings(client_id=CLIENT_ID))
    prefs = SyncPrefs(login_email=UPN, calendar_name=CALENDAR, months_before=1, months_after=3)
    await store.add_user(User("CARINE", "Carine Dupont", prefs=prefs))
    service = SyncService(store, settings, clock=lambda: NOW)
    home = await sign_in(fake, admin, await service.authenticator(), UPN)
    await store.set_home_account("CARINE", home)
    async with admin.post(fake.admin_url + "/token", json={"upn": UPN}) as response:
        token = (await response.json())["access_token"]
    outlook = Graph(admin, fake, token)
    created = await outlook.post("/me/calendars", {"name": CALENDAR})
    assert created.status == 201, created.body
    return World(fake, store, settings, service, await store.get_user("CARINE"), outlook, admin)


@pytest.fixture
async def world(tmp_path: Path) -> AsyncIterator[World]:
    world = await open_world(tmp_path)
    try:
        yield world
    finally:
        await world.close()
