"""Preferences → Synchronisation: one user's sync preferences, their Microsoft 365 connection, and the
Connect / Test / Reset / Reset calendar buttons.

The signed-in user edits their own preferences; an administrator may pick another user at the top.
`ctrl+s` saves the whole form at once through the people service (a refused value is named in place and
nothing is written); `escape` puts the saved values back, and with nothing to put back returns Home.
Connect opens the device-code dialog (its worker owns the sign-in); Test shows each check as it runs,
and offers to create the missing Outlook categories; both resets ask first and say what follows.
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import Button, Checkbox, Footer, Header, Input, Label, Select, Static

from tui_sync import texts
from tui_sync.domain.models import MAX_MONTHS, InvalidValue, SyncPrefs, User
from tui_sync.domain.refusals import NotAWholeNumber
from tui_sync.errors import UserError
from tui_sync.microsoft.auth import SignedIn
from tui_sync.microsoft.checks import CATEGORIES_MISSING, CheckResult
from tui_sync.services.accounts import Connection
from tui_sync.ui.advice import check_text, explain
from tui_sync.ui.base import AppScreen
from tui_sync.ui.dialogs.confirm import ConfirmDialog
from tui_sync.ui.dialogs.device_code import DeviceCodeDialog, Outcome
from tui_sync.ui.messages import UsersChanged
from tui_sync.ui.widgets.ticks import TickBox

INTERFACES = (SyncPrefs().interface,)  # Office 365 is the only kind of account there is
MARK_STYLES = {"ok": "bold green", "warning": "bold yellow", "error": "bold red"}


@dataclass(frozen=True)
class FormValues:
    """What the form shows, as typed: compared with the saved preferences to know what is unsaved."""

    interface: str
    login_email: str
    calendar_name: str
    months_before: str
    months_after: str
    automatic: bool
    at_startup: bool
    series: bool

    @classmethod
    def of(cls, prefs: SyncPrefs) -> FormValues:
        return cls(
            prefs.interface,
            prefs.login_email,
            prefs.calendar_name,
            str(prefs.months_before),
            str(prefs.months_after),
            prefs.automatic,
            prefs.at_startup,
            prefs.series,
        )

    def prefs(self) -> SyncPrefs:
        """The preferences these values make; InvalidValue names the first refused field."""
        return SyncPrefs(
            interface=self.interface,
            login_email=self.login_email,
            calendar_name=self.calendar_name.strip(),
            months_before=_months(self.months_before, "months_before"),
            months_after=_months(self.months_after, "months_after"),
            automatic=self.automatic,
            at_startup=self.at_startup,
            series=self.series,
        )


def _months(text: str, field_name: str) -> int:
    if not text.strip().isdigit():
        raise InvalidValue(field_name, NotAWholeNumber(0, MAX_MONTHS))
    return int(text)


FIELD_WIDGETS = {
    "login_email": "#email",
    "calendar_name": "#calendar",
    "months_before": "#before",
    "months_after": "#after",
}


class PreferencesScreen(AppScreen):
    SUB_TITLE = texts.tui.UI_PREFS_SUBTITLE
    AUTO_FOCUS = "#email"
    BINDINGS = [
        Binding("ctrl+s", "save", texts.tui.UI_PREFS_SAVE, id="prefs.save"),
        Binding("escape", "back", texts.tui.UI_PREFS_BACK, id="prefs.back"),
        Binding("ctrl+o", "connect", texts.tui.UI_PREFS_CONNECT, id="prefs.connect"),
        Binding("ctrl+t", "test", texts.tui.UI_PREFS_TEST, id="prefs.test"),
        Binding("ctrl+r", "reset", texts.tui.UI_PREFS_RESET, id="prefs.reset", show=False),
        Binding(
            "ctrl+l",
            "reset_calendar",
            texts.tui.UI_PREFS_RESET_CALENDAR,
            id="prefs.reset-calendar",
            show=False,
        ),
        Binding("ctrl+g", "create_categories", texts.tui.UI_PREFS_CREATE_CATEGORIES, id="prefs.categories"),
    ]
    DEFAULT_CSS = """
    PreferencesScreen #form { padding: 0 1; }
    PreferencesScreen .row { height: 1; margin-bottom: 0; }
    PreferencesScreen .field { width: 15; }
    PreferencesScreen .narrow { width: 7; }
    PreferencesScreen #user { width: 44; }
    PreferencesScreen #interface { width: 20; }
    PreferencesScreen #email, PreferencesScreen #calendar { width: 44; }
    PreferencesScreen #before, PreferencesScreen #after { width: 5; }
    PreferencesScreen Checkbox { margin-right: 2; }
    PreferencesScreen #options { margin-top: 1; }
    PreferencesScreen #error { color: $error; height: auto; }
    PreferencesScreen #message { height: auto; }
    PreferencesScreen #message.-error { color: $error; }
    PreferencesScreen #message.-warning { color: $warning; }
    PreferencesScreen #buttons { height: 1; margin-top: 1; }
    PreferencesScreen #buttons Button { margin-right: 1; min-width: 0; }
    PreferencesScreen #results { height: auto; margin-top: 1; }
    PreferencesScreen .offer { color: $accent; }
    """

    def __init__(self) -> None:
        super().__init__()
        self.target = ""  # the user whose preferences the form shows
        self.saved: User | None = None  # that user as stored, when the form was filled
        self.connection: Connection | None = None
        self.categories_missing = False  # the last Test found action types with no Outlook category
        self.check_lines: list[CheckResult] = []
        self._user_options: list[tuple[str, str]] = []

    # --- layout ----------------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield Header()
        with VerticalScroll(id="form"):
            with Horizontal(classes="row", id="who-row"):
                yield Label(texts.tui.UI_PREFS_USER, classes="field")
                yield Static(id="who", markup=False)  # an administrator gets a list instead
            with Horizontal(classes="row"):
                yield Label(texts.tui.UI_PREFS_ACCOUNT, classes="field")
                yield Static("…", id="dot", markup=False)
            with Horizontal(classes="row"):
                yield Label(texts.tui.UI_PREFS_INTERFACE, classes="field")
                options = [(name, name) for name in INTERFACES]
                yield Select[str](
                    options, id="interface", allow_blank=False, value=INTERFACES[0], compact=True
                )
            with Horizontal(classes="row"):
                yield Label(texts.tui.UI_PREFS_EMAIL, classes="field")
                yield Input(id="email", placeholder=texts.tui.UI_PREFS_EMAIL_HINT, compact=True)
            with Horizontal(classes="row"):
                yield Label(texts.tui.UI_PREFS_CALENDAR, classes="field")
                yield Input(id="calendar", placeholder=texts.tui.UI_PREFS_CALENDAR_HINT, compact=True)
            with Horizontal(classes="row"):
                yield Label(texts.tui.UI_PREFS_BEFORE, classes="field")
                yield Input(id="before", restrict=r"[0-9]*", max_length=2, compact=True)
                yield Label(f" {texts.tui.UI_PREFS_AFTER}", classes="narrow")
                yield Input(id="after", restrict=r"[0-9]*", max_length=2, compact=True)
            with Horizontal(classes="row", id="options"):
                yield TickBox(texts.tui.UI_PREFS_AUTOMATIC, id="automatic", compact=True)
                yield TickBox(texts.tui.UI_PREFS_AT_STARTUP, id="at-startup", compact=True)
                yield TickBox(texts.tui.UI_PREFS_SERIES, id="series", compact=True)
            yield Static(id="error", markup=False)
            with Horizontal(id="buttons"):
                yield Button(f"{texts.tui.UI_PREFS_SAVE} ^s", id="save", variant="primary", compact=True)
                yield Button(f"{texts.tui.UI_PREFS_CONNECT} ^o", id="connect", compact=True)
                yield Button(f"{texts.tui.UI_PREFS_TEST} ^t", id="test", compact=True)
                yield Button(f"{texts.tui.UI_PREFS_RESET} ^r", id="reset", variant="warning", compact=True)
                yield Button(
                    f"{texts.tui.UI_PREFS_RESET_CALENDAR} ^l",
                    id="reset-calendar",
                    variant="warning",
                    compact=True,
                )
            yield Static(id="message", markup=False)
            yield Static(id="results", markup=False)
        yield Footer()

    def on_mount(self) -> None:
        self.target = self.target or self.viewer

    def on_screen_resume(self) -> None:
        """Shown again (mode switch, a dialog closed): what is stored may have changed elsewhere."""
        self.reload()

    def reload(self) -> None:
        if self.is_mounted and self.tui.services is not None:
            self._load(self.target or self.viewer)

    # --- loading -----------------------------------------------------------------------------------

    @work(exclusive=True, group="prefs-load", exit_on_error=False)
    async def _load(self, code: str) -> None:
        """Read `code`'s preferences and connection; the form is refilled unless it holds unsaved
        changes of that same user (they are kept: only the connection line is refreshed then)."""
        people = self.services.people
        viewer = await people.get_user(self.viewer)
        users = await people.list_users() if viewer.is_admin else [viewer]
        user = await people.get_user(code)
        connection = (await self.services.accounts.connections([user]))[user.code]
        switching = user.code != self.target or self.saved is None
        if switching or not self.dirty():
            self._fill(user)
        await self._show_users(viewer, users)
        self._show_connection(connection)

    async def _show_users(self, viewer: User, users: list[User]) -> None:
        """An administrator picks the user in a list; anyone else sees only their own name."""
        who = self.query_one("#who", Static)
        shown = self.saved or viewer
        who.update(texts.tui.prefs_title(shown.code, shown.full_name))
        if not viewer.is_admin:
            return
        options = [(texts.tui.prefs_title(u.code, u.full_name), u.code) for u in users]
        if options != self._user_options:  # (re)built whole: a Select keeps a stale label otherwise
            self._user_options = options
            await self.query("#user").remove()
            picker = Select[str](options, id="user", allow_blank=False, value=self.target, compact=True)
            await self.query_one("#who-row", Horizontal).mount(picker)
        picker = self.query_one("#user", Select)
        if picker.value != self.target:
            picker.value = self.target
        who.display = False

    def _fill(self, user: User) -> None:
        if user.code != self.target:
            self._clear_results()
            self._say("")
        self.target = user.code
        self.saved = user
        values = FormValues.of(user.prefs)
        interface: Select[str] = self.query_one("#interface", Select)
        if values.interface not in INTERFACES:  # a value an older version stored: shown, kept
            interface.set_options([(v, v) for v in (*INTERFACES, values.interface)])
        interface.value = values.interface
        self.query_one("#email", Input).value = values.login_email
        self.query_one("#calendar", Input).value = values.calendar_name
        self.query_one("#before", Input).value = values.months_before
        self.query_one("#after", Input).value = values.months_after
        self.query_one("#automatic", Checkbox).value = values.automatic
        self.query_one("#at-startup", Checkbox).value = values.at_startup
        self.query_one("#series", Checkbox).value = values.series
        self._error("")

    def _show_connection(self, connection: Connection) -> None:
        self.connection = connection
        self.query_one("#dot", Static).update(
            texts.tui.prefs_connection(connection.working, connection.username)
        )

    # --- the form ------------------------------------------------------------------------------------

    def values(self) -> FormValues:
        return FormValues(
            interface=str(self.query_one("#interface", Select).value),
            login_email=self.query_one("#email", Input).value,
            calendar_name=self.query_one("#calendar", Input).value,
            months_before=self.query_one("#before", Input).value,
            months_after=self.query_one("#after", Input).value,
            automatic=self.query_one("#automatic", Checkbox).value,
            at_startup=self.query_one("#at-startup", Checkbox).value,
            series=self.query_one("#series", Checkbox).value,
        )

    def dirty(self) -> bool:
        """Whether the form shows something else than what is stored."""
        return self.saved is not None and self.values() != FormValues.of(self.saved.prefs)

    def _error(self, text: str) -> None:
        self.query_one("#error", Static).update(text)

    def _say(self, text: str, level: str = "") -> None:
        """The outcome of the last Connect / Reset, under the buttons; `level` colours it (the words
        already say whether it worked: colour is only a help)."""
        message = self.query_one("#message", Static)
        message.update(text)
        message.set_class(level == "error", "-error")
        message.set_class(level == "warning", "-warning")

    @on(Select.Changed, "#user")
    def _user_picked(self, event: Select.Changed) -> None:
        picked = event.select.value  # not event.value: filling the list fires passing values too
        if not isinstance(picked, str) or picked == self.target:
            return
        if self.dirty():  # unsaved changes are never dropped by picking another user
            self._error(texts.tui.PREFS_SAVE_FIRST)
            picker: Select[str] = self.query_one("#user", Select)
            picker.value = self.target
            return
        self._load(picked)

    async def action_save(self) -> None:
        """Save the whole form, or nothing: a refused value is named in place and gets the focus."""
        if self.saved is None:
            return
        try:
            prefs = self.values().prefs()
        except InvalidValue as error:
            self._error(texts.domain.invalid_value(error, texts.tui.UI_PREFS_FIELDS.get(error.field)))
            if error.field in FIELD_WIDGETS:
                self.query_one(FIELD_WIDGETS[error.field]).focus()
            return
        try:
            user = await self.services.people.save_prefs(self.target, prefs)
        except UserError as error:
            self._error(explain(error))
            return
        self._fill(user)
        self.notify(texts.tui.prefs_saved(user.code), markup=False)
        self.tui.post_message(UsersChanged())

    async def action_back(self) -> None:
        """escape: put the saved values back; with nothing unsaved, leave for Home."""
        if self.saved is not None and self.dirty():
            self._fill(self.saved)
            self.notify(texts.tui.PREFS_REVERTED, markup=False)
            return
        await self.tui.switch_mode("home")

    # --- Connect --------------------------------------------------------------------------------------

    def action_connect(self) -> None:
        """The device-code dialog for the user shown; its outcome lands in `_connected`."""
        self.app.push_screen(DeviceCodeDialog(self.target or self.viewer), self._connected)

    def _connected(self, outcome: Outcome) -> None:
        if isinstance(outcome, SignedIn):
            self._clear_results()  # a Test run before spoke of the connection there was then
            lines = [texts.microsoft.signed_in_as(outcome.username)]
            if outcome.warning:
                lines.append(outcome.warning)
            self._say("\n".join(lines), "warning" if outcome.warning else "")
            self.tui.post_message(UsersChanged())
        else:  # one line, in place: what went wrong, and nothing was changed
            self._say(outcome or texts.microsoft.SIGN_IN_CANCELLED, "error" if outcome else "")
        self.reload()

    # --- Reset / Reset calendar ------------------------------------------------------------------------

    def action_reset(self) -> None:
        self._reset(calendar_only=False)

    def action_reset_calendar(self) -> None:
        self._reset(calendar_only=True)

    @work(exclusive=True, group="prefs-reset", exit_on_error=False)
    async def _reset(self, calendar_only: bool) -> None:
        """Ask first (saying what follows), then forget the links (and for Reset, the tokens)."""
        code = self.target
        if calendar_only:
            dialog = ConfirmDialog(texts.tui.reset_calendar_question(code), texts.tui.RESET_CALENDAR_DETAILS)
        else:
            dialog = ConfirmDialog(texts.tui.reset_question(code), texts.tui.RESET_DETAILS)
        if not await self.app.push_screen_wait(dialog):
            return
        try:
            if calendar_only:
                text = texts.tui.calendar_links_cleared(
                    code, await self.services.accounts.reset_calendar(code)
                )
            else:
                text = (await self.services.accounts.reset(code)).message
        except UserError as error:
            self._say(explain(error), "error")
            self.notify(explain(error), severity="error", markup=False)
            return
        self._clear_results()  # a Test run before spoke of the connection there was then
        self._say(text)
        self.notify(text, markup=False)
        self.tui.post_message(UsersChanged())
        self.reload()

    # --- Test -----------------------------------------------------------------------------------------

    def action_test(self) -> None:
        self._run_test(False)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Create categories is offered only after a Test found some missing."""
        if action == "create_categories":
            return self.categories_missing
        return True

    def action_create_categories(self) -> None:
        if self.categories_missing:
            self._run_test(True)

    def _clear_results(self) -> None:
        self.check_lines = []
        self.categories_missing = False
        self.query_one("#results", Static).update("")
        self.refresh_bindings()

    def _show_results(self, running: bool, preface: str = "") -> None:
        text = Text()
        if preface:
            text.append(preface + "\n", style="yellow")
        for result in self.check_lines:
            text.append(texts.microsoft.TEST_MARKS[result.level], style=MARK_STYLES[result.level])
            text.append(f" {check_text(result)}\n")
        if running:
            text.append(texts.tui.testing_user(self.target), style="italic")
        elif self.categories_missing:
            text.append(texts.tui.PREFS_CREATE_CATEGORIES_OFFER, style="bold")
        text.rstrip()
        self.query_one("#results", Static).update(text)

    @work(exclusive=True, group="prefs-test", exit_on_error=False)
    async def _run_test(self, create_categories: bool) -> None:
        """Every check of the saved preferences, each line shown as soon as it is known."""
        code = self.target or self.viewer
        self._clear_results()
        self._say("")
        preface = texts.tui.PREFS_TEST_USES_SAVED if self.dirty() else ""

        def arrived(result: CheckResult) -> None:
            self.check_lines.append(result)
            self._show_results(True, preface)

        self._show_results(True, preface)
        try:
            await self.services.accounts.test(code, create_categories=create_categories, on_result=arrived)
        except UserError as error:
            self.check_lines.append(CheckResult.failed(explain(error)))
        self.categories_missing = any(r.check == CATEGORIES_MISSING for r in self.check_lines)
        self._show_results(False, preface)
        self.refresh_bindings()
        self.query_one("#results", Static).scroll_visible()

    # --- buttons -----------------------------------------------------------------------------------------

    @on(Button.Pressed)
    async def _pressed(self, event: Button.Pressed) -> None:
        actions = {
            "save": "save",
            "connect": "connect",
            "test": "test",
            "reset": "reset",
            "reset-calendar": "reset_calendar",
        }
        if event.button.id in actions:
            await self.run_action(actions[event.button.id])
