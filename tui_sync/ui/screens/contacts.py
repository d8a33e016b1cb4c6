"""Contacts: the CRM contacts (type to filter) beside a user's *contacts to sync* list, its count against
2000, a detail pane with the Outlook state of the highlighted contact, and the contact form.

Type-to-filter stays quick with 10,000 contacts: the contacts are folded once into an index, each key
restarts a short debounced worker that filters in Python (`filter_contacts`) and shows at most a few
hundred matches with a "N more, keep typing" row; a mark only redraws its own row.

The filter Input eats printable keys, so every letter or punctuation action has a ctrl or F-key twin and
a palette command: `down`/`escape` move between the filter and the list, `space` (ctrl+t) marks, `+`
(ctrl+l) adds the marked or highlighted contacts to the list, `-` (ctrl+g) removes them, ctrl+f adds all
filtered (asking first when that is many), ctrl+n / enter (ctrl+o) / delete create, edit and delete a
contact, f8 opens another user's list (administrators).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.containers import Grid, Horizontal, Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Footer, Header, Input, OptionList, Static, TextArea
from textual.widgets.option_list import Option

from tui_sync import texts
from tui_sync.domain.models import Contact, InvalidValue, User
from tui_sync.errors import UserError
from tui_sync.services.contacts import ContactsService, IndexEntry, RemoteState, filter_contacts
from tui_sync.ui.base import AppScreen
from tui_sync.ui.dialogs.confirm import ConfirmDialog

SHOWN = 300  # matches drawn at most; the rest is one "N more, keep typing" row
DEBOUNCE = 0.08  # seconds of quiet typing before the list is redrawn
ASK_ABOVE = 20  # "add all filtered" asks first past this many contacts
MORE_ID = "more"
DIALOG_GROUP = "contacts-dialog"  # workers that wait on a dialog (the form, a question)


def _cell(text: str, width: int) -> str:
    text = " ".join(text.split())
    return text[: width - 1] + "…" if len(text) > width else text.ljust(width)


class ContactsScreen(AppScreen):
    """The CRM contacts and the contacts to sync of `owner` (the signed-in user unless an administrator
    picked another)."""

    BINDINGS = [
        Binding("down", "into_list", texts.tui_contacts.UI_CONTACTS_TO_LIST, id="contacts.list", show=False),
        Binding(
            "escape",
            "toggle_focus",
            texts.tui_contacts.UI_CONTACTS_TO_FILTER,
            id="contacts.filter",
            show=False,
        ),
        Binding(
            "space,ctrl+t",
            "mark",
            texts.tui_contacts.UI_CONTACTS_MARK,
            id="contacts.mark",
            key_display="space",
        ),
        Binding("plus,ctrl+l", "add", texts.tui_contacts.UI_CONTACTS_ADD, id="contacts.add", key_display="+"),
        Binding(
            "minus,ctrl+g",
            "remove",
            texts.tui_contacts.UI_CONTACTS_REMOVE,
            id="contacts.remove",
            key_display="-",
        ),
        Binding(
            "ctrl+f",
            "add_filtered",
            texts.tui_contacts.UI_CONTACTS_ADD_FILTERED,
            id="contacts.add-filtered",
            show=False,
        ),
        Binding("ctrl+n", "new", texts.tui_contacts.UI_CONTACTS_NEW, id="contacts.new"),
        Binding("ctrl+o", "edit", texts.tui_contacts.UI_CONTACTS_EDIT, id="contacts.edit", show=False),
        Binding("delete", "delete", texts.tui_contacts.UI_CONTACTS_DELETE, id="contacts.delete", show=False),
        Binding("f8", "owner", texts.tui_contacts.UI_CONTACTS_OWNER, id="contacts.owner", show=False),
    ]
    COMMANDS = {lambda: ContactsCommands}
    DEFAULT_CSS = """
    ContactsScreen #owner-line { padding: 0 1; height: 1; color: $text-muted; }
    ContactsScreen #panes { height: 1fr; }
    ContactsScreen #left { width: 47; }
    ContactsScreen #right { width: 1fr; border-left: vkey $primary-muted; }
    ContactsScreen #filter { margin: 0 0 0 1; }
    ContactsScreen #list-title { padding: 0 1; height: 1; text-style: bold; }
    ContactsScreen OptionList { height: 1fr; scrollbar-size-vertical: 1; }
    ContactsScreen #contact-detail { height: 6; border-top: hkey $primary-muted; }
    ContactsScreen #contact-detail-left { width: 42; padding: 0 1; }
    ContactsScreen #contact-detail-right { width: 1fr; padding: 0 1; }
    ContactsScreen #contacts-status { height: 1; padding: 0 1; color: $accent; }
    ContactsScreen #contacts-status.-error { color: $error; }
    """

    def __init__(self) -> None:
        super().__init__()
        self.owner = ""
        self.owner_user: User | None = None
        self.index: list[IndexEntry] = []
        self.by_id: dict[int, Contact] = {}
        self.shown: list[Contact] = []
        self.more = 0
        self.listed: list[Contact] = []
        self.listed_ids: set[int] = set()
        self.states: dict[int, RemoteState] = {}
        self.marked: set[int] = set()
        self.is_admin = False

    # --- layout and loading ------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(id="owner-line", markup=False)
        with Horizontal(id="panes"):
            with Vertical(id="left"):
                yield Input(
                    placeholder=texts.tui_contacts.UI_CONTACTS_FILTER_HINT,
                    id="filter",
                    compact=True,
                    select_on_focus=False,
                )
                yield OptionList(id="matches", compact=True)
            with Vertical(id="right"):
                yield Static(id="list-title", markup=False)
                yield OptionList(id="listed", compact=True)
        with Horizontal(id="contact-detail"):
            yield Static(id="contact-detail-left", markup=False)
            yield Static(id="contact-detail-right", markup=False)
        yield Static(id="contacts-status", markup=False)
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#filter", Input).focus()
        self.reload()

    def on_screen_resume(self) -> None:
        self.reload()  # a sync or an import may have changed the contacts or their Outlook state

    @work(exclusive=True, group="contacts-load", exit_on_error=False)
    async def _load(self) -> None:
        contacts = self.services.contacts
        me = await self.services.people.get_user(self.viewer)
        self.is_admin = me.is_admin
        self.owner = self.owner or me.code
        self.owner_user = await self.services.people.get_user(self.owner)
        self.index = await contacts.index()
        self.by_id = {e.contact.id: e.contact for e in self.index if e.contact.id is not None}
        await self._load_list()
        self.shown, self.more = filter_contacts(self.index, self._query(), SHOWN)
        self._fill_matches()

    async def _load_list(self) -> None:
        self.listed = await self.services.contacts.sync_list(self.owner)
        self.listed_ids = {c.id for c in self.listed if c.id is not None}
        self.states = await self.services.contacts.remote_states(self.owner)
        self.marked &= set(self.by_id)
        self._fill_listed()

    def _query(self) -> str:
        return self.query_one("#filter", Input).value

    # --- the two lists ---------------------------------------------------------------------------

    def _match_row(self, contact: Contact) -> Content:
        mark = "●" if contact.id in self.marked else " "
        listed = "✓" if contact.id in self.listed_ids else " "
        who = contact.display_name
        return Content(
            f"{mark}{listed} {_cell(who, 20)} {_cell(contact.company, 12)} {_cell(contact.city, 8)}"
        )

    def _listed_row(self, contact: Contact) -> Content:
        mark = "●" if contact.id in self.marked else " "
        state = self.states.get(contact.id or 0)
        glyph = texts.tui_contacts.CONTACT_STATE_GLYPHS[state.state] if state else "+"
        return Content(f"{mark}{glyph} {contact.display_name}")

    def _fill_matches(self) -> None:
        matches = self.query_one("#matches", OptionList)
        options: list[Option] = [Option(self._match_row(c), id=str(c.id)) for c in self.shown]
        if self.more:
            options.append(
                Option(Content(texts.tui_contacts.contacts_more(self.more)), id=MORE_ID, disabled=True)
            )
        if not options:
            empty = (
                texts.tui_contacts.CONTACTS_NO_MATCH if self.index else texts.tui_contacts.CONTACTS_NONE_YET
            )
            options.append(Option(Content(empty), id=MORE_ID, disabled=True))
        matches.set_options(options)
        if self.shown:
            matches.highlighted = 0
        self._show_owner()
        self._show_detail()

    def _fill_listed(self) -> None:
        listed = self.query_one("#listed", OptionList)
        before = listed.highlighted
        options = [Option(self._listed_row(c), id=str(c.id)) for c in self.listed]
        if not options:
            options = [Option(Content(texts.tui_contacts.CONTACTS_LIST_EMPTY), id=MORE_ID, disabled=True)]
        listed.set_options(options)
        if self.listed:
            listed.highlighted = min(before or 0, len(self.listed) - 1)
        self.query_one("#list-title", Static).update(
            texts.tui_contacts.contacts_list_title(len(self.listed), self.services.contacts.limit)
        )
        self._show_owner()

    def _redraw_rows(self, ids: set[int]) -> None:
        """Redraw only the rows of these contacts (a mark changed), in both lists."""
        for list_id, row in (("#matches", self._match_row), ("#listed", self._listed_row)):
            widget = self.query_one(list_id, OptionList)
            for cid in ids:
                contact = self.by_id.get(cid)
                if contact is None:
                    continue
                try:
                    index = widget.get_option_index(str(cid))
                except Exception:  # not shown in this list (OptionDoesNotExist)
                    continue
                widget.replace_option_prompt_at_index(index, row(contact))
        self._show_owner()

    def _show_owner(self) -> None:
        user = self.owner_user
        if user is None:
            return
        self.query_one("#owner-line", Static).update(
            texts.tui_contacts.contacts_owner_line(
                user.code,
                user.full_name,
                len(self.listed),
                self.services.contacts.limit,
                len(self.marked),
                self.is_admin,
            )
        )

    # --- what is highlighted ---------------------------------------------------------------------

    def _focused_list(self) -> OptionList:
        focused = self.focused
        if isinstance(focused, OptionList) and focused.id == "listed":
            return focused
        return self.query_one("#matches", OptionList)

    def highlighted(self) -> Contact | None:
        """The contact under the cursor of the focused list (the CRM list while typing)."""
        option = self._focused_list().highlighted_option
        if option is None or option.id in (None, MORE_ID):
            return None
        return self.by_id.get(int(option.id))

    @on(OptionList.OptionHighlighted)
    def _highlight_moved(self) -> None:
        self._show_detail()

    def on_descendant_focus(self) -> None:
        self._show_detail()

    def _show_detail(self) -> None:
        contact = self.highlighted()
        left, right = "", texts.tui_contacts.CONTACTS_STATE_LEGEND
        if contact is not None and contact.id is not None:
            state = self.states.get(contact.id, RemoteState("never", contact.id in self.listed_ids))
            outlook = texts.tui_contacts.contact_outlook_state(
                state.state, state.listed, self._when(state.last_synced)
            )
            left, right = texts.tui_contacts.contact_detail(contact, outlook, contact.id in self.listed_ids)
        self.query_one("#contact-detail-left", Static).update(left)
        self.query_one("#contact-detail-right", Static).update(right)

    def _when(self, when: datetime | None) -> str:
        if when is None:
            return texts.sync.NEVER
        return when.astimezone(self.services.settings.tz).strftime("%Y-%m-%d %H:%M")

    def _say(self, text: str, *, error: bool = False) -> None:
        """The outcome of the last key, in place (and as a notification for a refusal)."""
        status = self.query_one("#contacts-status", Static)
        status.update(text)
        status.set_class(error, "-error")
        if error:
            self.notify(text, severity="error", markup=False)

    # --- typing and moving -----------------------------------------------------------------------

    @on(Input.Changed, "#filter")
    def _typed(self, event: Input.Changed) -> None:
        self._refilter(event.value)

    @work(exclusive=True, group="contacts-filter")
    async def _refilter(self, query: str) -> None:
        await asyncio.sleep(DEBOUNCE)  # a newer key cancels this one while it waits
        self.shown, self.more = filter_contacts(self.index, query, SHOWN)
        self._fill_matches()

    @on(Input.Submitted, "#filter")
    def _submitted(self) -> None:
        self.action_into_list()

    def action_into_list(self) -> None:
        self.query_one("#matches", OptionList).focus()

    def action_toggle_focus(self) -> None:
        """escape: from the filter into the list, from a list back to the filter."""
        if isinstance(self.focused, Input):
            self.action_into_list()
        else:
            self.query_one("#filter", Input).focus()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "into_list":  # down only leaves the filter; in a list it moves the cursor
            return isinstance(self.focused, Input)
        return True

    def on_key(self, event: events.Key) -> None:
        """A printable key in a list goes to the filter (type to filter from anywhere)."""
        character = event.character
        if isinstance(self.focused, OptionList) and event.is_printable and character not in (" ", "+", "-"):
            field = self.query_one("#filter", Input)
            field.focus()
            field.insert_text_at_cursor(character or "")
            event.stop()

    # --- marks and the list ----------------------------------------------------------------------

    def action_mark(self) -> None:
        """space: mark or unmark the highlighted contact, then step down (marks survive the filter)."""
        contact = self.highlighted()
        if contact is None or contact.id is None:
            self._say(texts.tui_contacts.CONTACTS_NOTHING_SELECTED)
            return
        self.marked ^= {contact.id}
        self._redraw_rows({contact.id})
        widget = self._focused_list()
        if widget.has_focus:
            widget.action_cursor_down()

    def _chosen(self) -> list[int]:
        """The marked contacts, else the highlighted one."""
        if self.marked:
            return [cid for cid in self.by_id if cid in self.marked]
        contact = self.highlighted()
        return [contact.id] if contact is not None and contact.id is not None else []

    def action_add(self) -> None:
        chosen = self._chosen()
        if not chosen:
            self._say(texts.tui_contacts.CONTACTS_NOTHING_SELECTED)
            return
        new = [cid for cid in chosen if cid not in self.listed_ids]
        if not new:
            self._say(texts.tui_contacts.CONTACTS_NOTHING_TO_ADD)
            return
        self._change_list(add=new, done=set(chosen))

    def action_remove(self) -> None:
        chosen = self._chosen()
        if not chosen:
            self._say(texts.tui_contacts.CONTACTS_NOTHING_SELECTED)
            return
        gone = [cid for cid in chosen if cid in self.listed_ids]
        if not gone:
            self._say(texts.tui_contacts.CONTACTS_NOTHING_TO_REMOVE)
            return
        self._change_list(remove=gone, done=set(chosen))

    @work(group=DIALOG_GROUP, exit_on_error=False)
    async def action_add_filtered(self) -> None:
        """ctrl+f: every contact the filter matches (not only those drawn), asking first when many."""
        matches, _ = filter_contacts(self.index, self._query(), len(self.index))
        new = [c.id for c in matches if c.id is not None and c.id not in self.listed_ids]
        if not new:
            self._say(texts.tui_contacts.CONTACTS_NOTHING_TO_ADD)
            return
        if len(new) > ASK_ABOVE:
            limit = self.services.contacts.limit
            asked = ConfirmDialog(
                texts.tui_contacts.contacts_add_filtered_question(len(new), self.owner),
                texts.tui_contacts.contacts_add_filtered_details(len(new), len(self.listed), limit),
            )
            if not await self.app.push_screen_wait(asked):
                return
        await self._apply(add=new, remove=[], done=set())

    @work(group="contacts-write", exit_on_error=False)
    async def _change_list(
        self, *, add: Sequence[int] = (), remove: Sequence[int] = (), done: set[int]
    ) -> None:
        await self._apply(add=list(add), remove=list(remove), done=done)

    async def _apply(self, *, add: list[int], remove: list[int], done: set[int]) -> None:
        """Change the list through the service; a refusal (past 2000) changes nothing, marks stay."""
        contacts = self.services.contacts
        try:
            if add:
                await contacts.add_to_sync_list(self.viewer, self.owner, add)
            if remove:
                await contacts.remove_from_sync_list(self.viewer, self.owner, remove)
        except UserError as error:
            self._say(error.message, error=True)
            return
        touched = (self.marked & done) | set(add) | set(remove)
        self.marked -= done
        await self._load_list()
        self._redraw_rows(touched)
        self._show_detail()
        if add:
            self._say(texts.tui_contacts.contacts_added(len(add), self.owner))
        else:
            self._say(texts.tui_contacts.contacts_removed(len(remove), self.owner))

    # --- whose list ------------------------------------------------------------------------------

    @work(group=DIALOG_GROUP, exit_on_error=False)
    async def action_owner(self) -> None:
        """f8: an administrator opens another user's list."""
        owners = await self.services.contacts.list_owners(self.viewer)
        if not self.is_admin or len(owners) < 2:
            self._say(texts.tui_contacts.CONTACTS_OWNER_ADMIN_ONLY, error=True)
            return
        picked = await self.app.push_screen_wait(OwnerPicker(owners, self.owner))
        if picked and picked != self.owner:
            self.owner = picked
            self.owner_user = await self.services.people.get_user(picked)
            self.marked.clear()
            await self._load_list()
            self._fill_matches()

    # --- the contacts themselves -------------------------------------------------------------------

    @on(OptionList.OptionSelected)
    def _selected(self) -> None:
        """enter on a contact: its form."""
        self.action_edit()

    def action_new(self) -> None:
        self._open_form(None)

    def action_edit(self) -> None:
        contact = self.highlighted()
        if contact is None:
            self._say(texts.tui_contacts.CONTACTS_NOTHING_SELECTED)
            return
        self._open_form(contact.id)

    @work(group=DIALOG_GROUP, exit_on_error=False)
    async def _open_form(self, contact_id: int | None) -> None:
        contact = None if contact_id is None else await self.services.contacts.get(contact_id)
        saved = await self.app.push_screen_wait(ContactForm(contact, self.services.contacts))
        if saved is not None:
            self._say(texts.changes.contact_saved(saved.display_name))
            self.reload()

    @work(group=DIALOG_GROUP, exit_on_error=False)
    async def action_delete(self) -> None:
        """delete: the highlighted contact leaves the CRM (asked first)."""
        contact = self.highlighted()
        if contact is None or contact.id is None:
            self._say(texts.tui_contacts.CONTACTS_NOTHING_SELECTED)
            return
        question = ConfirmDialog(
            texts.tui_contacts.contact_delete_question(contact.display_name),
            texts.tui_contacts.CONTACT_DELETE_DETAILS,
        )
        if not await self.app.push_screen_wait(question):
            return
        await self.services.contacts.delete(contact.id)
        self.marked.discard(contact.id)
        self._say(texts.changes.contact_deleted(contact.display_name))
        self.reload()


