"""A yes/no question: `y` or enter on Yes answers True, `n` or escape False (Posting's confirmation)."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Static

from tui_sync import texts


class ConfirmDialog(ModalScreen[bool]):
    """Asks `question`; `details` says what follows. The safe answer (No) is focused first."""

    BINDINGS = [
        Binding("y", "answer(True)", texts.tui.UI_YES, id="confirm.yes"),
        Binding("n,escape", "answer(False)", texts.tui.UI_NO, id="confirm.no"),
    ]
    DEFAULT_CSS = """
    ConfirmDialog { align: center middle; }
    ConfirmDialog > Vertical { width: 64; height: auto; border: thick $warning; padding: 0 1;
                               background: $surface; }
    ConfirmDialog .question { text-style: bold; margin-bottom: 1; }
    ConfirmDialog Horizontal { height: auto; align-horizontal: right; margin-top: 1; }
    ConfirmDialog Button { margin-left: 1; }
    """

    def __init__(self, question: str, details: str = "", *, yes: str = "", no: str = "") -> None:
        super().__init__()
        self.question = question
        self.details = details
        self.yes_label = yes or texts.tui.UI_YES
        self.no_label = no or texts.tui.UI_NO

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(self.question, classes="question", markup=False)
            if self.details:
                yield Static(self.details, markup=False)
            with Horizontal():
                yield Button(f"{self.yes_label} (y)", id="yes", variant="warning", compact=True)
                yield Button(f"{self.no_label} (n)", id="no", compact=True)

    def on_mount(self) -> None:
        self.query_one("#no", Button).focus()

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "yes")

    def action_answer(self, answer: bool) -> None:
        self.dismiss(answer)
