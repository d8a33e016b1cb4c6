"""Administration, driven with keys like an administrator would: the Microsoft application, the users and
the rights grid. What is checked is what ends up in the CRM database (and that a refusal changes none of
it); a non-administrator is told why and can change nothing."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from dataclasses import replace
from pathlib import Path

import pytest
from textual.binding import Binding
from textual.message import Message
from textual.widgets import ContentSwitcher, Input, Static, TabbedContent

from tests.threaded_fake import CLIENT_ID
from tests.ui.conftest import UiWorld, type_text
from tui_sync import texts
from tui_sync.store import Store
from tui_sync.ui.app import TuiSyncApp
from tui_sync.ui.dialogs.confirm import ConfirmDialog
from tui_sync.ui.keys import SAFE_KEYS, keys_of
from tui_sync.ui.messages import UsersChanged
from tui_sync.ui.screens.admin import AdminScreen, RightsGrid, UserForm, UsersTable

NEW_CLIENT_ID = "0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0"
Dump = Callable[[Path], list[str]]


@pytest.fixture
async def crm(world: UiWorld) -> AsyncIterator[Store]:
    """The seeded CRM, opened on the test's own loop (the App is handed it)."""
    opened = await world.open_store()
    yield opened
    await opened.close()


async def settle(app: TuiSyncApp, pilot) -> None:
    await pilot.pause()
    await app.workers.wait_for_complete()
    await pilot.pause()


async def open_admin(app: TuiSyncApp, pilot, tab: str = "auth") -> AdminScreen:
    """f7 from Home, then f7 again until `tab` shows (as a user would get there)."""
    await settle(app, pilot)
    await pilot.press("f7")
    await settle(app, pilot)
    screen = app.screen
    assert isinstance(screen, AdminScreen)
    for _ in range(3):
        if screen.query_one(TabbedContent).active == tab:
            break
        await pilot.press("f7")
        await settle(app, pilot)
    assert screen.query_one(TabbedContent).active == tab
    return screen


def text_of(screen: AdminScreen, selector: str) -> str:
    return str(screen.query_one(selector, Static).content)


async def type_into(pilot, field: Input, text: str) -> None:
    """Empty the field, then type `text` key by key into it (it has the focus)."""
    field.focus()
    await pilot.pause()
    field.value = ""
    await type_text(pilot, text)


# --- who may be here ---------------------------------------------------------------------------------


async def test_a_non_administrator_is_told_why_and_can_change_nothing(
    world: UiWorld, crm: Store, db_dump: Dump
) -> None:
    before = db_dump(world.database)
    app = world.app(viewer="CARINE", store=crm)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await pilot.press("f7")
        await settle(app, pilot)
        screen = app.screen
        assert isinstance(screen, AdminScreen)
        assert screen.query_one(ContentSwitcher).current == "denied"
        assert text_of(screen, "#denied-text") == texts.errors.admin_only("CARINE")
        await pilot.press("f7", "ctrl+s", "n", "space", "v", "a", "enter")
        await settle(app, pilot)
        assert app.screen is screen and screen.query_one(ContentSwitcher).current == "denied"
        assert screen.focused is None
    assert db_dump(world.database) == before


# --- Authentication ------------------------------------------------------------------------------------


async def test_the_client_id_is_saved_with_ctrl_s(world: UiWorld, crm: Store) -> None:
    seen: list[Message] = []
    app = world.app(viewer="ADM", store=crm)
    async with app.run_test(size=(80, 24), message_hook=seen.append) as pilot:
        screen = await open_admin(app, pilot)
        field = screen.query_one("#client-id", Input)
        assert field.value == CLIENT_ID
        await type_into(pilot, field, NEW_CLIENT_ID.upper())
        assert text_of(screen, "#auth-status") == texts.tui.UI_ADMIN_UNSAVED
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert text_of(screen, "#auth-error") == ""
        assert text_of(screen, "#auth-status") == texts.changes.microsoft_settings_saved(
            NEW_CLIENT_ID, "common"
        )
        assert field.value == NEW_CLIENT_ID  # shown as saved: the canonical lower-case form
    saved = await crm.get_microsoft_settings()
    assert (saved.client_id, saved.tenant) == (NEW_CLIENT_ID, "common")
    assert any(isinstance(m, UsersChanged) for m in seen)


