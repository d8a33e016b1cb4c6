"""Agenda: the actions of one user, or of several users the signed-in user holds the agenda right on,
seven days at a time inside the sync period, day by day. Each line shows the time, the type's colour
*and* its label, the title, the owner and marks (R an occurrence of a series, E one edited on its own,
P private), so nothing is told by colour alone.

Everything is done from the keyboard: new / edit / duplicate / move / delete through the action form
(an occurrence asks first: this occurrence or the whole series), a day or a week back and forth, today,
which agendas to show, and a sync of the shown agendas in the wizard. The rules live in the agenda
service. With Automatic on, each saved change of a single action is pushed at once by a worker of the
App (tui_sync/ui/push.py); the line at the bottom says how it went.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date, timedelta, tzinfo
from typing import Literal

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import DataTable, Footer, Header, SelectionList, Static
from textual.widgets.selection_list import Selection

from tui_sync import texts
from tui_sync.domain.models import Action, Series
from tui_sync.domain.period import Period
from tui_sync.errors import UserError
from tui_sync.services.agenda import ActionDraft, AgendaDay, Entry
from tui_sync.ui.base import AppScreen
from tui_sync.ui.dialogs.action_form import ActionForm, RepeatMode
from tui_sync.ui.dialogs.confirm import ConfirmDialog
from tui_sync.ui.messages import SyncJob
from tui_sync.ui.push import PushState, start_push
from tui_sync.ui.widgets.ticks import TickList

DAYS_SHOWN = 7
Scope = Literal["occurrence", "series"]


class ScopeDialog(ModalScreen[Scope | None]):
    """An occurrence of a series is being changed: this one only, or the whole series?"""

    BINDINGS = [
        Binding("o", "dismiss('occurrence')", texts.tui_agenda.UI_SCOPE_OCCURRENCE, id="scope.occurrence"),
        Binding("s", "dismiss('series')", texts.tui_agenda.UI_SCOPE_SERIES, id="scope.series"),
        Binding("escape", "dismiss(None)", texts.tui_agenda.UI_FORM_CANCEL, id="scope.cancel"),
    ]
    DEFAULT_CSS = """
    ScopeDialog { align: center middle; }
    ScopeDialog > Vertical { width: 60; height: auto; border: thick $primary; padding: 0 1;
                             background: $surface; }
    ScopeDialog .question { text-style: bold; }
    ScopeDialog .hint { color: $text-muted; margin-top: 1; }
    """

    def __init__(self, title: str) -> None:
        super().__init__()
        self.item_title = title

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(f"“{self.item_title}”", classes="question", markup=False)
            yield Static(texts.tui_agenda.UI_SCOPE_QUESTION, markup=False)
            yield Static(texts.tui_agenda.UI_SCOPE_KEYS, classes="hint", markup=False)


class OwnersDialog(ModalScreen[list[str] | None]):
    """Which agendas to show: the user's own and those they hold the agenda right on."""

    BINDINGS = [
        Binding("enter", "apply", texts.tui_agenda.UI_AGENDA_OWNERS, id="owners.apply", priority=True),
        Binding("escape", "dismiss(None)", texts.tui_agenda.UI_FORM_CANCEL, id="owners.cancel"),
    ]
    DEFAULT_CSS = """
    OwnersDialog { align: center middle; }
    OwnersDialog > Vertical { width: 64; height: auto; max-height: 20; border: thick $primary;
                              padding: 0 1; background: $surface; }
    OwnersDialog SelectionList { height: auto; max-height: 14; }
    OwnersDialog #owners-error { color: $error; height: auto; }
    """

    def __init__(self, choices: list[tuple[str, str]], shown: list[str]) -> None:
        super().__init__()
        self.choices = choices
        self.shown = shown

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(texts.tui_agenda.UI_OWNERS_TITLE, markup=False)
            yield TickList(
                *[Selection(label, code, code in self.shown) for code, label in self.choices],
                id="owners",
                compact=True,
            )
            yield Static(id="owners-error", markup=False)

    def action_apply(self) -> None:
        chosen = list(self.query_one(SelectionList).selected)
        if not chosen:
            self.query_one("#owners-error", Static).update(texts.tui_agenda.AGENDA_OWNERS_NONE)
            return
        self.dismiss([code for code, _ in self.choices if code in chosen])


