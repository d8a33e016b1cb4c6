"""A CRM series copied whole to the mailbox (just created, or its rule changed): the master is created,
then each occurrence the CRM user edited is a PATCH of the matching Outlook occurrence. When the mailbox
refuses that PATCH (500), the error is reported and the next sync still brings the CRM's edit to the
mailbox, whatever the conflict policy: the mailbox's unedited occurrence, newer than the CRM's edit
(its master was created after it), is no edit and must not overwrite it.

The other way, an Outlook series copied to the CRM, writes only the CRM's own database: no mailbox
write can fail there."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from tests.sync.conftest import World
from tui_sync.config import SyncConfig
from tui_sync.domain.models import Action, Recurrence, Series

PARIS = ZoneInfo("Europe/Paris")


def at(month: int, day: int, hour: int) -> datetime:
    return datetime(2026, month, day, hour, tzinfo=PARIS)


def weekly() -> Series:
    rule = Recurrence("weekly", date(2026, 12, 7), days_of_week=("monday",), range_type="numbered", count=6)
    return Series("CARINE", "Point équipe", at(12, 7, 9), at(12, 7, 10), rule, action_type="Réunion")


async def occurrences(world: World) -> dict[str, tuple[str, str]]:
    """The mailbox's occurrences: subject and start by original start."""
    [master] = [e for e in await world.outlook_events() if e["type"] == "seriesMaster"]
    reply = await world.outlook.get(
        f"/me/events/{master['id']}/instances",
        params={"startDateTime": "2026-12-01T00:00:00Z", "endDateTime": "2027-02-01T00:00:00Z"},
    )
    assert reply.status == 200, reply.body
    return {e["originalStart"][:10]: (e["subject"], e["start"]["dateTime"][:16]) for e in reply.body["value"]}


@pytest.mark.parametrize("policy", ["newest", "office"])
async def test_a_refused_exception_copied_from_the_crm_reaches_the_mailbox_next_sync(
    world: World, policy: str
) -> None:
    world.service.settings = world.settings.model_copy(update={"sync": SyncConfig(conflict=policy)})
    series = await world.store.add_series(weekly())
    moved = Action(
        "CARINE",
        "Point déplacé",
        at(12, 14, 15),
        at(12, 14, 16),
        action_type="Réunion",
        series_id=series.id,
        original_start=at(12, 14, 9),
    )
    await world.store.set_exception(series.id, moved)
    await world.faults(patch_500=1)  # the one PATCH of the run: the copied exception
    summary = await world.sync()
    assert len(summary.errors) == 1 and "Point équipe" in summary.errors[0]
    assert (await occurrences(world))["2026-12-14"] == ("Point équipe", "2026-12-14T08:00")  # not moved
    summary = await world.sync()
    assert summary.errors == [] and summary.agenda.microsoft.updated == 1
    assert summary.agenda.crm.__dict__ == {"created": 0, "updated": 0, "deleted": 0}
    assert (await occurrences(world))["2026-12-14"] == ("Point déplacé", "2026-12-14T14:00")  # UTC
    [edited] = (await world.store.get_series(series.id)).exceptions
    assert (edited.title, edited.start) == ("Point déplacé", at(12, 14, 15))
