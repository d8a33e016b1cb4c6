"""The agenda engine's world in memory: the same store, SyncService and Outlook user as
`tests.sync.conftest.open_world`, with the mailbox served in-process by the fake's model
(`tests/in_memory.py`) instead of the fake over HTTPS with MSAL. The SyncService connects to it through
its `connect` seam, the one a second provider would use; everything else runs as in production."""

from __future__ import annotations

from collections.abc import AsyncIterator, MutableSequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fake_microsoft365.events import cancel_for_attendee
from tests.fake_microsoft.conftest import Reply
from tests.in_memory import InMemoryAddressBook, InMemoryCalendar, InProcessGraph, MemoryFake
from tests.sync.conftest import CALENDAR, NOW, World
from tests.sync.machine_support import OutlookUser
from tui_sync.config import load_settings
from tui_sync.domain.models import SyncPrefs, User
from tui_sync.store import Store
from tui_sync.sync.ports import Remote
from tui_sync.sync.service import SyncService


class MemoryGraph:
    """The Outlook user's plain Graph calls (as `tests.fake_microsoft.conftest.Graph`), in-process."""

    def __init__(self, graph: InProcessGraph) -> None:
        self.graph = graph

    async def call(
        self, method: str, path: str, body: Any = None, params: dict[str, str] | None = None
    ) -> Reply:
        answer = self.graph.send(method, path, params, body)
        return Reply(answer.status, answer.json() if answer.content else None, answer.headers)

    async def get(self, path: str, params: dict[str, str] | None = None, **_: Any) -> Reply:
        return await self.call("GET", path, params=params)

    async def post(self, path: str, body: Any = None) -> Reply:
        return await self.call("POST", path, body)

    async def patch(self, path: str, body: Any = None) -> Reply:
        return await self.call("PATCH", path, body)

    async def delete(self, path: str) -> Reply:
        return await self.call("DELETE", path)


class MemoryOutlookUser(OutlookUser):
    """The Outlook user, with the organiser's cancellations made on the in-process mailbox."""

    async def cancel(self, event_id: str) -> None:
        assert isinstance(self.world.fake, MemoryFake)
        cancel_for_attendee(self.world.fake.graph.box, event_id)


@dataclass
class InMemoryMailbox:
    """The `Remote` a memory world's SyncService connects to."""

    graph: InProcessGraph

    @property
    def calendar(self) -> InMemoryCalendar:
        return InMemoryCalendar(self.graph)

    @property
    def address_book(self) -> InMemoryAddressBook:
        return InMemoryAddressBook(self.graph)

    @property
    def requests(self) -> int:
        return len(self.graph.log)


class MemoryWorld(World):
    """`World` with the mailbox in memory (no faults: there is no HTTP)."""

    def request_log(self) -> MutableSequence[dict[str, Any]]:
        assert isinstance(self.fake, MemoryFake)
        return self.fake.graph.log

    async def requests(self) -> list[dict[str, Any]]:
        return list(self.request_log())

    async def clear_requests(self) -> None:
        self.request_log().clear()

    async def faults(self, **faults: Any) -> None:
        assert isinstance(self.fake, MemoryFake)
        self.fake.faults(**faults)

    async def close(self) -> None:
        await self.store.close()


async def open_memory_world(directory: Path) -> MemoryWorld:
    """`open_world`'s world, in memory. Close it with `World.close`."""
    fake = MemoryFake()
    config = directory / "config.toml"
    config.write_text(
        f'database = "{directory / "crm.sqlite3"}"\ntimezone = "Europe/Paris"\n'
        f'log_file = "{directory / "tui-sync.log"}"\n',
        encoding="utf-8",
    )
    settings = load_settings(config, env={})
    store = await Store.open(settings.database, settings.tz)
    prefs = SyncPrefs(login_email=fake.graph.upn, calendar_name=CALENDAR, months_before=1, months_after=3)
    await store.add_user(User("CARINE", "Carine Dupont", prefs=prefs))

    @asynccontextmanager
    async def connect(user: User) -> AsyncIterator[Remote]:
        yield InMemoryMailbox(fake.graph)

    service = SyncService(store, settings, clock=lambda: NOW, connect=connect)
    outlook = MemoryGraph(fake.graph)
    created = await outlook.post("/me/calendars", {"name": CALENDAR})
    assert created.status == 201, created.body
    user = await store.get_user("CARINE")
    return MemoryWorld(fake, store, settings, service, user, outlook, None)  # type: ignore[arg-type]
