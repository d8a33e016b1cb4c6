"""The deletion dialogs of a sync: an item deleted in Microsoft 365, asked one at a time, and the
mass-deletion warning that comes first when one sync would delete many.

A plain key never deletes more than one item: `y` deletes this one, `n` keeps it, escape keeps all the
remaining ones; deleting all the remaining ones takes a modifier (`ctrl+y`) or shift (`Y`, for terminals
that swallow ctrl keys).
"""

from __future__ import annotations

from datetime import tzinfo

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Footer, Static

from tui_sync import texts
from tui_sync.sync.events import Decision, DeletionRequest

DIALOG_CSS = """
    align: center middle;
    & > Vertical { width: 70; height: auto; border: thick $error; padding: 0 1; background: $surface; }
    & .title { text-style: bold; }
    & .item { margin: 1 0; }
    & .keys { color: $text-muted; }
"""


class ConfirmDeletion(ModalScreen[Decision]):
    """One item deleted in Microsoft 365 that the CRM still holds: delete it from the CRM, or keep it
    (it is then written back to Microsoft 365)."""

    BINDINGS = [
        Binding("y", "decide('delete')", texts.tui.UI_DELETE, id="delete-confirm.delete"),
        Binding("n", "decide('keep')", texts.tui.UI_KEEP, id="delete-confirm.keep"),
        Binding("ctrl+y,Y", "decide('delete_all')", texts.tui.UI_DELETE_ALL, id="delete-confirm.delete-all"),
        Binding("escape", "decide('keep_all')", texts.tui.UI_KEEP_ALL, id="delete-confirm.keep-all"),
    ]
    DEFAULT_CSS = "ConfirmDeletion {" + DIALOG_CSS + "}"

    def __init__(self, request: DeletionRequest, owner: str, tz: tzinfo) -> None:
        super().__init__()
        self.request = request
        self.owner = owner
        self.tz = tz

    def compose(self) -> ComposeResult:
        r = self.request
        remaining = r.total - r.index + 1
        cancelled = r.reason == "cancelled"  # a meeting its organiser cancelled, asked like a deletion
        title = texts.sync.cancelled_title if cancelled else texts.sync.deletion_title
        with Vertical():
            yield Static(title(r.index, r.total), classes="title", markup=False)
            yield Static(
                texts.sync.deletion_item(r.kind, r.title, r.start, self.owner, self.tz),
                classes="item",
                markup=False,
            )
            yield Static(
                texts.sync.CANCELLED_QUESTION if cancelled else texts.sync.DELETION_QUESTION, markup=False
            )
            yield Static(texts.sync.deletion_keys(remaining), classes="keys", markup=False)
        yield Footer()

    def action_decide(self, decision: str) -> None:
        self.dismiss(Decision(decision))


class ConfirmMassDeletion(ModalScreen[bool]):
    """Asked before any single deletion when one sync would delete more than half of the synced items
    (or more than 50): `y` goes on to the one-by-one questions, `n` or escape stops the sync before it
    writes anything."""

    BINDINGS = [
        Binding("y", "answer(True)", texts.tui.UI_CONTINUE, id="mass-delete.continue"),
        Binding("n,escape", "answer(False)", texts.tui.UI_STOP_SYNC, id="mass-delete.stop"),
    ]
    DEFAULT_CSS = "ConfirmMassDeletion {" + DIALOG_CSS + "}"

    def __init__(self, deletions: int, linked: int) -> None:
        super().__init__()
        self.deletions = deletions
        self.linked = linked

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(texts.sync.MASS_DELETION_TITLE, classes="title", markup=False)
            yield Static(
                texts.sync.mass_deletion_warning(self.deletions, self.linked), classes="item", markup=False
            )
            yield Static(texts.sync.MASS_DELETION_KEYS, classes="keys", markup=False)
        yield Footer()

    def action_answer(self, answer: bool) -> None:
        self.dismiss(answer)
