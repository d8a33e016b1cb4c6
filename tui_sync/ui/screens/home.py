"""Home: the signed-in CRM user, the users they may see with their connection dot, and when each one's
agenda and contacts were last synced (relative in the list, absolute for the selected row) with the
result of that run."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable, Footer, Header, Static

from tui_sync import texts
from tui_sync.services.people import LastRun, UserStatus
from tui_sync.ui.base import AppScreen
from tui_sync.ui.messages import SyncFinished, SyncProgress, SyncRunOver, SyncStarted


class HomeScreen(AppScreen):
    BINDINGS = [
        Binding("enter,s", "sync_selected", texts.tui.UI_HOME_SYNC, id="home.sync"),
        Binding("c", "app.connect", texts.tui.UI_HOME_CONNECT, id="home.connect"),
        Binding("t", "app.test", texts.tui.UI_HOME_TEST, id="home.test"),
        Binding("r,ctrl+r", "reload", texts.tui.UI_HOME_RELOAD, id="home.reload"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[UserStatus] = []

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(id="whoami", markup=False)
        table: DataTable[str] = DataTable(id="users", cursor_type="row", zebra_stripes=True)
        table.add_column(texts.tui.UI_COL_USER, width=10, key="user")
        table.add_column(texts.tui.UI_COL_NAME, width=16, key="name")
        table.add_column(texts.tui.UI_COL_AGENDA, width=20, key="agenda")
        table.add_column(texts.tui.UI_COL_CONTACTS, width=20, key="contacts")
        yield table
        yield Static(id="detail", markup=False)
        yield Static(id="status", markup=False)
        yield Footer()

    def on_mount(self) -> None:
        self.reload()

    def on_screen_resume(self) -> None:
        self.reload()

    def action_reload(self) -> None:
        self.reload()

    @work(exclusive=True, group="home-load", exit_on_error=False)
    async def _load(self) -> None:
        viewer = await self.services.people.get_user(self.viewer)
        self.rows = await self.services.people.visible_users(self.viewer)
        self.query_one("#whoami", Static).update(texts.tui.home_whoami(viewer.code, viewer.full_name))
        table = self.query_one("#users", DataTable)
        selected = table.cursor_row
        table.clear()
        now = self.tui.clock()
        for row in self.rows:
            table.add_row(
                f"{row.connection.dot} {row.user.code}",
                row.user.full_name,
                _when(row.user.last_agenda_sync, row.agenda_run, now),
                _when(row.user.last_contacts_sync, row.contacts_run, now),
                key=row.user.code,
            )
        if self.rows:
            table.move_cursor(row=min(max(selected, 0), len(self.rows) - 1))
        self._show_detail()

    @on(DataTable.RowHighlighted)
    def _highlighted(self) -> None:
        self._show_detail()

    @on(DataTable.RowSelected)
    async def _selected(self) -> None:
        """enter on a row (the table takes enter before the screen's binding does)."""
        await self.action_sync_selected()

    def selected(self) -> UserStatus | None:
        table = self.query_one("#users", DataTable)
        if not self.rows or table.cursor_row < 0 or table.cursor_row >= len(self.rows):
            return None
        return self.rows[table.cursor_row]

    def _show_detail(self) -> None:
        row = self.selected()
        if row is None:
            return
        tz = self.services.settings.tz
        self.query_one("#detail", Static).update(
            texts.tui.home_detail(
                row.user.code,
                row.connection.working,
                row.connection.username,
                _absolute(row.user.last_agenda_sync, tz),
                _absolute(row.user.last_contacts_sync, tz),
                row.actions_in_period,
                row.sync_list_size,
            )
        )

    async def action_sync_selected(self) -> None:
        """The wizard, with the selected user chosen."""
        row = self.selected()
        await self.tui.switch_mode("wizard")
        if row is not None:
            self.tui.wizard.choose(row.user.code)

    def show_run_event(self, message: SyncStarted | SyncProgress | SyncFinished | SyncRunOver) -> None:
        """A line about the run going on (At startup's, or one left running in the wizard)."""
        if not self.is_mounted:
            return
        status = self.query_one("#status", Static)
        if isinstance(message, SyncStarted):
            text = texts.tui.wizard_running(message.job.target, message.index, message.total)
            if not message.job.two_way:
                text = texts.tui.startup_sync_status(message.job.target)
            status.update(text)
        elif isinstance(message, SyncProgress):
            status.update(texts.sync.progress_line(message.progress))
        elif isinstance(message, SyncRunOver):
            errors = sum(texts.sync.error_count(s.errors) for s in message.summaries)
            status.update(texts.sync.sync_run_over(len(message.summaries), errors, message.cancelled))


def _when(last: datetime | None, run: LastRun | None, now: datetime) -> str:
    """ "3 min ago · ok": when it last succeeded, and how the last run went."""
    text = texts.tui.relative_time(last, now)
    if run is None:
        return text
    return f"{text} · {texts.tui.run_result(None if run.finished is None else run.ok, run.errors)}"


def _absolute(when: datetime | None, tz: ZoneInfo) -> str:
    return texts.sync.NEVER if when is None else when.astimezone(tz).strftime("%Y-%m-%d %H:%M")
