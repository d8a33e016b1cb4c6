"""The Graph client against the fake Microsoft 365 over HTTPS: paging, `$batch` splitting and retries,
throttling and 503 with Retry-After, dropped connections, 401 refresh, errors, photos, `Prefer`."""

from __future__ import annotations

import asyncio
import base64
import itertools
import time
from collections.abc import AsyncIterator
from typing import Any

import pytest

from tests.integration.conftest import UPN, ThreadedFake
from tui_sync import texts
from tui_sync.microsoft.errors import (
    AuthExpired,
    ConnectionLost,
    GraphError,
    ItemGone,
    MicrosoftError,
    ReconnectNeeded,
    Throttled,
)
from tui_sync.microsoft.graph import GraphClient, Request, RetryPolicy, merge_prefer, parse_retry_after

FAST = RetryPolicy(backoff_base=0.01, backoff_cap=0.05)
JPEG = b"\xff\xd8\xff\xe0" + bytes(range(256)) * 8
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 300


def static_provider(token: str):
    async def provide(refused: str | None = None) -> str:
        return token

    return provide


@pytest.fixture
async def graph(fake: ThreadedFake) -> AsyncIterator[GraphClient]:
    async with GraphClient(
        fake.graph_url, static_provider(fake.token(UPN)), ca_file=fake.ca_file, retry=FAST, user_code="CARINE"
    ) as client:
        yield client


def graph_calls(fake: ThreadedFake) -> list[dict[str, Any]]:
    return [r for r in fake.requests() if r["path"].startswith("/v1.0")]


def contact(n: int) -> dict[str, Any]:
    return {"givenName": f"First{n}", "surname": f"LAST{n:03d}"}


async def calendar_id(graph: GraphClient) -> str:
    calendars = await graph.get_all("/me/calendars", {"$filter": "name eq 'Calendar'"})
    return calendars[0]["id"]


def event(subject: str, **extra: Any) -> dict[str, Any]:
    return {
        "subject": subject,
        "start": {"dateTime": "2024-05-06T09:00:00", "timeZone": "Romance Standard Time"},
        "end": {"dateTime": "2024-05-06T10:00:00", "timeZone": "Romance Standard Time"},
        **extra,
    }


async def test_batch_splits_into_equal_batches_and_keeps_the_order(
    fake: ThreadedFake, graph: GraphClient
) -> None:
    fake.clear_requests()
    results = await graph.batch([Request("POST", "/me/contacts", contact(n)) for n in range(45)])

    assert [r.status for r in results] == [201] * 45
    assert [r.json()["surname"] for r in results] == [f"LAST{n:03d}" for n in range(45)]
    batches = [r for r in graph_calls(fake) if r["path"].endswith("$batch")]
    assert sorted(len(b["sub_requests"]) for b in batches) == [11, 11, 11, 12]  # four lanes, even
    assert (graph.requests, graph.sub_requests, graph.retries) == (4, 45, 0)
    stored = await graph.get_all("/me/contacts", {"$select": "surname", "$top": 1000})
    assert len(stored) == 45

    fake.clear_requests()  # what fits in one batch goes in one (parallel) batch
    assert [r.status for r in await graph.batch([Request("GET", "/me")] * 20)] == [200] * 20
    assert [len(r["sub_requests"]) for r in graph_calls(fake)] == [20]


async def test_batches_keep_the_mailbox_slots_busy_without_exceeding_them(
    fake: ThreadedFake, graph: GraphClient
) -> None:
    """Several serial batches in flight at once, one slot each: the mailbox serves 4 operations at
    once and never a fifth (Outlook would answer it 429), plain requests sent meanwhile included."""
    fake.faults(latency_ms=5)
    fake.clear_requests()
    written, plain = await asyncio.gather(
        graph.batch([Request("POST", "/me/contacts", contact(n)) for n in range(100)]),
        asyncio.gather(*(graph.get("/me") for _ in range(6))),
    )
    assert [r.status for r in written] == [201] * 100 and len(plain) == 6
    statuses = [s["status"] for r in graph_calls(fake) for s in r["sub_requests"] or [r]]
    assert 429 not in statuses and graph.retries == 0
    peak = fake.peak()
    assert peak["open"] > 1  # several `$batch` requests (and plain ones) in flight together
    assert peak["in_flight"] == 4  # … all four slots used, never more


