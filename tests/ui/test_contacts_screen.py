"""The Contacts screen, driven with keys: type to filter, mark, add to and remove from the contacts to sync
(up to 2000), another user's list for an administrator, and the contact form. What is checked is the
CRM database and, after a sync, the fake mailbox."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest
from textual.widgets import Input, OptionList, Static

from tests.ui.conftest import Outlook, UiWorld, type_text
from tui_sync import texts
from tui_sync.demo.images import avatar_png
from tui_sync.domain.models import MAX_CONTACTS_TO_SYNC, Contact
from tui_sync.services import Services
from tui_sync.services.contacts import build_index, filter_contacts
from tui_sync.store import Store
from tui_sync.ui.app import TuiSyncApp
from tui_sync.ui.dialogs.confirm import ConfirmDialog
from tui_sync.ui.keys import SAFE_KEYS, keys_of
from tui_sync.ui.screens.contacts import DIALOG_GROUP, ContactForm, ContactsScreen, OwnerPicker

Dump = Callable[[Path], list[str]]
PNG = avatar_png((0x4A, 0x90, 0xD9))
# A JPEG's first segments as a decoder reads them (SOI, then a baseline frame header for 16x16 YCbCr).
JPEG_HEAD = bytes.fromhex("ffd8ffc0001108001000100301220002110103110100")

PEOPLE = [
    Contact("Dupont", "Jean", civility="M.", company="Acme", email="jean.dupont@acme.test", city="Paris"),
    Contact(
        "Durand", "Émilie", company="Acme", email="emilie@acme.test", phone="01 23 45 67 89", city="Lyon"
    ),
    Contact("Martin", "Paul", company="Globex", email="paul@globex.test", city="Paris"),
    Contact("Moreau", "Chloé", company="Initech", job_title="CTO", city="Nantes", note="Met at the fair"),
    Contact("Petit", "Léa", company="Globex", mobile="06 11 22 33 44", city="Lille"),
]


def seed_contacts(
    world: UiWorld, contacts: list[Contact], listed: dict[str, list[str]] | None = None
) -> None:
    """Contacts in the CRM, and the lists of contacts to sync by user → last names."""

    async def add(services: Services) -> None:
        store = services.store
        async with store.transaction():
            ids = {}
            for contact in contacts:
                ids[contact.last_name] = (await store.add_contact(contact)).id
            for code, names in (listed or {}).items():
                await store.add_to_sync_list(code, [ids[n] for n in names])

    world.run(add)


def sync_list(world: UiWorld, code: str = "CARINE") -> list[str]:
    async def names(services: Services) -> list[str]:
        return [c.last_name for c in await services.contacts.sync_list(code)]

    return world.run(names)  # type: ignore[return-value]


def crm_contacts(world: UiWorld) -> list[Contact]:
    async def read(services: Services) -> list[Contact]:
        return await services.contacts.list_contacts()

    return world.run(read)  # type: ignore[return-value]


@pytest.fixture
async def crm(world: UiWorld) -> AsyncIterator[Store]:
    opened = await world.open_store()
    yield opened
    await opened.close()


async def settle(app: TuiSyncApp, pilot) -> None:
    """Let the screen's work finish; a worker waiting on an open dialog is left waiting."""
    await pilot.pause()
    busy = [w for w in app.workers if w.group != DIALOG_GROUP]
    if busy:  # (an empty list would mean every worker)
        await app.workers.wait_for_complete(busy)
    await pilot.pause()


async def open_contacts(app: TuiSyncApp, pilot) -> ContactsScreen:
    await settle(app, pilot)
    await pilot.press("f3")
    await settle(app, pilot)
    screen = app.screen
    assert isinstance(screen, ContactsScreen)
    return screen


async def type_filter(app: TuiSyncApp, pilot, text: str) -> None:
    screen = app.screen
    field = screen.query_one("#filter", Input)
    field.focus()
    field.value = ""
    await type_text(pilot, text)
    await pilot.pause(0.2)
    await settle(app, pilot)


def shown(screen: ContactsScreen) -> list[str]:
    return [c.last_name for c in screen.shown]


