"""Sync wizard: choose the users (only those the signed-in user may see; the not-connected and the
not-allowed are shown dimmed with the reason), what to sync and the interval, then Start. The run goes on
in the App's worker (so it survives a visit to another screen): live progress, the deletion dialogs,
then a summary that stays until dismissed. Escape during a run asks, then cancels it cleanly.
"""

from __future__ import annotations

from datetime import date

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import (
    Button,
    Checkbox,
    ContentSwitcher,
    Footer,
    Header,
    Input,
    Label,
    ProgressBar,
    SelectionList,
    Static,
)
from textual.widgets.selection_list import Selection

from tui_sync import texts
from tui_sync.domain.models import InvalidValue
from tui_sync.domain.period import Period, parse_day
from tui_sync.errors import BadInput
from tui_sync.services.people import UserStatus
from tui_sync.sync.events import What
from tui_sync.ui.base import AppScreen
from tui_sync.ui.dialogs.confirm import ConfirmDialog
from tui_sync.ui.messages import SyncFinished, SyncJob, SyncProgress, SyncRunOver, SyncStarted
from tui_sync.ui.widgets.ticks import TickBox, TickList

RunEvent = SyncStarted | SyncProgress | SyncFinished | SyncRunOver


class WizardScreen(AppScreen):
    BINDINGS = [
        Binding("ctrl+s", "start", texts.tui.UI_WIZARD_START, id="sync.start"),
        Binding("escape", "back", texts.tui.UI_WIZARD_BACK, id="sync.back"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.statuses: dict[str, UserStatus] = {}
        self.default_period: Period | None = None
        self._wanted: str | None = None
        self._finished: list[str] = []

    def compose(self) -> ComposeResult:
        yield Header()
        with ContentSwitcher(initial="form"):
            with VerticalScroll(id="form"):
                yield Label(texts.tui.UI_WIZARD_WHO)
                yield TickList(id="who", compact=True)
                with Horizontal(classes="row"):
                    yield TickBox(texts.tui.UI_WIZARD_AGENDA, True, id="agenda", compact=True)
                    yield TickBox(texts.tui.UI_WIZARD_CONTACTS, True, id="contacts", compact=True)
                with Horizontal(classes="row"):
                    yield Label(texts.tui.UI_WIZARD_FROM, classes="field")
                    yield Input(id="from", placeholder=texts.tui.UI_DATE_HINT, max_length=10, compact=True)
                    yield Label(texts.tui.UI_WIZARD_TO, classes="field")
                    yield Input(id="to", placeholder=texts.tui.UI_DATE_HINT, max_length=10, compact=True)
                yield Static(texts.tui.UI_WIZARD_PERIOD_HINT, classes="hint", markup=False)
                yield Static(id="form-error", classes="error", markup=False)
                yield Button(texts.tui.UI_WIZARD_START_BUTTON, id="start", variant="primary", compact=True)
            with Vertical(id="progress"):
                yield Static(id="run-title", classes="title", markup=False)
                yield Static(id="phase", markup=False)
                yield ProgressBar(id="bar", show_eta=False)
                yield Static(id="finished", markup=False)
                yield Static(texts.tui.UI_WIZARD_CANCEL_HINT, classes="hint", markup=False)
            with VerticalScroll(id="summary"):
                yield Static(id="summary-text", markup=False)
                yield Static(texts.tui.UI_WIZARD_SUMMARY_HINT, classes="hint", markup=False)
        yield Footer()

    def on_mount(self) -> None:
        if self.tui.sync_running():
            self._switch("progress")
        self.reload()

    def on_screen_resume(self) -> None:
        if self.query_one(ContentSwitcher).current == "form":
            self.reload()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Start is offered on the form only (False: not shown in the footer, the key does nothing)."""
        if action == "start" and self.is_mounted:
            return self.query_one(ContentSwitcher).current == "form"
        return True

    def _switch(self, view: str) -> None:
        self.query_one(ContentSwitcher).current = view
        self.refresh_bindings()
        if view == "form":
            self.query_one("#who", SelectionList).focus()
        elif view == "summary":
            self.query_one("#summary", VerticalScroll).focus()

    # --- the form ----------------------------------------------------------------------------------

    def choose(self, code: str) -> None:
        """Preselect one user (Home's enter on a row)."""
        self._wanted = code
        self._switch("form") if not self.tui.sync_running() else None
        self.reload()

    @work(exclusive=True, group="wizard-load", exit_on_error=False)
    async def _load(self) -> None:
        people = self.services.people
        viewer = await people.get_user(self.viewer)
        rows = await people.visible_users(self.viewer)
        self.statuses = {row.user.code: row for row in rows}
        who = self.query_one("#who", SelectionList)
        wanted = self._wanted or self.viewer
        marked = set(who.selected) or {wanted}  # nothing marked (yet): the signed-in user, if they can be
        if self._wanted:
            marked = {self._wanted}
            self._wanted = None
        who.clear_options()
        now = self.tui.clock()
        for row in rows:
            reason = _unavailable(row, viewer.is_admin or row.user.code == viewer.code)
            when = texts.tui.wizard_last_syncs(
                texts.tui.relative_time(row.user.last_agenda_sync, now),
                texts.tui.relative_time(row.user.last_contacts_sync, now),
            )
            prompt = f"{row.connection.dot} {row.user.code:<9} {reason or when}"
            who.add_option(
                Selection(
                    prompt, row.user.code, row.user.code in marked and not reason, disabled=bool(reason)
                )
            )
        if who.highlighted is None:  # so that space marks something straight away
            enabled = [i for i in range(who.option_count) if not who.get_option_at_index(i).disabled]
            who.highlighted = enabled[0] if enabled else None
        period = self.services.sync.default_period(viewer)
        self.default_period = period
        self.query_one("#from", Input).value = period.first_day.isoformat()
        self.query_one("#to", Input).value = period.last_day.isoformat()
        self.query_one("#form-error", Static).update("")

    def _jobs(self) -> list[SyncJob]:
        """The run the form describes, or BadInput with the one line that says what to fix."""
        codes = list(self.query_one("#who", SelectionList).selected)
        if not codes:
            raise BadInput(texts.tui.WIZARD_NO_USER)
        what: tuple[What, ...] = tuple(
            w for w in ("agenda", "contacts") if self.query_one(f"#{w}", Checkbox).value
        )
        if not what:
            raise BadInput(texts.tui.WIZARD_NOTHING_CHOSEN)
        first = parse_day(self.query_one("#from", Input).value.strip(), texts.tui.UI_WIZARD_FROM)
        last = parse_day(self.query_one("#to", Input).value.strip(), texts.tui.UI_WIZARD_TO)
        period: Period | None = Period.from_dates(first, last, self.services.settings.tz)
        if self._is_default(first, last):
            period = None  # each user's own period from their preferences
        return [SyncJob(code, what, period) for code in codes]

    def _is_default(self, first: date, last: date) -> bool:
        d = self.default_period
        return d is not None and (first, last) == (d.first_day, d.last_day)

    @on(Button.Pressed, "#start")
    def action_start(self) -> None:
        if self.query_one(ContentSwitcher).current != "form":
            return
        try:
            jobs = self._jobs()
        except BadInput as error:
            self.query_one("#form-error", Static).update(error.message)
            return
        except InvalidValue as error:
            self.query_one("#form-error", Static).update(texts.domain.refusal(error))
            return
        self.query_one("#form-error", Static).update("")
        self.tui.start_sync(jobs)

    # --- the run -------------------------------------------------------------------------------------

    def show_run_event(self, message: RunEvent) -> None:
        if not self.is_mounted:
            return
        if isinstance(message, SyncStarted):
            if message.index == 1:
                self._finished = []
                self.query_one("#finished", Static).update("")
            self._switch("progress")
            title = texts.tui.wizard_running(message.job.target, message.index, message.total)
            self.query_one("#run-title", Static).update(title)
            self.query_one("#phase", Static).update("")
            self.query_one("#bar", ProgressBar).update(total=None, progress=0)
        elif isinstance(message, SyncProgress):
            p = message.progress
            self.query_one("#phase", Static).update(texts.sync.progress_line(p))
            self.query_one("#bar", ProgressBar).update(total=p.total or None, progress=p.done)
        elif isinstance(message, SyncFinished):
            self._finished.append(texts.tui.wizard_user_done(message.summary.user, message.summary.ok))
            self.query_one("#finished", Static).update("\n".join(self._finished))
        else:
            self.query_one("#summary-text", Static).update(
                texts.tui.wizard_summary(message.summaries, message.cancelled)
            )
            self._switch("summary")

    async def action_back(self) -> None:
        view = self.query_one(ContentSwitcher).current
        if view == "progress" and self.tui.sync_running():
            self._ask_cancel()
        elif view == "summary" or view == "progress":
            self._switch("form")
            self.reload()
        else:
            await self.tui.switch_mode("home")

    @work(group="wizard-ask", exit_on_error=False)
    async def _ask_cancel(self) -> None:
        if await self.app.push_screen_wait(
            ConfirmDialog(texts.tui.CANCEL_SYNC_QUESTION, texts.tui.CANCEL_SYNC_DETAILS)
        ):
            await self.tui.cancel_sync()


def _unavailable(row: UserStatus, may_sync_contacts: bool) -> str:
    """Why a user cannot be synced by the signed-in user ("" when they can)."""
    if not row.connection.working:
        return texts.tui.WIZARD_NOT_CONNECTED
    if not row.can_sync_agenda and not may_sync_contacts:
        return texts.tui.WIZARD_NO_RIGHT
    return ""
