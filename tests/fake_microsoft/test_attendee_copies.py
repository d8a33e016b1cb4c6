"""What Outlook holds beyond a sync client's own fields: several locations kept in step with `location`,
and an attendee's copy of a meeting its organiser cancelled (`isCancelled`), set through the admin API.

Both from api-reference/v1.0/resources/event.md: "The location and locations properties always
correspond with each other. If you update the location property, any prior locations in the locations
collection would be removed and replaced by the new location value"; isCancelled: "Set to true if the
event has been canceled" (the attendee's copy stays in the calendar)."""

from __future__ import annotations

from .conftest import UPN, Admin, Graph, event_body
from .test_recurrence import _series, weekly

TWO_ROOMS = [{"displayName": "Salle Lyon"}, {"displayName": "Salle Paris"}]


async def test_locations_name_every_room_in_location(graph: Graph, calendar_id: str) -> None:
    created = await graph.post(f"/me/calendars/{calendar_id}/events", event_body(locations=TWO_ROOMS))
    assert created.status == 201, created.body
    assert [loc["displayName"] for loc in created.body["locations"]] == ["Salle Lyon", "Salle Paris"]
    assert created.body["location"]["displayName"] == "Salle Lyon; Salle Paris"


async def test_patching_other_fields_keeps_every_location(graph: Graph, calendar_id: str) -> None:
    created = await graph.post(f"/me/calendars/{calendar_id}/events", event_body(locations=TWO_ROOMS))
    patched = await graph.patch(f"/me/events/{created.body['id']}", {"subject": "Renamed"})
    assert patched.status == 200, patched.body
    assert [loc["displayName"] for loc in patched.body["locations"]] == ["Salle Lyon", "Salle Paris"]


async def test_setting_location_replaces_every_location(graph: Graph, calendar_id: str) -> None:
    created = await graph.post(f"/me/calendars/{calendar_id}/events", event_body(locations=TWO_ROOMS))
    patched = await graph.patch(f"/me/events/{created.body['id']}", {"location": {"displayName": "Visio"}})
    assert [loc["displayName"] for loc in patched.body["locations"]] == ["Visio"]
    cleared = await graph.patch(f"/me/events/{created.body['id']}", {"location": {"displayName": ""}})
    assert cleared.body["locations"] == []


async def test_an_event_is_not_cancelled_and_a_client_cannot_cancel_it(
    graph: Graph, calendar_id: str
) -> None:
    created = await graph.post(f"/me/calendars/{calendar_id}/events", event_body())
    assert (created.body["isCancelled"], created.body["isOrganizer"]) == (False, True)
    patched = await graph.patch(f"/me/events/{created.body['id']}", {"isCancelled": True})
    assert patched.status == 200 and patched.body["isCancelled"] is False  # read-only: ignored


async def test_admin_cancels_an_attendee_copy(graph: Graph, admin: Admin, calendar_id: str) -> None:
    created = await graph.post(f"/me/calendars/{calendar_id}/events", event_body())
    reply = await admin.call("POST", "/events/cancel", {"upn": UPN, "event_id": created.body["id"]})
    assert reply.status == 200, reply.body
    event = (await graph.get(f"/me/events/{created.body['id']}")).body
    assert (event["isCancelled"], event["isOrganizer"]) == (True, False)
    assert event["changeKey"] != created.body["changeKey"]
    view = await graph.get(
        f"/me/calendars/{calendar_id}/calendarView",
        params={"startDateTime": "2024-05-06T00:00:00Z", "endDateTime": "2024-05-07T00:00:00Z"},
    )
    assert [e["isCancelled"] for e in view.body["value"]] == [True]  # it stays in the calendar


async def test_admin_cancels_one_occurrence_of_a_series(graph: Graph, admin: Admin, calendar_id: str) -> None:
    master = await _series(graph, calendar_id, weekly())
    window = {"startDateTime": "2024-03-01T00:00:00Z", "endDateTime": "2024-04-02T00:00:00Z"}
    before = (await graph.get(f"/me/events/{master['id']}/instances", params=window)).body["value"]
    second = sorted(before, key=lambda e: e["start"]["dateTime"])[1]
    reply = await admin.call("POST", "/events/cancel", {"upn": UPN, "event_id": second["id"]})
    assert reply.status == 200, reply.body
    after = (await graph.get(f"/me/events/{master['id']}/instances", params=window)).body["value"]
    assert len(after) == len(before)  # still there, unlike an occurrence the user deleted
    cancelled = [e for e in after if e["isCancelled"]]
    assert [(e["id"], e["type"]) for e in cancelled] == [(second["id"], "exception")]
    assert (await graph.get(f"/me/events/{master['id']}")).body["isCancelled"] is False


async def test_admin_cancels_a_whole_series(graph: Graph, admin: Admin, calendar_id: str) -> None:
    master = await _series(graph, calendar_id, weekly())
    reply = await admin.call("POST", "/events/cancel", {"upn": UPN, "event_id": master["id"]})
    assert reply.status == 200, reply.body
    window = {"startDateTime": "2024-03-01T00:00:00Z", "endDateTime": "2024-04-02T00:00:00Z"}
    after = (await graph.get(f"/me/events/{master['id']}/instances", params=window)).body["value"]
    assert after and all(e["isCancelled"] for e in after)


async def test_admin_cancel_errors(graph: Graph, admin: Admin) -> None:
    unknown = await admin.call("POST", "/events/cancel", {"upn": UPN, "event_id": "AAMkAGnope="})
    assert unknown.status in (400, 404)
    nobody = await admin.call("POST", "/events/cancel", {"upn": "nobody@contoso.test", "event_id": "x"})
    assert nobody.status == 404
    missing = await admin.call("POST", "/events/cancel", {"upn": UPN})
    assert missing.status == 400
