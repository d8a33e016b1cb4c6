"""Details of Graph v1.0 the fake keeps: beta-only properties refused in `$select`, `@odata.context` as
Graph writes it (with the `$select`ed properties, the `/instances` of a series), a 401 inside a `$batch`,
and a device code the sign-in service no longer knows."""

from __future__ import annotations

import aiohttp

from fake_microsoft365 import FakeServer, start_fake

from .conftest import Admin, Graph, client_ssl, event_body
from .test_identity import _device_flow, _poll

WINDOW = {"startDateTime": "2026-01-01T00:00:00Z", "endDateTime": "2026-02-01T00:00:00Z"}


async def test_beta_only_properties_cannot_be_selected_in_v1(graph: Graph, calendar_id: str) -> None:
    created = (await graph.post(f"/me/calendars/{calendar_id}/events", event_body())).body
    for path, params in (
        ("/me/events", {}),
        (f"/me/events/{created['id']}", {}),
        ("/me/calendarView", WINDOW),
    ):
        for beta in ("cancelledOccurrences", "exceptionOccurrences"):
            reply = await graph.get(path, params={**params, "$select": f"subject,{beta}"})
            assert (reply.status, reply.code) == (400, "RequestBroker--ParseUri"), (path, beta)
            assert beta in reply.body["error"]["message"]


async def test_the_odata_context_names_the_selected_properties_and_the_instances(
    graph: Graph, calendar_id: str
) -> None:
    weekly = {"pattern": {"type": "weekly", "interval": 1, "daysOfWeek": ["monday"]}}
    weekly["range"] = {"type": "numbered", "startDate": "2026-01-05", "numberOfOccurrences": 3}
    body = event_body(start="2026-01-05T09:00:00", end="2026-01-05T10:00:00", tz="UTC", recurrence=weekly)
    created = await graph.post(f"/me/calendars/{calendar_id}/events", body)
    assert created.status == 201, created.body
    master = created.body
    base = f"{graph.fake.graph_url}/$metadata#users('carine@contoso.test')"

    listed = await graph.get("/me/events", params={"$select": "subject,start"})
    assert listed.body["@odata.context"] == f"{base}/events(subject,start)"
    one = await graph.get(f"/me/events/{master['id']}", params={"$select": "subject"})
    assert one.body["@odata.context"] == f"{base}/events(subject)/$entity"
    assert (await graph.get("/me/events")).body["@odata.context"] == f"{base}/events"
    instances = await graph.get(f"/me/events/{master['id']}/instances", params={**WINDOW, "$select": "start"})
    assert instances.body["@odata.context"] == f"{base}/events('{master['id']}')/instances(start)"
    assert len(instances.body["value"]) == 3
    view = await graph.get("/me/calendarView", params=WINDOW)
    assert view.body["@odata.context"] == f"{base}/calendarView"
    contacts = await graph.get("/me/contacts", params={"$select": "surname"})
    assert contacts.body["@odata.context"] == f"{base}/contacts(surname)"


async def test_a_batch_can_refuse_the_token_of_its_sub_requests(graph: Graph, admin: Admin) -> None:
    await admin.faults(batch_401=1)
    requests = [{"id": str(n), "method": "GET", "url": "/me"} for n in range(2)]
    refused = await graph.post("/$batch", {"requests": requests})
    assert refused.status == 200
    for answer in refused.body["responses"]:
        assert answer["status"] == 401
        assert answer["body"]["error"]["code"] == "InvalidAuthenticationToken"
        assert "WWW-Authenticate" in answer["headers"]
    again = await graph.post("/$batch", {"requests": requests})  # only the next N batches
    assert {a["status"] for a in again.body["responses"]} == {200}


async def test_a_forgotten_device_code_is_bad_verification_code(
    http: aiohttp.ClientSession, fake: FakeServer, admin: Admin
) -> None:
    flow = await _device_flow(http, fake)
    assert (await admin.call("POST", "/device/forget", {"user_code": flow["user_code"]})).status == 200
    status, body = await _poll(http, fake, flow["device_code"])
    assert (status, body["error"]) == (400, "bad_verification_code")


async def test_the_device_flow_asks_for_microsofts_5_second_interval_unless_told_otherwise() -> None:
    for options, interval in (({}, 5), ({"device_interval": 2}, 2)):
        fake = await start_fake(**options)
        try:
            connector = aiohttp.TCPConnector(ssl=client_ssl(fake))
            async with aiohttp.ClientSession(connector=connector) as http:
                assert (await _device_flow(http, fake))["interval"] == interval
        finally:
            await fake.close()
