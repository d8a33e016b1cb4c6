"""Single events: create/read/update/delete, changeKeys, transactionId, extended properties, bodies, zones."""

from __future__ import annotations

import re

from fake_microsoft365 import FakeServer

from .conftest import CRM_PROP, Admin, Graph, event_body

STAMP = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{7}$")
INSTANT = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{7}Z$")
TEXT = 'outlook.body-content-type="text"'


async def test_create_get_shape(graph: Graph, calendar_id: str) -> None:
    body = event_body(
        location={"displayName": "Salle 2"},
        categories=["Rendez-vous"],
        sensitivity="private",
        isReminderOn=True,
        reminderMinutesBeforeStart=30,
        body={"contentType": "text", "content": "Line 1\nLine <2>"},
    )
    created = await graph.post(f"/me/calendars/{calendar_id}/events", body)
    assert created.status == 201, created.body
    event = created.body
    assert event["type"] == "singleInstance"
    assert event["seriesMasterId"] is None
    assert event["subject"] == "Meeting"
    assert event["location"]["displayName"] == "Salle 2"
    assert event["categories"] == ["Rendez-vous"]
    assert event["sensitivity"] == "private"
    assert (event["isReminderOn"], event["reminderMinutesBeforeStart"]) == (True, 30)
    assert event["@odata.etag"] == f'W/"{event["changeKey"]}"'
    assert INSTANT.match(event["lastModifiedDateTime"]) and INSTANT.match(event["createdDateTime"])
    # UTC with 7 fractional digits by default (Paris is UTC+2 in May)
    assert event["start"] == {"dateTime": "2024-05-06T07:00:00.0000000", "timeZone": "UTC"}
    assert event["end"] == {"dateTime": "2024-05-06T08:00:00.0000000", "timeZone": "UTC"}
    assert event["originalStartTimeZone"] == "Romance Standard Time"
    assert event["isAllDay"] is False
    # HTML with a full wrapper unless text is asked for
    assert event["body"]["contentType"] == "html"
    assert event["body"]["content"].startswith("<html>")
    assert "Line &lt;2&gt;" in event["body"]["content"]
    assert "singleValueExtendedProperties" not in event
    assert "transactionId" not in event

    fetched = await graph.get(
        f"/me/events/{event['id']}", headers={"Prefer": f'{TEXT}, IdType="ImmutableId"'}
    )
    assert fetched.body["body"] == {"contentType": "text", "content": "Line 1\nLine <2>"}
    assert fetched.headers["Preference-Applied"] == f'{TEXT}, IdType="ImmutableId"'
    same = await graph.get(f"/me/calendars/{calendar_id}/events/{event['id']}")
    assert same.body["id"] == event["id"]
    assert (await graph.get(f"/me/calendar/events/{event['id']}")).status == 200


async def test_time_zone_preference_and_iana_input(graph: Graph, calendar_id: str) -> None:
    created = await graph.post(
        f"/me/calendars/{calendar_id}/events",
        event_body(start="2024-01-15T09:30:00", end="2024-01-15T10:00:00", tz="Europe/Paris"),
    )
    assert created.body["start"]["dateTime"] == "2024-01-15T08:30:00.0000000"
    for zone, expected in [
        ("Pacific Standard Time", "2024-01-15T00:30:00.0000000"),
        ("Romance Standard Time", "2024-01-15T09:30:00.0000000"),
        ("W. Europe Standard Time", "2024-01-15T09:30:00.0000000"),
        ("GMT Standard Time", "2024-01-15T08:30:00.0000000"),
        ("Eastern Standard Time", "2024-01-15T03:30:00.0000000"),
        ("Europe/Paris", "2024-01-15T09:30:00.0000000"),
    ]:
        reply = await graph.get(
            f"/me/events/{created.body['id']}", headers={"Prefer": f'outlook.timezone="{zone}"'}
        )
        assert reply.body["start"] == {"dateTime": expected, "timeZone": zone}
        assert STAMP.match(reply.body["end"]["dateTime"])
    bad = await graph.post(f"/me/calendars/{calendar_id}/events", event_body(tz="Mars/Olympus"))
    assert (bad.status, bad.code) == (400, "TimeZoneNotSupportedException")


