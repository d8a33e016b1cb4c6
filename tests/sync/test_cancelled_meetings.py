"""Meetings their organiser cancelled. An attendee's copy stays in the calendar with `isCancelled: true`
(api-reference/v1.0/resources/event.md); the sync treats it as a deletion made in Outlook: asked through
the Confirmer ("cancelled by the organiser"), deleted from the CRM when told to, kept otherwise — and a
kept one is neither asked again nor written to Outlook again at the next syncs."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from zoneinfo import ZoneInfo

from tests.sync.conftest import UPN, ScriptedConfirmer, World
from tui_sync.domain.models import Action
from tui_sync.sync.events import Decision

PARIS = ZoneInfo("Europe/Paris")
ZONE = "Romance Standard Time"
NOTHING = {"created": 0, "updated": 0, "deleted": 0}


def at(month: int, day: int, hour: int, year: int = 2026) -> datetime:
    return datetime(year, month, day, hour, tzinfo=PARIS)


async def cancel(world: World, event_id: str) -> None:
    """The organiser cancels the meeting (or one occurrence): the fake marks the user's copy."""
    body = {"upn": UPN, "event_id": event_id}
    async with world.admin.post(world.fake.admin_url + "/events/cancel", json=body) as response:
        assert response.status == 200, await response.text()


async def meeting(world: World, subject: str = "Comité client", day: int = 9, **extra: object) -> dict:
    cid = await world.calendar_id()
    reply = await world.outlook.post(
        f"/me/calendars/{cid}/events",
        {
            "subject": subject,
            "start": {"dateTime": f"2026-12-{day:02d}T10:00:00", "timeZone": ZONE},
            "end": {"dateTime": f"2026-12-{day:02d}T11:00:00", "timeZone": ZONE},
            **extra,
        },
    )
    assert reply.status == 201, reply.body
    return reply.body


async def weekly_meeting(world: World) -> tuple[dict, list[dict]]:
    master = await meeting(
        world,
        "Point hebdo",
        day=8,
        recurrence={
            "pattern": {"type": "weekly", "interval": 1, "daysOfWeek": ["tuesday"]},
            "range": {"type": "numbered", "startDate": "2026-12-08", "numberOfOccurrences": 4},
        },
    )
    reply = await world.outlook.get(
        f"/me/events/{master['id']}/instances",
        params={"startDateTime": "2026-12-01T00:00:00Z", "endDateTime": "2027-01-31T00:00:00Z"},
    )
    return master, sorted(reply.body["value"], key=lambda e: e["start"]["dateTime"])


async def crm_titles(world: World) -> list[str]:
    actions = await world.store.single_actions("CARINE", world.service.default_period(world.user))
    return sorted(a.title for a in actions)


async def test_a_cancelled_meeting_is_asked_as_such_and_deleted_from_the_crm(world: World) -> None:
    event = await meeting(world)
    await meeting(world, "Other", day=10)  # so that one deletion is not a mass deletion
    await meeting(world, "Third", day=11)
    assert (await world.sync()).agenda.crm.created == 3
    await cancel(world, event["id"])
    confirmer = ScriptedConfirmer([Decision.DELETE])
    summary = await world.sync(confirmer=confirmer)
    assert summary.errors == []
    assert [(r.kind, r.title, r.reason) for r in confirmer.asked] == [
        ("action", "Comité client", "cancelled")
    ]
    assert await crm_titles(world) == ["Other", "Third"]
    again = ScriptedConfirmer()
    summary = await world.sync(confirmer=again)
    assert again.asked == [] and summary.agenda.crm.__dict__ == NOTHING
    assert summary.agenda.microsoft.__dict__ == NOTHING


async def test_a_kept_cancelled_meeting_is_not_asked_again_nor_written_again(world: World) -> None:
    event = await meeting(world)
    await meeting(world, "Other", day=10)
    await meeting(world, "Third", day=11)
    await world.sync()
    await cancel(world, event["id"])
    confirmer = ScriptedConfirmer([Decision.KEEP])
    summary = await world.sync(confirmer=confirmer)
    assert [r.reason for r in confirmer.asked] == ["cancelled"] and summary.agenda.kept == 1
    assert await crm_titles(world) == ["Comité client", "Other", "Third"]
    # Kept: written back once as the user's own event; the cancelled copy stays as Outlook has it.
    events = await world.outlook_events()
    assert sorted((e["subject"], e["isCancelled"]) for e in events) == [
        ("Comité client", False),
        ("Comité client", True),
        ("Other", False),
        ("Third", False),
    ]
    for _ in range(2):
        again = ScriptedConfirmer()
        summary = await world.sync(confirmer=again)
        assert again.asked == [] and summary.errors == []
        assert summary.agenda.microsoft.__dict__ == NOTHING and summary.agenda.crm.__dict__ == NOTHING
    assert len(await world.outlook_events()) == 4
    assert await crm_titles(world) == ["Comité client", "Other", "Third"]