def status(screen: ContactsScreen) -> str:
    return str(screen.query_one("#contacts-status", Static).content)


# --- the bindings --------------------------------------------------------------------------------


def test_every_binding_has_an_id_and_a_safe_key() -> None:
    for owner in (ContactsScreen, ContactForm, OwnerPicker):
        for binding in owner.BINDINGS:
            assert binding.id, binding  # type: ignore[union-attr]
            for key in keys_of(binding):  # type: ignore[arg-type]
                assert key in SAFE_KEYS, (binding, key)
    ids = {b.id for b in ContactsScreen.BINDINGS}  # type: ignore[union-attr]
    assert {"contacts.mark", "contacts.add", "contacts.remove", "contacts.list"} <= ids


def test_filter_is_a_pure_function_over_a_folded_index() -> None:
    index = build_index(PEOPLE)
    assert filter_contacts(index, "ACME  émilie", 10) == ([PEOPLE[1]], 0)  # every word, any field
    assert filter_contacts(index, "0611223344", 10) == ([PEOPLE[4]], 0)  # a phone without its spaces
    assert filter_contacts(index, "jean dupont", 10) == ([PEOPLE[0]], 0)  # first name first
    assert filter_contacts(index, "paris", 1) == ([PEOPLE[0]], 1)  # one shown, one more
    assert filter_contacts(index, "", 2) == (PEOPLE[:2], 3)
    assert filter_contacts(index, "acmelyon", 10) == ([], 0)  # never across two fields


# --- filter, marks, the list ---------------------------------------------------------------------


async def test_filter_and_marks_build_the_sync_list(world: UiWorld, crm: Store) -> None:
    seed_contacts(world, PEOPLE)
    app = world.app(store=crm)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_contacts(app, pilot)
        assert isinstance(app.focused, Input)  # typing filters straight away
        assert shown(screen) == ["Dupont", "Durand", "Martin", "Moreau", "Petit"]

        await type_filter(app, pilot, "acme")  # company
        assert shown(screen) == ["Dupont", "Durand"]
        await pilot.press("down")  # into the list
        assert app.focused is screen.query_one("#matches", OptionList)
        await pilot.press("space", "space")  # both marked (space steps down)
        assert len(screen.marked) == 2

        await type_filter(app, pilot, "emilie")  # accents and case ignored; marks survive the filter
        assert shown(screen) == ["Durand"]
        await type_filter(app, pilot, "lille")  # city
        assert shown(screen) == ["Petit"]
        await pilot.press("down", "space")
        assert len(screen.marked) == 3
        await pilot.press("plus")  # + adds the marked ones
        await settle(app, pilot)
        assert sorted(sync_list(world)) == ["Dupont", "Durand", "Petit"]
        assert screen.marked == set()
        assert texts.tui_contacts.contacts_added(3, "CARINE") in status(screen)

        await type_filter(app, pilot, "0123")  # a phone, typed without its spaces
        assert shown(screen) == ["Durand"]
        await pilot.press("ctrl+g")  # the twin of - works from the filter: the highlighted contact
        await settle(app, pilot)
        assert sorted(sync_list(world)) == ["Dupont", "Petit"]
        assert "deletes its Microsoft 365 copy" in status(screen)

        await type_filter(app, pilot, "paris")
        await pilot.press("ctrl+l")  # the twin of +: the highlighted (first) match
        await settle(app, pilot)
        assert sync_list(world) == ["Dupont", "Petit"]  # Dupont was listed already: nothing added
        assert status(screen) == texts.tui_contacts.CONTACTS_NOTHING_TO_ADD
        await pilot.press("down", "down", "plus")
        await settle(app, pilot)
        assert sync_list(world) == ["Dupont", "Petit", "Martin"]
        title = str(screen.query_one("#list-title", Static).content)
        assert title == texts.tui_contacts.contacts_list_title(3, MAX_CONTACTS_TO_SYNC)