async def test_a_bad_client_id_is_refused_in_place_and_nothing_changes(
    world: UiWorld, crm: Store, db_dump: Dump
) -> None:
    before = db_dump(world.database)
    app = world.app(viewer="ADM", store=crm)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_admin(app, pilot)
        field = screen.query_one("#client-id", Input)
        await type_into(pilot, field, "not-a-guid")
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        error = text_of(screen, "#auth-error")
        assert error.startswith(f"{texts.tui.UI_ADMIN_CLIENT_ID}: ") and "not a GUID" in error
        assert field.value == "not-a-guid"  # nothing typed is lost
        await type_into(pilot, field, "")
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert "not a GUID" in text_of(screen, "#auth-error")  # an empty ID is not saved either
    assert db_dump(world.database) == before


async def test_the_tenant_is_saved_and_a_bad_one_saves_nothing_at_all(
    world: UiWorld, crm: Store, db_dump: Dump
) -> None:
    app = world.app(viewer="ADM", store=crm)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_admin(app, pilot)
        tenant = screen.query_one("#tenant", Input)
        await type_into(pilot, tenant, "contoso.onmicrosoft.com")
        await pilot.press("enter")  # enter in a field saves too
        await settle(app, pilot)
        saved = await crm.get_microsoft_settings()
        assert (saved.client_id, saved.tenant) == (CLIENT_ID, "contoso.onmicrosoft.com")

        before = db_dump(world.database)
        await type_into(pilot, screen.query_one("#client-id", Input), NEW_CLIENT_ID)
        await type_into(pilot, tenant, "not a tenant!")
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert text_of(screen, "#auth-error").startswith(f"{texts.tui.UI_ADMIN_TENANT}: ")
        assert db_dump(world.database) == before  # the good client ID was not half-saved

        await type_into(pilot, tenant, "")  # empty: the default tenant
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert text_of(screen, "#auth-error") == ""
    saved = await crm.get_microsoft_settings()
    assert (saved.client_id, saved.tenant) == (NEW_CLIENT_ID, "common")


# --- Users ---------------------------------------------------------------------------------------------


async def test_an_administrator_adds_a_user_and_a_taken_code_is_refused(
    world: UiWorld, crm: Store, db_dump: Dump
) -> None:
    seen: list[Message] = []
    app = world.app(viewer="ADM", store=crm)
    async with app.run_test(size=(80, 24), message_hook=seen.append) as pilot:
        screen = await open_admin(app, pilot, "users")
        await pilot.press("n")
        await pilot.pause()
        assert isinstance(app.screen, UserForm)
        await type_text(pilot, "marie")
        await pilot.press("tab")
        await type_text(pilot, "Marie Curie")
        await pilot.press("tab", "space", "ctrl+s")
        await settle(app, pilot)
        assert app.screen is screen
        assert text_of(screen, "#users-status") == texts.changes.user_added("MARIE", "Marie Curie", True)
        table = screen.query_one(UsersTable)
        assert "MARIE" in [str(key.value) for key in table.rows]
        assert "MARIE" in [str(key.value) for key in screen.query_one(RightsGrid).columns]

        before = db_dump(world.database)
        await pilot.press("n", *"carine", "tab", *"Another Carine", "ctrl+s")
        await settle(app, pilot)
        form = app.screen
        assert isinstance(form, UserForm)  # still open, with the reason and what was typed
        assert str(form.query_one("#form-error", Static).content) == texts.errors.user_exists("CARINE")
        assert form.query_one("#full-name", Input).value == "Another Carine"
        await pilot.press("escape")
        await settle(app, pilot)
        assert app.screen is screen
        assert db_dump(world.database) == before
    marie = await crm.get_user("MARIE")
    assert (marie.full_name, marie.is_admin) == ("Marie Curie", True)
    assert sum(isinstance(m, UsersChanged) for m in seen) == 1


