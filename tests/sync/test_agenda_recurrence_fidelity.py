"""Series whose meaning Outlook decides: monthly on the 29th–31st (the last day of a shorter month), a
start that is not an occurrence of its own pattern (Outlook starts the series on its first occurrence),
a legacy custom time zone of desktop Outlook, and intervals past 99. Each one syncs, and the next sync
writes nothing."""

from __future__ import annotations

import sqlite3
from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from tests.sync.conftest import UPN, ScriptedConfirmer, World
from tui_sync.domain.models import Action, Recurrence, Series
from tui_sync.domain.recurrence import expand
from tui_sync.store.db import encode_time
from tui_sync.sync.kinds import OCCURRENCE

PARIS = ZoneInfo("Europe/Paris")
QUIET = {"created": 0, "updated": 0, "deleted": 0}


def at(year: int, month: int, day: int, hour: int = 9) -> datetime:
    return datetime(year, month, day, hour, tzinfo=PARIS)


def on_the_31st(count: int = 4) -> Series:
    """Monthly on the 31st from 31 October 2026: 31 Oct, 30 Nov, 31 Dec, 31 Jan (all in the period)."""
    rule = Recurrence(
        "absoluteMonthly", date(2026, 10, 31), day_of_month=31, range_type="numbered", count=count
    )
    return Series("CARINE", "Clôture", at(2026, 10, 31), at(2026, 10, 31, 10), rule, action_type="Réunion")


async def masters(world: World) -> list[dict[str, Any]]:
    return [e for e in await world.outlook_events() if e["type"] == "seriesMaster"]


async def instance_starts(world: World, master_id: str) -> list[datetime]:
    reply = await world.outlook.get(
        f"/me/events/{master_id}/instances",
        params={"startDateTime": "2026-10-01T00:00:00Z", "endDateTime": "2027-04-01T00:00:00Z"},
    )
    assert reply.status == 200, reply.body
    return sorted(
        datetime.fromisoformat(e["start"]["dateTime"][:19]).replace(tzinfo=UTC) for e in reply.body["value"]
    )


async def crm_starts(world: World, series_id: int | None) -> list[datetime]:
    series = await world.store.get_series(series_id)
    return [o.start.astimezone(UTC) for o in expand(series, world.service.default_period(world.user))]


async def assert_quiet(world: World) -> None:
    """A second sync changes nothing on either side and asks nothing."""
    confirmer = ScriptedConfirmer()
    again = await world.sync(confirmer=confirmer)
    assert again.errors == [] and again.notices == []
    assert again.agenda.microsoft.__dict__ == QUIET
    assert again.agenda.crm.__dict__ == QUIET
    assert confirmer.asked == []


async def graph_writes(world: World) -> list[str]:
    """The writes the fake received since its log was cleared, `$batch` sub-requests included."""
    found = []
    for request in await world.requests():
        for one in request.get("sub_requests") or [request]:
            if one["method"] in ("POST", "PATCH", "DELETE") and not one.get("path", "").endswith("$batch"):
                found.append(f"{one['method']} {one.get('url') or one.get('path')}")
    return found


async def create_in_outlook(world: World, body: dict[str, Any]) -> dict[str, Any]:
    cid = await world.calendar_id()
    reply = await world.outlook.post(f"/me/calendars/{cid}/events", body)
    assert reply.status == 201, reply.body
    return reply.body


# --- monthly on the 31st --------------------------------------------------------------------------------


async def test_a_crm_series_on_the_31st_keeps_30_november_in_outlook(world: World) -> None:
    series = await world.store.add_series(on_the_31st())
    summary = await world.sync()
    assert summary.errors == []
    [master] = await masters(world)
    expected = [at(2026, 10, 31), at(2026, 11, 30), at(2026, 12, 31), at(2027, 1, 31)]
    assert await instance_starts(world, master["id"]) == [d.astimezone(UTC) for d in expected]
    assert await crm_starts(world, series.id) == [d.astimezone(UTC) for d in expected]
    await assert_quiet(world)
    assert len(await instance_starts(world, master["id"])) == 4


async def test_an_outlook_series_on_the_31st_reaches_the_crm_with_every_month(world: World) -> None:
    master = await create_in_outlook(
        world,
        {
            "subject": "Clôture",
            "start": {"dateTime": "2026-10-31T09:00:00", "timeZone": "Romance Standard Time"},
            "end": {"dateTime": "2026-10-31T10:00:00", "timeZone": "Romance Standard Time"},
            "recurrence": {
                "pattern": {"type": "absoluteMonthly", "interval": 1, "dayOfMonth": 31},
                "range": {"type": "numbered", "startDate": "2026-10-31", "numberOfOccurrences": 4},
            },
        },
    )
    summary = await world.sync()
    assert summary.errors == [] and summary.agenda.crm.created == 1
    [series] = await world.store.series_of("CARINE")
    assert series.exceptions == () and series.cancelled == frozenset()
    assert await crm_starts(world, series.id) == await instance_starts(world, master["id"])
    await assert_quiet(world)
    assert len(await instance_starts(world, master["id"])) == 4  # 30 November was not cancelled


