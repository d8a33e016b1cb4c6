"""(being built) PreferencesScreen."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.widgets import Footer, Header

from tui_sync.ui.base import AppScreen


class PreferencesScreen(AppScreen):
    def compose(self) -> ComposeResult:
        yield Header()
        yield Footer()
