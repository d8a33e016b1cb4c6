"""JSON batching: shapes, limits, dependsOn, binary bodies, and Outlook's per-mailbox concurrency."""

from __future__ import annotations

import asyncio
import base64
import time
from typing import Any

from .conftest import Admin, Graph, event_body

JSON = {"Content-Type": "application/json"}


def by_id(reply) -> dict[str, dict[str, Any]]:
    return {item["id"]: item for item in reply.body["responses"]}


async def test_batch_of_mixed_requests(graph: Graph, admin: Admin, calendar_id: str) -> None:
    existing = (await graph.post(f"/me/calendars/{calendar_id}/events", event_body(subject="Old"))).body
    requests = [
        {
            "id": "1",
            "method": "POST",
            "url": f"/me/calendars/{calendar_id}/events",
            "headers": JSON,
            "body": event_body(subject="New"),
        },
        {
            "id": "2",
            "method": "PATCH",
            "url": f"/me/events/{existing['id']}",
            "headers": JSON,
            "body": {"subject": "Renamed"},
        },
        {
            "id": "3",
            "method": "GET",
            "url": f"me/events/{existing['id']}?$select=subject",
            "headers": {"Prefer": 'outlook.body-content-type="text"'},
        },
        {"id": "4", "method": "DELETE", "url": "/me/events/AAMkAGI2TG93AAA="},
        {"id": "5", "method": "GET", "url": "/me/calendars?$filter=name eq 'Calendar'"},
    ]
    reply = await graph.post("/$batch", {"requests": requests})
    assert reply.status == 200, reply.body
    responses = by_id(reply)
    assert set(responses) == {"1", "2", "3", "4", "5"}
    assert responses["1"]["status"] == 201
    assert responses["1"]["body"]["subject"] == "New"
    assert responses["1"]["headers"]["Content-Type"].startswith("application/json")
    assert responses["2"]["status"] == 200
    assert responses["3"]["body"]["subject"] in {"Old", "Renamed"}  # the two may run at once
    assert responses["4"]["status"] == 400  # malformed id
    assert responses["4"]["body"]["error"]["code"] == "ErrorInvalidIdMalformed"
    assert responses["5"]["body"]["value"][0]["id"] == calendar_id
    assert (await graph.get(f"/me/events/{existing['id']}")).body["subject"] == "Renamed"

    [entry] = [r for r in await admin.requests() if r["path"] == "/v1.0/$batch"]
    assert entry["status"] == 200
    assert [(s["method"], s["status"]) for s in entry["sub_requests"]] == [
        ("POST", 201),
        ("PATCH", 200),
        ("GET", 200),
        ("DELETE", 400),
        ("GET", 200),
    ]
    assert entry["sub_requests"][1]["url"] == f"/me/events/{existing['id']}"


async def test_malformed_batches_are_400(graph: Graph) -> None:
    one = {"id": "1", "method": "GET", "url": "/me"}
    cases = [
        {"requests": [{**one, "id": str(n)} for n in range(21)]},
        {"requests": [one, one]},
        {"requests": [{**one, "id": "a"}, {**one, "id": "A"}]},  # ids are not case-sensitive
        {"requests": [{"id": "1", "method": "POST", "url": "/me/contacts", "body": {"givenName": "x"}}]},
        {"requests": [{**one, "url": "https://graph.microsoft.com/v1.0/me"}]},
        {"requests": [{**one, "dependsOn": ["9"]}]},
        {
            "requests": [
                {**one, "dependsOn": ["2"]},
                {"id": "2", "method": "GET", "url": "/me", "dependsOn": ["1"]},
            ]
        },
        {"requests": []},
        {"nope": []},
    ]
    for body in cases:
        reply = await graph.post("/$batch", body)
        assert (reply.status, reply.code) == (400, "BadRequest"), body
    reply = await graph.post("/$batch", {"requests": [{**one, "id": str(n)} for n in range(20)]})
    assert reply.status == 200
    assert {r["status"] for r in reply.body["responses"]} == {200}


async def test_depends_on_failure_gives_424(graph: Graph) -> None:
    requests = [
        {"id": "a", "method": "GET", "url": "/me"},
        {"id": "b", "method": "GET", "url": "/me/events/AAAAAAAAAAAAAAAAAAAAAAAAAAAA", "dependsOn": ["a"]},
        {"id": "c", "method": "GET", "url": "/me", "dependsOn": ["b"]},
        {"id": "d", "method": "GET", "url": "/me", "dependsOn": ["c"]},
        {"id": "e", "method": "GET", "url": "/me", "dependsOn": ["a"]},
    ]
    responses = by_id(await graph.post("/$batch", {"requests": requests}))
    assert {key: value["status"] for key, value in responses.items()} == {
        "a": 200,
        "b": 400,
        "c": 424,
        "d": 424,
        "e": 200,
    }