async def test_all_day_event(graph: Graph, calendar_id: str) -> None:
    created = await graph.post(
        f"/me/calendars/{calendar_id}/events",
        event_body(start="2024-05-08T00:00:00", end="2024-05-09T00:00:00", isAllDay=True),
    )
    assert created.status == 201, created.body
    assert created.body["isAllDay"] is True
    # all-day events are floating dates: midnight in whatever zone is asked for
    assert created.body["start"] == {"dateTime": "2024-05-08T00:00:00.0000000", "timeZone": "UTC"}
    pacific = await graph.get(
        f"/me/events/{created.body['id']}", headers={"Prefer": 'outlook.timezone="Pacific Standard Time"'}
    )
    assert pacific.body["end"] == {
        "dateTime": "2024-05-09T00:00:00.0000000",
        "timeZone": "Pacific Standard Time",
    }
    not_midnight = await graph.post(
        f"/me/calendars/{calendar_id}/events",
        event_body(start="2024-05-08T10:00:00", end="2024-05-09T00:00:00", isAllDay=True),
    )
    assert not_midnight.status == 400


async def test_patch_renews_change_key_and_if_match(graph: Graph, calendar_id: str) -> None:
    created = (await graph.post(f"/me/calendars/{calendar_id}/events", event_body())).body
    patched = await graph.patch(
        f"/me/events/{created['id']}",
        {
            "subject": "Moved",
            "start": {"dateTime": "2024-05-06T11:00:00", "timeZone": "UTC"},
            "end": {"dateTime": "2024-05-06T12:00:00", "timeZone": "UTC"},
        },
        headers={"If-Match": created["@odata.etag"]},
    )
    assert patched.status == 200, patched.body
    assert patched.body["id"] == created["id"]
    assert patched.body["subject"] == "Moved"
    assert patched.body["changeKey"] != created["changeKey"]
    assert patched.body["lastModifiedDateTime"] >= created["lastModifiedDateTime"]
    assert patched.body["start"]["dateTime"] == "2024-05-06T11:00:00.0000000"
    assert patched.body["location"] == created["location"]

    stale = await graph.patch(
        f"/me/events/{created['id']}", {"subject": "Lost"}, headers={"If-Match": created["@odata.etag"]}
    )
    assert (stale.status, stale.code) == (412, "ErrorIrresolvableConflict")
    stale_delete = await graph.delete(
        f"/me/events/{created['id']}", headers={"If-Match": created["@odata.etag"]}
    )
    assert stale_delete.status == 412
    assert (await graph.get(f"/me/events/{created['id']}")).body["subject"] == "Moved"
    assert (await graph.delete(f"/me/events/{created['id']}")).status == 204


async def test_transaction_id_makes_post_idempotent(fake: FakeServer, graph: Graph, calendar_id: str) -> None:
    body = event_body(transactionId="crm-action-42")
    first = await graph.post(f"/me/calendars/{calendar_id}/events", body)
    second = await graph.post(f"/me/calendars/{calendar_id}/events", body)
    assert first.status == second.status == 201
    assert first.body["id"] == second.body["id"]
    assert first.body["transactionId"] == "crm-action-42"
    listed = await graph.get(f"/me/calendars/{calendar_id}/events")
    assert len(listed.body["value"]) == 1


