"""The SQLite connection under the store: opening, schema migrations, transactions, datetime codec.

One aiosqlite connection per `Store`, in autocommit mode so that transactions are ours: `transaction()`
issues BEGIN IMMEDIATE (the write lock up front, so a second process waits on busy_timeout instead of
failing half-way) and nested calls from the same task join it. WAL lets other processes read meanwhile.
Migrations are `migrations/NNNN_name.sql`, applied in order from `PRAGMA user_version`.
"""

from __future__ import annotations

import asyncio
import dataclasses
import functools
import re
import sqlite3
import unicodedata
from collections.abc import AsyncIterator, Callable, Iterable, Sequence
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from contextvars import ContextVar
from datetime import UTC, date, datetime
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any, Self, TypeVar
from zoneinfo import ZoneInfo

import aiosqlite

from tui_sync import texts
from tui_sync.domain.models import DEFAULT_ACTION_TYPES
from tui_sync.errors import StoreError
from tui_sync.private import private_file
from tui_sync.store.preflight import check_database_file

if TYPE_CHECKING:
    from _typeshed import DataclassInstance

BUSY_SECONDS = 5.0  # how long to wait for another process's write transaction before giving up
_TIME_FORMAT = "%Y-%m-%dT%H:%M:%S.%fZ"
_MIGRATION_NAME = re.compile(r"^(\d{4})_\w+\.sql$")
# The transactions the current task (and the tasks it started) runs inside, one marker per transaction.
_ACTIVE_TRANSACTIONS: ContextVar[frozenset[object]] = ContextVar("tui_sync_transactions", default=frozenset())

Clock = Callable[[], datetime]
_Record = TypeVar("_Record", bound="DataclassInstance")


def user_code(code: str) -> str:
    """User codes are upper-case in the database, whatever case a caller typed."""
    return code.strip().upper()


def from_row(cls: type[_Record], row: sqlite3.Row, /, **decoded: Any) -> _Record:
    """The one way a row becomes a dataclass: each column named like a field fills it as stored, and
    `decoded` gives the fields whose stored form differs (times, booleans, JSON, renamed or split
    columns). Columns that are no field of `cls` are left out, so one row can feed two dataclasses."""
    names = _field_names(cls)
    stored = zip(row.keys(), row, strict=True)  # a Row iterates over its values, not its keys
    return cls(**{key: value for key, value in stored if key in names} | decoded)


@functools.cache
def _field_names(cls: type[DataclassInstance]) -> frozenset[str]:
    return frozenset(f.name for f in dataclasses.fields(cls))


def utc_now() -> datetime:
    return datetime.now(UTC)


def is_disk_full(error: BaseException) -> bool:
    """SQLite's SQLITE_FULL: the disk (or the file's page limit) is full (sqlite.org/rescode.html#full)."""
    return isinstance(error, sqlite3.OperationalError) and error.sqlite_errorcode == sqlite3.SQLITE_FULL


def encode_time(when: datetime) -> str:
    """An aware datetime as fixed-width UTC text: equal instants give equal text, text order is time order."""
    if when.tzinfo is None or when.utcoffset() is None:
        raise ValueError(f"naive datetime {when!r} cannot be stored")
    return when.astimezone(UTC).strftime(_TIME_FORMAT)


def decode_time(text: str, tz: ZoneInfo) -> datetime:
    return datetime.fromisoformat(text).astimezone(tz)


