"""The database setting pointing at something tui-sync must not or cannot use: one line on stderr, exit 1,
and the file exactly as it was (a real second SQLite connection for the lock, a real read-only file).

Each case runs `python -m tui_sync` in a fresh process, so what reaches the user is all of it, including
what a background thread would print after the command returned."""

from __future__ import annotations

import contextlib
import hashlib
import os
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tui_sync import texts


def tui_sync(tmp_path: Path, database: Path | None, *args: str) -> subprocess.CompletedProcess[str]:
    """`tui-sync ARGS` with a config naming `database` (None: the default location), everything else
    kept in tmp_path."""
    config = tmp_path / "config.toml"
    lines = [f"database = {str(database)!r}"] if database is not None else []
    lines += ['timezone = "Europe/Paris"', f"log_file = {str(tmp_path / 'log.txt')!r}"]
    config.write_text("\n".join(lines) + "\n", encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.upper().startswith("TUI_SYNC_")}
    env |= {"TUI_SYNC_CONFIG": str(config), "XDG_DATA_HOME": str(tmp_path / "data")}
    return subprocess.run(
        [sys.executable, "-m", "tui_sync", *args], capture_output=True, text=True, env=env, timeout=60
    )


def one_line(done: subprocess.CompletedProcess[str], code: int = 1) -> str:
    assert done.returncode == code, done.stderr
    assert done.stderr.count("\n") == 1 and done.stderr.startswith("tui-sync: "), done.stderr
    return done.stderr


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def dump(path: Path) -> list[str]:
    with contextlib.closing(sqlite3.connect(path)) as db:
        return list(db.iterdump())


@pytest.fixture
def crm(tmp_path: Path) -> Path:
    """A tui-sync database with one user added."""
    database = tmp_path / "crm.sqlite3"
    assert tui_sync(tmp_path, database, "user", "add", "PAUL", "Paul").returncode == 0
    return database


def test_a_folder_is_refused_in_one_line(tmp_path: Path) -> None:
    folder = tmp_path / "crm.sqlite3"
    folder.mkdir()
    done = tui_sync(tmp_path, folder, "user", "list")
    assert one_line(done) == f"tui-sync: {texts.errors.database_is_folder(folder)}\n"
    assert list(folder.iterdir()) == []


def test_a_missing_folder_is_an_error_not_a_new_crm(tmp_path: Path) -> None:
    database = tmp_path / "nope" / "dir" / "crm.sqlite3"
    done = tui_sync(tmp_path, database, "user", "list")
    assert one_line(done) == f"tui-sync: {texts.errors.database_folder_missing(database)}\n"
    assert not (tmp_path / "nope").exists()


def test_the_default_location_is_created_on_first_use(tmp_path: Path) -> None:
    done = tui_sync(tmp_path, None, "user", "list")
    assert done.returncode == 0, done.stderr
    created = tmp_path / "data" / "tui-sync" / "crm.sqlite3"
    assert created.is_file()
    assert (created.parent.stat().st_mode & 0o777) == 0o700


def test_another_programs_sqlite_file_is_refused_untouched(tmp_path: Path) -> None:
    other = tmp_path / "places.sqlite"
    with contextlib.closing(sqlite3.connect(other)) as db:
        db.executescript("CREATE TABLE moz_places (url TEXT); INSERT INTO moz_places VALUES ('x');")
        db.execute("PRAGMA user_version = 3")
    before, files = digest(other), sorted(tmp_path.iterdir())
    done = tui_sync(tmp_path, other, "user", "add", "PAUL", "Paul")
    assert one_line(done) == f"tui-sync: {texts.errors.database_not_ours(other, ['moz_places'])}\n"
    assert digest(other) == before
    assert sorted(p for p in tmp_path.iterdir() if p.name not in ("config.toml", "log.txt")) == files
    with contextlib.closing(sqlite3.connect(other)) as db:
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "delete"  # never switched to WAL


def test_a_file_that_is_not_sqlite_is_refused_untouched(tmp_path: Path) -> None:
    notes = tmp_path / "notes.txt"
    notes.write_text("shopping list\n" * 200)
    before = digest(notes)
    done = tui_sync(tmp_path, notes, "user", "list")
    assert one_line(done).startswith(f"tui-sync: database {notes} cannot be used: file is not a database")
    assert digest(notes) == before


def test_a_database_from_a_newer_tui_sync_is_refused_untouched(tmp_path: Path, crm: Path) -> None:
    with contextlib.closing(sqlite3.connect(crm)) as db:
        db.execute("PRAGMA user_version = 999")
    before = dump(crm)
    done = tui_sync(tmp_path, crm, "user", "add", "ANNE", "Anne")
    assert "written by a newer tui-sync (schema 999" in one_line(done)
    assert dump(crm) == before


@contextlib.contextmanager
def read_only(path: Path) -> Iterator[None]:
    """`path` made unwritable for this process: mode 0444, and immutable (chattr +i) when we run as
    root, who may write whatever the mode says."""
    path.chmod(0o444)
    immutable = os.geteuid() == 0
    if immutable and subprocess.run(["chattr", "+i", str(path)], capture_output=True).returncode != 0:
        path.chmod(0o644)
        pytest.skip("running as root on a file system without chattr +i: cannot make a read-only file")
    try:
        yield
    finally:
        if immutable:
            subprocess.run(["chattr", "-i", str(path)], check=True)
        path.chmod(0o644)


def test_a_read_only_database_is_refused_before_anything_changes(tmp_path: Path, crm: Path) -> None:
    before = dump(crm)
    with read_only(crm):
        done = tui_sync(tmp_path, crm, "user", "add", "ANNE", "Anne")
        assert one_line(done) == f"tui-sync: {texts.errors.database_read_only(crm, crm)}\n"
    assert dump(crm) == before


@pytest.mark.slow
def test_a_database_locked_by_another_process_is_one_line_after_a_short_wait(
    tmp_path: Path, crm: Path
) -> None:
    """The whole path in a real process, waiting SQLite's full busy timeout (5 s, not settable from the
    configuration): left to the slow run. The default run keeps its parts: the store refusing a write
    blocked by another process with the busy line and working again once the lock is gone
    (tests/integration/test_store_db.py, with a short timeout), and a database StoreError reaching the
    user as one line with the file untouched (the read-only database above)."""
    before = dump(crm)
    with contextlib.closing(sqlite3.connect(crm, isolation_level=None)) as other:
        other.execute("BEGIN IMMEDIATE")  # another program holds the write lock
        other.execute("UPDATE users SET full_name = 'Paul (being edited)' WHERE code = 'PAUL'")
        started = time.monotonic()
        done = tui_sync(tmp_path, crm, "user", "add", "ANNE", "Anne")
        waited = time.monotonic() - started
        other.execute("ROLLBACK")
    assert one_line(done) == f"tui-sync: {texts.errors.database_busy(crm)}\n"
    assert waited < 15  # the busy wait (5 s) and no more: never a hang
    assert dump(crm) == before
    assert tui_sync(tmp_path, crm, "user", "add", "ANNE", "Anne").returncode == 0  # lock gone: it works