class ContactsCommands(Provider):
    """The Contacts screen's actions in the palette (ctrl+p): the route that needs no key at all."""

    def _commands(self) -> list[tuple[str, str, Callable[[], object]]]:
        screen = self.screen
        assert isinstance(screen, ContactsScreen)
        return [
            (f"Contacts: {texts.tui_contacts.UI_CONTACTS_ADD}", "+ / ctrl+l", screen.action_add),
            (f"Contacts: {texts.tui_contacts.UI_CONTACTS_REMOVE}", "- / ctrl+g", screen.action_remove),
            (
                f"Contacts: {texts.tui_contacts.UI_CONTACTS_ADD_FILTERED}",
                "ctrl+f",
                screen.action_add_filtered,
            ),
            (f"Contacts: {texts.tui_contacts.UI_CONTACTS_MARK}", "space / ctrl+t", screen.action_mark),
            (f"Contacts: {texts.tui_contacts.UI_CONTACTS_NEW}", "ctrl+n", screen.action_new),
            (f"Contacts: {texts.tui_contacts.UI_CONTACTS_EDIT}", "enter / ctrl+o", screen.action_edit),
            (f"Contacts: {texts.tui_contacts.UI_CONTACTS_DELETE}", "delete", screen.action_delete),
            (f"Contacts: {texts.tui_contacts.UI_CONTACTS_OWNER}", "f8", screen.action_owner),
        ]

    async def discover(self) -> Hits:
        for name, keys, run in self._commands():
            yield DiscoveryHit(name, run, help=keys)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for name, keys, run in self._commands():
            score = matcher.match(name)
            if score > 0:
                yield Hit(score, matcher.highlight(name), run, text=name, help=keys)


