"""Snapshots (80x24, the product's size) of Home, the user picker, the Sync wizard's three views and the
deletion dialogs. Plain tests: `snap_compare` runs the App on its own event loop, so the App opens the
seeded database file itself. Runs and dialogs are shown from fixed events, not from a live sync, so
timings never reach the pictures."""

from __future__ import annotations

from datetime import UTC, datetime

from tests.ui.conftest import UiWorld
from tui_sync.sync.events import AgendaSummary, DeletionRequest, Progress, SideCounts, Summary
from tui_sync.ui.dialogs.confirm_delete import ConfirmDeletion, ConfirmMassDeletion
from tui_sync.ui.messages import SyncFinished, SyncJob, SyncProgress, SyncRunOver, SyncStarted

JOB = SyncJob("CARINE", ("agenda", "contacts"))


def a_summary() -> Summary:
    agenda = AgendaSummary(
        crm=SideCounts(created=2, updated=1, deleted=1),
        microsoft=SideCounts(created=12, updated=3, deleted=0),
        conflicts=1,
        kept=1,
    )
    return Summary("CARINE", agenda=agenda, requests=9, seconds=1.4)


async def on_home(pilot) -> None:
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


def test_home(snap_compare, world: UiWorld) -> None:
    assert snap_compare(world.app(), run_before=on_home, terminal_size=(80, 24))


def test_home_as_admin_in_sixteen_colours(snap_compare, world: UiWorld) -> None:
    async def sixteen(pilot) -> None:
        pilot.app.theme = "ansi-dark"
        await on_home(pilot)

    assert snap_compare(world.app(viewer="ADM"), run_before=sixteen, terminal_size=(80, 24))


def test_home_help_panel(snap_compare, world: UiWorld) -> None:
    assert snap_compare(world.app(), run_before=on_home, press=["f1"], terminal_size=(80, 24))


def test_user_picker(snap_compare, world: UiWorld) -> None:
    assert snap_compare(world.app(viewer=None), run_before=on_home, terminal_size=(80, 24))


def test_wizard_form(snap_compare, world: UiWorld) -> None:
    async def wizard(pilot) -> None:
        await on_home(pilot)
        await pilot.press("f5")
        await on_home(pilot)

    assert snap_compare(world.app(), run_before=wizard, terminal_size=(80, 24))


def test_wizard_mid_run(snap_compare, world: UiWorld) -> None:
    async def running(pilot) -> None:
        await on_home(pilot)
        await pilot.press("f5")
        await on_home(pilot)
        wizard = pilot.app.wizard
        wizard.show_run_event(SyncStarted(JOB, 1, 2))
        wizard.show_run_event(SyncProgress(JOB, Progress("agenda", "writing", 40, 120, 7)))
        await pilot.pause()

    assert snap_compare(world.app(), run_before=running, terminal_size=(80, 24))


def test_wizard_summary(snap_compare, world: UiWorld) -> None:
    async def finished(pilot) -> None:
        await on_home(pilot)
        await pilot.press("f5")
        await on_home(pilot)
        wizard = pilot.app.wizard
        wizard.show_run_event(SyncStarted(JOB, 1, 2))
        wizard.show_run_event(SyncFinished(JOB, a_summary()))
        failed = Summary("FLORENT", errors=["No calendar named Calendar was found on the server"])
        wizard.show_run_event(SyncRunOver([a_summary(), failed], cancelled=False, startup=False))
        await pilot.pause()

    assert snap_compare(world.app(), run_before=finished, terminal_size=(80, 24))


def test_deletion_dialog(snap_compare, world: UiWorld) -> None:
    request = DeletionRequest(
        "action", "Réunion budget 2027", datetime(2026, 12, 3, 13, 30, tzinfo=UTC), 3, 17
    )

    async def asked(pilot) -> None:
        await on_home(pilot)
        pilot.app.push_screen(ConfirmDeletion(request, "CARINE", world.settings.tz))
        await pilot.pause()

    assert snap_compare(world.app(), run_before=asked, terminal_size=(80, 24))


def test_mass_deletion_dialog(snap_compare, world: UiWorld) -> None:
    async def warned(pilot) -> None:
        await on_home(pilot)
        pilot.app.push_screen(ConfirmMassDeletion(64, 80))
        await pilot.pause()

    assert snap_compare(world.app(), run_before=warned, terminal_size=(80, 24))
