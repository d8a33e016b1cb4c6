"""What only Outlook holds on a synced event survives the CRM's updates, field by field: several
locations, categories the CRM does not know, a personal or confidential sensitivity, an HTML body,
`showAs`. Graph keeps what a PATCH leaves out and replaces whole what it is given; setting `location`
replaces every entry of `locations` (api-reference/v1.0/api/event-update.md, resources/event.md), so the
engine sends only what differs from the event the sync has just read — no request more."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from tests.sync.conftest import World
from tui_sync.domain.models import Action
from tui_sync.domain.recurrence import expand

PARIS = ZoneInfo("Europe/Paris")
ZONE = "Romance Standard Time"
HTML = "<html><body><div><b>Ordre du jour</b></div><div>1. Budget</div></body></html>"

# Each: what the Outlook user set on the event, and how to read it back from the event.
OUTLOOK_ONLY: dict[str, tuple[dict[str, Any], Any]] = {
    "several locations": (
        {"locations": [{"displayName": "Salle Lyon"}, {"displayName": "Salle Paris"}]},
        lambda e: [loc["displayName"] for loc in e["locations"]],
    ),
    "categories": ({"categories": ["Client VIP", "Rendez-vous", "Suivi"]}, lambda e: e["categories"]),
    "sensitivity": ({"sensitivity": "confidential"}, lambda e: e["sensitivity"]),
    "html body": (
        {"body": {"contentType": "html", "content": HTML}},
        lambda e: "<b>Ordre du jour</b>" in e["body"]["content"],
    ),
    "showAs": ({"showAs": "tentative"}, lambda e: e["showAs"]),
}

# What the CRM changes meanwhile (never the field Outlook alone holds).
CRM_CHANGES: dict[str, Any] = {
    "title": lambda a: a.with_changes(title="Comité (reporté)"),
    "time": lambda a: a.with_changes(start=a.start + timedelta(hours=2), end=a.end + timedelta(hours=2)),
}


async def outlook_event(world: World, **extra: Any) -> dict[str, Any]:
    cid = await world.calendar_id()
    reply = await world.outlook.post(
        f"/me/calendars/{cid}/events",
        {
            "subject": "Comité",
            "start": {"dateTime": "2026-12-09T10:00:00", "timeZone": ZONE},
            "end": {"dateTime": "2026-12-09T11:00:00", "timeZone": ZONE},
            "categories": ["Rendez-vous"],
            **extra,
        },
    )
    assert reply.status == 201, reply.body
    return reply.body


async def held(world: World, event_id: str) -> dict[str, Any]:
    reply = await world.outlook.get(f"/me/events/{event_id}")
    assert reply.status == 200, reply.body
    return reply.body


async def the_action(world: World) -> Action:
    [action] = await world.store.single_actions("CARINE", world.service.default_period(world.user))
    return action


@pytest.mark.parametrize("change", CRM_CHANGES)
@pytest.mark.parametrize("name", OUTLOOK_ONLY)
async def test_an_outlook_only_value_survives_a_crm_update(world: World, name: str, change: str) -> None:
    set_it, read_it = OUTLOOK_ONLY[name]
    event = await outlook_event(world, **set_it)
    wanted = read_it(event)
    assert (await world.sync()).agenda.crm.created == 1
    await world.store.update_action(CRM_CHANGES[change](await the_action(world)))

    summary = await world.sync()

    assert summary.errors == [] and summary.agenda.microsoft.updated == 1
    after = await held(world, event["id"])
    assert read_it(after) == wanted
    crm = await the_action(world)
    assert after["subject"] == crm.title
    quiet = await world.sync()
    assert quiet.agenda.microsoft.updated == 0 and quiet.agenda.crm.updated == 0


async def test_a_new_action_type_swaps_its_category_and_keeps_outlook_s_own(world: World) -> None:
    event = await outlook_event(world, categories=["Client VIP", "Rendez-vous", "Suivi"])
    await world.sync()
    await world.store.update_action((await the_action(world)).with_changes(action_type="Appel"))
    summary = await world.sync()
    assert summary.errors == []
    assert (await held(world, event["id"]))["categories"] == ["Client VIP", "Appel", "Suivi"]
    assert (await the_action(world)).action_type == "Appel"
    quiet = await world.sync()
    assert quiet.agenda.microsoft.updated == 0 and quiet.agenda.crm.updated == 0


async def test_a_crm_location_replaces_outlook_s_locations_and_nothing_else(world: World) -> None:
    event = await outlook_event(world, locations=[{"displayName": "Lyon"}, {"displayName": "Paris"}])
    await world.sync()
    assert (await the_action(world)).location == "Lyon; Paris"  # as Outlook names several
    await world.store.update_action((await the_action(world)).with_changes(location="Visio"))
    await world.sync()
    after = await held(world, event["id"])
    assert [loc["displayName"] for loc in after["locations"]] == ["Visio"]
    assert after["categories"] == ["Rendez-vous"]


async def test_the_sync_spends_no_request_on_reading_what_outlook_holds(world: World) -> None:
    await outlook_event(world, locations=[{"displayName": "Lyon"}, {"displayName": "Paris"}])
    await world.sync()
    await world.store.update_action((await the_action(world)).with_changes(title="Comité (reporté)"))
    await world.clear_requests()
    await world.sync()
    log = await world.requests()
    gets = [r for r in log if r["method"] == "GET"]
    assert [r["path"].rsplit("/", 1)[-1] for r in gets] == ["calendars", "calendarView"]
    [batch] = [r for r in log if r["method"] == "POST"]
    assert [s["method"] for s in batch["sub_requests"]] == ["PATCH"]


def weekly(**extra: Any) -> dict[str, Any]:
    return {
        "subject": "Point hebdo",
        "start": {"dateTime": "2026-12-08T10:00:00", "timeZone": ZONE},
        "end": {"dateTime": "2026-12-08T11:00:00", "timeZone": ZONE},
        "categories": ["Client VIP", "Réunion"],
        "locations": [{"displayName": "Salle Lyon"}, {"displayName": "Salle Paris"}],
        "recurrence": {
            "pattern": {"type": "weekly", "interval": 1, "daysOfWeek": ["tuesday"]},
            "range": {"type": "numbered", "startDate": "2026-12-08", "numberOfOccurrences": 4},
        },
        **extra,
    }


async def test_a_series_master_keeps_its_locations_and_categories(world: World) -> None:
    cid = await world.calendar_id()
    master = (await world.outlook.post(f"/me/calendars/{cid}/events", weekly())).body
    await world.sync()
    [series] = await world.store.series_of("CARINE")
    await world.store.update_series(series.with_changes(title="Point hebdo (équipe)"))
    summary = await world.sync()
    assert summary.errors == [] and summary.agenda.microsoft.updated == 1
    after = await held(world, master["id"])
    assert after["subject"] == "Point hebdo (équipe)"
    assert [loc["displayName"] for loc in after["locations"]] == ["Salle Lyon", "Salle Paris"]
    assert after["categories"] == ["Client VIP", "Réunion"]


async def test_an_occurrence_edited_in_the_crm_keeps_what_it_holds_from_outlook(world: World) -> None:
    cid = await world.calendar_id()
    master = (await world.outlook.post(f"/me/calendars/{cid}/events", weekly())).body
    await world.sync()
    [series] = await world.store.series_of("CARINE")
    second = datetime(2026, 12, 15, 10, tzinfo=PARIS)
    [occurrence] = [o for o in expand(series, world.service.default_period(world.user)) if o.start == second]
    await world.store.set_exception(series.id, occurrence.with_changes(title="Point hebdo (client)"))
    summary = await world.sync()
    assert summary.errors == []
    reply = await world.outlook.get(
        f"/me/events/{master['id']}/instances",
        params={"startDateTime": "2026-12-15T00:00:00Z", "endDateTime": "2026-12-16T00:00:00Z"},
    )
    [after] = reply.body["value"]
    assert (after["type"], after["subject"]) == ("exception", "Point hebdo (client)")
    assert [loc["displayName"] for loc in after["locations"]] == ["Salle Lyon", "Salle Paris"]
    assert after["categories"] == ["Client VIP", "Réunion"]


async def test_an_automatic_push_keeps_what_only_outlook_holds(world: World) -> None:
    """Automatic mode pushes one action without a sync's reading: it reads the event first (one GET,
    the price of not destroying Outlook's own data), then sends what differs."""
    user = await world.store.get_user("CARINE")
    await world.store.update_user(replace(user, prefs=replace(user.prefs, automatic=True)))
    event = await outlook_event(world, locations=[{"displayName": "Lyon"}, {"displayName": "Paris"}])
    await world.sync()
    action = await world.store.update_action((await the_action(world)).with_changes(title="Comité (reporté)"))
    await world.clear_requests()
    await world.service.push_action("CARINE", action.id)
    sent = [[sub["method"] for sub in r["sub_requests"]] for r in await world.requests()]
    assert sent == [["GET"], ["PATCH"]]  # the event as it is now, then what differs from it
    after = await held(world, event["id"])
    assert after["subject"] == "Comité (reporté)"
    assert [loc["displayName"] for loc in after["locations"]] == ["Lyon", "Paris"]