async def test_a_series_on_the_31st_synced_before_keeps_its_exception_and_links(world: World) -> None:
    """As the earlier reading (which skipped short months) left it: 30 November cancelled in Outlook and
    linked to nothing, 31 December edited and linked. Now the CRM has 30 November again: it is taken as
    cancelled in Outlook (asked like any Outlook cancellation), the exception stays, and nothing is
    written twice."""
    series = await world.store.add_series(on_the_31st())
    await world.store.set_exception(
        series.id,
        Action(
            "CARINE",
            "Clôture annuelle",
            at(2026, 12, 31, 14),
            at(2026, 12, 31, 16),
            action_type="Réunion",
            series_id=series.id,
            original_start=at(2026, 12, 31),
        ),
    )
    assert (await world.sync()).errors == []
    [master] = await masters(world)
    november = [i for i in await instance_starts(world, master["id"]) if i.month == 11]
    reply = await world.outlook.get(
        f"/me/events/{master['id']}/instances",
        params={"startDateTime": "2026-11-30T00:00:00Z", "endDateTime": "2026-12-01T00:00:00Z"},
    )
    [nov30] = reply.body["value"]
    assert november and (await world.outlook.delete(f"/me/events/{nov30['id']}")).status == 204
    links = await world.store.links("CARINE", OCCURRENCE)
    stale = [k for k in links if k.startswith(f"{series.id}@20261130")]
    await world.store.delete_links("CARINE", OCCURRENCE, stale)
    linked_before = {k: v.remote_id for k, v in links.items() if k not in stale}

    confirmer = ScriptedConfirmer()  # keeps what Outlook cancelled, as a cautious user does
    summary = await world.sync(confirmer=confirmer)
    assert summary.errors == []
    assert summary.agenda.microsoft.__dict__ == QUIET
    assert [(r.kind, r.start) for r in confirmer.asked] == [("occurrence", at(2026, 11, 30))]
    stored = await world.store.get_series(series.id)
    assert [(e.title, e.original_start) for e in stored.exceptions] == [
        ("Clôture annuelle", at(2026, 12, 31))
    ]
    [still] = await masters(world)
    assert still["id"] == master["id"]
    assert len(await instance_starts(world, master["id"])) == 3
    after = await world.store.links("CARINE", OCCURRENCE)
    assert {k: after[k].remote_id for k in linked_before if k in after} == linked_before
    await world.clear_requests()
    await assert_quiet(world)
    assert await graph_writes(world) == []


# --- a start that is not an occurrence ------------------------------------------------------------------


async def test_a_crm_series_given_a_start_off_its_pattern_starts_on_its_first_occurrence(
    world: World,
) -> None:
    """Weekly on Monday, written with a Wednesday start: Outlook starts it the next Monday, the range's
    startDate that day too (recurrencerange); the CRM agrees, so the next sync writes nothing."""
    rule = Recurrence("weekly", date(2026, 12, 2), days_of_week=("monday",), range_type="numbered", count=4)
    given = Series("CARINE", "Point", at(2026, 12, 2), at(2026, 12, 2, 10), rule, action_type="Réunion")
    series = await world.store.add_series(given)
    assert series.start == at(2026, 12, 7) and series.recurrence.start_date == date(2026, 12, 7)
    summary = await world.sync()
    assert summary.errors == [] and summary.agenda.microsoft.created == 1
    [master] = await masters(world)
    assert master["start"]["dateTime"].startswith("2026-12-07T08:00:00")
    assert master["recurrence"]["range"]["startDate"] == "2026-12-07"
    await world.clear_requests()
    await assert_quiet(world)
    assert await graph_writes(world) == []


async def test_a_series_stored_off_its_pattern_before_is_read_from_its_first_occurrence(world: World) -> None:
    """A row written before series were aligned (start and range on a Wednesday, the rule on Mondays)
    comes out of the store starting on the Monday, and syncs once."""
    rule = Recurrence("weekly", date(2026, 12, 7), days_of_week=("monday",), range_type="numbered", count=4)
    series = await world.store.add_series(
        Series("CARINE", "Point", at(2026, 12, 7), at(2026, 12, 7, 10), rule, action_type="Réunion")
    )
    with sqlite3.connect(world.settings.database) as db:  # as an older version left it
        db.execute(
            "UPDATE series SET start_at = ?, end_at = ?, start_date = ? WHERE id = ?",
            (encode_time(at(2026, 12, 2)), encode_time(at(2026, 12, 2, 10)), "2026-12-02", series.id),
        )
    stored = await world.store.get_series(series.id)
    assert (stored.start, stored.recurrence.start_date) == (at(2026, 12, 7), date(2026, 12, 7))
    assert (await world.sync()).errors == []
    [master] = await masters(world)
    assert master["recurrence"]["range"]["startDate"] == "2026-12-07"
    await assert_quiet(world)