class AgendaScreen(AppScreen):
    BINDINGS = [
        Binding("n", "new", texts.tui_agenda.UI_AGENDA_NEW, id="agenda.new"),
        Binding("e", "edit", texts.tui_agenda.UI_AGENDA_EDIT, id="agenda.edit"),
        Binding("d", "duplicate", texts.tui_agenda.UI_AGENDA_DUPLICATE, id="agenda.duplicate"),
        Binding("delete,x", "delete", texts.tui_agenda.UI_AGENDA_DELETE, id="agenda.delete"),
        Binding("m", "move", texts.tui_agenda.UI_AGENDA_MOVE, id="agenda.move", show=False),
        Binding("s", "sync", texts.tui_agenda.UI_AGENDA_SYNC, id="agenda.sync"),
        Binding("o", "owners", texts.tui_agenda.UI_AGENDA_OWNERS, id="agenda.owners"),
        Binding("t", "today", texts.tui_agenda.UI_AGENDA_TODAY, id="agenda.today", show=False),
        Binding("shift+up", "shift(-1)", texts.tui_agenda.UI_AGENDA_EARLIER, id="agenda.earlier", show=False),
        Binding("shift+down", "shift(1)", texts.tui_agenda.UI_AGENDA_LATER, id="agenda.later", show=False),
        Binding(
            "left",
            "days(-1)",
            texts.tui_agenda.UI_AGENDA_DAY_BEFORE,
            id="agenda.day-before",
            show=False,
            priority=True,
        ),
        Binding(
            "right",
            "days(1)",
            texts.tui_agenda.UI_AGENDA_DAY_AFTER,
            id="agenda.day-after",
            show=False,
            priority=True,
        ),
        Binding(
            "pageup",
            "days(-7)",
            texts.tui_agenda.UI_AGENDA_WEEK_BEFORE,
            id="agenda.week-before",
            show=False,
            priority=True,
        ),
        Binding(
            "pagedown",
            "days(7)",
            texts.tui_agenda.UI_AGENDA_WEEK_AFTER,
            id="agenda.week-after",
            show=False,
            priority=True,
        ),
        Binding(
            "home",
            "edge(-1)",
            texts.tui_agenda.UI_AGENDA_PERIOD_START,
            id="agenda.period-start",
            show=False,
            priority=True,
        ),
        Binding(
            "end",
            "edge(1)",
            texts.tui_agenda.UI_AGENDA_PERIOD_END,
            id="agenda.period-end",
            show=False,
            priority=True,
        ),
    ]
    DEFAULT_CSS = """
    AgendaScreen #agenda-heading { padding: 0 1; text-style: bold; height: 1; }
    AgendaScreen #agenda { height: 1fr; }
    AgendaScreen #agenda-legend { padding: 0 1; color: $text-muted; height: 1; }
    AgendaScreen #agenda-push { padding: 0 1; color: $accent; height: 1; }
    """

    def __init__(self) -> None:
        super().__init__()
        self.shown: list[str] = []
        self.first: date | None = None
        self.period: Period | None = None
        self.rows: list[tuple[date, Entry | None]] = []  # (day, None) is the day's header row
        self.days: list[AgendaDay] = []
        self._wanted: str | None = None  # the row key to put the cursor back on after a reload
        self._pushes = 0
        self._push_failed = False

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(id="agenda-heading", markup=False)
        table: DataTable[str | Text] = DataTable(id="agenda", cursor_type="row", zebra_stripes=True)
        table.add_column(texts.tui_agenda.UI_AGENDA_COL_TIME, width=11, key="time")
        table.add_column(texts.tui_agenda.UI_AGENDA_COL_TYPE, width=10, key="type")
        table.add_column(texts.tui_agenda.UI_AGENDA_COL_TITLE, width=30, key="title")
        table.add_column(texts.tui_agenda.UI_AGENDA_COL_OWNER, width=8, key="owner")
        table.add_column(texts.tui_agenda.UI_AGENDA_COL_MARKS, width=5, key="marks")
        yield table
        yield Static(texts.tui_agenda.UI_AGENDA_LEGEND, id="agenda-legend", markup=False)
        yield Static(id="agenda-push", markup=False)
        yield Footer()

    def on_mount(self) -> None:
        self.reload()

    def on_screen_resume(self) -> None:
        self.reload()

    # --- loading -----------------------------------------------------------------------------------

    @work(exclusive=True, group="agenda-load", exit_on_error=False)
    async def _load(self) -> None:
        agenda = self.services.agenda
        if not self.shown:
            self.shown = [self.viewer.upper()]
        self.period = await agenda.period(self.viewer)
        if self.first is None:
            self.first = agenda.today()
        self.first = self._clamp(self.first)
        last = self.first + timedelta(days=DAYS_SHOWN - 1)
        try:
            self.days = await agenda.days(self.viewer, self.shown, self.first, last)
        except UserError as error:  # a right taken away meanwhile: back to one's own agenda
            self.notify(error.message, severity="warning", markup=False)
            self.shown = [self.viewer.upper()]
            self.days = await agenda.days(self.viewer, self.shown, self.first, last)
        self.query_one("#agenda-heading", Static).update(
            texts.tui_agenda.agenda_heading(self.shown, self.first, last)
        )
        self._fill()

    def _clamp(self, first: date) -> date:
        """The shown week stays inside the sync period (what the agenda shows is what syncs)."""
        assert self.period is not None
        latest = max(self.period.first_day, self.period.last_day - timedelta(days=DAYS_SHOWN - 1))
        return min(max(first, self.period.first_day), latest)

    def _fill(self) -> None:
        table = self.query_one("#agenda", DataTable)
        wanted = self._wanted or self._row_key(table.cursor_row)
        self._wanted = None
        table.clear()
        self.rows = []
        today = self.services.agenda.today()
        tz = self.services.settings.tz
        for day in self.days:
            self.rows.append((day.day, None))
            mark = texts.tui_agenda.UI_AGENDA_TODAY_MARK if day.day == today else ""
            empty = texts.tui_agenda.UI_AGENDA_NO_ACTIONS if not day.entries else ""
            table.add_row(
                Text(day.day.strftime("%a %d %b"), style="bold"),
                Text(mark, style="bold"),
                Text(empty, style="dim"),
                "",
                "",
                key=_key((day.day, None)),
            )
            for entry in day.entries:
                self.rows.append((day.day, entry))
                table.add_row(*_cells(entry, day.day, tz), key=_key((day.day, entry)))
        keys = [_key(row) for row in self.rows]
        header = f"day:{wanted.split(':', 1)[0]}" if wanted and not wanted.startswith("day:") else None
        if wanted in keys:
            table.move_cursor(row=keys.index(wanted), animate=False)
        elif header in keys:
            table.move_cursor(row=keys.index(header), animate=False)
        else:
            table.move_cursor(row=0, animate=False)

    def _row_key(self, index: int) -> str | None:
        if 0 <= index < len(self.rows):
            return _key(self.rows[index])
        return None

    # --- what is selected ----------------------------------------------------------------------------

    def selected(self) -> tuple[date, Entry | None] | None:
        table = self.query_one("#agenda", DataTable)
        if not self.rows or not 0 <= table.cursor_row < len(self.rows):
            return None
        return self.rows[table.cursor_row]

    def selected_entry(self) -> Entry | None:
        row = self.selected()
        return row[1] if row else None

    def selected_day(self) -> date:
        """The day of the highlighted row (a header or an action under it)."""
        row = self.selected()
        return row[0] if row else self.services.agenda.today()

    def select(self, title: str) -> bool:
        """Put the cursor on the first line whose action has this title (False: none shown)."""
        for index, (_day, entry) in enumerate(self.rows):
            if entry is not None and entry.action.title == title:
                self.query_one("#agenda", DataTable).move_cursor(row=index, animate=False)
                return True
        return False

    # --- navigation ----------------------------------------------------------------------------------

    def action_days(self, count: int) -> None:
        if self.first is not None:
            self.first = self.first + timedelta(days=count)
            self._wanted = None
            self.query_one("#agenda", DataTable).move_cursor(row=0, animate=False)
            self.reload()

    def action_edge(self, direction: int) -> None:
        if self.period is not None:
            self.first = self.period.first_day if direction < 0 else self.period.last_day
            self.reload()

    def action_today(self) -> None:
        today = self.services.agenda.today()
        self.first = today
        self._wanted = f"day:{today.isoformat()}"
        self.reload()

    @work(group="agenda-dialog", exit_on_error=False)
    async def action_owners(self) -> None:
        owners = await self.services.agenda.owners(self.viewer)
        choices = [(u.code, f"{u.code:<10} {u.full_name}") for u in owners]
        chosen = await self.app.push_screen_wait(OwnersDialog(choices, self.shown))
        if chosen:
            self.shown = chosen
            self.reload()

    async def action_sync(self) -> None:
        """The shown agendas, synced one after the other in the wizard's progress view."""
        owners = list(self.shown) or [self.viewer.upper()]
        await self.tui.switch_mode("wizard")
        self.tui.start_sync([SyncJob(code, ("agenda",)) for code in owners])

    # --- changes -------------------------------------------------------------------------------------

    @on(DataTable.RowSelected, "#agenda")
    def _row_selected(self) -> None:
        """enter on a row (the table takes enter before the screen's binding does)."""
        if self.selected_entry() is not None:
            self.action_edit()
        else:
            self.action_new()

    @work(group="agenda-dialog", exit_on_error=False)
    async def action_new(self) -> None:
        owner = self._owner_for_new()
        agenda = self.services.agenda
        draft = await agenda.new_draft(owner, self.selected_day() if self.rows else None)

        async def save(d: ActionDraft) -> Action | Series:
            if d.repeat:
                return await agenda.save_series(self.viewer, d)
            return await agenda.save_action(self.viewer, d)

        await self._form(texts.tui_agenda.UI_FORM_NEW, draft, save, repeat="choose")

    @work(group="agenda-dialog", exit_on_error=False)
    async def action_edit(self, focus: str = "title") -> None:
        entry = self.selected_entry()
        if entry is None:
            return
        agenda = self.services.agenda
        action = entry.action
        heading = texts.tui_agenda.UI_FORM_MOVE if focus == "start" else texts.tui_agenda.UI_FORM_EDIT
        if entry.kind == "single":

            async def save_single(d: ActionDraft) -> Action | Series:
                return await agenda.save_action(self.viewer, d, action.id)

            await self._form(heading, agenda.draft_of(action), save_single, repeat="none", focus=focus)
            return
        scope = await self.app.push_screen_wait(ScopeDialog(action.title))
        if scope == "occurrence":

            async def save_one(d: ActionDraft) -> Action | Series:
                return await agenda.save_occurrence(self.viewer, action, d)

            heading = texts.tui_agenda.UI_FORM_OCCURRENCE
            await self._form(heading, agenda.draft_of(action), save_one, repeat="none", focus=focus)
        elif scope == "series":
            series = await agenda.get_series(self.viewer, action.parent_series_id)

            async def save_all(d: ActionDraft) -> Action | Series:
                return await agenda.save_series(self.viewer, d, series.id)

            await self._form(
                texts.tui_agenda.UI_FORM_SERIES,
                agenda.draft_of(series),
                save_all,
                repeat="series",
                focus=focus,
            )

    def action_move(self) -> None:
        """The form with the start day focused (shift+up / shift+down move by a day at once)."""
        self.action_edit("start")

    @work(group="agenda-dialog", exit_on_error=False)
    async def action_duplicate(self) -> None:
        entry = self.selected_entry()
        if entry is None:
            return
        agenda = self.services.agenda

        async def save(d: ActionDraft) -> Action | Series:
            return await agenda.save_action(self.viewer, d)

        draft = agenda.draft_of(entry.action)
        await self._form(texts.tui_agenda.UI_FORM_DUPLICATE, draft, save, repeat="none")

    async def action_shift(self, days: int) -> None:
        """Move the highlighted action (or just this occurrence) a day earlier or later, at once."""
        entry = self.selected_entry()
        if entry is None:
            return
        try:
            moved = await self.services.agenda.move(self.viewer, entry, days)
        except UserError as error:
            self.notify(error.message, severity="error", markup=False)
            return
        self.notify(
            texts.tui_agenda.agenda_moved(
                moved.title, moved.start.astimezone(self.services.settings.tz).date()
            ),
            markup=False,
        )
        await self._saved(moved)

    @work(group="agenda-dialog", exit_on_error=False)
    async def action_delete(self) -> None:
        entry = self.selected_entry()
        if entry is None:
            return
        agenda = self.services.agenda
        action = entry.action
        try:
            if entry.kind == "single":
                automatic = await agenda.automatic(action.owner)
                question = texts.tui_agenda.agenda_delete_question(action.title)
                details = texts.tui_agenda.agenda_delete_details(automatic, series=False)
                if not await self.app.push_screen_wait(ConfirmDialog(question, details)):
                    return
                await agenda.delete_action(self.viewer, action.stored_id)
                self.notify(texts.tui_agenda.agenda_deleted(action.title), markup=False)
                if automatic:
                    start_push(self.tui, action.owner, action.stored_id, self._push_report)
                self.reload()
                return
            scope = await self.app.push_screen_wait(ScopeDialog(action.title))
            if scope == "occurrence":
                day = (action.original_start or action.start).astimezone(self.services.settings.tz).date()
                if await self.app.push_screen_wait(
                    ConfirmDialog(texts.tui_agenda.agenda_cancel_question(action.title, day))
                ):
                    await agenda.cancel_occurrence(self.viewer, action)
                    self.notify(texts.tui_agenda.agenda_deleted(action.title), markup=False)
            elif scope == "series":
                question = texts.tui_agenda.agenda_delete_question(action.title)
                details = texts.tui_agenda.agenda_delete_details(False, series=True)
                if await self.app.push_screen_wait(ConfirmDialog(question, details)):
                    await agenda.delete_series(self.viewer, action.parent_series_id)
                    self.notify(texts.tui_agenda.agenda_deleted(action.title), markup=False)
        except UserError as error:
            self.notify(error.message, severity="error", markup=False)
        self.reload()

    # --- helpers -------------------------------------------------------------------------------------

    def _owner_for_new(self) -> str:
        """A new action goes to the owner of the highlighted action, else to the signed-in user."""
        entry = self.selected_entry()
        if entry is not None:
            return entry.action.owner
        return self.shown[0] if len(self.shown) == 1 else self.viewer.upper()

    async def _form(
        self,
        heading: str,
        draft: ActionDraft,
        save: Callable[[ActionDraft], Awaitable[Action | Series]],
        *,
        repeat: RepeatMode,
        focus: str = "title",
    ) -> None:
        agenda = self.services.agenda
        owners = [u.code for u in await agenda.owners(self.viewer)]
        form = ActionForm(
            heading,
            draft,
            owners=owners
            if heading in (texts.tui_agenda.UI_FORM_NEW, texts.tui_agenda.UI_FORM_DUPLICATE)
            else [draft.owner],
            types=await agenda.action_types(),
            save=save,
            repeat=repeat,
            focus=focus,
        )
        result = await self.app.push_screen_wait(form)
        if result is None:
            return
        self.notify(texts.tui_agenda.agenda_saved(result.title), markup=False)
        await self._saved(result)

    async def _saved(self, result: Action | Series) -> None:
        """After a save: the cursor on it, and with Automatic on, a single action sent at once."""
        tz = self.services.settings.tz
        if isinstance(result, Action):
            day = result.start.astimezone(tz).date()
            if result.series_id is None:
                self._wanted = f"{day.isoformat()}:a{result.id}"
                if await self.services.agenda.automatic(result.owner):
                    start_push(self.tui, result.owner, result.stored_id, self._push_report)
            else:
                original = result.original.isoformat()
                self._wanted = f"{day.isoformat()}:s{result.series_id}@{original}"
                if await self.services.agenda.automatic(result.owner):
                    self.notify(texts.tui_agenda.AGENDA_SERIES_NOT_PUSHED, markup=False)
            if self.first is not None and not self.first <= day < self.first + timedelta(days=DAYS_SHOWN):
                self.first = day
        elif await self.services.agenda.automatic(getattr(result, "owner", self.viewer)):
            self.notify(texts.tui_agenda.AGENDA_SERIES_NOT_PUSHED, markup=False)
        self.reload()

    def _push_report(self, state: PushState) -> None:
        """The bottom line: pushes in flight, then how the last ones went (a failure stays shown)."""
        if state == "pending":
            self._pushes += 1
            self._push_failed = False if self._pushes == 1 else self._push_failed
        else:
            self._pushes = max(0, self._pushes - 1)
            self._push_failed = self._push_failed or state == "failed"
        if not self.is_mounted:
            return
        if self._pushes:
            text = texts.tui_agenda.AGENDA_PUSH_PENDING
        else:
            text = (
                texts.tui_agenda.AGENDA_PUSH_FAILED
                if self._push_failed
                else texts.tui_agenda.AGENDA_PUSH_DONE
            )
        self.query_one("#agenda-push", Static).update(text)


