"""The application as a whole: who it opens as, Home's rows, the palette, help, the keymap, and that
every key it binds reaches it over SSH and tmux."""

from __future__ import annotations

import pytest
from textual.widgets import DataTable, HelpPanel, OptionList, Static

from tests.ui.conftest import UiWorld, sync_now, type_text
from tui_sync.errors import UnknownUser
from tui_sync.ui import resolve_viewer
from tui_sync.ui.app import binding_owners, own_bindings
from tui_sync.ui.keys import is_safe, keys_of
from tui_sync.ui.screens.picker import UserPicker

PALETTE = ["Home", "Preferences", "Administration", "Sync wizard", "Contacts", "Agenda"]
PALETTE += ["Sync now", "New action", "Connect", "Test", "Help", "Quit"]


async def settle(app, pilot) -> None:
    await pilot.pause()
    await app.workers.wait_for_complete()
    await pilot.pause()


async def test_home_lists_the_visible_users_with_dot_last_syncs_and_results(world: UiWorld) -> None:
    sync_now(world)  # CARINE: agenda and contacts synced at NOW, ok
    store = await world.open_store()
    app = world.app(store=store)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        table = app.screen.query_one("#users", DataTable)
        rows = [table.get_row_at(i) for i in range(table.row_count)]
        assert rows == [
            ["● CARINE", "Carine Dupont", "just now · ok", "just now · ok"],
            ["○ FLORENT", "Florent Martin", "never", "never"],
        ]  # XAVIER: CARINE has no right on him
        detail = str(app.screen.query_one("#detail", Static).content)
        assert detail.splitlines()[0] == "CARINE: connected as carine@contoso.test"
        assert "agenda: 0 in the period, synced 2026-11-30 10:00" in detail
        assert "contacts: 0 of 2000 to sync, synced 2026-11-30 10:00" in detail
        await pilot.press("down")
        assert "FLORENT: not connected" in str(app.screen.query_one("#detail", Static).content)
    await store.close()


async def test_a_failed_run_shows_its_error_count(world: UiWorld) -> None:
    async def no_calendar(services) -> None:
        await services.people.update_user("CARINE", calendar_name="Nowhere")
        await services.sync.run("CARINE", "CARINE", ("agenda",))

    world.run(no_calendar)
    store = await world.open_store()
    app = world.app(store=store)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        table = app.screen.query_one("#users", DataTable)
        assert table.get_row_at(0)[2] == "3 min ago · 1 error"  # the last success stays, the failure shows
    await store.close()


async def test_enter_on_a_row_opens_the_wizard_with_that_user(world: UiWorld) -> None:
    store = await world.open_store()
    app = world.app(store=store, viewer="ADM")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await pilot.press("down", "enter")  # ADM sees CARINE second
        await settle(app, pilot)
        assert app.current_mode == "wizard"
        assert list(app.wizard.query_one("#who").selected) == ["CARINE"]
    await store.close()


async def test_without_a_user_a_picker_asks_and_escape_quits(world: UiWorld) -> None:
    store = await world.open_store()
    app = world.app(store=store, viewer=None)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        assert isinstance(app.screen, UserPicker)
        options = app.screen.query_one(OptionList)
        assert [options.get_option_at_index(i).id for i in range(options.option_count)] == [
            "ADM", "CARINE", "FLORENT", "XAVIER"
        ]  # fmt: skip
        await pilot.press("down", "enter")
        await settle(app, pilot)
        assert app.viewer == "CARINE" and app.current_mode == "home"
    await store.close()


async def test_who_the_application_opens_as(world: UiWorld, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("tui_sync.ui._login_name", lambda: "florent")
    assert await resolve_viewer(world.settings, "carine") == "CARINE"
    assert await resolve_viewer(world.settings, None) == "FLORENT"  # the login name, case-blind
    configured = world.settings.model_copy(update={"user": "XAVIER"})
    assert await resolve_viewer(configured, None) == "XAVIER"
    monkeypatch.setattr("tui_sync.ui._login_name", lambda: "root")
    assert await resolve_viewer(world.settings, None) is None  # → the picker
    with pytest.raises(UnknownUser):
        await resolve_viewer(world.settings, "NOBODY")


async def test_the_palette_offers_every_screen_and_action_by_name(world: UiWorld) -> None:
    store = await world.open_store()
    app = world.app(store=store)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        names = [command.title for command in app.get_system_commands(app.screen)]
        assert names[: len(PALETTE)] == PALETTE
        await pilot.press("ctrl+p")
        await pilot.pause()
        await type_text(pilot, "sync wizard")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await settle(app, pilot)
        assert app.current_mode == "wizard"
    await store.close()


async def test_question_mark_and_f1_toggle_the_keys_of_the_screen(world: UiWorld) -> None:
    store = await world.open_store()
    app = world.app(store=store)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await pilot.press("question_mark")
        await pilot.pause()
        assert app.screen.query(HelpPanel)
        await pilot.press("f1")
        await pilot.pause()
        assert not app.screen.query(HelpPanel)
    await store.close()


async def test_the_keymap_from_the_config_remaps_a_binding(world: UiWorld) -> None:
    store = await world.open_store()
    app = world.app(store=store)
    app.settings = world.settings.model_copy(update={"keys": {"go.wizard": "f8"}})
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await pilot.press("f5")
        await pilot.pause()
        assert app.current_mode == "home"
        await pilot.press("f8")
        await settle(app, pilot)
        assert app.current_mode == "wizard"
    await store.close()


def test_every_binding_has_an_id_and_a_key_that_survives_ssh_and_tmux() -> None:
    seen = 0
    for owner in binding_owners():
        for binding in own_bindings(owner):
            assert binding.id, f"{owner.__name__}: {binding} has no id"
            for key in keys_of(binding):
                assert is_safe(key, binding.id), (
                    f"{owner.__name__}.{binding.id}: {key!r} does not survive tmux"
                )
                seen += 1
    assert seen > 20
