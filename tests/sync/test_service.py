"""SyncService around the engines: the startup direction, automatic pushes, rights, the lease, the run
log and the last-sync times."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from tests.sync.conftest import NOW, World
from tui_sync.domain.models import Action, Contact, Rights, User
from tui_sync.errors import SyncBusy
from tui_sync.sync.service import NotAllowed

PARIS = ZoneInfo("Europe/Paris")


def at(day: int, hour: int) -> datetime:
    return datetime(2026, 12, day, hour, tzinfo=PARIS)


async def test_at_startup_only_microsoft_reaches_the_crm(world: World) -> None:
    await world.store.add_action(Action("CARINE", "CRM only", at(2, 9), at(2, 10)))
    cid = await world.calendar_id()
    await world.outlook.post(
        f"/me/calendars/{cid}/events",
        {
            "subject": "Outlook only",
            "start": {"dateTime": "2026-12-03T09:00:00", "timeZone": "UTC"},
            "end": {"dateTime": "2026-12-03T10:00:00", "timeZone": "UTC"},
        },
    )
    summary = await world.sync(two_way=False)
    assert summary.errors == [] and summary.agenda.crm.created == 1
    assert summary.agenda.microsoft.created == 0
    assert [e["subject"] for e in await world.outlook_events()] == ["Outlook only"]
    titles = {
        a.title for a in await world.store.single_actions("CARINE", world.service.default_period(world.user))
    }
    assert titles == {"CRM only", "Outlook only"}


async def test_automatic_mode_pushes_each_change_at_once(world: World) -> None:
    user = await world.store.get_user("CARINE")
    await world.store.update_user(replace(user, prefs=replace(user.prefs, automatic=True)))
    action = await world.store.add_action(Action("CARINE", "Pushed", at(4, 9), at(4, 10)))
    await world.service.push_action("CARINE", action.id)
    [event] = await world.outlook_events()
    assert event["subject"] == "Pushed"
    await world.store.update_action(action.with_changes(title="Pushed again", start=at(4, 11), end=at(4, 12)))
    await world.service.push_action("CARINE", action.id)
    [event] = await world.outlook_events()
    assert event["subject"] == "Pushed again" and event["start"]["dateTime"].startswith("2026-12-04T10:00")
    summary = await world.sync()
    assert summary.agenda.microsoft.__dict__ == {"created": 0, "updated": 0, "deleted": 0}
    await world.store.delete_action(action.id)
    await world.service.push_action("CARINE", action.id)
    assert await world.outlook_events() == []


async def test_automatic_push_does_nothing_when_the_option_is_off(world: World) -> None:
    action = await world.store.add_action(Action("CARINE", "Not pushed", at(4, 9), at(4, 10)))
    await world.service.push_action("CARINE", action.id)
    assert await world.outlook_events() == []


async def test_agendas_of_others_need_the_agenda_right(world: World) -> None:
    await world.store.add_user(User("PAUL", "Paul Martin"))
    with pytest.raises(NotAllowed):
        await world.service.run("PAUL", "CARINE", ["agenda"])
    await world.store.set_rights(Rights("PAUL", "CARINE", visible=True, agenda=True))
    summary = await world.service.run("PAUL", "CARINE", ["agenda"])
    assert summary.errors == []
    with pytest.raises(NotAllowed):
        await world.service.run("PAUL", "CARINE", ["contacts"])


async def test_one_writer_per_user(world: World) -> None:
    await world.store.acquire_lease("CARINE", "another-terminal", 60)
    with pytest.raises(SyncBusy):
        await world.sync()
    await world.store.release_lease("CARINE", "another-terminal")
    assert (await world.sync()).errors == []


async def test_runs_are_logged_and_last_sync_times_kept(world: World) -> None:
    await world.store.add_action(Action("CARINE", "Logged", at(5, 9), at(5, 10)))
    summary = await world.sync()
    user = await world.store.get_user("CARINE")
    assert user.last_agenda_sync == NOW and user.last_contacts_sync is None
    [run] = await world.store.last_runs("CARINE", 1)
    assert run.ok is True and run.summary == summary.to_json() and run.what == "agenda"
    phases = [p.phase for p in world.progress]
    assert phases[0] == "connecting" and phases[-1] == "done" and "writing" in phases
    assert world.progress[-1].requests > 0


async def test_concurrent_runs_for_one_user_do_not_both_write(world: World) -> None:
    await world.store.add_action(Action("CARINE", "Once", at(6, 9), at(6, 10)))
    results = await asyncio.gather(world.sync(), world.sync(), return_exceptions=True)
    assert sum(isinstance(r, SyncBusy) for r in results) == 1
    assert [e["subject"] for e in await world.outlook_events()] == ["Once"]


async def test_contacts_through_the_service_and_both_at_once(world: World) -> None:
    contact = await world.store.add_contact(Contact("Dupont", "Jean", company="ACME", note="VIP"))
    await world.store.add_to_sync_list("CARINE", [contact.id])
    await world.store.add_action(Action("CARINE", "Both", at(7, 9), at(7, 10)))
    summary = await world.sync("agenda", "contacts")
    assert summary.errors == []
    assert summary.contacts.microsoft.created == 1 and summary.agenda.microsoft.created == 1
    assert set(summary.to_json()) == {"user", "agenda", "contacts", "requests", "errors", "seconds"}
    reply = await world.outlook.get("/me/contacts")
    assert [(c["displayName"], c["personalNotes"]) for c in reply.body["value"]] == [("DUPONT Jean", "VIP")]
    user = await world.store.get_user("CARINE")
    assert user.last_contacts_sync == NOW and user.last_agenda_sync == NOW
    again = await world.sync("agenda", "contacts")
    assert again.contacts.microsoft.__dict__ == {"created": 0, "updated": 0, "deleted": 0}
    assert again.requests <= 6
