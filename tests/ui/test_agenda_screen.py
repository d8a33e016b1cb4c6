"""The Agenda screen and the action form, driven with keys like a user would, against the fake Microsoft
365: what ends up in the CRM and in the mailbox is what is checked. With Automatic on, every saved change
of a single action is in the mailbox as soon as the App's push worker is done."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from textual.widgets import DataTable, Input, Static

from tests.ui.conftest import NOW, Outlook, UiWorld, crm_titles, sync_now, type_text
from tui_sync import texts
from tui_sync.domain.models import Action, Recurrence, Series
from tui_sync.domain.period import Period
from tui_sync.services import Services
from tui_sync.services.agenda import ActionDraft
from tui_sync.sync.service import NotAllowed
from tui_sync.ui.app import TuiSyncApp
from tui_sync.ui.dialogs.action_form import ActionForm
from tui_sync.ui.dialogs.confirm import ConfirmDialog
from tui_sync.ui.screens.agenda import AgendaScreen, OwnersDialog, ScopeDialog
from tui_sync.ui.screens.wizard import WizardScreen

TOMORROW_9 = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)  # 09:00 in Paris


async def settle(app: TuiSyncApp, pilot) -> None:
    """Wait for loads and pushes (not for a dialog's worker: it waits for the user)."""
    await pilot.pause()
    others = [w for w in app.workers if w.group != "agenda-dialog"]
    if others:  # (an empty list would mean every worker)
        await app.workers.wait_for_complete(others)
    await pilot.pause()


async def wait_for(pilot, condition, tries: int = 300) -> None:
    for _ in range(tries):
        if condition():
            return
        await pilot.pause(0.02)
    raise AssertionError("never happened")


async def open_agenda(app: TuiSyncApp, pilot) -> AgendaScreen:
    await settle(app, pilot)
    await pilot.press("f4")
    await settle(app, pilot)
    assert isinstance(app.screen, AgendaScreen)
    return app.screen


async def open_form(app: TuiSyncApp, pilot, *keys: str) -> ActionForm:
    await pilot.press(*keys)
    await wait_for(pilot, lambda: isinstance(app.screen, ActionForm))
    await pilot.pause()
    return app.screen  # type: ignore[return-value]


def automatic_on(world: UiWorld, code: str = "CARINE") -> None:
    async def on(services: Services) -> None:
        await services.people.update_user(code, automatic=True)

    world.run(on)


def add(world: UiWorld, *actions: Action) -> None:
    async def go(services: Services) -> None:
        for action in actions:
            await services.store.add_action(action)

    world.run(go)


def add_series(world: UiWorld, series: Series) -> int:
    async def go(services: Services) -> int:
        return (await services.store.add_series(series)).id  # type: ignore[return-value]

    return world.run(go)  # type: ignore[return-value]


def get_series(world: UiWorld, series_id: int) -> Series:
    async def go(services: Services) -> Series:
        return await services.store.get_series(series_id)

    return world.run(go)  # type: ignore[return-value]


def crm_actions(world: UiWorld, owner: str = "CARINE") -> list[Action]:
    async def go(services: Services) -> list[Action]:
        period = Period.from_dates(date(2026, 1, 1), date(2027, 12, 31), services.settings.tz)
        return await services.store.single_actions(owner, period)

    return world.run(go)  # type: ignore[return-value]


def subjects(outlook: Outlook) -> list[str]:
    return sorted(e["subject"] for e in outlook.events())


def weekly_standup() -> Series:
    start = datetime(2026, 11, 30, 13, 0, tzinfo=UTC)  # Mondays 14:00 in Paris
    rule = Recurrence("weekly", date(2026, 11, 30), days_of_week=("monday",), range_type="numbered", count=10)
    return Series("CARINE", "Stand-up", start, start + timedelta(minutes=30), rule, action_type="Réunion")


async def test_new_edit_duplicate_move_delete_reach_the_mailbox_at_once(
    world: UiWorld, outlook: Outlook
) -> None:
    automatic_on(world)
    store = await world.open_store()
    app = world.app(store=store)
    async with app.run_test(size=(80, 24)) as pilot:
        agenda = await open_agenda(app, pilot)
        form = await open_form(app, pilot, "n")
        assert form.query_one("#title", Input).has_focus
        assert form.query_one("#start-day", Input).value == "2026-11-30"
        assert form.query_one("#start-time", Input).value == "11:00"  # the next full hour in Paris
        assert form.query_one("#end-time", Input).value == "12:00"
        await type_text(pilot, "Client call")
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert isinstance(app.screen, AgendaScreen)
        assert subjects(outlook) == ["Client call"]
        assert str(agenda.query_one("#agenda-push", Static).content) == texts.tui_agenda.AGENDA_PUSH_DONE

        # edit: the cursor is on the new action
        assert agenda.selected_entry().action.title == "Client call"
        form = await open_form(app, pilot, "e")
        form.query_one("#title", Input).value = "Client call (moved)"
        form.query_one("#location", Input).value = "Lyon"
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        [event] = outlook.events()
        assert event["subject"] == "Client call (moved)" and event["location"]["displayName"] == "Lyon"

        # duplicate, on the next day
        form = await open_form(app, pilot, "d")
        form.query_one("#start-day", Input).value = "2026-12-01"
        form.query_one("#end-day", Input).value = "2026-12-01"
        form.query_one("#title", Input).value = "Follow-up"
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert subjects(outlook) == ["Client call (moved)", "Follow-up"]

        # move a day later at once (shift+down), then through the form (m, start day focused)
        assert agenda.select("Follow-up")
        await pilot.press("shift+down")
        await settle(app, pilot)
        moved = {e["subject"]: e["start"]["dateTime"][:10] for e in outlook.events()}
        assert moved["Follow-up"] == "2026-12-02"
        assert agenda.select("Client call (moved)")
        form = await open_form(app, pilot, "m")
        assert form.query_one("#start-day", Input).has_focus
        form.query_one("#start-day", Input).value = "2026-12-03"
        form.query_one("#end-day", Input).value = "2026-12-03"
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        moved = {e["subject"]: e["start"]["dateTime"][:10] for e in outlook.events()}
        assert moved["Client call (moved)"] == "2026-12-03"

        # delete asks first; n keeps it, then x and y delete it from both sides
        assert agenda.select("Follow-up")
        await pilot.press("x")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmDialog))
        await pilot.press("n")
        await settle(app, pilot)
        assert subjects(outlook) == ["Client call (moved)", "Follow-up"]
        await pilot.press("delete")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmDialog))
        await pilot.press("y")
        await settle(app, pilot)
        assert subjects(outlook) == ["Client call (moved)"]
    await store.close()
    assert crm_titles(world) == ["Client call (moved)"]


