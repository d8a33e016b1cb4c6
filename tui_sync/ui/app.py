"""TuiSyncApp: the terminal application. It owns the services, the modes (one per top-level screen),
the global keys and palette commands, and the workers that outlive a screen: the sync runs (the
wizard's, Sync now's and At startup's), whose deletion questions are dialogs awaited from the worker.

Workers only post messages (SyncStarted, SyncProgress, SyncFinished, SyncRunOver); the screens' handlers
own what is shown. A sync is never started while one runs (a second start is refused, not queued, and
never cancels the first); quitting mid-sync asks, cancels the run, waits for it to give its lease back,
and only then closes the store.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import importlib
import os
import pkgutil
import time
from collections.abc import Callable, Iterable
from datetime import datetime

from textual import on, work
from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.css.query import NoMatches
from textual.notifications import SeverityLevel
from textual.screen import ModalScreen, Screen
from textual.widget import Widget
from textual.widgets import HelpPanel
from textual.worker import Worker, WorkerCancelled, WorkerState

from tui_sync import texts
from tui_sync.config import Settings
from tui_sync.errors import UserError
from tui_sync.services import Services
from tui_sync.store import Store
from tui_sync.store.db import utc_now
from tui_sync.sync.events import Progress, Summary
from tui_sync.ui.advice import explain
from tui_sync.ui.confirmer import DialogConfirmer
from tui_sync.ui.dialogs.confirm import ConfirmDialog
from tui_sync.ui.messages import SyncFinished, SyncJob, SyncProgress, SyncRunOver, SyncStarted, UsersChanged
from tui_sync.ui.screens.admin import AdminScreen
from tui_sync.ui.screens.agenda import AgendaScreen
from tui_sync.ui.screens.contacts import ContactsScreen
from tui_sync.ui.screens.home import HomeScreen
from tui_sync.ui.screens.picker import UserPicker
from tui_sync.ui.screens.preferences import PreferencesScreen
from tui_sync.ui.screens.wizard import WizardScreen

SYNC_GROUP = "sync"


class TuiSyncApp(App[int]):
    """Build it with `make_app`; `run()` returns the exit code."""

    TITLE = "tui-sync"
    CSS_PATH = "app.tcss"
    ENABLE_COMMAND_PALETTE = True
    BINDINGS = [
        Binding("f1,question_mark", "help", texts.tui.UI_KEY_HELP, id="help"),
        Binding("f2", "go('home')", texts.tui.UI_SCREEN_HOME, id="go.home"),
        Binding("f3", "go('contacts')", texts.tui.UI_SCREEN_CONTACTS, id="go.contacts"),
        Binding("f4", "go('agenda')", texts.tui.UI_SCREEN_AGENDA, id="go.agenda"),
        Binding("f5", "go('wizard')", texts.tui.UI_SCREEN_WIZARD, id="go.wizard"),
        Binding("f6", "go('preferences')", texts.tui.UI_SCREEN_PREFERENCES, id="go.preferences"),
        Binding("f7", "go('admin')", texts.tui.UI_SCREEN_ADMIN, id="go.admin"),
        Binding("f9", "sync_now", texts.tui.UI_SYNC_NOW, id="sync.now"),
        Binding("ctrl+q", "quit", texts.tui.UI_QUIT, id="quit", priority=True, show=False),
    ]

    def __init__(
        self,
        settings: Settings,
        *,
        viewer: str | None,
        store: Store | None = None,
        clock: Callable[[], datetime] = utc_now,
        wall_clock: Callable[[], float] = time.time,
        startup_sync: bool = True,
    ) -> None:
        super().__init__()
        self.settings = settings
        self.clock = clock
        self.wall_clock = wall_clock  # device-code countdowns (time.time instants)
        self.viewer = viewer or ""
        self._given_store = store
        self._startup_sync = startup_sync
        self.services: Services = None  # type: ignore[assignment]  # set in on_mount, before any screen
        self.wizard = WizardScreen()
        self.home = HomeScreen()
        self.add_mode("home", lambda: self.home)
        self.add_mode("wizard", lambda: self.wizard)
        self.add_mode("preferences", PreferencesScreen)
        self.add_mode("admin", AdminScreen)
        self.add_mode("contacts", ContactsScreen)
        self.add_mode("agenda", AgendaScreen)
        self.last_summaries: list[Summary] = []
        self.push_lock = asyncio.Lock()  # Automatic pushes go one at a time: each takes the owner's lease
        self.sync_status = ""  # one line on Home while a run goes on in the background
        # `tui-sync demo`: its fake approves each device code by itself after this many seconds (the
        # device-code dialog says so); None outside the demo
        self.demo_auto_approve: float | None = None

    # --- start and stop --------------------------------------------------------------------------

    async def on_mount(self) -> None:
        if self.console.color_system == "standard" and "TEXTUAL_THEME" not in os.environ:
            self.theme = "ansi-dark"  # 16 colours: the terminal's own palette reads better than downsampling
        store = self._given_store or await Store.open(
            self.settings.database, self.settings.tz, now=self.clock
        )
        self._store = store
        self.services = Services.build(store, self.settings, clock=self.clock)
        if self.settings.keys:
            self.set_keymap(self.settings.keys)
        if self.viewer:
            await self._start()
        else:
            users = await self.services.people.list_users()
            self.push_screen(UserPicker(users), self._picked)

    async def _picked(self, code: str | None) -> None:
        if code is None:
            self.exit(0)
            return
        self.viewer = code
        await self._start()

    async def _start(self) -> None:
        self.sub_title = self.viewer
        await self.switch_mode("home")
        if self._startup_sync:
            user = await self.services.people.get_user(self.viewer)
            if user.prefs.at_startup and user.home_account_id:
                self.start_sync([SyncJob(user.code, ("agenda",), two_way=False)], startup=True)

    async def on_unmount(self) -> None:
        if self._given_store is None and getattr(self, "_store", None) is not None:
            await self._store.close()

    def sync_running(self) -> bool:
        return any(w.group == SYNC_GROUP and w.is_running for w in self.workers)

    async def action_quit(self) -> None:
        """ctrl+q: mid-sync, ask first; then cancel the run and wait for it to give its lease back."""
        if not self.sync_running():
            self.exit(0)
            return

        async def answered(quit_anyway: bool | None) -> None:
            if quit_anyway:
                await self.cancel_sync()
                self.exit(0)

        self.push_screen(
            ConfirmDialog(texts.tui.QUIT_DURING_SYNC, texts.tui.QUIT_DURING_SYNC_DETAILS), answered
        )

    # --- navigation --------------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """No screen change or new sync under a dialog: the dialog's question comes first."""
        return not (action in ("go", "sync_now") and isinstance(self.screen, ModalScreen))

    async def action_go(self, mode: str) -> None:
        if not self.viewer:
            return
        await self.switch_mode(mode)

    def action_help(self) -> None:
        """? and f1: show the keys of the current screen (again: hide them)."""
        panels = self.screen.query(HelpPanel)
        if panels:
            panels.remove()
        else:
            self.screen.mount(HelpPanel())

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        """The palette (ctrl+p): the screens and the actions, by the names the user guide gives."""
        names = texts.tui.UI_PALETTE_NAMES
        for help_text, mode in (
            (texts.tui.UI_PALETTE_HOME, "home"),
            (texts.tui.UI_PALETTE_PREFS, "preferences"),
            (texts.tui.UI_PALETTE_ADMIN, "admin"),
            (texts.tui.UI_PALETTE_WIZARD, "wizard"),
            (texts.tui.UI_PALETTE_CONTACTS, "contacts"),
            (texts.tui.UI_PALETTE_AGENDA, "agenda"),
        ):
            yield SystemCommand(names[mode], help_text, functools.partial(self.run_action, f"go({mode!r})"))
        yield SystemCommand(names["sync_now"], texts.tui.UI_PALETTE_SYNC_NOW, self.action_sync_now)
        yield SystemCommand(names["new_action"], texts.tui.UI_PALETTE_NEW_ACTION, self.action_new_action)
        yield SystemCommand(names["connect"], texts.tui.UI_PALETTE_CONNECT, self.action_connect)
        yield SystemCommand(names["test"], texts.tui.UI_PALETTE_TEST, self.action_test)
        yield SystemCommand(names["help"], texts.tui.UI_PALETTE_HELP, self.action_help)
        yield SystemCommand(names["quit"], texts.tui.UI_PALETTE_QUIT, self.action_quit)
        yield SystemCommand(names["theme"], texts.tui.UI_PALETTE_THEME, self.action_change_theme)

    async def action_connect(self) -> None:
        """Preferences, then its Connect dialog."""
        await self.switch_mode("preferences")
        await self.screen.run_action("connect")

    async def action_new_action(self) -> None:
        """The Agenda, then its form for a new action."""
        await self.switch_mode("agenda")
        await self.screen.run_action("new")

    async def action_test(self) -> None:
        await self.switch_mode("preferences")
        await self.screen.run_action("test")

    # --- syncs ---------------------------------------------------------------------------------------

    async def action_sync_now(self) -> None:
        """The signed-in user's agenda and contacts over their period, straight into the progress view."""
        if not self.viewer:
            return
        await self.switch_mode("wizard")
        self.start_sync([SyncJob(self.viewer, ("agenda", "contacts"))])

    def start_sync(self, jobs: list[SyncJob], *, startup: bool = False) -> bool:
        """Run `jobs` one after the other in the App's sync worker; refused while a run goes on."""
        if self.sync_running():
            self.notify(texts.tui.SYNC_ALREADY_RUNNING, severity="warning", markup=False)
            return False
        self._run_syncs(jobs, startup)
        return True

    async def cancel_sync(self) -> None:
        """Cancel the running sync and wait until it has given its lease back."""
        for worker in [w for w in self.workers if w.group == SYNC_GROUP and w.is_running]:
            worker.cancel()
            with contextlib.suppress(WorkerCancelled, asyncio.CancelledError):
                await worker.wait()

    @work(group=SYNC_GROUP, exit_on_error=False, description="sync")
    async def _run_syncs(self, jobs: list[SyncJob], startup: bool) -> None:
        summaries: list[Summary] = []
        try:
            for index, job in enumerate(jobs, 1):
                self.post_message(SyncStarted(job, index, len(jobs)))
                summary = await self._run_one(job)
                summaries.append(summary)
                self.post_message(SyncFinished(job, summary))
        except asyncio.CancelledError:
            self.post_message(SyncRunOver(summaries, cancelled=True, startup=startup))
            raise
        self.post_message(SyncRunOver(summaries, cancelled=False, startup=startup))

    async def _run_one(self, job: SyncJob) -> Summary:
        last = Progress(job.what[0], "connecting")

        def progress(event: Progress) -> None:
            nonlocal last
            last = event
            self.post_message(SyncProgress(job, event))

        def asking(index: int, total: int) -> None:
            """While a deletion question waits, the progress says so (not "Writing")."""
            progress(Progress(last.what, "confirming", index - 1, total, last.requests))

        try:
            return await self.services.sync.run(
                self.viewer,
                job.target,
                job.what,
                period=job.period,
                confirmer=DialogConfirmer(self, job.target, self.settings.tz, on_ask=asking),
                on_event=progress,
                two_way=job.two_way,
            )
        except UserError as error:  # not allowed, unknown user: that job's only line
            return Summary(job.target, errors=[explain(error)])

    @on(SyncStarted)
    @on(SyncProgress)
    @on(SyncFinished)
    def _forward(self, message: SyncStarted | SyncProgress | SyncFinished) -> None:
        if isinstance(message, SyncStarted) and message.index == 1:
            self.last_summaries = []
        if isinstance(message, SyncFinished):
            self.last_summaries.append(message.summary)
        self.wizard.show_run_event(message)
        self.home.show_run_event(message)

    @on(SyncRunOver)
    def _run_over(self, message: SyncRunOver) -> None:
        errors = sum(texts.sync.error_count(s.errors) for s in message.summaries)
        severity: SeverityLevel = "warning" if message.cancelled or errors else "information"
        self.notify(
            texts.sync.sync_run_over(len(message.summaries), errors, message.cancelled),
            severity=severity,
            markup=False,
        )
        self.wizard.show_run_event(message)
        self.home.show_run_event(message)
        self.post_message(UsersChanged())

    @on(UsersChanged)
    def _users_changed(self) -> None:
        self.home.reload()

    @on(Worker.StateChanged)
    def _worker_failed(self, event: Worker.StateChanged) -> None:
        """A worker's unexpected failure is one notification, never a traceback on screen."""
        if event.state == WorkerState.ERROR and event.worker.error is not None:
            error = event.worker.error
            if isinstance(error, NoMatches) and not _attached(event.worker.node):
                return  # a screen's reload that outlived the screen (the app is closing): nothing to say
            text = (
                explain(error) if isinstance(error, UserError) else f"{texts.tui.UNEXPECTED_FAILURE}: {error}"
            )
            self.notify(text, severity="error", markup=False, timeout=10)
            self.log.error(repr(error))


