"""Before a database file is opened for writing: is it one tui-sync may write to?

Opening a file with SQLite and switching it to WAL already changes it, so a file we have not recognised
is looked at through a read-only connection first (`mode=ro`, https://www.sqlite.org/uri.html) and
refused untouched: another program's SQLite file, a file that is not SQLite, a folder, a file we cannot
write. A path whose folder does not exist is refused too, unless the caller allows creating it (the
default location in the user data dir, created on first use): a typo in the config must not quietly
start an empty CRM somewhere else.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
from pathlib import Path

from tui_sync import texts
from tui_sync.errors import StoreError
from tui_sync.private import private_folder

# Tables every tui-sync database has had since its first schema: a file holding them is ours.
OUR_TABLES = frozenset({"settings", "users", "rights", "action_types", "actions", "contacts", "sync_runs"})


def check_database_file(path: Path, *, create_folder: bool, busy_seconds: float) -> None:
    """Raise StoreError (one line, nothing written) unless `path` is a new file in an existing (or
    creatable) folder, an empty file, or a tui-sync database we can write."""
    if path.is_dir():
        raise StoreError(texts.errors.database_is_folder(path))
    folder = path.parent
    if not path.exists():
        if not folder.is_dir():
            if not create_folder:
                raise StoreError(texts.errors.database_folder_missing(path))
            try:
                private_folder(folder)
            except OSError as error:
                raise StoreError(texts.errors.database_unusable(path, error.strerror or str(error))) from None
        if not os.access(folder, os.W_OK | os.X_OK):
            raise StoreError(texts.errors.database_read_only(path, folder))
        return
    if not os.access(path, os.R_OK | os.W_OK):
        raise StoreError(texts.errors.database_read_only(path, path))
    if not os.access(folder, os.W_OK | os.X_OK):  # SQLite writes its journal beside the file
        raise StoreError(texts.errors.database_read_only(path, folder))
    if path.stat().st_size == 0:
        return
    tables = _tables(path, busy_seconds)
    if tables and not OUR_TABLES.issubset(tables):
        raise StoreError(texts.errors.database_not_ours(path, sorted(tables)))


def _tables(path: Path, busy_seconds: float) -> set[str]:
    """The names of the file's tables, read without writing anything to it."""
    uri = path.absolute().as_uri() + "?mode=ro"
    try:
        with contextlib.closing(sqlite3.connect(uri, uri=True, timeout=busy_seconds)) as db:
            rows = db.execute("SELECT name FROM sqlite_master WHERE type = 'table'").fetchall()
    except sqlite3.Error as error:
        if getattr(error, "sqlite_errorname", "") == "SQLITE_BUSY":
            raise StoreError(texts.errors.database_busy(path)) from None
        raise StoreError(texts.errors.database_unusable(path, str(error))) from None
    return {name for (name,) in rows if not name.startswith("sqlite_")}
