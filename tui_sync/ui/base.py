"""What every screen of the application shares: typed access to the App and its services."""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from textual.screen import Screen

if TYPE_CHECKING:
    from tui_sync.services import Services
    from tui_sync.ui.app import TuiSyncApp


class AppScreen(Screen[None]):
    """A top-level screen (one mode of the App)."""

    @property
    def tui(self) -> TuiSyncApp:
        return cast("TuiSyncApp", self.app)

    @property
    def services(self) -> Services:
        return self.tui.services

    @property
    def viewer(self) -> str:
        """The signed-in CRM user's code."""
        return self.tui.viewer