async def test_binary_bodies_are_base64(graph: Graph) -> None:
    contact = (await graph.post("/me/contacts", {"givenName": "Ann", "surname": "LEE"})).body
    photo = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4
    url = f"/me/contacts/{contact['id']}/photo/$value"
    put = {
        "id": "1",
        "method": "PUT",
        "url": url,
        "headers": {"Content-Type": "image/png"},
        "body": base64.b64encode(photo).decode(),
    }
    get = {"id": "2", "method": "GET", "url": url, "dependsOn": ["1"]}
    responses = by_id(await graph.post("/$batch", {"requests": [put, get]}))
    assert responses["1"]["status"] == 200
    assert responses["2"]["status"] == 200
    assert responses["2"]["headers"]["Content-Type"] == "image/png"
    assert base64.b64decode(responses["2"]["body"]) == photo
    assert (await graph.get(url)).body == photo
    bad = {**put, "body": "not base64 !!"}
    assert by_id(await graph.post("/$batch", {"requests": [bad]}))["1"]["status"] == 400


async def test_batch_runs_four_at_a_time_and_never_throttles_itself(graph: Graph, admin: Admin) -> None:
    await admin.faults(latency_ms=40)
    started = time.perf_counter()
    reply = await graph.post(
        "/$batch", {"requests": [{"id": str(n), "method": "GET", "url": "/me"} for n in range(20)]}
    )
    elapsed = time.perf_counter() - started
    assert {item["status"] for item in reply.body["responses"]} == {200}
    assert elapsed >= 5 * 0.040 * 0.9  # 20 sub-requests, 4 at a time


async def _warm(graph: Graph, connections: int) -> None:
    """Open keep-alive connections first, so that TLS handshakes don't spread the requests out in time."""
    await asyncio.gather(*(graph.get("/me") for _ in range(connections)))


async def test_more_than_four_concurrent_requests_get_429(graph: Graph, admin: Admin) -> None:
    await _warm(graph, 8)
    await admin.faults(latency_ms=300, retry_after=2.128)
    replies = await asyncio.gather(*(graph.get("/me") for _ in range(8)))
    statuses = sorted(reply.status for reply in replies)
    assert statuses == [200] * 4 + [429] * 4
    throttled = next(reply for reply in replies if reply.status == 429)
    assert throttled.code == "TooManyRequests"
    assert throttled.headers["Retry-After"] == "2.128"
    assert throttled.body["error"]["message"] == "Please retry again later."


async def test_batch_sub_requests_share_the_mailbox_slots(graph: Graph, admin: Admin) -> None:
    await _warm(graph, 3)
    await admin.faults(latency_ms=300)
    batch = asyncio.create_task(
        graph.post("/$batch", {"requests": [{"id": str(n), "method": "GET", "url": "/me"} for n in range(4)]})
    )
    await asyncio.sleep(0.1)
    single = await graph.get("/me")
    assert single.status == 429
    assert {item["status"] for item in (await batch).body["responses"]} == {200}


async def test_random_throttling_per_sub_request_and_whole_batch_424(graph: Graph, admin: Admin) -> None:
    await admin.faults(throttle_rate=1.0, retry_after=0.5)
    reply = await graph.post(
        "/$batch",
        {
            "requests": [
                {"id": "1", "method": "GET", "url": "/me"},
                {"id": "2", "method": "GET", "url": "/me"},
            ]
        },
    )
    assert reply.status == 200
    for item in reply.body["responses"]:
        assert item["status"] == 429
        assert item["headers"]["Retry-After"] == "0.5"
        assert item["body"]["error"]["code"] == "TooManyRequests"

    await admin.faults(throttle_rate=0.0, batch_424=True)
    reply = await graph.post(
        "/$batch",
        {
            "requests": [
                {"id": "1", "method": "GET", "url": "/me"},
                {"id": "2", "method": "GET", "url": "/me"},
            ]
        },
    )
    assert [item["status"] for item in reply.body["responses"]] == [424, 424]
    # retried after the fault's Retry-After, as throttling is (tests keep it short)
    assert [item["headers"]["Retry-After"] for item in reply.body["responses"]] == ["0.5", "0.5"]
    await admin.faults(batch_424=False)
    reply = await graph.post("/$batch", {"requests": [{"id": "1", "method": "GET", "url": "/me"}]})
    assert reply.body["responses"][0]["status"] == 200


async def test_responses_come_in_any_order(graph: Graph) -> None:
    requests = [{"id": str(n), "method": "GET", "url": "/me"} for n in range(20)]
    orders = set()
    for _ in range(3):
        reply = await graph.post("/$batch", {"requests": requests})
        orders.add(tuple(item["id"] for item in reply.body["responses"]))
    assert any(order != tuple(str(n) for n in range(20)) for order in orders)