async def test_a_refused_form_says_why_in_place_and_saves_nothing(world: UiWorld, outlook: Outlook) -> None:
    automatic_on(world)
    store = await world.open_store()
    app = world.app(store=store)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_agenda(app, pilot)
        form = await open_form(app, pilot, "n")
        await pilot.press("ctrl+s")  # no title
        await settle(app, pilot)
        errors = str(form.query_one("#errors", Static).content)
        assert errors == f"{texts.tui_agenda.UI_FORM_TITLE}: {texts.domain.AGENDA_TITLE_REQUIRED}"
        await type_text(pilot, "Lunch")
        form.query_one("#end-time", Input).value = "10:30"  # before the 11:00 start
        form.query_one("#start-day", Input).value = "2026-13-01"
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        errors = str(form.query_one("#errors", Static).content)
        assert errors == "Start day: '2026-13-01' is not a date (YYYY-MM-DD)"
        form.query_one("#start-day", Input).value = "2026-11-30"
        form.query_one("#start-time", Input).value = "25:00"
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert "Start time: '25:00' is not a time" in str(form.query_one("#errors", Static).content)
        form.query_one("#start-time", Input).value = "11:00"
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert str(form.query_one("#errors", Static).content) == "End: must be after the start"
        assert form.query_one("#title", Input).value == "Lunch"  # nothing typed is lost
        await pilot.press("escape")  # something changed: it asks first
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmDialog))
        await pilot.press("y")
        await settle(app, pilot)
        assert isinstance(app.screen, AgendaScreen)
    await store.close()
    assert crm_titles(world) == []
    assert outlook.events() == []


