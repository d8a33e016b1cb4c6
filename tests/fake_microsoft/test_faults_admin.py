"""Faults on demand, the admin API, the request log, reset and --state-dir persistence."""

from __future__ import annotations

import json
import ssl
import time
from pathlib import Path

import aiohttp
import pytest

from fake_microsoft365 import FakeServer, start_fake

from .conftest import UPN, Admin, Graph, client_ssl, event_body


async def test_latency(graph: Graph, admin: Admin) -> None:
    await admin.faults(latency_ms=150)
    started = time.perf_counter()
    assert (await graph.get("/me")).status == 200
    assert time.perf_counter() - started >= 0.14


async def test_network_time_holds_no_slot(graph: Graph, admin: Admin) -> None:
    """Network time is paid per request but holds no slot: 8 requests waiting out their round trip at
    once — more than the mailbox's 4 slots — are all answered, none throttled (were the round trip
    spent holding a slot, the 5th to 8th would get 429 or wait for one). What is checked is what the
    fake saw in flight, not how fast this machine is."""
    import asyncio

    await asyncio.gather(*(graph.get("/me") for _ in range(8)))  # 8 connections open: no handshakes below
    log = graph.fake.service.requests
    log.clear()
    await admin.faults(network_ms=500)
    waiting = 0

    async def watch() -> None:
        nonlocal waiting
        while True:
            waiting = max(waiting, sum(1 for entry in list(log) if entry["status"] == 0))
            await asyncio.sleep(0.005)

    watcher = asyncio.create_task(watch())
    started = time.perf_counter()
    replies = await asyncio.gather(*(graph.get("/me") for _ in range(8)))
    elapsed = time.perf_counter() - started
    watcher.cancel()
    await admin.faults(network_ms=0)
    assert [r.status for r in replies] == [200] * 8
    assert waiting > 4, waiting  # more requests than slots were in their round trip together
    assert elapsed >= 0.49  # and each paid it


async def test_503_with_retry_after(graph: Graph, admin: Admin) -> None:
    await admin.faults(error_503_rate=1.0, retry_after=3)
    reply = await graph.get("/me")
    assert reply.status == 503
    assert reply.headers["Retry-After"] == "3.0"
    assert reply.body["error"]["code"] == "serviceNotAvailable"


async def test_random_faults_are_seeded(graph: Graph, admin: Admin) -> None:
    async def run() -> list[int]:
        await admin.faults(throttle_rate=0.5, seed=1234)
        return [(await graph.get("/me")).status for _ in range(30)]

    first, second = await run(), await run()
    assert first == second
    assert set(first) == {200, 429}


async def test_failed_patches_and_deletes_are_counted(graph: Graph, admin: Admin, calendar_id: str) -> None:
    """``patch_500`` / ``delete_500``: the next N writes of that method answer 500, the rest are served."""
    event = (await graph.post(f"/me/calendars/{calendar_id}/events", event_body())).body
    await admin.faults(patch_500=1, delete_500=1)
    refused = await graph.patch(f"/me/events/{event['id']}", {"subject": "Renamed"})
    assert (refused.status, refused.body["error"]["code"]) == (500, "generalException")
    assert (await graph.patch(f"/me/events/{event['id']}", {"subject": "Renamed"})).status == 200
    assert (await graph.delete(f"/me/events/{event['id']}")).status == 500
    assert (await graph.delete(f"/me/events/{event['id']}")).status == 204


async def test_faults_never_touch_sign_in_or_admin(
    fake: FakeServer, http: aiohttp.ClientSession, admin: Admin
) -> None:
    await admin.faults(throttle_rate=1.0, error_503_rate=1.0, drop_after=0, latency_ms=0)
    async with http.get(f"{fake.authority_host}/common/v2.0/.well-known/openid-configuration") as resp:
        assert resp.status == 200
    async with http.post(
        f"{fake.authority_host}/common/oauth2/v2.0/devicecode",
        data={"client_id": "6731de76-14a6-49ae-97bc-6eba6914391e", "scope": "User.Read"},
    ) as resp:
        assert resp.status == 200
    assert (await admin.call("GET", "/state")).status == 200
    faults = (await admin.call("GET", "/faults")).body
    assert faults == {
        "latency_ms": 0.0,
        "network_ms": 0.0,
        "throttle_rate": 1.0,
        "retry_after": 1.0,
        "error_503_rate": 1.0,
        "drop_after": 0,
        "batch_424": False,
        "batch_401": 0,
        "delete_500": 0,
        "patch_500": 0,
        "garble": 0,
        "garble_after": 0,
        "upload_limit_bytes": 150 * 1024 * 1024,
        "upload_window_s": 300.0,
        "expire_tokens": False,
    }
    assert (await admin.call("POST", "/faults", {"nonsense": 1})).status == 400
    assert (await admin.call("POST", "/faults", {"throttle_rate": 2})).status == 400


async def test_answers_cut_short(graph: Graph, admin: Admin) -> None:
    """`garble`: that many Graph answers, after `garble_after` whole ones, are a 200 that is not JSON."""
    assert (await admin.call("POST", "/faults", {"garble": 1, "garble_after": 1})).status == 200
    assert (await graph.get("/me")).status == 200
    with pytest.raises(json.JSONDecodeError):  # a 200 whose JSON body is cut short
        await graph.get("/me")
    assert isinstance((await graph.get("/me")).body, dict)
    assert (await admin.call("POST", "/faults", {"garble": -1})).status == 400