class OwnerPicker(ModalScreen[str | None]):
    """Whose contacts to sync an administrator opens; enter picks, escape goes back."""

    BINDINGS = [
        Binding("escape", "dismiss(None)", texts.tui_contacts.UI_CONTACT_CANCEL, id="contacts-owner.cancel")
    ]
    DEFAULT_CSS = """
    OwnerPicker { align: center middle; }
    OwnerPicker > Vertical { width: 60; height: auto; max-height: 20; border: thick $primary;
                             background: $surface; padding: 0 1; }
    OwnerPicker OptionList { height: auto; max-height: 14; }
    """

    def __init__(self, users: list[User], current: str) -> None:
        super().__init__()
        self.users = users
        self.current = current

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(texts.tui_contacts.CONTACTS_PICK_OWNER, markup=False)
            yield OptionList(*[Option(Content(f"{u.code:<10} {u.full_name}"), id=u.code) for u in self.users])

    def on_mount(self) -> None:
        options = self.query_one(OptionList)
        codes = [u.code for u in self.users]
        if self.current in codes:
            options.highlighted = codes.index(self.current)

    @on(OptionList.OptionSelected)
    def _picked(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)


@dataclass(frozen=True)
class _Field:
    name: str  # the form field, as CONTACT_FIELDS names it
    placeholder: str = ""


