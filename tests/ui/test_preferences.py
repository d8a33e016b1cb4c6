"""Preferences → Synchronisation, driven with keys against the fake Microsoft 365: saving the form (and
refusing bad values without writing anything), an administrator editing another user, Connect with the
device-code dialog (approved, cancelled, declined), every Test message provoked for real, categories
created from the Test, Reset and Reset calendar. The database, the token cache and the fake mailbox are
what is checked afterwards."""

from __future__ import annotations

import asyncio
import json
import sqlite3
from collections.abc import Awaitable, Callable
from contextlib import closing

import pytest
import requests
from textual.widgets import Button, Input, Select, Static

from tests.threaded_fake import UNKNOWN_CLIENT_ID, UPN
from tests.ui.conftest import WALL, UiWorld, type_text
from tui_sync import texts
from tui_sync.domain.models import DEFAULT_ACTION_TYPES, InvalidValue, SyncPrefs, validate_email
from tui_sync.domain.refusals import NotAWholeNumber
from tui_sync.microsoft import mapping
from tui_sync.microsoft.auth import DeviceCode
from tui_sync.services import ResetDone, Services
from tui_sync.store import Link, Store
from tui_sync.sync import agenda, contacts
from tui_sync.ui.app import TuiSyncApp
from tui_sync.ui.dialogs.confirm import ConfirmDialog
from tui_sync.ui.dialogs.device_code import DeviceCodeDialog, spaced
from tui_sync.ui.screens.preferences import PreferencesScreen

FIX = texts.microsoft.CONNECT_FIX_TUI
CONNECT_ONLY = "press Connect to sign in"  # a user who never connected has only to connect
LABELS = [t.label for t in DEFAULT_ACTION_TYPES]


# --- helpers ---------------------------------------------------------------------------------------


async def settle(app: TuiSyncApp, pilot) -> None:
    await pilot.pause()
    await app.workers.wait_for_complete()
    await pilot.pause()


async def until(pilot, condition: Callable[[], bool], what: str, tries: int = 500) -> None:
    for _ in range(tries):
        if condition():
            return
        await pilot.pause(0.02)
    raise AssertionError(f"never happened: {what}")


async def open_prefs(app: TuiSyncApp, pilot) -> PreferencesScreen:
    await settle(app, pilot)
    await pilot.press("f6")
    await settle(app, pilot)
    screen = app.screen
    assert isinstance(screen, PreferencesScreen)
    return screen


def text(screen: PreferencesScreen, selector: str) -> str:
    return str(screen.query_one(selector, Static).content)


async def type_into(pilot, screen: PreferencesScreen, selector: str, value: str) -> None:
    """Focus the field, empty it (one backspace per character it holds), type `value` key by key."""
    field = screen.query_one(selector, Input)
    field.focus()
    await pilot.press("end", *["backspace"] * len(field.value))
    await type_text(pilot, value)


def db_user(world: UiWorld, code: str) -> sqlite3.Row:
    with closing(sqlite3.connect(world.database)) as db:
        db.row_factory = sqlite3.Row
        return db.execute("SELECT * FROM users WHERE code = ?", (code,)).fetchone()


def dump(world: UiWorld) -> list[str]:
    with closing(sqlite3.connect(world.database)) as db:
        return list(db.iterdump())


def refresh_tokens(world: UiWorld) -> list[str]:
    cache = json.loads((world.tmp / "token-cache.json").read_text() or "{}")
    return [entry["home_account_id"] for entry in cache.get("RefreshToken", {}).values()]


def set_up(world: UiWorld, change: Callable[[Services], Awaitable[object]]) -> None:
    world.run(change)


def categories(world: UiWorld) -> dict[str, str]:
    """The mailbox's Outlook categories, read straight from the fake (not through our client)."""
    response = requests.get(
        f"{world.fake.graph_url}/me/outlook/masterCategories",
        headers={"Authorization": f"Bearer {world.fake.token(UPN)}"},
        verify=world.fake.ca_file,
        timeout=10,
    )
    return {c["displayName"]: c["color"] for c in response.json()["value"]}


async def pending_code(world: UiWorld, pilot) -> str:
    """The device code the fake handed out (the user reads it on the screen and types it on a phone)."""
    for _ in range(500):
        pending = (await asyncio.to_thread(world.fake.admin, "GET", "/device"))["pending"]
        if pending:
            return pending[0]["user_code"]
        await pilot.pause(0.02)
    raise AssertionError("no device code was handed out")


