"""The CRM-id stamp names the CRM database that wrote it.

Two CRMs syncing one mailbox (each its own database, with its own contact 1) must never take over,
update or delete each other's Outlook items; a restored backup of a database (the same file) still
knows its items; and a database that synced before stamps named their database keeps recognising its
bare stamps after the upgrade: nothing re-created, nothing written, no duplicate.
"""

from __future__ import annotations

import shutil
import sqlite3
from collections.abc import AsyncIterator
from contextlib import closing
from pathlib import Path

import pytest

from tests.integration.conftest import ThreadedFake
from tests.integration.test_sync_contacts import CODE, TZ, ContactsWorld
from tui_sync.microsoft import mapping
from tui_sync.store import Store
from tui_sync.store.db import migrations
from tui_sync.sync.contacts import KIND
from tui_sync.sync.events import ContactsSummary

_STAMP_ID = mapping.STAMP_PROPERTY_ID.lower()


def stamps(world: ContactsWorld) -> dict[str, str]:
    """Every contact of the mailbox: its surname → the raw value of its CRM-id stamp."""
    found = {}
    for contact in world.mailbox():
        value = next((e["value"] for e in contact["ext"] if e["id"].lower() == _STAMP_ID), "")
        found[contact["fields"]["surname"]] = value
    return found


@pytest.fixture
async def first(fake: ThreadedFake, tmp_path: Path) -> AsyncIterator[ContactsWorld]:
    (tmp_path / "first").mkdir()
    world = await ContactsWorld.open(fake, tmp_path / "first")
    try:
        yield world
    finally:
        await world.close()


@pytest.fixture
async def second(fake: ThreadedFake, tmp_path: Path) -> AsyncIterator[ContactsWorld]:
    (tmp_path / "second").mkdir()
    world = await ContactsWorld.open(fake, tmp_path / "second")
    try:
        yield world
    finally:
        await world.close()


async def test_each_database_gets_its_own_id_kept_in_its_file(tmp_path: Path) -> None:
    one = await Store.open(tmp_path / "one.sqlite3", TZ)
    other = await Store.open(tmp_path / "other.sqlite3", TZ)
    mine, theirs = await one.database_identity(), await other.database_identity()
    await one.close()
    await other.close()
    assert len(mine.database_id) == 32 and mine.database_id != theirs.database_id
    assert not mine.legacy_stamps  # a new database never claims stamps written before stamps named it

    shutil.copy(tmp_path / "one.sqlite3", tmp_path / "restored.sqlite3")
    for name in ("one", "restored"):  # reopened, or restored from a backup: the same id
        store = await Store.open(tmp_path / f"{name}.sqlite3", TZ)
        assert await store.database_identity() == mine
        await store.close()


async def test_two_crms_syncing_one_mailbox_never_take_over_each_others_contacts(
    first: ContactsWorld, second: ContactsWorld
) -> None:
    mine = await first.add("Martin", note="first CRM")
    theirs = await second.add("Durand", note="second CRM")
    assert mine.id == theirs.id  # the same CRM key, contact:1, in both databases
    await first.sync()
    held = first.mailbox()[0]

    summary = await second.sync()

    assert (summary.microsoft.created, summary.microsoft.updated, summary.microsoft.deleted) == (1, 0, 0)
    assert set(stamps(first)) == {"Martin", "Durand"}
    assert stamps(first)["Martin"] != stamps(first)["Durand"]
    assert [c for c in first.mailbox() if c["id"] == held["id"]] == [held]  # untouched

    await second.store.remove_from_sync_list(CODE, [theirs.id])  # type: ignore[list-item]
    assert (await second.sync()).microsoft.deleted == 1  # its own contact goes, never the other's
    assert set(stamps(first)) == {"Martin"}
    assert (await first.sync()) == ContactsSummary()


async def test_a_database_that_synced_before_stamps_named_it_keeps_its_items(
    fake: ThreadedFake, first: ContactsWorld, second: ContactsWorld, tmp_path: Path
) -> None:
    for name in ("Martin", "Bernard", "Petit"):
        await first.add(name, note=name)
    await first.sync()
    # As an older tui-sync left them: bare stamps (`contact:1`), a database at schema 2 without an id.
    for contact in first.mailbox():
        key = next(e["value"] for e in contact["ext"] if e["id"].lower() == _STAMP_ID).rpartition("/")[2]
        bare = [{"id": mapping.STAMP_PROPERTY_ID, "value": key}]
        first.outlook.patch(contact["id"], {"singleValueExtendedProperties": bare})
    await first.sync()  # the changeKeys moved: record them, so what follows starts from a quiet state
    await first.store.close()
    path = tmp_path / "first" / "crm.sqlite3"
    with closing(sqlite3.connect(path)) as db:
        db.execute("DELETE FROM settings WHERE key IN ('database_id', 'legacy_stamps')")
        # ... and without what later migrations added (the imported items' UIDs).
        db.executescript("DROP TABLE action_uids; DROP TABLE series_uids; DROP TABLE contact_uids;")
        db.execute(f"PRAGMA user_version = {migrations()[1][0]}")
        db.commit()

    first.store = await Store.open(path, TZ, now=first.clock)  # the upgrade
    assert (await first.store.database_identity()).legacy_stamps
    fake.clear_requests()
    assert await first.sync() == ContactsSummary()
    assert first.writes() == []  # nothing re-created, nothing re-stamped

    await first.store.delete_links(CODE, KIND, [str(i) for i in await first.store.sync_list(CODE)])
    fake.clear_requests()
    summary = await first.sync()  # links lost (a reset): the bare stamps still pair the contacts
    assert summary.microsoft.created == summary.microsoft.deleted == 0
    assert sorted(stamps(first)) == ["Bernard", "Martin", "Petit"]
    assert len(await first.store.links(CODE, KIND)) == 3

    await second.add("Durand")  # a CRM created since: contact 1 too, but the bare stamps are not its own
    summary = await second.sync()
    assert (summary.microsoft.created, summary.microsoft.updated, summary.microsoft.deleted) == (1, 0, 0)
    assert sorted(stamps(first)) == ["Bernard", "Durand", "Martin", "Petit"]
    await first.assert_quiet()