_FORM_FIELDS = (
    _Field("last_name"),
    _Field("first_name"),
    _Field("civility", "M., Mme, Dr…"),
    _Field("company"),
    _Field("job_title"),
    _Field("email", "name@company.com"),
    _Field("phone"),
    _Field("mobile"),
    _Field("address1"),
    _Field("address2"),
    _Field("address3"),
    _Field("postal_code"),
    _Field("city"),
    _Field("country"),
)


class ContactForm(ModalScreen[Contact | None]):
    """Create or edit a contact: ctrl+s saves (the domain validates: a refused value is named in place
    and nothing is saved), escape cancels, asking first if something changed. The photo comes from a
    file path (JPEG or PNG, at most 4 MB); ctrl+r removes the current one."""

    BINDINGS = [
        Binding("ctrl+s", "save", texts.tui_contacts.UI_CONTACT_SAVE, id="contact-form.save"),
        Binding("escape", "cancel", texts.tui_contacts.UI_CONTACT_CANCEL, id="contact-form.cancel"),
        Binding(
            "ctrl+r",
            "remove_photo",
            texts.tui_contacts.UI_CONTACT_REMOVE_PHOTO,
            id="contact-form.remove-photo",
        ),
        Binding("down", "app.focus_next", show=False, id="contact-form.next"),  # the note keeps its arrows
        Binding("up", "app.focus_previous", show=False, id="contact-form.previous"),
    ]
    DEFAULT_CSS = """
    ContactForm { align: center middle; }
    ContactForm > Vertical { width: 80; height: auto; max-height: 24; border: thick $primary;
                             background: $surface; padding: 0 1; }
    ContactForm .title { text-style: bold; }
    ContactForm Grid { grid-size: 4; grid-columns: 12 1fr 12 1fr; grid-rows: 1; height: auto;
                       grid-gutter: 0 1; }
    ContactForm .label { color: $text-muted; }
    ContactForm #note-row { height: 3; margin-top: 1; }
    ContactForm #note-row .label { width: 13; }
    ContactForm #note { height: 3; width: 1fr; background: $boost; }
    ContactForm #photo-state { color: $text-muted; }
    ContactForm #form-error { color: $error; height: auto; }
    ContactForm .hint { color: $text-muted; }
    """

    def __init__(self, contact: Contact | None, contacts: ContactsService) -> None:
        super().__init__()
        self.contact = contact
        self.contacts = contacts  # reads the photo file and saves, with the domain's checks
        self.drop_photo = False

    def _initial(self) -> dict[str, str]:
        c = self.contact
        if c is None:
            return {f.name: "" for f in _FORM_FIELDS} | {"photo": "", "note": ""}
        lines = (*c.address_lines, "", "", "")[:3]
        values = {
            f.name: str(getattr(c, f.name, "")) for f in _FORM_FIELDS if not f.name.startswith("address")
        }
        values |= {"address1": lines[0], "address2": lines[1], "address3": lines[2]}
        return values | {"photo": "", "note": c.note}

    def compose(self) -> ComposeResult:
        initial = self._initial()
        title = (
            texts.tui_contacts.CONTACT_FORM_NEW
            if self.contact is None
            else texts.tui_contacts.contact_form_title(self.contact.display_name)
        )
        with Vertical():
            yield Static(title, classes="title", markup=False)
            with Grid():
                for field in _FORM_FIELDS:
                    yield Static(texts.tui_contacts.CONTACT_FIELDS[field.name], classes="label", markup=False)
                    yield Input(
                        initial[field.name], placeholder=field.placeholder, id=field.name, compact=True
                    )
                yield Static(texts.tui_contacts.CONTACT_FIELDS["photo"], classes="label", markup=False)
                yield Input(placeholder=texts.tui_contacts.CONTACT_PHOTO_HINT, id="photo", compact=True)
                yield Static("", classes="label")
                yield Static(self._photo_state(), id="photo-state", markup=False)
            with Horizontal(id="note-row"):
                yield Static(texts.tui_contacts.CONTACT_FIELDS["note"], classes="label", markup=False)
                yield TextArea(initial["note"], id="note", compact=True, soft_wrap=True)
            yield Static("", id="form-error", markup=False)
            yield Static(texts.tui_contacts.CONTACT_FORM_KEYS, classes="hint", markup=False)

    def on_mount(self) -> None:
        self.query_one("#last_name", Input).focus()
        self._start = self._values()

    def _photo_state(self) -> str:
        if self.drop_photo or self.contact is None or self.contact.photo is None:
            return (
                texts.tui_contacts.CONTACT_PHOTO_REMOVED
                if self.drop_photo
                else texts.tui_contacts.CONTACT_NO_PHOTO
            )
        return texts.tui_contacts.contact_has_photo(len(self.contact.photo))

    def _values(self) -> dict[str, str]:
        values = {f.name: self.query_one(f"#{f.name}", Input).value for f in _FORM_FIELDS}
        values["photo"] = self.query_one("#photo", Input).value
        values["note"] = self.query_one("#note", TextArea).text
        values["drop_photo"] = str(self.drop_photo)
        return values

    def changed(self) -> bool:
        return self._values() != self._start

    def action_remove_photo(self) -> None:
        self.drop_photo = not self.drop_photo
        self.query_one("#photo-state", Static).update(self._photo_state())

    def _refuse(self, field: str, problem: str) -> None:
        """One clear line under the form, and the cursor on the field to fix; nothing is saved."""
        label = texts.tui_contacts.CONTACT_FIELDS.get(field, field)
        text = texts.tui_contacts.contact_refused(label, problem) if label else problem
        self.query_one("#form-error", Static).update(text)
        target = {"address_lines": "address1"}.get(field, field)
        widgets = self.query(f"#{target}")
        if widgets:
            widgets.first().focus()

    @work(exclusive=True, group="contact-form", exit_on_error=False)
    async def action_save(self) -> None:
        values = self._values()
        photo = None if self.drop_photo or self.contact is None else self.contact.photo
        if values["photo"].strip():
            try:
                photo = await self.contacts.read_photo(values["photo"])
            except UserError as error:
                self._refuse("photo", error.message)
                return
        try:
            contact = Contact(
                last_name=values["last_name"].strip(),
                first_name=values["first_name"].strip(),
                civility=values["civility"].strip(),
                company=values["company"].strip(),
                job_title=values["job_title"].strip(),
                email=values["email"],
                phone=values["phone"].strip(),
                mobile=values["mobile"].strip(),
                address_lines=tuple(values[f"address{n}"].strip() for n in (1, 2, 3)),
                postal_code=values["postal_code"].strip(),
                city=values["city"].strip(),
                country=values["country"].strip(),
                photo=photo,
                note=values["note"],
                id=None if self.contact is None else self.contact.id,
            )
        except InvalidValue as error:
            self._refuse(error.field, texts.domain.problem(error.reason))
            return
        try:
            saved = await self.contacts.save(contact)
        except UserError as error:
            self._refuse("", error.message)
            return
        self.dismiss(saved)

    @work(exclusive=True, group="contact-form", exit_on_error=False)
    async def action_cancel(self) -> None:
        if self.changed():
            asked = ConfirmDialog(
                texts.tui_contacts.CONTACT_DISCARD, texts.tui_contacts.CONTACT_DISCARD_DETAILS
            )
            if not await self.app.push_screen_wait(asked):
                return
        self.dismiss(None)