def fold(text: str | None) -> str:
    """Text for matching what a user types: case and accents ignored ('emile' finds 'Émile')."""
    decomposed = unicodedata.normalize("NFKD", text or "")
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def _sql_text(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _seed_sql() -> str:
    """What a new database starts with: the ADM user and the default action types."""
    admin_name = _sql_text(texts.changes.ADMIN_FULL_NAME)
    rows = [f"INSERT INTO users (code, full_name, is_admin) VALUES ('ADM', {admin_name}, 1);"]
    rows += [
        f"INSERT INTO action_types (label, colour) VALUES ({_sql_text(t.label)}, {_sql_text(t.colour)});"
        for t in DEFAULT_ACTION_TYPES
    ]
    return "\n".join(rows)


def migrations() -> list[tuple[int, str]]:
    """(version, SQL) of every shipped migration, in order."""
    found = []
    for entry in resources.files("tui_sync.store.migrations").iterdir():
        match = _MIGRATION_NAME.match(entry.name)
        if match:
            found.append((int(match.group(1)), entry.read_text(encoding="utf-8")))
    return sorted(found)


class Database:
    """The connection, its transactions and the conversions every repository needs."""

    def __init__(self, db: aiosqlite.Connection, path: Path, tz: ZoneInfo, now: Clock) -> None:
        self._db = db
        self.path = path
        self.tz = tz
        self._now = now
        self._lock = asyncio.Lock()
        self._marker: object | None = None

    @classmethod
    async def open(
        cls,
        path: Path,
        tz: ZoneInfo,
        *,
        now: Clock = utc_now,
        schema: Sequence[tuple[int, str]] | None = None,
        busy_seconds: float = BUSY_SECONDS,
        create_folder: bool = True,
    ) -> Self:
        """Open (creating it on first use) and migrate the database at `path`; a file that is not ours
        to write is refused untouched (`preflight`). `create_folder`: create a missing folder (the
        default location) instead of refusing (a path the user gave). `schema` replaces the shipped
        migrations (tests of future upgrades); `busy_seconds` is how long a write waits for another
        process's transaction before StoreError says the database is busy."""
        path = Path(path)
        await asyncio.to_thread(
            check_database_file, path, create_folder=create_folder, busy_seconds=busy_seconds
        )
        try:
            private_file(path)  # created owner-only: it holds the whole CRM
            db = await aiosqlite.connect(path, isolation_level=None)
        except (OSError, sqlite3.Error) as error:
            raise StoreError(texts.errors.database_unusable(path, str(error))) from None
        db.row_factory = sqlite3.Row
        try:
            await db.execute(f"PRAGMA busy_timeout = {int(busy_seconds * 1000)}")
            await db.execute("PRAGMA journal_mode = WAL")
            await db.execute("PRAGMA foreign_keys = ON")
            await db.execute("PRAGMA synchronous = NORMAL")
            await db.create_function("tui_fold", 1, fold, deterministic=True)
            store = cls(db, path, tz, now)
            await store._migrate(migrations() if schema is None else sorted(schema))
        except sqlite3.DatabaseError as error:
            await db.close()
            if getattr(error, "sqlite_errorname", "") == "SQLITE_BUSY":  # a migration waited too long
                raise StoreError(texts.errors.database_busy(path)) from None
            raise StoreError(texts.errors.database_unusable(path, str(error))) from None
        except BaseException:
            await db.close()
            raise
        return store

    async def close(self) -> None:
        await self._db.close()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    async def schema_version(self) -> int:
        row = await self._one("PRAGMA user_version")
        return int(row[0]) if row else 0

    async def _migrate(self, shipped: Sequence[tuple[int, str]]) -> None:
        """Bring the schema to the newest version; each step is one transaction with its version bump,
        so a crash leaves the database at a whole version."""
        current = await self.schema_version()
        newest = shipped[-1][0] if shipped else 0
        if current > newest:
            raise StoreError(texts.errors.database_too_new(self.path, current, newest))
        for version, sql in shipped:
            if version <= current:
                continue
            seed = _seed_sql() if current == 0 and version == shipped[0][0] else ""
            script = f"BEGIN IMMEDIATE;\n{sql}\n{seed}\nPRAGMA user_version = {version};\nCOMMIT;"
            try:
                await self._db.executescript(script)
            except BaseException:
                if self._db.in_transaction:
                    await self._db.execute("ROLLBACK")
                raise

    # --- transactions ----------------------------------------------------------------------------

    def _joined(self) -> bool:
        return self._marker is not None and self._marker in _ACTIVE_TRANSACTIONS.get()

    def transaction(self) -> AbstractAsyncContextManager[None]:
        """One SQLite transaction: committed when the block ends, rolled back if it raises. A nested
        call (same task, or a task started inside the block) joins the transaction it is in."""
        return self._transaction("BEGIN IMMEDIATE")

    def snapshot(self) -> AbstractAsyncContextManager[None]:
        """A read transaction: the reads inside it see one consistent state of the database."""
        return self._transaction("BEGIN DEFERRED")

    @asynccontextmanager
    async def _transaction(self, begin: str) -> AsyncIterator[None]:
        if self._joined():
            yield
            return
        async with self._lock:
            marker = object()
            token = _ACTIVE_TRANSACTIONS.set(_ACTIVE_TRANSACTIONS.get() | {marker})
            self._marker = marker
            try:
                try:
                    await self._db.execute(begin)
                except sqlite3.OperationalError:  # another process kept the write lock too long
                    raise StoreError(texts.errors.database_busy(self.path)) from None
                except BaseException:  # cancelled: BEGIN still runs in aiosqlite's thread, so undo it
                    await self._db.rollback()  # (queued behind it; a no-op if it never began)
                    raise
                try:
                    yield
                    await self._db.execute("COMMIT")
                except BaseException as error:
                    # (SQLite has already rolled back after some errors, SQLITE_FULL among them:
                    # rollback() is a no-op then, where a plain ROLLBACK would fail and hide the cause)
                    await self._db.rollback()
                    if is_disk_full(error):
                        raise StoreError(texts.errors.disk_full(self.path)) from None
                    raise
            finally:
                self._marker = None
                _ACTIVE_TRANSACTIONS.reset(token)

    @asynccontextmanager
    async def _reading(self) -> AsyncIterator[None]:
        """A single read waits for another task's transaction to end (they share the connection),
        unless it runs inside that transaction."""
        if self._joined():
            yield
            return
        async with self._lock:
            yield

    # --- statements ------------------------------------------------------------------------------

    async def _rows(self, sql: str, params: Sequence[Any] = ()) -> list[sqlite3.Row]:
        async with self._reading(), self._db.execute(sql, params) as cursor:
            return list(await cursor.fetchall())

    async def _one(self, sql: str, params: Sequence[Any] = ()) -> sqlite3.Row | None:
        async with self._reading(), self._db.execute(sql, params) as cursor:
            return await cursor.fetchone()

    async def _write(self, sql: str, params: Sequence[Any] = ()) -> tuple[int, int | None]:
        """Run one write inside the current transaction (or its own); (rows changed, last row id)."""
        async with self.transaction(), self._db.execute(sql, params) as cursor:
            return cursor.rowcount, cursor.lastrowid

    async def _insert(self, sql: str, params: Sequence[Any] = ()) -> int:
        """Run one INSERT of one row; the new row's id."""
        _, row_id = await self._write(sql, params)
        if row_id is None:  # sqlite3 sets lastrowid after every successful one-row INSERT
            raise StoreError(texts.errors.database_unusable(self.path, texts.errors.REASON_NO_ROW_ID))
        return row_id

    async def _write_many(self, sql: str, rows: Iterable[Sequence[Any]]) -> None:
        async with self.transaction():
            await self._db.executemany(sql, rows)

    # --- conversions -----------------------------------------------------------------------------

    def now(self) -> datetime:
        """The store's clock (UTC), injectable so tests can move time (leases, timestamps)."""
        return self._now()

    def _t(self, when: datetime | None) -> str | None:
        return None if when is None else encode_time(when)

    def _time(self, text: str) -> datetime:
        return decode_time(text, self.tz)

    def _maybe_time(self, text: str | None) -> datetime | None:
        return None if text is None else decode_time(text, self.tz)

    def _day(self, text: str | None) -> date | None:
        return None if text is None else date.fromisoformat(text)