async def test_paging_follows_next_links(fake: ThreadedFake, graph: GraphClient) -> None:
    await graph.batch([Request("POST", "/me/contacts", contact(n)) for n in range(25)])
    fake.clear_requests()
    pages = [page async for page in graph.pages("/me/contacts", {"$select": "surname", "$top": 10})]

    assert [len(p) for p in pages] == [10, 10, 5]
    names = sorted(c["surname"] for page in pages for c in page)
    assert names == [f"LAST{n:03d}" for n in range(25)]
    assert len(graph_calls(fake)) == 3
    assert len(await graph.get_all("/me/contacts", {"$top": 7})) == 25


async def test_throttled_sub_requests_are_retried_on_their_own(
    fake: ThreadedFake, graph: GraphClient
) -> None:
    fake.faults(throttle_rate=0.4, retry_after=0.02, seed=7)
    fake.clear_requests()
    results = await graph.batch([Request("POST", "/me/contacts", contact(n)) for n in range(20)])
    fake.faults(throttle_rate=0.0)

    assert [r.status for r in results] == [201] * 20
    log = graph_calls(fake)
    subs = [s for r in log if r["path"].endswith("$batch") for s in r["sub_requests"]]
    throttled = [s for s in subs if s["status"] == 429]
    assert throttled  # the fault did bite …
    assert len([s for s in subs if s["status"] == 201]) == 20  # … and each contact was created once
    batches = [r for r in log if r["path"].endswith("$batch")]
    assert len(batches[0]["sub_requests"]) == 20
    for previous, following in itertools.pairwise(batches):  # only the throttled go again
        assert len(following["sub_requests"]) == [s["status"] for s in previous["sub_requests"]].count(429)
    assert (graph.sub_requests, graph.retries) == (len(subs), len(throttled))
    stored = await graph.get_all("/me/contacts", {"$top": 1000})
    assert len(stored) == 20


async def test_503_retry_after_is_obeyed(fake: ThreadedFake, graph: GraphClient) -> None:
    fake.faults(error_503_rate=0.5, retry_after=0.05, seed=3)
    fake.clear_requests()
    started = time.monotonic()
    for _ in range(6):
        assert (await graph.get("/me"))["userPrincipalName"] == UPN
    elapsed = time.monotonic() - started
    statuses = [r["status"] for r in graph_calls(fake)]
    unavailable = statuses.count(503)
    assert unavailable >= 1 and statuses.count(200) == 6
    assert elapsed >= unavailable * 0.05 * 0.95  # waited Retry-After after each 503
    assert graph.retries == unavailable


async def test_throttling_that_never_ends_is_one_clear_error(fake: ThreadedFake, graph: GraphClient) -> None:
    fake.faults(error_503_rate=1.0, retry_after=0.01)
    with pytest.raises(Throttled) as caught:
        await graph.get("/me")
    assert caught.value.attempts == FAST.max_attempts
    assert "throttling" in str(caught.value) and "try again later" in str(caught.value)
    assert len(graph_calls(fake)) == FAST.max_attempts


async def test_a_failure_in_a_serial_batch_costs_the_others_nothing(fake: ThreadedFake) -> None:
    """A sub-request that fails makes the ones after it in its serial batch fail with 424 (they
    depend on it): those are sent again at once, and only the failed one comes back as an error.
    The client backs off 30 s before a retry, so "at once" is told apart from a back-off however
    loaded the machine is."""
    patient = RetryPolicy(backoff_base=30.0, backoff_cap=30.0)
    async with GraphClient(
        fake.graph_url,
        static_provider(fake.token(UPN)),
        ca_file=fake.ca_file,
        retry=patient,
        user_code="CARINE",
    ) as graph:
        created = await graph.post("/me/contacts", contact(0))
        await graph.delete(f"/me/contacts/{created['id']}")
        requests = [Request("POST", "/me/contacts", contact(n)) for n in range(1, 41)]
        requests[3] = Request("PATCH", f"/me/contacts/{created['id']}", {"givenName": "Gone"})
        sent, started = graph.requests, time.monotonic()
        results = await graph.batch(requests)

        assert [r.status for r in results] == [201] * 3 + [404] + [201] * 36
        assert time.monotonic() - started < 10  # no back-off wait (15 s at least): nothing was throttled
        assert results[3].attempts == 1 and graph.requests - sent == 5  # four lanes, the rest of one again
        assert len(await graph.get_all("/me/contacts", {"$top": 1000})) == 39  # each created once


