"""Agenda sync scenarios: series with exceptions and cancellations both ways, deletions through the
Confirmer, conflict policies, reset then re-link, and the 800 limits."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from tests.sync.conftest import ScriptedConfirmer, World
from tui_sync.config import SyncConfig
from tui_sync.domain.models import Action, Recurrence, Series
from tui_sync.domain.recurrence import expand
from tui_sync.sync.events import AnswerAll, Decision

PARIS = ZoneInfo("Europe/Paris")


def at(month: int, day: int, hour: int, minute: int = 0, year: int = 2026) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=PARIS)


def weekly(owner: str = "CARINE", title: str = "Point équipe", count: int = 6) -> Series:
    rule = Recurrence(
        "weekly", date(2026, 12, 7), days_of_week=("monday",), range_type="numbered", count=count
    )
    return Series(owner, title, at(12, 7, 9), at(12, 7, 10), rule, action_type="Réunion")


async def instances(world: World, master_id: str) -> list[dict]:
    reply = await world.outlook.get(
        f"/me/events/{master_id}/instances",
        params={"startDateTime": "2026-10-01T00:00:00Z", "endDateTime": "2027-04-01T00:00:00Z"},
    )
    assert reply.status == 200, reply.body
    return sorted(reply.body["value"], key=lambda e: e["start"]["dateTime"])


async def test_a_crm_series_with_an_exception_and_a_cancellation_reaches_outlook(world: World) -> None:
    series = await world.store.add_series(weekly())
    await world.store.set_exception(
        series.id,
        Action(
            "CARINE",
            "Point déplacé",
            at(12, 14, 15),
            at(12, 14, 16),
            action_type="Réunion",
            series_id=series.id,
            original_start=at(12, 14, 9),
        ),
    )
    await world.store.cancel_occurrence(series.id, at(12, 21, 9))
    summary = await world.sync()
    assert summary.errors == []
    [master] = [e for e in await world.outlook_events() if e["type"] == "seriesMaster"]
    assert master["recurrence"]["pattern"]["type"] == "weekly"
    got = await instances(world, master["id"])
    assert len(got) == 5  # 6 minus the cancelled one
    moved = [e for e in got if e["type"] == "exception"]
    assert [e["subject"] for e in moved] == ["Point déplacé"]
    await world.clear_requests()
    again = await world.sync()
    assert again.agenda.microsoft.__dict__ == {"created": 0, "updated": 0, "deleted": 0}
    assert again.agenda.crm.__dict__ == {"created": 0, "updated": 0, "deleted": 0}
    assert len(await world.requests()) <= 6


async def test_an_outlook_series_with_an_exception_and_a_cancellation_reaches_the_crm(world: World) -> None:
    cid = await world.calendar_id()
    master = (
        await world.outlook.post(
            f"/me/calendars/{cid}/events",
            {
                "subject": "Comité",
                "start": {"dateTime": "2026-12-08T10:00:00", "timeZone": "Romance Standard Time"},
                "end": {"dateTime": "2026-12-08T11:00:00", "timeZone": "Romance Standard Time"},
                "recurrence": {
                    "pattern": {"type": "weekly", "interval": 1, "daysOfWeek": ["tuesday"]},
                    "range": {"type": "numbered", "startDate": "2026-12-08", "numberOfOccurrences": 5},
                },
            },
        )
    ).body
    got = await instances(world, master["id"])
    assert (
        await world.outlook.patch(f"/me/events/{got[1]['id']}", {"subject": "Comité spécial"})
    ).status == 200
    assert (await world.outlook.delete(f"/me/events/{got[3]['id']}")).status == 204
    summary = await world.sync()
    assert summary.errors == [] and summary.agenda.crm.created == 1
    [series] = await world.store.series_of("CARINE")
    assert series.recurrence.pattern == "weekly" and series.recurrence.count == 5
    assert series.cancelled == frozenset({at(12, 29, 10)})
    assert [(e.title, e.original_start) for e in series.exceptions] == [("Comité spécial", at(12, 15, 10))]
    occurrences = expand(series, world.service.default_period(world.user))
    assert len(occurrences) == 4
    again = await world.sync()
    assert again.agenda.microsoft.__dict__ == {"created": 0, "updated": 0, "deleted": 0}
    assert again.agenda.crm.__dict__ == {"created": 0, "updated": 0, "deleted": 0}


async def test_occurrence_edits_and_cancellations_travel_both_ways(world: World) -> None:
    series = await world.store.add_series(weekly())
    await world.sync()
    [master] = [e for e in await world.outlook_events() if e["type"] == "seriesMaster"]
    got = await instances(world, master["id"])
    # Outlook edits the 2nd occurrence, the CRM cancels the 4th and edits the 5th.
    assert (
        await world.outlook.patch(f"/me/events/{got[1]['id']}", {"location": {"displayName": "Salle B"}})
    ).status == 200
    await world.store.cancel_occurrence(series.id, at(12, 28, 9))
    await world.store.set_exception(
        series.id,
        Action(
            "CARINE",
            "Point (long)",
            at(1, 4, 9, year=2027),
            at(1, 4, 12, year=2027),
            action_type="Réunion",
            series_id=series.id,
            original_start=at(1, 4, 9, year=2027),
        ),
    )
    summary = await world.sync()
    assert summary.errors == []
    stored = await world.store.get_series(series.id)
    assert {e.original_start: e.location for e in stored.exceptions}[at(12, 14, 9)] == "Salle B"
    after = await instances(world, master["id"])
    assert len(after) == 5
    assert [e["subject"] for e in after if e["start"]["dateTime"].startswith("2027-01-04")] == [
        "Point (long)"
    ]
    # Outlook cancels an occurrence: the CRM asks, and deletes it when told to.
    assert (await world.outlook.delete(f"/me/events/{after[0]['id']}")).status == 204
    confirmer = ScriptedConfirmer([Decision.DELETE])
    summary = await world.sync(confirmer=confirmer)
    assert [r.kind for r in confirmer.asked] == ["occurrence"]
    assert at(12, 7, 9) in (await world.store.get_series(series.id)).cancelled


async def test_a_microsoft_deletion_is_kept_without_yes_and_applied_with_it(world: World) -> None:
    kept = await world.store.add_action(Action("CARINE", "Keep me", at(12, 9, 9), at(12, 9, 10)))
    gone = await world.store.add_action(Action("CARINE", "Delete me", at(12, 10, 9), at(12, 10, 10)))
    spare = await world.store.add_action(Action("CARINE", "Spare", at(12, 11, 9), at(12, 11, 10)))
    for day in (12, 13):  # enough linked items that two deletions are not a mass deletion
        await world.store.add_action(Action("CARINE", f"Other {day}", at(12, day, 9), at(12, day, 10)))
    await world.sync()
    links = await world.store.links("CARINE", "action")
    for action in (kept, gone):
        assert (await world.outlook.delete(f"/me/events/{links[str(action.id)].remote_id}")).status == 204
    summary = await world.sync(confirmer=AnswerAll(yes=False))
    assert summary.agenda.kept == 2 and summary.agenda.microsoft.created == 2
    subjects = sorted(e["subject"] for e in await world.outlook_events())
    assert subjects == ["Delete me", "Keep me", "Other 12", "Other 13", "Spare"]
    links = await world.store.links("CARINE", "action")
    assert (await world.outlook.delete(f"/me/events/{links[str(gone.id)].remote_id}")).status == 204
    summary = await world.sync(confirmer=AnswerAll(yes=True))
    assert summary.agenda.crm.deleted == 1
    remaining = await world.store.single_actions("CARINE", world.service.default_period(world.user))
    assert sorted(a.title for a in remaining) == ["Keep me", "Other 12", "Other 13", "Spare"]
    assert spare.id in {a.id for a in remaining}


async def test_a_crm_deletion_is_pushed_and_mass_deletions_are_asked_first(world: World) -> None:
    actions = [
        await world.store.add_action(Action("CARINE", f"A{i}", at(12, 1 + i, 9), at(12, 1 + i, 10)))
        for i in range(4)
    ]
    await world.sync()
    await world.store.delete_action(actions[0].id)
    summary = await world.sync()
    assert summary.agenda.microsoft.deleted == 1 and len(await world.outlook_events()) == 3
    for action in actions[1:3]:
        await world.store.delete_action(action.id)
    refuse = ScriptedConfirmer(allow_mass=False)
    summary = await world.sync(confirmer=refuse)
    assert refuse.mass_asked == [(2, 3)]
    assert summary.errors and len(await world.outlook_events()) == 3  # nothing written
    summary = await world.sync(confirmer=ScriptedConfirmer(allow_mass=True))
    assert summary.agenda.microsoft.deleted == 2 and len(await world.outlook_events()) == 1


@pytest.mark.parametrize(("policy", "winner"), [("newest", "Outlook"), ("crm", "CRM"), ("office", "Outlook")])
async def test_both_sides_edits_follow_the_policy(world: World, policy: str, winner: str) -> None:
    world.service.settings = world.settings.model_copy(update={"sync": SyncConfig(conflict=policy)})
    action = await world.store.add_action(Action("CARINE", "Base", at(12, 15, 9), at(12, 15, 10)))
    await world.sync()
    await world.store.update_action(action.with_changes(title="CRM"))
    [event] = await world.outlook_events()
    assert (await world.outlook.patch(f"/me/events/{event['id']}", {"subject": "Outlook"})).status == 200
    summary = await world.sync()
    assert summary.agenda.conflicts == 1
    assert (await world.store.get_action(action.id)).title == winner
    assert [e["subject"] for e in await world.outlook_events()] == [winner]


async def test_reset_calendar_then_sync_duplicates_nothing(world: World) -> None:
    await world.store.add_action(Action("CARINE", "Mine", at(12, 16, 9), at(12, 16, 10)))
    await world.store.add_series(weekly())
    cid = await world.calendar_id()
    await world.outlook.post(
        f"/me/calendars/{cid}/events",
        {
            "subject": "Theirs",
            "start": {"dateTime": "2026-12-17T09:00:00", "timeZone": "UTC"},
            "end": {"dateTime": "2026-12-17T10:00:00", "timeZone": "UTC"},
        },
    )
    await world.sync()
    cleared = await world.store.clear_links("CARINE", ["action", "series", "occurrence"])
    assert cleared > 0
    summary = await world.sync()
    assert summary.errors == []
    assert summary.agenda.microsoft.created == 0 and summary.agenda.crm.created == 0
    assert sorted(e["subject"] for e in await world.outlook_events()) == ["Mine", "Point équipe", "Theirs"]
    period = world.service.default_period(world.user)
    assert sorted(a.title for a in await world.store.single_actions("CARINE", period)) == ["Mine", "Theirs"]
    assert len(await world.store.series_of("CARINE")) == 1


async def test_past_the_limits_the_800_nearest_are_synced(world: World) -> None:
    start = at(11, 26, 0)
    for i in range(1000):
        moment = start + timedelta(hours=2 * i)
        await world.store.add_action(Action("CARINE", f"S{i}", moment, moment + timedelta(hours=1)))
    for i in range(20):  # 20 weekly series of 50 occurrences: 1000 occurrences in the period
        rule = Recurrence("daily", date(2026, 11, 27), interval=1, range_type="numbered", count=50)
        first = at(11, 27, 8) + timedelta(minutes=20 * i)
        await world.store.add_series(Series("CARINE", f"D{i}", first, first + timedelta(minutes=10), rule))
    summary = await world.sync(period=None)
    assert summary.errors == []
    assert summary.agenda.microsoft.created == 800 + 16
    assert summary.agenda.left_out == 200 + 200
    assert any("shorten the period" in n for n in summary.notices)
    first_requests = summary.requests
    await world.clear_requests()
    again = await world.sync()
    assert again.agenda.microsoft.__dict__ == {"created": 0, "updated": 0, "deleted": 0}
    assert again.agenda.crm.__dict__ == {"created": 0, "updated": 0, "deleted": 0}
    assert again.agenda.left_out == 400 and len(await world.requests()) <= 6
    print(
        f"800+800 first sync: {first_requests} requests, {summary.seconds:.2f} s; "
        f"second: {again.requests} requests, {again.seconds:.2f} s"
    )


async def test_with_series_actions_off_series_are_left_alone(world: World) -> None:
    user = await world.store.get_user("CARINE")
    await world.store.update_user(replace(user, prefs=replace(user.prefs, series=False)))
    await world.store.add_series(weekly())
    cid = await world.calendar_id()
    await world.outlook.post(
        f"/me/calendars/{cid}/events",
        {
            "subject": "Outlook series",
            "start": {"dateTime": "2026-12-08T10:00:00", "timeZone": "UTC"},
            "end": {"dateTime": "2026-12-08T11:00:00", "timeZone": "UTC"},
            "recurrence": {
                "pattern": {"type": "daily", "interval": 1},
                "range": {"type": "numbered", "startDate": "2026-12-08", "numberOfOccurrences": 3},
            },
        },
    )
    summary = await world.sync()
    assert summary.errors == []
    assert summary.agenda.crm.created == 0 and summary.agenda.microsoft.created == 0
    assert [e["subject"] for e in await world.outlook_events()] == ["Outlook series"]
    assert [s.title for s in await world.store.series_of("CARINE")] == ["Point équipe"]
    assert await world.store.single_actions("CARINE", world.service.default_period(world.user)) == []


async def test_each_deletion_is_asked_in_turn_and_keep_all_ends_the_questions(world: World) -> None:
    actions = [
        await world.store.add_action(Action("CARINE", f"D{i}", at(12, 1 + i, 9), at(12, 1 + i, 10)))
        for i in range(8)
    ]
    await world.sync()
    links = await world.store.links("CARINE", "action")
    for action in actions[:3]:
        assert (await world.outlook.delete(f"/me/events/{links[str(action.id)].remote_id}")).status == 204
    confirmer = ScriptedConfirmer([Decision.DELETE, Decision.KEEP_ALL])
    summary = await world.sync(confirmer=confirmer)
    assert [(r.index, r.total) for r in confirmer.asked] == [(1, 3), (2, 3)]
    assert all(r.kind == "action" and r.title.startswith("D") for r in confirmer.asked)
    assert summary.agenda.crm.deleted == 1 and summary.agenda.kept == 2
    assert len(await world.outlook_events()) == 7
