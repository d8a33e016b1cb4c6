"""The database under the store: first run, migrations, WAL, foreign keys, transactions, bad files."""

from __future__ import annotations

import asyncio
import contextlib
import sqlite3
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from tui_sync.domain.models import DEFAULT_ACTION_TYPES, ActionType, Contact, User
from tui_sync.errors import StoreError
from tui_sync.store import Store
from tui_sync.store.db import decode_time, encode_time, fold, migrations

NEXT = migrations()[-1][0] + 1  # the version a future migration would bring


def query(path: Path, sql: str) -> list[tuple]:
    """Read the file with plain sqlite3, as another process would."""
    with contextlib.closing(sqlite3.connect(path)) as db:
        return db.execute(sql).fetchall()


async def test_first_run_creates_folder_schema_adm_and_default_action_types(
    tmp_path: Path, tz: ZoneInfo
) -> None:
    path = tmp_path / "new" / "folder" / "crm.sqlite3"
    store = await Store.open(path, tz)
    try:
        assert await store.schema_version() == migrations()[-1][0]
        users = await store.list_users()
        assert [(u.code, u.is_admin) for u in users] == [("ADM", True)]
        types = await store.list_action_types()
        assert [(t.label, t.colour) for t in types] == [(t.label, t.colour) for t in DEFAULT_ACTION_TYPES]
    finally:
        await store.close()
    tables = {row[0] for row in query(path, "SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert {
        "settings",
        "users",
        "rights",
        "action_types",
        "actions",
        "series",
        "series_cancellations",
        "contacts",
        "contact_sync_list",
        "links",
        "sync_runs",
        "sync_leases",
    } <= tables


async def test_journal_is_wal_and_foreign_keys_cascade(store: Store) -> None:
    assert query(store.path, "PRAGMA journal_mode") == [("wal",)]
    await store.add_user(User("CARINE", "Carine"))
    await store.add_to_sync_list("CARINE", [(await store.add_contact(Contact("Zola", "Émile"))).id])  # type: ignore[list-item]
    with contextlib.closing(sqlite3.connect(store.path)) as db:  # another connection, FK on as we do
        db.execute("PRAGMA foreign_keys = ON")
        with pytest.raises(sqlite3.IntegrityError):
            db.execute("INSERT INTO rights (viewer, target) VALUES ('NOBODY', 'ADM')")
    contact_id = (await store.list_contacts())[0].id
    assert await store.delete_contact(contact_id)  # type: ignore[arg-type]
    assert await store.sync_list("CARINE") == []


async def test_reopening_keeps_data_and_does_not_seed_again(tmp_path: Path, tz: ZoneInfo) -> None:
    path = tmp_path / "crm.sqlite3"
    store = await Store.open(path, tz)
    await store.add_user(User("CARINE", "Carine"))
    tache = (await store.list_action_types())[0]
    await store.update_action_type(ActionType("Task", tache.colour, tache.id))
    await store.close()
    store = await Store.open(path, tz)
    try:
        assert [u.code for u in await store.list_users()] == ["ADM", "CARINE"]
        labels = [t.label for t in await store.list_action_types()]
        assert labels == ["Task", *(t.label for t in DEFAULT_ACTION_TYPES[1:])]
    finally:
        await store.close()


async def test_a_new_migration_upgrades_an_existing_file_keeping_its_data(
    tmp_path: Path, tz: ZoneInfo
) -> None:
    path = tmp_path / "crm.sqlite3"
    store = await Store.open(path, tz)
    await store.add_user(User("CARINE", "Carine"))
    await store.close()
    upgrade = (NEXT, "ALTER TABLE users ADD COLUMN phone TEXT NOT NULL DEFAULT '';")
    store = await Store.open(path, tz, schema=[*migrations(), upgrade])
    try:
        assert await store.schema_version() == NEXT
        assert [u.code for u in await store.list_users()] == ["ADM", "CARINE"]
    finally:
        await store.close()
    assert ("phone",) in [(row[1],) for row in query(path, "PRAGMA table_info(users)")]


async def test_a_failing_migration_leaves_the_file_at_its_version(tmp_path: Path, tz: ZoneInfo) -> None:
    path = tmp_path / "crm.sqlite3"
    await (await Store.open(path, tz)).close()
    broken = (NEXT, "CREATE TABLE half (x INTEGER); INSERT INTO no_such_table VALUES (1);")
    with pytest.raises(StoreError, match="cannot be used"):
        await Store.open(path, tz, schema=[*migrations(), broken])
    assert query(path, "PRAGMA user_version") == [(NEXT - 1,)]
    assert not query(path, "SELECT name FROM sqlite_master WHERE name = 'half'")


async def test_a_database_from_a_newer_tui_sync_is_refused(tmp_path: Path, tz: ZoneInfo) -> None:
    path = tmp_path / "crm.sqlite3"
    await (await Store.open(path, tz, schema=[*migrations(), (NEXT, "SELECT 1;")])).close()
    with pytest.raises(StoreError, match="newer tui-sync"):
        await Store.open(path, tz)


async def test_a_file_that_is_not_a_database_is_refused_in_one_line(tmp_path: Path, tz: ZoneInfo) -> None:
    path = tmp_path / "notes.txt"
    path.write_text("hello, this is not SQLite\n" * 100)
    with pytest.raises(StoreError) as caught:
        await Store.open(path, tz)
    assert str(path) in str(caught.value) and "\n" not in str(caught.value)


async def test_a_transaction_is_all_or_nothing(store: Store) -> None:
    with pytest.raises(RuntimeError):
        async with store.transaction():
            await store.add_user(User("ONE", "One"))
            async with store.transaction():  # nested: joins the outer one
                await store.add_user(User("TWO", "Two"))
            raise RuntimeError("boom")
    assert [u.code for u in await store.list_users()] == ["ADM"]
    async with store.transaction():
        await store.add_user(User("ONE", "One"))
        await store.add_user(User("TWO", "Two"))
    assert [u.code for u in await store.list_users()] == ["ADM", "ONE", "TWO"]


async def test_other_tasks_wait_for_a_transaction_and_see_it_whole(store: Store) -> None:
    release = asyncio.Event()

    async def writer() -> None:
        async with store.transaction():
            await store.add_user(User("ONE", "One"))
            await release.wait()
            await store.add_user(User("TWO", "Two"))

    writing = asyncio.create_task(writer())
    await asyncio.sleep(0.01)
    reading = asyncio.create_task(store.list_users())
    await asyncio.sleep(0.01)
    assert not reading.done()
    release.set()
    await writing
    assert [u.code for u in await reading] == ["ADM", "ONE", "TWO"]


async def test_two_stores_on_one_file_see_each_other(tmp_path: Path, tz: ZoneInfo) -> None:
    first = await Store.open(tmp_path / "crm.sqlite3", tz)
    second = await Store.open(tmp_path / "crm.sqlite3", tz)
    try:
        await first.add_user(User("CARINE", "Carine"))
        assert (await second.get_user("carine")).full_name == "Carine"
    finally:
        await first.close()
        await second.close()


def test_times_are_fixed_width_utc_text_and_come_back_in_the_crm_zone(tz: ZoneInfo) -> None:
    paris = datetime(2024, 7, 1, 9, 30, tzinfo=tz)
    assert encode_time(paris) == "2024-07-01T07:30:00.000000Z"
    assert encode_time(datetime(2024, 7, 1, 7, 30, 0, 5, tzinfo=UTC)) > encode_time(paris)
    back = decode_time(encode_time(paris), tz)
    assert back == paris and back.tzinfo == tz and back.hour == 9
    with pytest.raises(ValueError):
        encode_time(datetime(2024, 7, 1, 9, 30))


def test_fold_ignores_case_and_accents() -> None:
    assert fold("Émile ÇA") == fold("emile ca") == "emile ca"


async def test_a_write_blocked_by_another_process_says_the_database_is_busy(
    tmp_path: Path, tz: ZoneInfo
) -> None:
    path = tmp_path / "crm.sqlite3"
    store = await Store.open(path, tz, busy_seconds=0.1)
    other = sqlite3.connect(path, isolation_level=None)
    try:
        other.execute("BEGIN IMMEDIATE")  # another process in the middle of a write
        assert [u.code for u in await store.list_users()] == ["ADM"]  # reading still works (WAL)
        with pytest.raises(StoreError, match="is busy") as caught:
            await store.add_user(User("CARINE", "Carine"))
        assert "\n" not in str(caught.value)
        other.execute("ROLLBACK")
        await store.add_user(User("CARINE", "Carine"))  # and the store is usable again
    finally:
        other.close()
        await store.close()
