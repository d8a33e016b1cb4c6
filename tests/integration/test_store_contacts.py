"""Contacts and the per-user contacts-to-sync lists (with the 2000 limit) in the store."""

from __future__ import annotations

import contextlib
import sqlite3

import pytest

from tui_sync.domain.models import MAX_CONTACTS_TO_SYNC, Contact, User
from tui_sync.errors import LimitReached, NotFound, UnknownUser
from tui_sync.store import Store

PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4

FULL = Contact(
    civility="Mme",
    last_name="Curie",
    first_name="Marie",
    company="Institut du Radium",
    job_title="Directrice",
    email="marie@radium.test",
    phone="+33 1 00 00 00 00",
    mobile="+33 6 00 00 00 00",
    address_lines=("1 rue Pierre et Marie Curie", "Bâtiment B", "3e étage"),
    postal_code="75005",
    city="Paris",
    country="France",
    photo=PNG,
    note="Prix Nobel ×2\nAppeler le matin",
)


async def _fill(store: Store, count: int) -> list[int]:
    """`count` contacts, inserted in one transaction so that 2000 take a fraction of a second."""
    async with store.transaction():
        return [(await store.add_contact(Contact(f"C{i:05}"))).id for i in range(count)]  # type: ignore[misc]


async def test_a_contact_round_trips_with_every_field_and_its_photo(store: Store) -> None:
    added = await store.add_contact(FULL)
    assert added.id is not None and added.created_at == added.updated_at
    assert added == FULL.with_changes(id=added.id, created_at=added.created_at, updated_at=added.updated_at)
    assert (await store.get_contact(added.id)).photo == PNG


async def test_update_writes_every_field_and_delete_is_idempotent(store: Store) -> None:
    added = await store.add_contact(FULL)
    changed = added.with_changes(photo=None, address_lines=("2 rue Neuve",), note="", email="")
    updated = await store.update_contact(changed)
    assert updated.photo is None and updated.address_lines == ("2 rue Neuve",) and updated.note == ""
    assert updated.updated_at is not None and updated.updated_at >= added.updated_at  # type: ignore[operator]
    assert await store.delete_contact(added.id)  # type: ignore[arg-type]
    assert not await store.delete_contact(added.id)  # type: ignore[arg-type]
    with pytest.raises(NotFound, match=f"no contact with id {added.id}"):
        await store.get_contact(added.id)  # type: ignore[arg-type]
    with pytest.raises(NotFound):
        await store.update_contact(added)


async def test_list_is_by_name_and_the_filter_ignores_case_and_accents(store: Store) -> None:
    for contact in (
        Contact("Zola", "Émile", city="Médan"),
        Contact("curie", "Marie", email="marie@radium.test"),
        Contact("", "", company="Ateliers 50% Bio"),
        Contact("Hugo", "Victor", mobile="06 12 34 56 78"),
    ):
        await store.add_contact(contact)
    assert [c.display_name for c in await store.list_contacts()] == [
        "Ateliers 50% Bio",
        "CURIE Marie",
        "HUGO Victor",
        "ZOLA Émile",
    ]

    async def names(text: str) -> list[str]:
        return [c.display_name for c in await store.list_contacts(text)]

    assert await names("emile") == ["ZOLA Émile"]
    assert await names("MEDAN") == ["ZOLA Émile"]
    assert await names("radium") == ["CURIE Marie"]
    assert await names("12 34") == ["HUGO Victor"]
    assert await names("50%") == ["Ateliers 50% Bio"]  # % is a character, not a wildcard
    assert await names("0%") == ["Ateliers 50% Bio"]
    assert await names("_") == []
    assert len(await names("  ")) == 4


async def test_contacts_by_ids_keeps_the_order_given_and_skips_missing(store: Store) -> None:
    ids = await _fill(store, 1200)
    wanted = [ids[1100], 999_999, ids[3], ids[600], ids[3]]
    assert [c.id for c in await store.contacts_by_ids(wanted)] == [ids[1100], ids[3], ids[600]]
    assert len(await store.contacts_by_ids(ids)) == 1200


async def test_sync_list_appends_in_order_and_removes(store: Store) -> None:
    await store.add_user(User("CARINE", "Carine"))
    a, b, c = [(await store.add_contact(Contact(name))).id for name in ("A", "B", "C")]
    await store.add_to_sync_list("carine", [c, a])
    await store.add_to_sync_list("CARINE", [a, b, b])  # a already in: stays where it is
    assert await store.sync_list("CARINE") == [c, a, b]
    await store.remove_from_sync_list("CARINE", [a, 12345])
    assert await store.sync_list("CARINE") == [c, b]
    await store.add_to_sync_list("CARINE", [a])
    assert await store.sync_list("CARINE") == [c, b, a]
    assert await store.sync_list("ADM") == []


async def test_sync_list_refuses_unknown_users_and_contacts_adding_nothing(store: Store) -> None:
    known = (await store.add_contact(Contact("Known"))).id
    with pytest.raises(UnknownUser):
        await store.add_to_sync_list("NOBODY", [known])  # type: ignore[list-item]
    with pytest.raises(NotFound, match="no contact with id 777"):
        await store.add_to_sync_list("ADM", [known, 777])  # type: ignore[list-item]
    assert await store.sync_list("ADM") == []


async def test_the_2001st_contact_is_refused_and_nothing_is_added(store: Store) -> None:
    ids = await _fill(store, MAX_CONTACTS_TO_SYNC + 3)
    await store.add_to_sync_list("ADM", ids[:1999])
    with pytest.raises(LimitReached) as caught:
        await store.add_to_sync_list("ADM", ids[1999:2001])
    message = str(caught.value)
    assert "2000" in message and "1999" in message and "2001" in message and "nothing was added" in message
    assert caught.value.exit_code == 2
    assert len(await store.sync_list("ADM")) == 1999
    await store.add_to_sync_list("ADM", [ids[1999]])  # the 2000th fits
    with pytest.raises(LimitReached):
        await store.add_to_sync_list("ADM", [ids[2000]])
    await store.add_to_sync_list("ADM", [ids[0]])  # already in: adds nothing, so no limit
    assert await store.sync_list("ADM") == ids[:2000]


async def test_deleting_a_contact_or_a_user_empties_the_lists(store: Store) -> None:
    await store.add_user(User("CARINE", "Carine"))
    a, b = [(await store.add_contact(Contact(name))).id for name in ("A", "B")]
    await store.add_to_sync_list("CARINE", [a, b])
    await store.delete_contact(a)  # type: ignore[arg-type]
    assert await store.sync_list("CARINE") == [b]
    with contextlib.closing(sqlite3.connect(store.path)) as db:
        db.execute("PRAGMA foreign_keys = ON")
        db.execute("DELETE FROM users WHERE code = 'CARINE'")
        db.commit()
        assert db.execute("SELECT COUNT(*) FROM contact_sync_list").fetchone() == (0,)