async def test_extended_properties_filter_and_expand(graph: Graph, calendar_id: str) -> None:
    stamp = [{"id": CRM_PROP, "value": "A-1"}]
    one = await graph.post(
        f"/me/calendars/{calendar_id}/events", event_body(singleValueExtendedProperties=stamp)
    )
    await graph.post(f"/me/calendars/{calendar_id}/events", event_body(subject="Other"))
    assert "singleValueExtendedProperties" not in one.body
    expand = f"singleValueExtendedProperties($filter=id eq '{CRM_PROP}')"
    fetched = await graph.get(f"/me/events/{one.body['id']}", params={"$expand": expand})
    assert fetched.body["singleValueExtendedProperties"] == stamp

    flt = f"singleValueExtendedProperties/Any(ep: ep/id eq '{CRM_PROP}' and ep/value eq 'A-1')"
    found = await graph.get(f"/me/calendars/{calendar_id}/events", params={"$filter": flt, "$expand": expand})
    assert [(e["id"], e["singleValueExtendedProperties"]) for e in found.body["value"]] == [
        (one.body["id"], stamp)
    ]
    none = await graph.get("/me/events", params={"$filter": flt.replace("A-1", "A-2")})
    assert none.body["value"] == []

    # PATCH replaces the value; other events don't get the property in $expand
    await graph.patch(
        f"/me/events/{one.body['id']}", {"singleValueExtendedProperties": [{"id": CRM_PROP, "value": "A-9"}]}
    )
    listed = await graph.get(f"/me/calendars/{calendar_id}/events", params={"$expand": expand})
    values = {e["subject"]: e.get("singleValueExtendedProperties") for e in listed.body["value"]}
    assert values == {"Meeting": [{"id": CRM_PROP, "value": "A-9"}], "Other": None}


async def test_invalid_bodies(graph: Graph, calendar_id: str) -> None:
    url = f"/me/calendars/{calendar_id}/events"
    unknown = await graph.post(url, event_body(colour="red"))
    assert (unknown.status, unknown.code) == (400, "RequestBodyRead")
    assert "colour" in unknown.body["error"]["message"]
    assert (await graph.post(url, event_body(sensitivity="secret"))).code == "RequestBodyRead"
    assert (await graph.post(url, event_body(isReminderOn="yes"))).code == "RequestBodyRead"
    assert (await graph.post(url, event_body(categories="Appel"))).code == "RequestBodyRead"
    assert (await graph.post(url, event_body(start="tomorrow"))).code == "RequestBodyRead"
    assert (
        await graph.post(url, event_body(body={"contentType": "rtf", "content": ""}))
    ).code == "RequestBodyRead"
    assert (
        await graph.call("POST", url, data=b"{not json", headers={"Content-Type": "application/json"})
    ).status == 400
    assert (await graph.post(url, {"subject": "no times"})).status == 400
    ext = [{"id": "nonsense", "value": "x"}]
    assert (await graph.post(url, event_body(singleValueExtendedProperties=ext))).status == 400
    # nothing was created by the refused requests
    assert (await graph.get(url)).body["value"] == []
    # read-only properties are tolerated
    ok = await graph.post(url, event_body(id="ignored", changeKey="x", type="singleInstance"))
    assert ok.status == 201


async def test_html_body_back_as_text(graph: Graph, calendar_id: str) -> None:
    html_body = {"contentType": "HTML", "content": "<p>Hello <b>you</b></p><p>Bye&amp;co</p>"}
    created = await graph.post(f"/me/calendars/{calendar_id}/events", event_body(body=html_body))
    assert created.body["body"]["contentType"] == "html"
    assert "<html>" in created.body["body"]["content"]
    as_text = await graph.get(f"/me/events/{created.body['id']}", headers={"Prefer": TEXT})
    assert as_text.body["body"] == {"contentType": "text", "content": "Hello you\nBye&co"}