async def test_whole_batch_424_is_retried(fake: ThreadedFake, graph: GraphClient) -> None:
    # The whole-batch 424 says Retry-After: 0.2; the fault is lifted once the fake has answered the
    # first failed batch, which leaves the client 5 retries (1 s) to see it lifted however loaded the
    # machine is.
    graph.retry = RetryPolicy(backoff_base=0.01, backoff_cap=0.05, max_retry_after=0.2)
    fake.faults(batch_424=True, retry_after=0.2)

    async def heal() -> None:
        while not any(r["path"].endswith("$batch") for r in await asyncio.to_thread(graph_calls, fake)):
            await asyncio.sleep(0.01)
        await asyncio.to_thread(fake.faults, batch_424=False)

    healer = asyncio.create_task(heal())
    results = await graph.batch([Request("POST", "/me/contacts", contact(n)) for n in range(3)])
    await healer
    assert [r.status for r in results] == [201] * 3
    assert len(await graph.get_all("/me/contacts")) == 3
    assert graph.retries >= 3


async def test_at_most_four_requests_in_flight(fake: ThreadedFake, graph: GraphClient) -> None:
    """The fake answers 429 past 4 concurrent requests per mailbox, like Outlook: none may be seen."""
    fake.faults(latency_ms=30)
    fake.clear_requests()
    results = await asyncio.gather(*(graph.get("/me") for _ in range(12)))
    assert len(results) == 12
    assert [r["status"] for r in graph_calls(fake)] == [200] * 12


async def test_dropped_connection_retried_for_idempotent_requests(
    fake: ThreadedFake, graph: GraphClient
) -> None:
    calendar = await calendar_id(graph)
    fake.faults(drop_after=1)  # serve one, drop the next, serve one, …
    await graph.get("/me")  # served
    fake.clear_requests()
    assert (await graph.get("/me"))["userPrincipalName"] == UPN  # dropped, then retried
    assert [r.get("dropped", False) for r in graph_calls(fake)] == [True, False]

    # A POST with a transactionId is safe to repeat: retried, and created once.
    body = event("Idempotent", transactionId="crm-action-42")
    created = await graph.post(f"/me/calendars/{calendar}/events", body)  # dropped, then retried
    await graph.get("/me")  # served … the next one is dropped:
    with pytest.raises(ConnectionLost) as caught:
        await graph.post(f"/me/calendars/{calendar}/events", event("Not idempotent"))
    fake.faults(drop_after=None)
    assert "not retried" in str(caught.value)
    subjects = [e["subject"] for e in await graph.get_all(f"/me/calendars/{calendar}/events")]
    assert subjects == ["Idempotent"]
    assert created["subject"] == "Idempotent"


async def test_401_refreshes_the_refused_token_at_most_twice_then_asks_to_reconnect(
    fake: ThreadedFake,
) -> None:
    issued: list[str] = []

    async def provide(refused: str | None = None) -> str:
        if refused is not None or not issued:
            issued.append(await asyncio.to_thread(fake.token, UPN))
            if len(issued) == 2:  # the fresh token expires too before the request goes (it queued)
                fake.faults(expire_tokens=True)
        return issued[-1]

    async with GraphClient(
        fake.graph_url, provide, ca_file=fake.ca_file, retry=FAST, user_code="CARINE"
    ) as graph:
        await graph.get("/me")
        fake.faults(expire_tokens=True)
        assert (await graph.get("/me"))["userPrincipalName"] == UPN
        assert len(issued) == 3

    async with GraphClient(
        fake.graph_url, static_provider("not-a-token"), ca_file=fake.ca_file, user_code="CARINE"
    ) as graph:
        with pytest.raises(AuthExpired) as caught:
            await graph.get("/me")
    assert isinstance(caught.value, ReconnectNeeded)
    assert "tui-sync connect --user CARINE" in str(caught.value) and "not-a-token" not in str(caught.value)
    assert graph.requests == 3


async def test_a_401_inside_a_batch_refreshes_and_sends_those_sub_requests_again(
    fake: ThreadedFake,
) -> None:
    issued: list[str] = []
    refused: list[str | None] = []

    async def provide(refused_token: str | None = None) -> str:
        refused.append(refused_token)
        if refused_token is not None or not issued:
            issued.append(await asyncio.to_thread(fake.token, UPN))
        return issued[-1]

    async with GraphClient(
        fake.graph_url, provide, ca_file=fake.ca_file, retry=FAST, user_code="CARINE"
    ) as graph:
        fake.faults(batch_401=1)  # the token is refused inside the batch, not at its door
        answers = await graph.batch([Request("POST", "/me/contacts", contact(n)) for n in range(3)])
        assert [a.status for a in answers] == [201] * 3
        assert len(issued) == 2 and issued[0] in refused  # one refresh, of the token refused
        assert len(await graph.get_all("/me/contacts")) == 3

        fake.faults(batch_401=3)  # refused again with each fresh token: reconnect
        with pytest.raises(AuthExpired) as caught:
            await graph.batch([Request("POST", "/me/contacts", contact(9))])
    assert "tui-sync connect --user CARINE" in str(caught.value)
    assert len(issued) == 4 and issued[2] in refused  # each refresh replaced the token just refused