async def test_a_bad_code_is_refused_in_the_form(world: UiWorld, crm: Store, db_dump: Dump) -> None:
    before = db_dump(world.database)
    app = world.app(viewer="ADM", store=crm)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_admin(app, pilot, "users")
        await pilot.press("n", *"no way", "tab", *"Someone", "ctrl+s")
        await settle(app, pilot)
        form = app.screen
        assert isinstance(form, UserForm)
        error = str(form.query_one("#form-error", Static).content)
        assert error.startswith(f"{texts.tui.UI_ADMIN_CODE}: ")
        await pilot.press("escape")
    assert db_dump(world.database) == before


async def test_an_administrator_renames_a_user(world: UiWorld, crm: Store) -> None:
    app = world.app(viewer="ADM", store=crm)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_admin(app, pilot, "users")
        await pilot.press("down")  # ADM, CARINE, FLORENT, XAVIER
        await pilot.press("r")
        await pilot.pause()
        form = app.screen
        assert isinstance(form, UserForm)
        assert form.query_one("#full-name", Input).value == "Carine Dupont"
        await type_into(pilot, form.query_one("#full-name", Input), "")
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert app.screen is form  # an empty name is refused in place
        assert str(form.query_one("#form-error", Static).content).startswith(texts.tui.UI_ADMIN_FULL_NAME)
        await type_text(pilot, "Carine Durand")
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert app.screen is screen
        assert text_of(screen, "#users-status") == texts.changes.user_updated("CARINE")
    assert (await crm.get_user("CARINE")).full_name == "Carine Durand"


async def test_the_admin_flag_is_toggled_and_the_last_administrator_keeps_it(
    world: UiWorld, crm: Store, db_dump: Dump
) -> None:
    app = world.app(viewer="ADM", store=crm)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_admin(app, pilot, "users")
        await pilot.press("down", "space")  # CARINE becomes an administrator
        await settle(app, pilot)
        assert (await crm.get_user("CARINE")).is_admin
        assert text_of(screen, "#users-status") == texts.tui.admin_flag_changed("CARINE", True)
        await pilot.press("space")  # and no longer is
        await settle(app, pilot)
        assert not (await crm.get_user("CARINE")).is_admin

        before = db_dump(world.database)
        await pilot.press("up", "space")  # ADM, the last administrator, on their own flag
        await pilot.pause()
        assert isinstance(app.screen, ConfirmDialog)
        await pilot.press("y")
        await settle(app, pilot)
        assert app.screen is screen
        assert text_of(screen, "#users-status") == texts.errors.last_admin("ADM")
        assert screen.query_one("#users-status", Static).has_class("error")
        assert db_dump(world.database) == before


async def test_an_administrator_who_drops_their_own_flag_leaves_administration(
    world: UiWorld, crm: Store
) -> None:
    await crm.update_user(replace(await crm.get_user("CARINE"), is_admin=True))
    app = world.app(viewer="ADM", store=crm)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_admin(app, pilot, "users")
        await pilot.press("space", "n")  # asked first: no keeps it
        await settle(app, pilot)
        assert (await crm.get_user("ADM")).is_admin
        await pilot.press("space", "y")
        await settle(app, pilot)
        assert not (await crm.get_user("ADM")).is_admin
        assert screen.query_one(ContentSwitcher).current == "denied"
        assert text_of(screen, "#denied-text") == texts.errors.admin_only("ADM")


# --- Rights --------------------------------------------------------------------------------------------


