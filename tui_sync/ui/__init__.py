"""The terminal application (Textual). Only `tui-sync` with no command imports this package: the
headless commands never load Textual.

    code = run_tui(settings, asked_user="CARINE")   # the exit code
"""

from __future__ import annotations

import asyncio
import getpass

from tui_sync.config import Settings
from tui_sync.services import Services
from tui_sync.store import Store
from tui_sync.ui.app import TuiSyncApp, binding_ids, make_app
from tui_sync.ui.keys import check_keymap

__all__ = ["TuiSyncApp", "make_app", "resolve_viewer", "run_tui"]


def _login_name() -> str | None:
    try:
        return getpass.getuser()
    except (OSError, KeyError):  # no login name (a container without a passwd entry)
        return None


async def resolve_viewer(settings: Settings, asked: str | None) -> str | None:
    """Who the application opens as: `asked` (--user), else the config's `user` (TUI_SYNC_USER), else
    the CRM user named like the login; None: the person picks. An unknown user raises UnknownUser."""
    store = await Store.open(settings.database, settings.tz, create_folder=settings.database_is_default)
    try:
        people = Services.build(store, settings).people
        user = await people.who_signs_in(asked or settings.user or None, _login_name())
        return user.code if user else None
    finally:
        await store.close()


def run_tui(settings: Settings, asked: str | None) -> int:
    """Open the application; refuses a bad `[keys]` table or an unknown user with one line first."""
    check_keymap(settings.keys, binding_ids())
    viewer = asyncio.run(resolve_viewer(settings, asked))
    app = make_app(settings, viewer=viewer)
    result = app.run()
    return result if isinstance(result, int) else (app.return_code or 0)