# --- the form ---------------------------------------------------------------------------------------


async def test_the_form_shows_and_saves_the_users_own_preferences(world: UiWorld) -> None:
    store = await world.open_store()
    app = world.app(store=store)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_prefs(app, pilot)
        assert text(screen, "#who") == texts.tui.prefs_title("CARINE", "Carine Dupont")
        assert not screen.query("#user")  # not an administrator: only themselves, no list
        assert text(screen, "#dot") == texts.tui.prefs_connection(True, UPN)
        await type_into(pilot, screen, "#calendar", "Travail")
        await type_into(pilot, screen, "#before", "6")
        await type_into(pilot, screen, "#after", "12")
        screen.query_one("#automatic").focus()
        await pilot.press("space")
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert not screen.dirty()
        assert text(screen, "#error") == ""
    user = await store.get_user("CARINE")
    await store.close()
    assert user.prefs == SyncPrefs(
        login_email=UPN, calendar_name="Travail", months_before=6, months_after=12, automatic=True
    )


@pytest.mark.parametrize(
    ("selector", "typed", "field", "label"),
    [
        ("#email", "carine@contoso", "login_email", texts.tui.UI_PREFS_EMAIL),
        ("#after", "40", "months_after", "Months after"),
        ("#before", "", "months_before", texts.tui.UI_PREFS_BEFORE),
    ],
)
async def test_a_refused_value_is_named_in_place_and_nothing_is_saved(
    world: UiWorld, selector: str, typed: str, field: str, label: str
) -> None:
    before = dump(world)
    store = await world.open_store()
    app = world.app(store=store)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_prefs(app, pilot)
        await type_into(pilot, screen, "#calendar", "Travail")  # a good change beside the bad one
        await type_into(pilot, screen, selector, typed)
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        with pytest.raises(InvalidValue) as refused:
            if field == "login_email":
                validate_email(typed, field)
            elif typed:
                SyncPrefs(months_after=int(typed))
            else:
                raise InvalidValue(field, NotAWholeNumber(0, 36))
        assert text(screen, "#error") == texts.domain.invalid_value(refused.value, label)
        assert screen.focused is screen.query_one(selector)  # the field to fix has the focus
        assert screen.dirty()  # what was typed is still there
    await store.close()
    assert dump(world) == before


async def test_escape_reverts_then_leaves(world: UiWorld) -> None:
    store = await world.open_store()
    app = world.app(store=store)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_prefs(app, pilot)
        await type_into(pilot, screen, "#calendar", "Autre")
        await pilot.press("escape")
        assert screen.values().calendar_name == "Calendar" and not screen.dirty()
        assert app.current_mode == "preferences"
        await pilot.press("escape")
        await settle(app, pilot)
        assert app.current_mode == "home"
    user = await store.get_user("CARINE")
    await store.close()
    assert user.prefs.calendar_name == "Calendar"


async def test_an_administrator_picks_florent_and_edits_florent(world: UiWorld) -> None:
    store = await world.open_store()
    app = world.app(viewer="ADM", store=store)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_prefs(app, pilot)
        picker = screen.query_one("#user", Select)
        assert picker.value == "ADM" and not screen.query_one("#who").display
        picker.focus()
        await pilot.press("enter", "down", "down", "enter")  # ADM, CARINE, FLORENT, XAVIER
        await settle(app, pilot)
        assert screen.target == "FLORENT" and picker.value == "FLORENT"
        assert text(screen, "#dot") == texts.tui.prefs_connection(False, None)
        await type_into(pilot, screen, "#email", "florent@contoso.test")
        await type_into(pilot, screen, "#after", "6")
        picker.value = "CARINE"  # unsaved changes: picking someone else is refused, nothing lost
        await settle(app, pilot)
        assert screen.target == "FLORENT" and picker.value == "FLORENT"
        assert text(screen, "#error") == texts.tui.PREFS_SAVE_FIRST
        await pilot.press("ctrl+s")
        await settle(app, pilot)
    florent, adm = await store.get_user("FLORENT"), await store.get_user("ADM")
    await store.close()
    assert florent.prefs.login_email == "florent@contoso.test" and florent.prefs.months_after == 6
    assert florent.prefs.calendar_name == "Calendar"
    assert adm.prefs == SyncPrefs()


# --- Connect ------------------------------------------------------------------------------------------


