"""Series: every pattern and range; occurrences, exceptions, cancellations in calendarView and instances."""

from __future__ import annotations

from typing import Any

import pytest

from .conftest import CRM_PROP, UPN, Admin, Graph, event_body

PARIS = {"Prefer": 'outlook.timezone="Romance Standard Time"'}


def weekly(**range_: Any) -> dict[str, Any]:
    return {
        "pattern": {"type": "weekly", "interval": 1, "daysOfWeek": ["monday"], "firstDayOfWeek": "monday"},
        "range": {"type": "endDate", "startDate": "2024-03-04", "endDate": "2024-04-01", **range_},
    }


async def _series(graph: Graph, calendar_id: str, recurrence: dict[str, Any], **extra: Any) -> dict[str, Any]:
    start = recurrence["range"]["startDate"]
    created = await graph.post(
        f"/me/calendars/{calendar_id}/events",
        event_body(
            subject="Series",
            start=f"{start}T09:00:00",
            end=f"{start}T10:00:00",
            recurrence=recurrence,
            **extra,
        ),
    )
    assert created.status == 201, created.body
    return created.body


async def _dates(graph: Graph, master_id: str, low: str, high: str) -> list[str]:
    reply = await graph.get(
        f"/me/events/{master_id}/instances",
        params={"startDateTime": f"{low}T00:00:00", "endDateTime": f"{high}T00:00:00", "$top": "1000"},
        headers=PARIS,
    )
    assert reply.status == 200, reply.body
    return [item["start"]["dateTime"][:10] for item in reply.body["value"]]


async def test_weekly_series_with_one_exception_and_one_cancellation(graph: Graph, calendar_id: str) -> None:
    master = await _series(
        graph, calendar_id, weekly(), singleValueExtendedProperties=[{"id": CRM_PROP, "value": "S-1"}]
    )
    assert master["type"] == "seriesMaster"
    assert master["recurrence"]["pattern"] == {
        "type": "weekly",
        "interval": 1,
        "month": 0,
        "dayOfMonth": 0,
        "daysOfWeek": ["monday"],
        "firstDayOfWeek": "monday",
        "index": "first",
    }
    assert master["recurrence"]["range"] == {
        "type": "endDate",
        "startDate": "2024-03-04",
        "endDate": "2024-04-01",
        "recurrenceTimeZone": "Romance Standard Time",
        "numberOfOccurrences": 0,
    }
    window = {"startDateTime": "2024-03-01T00:00:00Z", "endDateTime": "2024-04-30T00:00:00Z"}
    view_url = f"/me/calendars/{calendar_id}/calendarView"
    view = (await graph.get(view_url, params=window, headers=PARIS)).body["value"]
    assert [(e["type"], e["start"]["dateTime"]) for e in view] == [
        ("occurrence", f"2024-{d}T09:00:00.0000000") for d in ("03-04", "03-11", "03-18", "03-25", "04-01")
    ]
    assert all(e["seriesMasterId"] == master["id"] for e in view)
    assert master["id"] not in {e["id"] for e in view}  # masters are never returned
    assert len({e["iCalUId"] for e in view}) == 5
    second, third = view[1], view[2]

    # an exception: moved by an hour, new subject
    exception = await graph.patch(
        f"/me/events/{second['id']}",
        {
            "subject": "Moved",
            "start": {"dateTime": "2024-03-12T14:00:00", "timeZone": "Romance Standard Time"},
            "end": {"dateTime": "2024-03-12T15:00:00", "timeZone": "Romance Standard Time"},
        },
    )
    assert exception.status == 200, exception.body
    assert exception.body["type"] == "exception"
    assert exception.body["id"] == second["id"]  # ids survive the edit
    assert exception.body["changeKey"] != second["changeKey"]
    assert exception.body["originalStart"] == "2024-03-11T08:00:00Z"
    # a cancellation
    assert (await graph.delete(f"/me/events/{third['id']}")).status == 204
    assert (await graph.get(f"/me/events/{third['id']}")).status == 404

    view = (await graph.get(view_url, params=window, headers=PARIS)).body["value"]
    assert [(e["type"], e["subject"], e["start"]["dateTime"][:16]) for e in view] == [
        ("occurrence", "Series", "2024-03-04T09:00"),
        ("exception", "Moved", "2024-03-12T14:00"),
        ("occurrence", "Series", "2024-03-25T09:00"),
        ("occurrence", "Series", "2024-04-01T09:00"),
    ]
    instances = await graph.get(f"/me/events/{master['id']}/instances", params=window, headers=PARIS)
    assert [e["id"] for e in instances.body["value"]] == [e["id"] for e in view]
    # unchanged occurrences keep their ids and changeKeys
    before = {e["id"]: e["changeKey"] for e in view}
    again = (await graph.get(view_url, params=window, headers=PARIS)).body["value"]
    assert {e["id"]: e["changeKey"] for e in again} == before

    # the master keeps the recurrence; the occurrence inherits the master's extended properties
    fetched_master = await graph.get(f"/me/events/{master['id']}")
    assert fetched_master.body["type"] == "seriesMaster"
    assert fetched_master.body["recurrence"] == master["recurrence"]
    # the exception and the cancellation live in the master: its changeKey moved on
    assert fetched_master.body["changeKey"] != master["changeKey"]
    expand = f"singleValueExtendedProperties($filter=id eq '{CRM_PROP}')"
    occ = await graph.get(f"/me/events/{view[0]['id']}", params={"$expand": expand})
    assert occ.body["singleValueExtendedProperties"] == [{"id": CRM_PROP, "value": "S-1"}]

    # a master change reaches the occurrences but not the exception's own subject
    await graph.patch(
        f"/me/events/{master['id']}", {"subject": "Renamed", "location": {"displayName": "B12"}}
    )
    view = (await graph.get(view_url, params=window, headers=PARIS)).body["value"]
    assert [e["subject"] for e in view] == ["Renamed", "Moved", "Renamed", "Renamed"]
    assert {e["location"]["displayName"] for e in view} == {"B12"}

    # deleting the master deletes the whole series
    assert (await graph.delete(f"/me/events/{master['id']}")).status == 204
    assert (await graph.get(view_url, params=window)).body["value"] == []
    assert (await graph.get(f"/me/events/{second['id']}")).status == 404


