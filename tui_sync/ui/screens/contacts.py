"""(being built) ContactsScreen."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.widgets import Footer, Header

from tui_sync.ui.base import AppScreen


class ContactsScreen(AppScreen):
    def compose(self) -> ComposeResult:
        yield Header()
        yield Footer()