async def test_connect_shows_the_code_and_stores_the_account(world: UiWorld) -> None:
    store = await world.open_store()
    app = world.app(viewer="FLORENT", store=store)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_prefs(app, pilot)
        assert text(screen, "#dot").startswith("○")
        await pilot.press("ctrl+t")  # Test first: not connected
        await until(pilot, lambda: text(screen, "#results").startswith("✗"), "the Test's results")
        await asyncio.to_thread(world.fake.forget, await pending_code(world, pilot))  # Test's own probe
        await pilot.press("ctrl+o")
        code = await pending_code(world, pilot)
        dialog = app.screen
        assert isinstance(dialog, DeviceCodeDialog)
        await until(pilot, lambda: dialog.device_code is not None, "the code shown")
        assert str(dialog.query_one("#code", Static).content) == spaced(code)
        assert str(dialog.query_one("#url", Static).content) == f"{world.fake.authority_host}/devicelogin"
        await pilot.press("c")  # copied with OSC 52: nothing to see but the notification
        await asyncio.to_thread(world.fake.approve, code, "florent@contoso.test")
        await until(pilot, lambda: app.screen is screen, "the dialog closed")
        await settle(app, pilot)
        assert text(screen, "#message") == texts.microsoft.signed_in_as("florent@contoso.test")
        assert text(screen, "#dot") == texts.tui.prefs_connection(True, "florent@contoso.test")
        assert text(screen, "#results") == ""  # the Test said "not connected": no longer true, gone
    await store.close()
    home = db_user(world, "FLORENT")["home_account_id"]
    assert home and home in refresh_tokens(world)


async def test_signing_in_as_another_address_warns(world: UiWorld) -> None:
    """CARINE's login e-mail is carine@…; the person approves as someone else."""
    store = await world.open_store()
    app = world.app(store=store)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await pilot.press("c")  # Home's Connect: Preferences, then its dialog
        code = await pending_code(world, pilot)
        screen = next(s for s in app.screen_stack if isinstance(s, PreferencesScreen))
        await asyncio.to_thread(world.fake.approve, code, "boss@contoso.test")
        await until(pilot, lambda: app.screen is screen, "the dialog closed")
        await settle(app, pilot)
        assert text(screen, "#message") == "\n".join(
            [
                texts.microsoft.signed_in_as("boss@contoso.test"),
                texts.microsoft.email_mismatch("boss@contoso.test", UPN),
            ]
        )
    await store.close()


async def test_escape_cancels_the_sign_in_and_nothing_is_stored(world: UiWorld) -> None:
    store = await world.open_store()
    app = world.app(viewer="FLORENT", store=store)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_prefs(app, pilot)
        await pilot.press("ctrl+o")
        code = await pending_code(world, pilot)
        await pilot.press("escape")
        await until(pilot, lambda: app.screen is screen, "the dialog closed")
        assert not [w for w in app.workers if w.group == "sign-in" and w.is_running]
        await asyncio.to_thread(world.fake.approve, code, "florent@contoso.test")  # too late
        await pilot.pause(0.5)
        await settle(app, pilot)
        assert text(screen, "#message") == texts.microsoft.SIGN_IN_CANCELLED
        assert text(screen, "#dot").startswith("○")
    await store.close()
    assert db_user(world, "FLORENT")["home_account_id"] is None


async def test_a_declined_sign_in_is_one_line_and_changes_nothing(world: UiWorld) -> None:
    before = dump(world)
    store = await world.open_store()
    app = world.app(viewer="FLORENT", store=store)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_prefs(app, pilot)
        await pilot.press("ctrl+o")
        code = await pending_code(world, pilot)
        await asyncio.to_thread(world.fake.decline, code)
        await until(pilot, lambda: app.screen is screen, "the dialog closed")
        await settle(app, pilot)
        assert text(screen, "#message") == texts.microsoft.SIGN_IN_DECLINED
    await store.close()
    assert dump(world) == before


async def test_connect_with_an_unknown_client_id(world: UiWorld) -> None:
    async def unknown(services: Services) -> None:
        await services.people.save_microsoft_settings(UNKNOWN_CLIENT_ID)

    set_up(world, unknown)
    store = await world.open_store()
    app = world.app(viewer="FLORENT", store=store)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_prefs(app, pilot)
        await pilot.press("ctrl+o")
        await until(pilot, lambda: app.screen is screen and bool(text(screen, "#message")), "an answer")
        reason = texts.microsoft.reason_wrong_client_id(UNKNOWN_CLIENT_ID)
        assert text(screen, "#message") == texts.microsoft.account_not_accessible(reason, FIX)
    await store.close()
    assert db_user(world, "FLORENT")["home_account_id"] is None


