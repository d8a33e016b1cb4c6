"""The disk full while a sync records its work: SQLite answers SQLITE_FULL ("database or disk is full")
to a write. A real full disk needs root to make; SQLite's own `PRAGMA max_page_count` makes the
database file "full" at its current size, on the store's connection, with the same error code.
The sync ends with one clear line, nothing half-written stays, and once there is room again the next
sync converges: both sides agree and nothing is written twice."""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from tests.sync.conftest import World
from tui_sync import texts
from tui_sync.domain.models import Action

PARIS = ZoneInfo("Europe/Paris")


async def fill_up(world: World) -> int:
    """Make the database file full at its current size; returns the old page limit."""
    connection = world.store._db  # the store's own aiosqlite connection (no SQL API for a page limit)
    async with connection.execute("PRAGMA max_page_count") as cursor:
        (limit,) = await cursor.fetchone()
    async with connection.execute("PRAGMA page_count") as cursor:
        (pages,) = await cursor.fetchone()
    await connection.execute(f"PRAGMA max_page_count = {pages}")
    return limit


async def make_room(world: World, limit: int) -> None:
    await world.store._db.execute(f"PRAGMA max_page_count = {limit}")


async def test_a_full_disk_while_recording_ends_clearly_and_the_next_sync_converges(world: World) -> None:
    start = datetime(2026, 12, 1, 9, tzinfo=PARIS)
    for n in range(30):
        when = start + timedelta(days=n % 20, hours=n % 5)
        await world.store.add_action(Action("CARINE", f"CRM {n:02}", when, when + timedelta(hours=1)))
    cid = await world.calendar_id()
    for n in range(30):
        day = f"2026-12-{1 + n % 25:02}T{8 + n % 6:02}:30:00"
        end = f"2026-12-{1 + n % 25:02}T{8 + n % 6:02}:59:00"
        body = {
            "subject": f"Outlook {n:02} " + "x" * 2000,  # the CRM copies need new pages
            "start": {"dateTime": day, "timeZone": "Europe/Paris"},
            "end": {"dateTime": end, "timeZone": "Europe/Paris"},
        }
        assert (await world.outlook.post(f"/me/calendars/{cid}/events", body)).status == 201
    limit = await fill_up(world)

    summary = await world.sync()
    assert summary.errors, "the sync should have failed"
    assert summary.errors == [texts.errors.disk_full(world.settings.database)], summary.errors
    await make_room(world, limit)

    again = await world.sync()
    assert again.errors == []
    period = world.service.default_period(world.user)
    titles = Counter(a.title for a in await world.store.single_actions("CARINE", period))
    subjects = Counter(e["subject"] for e in await world.outlook_events())
    assert titles == subjects and len(titles) == 60 and set(titles.values()) == {1}
    links = await world.store.links("CARINE", "action")
    assert len(links) == 60 and len({link.remote_id for link in links.values()}) == 60
    last = await world.sync()
    assert last.agenda.microsoft.created == last.agenda.crm.created == 0  # type: ignore[union-attr]