async def test_an_outlook_series_given_a_start_off_its_pattern_syncs_once(world: World) -> None:
    await create_in_outlook(
        world,
        {
            "subject": "Revue",
            "start": {"dateTime": "2026-12-02T15:00:00", "timeZone": "Romance Standard Time"},
            "end": {"dateTime": "2026-12-02T16:00:00", "timeZone": "Romance Standard Time"},
            "recurrence": {
                "pattern": {"type": "weekly", "interval": 1, "daysOfWeek": ["friday"]},
                "range": {"type": "numbered", "startDate": "2026-12-02", "numberOfOccurrences": 3},
            },
        },
    )
    [master] = await masters(world)
    assert master["recurrence"]["range"]["startDate"] == "2026-12-04"  # moved with the start
    assert (await world.sync()).errors == []
    [series] = await world.store.series_of("CARINE")
    assert series.start == at(2026, 12, 4, 15) and series.recurrence.start_date == date(2026, 12, 4)
    await assert_quiet(world)


# --- series we used to leave out --------------------------------------------------------------------------


@pytest.mark.parametrize("custom", ["tzone://Microsoft/Custom", "Customized Time Zone"])
async def test_a_series_in_a_legacy_custom_zone_is_pulled_and_stays_quiet(world: World, custom: str) -> None:
    master = await create_in_outlook(
        world,
        {
            "subject": "Comité",
            "start": {"dateTime": "2026-12-08T10:00:00", "timeZone": "Romance Standard Time"},
            "end": {"dateTime": "2026-12-08T11:30:00", "timeZone": "Romance Standard Time"},
            "recurrence": {
                "pattern": {"type": "weekly", "interval": 1, "daysOfWeek": ["tuesday"]},
                "range": {"type": "numbered", "startDate": "2026-12-08", "numberOfOccurrences": 5},
            },
        },
    )
    body = {"upn": UPN, "event_id": master["id"], "name": custom}
    async with world.admin.post(world.fake.admin_url + "/events/custom-zone", json=body) as response:
        assert response.status == 200
    [shown] = await masters(world)
    assert shown["recurrence"]["range"]["recurrenceTimeZone"] == custom
    summary = await world.sync()
    assert summary.errors == [] and summary.agenda.crm.created == 1
    [series] = await world.store.series_of("CARINE")
    assert (series.start, series.end) == (at(2026, 12, 8, 10), datetime(2026, 12, 8, 11, 30, tzinfo=PARIS))
    assert series.recurrence.count == 5 and series.exceptions == () and series.cancelled == frozenset()
    assert await crm_starts(world, series.id) == await instance_starts(world, master["id"])
    await assert_quiet(world)


async def test_a_daily_series_every_150_days_is_pulled_and_stays_quiet(world: World) -> None:
    master = await create_in_outlook(
        world,
        {
            "subject": "Contrôle",
            "start": {"dateTime": "2026-11-02T09:00:00", "timeZone": "Romance Standard Time"},
            "end": {"dateTime": "2026-11-02T09:30:00", "timeZone": "Romance Standard Time"},
            "recurrence": {
                "pattern": {"type": "daily", "interval": 150},
                "range": {"type": "noEnd", "startDate": "2026-11-02"},
            },
        },
    )
    summary = await world.sync()
    assert summary.errors == [] and summary.agenda.crm.created == 1
    [series] = await world.store.series_of("CARINE")
    assert series.recurrence.interval == 150
    assert await crm_starts(world, series.id) == await instance_starts(world, master["id"])
    await assert_quiet(world)


async def test_a_custom_zone_series_the_crm_would_misplace_is_left_out_untouched(world: World) -> None:
    """A custom zone whose daylight saving is not the CRM zone's (here New York's, which changes a week
    after Paris's): read in the CRM's zone, its occurrences would fall an hour off Outlook's. It is left
    out and reported, and none of Outlook's occurrences is cancelled."""
    master = await create_in_outlook(
        world,
        {
            "subject": "Call New York",
            "start": {"dateTime": "2026-10-27T10:00:00", "timeZone": "Eastern Standard Time"},
            "end": {"dateTime": "2026-10-27T11:00:00", "timeZone": "Eastern Standard Time"},
            "recurrence": {
                "pattern": {"type": "weekly", "interval": 1, "daysOfWeek": ["tuesday"]},
                "range": {"type": "numbered", "startDate": "2026-10-27", "numberOfOccurrences": 3},
            },
        },
    )
    body = {"upn": UPN, "event_id": master["id"]}
    async with world.admin.post(world.fake.admin_url + "/events/custom-zone", json=body) as response:
        assert response.status == 200
    for _ in range(2):
        summary = await world.sync()
        assert len(summary.errors) == 1 and "does not give" in summary.errors[0]
        assert await world.store.series_of("CARINE") == []
        assert len(await instance_starts(world, master["id"])) == 3