async def test_a_letter_in_the_list_goes_to_the_filter_and_escape_goes_back(
    world: UiWorld, crm: Store
) -> None:
    seed_contacts(world, PEOPLE)
    app = world.app(store=crm)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_contacts(app, pilot)
        await pilot.press("down")
        assert isinstance(app.focused, OptionList)
        await pilot.press("m", "o")
        await pilot.pause(0.2)
        await settle(app, pilot)
        assert isinstance(app.focused, Input)
        assert screen.query_one("#filter", Input).value == "mo"
        assert shown(screen) == ["Moreau"]
        await pilot.press("escape")
        assert isinstance(app.focused, OptionList)
        await pilot.press("escape")
        assert isinstance(app.focused, Input)


async def test_add_all_filtered_asks_first_when_many(world: UiWorld, crm: Store) -> None:
    many = [Contact(f"Client{n:03d}", company="Wayne", city="Gotham") for n in range(30)]
    seed_contacts(world, [*PEOPLE, *many])
    app = world.app(store=crm)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_contacts(app, pilot)
        await type_filter(app, pilot, "gotham")
        await pilot.press("ctrl+f")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmDialog)
        await pilot.press("n")
        await settle(app, pilot)
        assert sync_list(world) == []
        await pilot.press("ctrl+f")
        await pilot.pause()
        await pilot.press("y")
        await settle(app, pilot)
        assert len(sync_list(world)) == 30
        assert screen.query_one("#list-title", Static).content == texts.tui_contacts.contacts_list_title(
            30, 2000
        )


async def test_past_2000_nothing_is_added(world: UiWorld, crm: Store, db_dump: Dump) -> None:
    async def fill(services: Services) -> None:
        store = services.store
        async with store.transaction():
            ids = [(await store.add_contact(Contact(f"Name{n:04d}", city="Paris"))).id for n in range(2000)]
            await store.add_to_sync_list("CARINE", ids)
            await store.add_contact(Contact("Zorro", "Diego", city="Madrid"))
            await store.add_contact(Contact("Zidane", "Zinedine", city="Madrid"))

    world.run(fill)
    before = db_dump(world.database)
    app = world.app(store=crm)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_contacts(app, pilot)
        assert screen.more == 2002 - 300  # only a few hundred rows drawn
        await type_filter(app, pilot, "madrid")
        await pilot.press("down", "space", "space", "plus")
        await settle(app, pilot)
        refusal = texts.errors.sync_list_limit("CARINE", 2000, 2, 2000)
        assert status(screen) == refusal
        assert len(screen.marked) == 2  # the marks stay: the user decides what to take off
        assert db_dump(world.database) == before


async def test_removed_contact_leaves_the_mailbox_at_the_next_sync(
    world: UiWorld, crm: Store, outlook: Outlook
) -> None:
    seed_contacts(world, PEOPLE[:3], {"CARINE": ["Dupont", "Durand", "Martin"]})
    app = world.app(store=crm)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_contacts(app, pilot)
        await app.services.sync.run("CARINE", "CARINE", ("contacts",))
        assert sorted(c["surname"] for c in outlook.contacts()) == ["Dupont", "Durand", "Martin"]
        await screen.run_action("app.go('home')")
        await settle(app, pilot)
        await pilot.press("f3")  # back: the states are read again
        await settle(app, pilot)
        assert {s.state for s in screen.states.values()} == {"synced"}

        await pilot.press("tab", "tab")  # the list of contacts to sync
        assert app.focused is screen.query_one("#listed", OptionList)
        await pilot.press("down", "minus")  # Durand
        await settle(app, pilot)
        assert sync_list(world) == ["Dupont", "Martin"]
        assert status(screen) == texts.tui_contacts.contacts_removed(1, "CARINE")
        durand = next(c for c in screen.by_id.values() if c.last_name == "Durand")
        assert screen.states[durand.id].state == "pending"  # off the list, its copy still there

        await app.services.sync.run("CARINE", "CARINE", ("contacts",))
        assert sorted(c["surname"] for c in outlook.contacts()) == ["Dupont", "Martin"]


