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

    def reload(self) -> None:
        """Read again what the screen shows (its `_load` worker), once the App has built its services.
        Screens call it when mounted and when shown again: a sync or another screen may have changed it."""
        if self.is_mounted and self.tui.services is not None:
            self._load()

    def _load(self) -> object:
        """The screen's load worker (`@work(exclusive=True)`); screens that show stored data define it."""
        return None