# --- Test ----------------------------------------------------------------------------------------------


async def _no_calendar(services: Services) -> None:
    user = await services.people.get_user("CARINE")
    await services.people.save_prefs("CARINE", SyncPrefs(login_email=user.prefs.login_email))


async def _no_client_id(services: Services) -> None:
    await services.people.save_microsoft_settings("")


async def _unknown_client(services: Services) -> None:
    await services.people.save_microsoft_settings(UNKNOWN_CLIENT_ID)


async def _calendar_elsewhere(services: Services) -> None:
    await services.people.save_prefs("CARINE", SyncPrefs(login_email=UPN, calendar_name="Nowhere"))


async def _nothing(services: Services) -> None:
    return None


def line(level: str, message: str) -> str:
    return texts.microsoft.check_line(level, message)


@pytest.mark.parametrize(
    ("viewer", "change", "expected"),
    [
        ("CARINE", _no_calendar, [line("error", texts.microsoft.CALENDAR_NAME_NOT_SET)]),
        (
            "CARINE",
            _no_client_id,
            [line("error", texts.microsoft.account_not_accessible(texts.microsoft.REASON_NO_CLIENT_ID, FIX))],
        ),
        (
            "CARINE",
            _unknown_client,
            [
                line(
                    "error",
                    texts.microsoft.account_not_accessible(
                        texts.microsoft.reason_wrong_client_id(UNKNOWN_CLIENT_ID), FIX
                    ),
                )
            ],
        ),
        (
            "FLORENT",
            _nothing,
            [
                line(
                    "error",
                    texts.microsoft.account_not_accessible(
                        texts.microsoft.REASON_NOT_CONNECTED, CONNECT_ONLY
                    ),
                )
            ],
        ),
        ("CARINE", _calendar_elsewhere, [line("error", texts.microsoft.calendar_not_found("Nowhere"))]),
    ],
    ids=["calendar-name-empty", "no-client-id", "unknown-client-id", "not-connected", "calendar-not-found"],
)
async def test_each_test_failure_is_shown_with_its_message(
    world: UiWorld, viewer: str, change: Callable[[Services], Awaitable[None]], expected: list[str]
) -> None:
    set_up(world, change)
    store = await world.open_store()
    app = world.app(viewer=viewer, store=store)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_prefs(app, pilot)
        await pilot.press("ctrl+t")
        await settle(app, pilot)
        shown = text(screen, "#results").splitlines()
        for wanted in expected:
            assert wanted in shown, shown
    await store.close()


async def test_missing_categories_are_offered_then_created_in_the_mailbox(world: UiWorld) -> None:
    seen: list[str] = []
    store = await world.open_store()
    app = world.app(store=store)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_prefs(app, pilot)
        original = screen._show_results

        def spy(running: bool, preface: str = "") -> None:  # the lines as the user saw them, in turn
            original(running, preface)
            seen.append(text(screen, "#results"))

        screen._show_results = spy  # type: ignore[method-assign]
        await pilot.press("ctrl+g")  # nothing to create yet: the key does nothing
        await app.action_test()  # the palette's Test
        await settle(app, pilot)
        assert seen[0] == texts.tui.testing_user("CARINE")  # each check appears as it runs
        assert seen[1].splitlines() == [
            line("ok", texts.microsoft.signed_in_as(UPN)),
            texts.tui.testing_user("CARINE"),
        ]
        assert text(screen, "#results").splitlines() == [
            line("ok", texts.microsoft.signed_in_as(UPN)),
            line("ok", texts.microsoft.calendar_found("Calendar")),
            line("warning", texts.microsoft.missing_categories(LABELS)),
            texts.tui.PREFS_CREATE_CATEGORIES_OFFER,
        ]
        assert screen.categories_missing
        assert not set(LABELS) & set(categories(world))
        await pilot.press("ctrl+g")
        await settle(app, pilot)
        assert text(screen, "#results").splitlines()[-1] == line(
            "ok", texts.microsoft.categories_created(LABELS)
        )
        assert not screen.categories_missing
    await store.close()
    made = categories(world)
    for action_type in DEFAULT_ACTION_TYPES:  # each with the colour nearest to the action type's
        assert made[action_type.label] == mapping.category_for(action_type)["color"]


# --- Reset / Reset calendar --------------------------------------------------------------------------------