async def test_outlook_state_in_the_detail_pane(world: UiWorld, crm: Store) -> None:
    seed_contacts(world, PEOPLE[:2], {"CARINE": ["Dupont", "Durand"]})
    app = world.app(store=crm)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_contacts(app, pilot)
        await app.services.sync.run("CARINE", "CARINE", ("contacts",))
        dupont = next(c for c in screen.by_id.values() if c.last_name == "Dupont")
        await app.services.contacts.save(dupont.with_changes(city="Versailles"))
        screen.reload()
        await settle(app, pilot)
        states = {screen.by_id[cid].last_name: s.state for cid, s in screen.states.items()}
        assert states == {"Dupont": "pending", "Durand": "synced"}
        right = str(screen.query_one("#contact-detail-right", Static).content)
        assert "Outlook: ~ pending" in right and "Versailles" in right


# --- whose list ----------------------------------------------------------------------------------


async def test_an_administrator_opens_another_users_list(world: UiWorld, crm: Store) -> None:
    seed_contacts(world, PEOPLE, {"CARINE": ["Dupont"]})
    app = world.app(viewer="ADM", store=crm)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_contacts(app, pilot)
        assert screen.owner == "ADM" and screen.listed == []
        await pilot.press("f8")
        await pilot.pause()
        assert isinstance(app.screen, OwnerPicker)
        codes = [o.id for o in app.screen.query_one(OptionList).options]
        await pilot.press(*["down"] * (codes.index("CARINE") - codes.index("ADM")), "enter")
        await settle(app, pilot)
        assert screen.owner == "CARINE"
        assert [c.last_name for c in screen.listed] == ["Dupont"]
        await type_filter(app, pilot, "petit")
        await pilot.press("ctrl+l")  # + would be typed into the filter
        await settle(app, pilot)
        assert sync_list(world, "CARINE") == ["Dupont", "Petit"]
        assert sync_list(world, "ADM") == []


async def test_a_user_cannot_open_another_users_list(world: UiWorld, crm: Store) -> None:
    seed_contacts(world, PEOPLE)
    app = world.app(viewer="CARINE", store=crm)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_contacts(app, pilot)
        await pilot.press("f8")
        await settle(app, pilot)
        assert not isinstance(app.screen, OwnerPicker)
        assert status(screen) == texts.tui_contacts.CONTACTS_OWNER_ADMIN_ONLY

    async def refused(services: Services) -> str:
        try:
            await services.contacts.add_to_sync_list("CARINE", "FLORENT", [1])
        except Exception as error:
            return str(error)
        return ""

    assert world.run(refused) == texts.errors.sync_list_not_yours("CARINE", "FLORENT")


# --- the contact form ----------------------------------------------------------------------------


async def fill(pilot, form: ContactForm, **values: str) -> None:
    for name, value in values.items():
        field = form.query_one(f"#{name}", Input)
        field.focus()
        await pilot.pause()
        field.value = ""
        await type_text(pilot, value)