async def test_occurrence_cannot_cross_its_neighbour(graph: Graph, calendar_id: str) -> None:
    master = await _series(graph, calendar_id, weekly())
    window = {"startDateTime": "2024-03-01T00:00:00Z", "endDateTime": "2024-04-30T00:00:00Z"}
    view = (await graph.get(f"/me/events/{master['id']}/instances", params=window)).body["value"]
    crossing = await graph.patch(
        f"/me/events/{view[1]['id']}",
        {
            "start": {"dateTime": "2024-03-19T09:00:00", "timeZone": "Romance Standard Time"},
            "end": {"dateTime": "2024-03-19T10:00:00", "timeZone": "Romance Standard Time"},
        },
    )
    assert (crossing.status, crossing.code) == (400, "ErrorOccurrenceCrossingBoundary")
    recurrence_on_occurrence = await graph.patch(f"/me/events/{view[1]['id']}", {"recurrence": weekly()})
    assert recurrence_on_occurrence.status == 400


async def test_changing_series_times_drops_exceptions(graph: Graph, calendar_id: str) -> None:
    master = await _series(graph, calendar_id, weekly())
    window = {"startDateTime": "2024-03-01T00:00:00Z", "endDateTime": "2024-04-30T00:00:00Z"}
    view = (await graph.get(f"/me/events/{master['id']}/instances", params=window)).body["value"]
    await graph.patch(f"/me/events/{view[0]['id']}", {"subject": "Own"})
    await graph.delete(f"/me/events/{view[1]['id']}")
    moved = await graph.patch(
        f"/me/events/{master['id']}",
        {
            "start": {"dateTime": "2024-03-04T11:00:00", "timeZone": "Romance Standard Time"},
            "end": {"dateTime": "2024-03-04T12:00:00", "timeZone": "Romance Standard Time"},
        },
    )
    assert moved.status == 200, moved.body
    view = (await graph.get(f"/me/events/{master['id']}/instances", params=window, headers=PARIS)).body[
        "value"
    ]
    assert [(e["type"], e["subject"], e["start"]["dateTime"][11:16]) for e in view] == [
        ("occurrence", "Series", "11:00")
    ] * 5


