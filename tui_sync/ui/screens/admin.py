"""Administration (administrators only): the Microsoft application the whole CRM signs in with (client ID
and tenant), the CRM users (add, rename, administrator flag) and the rights grid (who may see and sync
whose data).

Everything goes through the services, which hold the rules (a refused value changes nothing; the last
administrator keeps the flag); this screen shows their one-line refusals in place. Anyone else opening
it reads why not and finds nothing to edit. Every change tells the App (UsersChanged) so Home reloads.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import (
    Button,
    Checkbox,
    ContentSwitcher,
    DataTable,
    Footer,
    Header,
    Input,
    Label,
    Static,
    TabbedContent,
    TabPane,
)

from tui_sync import texts
from tui_sync.domain.models import InvalidValue, MicrosoftSettings, Rights, User, validate_client_id
from tui_sync.errors import BadInput, UserError
from tui_sync.services.accounts import Connection
from tui_sync.ui.base import AppScreen
from tui_sync.ui.dialogs.confirm import ConfirmDialog
from tui_sync.ui.messages import UsersChanged
from tui_sync.ui.widgets.ticks import TickBox

TABS = ("auth", "users", "rights")
ADMIN_ACTIONS = ("save_auth", "next_tab", "add_user", "rename_user", "toggle_admin", "toggle_right")
FIELD_LABELS = {
    "client_id": texts.tui.UI_ADMIN_CLIENT_ID,
    "tenant": texts.tui.UI_ADMIN_TENANT,
    "code": texts.tui.UI_ADMIN_CODE,
    "full_name": texts.tui.UI_ADMIN_FULL_NAME,
}


def refusal(error: Exception) -> str:
    """The one line a refused change shows in place (a domain value names the field the user sees)."""
    if isinstance(error, InvalidValue):
        label, problem = FIELD_LABELS.get(error.field), texts.domain.problem(error.reason)
        return texts.tui.admin_invalid(label, problem) if label else problem
    if isinstance(error, UserError):
        return error.message
    return str(error)


def rights_cell(rights: Rights | None, own: bool) -> Text:
    """A grid cell: "self" on the diagonal, else V/A letters or · (meaning never carried by colour)."""
    if own:
        return Text(texts.tui.UI_ADMIN_SELF, style="dim")
    visible = rights is not None and rights.visible
    agenda = rights is not None and rights.agenda
    letters = f"{'V' if visible else '·'} {'A' if agenda else '·'}"
    return Text(letters, style="bold" if visible or agenda else "")


class UsersTable(DataTable[str | Text]):
    """The CRM users; its letter keys act only while it has focus (no text field eats them)."""

    BINDINGS = [
        Binding("n", "screen.add_user", texts.tui.UI_ADMIN_ADD, id="admin.user.add"),
        Binding("r", "screen.rename_user", texts.tui.UI_ADMIN_RENAME, id="admin.user.rename"),
        Binding("space", "screen.toggle_admin", texts.tui.UI_ADMIN_TOGGLE_ADMIN, id="admin.user.admin"),
    ]


class RightsGrid(DataTable[str | Text]):
    """Rows are viewers, columns targets; `v` / `a` turn a right on or off on the selected cell."""

    BINDINGS = [
        Binding("v", "screen.toggle_right('visible')", texts.tui.UI_ADMIN_VISIBLE, id="admin.rights.visible"),
        Binding("a", "screen.toggle_right('agenda')", texts.tui.UI_ADMIN_AGENDA, id="admin.rights.agenda"),
    ]


SaveUser = Callable[[str, str, bool], Awaitable[User]]


class UserForm(ModalScreen[User | None]):
    """Add a user (code, full name, administrator) or rename one (`code` given: only the full name).

    `save` does the change through the services; a refusal stays in the form with its line, nothing
    typed is lost, and the form closes only once the change is saved (with the saved user)."""

    BINDINGS = [
        Binding("ctrl+s", "save", texts.tui.UI_ADMIN_SAVE, id="admin.form.save"),
        Binding("escape", "cancel", texts.tui.UI_ADMIN_CANCEL, id="admin.form.cancel"),
    ]
    DEFAULT_CSS = """
    UserForm { align: center middle; }
    UserForm > Vertical { width: 64; height: auto; border: thick $primary; padding: 0 1;
                          background: $surface; }
    UserForm .title { text-style: bold; margin-bottom: 1; }
    UserForm Horizontal { height: auto; }
    UserForm .field { width: 12; }
    UserForm Input { width: 1fr; }
    UserForm .error { color: $text-error; height: auto; }
    UserForm .hint { color: $text-muted; }
    UserForm .buttons { align-horizontal: right; margin-top: 1; }
    UserForm Button { margin-left: 1; }
    """

    def __init__(self, save: SaveUser, user: User | None = None) -> None:
        super().__init__()
        self.save = save
        self.user = user

    def compose(self) -> ComposeResult:
        adding = self.user is None
        with Vertical():
            title = (
                texts.tui.UI_ADMIN_ADD_TITLE
                if self.user is None
                else texts.tui.admin_rename_title(self.user.code)
            )
            yield Static(title, classes="title", markup=False)
            if adding:
                with Horizontal():
                    yield Label(texts.tui.UI_ADMIN_CODE, classes="field")
                    yield Input(
                        id="code", max_length=20, placeholder=texts.tui.UI_ADMIN_CODE_HINT, compact=True
                    )
            with Horizontal():
                yield Label(texts.tui.UI_ADMIN_FULL_NAME, classes="field")
                name = "" if self.user is None else self.user.full_name
                yield Input(name, id="full-name", compact=True)
            if adding:
                yield TickBox(texts.tui.UI_ADMIN_IS_ADMIN, False, id="is-admin", compact=True)
            yield Static(id="form-error", classes="error", markup=False)
            yield Static(texts.tui.UI_ADMIN_FORM_KEYS, classes="hint", markup=False)
            with Horizontal(classes="buttons"):
                yield Button(texts.tui.UI_ADMIN_SAVE_BUTTON, id="save", variant="primary", compact=True)
                yield Button(texts.tui.UI_ADMIN_CANCEL, id="cancel", compact=True)

    def on_mount(self) -> None:
        self.query_one("#code" if self.user is None else "#full-name", Input).focus()

    @on(Input.Submitted)
    @on(Button.Pressed, "#save")
    async def action_save(self) -> None:
        code = self.query_one("#code", Input).value if self.user is None else self.user.code
        full_name = self.query_one("#full-name", Input).value
        is_admin = self.user is None and self.query_one("#is-admin", Checkbox).value
        try:
            saved = await self.save(code, full_name, is_admin)
        except (UserError, InvalidValue) as error:
            self.query_one("#form-error", Static).update(refusal(error))
            return
        self.dismiss(saved)

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)


class AdminScreen(AppScreen):
    BINDINGS = [
        Binding("ctrl+s", "save_auth", texts.tui.UI_ADMIN_SAVE, id="admin.save"),
        Binding("f7", "next_tab", texts.tui.UI_ADMIN_NEXT_TAB, id="admin.next_tab"),
        Binding("escape", "back", texts.tui.UI_ADMIN_BACK, id="admin.back", show=False),
    ]
    DEFAULT_CSS = """
    AdminScreen #denied { padding: 1 2; }
    AdminScreen #denied-text { text-style: bold; }
    AdminScreen TabPane { padding: 0 1; }
    AdminScreen .row { height: 1; margin-bottom: 1; }
    AdminScreen .field { width: 25; }
    AdminScreen #client-id { width: 38; }
    AdminScreen #tenant { width: 38; }
    AdminScreen .hint { color: $text-muted; height: auto; }
    AdminScreen .error { color: $text-error; height: auto; }
    AdminScreen .status { height: auto; }
    AdminScreen #save-auth { margin-top: 1; }
    AdminScreen UsersTable, AdminScreen RightsGrid { height: 1fr; }
    """

    def __init__(self) -> None:
        super().__init__()
        self.is_admin = False
        self.users: list[User] = []
        self.rights: dict[tuple[str, str], Rights] = {}
        self.saved_settings: MicrosoftSettings | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        with ContentSwitcher(initial="denied"):
            with Vertical(id="denied"):
                yield Static(id="denied-text", markup=False)
                yield Static(texts.tui.UI_ADMIN_DENIED_HINT, classes="hint", markup=False)
            with TabbedContent(id="tabs"):
                with TabPane(texts.tui.UI_ADMIN_TAB_AUTH, id="auth"), VerticalScroll():
                    with Horizontal(classes="row"):
                        yield Label(texts.tui.UI_ADMIN_CLIENT_ID, classes="field")
                        yield Input(
                            id="client-id",
                            max_length=40,
                            placeholder=texts.tui.UI_ADMIN_CLIENT_ID_HINT,
                            compact=True,
                        )
                    with Horizontal(classes="row"):
                        yield Label(texts.tui.UI_ADMIN_TENANT, classes="field")
                        yield Input(
                            id="tenant", max_length=100, placeholder=MicrosoftSettings().tenant, compact=True
                        )
                    yield Static(texts.tui.UI_ADMIN_AUTH_HINT, classes="hint", markup=False)
                    yield Static(id="auth-error", classes="error", markup=False)
                    yield Static(id="auth-status", classes="status", markup=False)
                    yield Button(
                        texts.tui.UI_ADMIN_SAVE_BUTTON, id="save-auth", variant="primary", compact=True
                    )
                with TabPane(texts.tui.UI_ADMIN_TAB_USERS, id="users"):
                    table = UsersTable(id="user-table", cursor_type="row", zebra_stripes=True)
                    table.add_column(texts.tui.UI_COL_USER, width=22, key="code")
                    table.add_column(texts.tui.UI_ADMIN_FULL_NAME, width=32, key="name")
                    table.add_column(texts.tui.UI_ADMIN_COL_ADMIN, width=6, key="admin")
                    yield table
                    yield Static(id="users-status", classes="status", markup=False)
                    yield Static(texts.tui.UI_ADMIN_USERS_HINT, classes="hint", markup=False)
                with TabPane(texts.tui.UI_ADMIN_TAB_RIGHTS, id="rights"):
                    yield RightsGrid(id="rights-grid", cursor_type="cell")
                    yield Static(id="rights-status", classes="status", markup=False)
                    yield Static(texts.tui.UI_ADMIN_RIGHTS_HINT, classes="hint", markup=False)
        yield Footer()

    def on_mount(self) -> None:
        self.reload()

    def on_screen_resume(self) -> None:
        self.reload()

    # --- loading -------------------------------------------------------------------------------------

    @work(exclusive=True, group="admin-load", exit_on_error=False)
    async def _load(self) -> None:
        """Who may be here, then the settings (first visit only: typing is never overwritten), the users
        and the rights grid."""
        people = self.services.people
        try:
            await people.require_admin(self.viewer)
        except BadInput as error:
            self.is_admin = False
            self.query_one("#denied-text", Static).update(error.message)
            self.query_one(ContentSwitcher).current = "denied"
            self.set_focus(None)  # the hidden tabs keep no key
            self.refresh_bindings()
            return
        first = not self.is_admin
        self.is_admin = True
        if self.saved_settings is None:
            self._show_settings(await people.microsoft_settings())
        self.users = await people.list_users()
        self.rights = await people.rights()
        try:
            connections = await self.services.accounts.connections(self.users)
        except UserError:  # no usable Microsoft application yet: nobody shows as connected
            connections = {u.code: Connection(False) for u in self.users}
        self._fill_users(connections)
        self._fill_rights()
        self.query_one(ContentSwitcher).current = "tabs"
        self.refresh_bindings()
        if first:
            self._focus_tab(self.query_one(TabbedContent).active)

    def _show_settings(self, settings: MicrosoftSettings) -> None:
        self.saved_settings = settings
        self.query_one("#client-id", Input).value = settings.client_id
        self.query_one("#tenant", Input).value = settings.tenant
        self.query_one("#auth-status", Static).update("")

    def _fill_users(self, connections: dict[str, Connection]) -> None:
        table = self.query_one(UsersTable)
        selected = table.cursor_row
        table.clear()
        for user in self.users:
            dot = connections.get(user.code, Connection(False)).dot
            admin = texts.tui.UI_ADMIN_YES if user.is_admin else ""
            table.add_row(f"{dot} {user.code}", user.full_name, admin, key=user.code)
        if self.users:
            table.move_cursor(row=min(max(selected, 0), len(self.users) - 1))

    def _fill_rights(self) -> None:
        grid = self.query_one(RightsGrid)
        cursor = grid.cursor_coordinate
        grid.clear(columns=True)
        codes = [u.code for u in self.users]
        for target in codes:
            grid.add_column(target, width=max(len(target), 4), key=target)
        for viewer in codes:
            cells = [rights_cell(self.rights.get((viewer, target)), viewer == target) for target in codes]
            grid.add_row(*cells, key=viewer, label=viewer)
        if codes:
            last = len(codes) - 1
            grid.move_cursor(row=min(cursor.row, last), column=min(cursor.column, last))
        self._show_cell()

    # --- keys ----------------------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Nothing to do here for a non-administrator; Save only on the Authentication tab."""
        if action in ADMIN_ACTIONS and not self.is_admin:
            return False
        if action == "save_auth":
            return self.query_one(TabbedContent).active == "auth"
        return True

    def action_next_tab(self) -> None:
        tabs = self.query_one(TabbedContent)
        tabs.active = TABS[(TABS.index(tabs.active) + 1) % len(TABS)] if tabs.active in TABS else TABS[0]
        self._focus_tab(tabs.active)

    async def action_back(self) -> None:
        await self.tui.switch_mode("home")

    @on(TabbedContent.TabActivated)
    def _tab_changed(self, event: TabbedContent.TabActivated) -> None:
        self.refresh_bindings()

    def _focus_tab(self, tab: str) -> None:
        target = {"auth": "#client-id", "users": "#user-table", "rights": "#rights-grid"}.get(tab)
        if target:
            self.query_one(target).focus()

    def _changed(self) -> None:
        """Users or rights changed: this screen and Home (through the App) show it."""
        self.app.post_message(UsersChanged())
        self.reload()

    # --- Authentication ----------------------------------------------------------------------------

    @on(Input.Changed, "#client-id, #tenant")
    def _auth_edited(self) -> None:
        saved = self.saved_settings
        if saved is None:
            return
        client_id = self.query_one("#client-id", Input).value.strip()
        tenant = self.query_one("#tenant", Input).value.strip()
        status = self.query_one("#auth-status", Static)
        if (client_id, tenant) != (saved.client_id, saved.tenant):
            status.update(texts.tui.UI_ADMIN_UNSAVED)
        elif str(status.content) == texts.tui.UI_ADMIN_UNSAVED:  # typed back to what is saved
            status.update("")

    @on(Input.Submitted, "#client-id, #tenant")
    @on(Button.Pressed, "#save-auth")
    async def action_save_auth(self) -> None:
        """Both values are validated before anything is written: a refusal saves neither."""
        if not self.is_admin:
            return
        client_id = self.query_one("#client-id", Input).value
        tenant = self.query_one("#tenant", Input).value.strip() or MicrosoftSettings().tenant
        error = self.query_one("#auth-error", Static)
        try:
            validate_client_id(client_id)  # the settings allow "not set"; saving here needs an ID
            saved = await self.services.people.save_microsoft_settings(client_id, tenant)
        except (UserError, InvalidValue) as refused:
            error.update(refusal(refused))
            return
        error.update("")
        self._show_settings(saved)
        self.query_one("#auth-status", Static).update(
            texts.changes.microsoft_settings_saved(saved.client_id, saved.tenant)
        )
        self._changed()

    # --- Users -------------------------------------------------------------------------------------

    def selected_user(self) -> User | None:
        table = self.query_one(UsersTable)
        if not self.users or not 0 <= table.cursor_row < len(self.users):
            return None
        return self.users[table.cursor_row]

    def _users_status(self, text: str, *, error: bool = False) -> None:
        status = self.query_one("#users-status", Static)
        status.set_class(error, "error")
        status.update(text)

    def action_add_user(self) -> None:
        async def save(code: str, full_name: str, is_admin: bool) -> User:
            return await self.services.people.add_user(code, full_name, is_admin=is_admin)

        def added(user: User | None) -> None:
            if user is not None:
                self._users_status(texts.changes.user_added(user.code, user.full_name, user.is_admin))
                self._changed()

        self.app.push_screen(UserForm(save), added)

    @on(DataTable.RowSelected, "#user-table")
    def action_rename_user(self) -> None:
        user = self.selected_user()
        if user is None:
            return

        async def save(code: str, full_name: str, is_admin: bool) -> User:
            return await self.services.people.update_user(code, full_name=full_name)

        def renamed(saved: User | None) -> None:
            if saved is not None:
                self._users_status(texts.changes.user_updated(saved.code))
                self._changed()

        self.app.push_screen(UserForm(save, user), renamed)

    def action_toggle_admin(self) -> None:
        user = self.selected_user()
        if user is not None:
            self._toggle_admin(user)

    @work(group="admin-flag", exit_on_error=False)
    async def _toggle_admin(self, user: User) -> None:
        """Your own flag is only dropped after a yes (you would leave this screen); the last
        administrator's is refused by the service, with its line."""
        if user.code == self.viewer and user.is_admin:
            question = ConfirmDialog(
                texts.tui.UI_ADMIN_DROP_OWN_FLAG, texts.tui.UI_ADMIN_DROP_OWN_FLAG_DETAILS
            )
            if not await self.app.push_screen_wait(question):
                return
        try:
            saved = await self.services.people.update_user(user.code, is_admin=not user.is_admin)
        except (UserError, InvalidValue) as refused:
            self._users_status(refusal(refused), error=True)
            return
        self._users_status(texts.tui.admin_flag_changed(saved.code, saved.is_admin))
        self._changed()

    # --- Rights --------------------------------------------------------------------------------------

    def selected_pair(self) -> tuple[str, str] | None:
        grid = self.query_one(RightsGrid)
        if not grid.row_count or not grid.columns:
            return None
        cell = grid.coordinate_to_cell_key(grid.cursor_coordinate)
        return str(cell.row_key.value), str(cell.column_key.value)

    @on(DataTable.CellHighlighted, "#rights-grid")
    def _show_cell(self) -> None:
        pair = self.selected_pair()
        status = self.query_one("#rights-status", Static)
        status.set_class(False, "error")
        if pair is None:
            status.update("")
            return
        viewer, target = pair
        if viewer == target:
            status.update(texts.errors.own_rights(viewer))
            return
        current = self.rights.get(pair, Rights(viewer, target))
        status.update(texts.changes.rights_saved(viewer, target, current.visible, current.agenda))

    async def action_toggle_right(self, which: str) -> None:
        """Flip one right of the selected cell, saved at once (the other right stays as it is)."""
        pair = self.selected_pair()
        if pair is None:
            return
        viewer, target = pair
        status = self.query_one("#rights-status", Static)
        current = self.rights.get(pair, Rights(viewer, target))
        change = {which: not getattr(current, which)}
        try:
            saved = await self.services.people.set_rights(viewer, target, **change)
        except (UserError, InvalidValue) as refused:
            status.set_class(True, "error")
            status.update(refusal(refused))
            return
        self.rights[pair] = saved
        grid = self.query_one(RightsGrid)
        grid.update_cell(viewer, target, rights_cell(saved, own=False))
        self._show_cell()
        self.app.post_message(UsersChanged())

    def cell_text(self, viewer: str, target: str) -> str:
        """What the grid shows for a pair (tests and the status line read it)."""
        return str(self.query_one(RightsGrid).get_cell(viewer, target))
