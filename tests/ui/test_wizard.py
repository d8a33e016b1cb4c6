"""The Sync wizard and the deletion dialogs, driven with keys like a user would, against the fake
Microsoft 365: what ends up in the CRM and in the mailbox is what is checked."""

from __future__ import annotations

import sqlite3
from contextlib import closing

import pytest
from textual.widgets import ContentSwitcher, Input, SelectionList, Static

from tests.ui.conftest import NOW, Outlook, UiWorld, add_actions, crm_titles, sync_now
from tui_sync import texts
from tui_sync.ui.app import TuiSyncApp
from tui_sync.ui.dialogs.confirm import ConfirmDialog
from tui_sync.ui.dialogs.confirm_delete import ConfirmDeletion, ConfirmMassDeletion


async def settle(app: TuiSyncApp, pilot) -> None:
    await pilot.pause()
    await app.workers.wait_for_complete()
    await pilot.pause()


async def wait_for_screen(app: TuiSyncApp, pilot, kind: type, tries: int = 400) -> None:
    for _ in range(tries):
        if isinstance(app.screen, kind):
            return
        await pilot.pause(0.02)
    raise AssertionError(f"{kind.__name__} never showed; on {app.screen!r}")


async def wait_for_view(app: TuiSyncApp, pilot, view: str, tries: int = 500) -> None:
    for _ in range(tries):
        if app.wizard.query_one(ContentSwitcher).current == view and not app.sync_running():
            return
        await pilot.pause(0.02)
    raise AssertionError(f"the wizard never showed {view}")


def leases(world: UiWorld) -> list[tuple]:
    with closing(sqlite3.connect(world.database)) as db:
        return db.execute("SELECT user, holder FROM sync_leases").fetchall()


def summary_text(app: TuiSyncApp) -> str:
    return str(app.wizard.query_one("#summary-text", Static).content)


async def test_the_wizard_syncs_the_chosen_user_and_keeps_the_summary(
    world: UiWorld, outlook: Outlook
) -> None:
    add_actions(world, 3)
    store = await world.open_store()
    app = world.app(store=store)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await pilot.press("f5")
        await settle(app, pilot)
        who = app.wizard.query_one("#who", SelectionList)
        assert list(who.selected) == ["CARINE"]
        assert app.wizard.query_one("#from", Input).value == "2026-10-30"
        await pilot.press("ctrl+s")
        await wait_for_view(app, pilot, "summary")
        text = summary_text(app)
        assert "Agenda → Microsoft 365: +3 created" in text
        await pilot.press("escape")  # back to the form: the summary stayed until dismissed
        assert app.wizard.query_one(ContentSwitcher).current == "form"
    user = await store.get_user("CARINE")
    await store.close()
    assert sorted(e["subject"] for e in outlook.events()) == [
        "Rendez-vous 1",
        "Rendez-vous 2",
        "Rendez-vous 3",
    ]
    assert user.last_agenda_sync == NOW and user.last_contacts_sync == NOW
    assert leases(world) == []


async def test_a_bad_interval_is_refused_in_place_and_nothing_runs(world: UiWorld, outlook: Outlook) -> None:
    add_actions(world, 1)
    store = await world.open_store()
    app = world.app(store=store)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("f5")
        await settle(app, pilot)
        app.wizard.query_one("#to", Input).value = "2026-13-01"
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        error = str(app.wizard.query_one("#form-error", Static).content)
        assert "'2026-13-01' is not a date" in error
        app.wizard.query_one("#to", Input).value = "2026-10-01"  # before the start
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert "end of the period must be after its start" in str(app.wizard.query_one("#form-error").content)
        assert app.wizard.query_one(ContentSwitcher).current == "form"
    await store.close()
    assert outlook.events() == []


async def test_users_not_connected_are_shown_dimmed_with_the_reason(world: UiWorld) -> None:
    store = await world.open_store()
    app = world.app(store=store)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("f5")
        await settle(app, pilot)
        who = app.wizard.query_one("#who", SelectionList)
        options = {
            who.get_option_at_index(i).value: who.get_option_at_index(i) for i in range(who.option_count)
        }
        assert set(options) == {"CARINE", "FLORENT"}  # XAVIER is not visible to CARINE
        assert options["FLORENT"].disabled and texts.tui.WIZARD_NOT_CONNECTED in str(
            options["FLORENT"].prompt
        )
        assert not options["CARINE"].disabled
    await store.close()