async def test_errors_are_matched_on_the_graph_code(graph: GraphClient) -> None:
    created = await graph.post("/me/contacts", contact(1))
    await graph.delete(f"/me/contacts/{created['id']}")
    with pytest.raises(ItemGone) as caught:
        await graph.get(f"/me/contacts/{created['id']}")
    assert caught.value.status == 404 and caught.value.code == "ErrorItemNotFound"
    with pytest.raises(GraphError) as bad:
        await graph.post("/me/contacts", {"noSuchProperty": 1})
    assert bad.value.status == 400 and "noSuchProperty" in str(bad.value)


async def test_photos_raw_and_in_a_batch(fake: ThreadedFake, graph: GraphClient) -> None:
    first, second = [await graph.post("/me/contacts", contact(n)) for n in (1, 2)]
    assert await graph.get_bytes(f"/me/contacts/{first['id']}/photo/$value") is None
    await graph.put_bytes(f"/me/contacts/{first['id']}/photo/$value", JPEG, "image/jpeg")
    assert await graph.get_bytes(f"/me/contacts/{first['id']}/photo/$value") == JPEG

    results = await graph.batch(
        [
            Request("PUT", f"/me/contacts/{second['id']}/photo/$value", PNG, content_type="image/png"),
            Request("GET", f"/me/contacts/{first['id']}/photo/$value"),
        ]
    )
    assert results[0].status in (200, 204) and results[1].status == 200
    assert results[1].content == JPEG
    assert await graph.get_bytes(f"/me/contacts/{second['id']}/photo/$value") == PNG


async def test_prefer_headers_give_text_bodies(graph: GraphClient) -> None:
    calendar = await calendar_id(graph)
    html = {"contentType": "html", "content": "<html><body><p>Call <b>Paul</b></p></body></html>"}
    created = await graph.post(f"/me/calendars/{calendar}/events", event("Body", body=html))
    read = await graph.get(f"/me/events/{created['id']}")
    assert read["body"]["contentType"] == "text" and "<" not in read["body"]["content"]
    batch = await graph.batch([Request("GET", f"/me/events/{created['id']}", params={"$select": "body"})])
    assert batch[0].json()["body"]["contentType"] == "text"


async def test_a_next_link_to_another_host_is_refused(graph: GraphClient) -> None:
    with pytest.raises(MicrosoftError) as caught:
        await graph.get("https://attacker.example/v1.0/me")
    assert str(caught.value) == texts.microsoft.graph_foreign_link("https://attacker.example/v1.0/me")
    assert graph.requests == 0


def test_helpers() -> None:
    assert parse_retry_after("2.128") == pytest.approx(2.128)
    assert (
        parse_retry_after("") is None
        and parse_retry_after(None) is None
        and parse_retry_after("soon") is None
    )
    assert parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT") == 0.0
    assert merge_prefer('IdType="ImmutableId"', 'odata.maxpagesize=1000, IdType="ImmutableId"') == (
        'IdType="ImmutableId", odata.maxpagesize=1000'
    )
    policy = RetryPolicy(backoff_base=1.0, backoff_cap=8.0)
    assert policy.delay(1, "0.25") == 0.25
    assert all(0.5 <= policy.delay(1, None) <= 1.0 for _ in range(50))
    assert all(4.0 <= policy.delay(10, None) <= 8.0 for _ in range(50))
    assert base64.b64decode(base64.b64encode(JPEG)) == JPEG


async def test_sub_requests_throttled_to_the_end_come_back_as_errors(
    fake: ThreadedFake, graph: GraphClient
) -> None:
    fake.faults(throttle_rate=1.0, retry_after=0.01)
    results = await graph.batch([Request("POST", "/me/contacts", contact(n)) for n in range(2)])
    fake.faults(throttle_rate=0.0)
    assert [r.status for r in results] == [429, 429]
    error = results[0].error("CARINE")
    assert isinstance(error, Throttled) and error.attempts == FAST.max_attempts
    assert str(error) == texts.microsoft.graph_throttled(FAST.max_attempts)
    assert await graph.get_all("/me/contacts") == []