def _attached(node: object) -> bool:
    return isinstance(node, Widget) and node.is_attached


def binding_owners() -> list[type]:
    """The App and every screen and dialog class of the `tui_sync.ui` package (each module imported)."""
    import tui_sync.ui

    found: list[type] = [TuiSyncApp]
    for module_info in pkgutil.walk_packages(tui_sync.ui.__path__, "tui_sync.ui."):
        module = importlib.import_module(module_info.name)
        for value in vars(module).values():
            if isinstance(value, type) and issubclass(value, Widget) and value.__module__ == module.__name__:
                found.append(value)
    return found


def binding_ids() -> set[str]:
    """Every binding id of the application, its screens and dialogs (what `[keys]` may remap)."""
    return {b.id for owner in binding_owners() for b in own_bindings(owner) if b.id}


def own_bindings(owner: type) -> list[Binding]:
    """The bindings a class of ours declares itself (not those it inherits from Textual)."""
    return [b for b in vars(owner).get("BINDINGS", []) if isinstance(b, Binding)]


def make_app(
    settings: Settings,
    *,
    viewer: str | None,
    store: Store | None = None,
    clock: Callable[[], datetime] = utc_now,
    wall_clock: Callable[[], float] = time.time,
    startup_sync: bool = True,
) -> TuiSyncApp:
    """The one factory: settings, the signed-in user (None: a picker), the store (None: the App opens
    `settings.database` itself, on its own event loop), the clock (the CRM's "now") and the wall clock
    (device-code expiry) are injected, so tests and snapshots control them all."""
    return TuiSyncApp(
        settings, viewer=viewer, store=store, clock=clock, wall_clock=wall_clock, startup_sync=startup_sync
    )
