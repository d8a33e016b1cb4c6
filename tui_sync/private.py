"""Owner-only files and folders: the database, the token cache and the log hold CRM data, refresh tokens
and what went wrong, so tui-sync creates them readable by their owner alone (files 0600, folders 0700)
whatever the umask says.

Only what tui-sync creates is made private: an existing folder (the home directory, a shared data
folder an administrator set up) or an existing database keeps the rights it was given on purpose.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

FILE_MODE = 0o600
FOLDER_MODE = 0o700


def private_folder(folder: Path) -> None:
    """Create `folder` and each missing parent 0700 (`Path.mkdir(parents=True)` gives the parents the
    umask's rights, not `mode`); folders that already exist are left as they are."""
    folder = Path(folder).expanduser()
    missing = []
    while not folder.exists() and folder != folder.parent:
        missing.append(folder)
        folder = folder.parent
    for path in reversed(missing):
        with contextlib.suppress(FileExistsError):  # another process made it meanwhile
            path.mkdir(mode=FOLDER_MODE)
            path.chmod(FOLDER_MODE)  # mkdir's mode is filtered by the umask: 0700 means 0700


def private_file(path: Path) -> Path:
    """Create `path` empty and 0600 (and its missing folders 0700) unless it exists; returns it.
    SQLite then creates the database's `-wal` and `-shm` files with the database file's rights."""
    path = Path(path).expanduser()
    private_folder(path.parent)
    with contextlib.suppress(FileExistsError):
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE))
        os.chmod(path, FILE_MODE)
    return path