def _key(row: tuple[date, Entry | None]) -> str:
    """A row's key: "day:YYYY-MM-DD" for a day's header, "YYYY-MM-DD:<entry key>" for a line under it
    (an action spanning several days has a line on each)."""
    day, entry = row
    return f"day:{day.isoformat()}" if entry is None else f"{day.isoformat()}:{entry.key}"


def _cells(entry: Entry, day: date, tz: tzinfo) -> tuple[Text | str, ...]:
    """Time, type (a colour swatch and the type's label), title, owner and marks of one line."""
    a = entry.action
    start, end = a.start.astimezone(tz), a.end.astimezone(tz)
    if a.all_day:
        when = texts.tui_agenda.UI_AGENDA_ALL_DAY
    else:
        first = start.strftime("%H:%M") if start.date() == day else "…"
        last = end.strftime("%H:%M") if end.date() == day else "…"
        when = f"{first}–{last}"
    swatch = Text("■ ", style=entry.colour)
    swatch.append(a.action_type[:8])
    marks = "".join(
        m
        for m, on_ in (
            (texts.tui_agenda.UI_AGENDA_MARKS["occurrence"], entry.kind == "occurrence"),
            (texts.tui_agenda.UI_AGENDA_MARKS["exception"], entry.kind == "exception"),
            (texts.tui_agenda.UI_AGENDA_MARKS["private"], a.private),
        )
        if on_
    )
    return when, swatch, Text(a.title, no_wrap=True, overflow="ellipsis"), a.owner, marks
