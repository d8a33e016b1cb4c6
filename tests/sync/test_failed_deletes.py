"""A delete the mailbox refuses (500, neither done nor already gone) is reported like every other
failed write, under the title of what it was deleting, and the next sync tries again: a series master,
a cancellation copied from the CRM, and a single event whose CRM action is already gone."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from tests.sync.conftest import ScriptedConfirmer, World
from tui_sync.domain.models import Action, Recurrence, Series
from tui_sync.sync.kinds import SERIES

PARIS = ZoneInfo("Europe/Paris")
ALLOW = ScriptedConfirmer(allow_mass=True)  # deleting the one synced item is not a mistake here


def at(month: int, day: int, hour: int) -> datetime:
    return datetime(2026, month, day, hour, tzinfo=PARIS)


def weekly() -> Series:
    rule = Recurrence("weekly", date(2026, 12, 7), days_of_week=("monday",), range_type="numbered", count=6)
    return Series("CARINE", "Point équipe", at(12, 7, 9), at(12, 7, 10), rule, action_type="Réunion")


async def masters(world: World) -> list[dict]:
    return [e for e in await world.outlook_events() if e["type"] == "seriesMaster"]


async def occurrences(world: World) -> list[dict]:
    [master] = await masters(world)
    reply = await world.outlook.get(
        f"/me/events/{master['id']}/instances",
        params={"startDateTime": "2026-12-01T00:00:00Z", "endDateTime": "2027-02-01T00:00:00Z"},
    )
    assert reply.status == 200, reply.body
    return reply.body["value"]


async def test_a_refused_delete_of_a_series_master_is_reported_and_retried(world: World) -> None:
    series = await world.store.add_series(weekly())
    assert (await world.sync()).errors == []
    await world.store.delete_series(series.stored_id)
    await world.faults(delete_500=1)
    summary = await world.sync(confirmer=ALLOW)
    assert len(summary.errors) == 1 and "Point équipe" in summary.errors[0]
    assert summary.agenda.microsoft.deleted == 0 and len(await masters(world)) == 1
    assert str(series.id) in await world.store.links(world.user.code, SERIES)  # kept: retried
    summary = await world.sync(confirmer=ALLOW)
    assert summary.errors == [] and summary.agenda.microsoft.deleted == 1 and await masters(world) == []


async def test_a_refused_cancellation_copied_from_the_crm_is_reported(world: World) -> None:
    series = await world.store.add_series(weekly())
    await world.store.cancel_occurrence(series.id, at(12, 14, 9))
    await world.faults(delete_500=1)  # the one DELETE of the run: the copied cancellation
    summary = await world.sync()
    assert len(summary.errors) == 1 and "Point équipe" in summary.errors[0]
    assert len(await occurrences(world)) == 6  # the occurrence is still there
    summary = await world.sync()
    assert summary.errors == [] and summary.agenda.microsoft.deleted == 1
    assert len(await occurrences(world)) == 5


async def test_a_refused_delete_of_a_single_event_names_the_event(world: World) -> None:
    action = await world.store.add_action(Action("CARINE", "Visite Dupont", at(12, 2, 9), at(12, 2, 10)))
    assert (await world.sync()).errors == []
    await world.store.delete_action(action.stored_id)
    await world.faults(delete_500=1)
    summary = await world.sync(confirmer=ALLOW)
    assert len(summary.errors) == 1 and "Visite Dupont" in summary.errors[0]
    assert len(await world.outlook_events()) == 1
    summary = await world.sync(confirmer=ALLOW)
    assert summary.errors == [] and await world.outlook_events() == []