async def test_create_edit_delete_through_the_form(
    world: UiWorld, crm: Store, db_dump: Dump, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    seed_contacts(world, PEOPLE[:1])
    monkeypatch.chdir(tmp_path)  # the photos are named as a user in their folder would: by file name
    app = world.app(store=crm)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_contacts(app, pilot)

        # New, with a bad e-mail: refused in place, nothing saved
        before = db_dump(world.database)
        await pilot.press("ctrl+n")
        await settle(app, pilot)
        form = app.screen
        assert isinstance(form, ContactForm)
        assert app.focused is form.query_one("#last_name", Input)
        await pilot.press("down")  # down and up move between the fields, like tab
        assert app.focused is form.query_one("#first_name", Input)
        await fill(pilot, form, last_name="Bernard", first_name="Zoé", email="zoe@", city="Brest")
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert app.screen is form
        error = str(form.query_one("#form-error", Static).content)
        assert error == "E-mail: 'zoe@' is not an e-mail address"
        assert app.focused is form.query_one("#email", Input)
        assert db_dump(world.database) == before

        # A photo over 4 MB: the domain's message
        big = tmp_path / "big.jpg"
        big.write_bytes(JPEG_HEAD + b"\x00" * (5 * 1024 * 1024))
        await fill(pilot, form, email="zoe@bernard.test", photo=big.name)
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert "Microsoft 365 takes contact photos up to 4 MB" in str(
            form.query_one("#form-error", Static).content
        )
        assert db_dump(world.database) == before

        small = tmp_path / "zoe.png"
        small.write_bytes(PNG)
        await fill(pilot, form, photo=small.name)
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert app.screen is screen
        zoe = next(c for c in crm_contacts(world) if c.last_name == "Bernard")
        assert (zoe.first_name, zoe.email, zoe.city, zoe.photo) == ("Zoé", "zoe@bernard.test", "Brest", PNG)
        assert status(screen) == texts.changes.contact_saved("BERNARD Zoé")

        # Edit: enter on the contact, change the city, escape asks, n goes back, ctrl+s saves
        await type_filter(app, pilot, "bernard")
        await pilot.press("down", "enter")
        await settle(app, pilot)
        form = app.screen
        assert isinstance(form, ContactForm)
        await fill(pilot, form, city="Quimper")
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmDialog)
        await pilot.press("n")
        await settle(app, pilot)
        assert app.screen is form
        await pilot.press("ctrl+r", "ctrl+s")  # the photo goes too
        await settle(app, pilot)
        zoe = next(c for c in crm_contacts(world) if c.last_name == "Bernard")
        assert (zoe.city, zoe.photo) == ("Quimper", None)

        # Edit then escape with no change: no question
        await pilot.press("ctrl+o")
        await settle(app, pilot)
        assert isinstance(app.screen, ContactForm)
        await pilot.press("escape")
        await settle(app, pilot)
        assert app.screen is screen

        # Delete: asked first
        await pilot.press("down", "delete")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmDialog)
        await pilot.press("y")
        await settle(app, pilot)
        assert [c.last_name for c in crm_contacts(world)] == ["Dupont"]
        assert status(screen) == texts.changes.contact_deleted("BERNARD Zoé")


# --- snapshots (80x24, fixed clock) ----------------------------------------------------------------


@pytest.fixture
def snap_world(world: UiWorld) -> UiWorld:
    """PEOPLE in the CRM, Dupont and Martin synced for CARINE, Durand listed since."""
    seed_contacts(world, PEOPLE, {"CARINE": ["Dupont", "Martin"]})

    async def sync(services: Services) -> None:
        await services.sync.run("CARINE", "CARINE", ("contacts",))
        ids = {c.last_name: c.id for c in await services.contacts.list_contacts()}
        await services.contacts.add_to_sync_list("CARINE", "CARINE", [ids["Durand"]])

    world.run(sync)
    return world


async def _wait(pilot) -> None:
    await pilot.pause(0.2)
    await settle(pilot.app, pilot)


def test_snapshot_filtered_with_marks(snap_world: UiWorld, snap_compare) -> None:
    async def before(pilot) -> None:
        await _wait(pilot)
        await pilot.press("f3")
        await _wait(pilot)
        await pilot.press("a", "c", "m", "e")
        await _wait(pilot)
        await pilot.press("down", "space")
        await _wait(pilot)

    assert snap_compare(snap_world.app(), terminal_size=(80, 24), run_before=before)


def test_snapshot_detail_of_a_synced_contact(snap_world: UiWorld, snap_compare) -> None:
    async def before(pilot) -> None:
        await _wait(pilot)
        await pilot.press("f3")
        await _wait(pilot)
        await pilot.press("tab", "tab")  # the contacts to sync: Dupont, synced
        await _wait(pilot)

    assert snap_compare(snap_world.app(), terminal_size=(80, 24), run_before=before)


def test_snapshot_contact_form_refusing_an_email(snap_world: UiWorld, snap_compare) -> None:
    async def before(pilot) -> None:
        await _wait(pilot)
        await pilot.press("f3")
        await _wait(pilot)
        await pilot.press("m", "o", "r")
        await _wait(pilot)
        await pilot.press("down", "enter")
        await _wait(pilot)
        form = pilot.app.screen
        form.query_one("#email", Input).value = "chloe@"
        await pilot.press("ctrl+s")
        await _wait(pilot)

    assert snap_compare(snap_world.app(), terminal_size=(80, 24), run_before=before)