@pytest.mark.parametrize(
    ("recurrence", "low", "high", "expected"),
    [
        (
            {
                "pattern": {"type": "daily", "interval": 2},
                "range": {"type": "numbered", "startDate": "2024-02-27", "numberOfOccurrences": 4},
            },
            "2024-01-01",
            "2025-01-01",
            ["2024-02-27", "2024-02-29", "2024-03-02", "2024-03-04"],
        ),
        (
            {
                "pattern": {
                    "type": "weekly",
                    "interval": 2,
                    "daysOfWeek": ["tuesday", "thursday"],
                    "firstDayOfWeek": "sunday",
                },
                "range": {"type": "endDate", "startDate": "2024-05-07", "endDate": "2024-05-31"},
            },
            "2024-01-01",
            "2025-01-01",
            ["2024-05-07", "2024-05-09", "2024-05-21", "2024-05-23"],
        ),
        (
            {
                "pattern": {"type": "absoluteMonthly", "interval": 1, "dayOfMonth": 31},
                "range": {"type": "numbered", "startDate": "2024-01-31", "numberOfOccurrences": 4},
            },
            "2024-01-01",
            "2025-01-01",
            ["2024-01-31", "2024-02-29", "2024-03-31", "2024-04-30"],
        ),
        (
            {
                "pattern": {
                    "type": "relativeMonthly",
                    "interval": 1,
                    "daysOfWeek": ["tuesday"],
                    "index": "second",
                },
                "range": {"type": "numbered", "startDate": "2024-01-01", "numberOfOccurrences": 3},
            },
            "2024-01-01",
            "2025-01-01",
            ["2024-01-09", "2024-02-13", "2024-03-12"],
        ),
        (
            {
                "pattern": {
                    "type": "relativeMonthly",
                    "interval": 2,
                    "daysOfWeek": ["friday"],
                    "index": "last",
                },
                "range": {"type": "endDate", "startDate": "2024-01-01", "endDate": "2024-06-30"},
            },
            "2024-01-01",
            "2025-01-01",
            ["2024-01-26", "2024-03-29", "2024-05-31"],
        ),
        (
            {
                "pattern": {"type": "absoluteYearly", "interval": 1, "month": 2, "dayOfMonth": 29},
                "range": {"type": "numbered", "startDate": "2024-02-29", "numberOfOccurrences": 3},
            },
            "2024-01-01",
            "2030-01-01",
            ["2024-02-29", "2025-02-28", "2026-02-28"],
        ),
        (
            {
                "pattern": {
                    "type": "relativeYearly",
                    "interval": 1,
                    "month": 11,
                    "daysOfWeek": ["thursday"],
                    "index": "fourth",
                },
                "range": {"type": "numbered", "startDate": "2024-01-01", "numberOfOccurrences": 2},
            },
            "2024-01-01",
            "2030-01-01",
            ["2024-11-28", "2025-11-27"],
        ),
        (
            {
                "pattern": {"type": "weekly", "interval": 1, "daysOfWeek": ["monday", "wednesday", "friday"]},
                "range": {"type": "noEnd", "startDate": "2024-01-01"},
            },
            "2030-01-01",
            "2030-01-08",
            ["2030-01-02", "2030-01-04", "2030-01-07"],
        ),
    ],
    ids=[
        "daily-numbered",
        "weekly-interval2",
        "absMonthly-31st",
        "relMonthly-second",
        "relMonthly-last",
        "absYearly-29feb",
        "relYearly-thanksgiving",
        "weekly-noEnd",
    ],
)
async def test_pattern_expansion(
    graph: Graph, calendar_id: str, recurrence: dict[str, Any], low: str, high: str, expected: list[str]
) -> None:
    master = await _series(graph, calendar_id, recurrence)
    assert master["start"]["dateTime"][:10] == expected[0] or recurrence["range"]["type"] == "noEnd"
    assert await _dates(graph, master["id"], low, high) == expected


async def test_series_start_moves_to_first_matching_day(graph: Graph, calendar_id: str) -> None:
    # starts on a Sunday, recurs on Mondays: Outlook puts the master on the first Monday
    recurrence = weekly(startDate="2024-03-03")
    master = await _series(graph, calendar_id, recurrence)
    fetched = await graph.get(f"/me/events/{master['id']}", headers=PARIS)
    assert fetched.body["start"]["dateTime"] == "2024-03-04T09:00:00.0000000"
    # and its range starts that day: "Must be the same value as the start property" (recurrencerange)
    assert fetched.body["recurrence"]["range"]["startDate"] == "2024-03-04"