async def test_dropped_connections(fake: FakeServer, admin: Admin) -> None:
    token = await admin.token()
    await admin.faults(drop_after=2)
    statuses = []
    connector = aiohttp.TCPConnector(ssl=client_ssl(fake), force_close=True)
    async with aiohttp.ClientSession(connector=connector) as http:
        for _ in range(6):
            try:
                async with http.post(
                    f"{fake.graph_url}/me/contacts",
                    json={"givenName": "x"},
                    headers={"Authorization": f"Bearer {token}"},
                ) as resp:
                    statuses.append(resp.status)
            except aiohttp.ClientError:
                statuses.append("dropped")
    assert statuses == [201, 201, "dropped", 201, 201, "dropped"]
    log = await admin.requests()
    assert [entry.get("dropped", False) for entry in log] == [False, False, True, False, False, True]
    await admin.faults(drop_after=None)


async def test_request_log_and_reset(graph: Graph, admin: Admin, calendar_id: str) -> None:
    await admin.call("DELETE", "/requests")
    await graph.post(f"/me/calendars/{calendar_id}/events", event_body())
    await graph.get("/me/events/bad!")
    log = await admin.requests()
    assert [(e["method"], e["status"], e["sub_requests"]) for e in log] == [
        ("POST", 201, []),
        ("GET", 400, []),
    ]
    assert log[0]["path"] == f"/v1.0/me/calendars/{calendar_id}/events"
    assert all(isinstance(e["ms"], float) for e in log)
    assert (await admin.call("DELETE", "/requests")).status == 200
    assert await admin.requests() == []

    await admin.faults(latency_ms=1, network_ms=1)
    assert (await admin.call("POST", "/reset")).status == 200
    assert (await admin.call("GET", "/state")).body == {"mailboxes": []}
    assert (await graph.get("/me")).status == 401  # tokens are forgotten too
    faults = (await admin.call("GET", "/faults")).body
    assert (faults["latency_ms"], faults["network_ms"]) == (0, 0)  # both times back to none


async def test_admin_mailboxes_and_errors(admin: Admin) -> None:
    reply = await admin.call(
        "POST", "/mailboxes", {"upn": "dora@contoso.test", "display_name": "Dora Explorer"}
    )
    assert reply.status == 200
    assert [b["upn"] for b in (await admin.call("GET", "/state")).body["mailboxes"]] == ["dora@contoso.test"]
    assert (await admin.call("POST", "/mailboxes", {})).status == 400
    assert (await admin.call("POST", "/device/approve", {"user_code": "X"})).status == 400


async def test_state_dir_persists_mailboxes_tokens_and_ca(tmp_path: Path) -> None:
    first = await start_fake(state_dir=tmp_path)
    ca_pem = Path(first.ca_file).read_text()
    assert Path(first.ca_file).parent == tmp_path
    token, _ = first.identity.issue_access_token(first.state.ensure(UPN).upn)
    connector = aiohttp.TCPConnector(ssl=ssl.create_default_context(cafile=first.ca_file))
    async with aiohttp.ClientSession(connector=connector) as http:
        graph = Graph(http, first, token)
        await graph.post("/me/events", event_body(transactionId="t-1"))
        contact = (await graph.post("/me/contacts", {"givenName": "Ann"})).body
        await graph.call(
            "PUT",
            f"/me/contacts/{contact['id']}/photo/$value",
            data=b"\xff\xd8jpeg",
            headers={"Content-Type": "image/jpeg"},
        )
    await first.close()
    assert (tmp_path / "state.json").exists()

    second = await start_fake(state_dir=tmp_path)
    try:
        assert Path(second.ca_file).read_text() == ca_pem  # the same CA: clients keep trusting it
        connector = aiohttp.TCPConnector(ssl=ssl.create_default_context(cafile=second.ca_file))
        async with aiohttp.ClientSession(connector=connector) as http:
            graph = Graph(http, second, token)  # the old access token still works
            events = (await graph.get("/me/events")).body["value"]
            assert [e["subject"] for e in events] == ["Meeting"]
            again = await graph.post("/me/events", event_body(transactionId="t-1"))
            assert again.body["id"] == events[0]["id"]
            photo = await graph.get(f"/me/contacts/{contact['id']}/photo/$value")
            assert photo.body == b"\xff\xd8jpeg"
    finally:
        await second.close()


@pytest.mark.parametrize("bad", [{"latency_ms": -1}, {"drop_after": "x"}, {"batch_424": 1}])
async def test_fault_values_are_checked(admin: Admin, bad: dict) -> None:
    assert (await admin.call("POST", "/faults", bad)).status == 400


async def test_python_helpers_for_other_suites(fake: FakeServer) -> None:
    token = fake.issue_token("eve@contoso.test")
    connector = aiohttp.TCPConnector(ssl=fake.client_ssl_context())
    async with aiohttp.ClientSession(connector=connector) as http:
        reply = await Graph(http, fake, token).get("/me")
    assert reply.body["userPrincipalName"] == "eve@contoso.test"
    assert fake.state.get("EVE@contoso.test") is not None
