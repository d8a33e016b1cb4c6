"""Rights in the terminal application hold in the engine, not only on screen: a sync of someone the
viewer may not sync, or an Automatic push of another owner's action, started from the App itself (as a
screen with a bug, or a forged message, would) is refused in one line and writes nothing."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from textual.widgets import Static

from tests.ui.conftest import NOW, Outlook, UiWorld
from tui_sync import texts
from tui_sync.domain.models import Action
from tui_sync.services import Services
from tui_sync.ui.messages import SyncJob
from tui_sync.ui.push import start_push


async def test_a_sync_of_a_user_the_viewer_may_not_sync_is_refused_by_the_engine(
    world: UiWorld, outlook: Outlook
) -> None:
    store = await world.open_store()
    start = NOW + timedelta(days=1)
    await store.add_action(Action("CARINE", "Carine's", start, start + timedelta(hours=1)))
    app = world.app(viewer="XAVIER", store=store)  # XAVIER has no right on CARINE
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await app.switch_mode("wizard")  # where the run's summary shows
        await pilot.pause()
        assert app.start_sync([SyncJob("CARINE", ("agenda", "contacts"))])
        await app.workers.wait_for_complete()
        await pilot.pause()
        notes = [str(n.message) for n in app._notifications]
        summary = str(app.wizard.query_one("#summary-text", Static).content)
    runs = await store.last_runs("CARINE", 10)
    await store.close()
    assert notes == [texts.sync.sync_run_over(1, 1, cancelled=False)]
    assert texts.errors.not_allowed_agenda("XAVIER", "CARINE") in summary, summary
    assert outlook.events() == [] and runs == []


async def test_an_automatic_push_of_another_owners_action_is_refused(
    world: UiWorld, outlook: Outlook
) -> None:
    async def setup(services: Services) -> int:
        carine = await services.store.get_user("CARINE")
        await services.store.update_user(replace(carine, prefs=replace(carine.prefs, automatic=True)))
        start = NOW + timedelta(days=2)
        theirs = await services.store.add_action(
            Action("FLORENT", "Florent's", start, start + timedelta(hours=1))
        )
        return theirs.id  # type: ignore[return-value]

    action_id = world.run(setup)
    store = await world.open_store()
    app = world.app(store=store)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        states: list[str] = []
        start_push(app, "CARINE", action_id, states.append)  # type: ignore[arg-type]
        await app.workers.wait_for_complete()
        await pilot.pause()
    await store.close()
    assert states == ["pending", "failed"]
    assert outlook.events() == []