@pytest.mark.parametrize("custom", ["tzone://Microsoft/Custom", "Customized Time Zone"])
async def test_a_series_can_be_put_in_a_legacy_custom_zone_through_the_admin_api(
    graph: Graph, admin: Admin, calendar_id: str, custom: str
) -> None:
    """Graph cannot create one; desktop Outlook can: its zones then read as the custom name, its times and
    occurrences stay, and setting the zones again through Graph replaces it."""
    master = await _series(graph, calendar_id, weekly())
    before = await _dates(graph, master["id"], "2024-03-01", "2024-04-30")
    reply = await admin.call(
        "POST", "/events/custom-zone", {"upn": UPN, "event_id": master["id"], "name": custom}
    )
    assert reply.status == 200, reply.body
    fetched = (await graph.get(f"/me/events/{master['id']}", headers=PARIS)).body
    assert fetched["recurrence"]["range"]["recurrenceTimeZone"] == custom
    assert fetched["originalStartTimeZone"] == fetched["originalEndTimeZone"] == custom
    assert fetched["start"] == {
        "dateTime": "2024-03-04T09:00:00.0000000",
        "timeZone": "Romance Standard Time",
    }
    assert fetched["changeKey"] != master["changeKey"]
    assert await _dates(graph, master["id"], "2024-03-01", "2024-04-30") == before
    rewritten = await graph.patch(f"/me/events/{master['id']}", {"recurrence": weekly()})
    assert rewritten.status == 200, rewritten.body
    assert rewritten.body["recurrence"]["range"]["recurrenceTimeZone"] == "Romance Standard Time"
    missing = await admin.call("POST", "/events/custom-zone", {"upn": UPN, "event_id": "AAMk-none"})
    assert missing.status == 404


async def test_invalid_recurrences(graph: Graph, calendar_id: str) -> None:
    bad = [
        {"pattern": {"type": "hourly", "interval": 1}, "range": {"type": "noEnd", "startDate": "2024-03-04"}},
        {"pattern": {"type": "weekly", "interval": 1}, "range": {"type": "noEnd", "startDate": "2024-03-04"}},
        {
            "pattern": {"type": "daily", "interval": 1},
            "range": {"type": "sometimes", "startDate": "2024-03-04"},
        },
        {
            "pattern": {"type": "daily", "interval": 1},
            "range": {"type": "endDate", "startDate": "2024-03-04"},
        },
        {
            "pattern": {"type": "daily", "interval": 1, "colour": 1},
            "range": {"type": "noEnd", "startDate": "2024-03-04"},
        },
        {
            "pattern": {"type": "weekly", "interval": 1, "daysOfWeek": ["funday"]},
            "range": {"type": "noEnd", "startDate": "2024-03-04"},
        },
    ]
    for recurrence in bad:
        reply = await graph.post(
            f"/me/calendars/{calendar_id}/events",
            event_body(start="2024-03-04T09:00:00", end="2024-03-04T10:00:00", recurrence=recurrence),
        )
        assert reply.status == 400, recurrence
    assert (await graph.get(f"/me/calendars/{calendar_id}/events")).body["value"] == []


async def test_all_day_series(graph: Graph, calendar_id: str) -> None:
    recurrence = {
        "pattern": {"type": "daily", "interval": 1},
        "range": {"type": "numbered", "startDate": "2024-03-30", "numberOfOccurrences": 3},
    }
    created = await graph.post(
        f"/me/calendars/{calendar_id}/events",
        event_body(
            start="2024-03-30T00:00:00", end="2024-03-31T00:00:00", isAllDay=True, recurrence=recurrence
        ),
    )
    assert created.status == 201, created.body
    window = {"startDateTime": "2024-03-01T00:00:00Z", "endDateTime": "2024-04-30T00:00:00Z"}
    view = (await graph.get(f"/me/calendars/{calendar_id}/calendarView", params=window)).body["value"]
    # across the DST change the occurrences stay midnight-to-midnight dates
    assert [(e["start"]["dateTime"], e["end"]["dateTime"], e["isAllDay"]) for e in view] == [
        ("2024-03-30T00:00:00.0000000", "2024-03-31T00:00:00.0000000", True),
        ("2024-03-31T00:00:00.0000000", "2024-04-01T00:00:00.0000000", True),
        ("2024-04-01T00:00:00.0000000", "2024-04-02T00:00:00.0000000", True),
    ]
    renamed = await graph.patch(f"/me/events/{view[1]['id']}", {"subject": "DST day"})
    assert renamed.status == 200, renamed.body
    assert renamed.body["type"] == "exception"
    assert renamed.body["end"]["dateTime"] == "2024-04-01T00:00:00.0000000"
