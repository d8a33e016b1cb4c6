"""Fixtures for the fake Microsoft 365 contract tests.

The tests talk to the fake over real HTTPS with a plain aiohttp client that trusts the fake's CA — never
through tui-sync's own Graph client — so they pin down what the fake promises, in Graph's own shapes.
"""

from __future__ import annotations

import ssl
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import aiohttp
import pytest

from fake_microsoft365 import FakeServer, start_fake

UPN = "carine@contoso.test"
CRM_PROP = "String {66f5a359-4659-4830-9070-00047ec6ac6e} Name crmId"


@dataclass
class Reply:
    status: int
    body: Any
    headers: Any

    @property
    def code(self) -> str | None:
        """The Graph error code, if this is a Graph error."""
        if isinstance(self.body, dict) and isinstance(self.body.get("error"), dict):
            return self.body["error"].get("code")
        return None


async def _reply(response: aiohttp.ClientResponse) -> Reply:
    raw = await response.read()
    content_type = response.headers.get("Content-Type", "")
    body: Any = raw
    if "json" in content_type:
        body = await response.json(content_type=None)
    elif content_type.startswith("text/"):
        body = raw.decode()
    return Reply(response.status, body, response.headers)


class Graph:
    """A minimal Graph caller for tests: base URL + bearer token, JSON in, :class:`Reply` out."""

    def __init__(self, http: aiohttp.ClientSession, fake: FakeServer, token: str) -> None:
        self.http, self.fake, self.token = http, fake, token

    async def call(
        self,
        method: str,
        path: str,
        *,
        json: Any = None,
        params: dict[str, str] | None = None,
        headers: dict[str, str] | None = None,
        data: bytes | None = None,
    ) -> Reply:
        url = path if path.startswith("https://") else self.fake.graph_url + path
        all_headers = {"Authorization": f"Bearer {self.token}", **(headers or {})}
        async with self.http.request(
            method, url, json=json, params=params, headers=all_headers, data=data
        ) as resp:
            return await _reply(resp)

    async def get(self, path: str, **kwargs: Any) -> Reply:
        return await self.call("GET", path, **kwargs)

    async def post(self, path: str, body: Any = None, **kwargs: Any) -> Reply:
        return await self.call("POST", path, json=body, **kwargs)

    async def patch(self, path: str, body: Any = None, **kwargs: Any) -> Reply:
        return await self.call("PATCH", path, json=body, **kwargs)

    async def delete(self, path: str, **kwargs: Any) -> Reply:
        return await self.call("DELETE", path, **kwargs)


class Admin:
    """The ``/_fake`` admin API."""

    def __init__(self, http: aiohttp.ClientSession, fake: FakeServer) -> None:
        self.http, self.fake = http, fake

    async def call(self, method: str, path: str, body: Any = None) -> Reply:
        async with self.http.request(method, self.fake.admin_url + path, json=body) as resp:
            return await _reply(resp)

    async def token(self, upn: str = UPN, **extra: Any) -> str:
        reply = await self.call("POST", "/token", {"upn": upn, **extra})
        assert reply.status == 200, reply.body
        return reply.body["access_token"]

    async def faults(self, **changes: Any) -> Reply:
        reply = await self.call("POST", "/faults", changes)
        assert reply.status == 200, reply.body
        return reply

    async def requests(self) -> list[dict[str, Any]]:
        return (await self.call("GET", "/requests")).body["requests"]


def client_ssl(fake: FakeServer) -> ssl.SSLContext:
    return ssl.create_default_context(cafile=fake.ca_file)


@pytest.fixture
async def fake() -> AsyncIterator[FakeServer]:
    server = await start_fake(device_interval=1)  # Microsoft's 5 s would slow the MSAL tests down
    try:
        yield server
    finally:
        await server.close()


@pytest.fixture
async def http(fake: FakeServer) -> AsyncIterator[aiohttp.ClientSession]:
    connector = aiohttp.TCPConnector(ssl=client_ssl(fake), limit=50)
    async with aiohttp.ClientSession(connector=connector) as session:
        yield session


@pytest.fixture
def admin(http: aiohttp.ClientSession, fake: FakeServer) -> Admin:
    return Admin(http, fake)


@pytest.fixture
async def graph(http: aiohttp.ClientSession, fake: FakeServer, admin: Admin) -> Graph:
    """Graph as the signed-in user ``carine@contoso.test`` (token from the admin API)."""
    return Graph(http, fake, await admin.token(UPN))


@pytest.fixture
async def calendar_id(graph: Graph) -> str:
    reply = await graph.get("/me/calendars", params={"$filter": "name eq 'Calendar'"})
    return reply.body["value"][0]["id"]


def event_body(
    subject: str = "Meeting",
    start: str = "2024-05-06T09:00:00",
    end: str = "2024-05-06T10:00:00",
    tz: str = "Romance Standard Time",
    **extra: Any,
) -> dict[str, Any]:
    return {
        "subject": subject,
        "start": {"dateTime": start, "timeZone": tz},
        "end": {"dateTime": end, "timeZone": tz},
        **extra,
    }