@pytest.mark.parametrize(
    ("keys", "deleted", "kept"),
    [
        (["y", "n", "Y"], {"Rendez-vous 1", "Rendez-vous 3", "Rendez-vous 4"}, {"Rendez-vous 2"}),
        (["y", "ctrl+y"], {"Rendez-vous 1", "Rendez-vous 2", "Rendez-vous 3", "Rendez-vous 4"}, set()),
        (["n", "escape"], set(), {"Rendez-vous 1", "Rendez-vous 2", "Rendez-vous 3", "Rendez-vous 4"}),
        (["y", "y", "n", "y"], {"Rendez-vous 1", "Rendez-vous 2", "Rendez-vous 4"}, {"Rendez-vous 3"}),
    ],
    ids=["y-n-Y", "y-ctrl+y", "n-escape", "one-by-one"],
)
async def test_deletions_made_in_outlook_are_asked_one_at_a_time(
    world: UiWorld, outlook: Outlook, keys: list[str], deleted: set[str], kept: set[str]
) -> None:
    add_actions(world, 10)
    sync_now(world)
    gone = sorted((e for e in outlook.events() if e["subject"] in deleted | kept), key=lambda e: e["subject"])
    for event in gone:
        outlook.delete(event["id"])
    store = await world.open_store()
    app = world.app(store=store)
    asked: list[str] = []
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await pilot.press("f9")  # Sync now
        for key in keys:
            await wait_for_screen(app, pilot, ConfirmDeletion)
            dialog = app.screen
            assert isinstance(dialog, ConfirmDeletion)
            asked.append(f"{dialog.request.index}/{dialog.request.total} {dialog.request.title}")
            await pilot.pause()
            phase = str(app.wizard.query_one("#phase", Static).content)
            assert phase.startswith(f"Agenda: {texts.sync.PHASES['confirming']} {dialog.request.index - 1}/4")
            await pilot.press(key)
            await pilot.pause()
        await wait_for_view(app, pilot, "summary")
        assert not isinstance(app.screen, ConfirmDeletion)
        assert f"kept deletions: {len(kept)}" in summary_text(app)
    await store.close()
    assert asked[0].startswith("1/4 ")
    everything = {f"Rendez-vous {n}" for n in range(1, 11)}
    assert set(crm_titles(world)) == everything - deleted
    assert {e["subject"] for e in outlook.events()} == everything - deleted  # kept ones written back


async def test_a_meeting_cancelled_by_its_organiser_is_asked_as_such(
    world: UiWorld, outlook: Outlook
) -> None:
    """An attendee's copy of a cancelled meeting stays in Outlook with isCancelled: true
    (api-reference/v1.0/resources/event.md): the dialog says so, and `y` deletes it from the CRM."""
    add_actions(world, 4)
    sync_now(world)
    [event] = [e for e in outlook.events() if e["subject"] == "Rendez-vous 2"]
    world.fake.admin("POST", "/events/cancel", {"upn": outlook.upn, "event_id": event["id"]})
    store = await world.open_store()
    app = world.app(store=store)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await pilot.press("f9")
        await wait_for_screen(app, pilot, ConfirmDeletion)
        shown = " ".join(str(s.content) for s in app.screen.query(Static))
        assert "Cancelled by the organiser — 1 of 1" in shown and "Rendez-vous 2" in shown
        assert "The organiser cancelled this meeting" in shown
        await pilot.press("y")
        await wait_for_view(app, pilot, "summary")
    await store.close()
    assert crm_titles(world) == ["Rendez-vous 1", "Rendez-vous 3", "Rendez-vous 4"]


async def test_a_mass_deletion_is_warned_first_and_refusing_writes_nothing(
    world: UiWorld, outlook: Outlook
) -> None:
    add_actions(world, 10)
    sync_now(world)
    for event in outlook.events()[:7]:  # more than half of the synced items
        outlook.delete(event["id"])
    store = await world.open_store()
    app = world.app(store=store)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await pilot.press("f9")
        await wait_for_screen(app, pilot, ConfirmMassDeletion)
        await pilot.press("n")
        await wait_for_view(app, pilot, "summary")
        assert "Sync stopped before writing anything" in summary_text(app)
        assert "--yes" not in summary_text(app)  # the headless advice has no place here
    await store.close()
    assert len(crm_titles(world)) == 10
    assert len(outlook.events()) == 3


