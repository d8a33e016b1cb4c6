"""Agenda sync scenarios: single actions both ways, every field, idempotence and its request cost."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from tests.sync.conftest import UPN, World
from tui_sync.domain.models import Action
from tui_sync.microsoft.mapping import STAMP_EXPAND, read_stamp

PARIS = ZoneInfo("Europe/Paris")


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 12, day, hour, minute, tzinfo=PARIS)


async def test_a_crm_action_reaches_outlook_with_every_field(world: World) -> None:
    action = await world.store.add_action(
        Action(
            owner="CARINE",
            title="Rendez-vous client",
            start=at(3, 10),
            end=at(3, 11, 30),
            location="Lyon",
            private=True,
            reminder_on=True,
            reminder_minutes=30,
            action_type="Rendez-vous",
            note="Apporter le devis\nDeuxième ligne",
        )
    )
    summary = await world.sync()
    assert summary.errors == []
    assert summary.agenda.microsoft.created == 1
    [event] = await world.outlook_events()
    assert event["subject"] == "Rendez-vous client"
    assert event["location"]["displayName"] == "Lyon"
    assert event["sensitivity"] == "private"
    assert event["isReminderOn"] is True and event["reminderMinutesBeforeStart"] == 30
    assert event["categories"] == ["Rendez-vous"]
    assert event["body"]["content"].replace("\r\n", "\n").strip() == "Apporter le devis\nDeuxième ligne"
    assert event["isAllDay"] is False
    links = await world.store.links("CARINE", "action")
    assert links[str(action.id)].remote_id == event["id"]


async def test_an_outlook_event_reaches_the_crm(world: World) -> None:
    cid = await world.calendar_id()
    created = await world.outlook.post(
        f"/me/calendars/{cid}/events",
        {
            "subject": "Appel fournisseur",
            "start": {"dateTime": "2026-12-04T14:00:00", "timeZone": "Romance Standard Time"},
            "end": {"dateTime": "2026-12-04T14:30:00", "timeZone": "Romance Standard Time"},
            "categories": ["Appel"],
            "body": {
                "contentType": "html",
                "content": "<html><body><p>Rappeler <b>Paul</b></p></body></html>",
            },
            "sensitivity": "confidential",
        },
    )
    assert created.status == 201
    summary = await world.sync()
    assert summary.errors == [] and summary.agenda.crm.created == 1
    [action] = await world.store.single_actions("CARINE", world.service.default_period(world.user))
    assert action.title == "Appel fournisseur"
    assert action.start == at(4, 14) and action.end == at(4, 14, 30)
    assert action.action_type == "Appel" and action.private is True
    assert "Rappeler" in action.note and "Paul" in action.note and "<" not in action.note


async def test_a_second_sync_writes_nothing_and_costs_few_requests(world: World) -> None:
    for day in (1, 2, 3):
        await world.store.add_action(
            Action(owner="CARINE", title=f"A{day}", start=at(day, 9), end=at(day, 10))
        )
    cid = await world.calendar_id()
    await world.outlook.post(
        f"/me/calendars/{cid}/events",
        {
            "subject": "From Outlook",
            "start": {"dateTime": "2026-12-05T08:00:00", "timeZone": "UTC"},
            "end": {"dateTime": "2026-12-05T09:00:00", "timeZone": "UTC"},
        },
    )
    first = await world.sync()
    assert first.errors == []
    assert (first.agenda.microsoft.created, first.agenda.crm.created) == (3, 1)
    await world.clear_requests()
    second = await world.sync()
    assert second.errors == []
    assert second.agenda.microsoft.__dict__ == {"created": 0, "updated": 0, "deleted": 0}
    assert second.agenda.crm.__dict__ == {"created": 0, "updated": 0, "deleted": 0}
    log = await world.requests()
    writes = [r for r in log if r["method"] != "GET" and not r["path"].endswith("$batch")]
    writes += [s for r in log for s in r.get("sub_requests") or [] if s["method"] != "GET"]
    assert writes == []
    assert len(log) <= 6, log


async def test_edits_travel_both_ways(world: World) -> None:
    action = await world.store.add_action(Action(owner="CARINE", title="Old", start=at(7, 9), end=at(7, 10)))
    await world.sync()
    await world.store.update_action(action.with_changes(title="New title", start=at(7, 15), end=at(7, 16)))
    summary = await world.sync()
    assert summary.agenda.microsoft.updated == 1
    [event] = await world.outlook_events()
    assert event["subject"] == "New title"
    patched = await world.outlook.patch(f"/me/events/{event['id']}", {"location": {"displayName": "Paris"}})
    assert patched.status == 200
    summary = await world.sync()
    assert summary.agenda.crm.updated == 1
    assert (await world.store.get_action(action.id)).location == "Paris"


async def test_moving_out_of_the_period_deletes_nothing(world: World) -> None:
    action = await world.store.add_action(
        Action(owner="CARINE", title="Moves", start=at(8, 9), end=at(8, 10))
    )
    await world.sync()
    [event] = await world.outlook_events()
    far = {"dateTime": "2027-09-01T09:00:00", "timeZone": "UTC"}
    far_end = {"dateTime": "2027-09-01T10:00:00", "timeZone": "UTC"}
    assert (
        await world.outlook.patch(f"/me/events/{event['id']}", {"start": far, "end": far_end})
    ).status == 200
    summary = await world.sync()
    assert summary.errors == [] and summary.agenda.crm.deleted == 0 and summary.agenda.kept == 0
    moved = await world.store.get_action(action.id)
    assert moved.start == datetime(2027, 9, 1, 9, tzinfo=ZoneInfo("UTC"))
    assert len(await world.outlook_events()) == 1
    assert timedelta(0) < moved.end - moved.start


async def test_an_event_the_crm_cannot_read_is_reported_and_left_alone(world: World) -> None:
    cid = await world.calendar_id()
    await world.outlook.post(
        f"/me/calendars/{cid}/events",
        {
            "subject": "Readable",
            "start": {"dateTime": "2026-12-09T09:00:00", "timeZone": "UTC"},
            "end": {"dateTime": "2026-12-09T10:00:00", "timeZone": "UTC"},
        },
    )
    odd = await world.outlook.post(
        f"/me/calendars/{cid}/events",
        {
            "subject": "In a zone newer than our tables",
            "start": {"dateTime": "2026-12-10T09:00:00", "timeZone": "UTC"},
            "end": {"dateTime": "2026-12-10T10:00:00", "timeZone": "UTC"},
            "recurrence": {
                "pattern": {"type": "daily", "interval": 2},
                "range": {"type": "noEnd", "startDate": "2026-12-10"},
            },
        },
    )
    assert odd.status == 201, odd.body
    zone = {"upn": UPN, "event_id": odd.body["id"], "name": "Lunar Standard Time"}
    async with world.admin.post(world.fake.admin_url + "/events/custom-zone", json=zone) as response:
        assert response.status == 200
    summary = await world.sync()
    assert summary.agenda.crm.created == 1
    assert len(summary.errors) == 1 and "cannot be read" in summary.errors[0]
    period = world.service.default_period(world.user)
    assert [a.title for a in await world.store.single_actions("CARINE", period)] == ["Readable"]
    assert await world.store.series_of("CARINE") == []
    assert len(await world.outlook_events()) == 2  # nothing deleted or duplicated in Outlook


async def test_every_field_travels_from_outlook(world: World) -> None:
    cid = await world.calendar_id()
    await world.outlook.post(
        f"/me/calendars/{cid}/events",
        {
            "subject": "Salon",
            "location": {"displayName": "Paris Expo"},
            "start": {"dateTime": "2026-12-11T00:00:00", "timeZone": "Romance Standard Time"},
            "end": {"dateTime": "2026-12-13T00:00:00", "timeZone": "Romance Standard Time"},
            "isAllDay": True,
            "sensitivity": "personal",
            "isReminderOn": True,
            "reminderMinutesBeforeStart": 1440,
            "categories": ["Catégorie inconnue"],
            "body": {"contentType": "text", "content": "Stand B12"},
        },
    )
    summary = await world.sync()
    assert summary.errors == []
    [action] = await world.store.single_actions("CARINE", world.service.default_period(world.user))
    assert (action.title, action.location, action.note) == ("Salon", "Paris Expo", "Stand B12")
    assert action.all_day and action.start == at(11, 0) and action.end == at(13, 0)
    assert action.private and action.reminder_on and action.reminder_minutes == 1440
    assert action.action_type == "Tâche"  # unknown category → the fallback type
    assert (await world.sync()).agenda.microsoft.__dict__ == {"created": 0, "updated": 0, "deleted": 0}


async def test_an_all_day_crm_action_is_an_all_day_event(world: World) -> None:
    await world.store.add_action(
        Action(
            owner="CARINE",
            title="Congés",
            start=at(21, 0),
            end=at(24, 0),
            all_day=True,
            action_type="Tâche",
        )
    )
    summary = await world.sync()
    assert summary.errors == [] and summary.agenda.microsoft.created == 1
    [event] = await world.outlook_events()
    assert event["isAllDay"] is True and event["categories"] == ["Tâche"]
    assert event["start"]["dateTime"].startswith("2026-12-21") and event["end"]["dateTime"].startswith(
        "2026-12-24"
    )
    again = await world.sync()
    assert again.agenda.crm.__dict__ == {"created": 0, "updated": 0, "deleted": 0}


async def test_a_pull_keeps_several_batches_in_flight_within_the_four_slots(world: World) -> None:
    """Copying Outlook's events to an empty CRM stamps each with the CRM id of its copy. Those writes
    go as several `$batch` requests in flight at once, so the mailbox's slots stay busy through each
    request's round trip, and never more than 4 operations at once (Outlook answers a fifth 429)."""
    cid = await world.calendar_id()
    for first in range(0, 100, 20):
        requests = [
            {
                "id": str(n),
                "method": "POST",
                "url": f"/me/calendars/{cid}/events",
                "headers": {"Content-Type": "application/json"},
                "body": {
                    "subject": f"Visite {n}",
                    "start": {
                        "dateTime": f"2026-12-{1 + n % 28:02d}T{8 + n // 28:02d}:00:00",
                        "timeZone": "UTC",
                    },
                    "end": {
                        "dateTime": f"2026-12-{1 + n % 28:02d}T{8 + n // 28:02d}:30:00",
                        "timeZone": "UTC",
                    },
                },
            }
            for n in range(first, first + 20)
        ]
        assert (await world.outlook.post("/$batch", {"requests": requests})).status == 200
    await world.faults(latency_ms=5)  # each operation holds its slot a while, as on the real service
    await world.clear_requests()

    summary = await world.sync()

    assert summary.errors == [] and summary.agenda.crm.created == 100
    statuses = [s["status"] for r in await world.requests() for s in r["sub_requests"] or [r]]
    assert 429 not in statuses
    peak = await world.peak()
    assert peak["open"] > 1  # several `$batch` requests in flight together …
    assert 1 < peak["in_flight"] <= 4  # … on the mailbox's 4 slots, never more
    copies = await world.store.single_actions("CARINE", world.service.default_period(world.user))
    reply = await world.outlook.get(
        f"/me/calendars/{cid}/events", params={"$top": "1000", "$expand": STAMP_EXPAND}
    )
    owner = await world.store.database_identity()
    stamps = {read_stamp(event, owner) for event in reply.body["value"]}
    assert stamps == {f"action:{copy.id}" for copy in copies} and len(copies) == 100