async def test_rights_are_toggled_in_the_grid_and_saved_at_once(
    world: UiWorld, crm: Store, db_dump: Dump
) -> None:
    seen: list[Message] = []
    app = world.app(viewer="ADM", store=crm)
    async with app.run_test(size=(80, 24), message_hook=seen.append) as pilot:
        screen = await open_admin(app, pilot, "rights")
        assert screen.cell_text("CARINE", "FLORENT") == "V A"
        assert screen.cell_text("CARINE", "CARINE") == texts.tui.UI_ADMIN_SELF
        await pilot.press("down", "right", "right", "right")  # CARINE sees XAVIER?
        assert text_of(screen, "#rights-status") == texts.changes.rights_saved(
            "CARINE", "XAVIER", False, False
        )
        await pilot.press("v")
        await settle(app, pilot)
        assert screen.cell_text("CARINE", "XAVIER") == "V ·"
        assert text_of(screen, "#rights-status") == texts.changes.rights_saved(
            "CARINE", "XAVIER", True, False
        )
        await pilot.press("a")
        await settle(app, pilot)
        assert screen.cell_text("CARINE", "XAVIER") == "V A"
        await pilot.press("left", "a")  # CARINE on FLORENT: agenda off, still visible
        await settle(app, pilot)
        assert screen.cell_text("CARINE", "FLORENT") == "V ·"

        before = db_dump(world.database)
        await pilot.press("left", "v", "a")  # CARINE's own cell: not editable
        await settle(app, pilot)
        assert text_of(screen, "#rights-status") == texts.errors.own_rights("CARINE")
        assert db_dump(world.database) == before
    rights = {r.target: (r.visible, r.agenda) for r in await crm.rights_of("CARINE")}
    assert rights == {"FLORENT": (True, False), "XAVIER": (True, True)}
    assert sum(isinstance(m, UsersChanged) for m in seen) == 3


# --- keys ------------------------------------------------------------------------------------------------


def test_every_administration_binding_has_an_id_and_a_key_that_survives_tmux() -> None:
    for owner in (AdminScreen, UsersTable, RightsGrid, UserForm):
        for binding in owner.BINDINGS:
            assert isinstance(binding, Binding) and binding.id and binding.id.startswith("admin."), binding
            assert all(key in SAFE_KEYS for key in keys_of(binding)), binding
            app_keys = {"f1", "f2", "f3", "f4", "f5", "f6", "f9", "ctrl+q", "ctrl+p"}  # f7 again: next tab
            assert not set(keys_of(binding)) & app_keys


# --- snapshots (80x24: the product's size) ----------------------------------------------------------------


def _go(*keys: str) -> Callable:
    async def run_before(pilot) -> None:
        app = pilot.app
        await pilot.pause()
        await app.workers.wait_for_complete()
        for key in ("f7", *keys):
            await pilot.press(key)
            await pilot.pause()
            await app.workers.wait_for_complete()
        await pilot.pause()

    return run_before


def test_snapshot_authentication_tab(world: UiWorld, snap_compare) -> None:
    assert snap_compare(world.app(viewer="ADM"), terminal_size=(80, 24), run_before=_go())


def test_snapshot_users_list(world: UiWorld, snap_compare) -> None:
    assert snap_compare(world.app(viewer="ADM"), terminal_size=(80, 24), run_before=_go("f7", "down"))


def test_snapshot_add_user_form(world: UiWorld, snap_compare) -> None:
    keys = ("f7", "n", *"carine", "tab", *"Carine", "tab", "space", "ctrl+s")  # a taken code: refused
    assert snap_compare(world.app(viewer="ADM"), terminal_size=(80, 24), run_before=_go(*keys))


def test_snapshot_rights_grid(world: UiWorld, snap_compare) -> None:
    keys = ("f7", "f7", "down", "right", "right")
    assert snap_compare(world.app(viewer="ADM"), terminal_size=(80, 24), run_before=_go(*keys))


def test_snapshot_not_an_administrator(world: UiWorld, snap_compare) -> None:
    assert snap_compare(world.app(viewer="CARINE"), terminal_size=(80, 24), run_before=_go())