async def test_a_meeting_cancelled_before_it_was_ever_synced_never_enters_the_crm(world: World) -> None:
    event = await meeting(world)
    await cancel(world, event["id"])
    confirmer = ScriptedConfirmer()
    summary = await world.sync(confirmer=confirmer)
    assert confirmer.asked == [] and summary.agenda.crm.created == 0
    assert await crm_titles(world) == []


async def test_a_cancelled_occurrence_is_asked_and_cancelled_in_the_crm(world: World) -> None:
    _, occurrences = await weekly_meeting(world)
    await world.sync()
    [series] = await world.store.series_of("CARINE")
    await cancel(world, occurrences[1]["id"])
    confirmer = ScriptedConfirmer([Decision.DELETE])
    summary = await world.sync(confirmer=confirmer)
    assert summary.errors == []
    assert [(r.kind, r.reason) for r in confirmer.asked] == [("occurrence", "cancelled")]
    assert (await world.store.get_series(series.id)).cancelled == frozenset({at(12, 15, 10)})
    again = ScriptedConfirmer()
    summary = await world.sync(confirmer=again)
    assert again.asked == [] and summary.agenda.microsoft.__dict__ == NOTHING
    assert summary.agenda.crm.__dict__ == NOTHING


async def test_a_kept_cancelled_occurrence_is_not_asked_again_nor_written_again(world: World) -> None:
    _, occurrences = await weekly_meeting(world)
    await world.sync()
    [series] = await world.store.series_of("CARINE")
    await cancel(world, occurrences[1]["id"])
    confirmer = ScriptedConfirmer([Decision.KEEP])
    summary = await world.sync(confirmer=confirmer)
    assert [(r.kind, r.reason) for r in confirmer.asked] == [("occurrence", "cancelled")]
    assert summary.agenda.kept == 1
    for _ in range(2):
        again = ScriptedConfirmer()
        summary = await world.sync(confirmer=again)
        assert again.asked == [] and summary.errors == []
        assert summary.agenda.microsoft.__dict__ == NOTHING and summary.agenda.crm.__dict__ == NOTHING
    assert (await world.store.get_series(series.id)).cancelled == frozenset()
    assert len([e for e in await world.outlook_events() if e["type"] == "seriesMaster"]) == 1


async def test_a_cancelled_series_is_asked_as_such(world: World) -> None:
    master, _ = await weekly_meeting(world)
    await meeting(world, "Other", day=10)
    await meeting(world, "Third", day=11)
    await world.sync()
    await cancel(world, master["id"])
    confirmer = ScriptedConfirmer([Decision.DELETE])
    summary = await world.sync(confirmer=confirmer)
    assert summary.errors == []
    assert [(r.kind, r.title, r.reason) for r in confirmer.asked] == [("series", "Point hebdo", "cancelled")]
    assert await world.store.series_of("CARINE") == []
    again = ScriptedConfirmer()
    summary = await world.sync(confirmer=again)
    assert again.asked == [] and summary.agenda.crm.__dict__ == NOTHING
    assert summary.agenda.microsoft.__dict__ == NOTHING


async def test_a_deletion_is_still_asked_as_a_deletion(world: World) -> None:
    action = await world.store.add_action(Action("CARINE", "Plain", at(12, 9, 9), at(12, 9, 10)))
    await world.sync()
    link = (await world.store.links("CARINE", "action"))[str(action.id)]
    assert (await world.outlook.delete(f"/me/events/{link.remote_id}")).status == 204
    confirmer = ScriptedConfirmer([Decision.DELETE])
    await world.sync(confirmer=confirmer)
    assert [r.reason for r in confirmer.asked] == ["deleted"]


async def test_an_automatic_push_leaves_a_cancelled_meeting_to_the_next_sync(world: World) -> None:
    user = await world.store.get_user("CARINE")
    await world.store.update_user(replace(user, prefs=replace(user.prefs, automatic=True)))
    event = await meeting(world)
    await world.sync()
    [action] = await world.store.single_actions("CARINE", world.service.default_period(world.user))
    await cancel(world, event["id"])
    await world.store.update_action(action.with_changes(title="Comité client (reporté)"))
    await world.service.push_action("CARINE", action.id)
    held = (await world.outlook.get(f"/me/events/{event['id']}")).body
    assert (held["subject"], held["isCancelled"]) == ("Comité client", True)
    confirmer = ScriptedConfirmer([Decision.DELETE])
    await world.sync(confirmer=confirmer)
    assert [r.reason for r in confirmer.asked] == ["cancelled"]
