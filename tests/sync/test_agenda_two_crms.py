"""Two CRM databases syncing one Outlook calendar: the CRM-id stamp names the database that wrote it, so
neither takes over, overwrites or re-stamps the other's events, and both settle (no write at every sync)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from tests.sync.conftest import CALENDAR, CLIENT_ID, NOW, UPN, World, sign_in, write_config
from tui_sync.domain.models import Action, MicrosoftSettings, SyncPrefs, User
from tui_sync.microsoft import mapping
from tui_sync.store import Store
from tui_sync.sync.service import SyncService

PARIS = ZoneInfo("Europe/Paris")


class OtherCrm:
    """A second CRM database with the same user, signed in to the same mailbox."""

    def __init__(self, store: Store, service: SyncService) -> None:
        self.store, self.service = store, service

    async def sync(self) -> Any:
        return await self.service.run("CARINE", "CARINE", ("agenda",))


@pytest.fixture
async def other(world: World, tmp_path: Path) -> AsyncIterator[OtherCrm]:
    (tmp_path / "other").mkdir()
    settings = write_config(tmp_path / "other", world.fake)
    store = await Store.open(settings.database, settings.tz)
    await store.set_microsoft_settings(MicrosoftSettings(client_id=CLIENT_ID))
    prefs = SyncPrefs(login_email=UPN, calendar_name=CALENDAR, months_before=1, months_after=3)
    await store.add_user(User("CARINE", "Carine Dupont", prefs=prefs))
    service = SyncService(store, settings, clock=lambda: NOW)
    await store.set_home_account(
        "CARINE", await sign_in(world.fake, world.admin, await service.authenticator(), UPN)
    )
    try:
        yield OtherCrm(store, service)
    finally:
        await store.close()


def meeting(title: str) -> Action:
    start = datetime(2026, 12, 3, 10, tzinfo=PARIS)
    return Action(owner="CARINE", title=title, start=start, end=start.replace(hour=11))


async def test_two_crms_on_one_calendar_never_take_over_each_others_events(
    world: World, other: OtherCrm
) -> None:
    mine = await world.store.add_action(meeting("Visite Martin"))
    theirs = await other.store.add_action(meeting("Visite Durand"))
    assert mine.id == theirs.id  # action:1 in both databases
    await world.sync()
    [held] = await world.outlook_events()

    summary = await other.sync()

    assert summary.agenda.microsoft.updated == 0 and summary.agenda.microsoft.created == 1
    events = {e["subject"]: e for e in await world.outlook_events()}
    assert set(events) == {"Visite Martin", "Visite Durand"}
    assert events["Visite Martin"]["changeKey"] == held["changeKey"]  # neither updated nor re-stamped
    for _ in range(2):  # each copies the other's event once, then both are quiet
        await world.sync()
        await other.sync()
    ours = await world.store.database_identity()
    listed = await world.outlook.get(
        f"/me/calendars/{await world.calendar_id()}/events", params={"$expand": mapping.STAMP_EXPAND}
    )
    stamps = {e["subject"]: mapping.read_stamp(e, ours) for e in listed.body["value"]}
    assert stamps == {"Visite Martin": f"action:{mine.id}", "Visite Durand": None}
    assert len(await world.store.single_actions("CARINE", world.service.default_period(world.user))) == 2
    before = {e["id"]: e["changeKey"] for e in await world.outlook_events()}
    for summary in (await world.sync(), await other.sync()):
        assert summary.errors == []
        assert (summary.agenda.microsoft.created, summary.agenda.microsoft.updated) == (0, 0)
    assert {e["id"]: e["changeKey"] for e in await world.outlook_events()} == before