async def test_calendar_view_single_events_paging_select(graph: Graph, calendar_id: str) -> None:
    for day in range(1, 26):
        await graph.post(
            f"/me/calendars/{calendar_id}/events",
            event_body(
                subject=f"E{day:02d}",
                start=f"2024-06-{day:02d}T09:00:00",
                end=f"2024-06-{day:02d}T10:00:00",
                tz="UTC",
            ),
        )
    params = {
        "startDateTime": "2024-06-03T00:00:00Z",
        "endDateTime": "2024-06-23T00:00:00Z",
        "$select": "subject,start,end",
    }
    first = await graph.get(
        f"/me/calendars/{calendar_id}/calendarView", params=params, headers={"Prefer": "odata.maxpagesize=8"}
    )
    assert first.status == 200
    assert "odata.maxpagesize=8" in first.headers["Preference-Applied"]
    subjects = [e["subject"] for e in first.body["value"]]
    assert subjects == [f"E{d:02d}" for d in range(3, 11)]
    assert set(first.body["value"][0]) == {"@odata.etag", "id", "subject", "start", "end"}
    link = first.body["@odata.nextLink"]
    assert link.startswith(graph.fake.graph_url + "/me/calendars/")
    while link:
        page = await graph.get(link, headers={"Prefer": "odata.maxpagesize=8"})
        subjects += [e["subject"] for e in page.body["value"]]
        link = page.body.get("@odata.nextLink")
    assert subjects == [f"E{d:02d}" for d in range(3, 23)]

    # default page size is 10; $top sets the page size; window bounds honour their offset
    default = await graph.get("/me/calendarView", params=params)
    assert len(default.body["value"]) == 10
    top = await graph.get("/me/calendarView", params={**params, "$top": "3"})
    assert len(top.body["value"]) == 3 and "@odata.nextLink" in top.body
    offset = await graph.get(
        "/me/calendarView",
        params={"startDateTime": "2024-06-03T10:30:00+02:00", "endDateTime": "2024-06-04T09:30:00+02:00"},
    )
    assert [e["subject"] for e in offset.body["value"]] == ["E03"]
    assert (await graph.get("/me/calendarView")).status == 400
    assert (
        await graph.get("/me/calendarView", params={**params, "$orderby": "start/dateTime"})
    ).status == 200


async def test_events_in_other_calendar_are_separate(graph: Graph, calendar_id: str) -> None:
    crm = (await graph.post("/me/calendars", {"name": "CRM"})).body["id"]
    await graph.post(f"/me/calendars/{crm}/events", event_body(subject="In CRM"))
    await graph.post("/me/events", event_body(subject="In default"))
    window = {"startDateTime": "2024-05-01T00:00:00", "endDateTime": "2024-06-01T00:00:00"}
    in_crm = await graph.get(f"/me/calendars/{crm}/calendarView", params=window)
    in_default = await graph.get(f"/me/calendars/{calendar_id}/calendarView", params=window)
    assert [e["subject"] for e in in_crm.body["value"]] == ["In CRM"]
    assert [e["subject"] for e in in_default.body["value"]] == ["In default"]
    event_id = in_crm.body["value"][0]["id"]
    assert (await graph.get(f"/me/calendars/{calendar_id}/events/{event_id}")).status == 404


async def test_admin_state_sees_events(graph: Graph, admin: Admin, calendar_id: str) -> None:
    await graph.post(f"/me/calendars/{calendar_id}/events", event_body())
    state = (await admin.call("GET", "/state")).body
    [box] = state["mailboxes"]
    assert box["upn"] == "carine@contoso.test"
    assert [event["fields"]["subject"] for event in box["events"]] == ["Meeting"]


async def test_two_prefer_headers_both_apply(graph: Graph, calendar_id: str) -> None:
    for day in (6, 7, 8):
        await graph.post(
            f"/me/calendars/{calendar_id}/events",
            event_body(start=f"2024-05-0{day}T09:00:00", end=f"2024-05-0{day}T10:00:00"),
        )
    headers = [
        ("Authorization", f"Bearer {graph.token}"),
        ("Prefer", 'outlook.timezone="Romance Standard Time"'),
        ("Prefer", "odata.maxpagesize=2"),
    ]
    params = {"startDateTime": "2024-05-01T00:00:00Z", "endDateTime": "2024-06-01T00:00:00Z"}
    async with graph.http.get(
        f"{graph.fake.graph_url}/me/calendarView", params=params, headers=headers
    ) as resp:
        body = await resp.json()
    assert [e["start"]["dateTime"] for e in body["value"]] == [
        "2024-05-06T09:00:00.0000000",
        "2024-05-07T09:00:00.0000000",
    ]
    assert "@odata.nextLink" in body