async def test_several_agendas_by_day_with_marks(world: UiWorld) -> None:
    add(
        world,
        Action(
            "CARINE", "Visit Dubois", TOMORROW_9, TOMORROW_9 + timedelta(hours=1), action_type="Rendez-vous"
        ),
        Action("FLORENT", "Call Martin", TOMORROW_9, TOMORROW_9 + timedelta(hours=1), action_type="Appel"),
        Action("CARINE", "Secret", NOW + timedelta(hours=3), NOW + timedelta(hours=4), private=True),
    )
    add_series(world, weekly_standup())
    store = await world.open_store()
    app = world.app(store=store)
    async with app.run_test(size=(80, 24)) as pilot:
        agenda = await open_agenda(app, pilot)
        assert [e.action.title for _d, e in agenda.rows if e] == ["Secret", "Stand-up", "Visit Dubois"]
        await pilot.press("o")
        await wait_for(pilot, lambda: isinstance(app.screen, OwnersDialog))
        await pilot.press("down", "space", "enter")  # mark FLORENT too
        await settle(app, pilot)
        assert agenda.shown == ["CARINE", "FLORENT"]
        table = agenda.query_one("#agenda", DataTable)
        lines = {str(table.get_row_at(i)[2]): table.get_row_at(i) for i in range(table.row_count)}
        assert str(lines["Call Martin"][3]) == "FLORENT" and str(lines["Call Martin"][1]) == "■ Appel"
        assert str(lines["Stand-up"][4]) == "R" and str(lines["Secret"][4]) == "P"
        await pilot.press("right")  # a day later: Monday leaves the view
        await settle(app, pilot)
        assert agenda.first == date(2026, 12, 1)
        await pilot.press("pagedown")
        await settle(app, pilot)
        assert agenda.first == date(2026, 12, 8)
        assert [e.action.title for _d, e in agenda.rows if e] == ["Stand-up"]  # 14 Dec
        await pilot.press("t")
        await settle(app, pilot)
        assert agenda.first == date(2026, 11, 30)
    await store.close()


async def test_one_occurrence_then_the_whole_series(world: UiWorld) -> None:
    series_id = add_series(world, weekly_standup())
    store = await world.open_store()
    app = world.app(store=store)
    async with app.run_test(size=(80, 24)) as pilot:
        agenda = await open_agenda(app, pilot)
        assert agenda.select("Stand-up")
        await pilot.press("e")
        await wait_for(pilot, lambda: isinstance(app.screen, ScopeDialog))
        await pilot.press("o")
        await wait_for(pilot, lambda: isinstance(app.screen, ActionForm))
        form: ActionForm = app.screen  # type: ignore[assignment]
        form.query_one("#title", Input).value = "Stand-up (long)"
        form.query_one("#end-time", Input).value = "15:00"
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        series = get_series(world, series_id)
        [exception] = series.exceptions
        assert exception.title == "Stand-up (long)"
        assert exception.original_start == datetime(2026, 11, 30, 13, 0, tzinfo=UTC)
        assert exception.end == datetime(2026, 11, 30, 14, 0, tzinfo=UTC)
        assert series.title == "Stand-up"
        line = next(e for _d, e in agenda.rows if e and e.action.title == "Stand-up (long)")
        assert line.kind == "exception"

        # the whole series: every two weeks on Mondays and Thursdays, until a date
        await pilot.press("pagedown")
        await settle(app, pilot)
        assert agenda.select("Stand-up")
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, ScopeDialog))
        await pilot.press("s")
        await wait_for(pilot, lambda: isinstance(app.screen, ActionForm))
        form = app.screen  # type: ignore[assignment]
        assert form.query_one("#start-day", Input).value == "2026-11-30"  # the series' first occurrence
        form.query_one("#title", Input).value = "Team stand-up"
        form.query_one("#interval", Input).value = "2"
        form.query_one("#day-thursday").value = True  # type: ignore[attr-defined]
        form.query_one("#ends").value = "date"  # type: ignore[attr-defined]
        await pilot.pause()
        form.query_one("#ends-value", Input).value = "2027-01-31"
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert isinstance(app.screen, AgendaScreen)
    await store.close()
    series = get_series(world, series_id)
    assert series.title == "Team stand-up"
    r = series.recurrence
    assert (r.pattern, r.interval, r.days_of_week) == ("weekly", 2, ("monday", "thursday"))
    assert (r.range_type, r.end_date) == ("endDate", date(2027, 1, 31))
    assert [e.title for e in series.exceptions] == ["Stand-up (long)"]  # kept