LINKS = [
    Link("CARINE", agenda.ACTION, "1", "event-1"),
    Link("CARINE", agenda.SERIES, "2", "event-2"),
    Link("CARINE", contacts.KIND, "3", "contact-3"),
]


async def _links(store: Store) -> list[str]:
    return [
        key
        for kind in (agenda.ACTION, agenda.SERIES, agenda.OCCURRENCE, contacts.KIND)
        for key in await store.links("CARINE", kind)
    ]


async def test_reset_asks_then_removes_the_tokens_and_every_link(world: UiWorld) -> None:
    store = await world.open_store()
    await store.save_links(LINKS)
    app = world.app(store=store)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_prefs(app, pilot)
        await pilot.press("ctrl+r")
        await until(pilot, lambda: isinstance(app.screen, ConfirmDialog), "the question")
        assert str(app.screen.query(Static).first().content) == texts.tui.reset_question("CARINE")
        await pilot.press("n")  # No: nothing happens
        await settle(app, pilot)
        assert await _links(store) == ["1", "2", "3"]
        await pilot.press("ctrl+r")
        await until(pilot, lambda: isinstance(app.screen, ConfirmDialog), "the question again")
        await pilot.press("y")
        await settle(app, pilot)
        assert text(screen, "#message") == ResetDone("CARINE", True, 3).message
        assert text(screen, "#dot") == texts.tui.prefs_connection(False, None)
    assert await _links(store) == []
    await store.close()
    assert db_user(world, "CARINE")["home_account_id"] is None
    assert refresh_tokens(world) == []


async def test_reset_calendar_forgets_the_agenda_links_only(world: UiWorld) -> None:
    store = await world.open_store()
    await store.save_links(LINKS)
    app = world.app(store=store)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_prefs(app, pilot)
        screen.query_one("#reset-calendar", Button).press()
        await until(pilot, lambda: isinstance(app.screen, ConfirmDialog), "the question")
        details = [str(s.content) for s in app.screen.query(Static)]
        assert texts.tui.RESET_CALENDAR_DETAILS in details
        await pilot.press("y")
        await settle(app, pilot)
        assert text(screen, "#message") == texts.tui.calendar_links_cleared("CARINE", 2)
        assert text(screen, "#dot") == texts.tui.prefs_connection(True, UPN)
    assert await _links(store) == ["3"]
    await store.close()
    assert db_user(world, "CARINE")["home_account_id"]


# --- snapshots (80x24: the product's size) -------------------------------------------------------------

CODE = DeviceCode("https://microsoft.com/devicelogin", "FZQ4J9LSK", WALL + 14 * 60 + 32, "")


async def _to_prefs(pilot) -> None:
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.app.switch_mode("preferences")
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


def test_snapshot_preferences(world: UiWorld, snap_compare) -> None:
    assert snap_compare(world.app(), terminal_size=(80, 24), run_before=_to_prefs)


def test_snapshot_preferences_administrator(world: UiWorld, snap_compare) -> None:
    assert snap_compare(world.app(viewer="ADM"), terminal_size=(80, 24), run_before=_to_prefs)


def test_snapshot_device_code(world: UiWorld, snap_compare) -> None:
    async def show_code(pilot) -> None:
        await _to_prefs(pilot)
        await pilot.app.push_screen(DeviceCodeDialog("CARINE", CODE, sign_in=False))
        await pilot.pause()

    assert snap_compare(world.app(), terminal_size=(80, 24), run_before=show_code)


def test_snapshot_test_results(world: UiWorld, snap_compare) -> None:
    async def run_test(pilot) -> None:
        await _to_prefs(pilot)
        await pilot.press("ctrl+t")
        await pilot.pause()
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()

    assert snap_compare(world.app(), terminal_size=(80, 24), run_before=run_test)


def test_every_binding_has_a_safe_key_and_an_id() -> None:
    from tui_sync.ui.keys import is_safe, keys_of

    for owner in (PreferencesScreen, DeviceCodeDialog):
        for binding in owner.BINDINGS:
            assert binding.id, binding  # type: ignore[union-attr]
            for key in keys_of(binding):  # type: ignore[arg-type]
                assert is_safe(key, binding.id), (owner.__name__, key)  # type: ignore[union-attr]
    taken = {k for b in TuiSyncApp.BINDINGS for k in keys_of(b)} | {"ctrl+p"}  # type: ignore[arg-type]
    mine = {k for b in PreferencesScreen.BINDINGS for k in keys_of(b)}  # type: ignore[arg-type]
    assert not mine & taken
