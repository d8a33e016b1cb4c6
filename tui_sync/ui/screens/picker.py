"""Who are you? Shown at start when neither --user, TUI_SYNC_USER, the config key `user` nor the login
name says which CRM user opens the application."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Footer, OptionList, Static
from textual.widgets.option_list import Option

from tui_sync import texts
from tui_sync.domain.models import User


class UserPicker(ModalScreen[str | None]):
    """The CRM users to pick from; enter picks, escape quits."""

    BINDINGS = [Binding("escape", "dismiss(None)", texts.tui.UI_QUIT, id="picker.quit")]
    DEFAULT_CSS = """
    UserPicker { align: center middle; }
    UserPicker > Vertical { width: 60; height: auto; max-height: 20; border: thick $primary;
                            background: $surface; padding: 0 1; }
    UserPicker OptionList { height: auto; max-height: 14; }
    """

    def __init__(self, users: list[User]) -> None:
        super().__init__()
        self.users = users

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(texts.tui.PICK_USER_TITLE, markup=False)
            yield OptionList(*[Option(f"{u.code:<10} {u.full_name}", id=u.code) for u in self.users])
        yield Footer()

    @on(OptionList.OptionSelected)
    def _picked(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)