async def test_a_new_monthly_series_on_the_second_tuesday(world: UiWorld) -> None:
    store = await world.open_store()
    app = world.app(store=store)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_agenda(app, pilot)
        form = await open_form(app, pilot, "n")
        await type_text(pilot, "Board")
        form.query_one("#start-day", Input).value = "2026-12-08"
        form.query_one("#end-day", Input).value = "2026-12-08"
        form.query_one("#repeat").value = "monthly_nth"  # type: ignore[attr-defined]
        form.query_one("#ends").value = "count"  # type: ignore[attr-defined]
        await pilot.pause()
        form.query_one("#ends-value", Input).value = "6"
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert isinstance(app.screen, AgendaScreen)

    async def series_of(services: Services) -> list[Series]:
        return await services.store.series_of("CARINE")

    [series] = world.run(series_of)  # type: ignore[misc]
    await store.close()
    r = series.recurrence
    assert (r.pattern, r.index, r.days_of_week, r.count) == ("relativeMonthly", "second", ("tuesday",), 6)
    assert crm_titles(world) == []


async def test_automatic_under_throttling_loses_nothing(world: UiWorld, outlook: Outlook) -> None:
    automatic_on(world)
    store = await world.open_store()
    app = world.app(store=store)
    world.fake.faults(throttle_rate=0.5, retry_after=0.05)
    try:
        async with app.run_test(size=(80, 24)) as pilot:
            await open_agenda(app, pilot)
            for title in ("One", "Two", "Three"):
                form = await open_form(app, pilot, "n")
                form.query_one("#title", Input).value = title
                await pilot.press("ctrl+s")
                await wait_for(pilot, lambda: not isinstance(app.screen, ActionForm))
            await settle(app, pilot)
    finally:
        world.fake.faults(throttle_rate=0.0)
    await store.close()
    assert crm_titles(world) == ["One", "Three", "Two"]
    sync_now(world)  # whatever a push could not send, the next sync settles
    assert subjects(outlook) == ["One", "Three", "Two"]


async def test_the_sync_key_runs_the_wizard_over_the_shown_agendas(world: UiWorld, outlook: Outlook) -> None:
    add(world, Action("CARINE", "Visit Dubois", TOMORROW_9, TOMORROW_9 + timedelta(hours=1)))
    store = await world.open_store()
    app = world.app(store=store)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_agenda(app, pilot)
        await pilot.press("s")
        await wait_for(pilot, lambda: isinstance(app.screen, WizardScreen))
        await wait_for(pilot, lambda: len(app.last_summaries) == 1 and not app.sync_running())
        assert app.last_summaries[0].user == "CARINE" and app.last_summaries[0].ok
    await store.close()
    assert subjects(outlook) == ["Visit Dubois"]


