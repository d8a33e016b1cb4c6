"""The rights hold in the engine whatever the entry point: an Automatic push only ever sends the
pushing user's own actions to their own mailbox, and a sync on behalf of someone else needs the agenda
right (agenda) or the administrator flag (contacts) — checked before anything is read or written."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from tests.sync.conftest import World
from tui_sync.domain.models import Action, User
from tui_sync.sync.service import NotAllowed

PARIS = ZoneInfo("Europe/Paris")


async def test_a_push_never_sends_another_owners_action_to_a_mailbox(world: World) -> None:
    """Automatic push is asked for (owner, action id); an id of someone else's action must not land in
    the owner's Outlook (it would show FLORENT's private meeting in CARINE's calendar)."""
    await world.store.update_user(replace(world.user, prefs=replace(world.user.prefs, automatic=True)))
    await world.store.add_user(User("FLORENT", "Florent Petit"))
    start = datetime(2026, 12, 2, 9, tzinfo=PARIS)
    theirs = await world.store.add_action(Action("FLORENT", "Florent's", start, start + timedelta(hours=1)))
    with pytest.raises(NotAllowed):
        await world.service.push_action("CARINE", theirs.id)  # type: ignore[arg-type]
    assert await world.outlook_events() == []
    assert await world.store.links("CARINE", "action") == {}


async def test_a_sync_for_someone_else_is_refused_before_anything_happens(world: World) -> None:
    await world.store.add_user(User("FLORENT", "Florent Petit"))
    await world.clear_requests()
    for what in (["agenda"], ["contacts"], ["agenda", "contacts"]):
        with pytest.raises(NotAllowed):
            await world.service.run("FLORENT", "CARINE", what)
    assert await world.requests() == []  # not even a sign-in
    assert await world.store.last_runs("CARINE", 10) == []