async def test_escape_during_a_run_asks_then_cancels_cleanly_and_a_rerun_finishes(
    world: UiWorld, outlook: Outlook
) -> None:
    # More writes than the four batches of 20 that fly at once, so some are still to send at the cancel.
    add_actions(world, 200)
    world.fake.faults(latency_ms=150)
    store = await world.open_store()
    app = world.app(store=store)
    try:
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.press("f5")
            await settle(app, pilot)
            await pilot.press("ctrl+s")
            for _ in range(500):  # until the first writes are out
                await pilot.pause(0.02)
                if "Writing" in str(app.wizard.query_one("#phase", Static).content):
                    break
            await pilot.press("escape")
            await wait_for_screen(app, pilot, ConfirmDialog)
            await pilot.press("y")
            await wait_for_view(app, pilot, "summary")
            assert texts.sync.SYNC_CANCELLED in summary_text(app)
            assert not app.sync_running()
    finally:
        world.fake.faults(latency_ms=0)
    await store.close()
    assert leases(world) == []  # the lease went back with the cancelled run
    written = len(outlook.events())
    assert written < 200  # it really was cancelled part-way
    sync_now(world)  # the next sync finishes the rest: nothing twice, nothing lost
    subjects = [e["subject"] for e in outlook.events()]
    assert sorted(subjects) == sorted(f"Rendez-vous {n}" for n in range(1, 201))
    assert len(crm_titles(world)) == 200


async def test_ctrl_q_during_a_sync_asks_then_quits_and_gives_the_lease_back(
    world: UiWorld, outlook: Outlook
) -> None:
    add_actions(world, 40)
    world.fake.faults(latency_ms=150)
    store = await world.open_store()
    app = world.app(store=store)
    try:
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.press("f9")
            for _ in range(500):
                await pilot.pause(0.02)
                if leases(world):
                    break
            await pilot.press("ctrl+q")
            await wait_for_screen(app, pilot, ConfirmDialog)
            await pilot.press("y")
            for _ in range(500):
                await pilot.pause(0.02)
                if not app.is_running:
                    break
        assert app.return_code == 0
    finally:
        world.fake.faults(latency_ms=0)
    await store.close()
    assert leases(world) == []


async def test_a_second_start_is_refused_while_a_sync_runs(world: UiWorld) -> None:
    add_actions(world, 30)
    world.fake.faults(latency_ms=100)
    notes: list[str] = []
    store = await world.open_store()
    app = world.app(store=store)
    try:
        async with app.run_test(size=(80, 24), message_hook=lambda m: None) as pilot:
            app.notify = lambda text, **kw: notes.append(text)  # type: ignore[method-assign]
            await pilot.press("f9")
            await pilot.pause(0.1)
            assert app.start_sync([]) is False
            await wait_for_view(app, pilot, "summary")
    finally:
        world.fake.faults(latency_ms=0)
    await store.close()
    assert texts.tui.SYNC_ALREADY_RUNNING in notes


async def test_at_startup_brings_outlook_changes_in_without_pushing_the_crm(
    world: UiWorld, outlook: Outlook
) -> None:
    async def startup_on(services) -> None:
        await services.people.update_user("CARINE", at_startup=True)

    world.run(startup_on)
    add_actions(world, 2, title="Only in the CRM")
    cid = outlook.calendar_id()
    body = {
        "subject": "Made in Outlook",
        "start": {"dateTime": "2026-12-02T10:00:00", "timeZone": "Europe/Paris"},
        "end": {"dateTime": "2026-12-02T11:00:00", "timeZone": "Europe/Paris"},
    }
    assert outlook.call("POST", f"/me/calendars/{cid}/events", body).status_code == 201
    store = await world.open_store()
    app = world.app(store=store, startup_sync=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await app.workers.wait_for_complete()
        await pilot.pause()
    await store.close()
    assert "Made in Outlook" in crm_titles(world)
    assert [e["subject"] for e in outlook.events()] == ["Made in Outlook"]  # CRM → Microsoft 365 not run


async def test_the_summary_says_items_failing_for_one_reason_in_one_line(
    world: UiWorld, outlook: Outlook
) -> None:
    """As the command line does: five actions refused alike are one line naming the first, not five."""
    add_actions(world, 5)
    world.fake.faults(batch_424=True, retry_after=0.05)  # every write of a $batch refused alike, soon retried
    store = await world.open_store()
    app = world.app(store=store)
    try:
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(app, pilot)
            await pilot.press("f5")
            await settle(app, pilot)
            await pilot.press("ctrl+s")
            await wait_for_view(app, pilot, "summary")
            failed = [line for line in summary_text(app).splitlines() if line.startswith("✗")]
            said = summary_text(app)
            status = str(app.home.query_one("#status", Static).content)
    finally:
        world.fake.faults(batch_424=False)
        await store.close()
    assert len(failed) == 1, failed
    assert "” and 4 other items could not be synced: " in failed[0]
    # the count said is the lines listed, not the items before they were grouped
    assert "Sync of CARINE finished with 1 error(s) in " in said
    assert status == texts.sync.sync_run_over(1, 1, cancelled=False)
    assert outlook.events() == []