async def test_the_palette_new_action_opens_the_form(world: UiWorld) -> None:
    store = await world.open_store()
    app = world.app(store=store)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await app.action_new_action()
        await wait_for(pilot, lambda: isinstance(app.screen, ActionForm))
        await type_text(pilot, "From the palette")
        await pilot.press("ctrl+s")
        await settle(app, pilot)
    await store.close()
    assert crm_titles(world) == ["From the palette"]


# --- snapshots (80x24, the fixed clock: Monday 30 Nov 2026, 10:00 in Paris) ------------------------------


def seed_week(world: UiWorld) -> None:
    add(
        world,
        Action(
            "CARINE",
            "Visit Dubois & Fils",
            TOMORROW_9,
            TOMORROW_9 + timedelta(hours=1),
            action_type="Rendez-vous",
        ),
        Action(
            "FLORENT",
            "Call Martin about the quote",
            TOMORROW_9,
            TOMORROW_9 + timedelta(hours=1),
            action_type="Appel",
        ),
        Action("CARINE", "Doctor", NOW + timedelta(hours=3), NOW + timedelta(hours=4), private=True),
        Action(
            "CARINE",
            "Trade fair",
            datetime(2026, 12, 2, 23, 0, tzinfo=UTC),
            datetime(2026, 12, 3, 23, 0, tzinfo=UTC),
            all_day=True,
            action_type="Réunion",
        ),
        Action(
            "FLORENT",
            "Send the offers",
            datetime(2026, 12, 4, 15, 0, tzinfo=UTC),
            datetime(2026, 12, 4, 16, 0, tzinfo=UTC),
        ),
    )
    add_series(world, weekly_standup())


async def on_agenda(pilot) -> None:
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.press("f4")
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


async def with_florent(pilot) -> None:
    await on_agenda(pilot)
    await pilot.press("o")
    await pilot.pause()
    await pilot.press("down", "space", "enter")
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


def test_agenda_week_of_two_users(snap_compare, world: UiWorld) -> None:
    seed_week(world)
    assert snap_compare(world.app(), run_before=with_florent, terminal_size=(80, 24))


def test_agenda_week_in_sixteen_colours(snap_compare, world: UiWorld) -> None:
    seed_week(world)

    async def sixteen(pilot) -> None:
        pilot.app.theme = "ansi-dark"
        await with_florent(pilot)

    assert snap_compare(world.app(), run_before=sixteen, terminal_size=(80, 24))


def test_action_form_new(snap_compare, world: UiWorld) -> None:
    async def new(pilot) -> None:
        await on_agenda(pilot)
        await pilot.press("n")
        await pilot.pause(0.2)
        await type_text(pilot, "Client")

    assert snap_compare(world.app(), run_before=new, terminal_size=(80, 24))


def test_action_form_whole_series(snap_compare, world: UiWorld) -> None:
    seed_week(world)

    async def series(pilot) -> None:
        await on_agenda(pilot)
        assert pilot.app.screen.select("Stand-up")
        await pilot.press("e")
        await pilot.pause(0.1)
        await pilot.press("s")
        await pilot.pause(0.2)

    assert snap_compare(world.app(), run_before=series, terminal_size=(80, 24))


def test_the_service_refuses_an_agenda_without_the_right(world: UiWorld) -> None:
    """CARINE may change her own agenda and FLORENT's (agenda right), never XAVIER's."""

    async def check(services: Services) -> list[str]:
        agenda = services.agenda
        refused = []
        draft = await agenda.new_draft("XAVIER")
        draft = ActionDraft(**{**draft.__dict__, "title": "Not mine"})
        for attempt in (
            agenda.days("CARINE", ["XAVIER"], date(2026, 11, 30), date(2026, 12, 6)),
            agenda.save_action("CARINE", draft),
        ):
            try:
                await attempt
            except NotAllowed as error:
                refused.append(error.message)
        owners = [u.code for u in await agenda.owners("CARINE")]
        return [*refused, *owners]

    assert world.run(check) == [texts.errors.not_allowed_agenda("CARINE", "XAVIER")] * 2 + [
        "CARINE",
        "FLORENT",
    ]
    assert crm_titles(world, "XAVIER") == []
