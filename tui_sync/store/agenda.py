"""Action types, actions and series (with their exceptions and cancelled occurrences).

Single actions and series exceptions share the `actions` table: an exception is a row with `series_id`
and the `original_start` the recurrence gives it. Action types are referenced by label with
ON UPDATE CASCADE, so renaming a type renames it on every action and series.

A series goes in and comes out `aligned` (starting on its first occurrence, as Outlook keeps it), so a
series whose given start does not fit its rule, or one stored before that rule, never compares unequal
with its Outlook copy.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import Any

from tui_sync import texts
from tui_sync.domain.models import Action, ActionType, InvalidValue, Recurrence, Series
from tui_sync.domain.period import Period
from tui_sync.domain.recurrence import aligned
from tui_sync.domain.refusals import SeriesOccurrence, UnknownActionType
from tui_sync.errors import AlreadyExists, NotFound
from tui_sync.store.db import from_row, user_code
from tui_sync.store.users import UsersRepo

_TEMPLATE = (
    "owner, title, location, start_at, end_at, all_day, private, reminder_on, reminder_minutes, "
    "action_type, note"
)
_ACTION_COLUMNS = f"id, {_TEMPLATE}, series_id, original_start, created_at, updated_at"
_RECURRENCE = (
    "pattern, start_date, interval, days_of_week, day_of_month, month, week_index, first_day_of_week, "
    "range_type, end_date, range_count"
)
_SERIES_COLUMNS = f"id, {_TEMPLATE}, {_RECURRENCE}, created_at, updated_at"


def _marks(columns: str) -> str:
    return ", ".join("?" for _ in columns.split(","))


def _assignments(columns: str) -> str:
    return ", ".join(f"{c.strip()} = ?" for c in columns.split(","))


def _recurrence_values(r: Recurrence) -> tuple[object, ...]:
    return (
        r.pattern,
        r.start_date.isoformat(),
        r.interval,
        ",".join(r.days_of_week),
        r.day_of_month,
        r.month,
        r.index,
        r.first_day_of_week,
        r.range_type,
        r.end_date.isoformat() if r.end_date else None,
        r.count,
    )


class AgendaRepo(UsersRepo):
    """The agenda side of the CRM."""

    # --- action types ----------------------------------------------------------------------------

    async def list_action_types(self) -> list[ActionType]:
        rows = await self._rows("SELECT id, label, colour FROM action_types ORDER BY id")
        return [from_row(ActionType, r) for r in rows]

    async def add_action_type(self, action_type: ActionType) -> ActionType:
        async with self.transaction():
            if await self._one("SELECT 1 FROM action_types WHERE label = ?", (action_type.label,)):
                raise AlreadyExists(texts.errors.action_type_exists(action_type.label))
            _, new_id = await self._write(
                "INSERT INTO action_types (label, colour) VALUES (?, ?)",
                (action_type.label, action_type.colour),
            )
        return ActionType(action_type.label, action_type.colour, new_id)

    async def update_action_type(self, action_type: ActionType) -> ActionType:
        """Relabel / recolour the type with this id; actions and series follow a new label."""
        async with self.transaction():
            clash = await self._one(
                "SELECT 1 FROM action_types WHERE label = ? AND id <> ?", (action_type.label, action_type.id)
            )
            if clash:
                raise AlreadyExists(texts.errors.action_type_exists(action_type.label))
            changed, _ = await self._write(
                "UPDATE action_types SET label = ?, colour = ? WHERE id = ?",
                (action_type.label, action_type.colour, action_type.id),
            )
            if not changed:
                raise NotFound(texts.errors.not_found("action type", action_type.id))
        return action_type

    async def _check_refs(self, owner: str, action_type: str) -> None:
        """Clear messages for what the foreign keys would refuse anyway."""
        await self.get_user(owner)
        if not await self._one("SELECT 1 FROM action_types WHERE label = ?", (action_type,)):
            raise InvalidValue("action_type", UnknownActionType(action_type))

    # --- actions ---------------------------------------------------------------------------------

    def _decoded_template(self, row: sqlite3.Row) -> dict[str, Any]:
        """The fields an action row and a series row both store in another form: times and booleans."""
        return {
            "start": self._time(row["start_at"]),
            "end": self._time(row["end_at"]),
            "all_day": bool(row["all_day"]),
            "private": bool(row["private"]),
            "reminder_on": bool(row["reminder_on"]),
            "created_at": self._time(row["created_at"]),
            "updated_at": self._time(row["updated_at"]),
        }

    def _action(self, row: sqlite3.Row) -> Action:
        return from_row(
            Action, row, original_start=self._maybe_time(row["original_start"]), **self._decoded_template(row)
        )

    def _template(self, item: Action | Series) -> tuple[object, ...]:
        return (
            user_code(item.owner),
            item.title,
            item.location,
            self._t(item.start),
            self._t(item.end),
            int(item.all_day),
            int(item.private),
            int(item.reminder_on),
            item.reminder_minutes,
            item.action_type,
            item.note,
        )

    async def add_action(self, action: Action) -> Action:
        """Add a single (non-series) action; returns it with its id and timestamps."""
        if action.series_id is not None:
            raise InvalidValue("series_id", SeriesOccurrence())
        async with self.transaction():
            await self._check_refs(action.owner, action.action_type)
            now = self._t(self.now())
            _, new_id = await self._write(
                f"INSERT INTO actions ({_TEMPLATE}, created_at, updated_at) "
                f"VALUES ({_marks(_TEMPLATE)}, ?, ?)",
                (*self._template(action), now, now),
            )
            return await self.get_action(new_id)

    async def add_actions(self, actions: Sequence[Action]) -> list[Action]:
        """Add single actions in one transaction, as `add_action` does one by one; returns them with
        their ids and timestamps, in order. A pull copies hundreds of Outlook events at once: one
        statement for all of them, not several per action."""
        if any(a.series_id is not None for a in actions):
            raise InvalidValue("series_id", SeriesOccurrence())
        if not actions:
            return []
        async with self.transaction():
            for owner, action_type in {(a.owner, a.action_type) for a in actions}:
                await self._check_refs(owner, action_type)
            now = self._t(self.now())
            # Inside the write transaction nobody else inserts, and AUTOINCREMENT ids only grow: the
            # new rows are exactly those past the highest id, in insertion order.
            last = await self._one("SELECT COALESCE(MAX(id), 0) FROM actions")
            await self._write_many(
                f"INSERT INTO actions ({_TEMPLATE}, created_at, updated_at) "
                f"VALUES ({_marks(_TEMPLATE)}, ?, ?)",
                [(*self._template(a), now, now) for a in actions],
            )
            rows = await self._rows(
                f"SELECT {_ACTION_COLUMNS} FROM actions WHERE id > ? ORDER BY id", (last[0] if last else 0,)
            )
        return [self._action(row) for row in rows]

    async def get_action(self, action_id: int | None) -> Action:
        row = await self._one(f"SELECT {_ACTION_COLUMNS} FROM actions WHERE id = ?", (action_id,))
        if row is None:
            raise NotFound(texts.errors.not_found("action", action_id))
        return self._action(row)

    async def update_action(self, action: Action) -> Action:
        """Write every field of the action with this id (an exception keeps its series link); bumps
        updated_at."""
        async with self.transaction():
            await self._check_refs(action.owner, action.action_type)
            changed, _ = await self._write(
                f"UPDATE actions SET {_assignments(_TEMPLATE)}, updated_at = ? WHERE id = ?",
                (*self._template(action), self._t(self.now()), action.id),
            )
            if not changed:
                raise NotFound(texts.errors.not_found("action", action.id))
            return await self.get_action(action.id)

    async def delete_action(self, action_id: int) -> bool:
        """Delete an action (or an exception row); False if it was already gone."""
        changed, _ = await self._write("DELETE FROM actions WHERE id = ?", (action_id,))
        return changed > 0

    async def single_actions(self, owner: str, period: Period) -> list[Action]:
        """The owner's non-series actions overlapping `period` (same rule as Period.overlaps), by start."""
        start, end = self._t(period.start), self._t(period.end)
        rows = await self._rows(
            f"SELECT {_ACTION_COLUMNS} FROM actions WHERE owner = ? AND series_id IS NULL "
            "AND start_at < ? AND (end_at > ? OR start_at >= ?) ORDER BY start_at, id",
            (user_code(owner), end, start, start),
        )
        return [self._action(row) for row in rows]

    # --- series ----------------------------------------------------------------------------------

    def _series(
        self, row: sqlite3.Row, exceptions: Iterable[Action], cancelled: Iterable[datetime]
    ) -> Series:
        recurrence = from_row(
            Recurrence,
            row,
            start_date=date.fromisoformat(row["start_date"]),
            days_of_week=tuple(d for d in row["days_of_week"].split(",") if d),
            index=row["week_index"],
            end_date=self._day(row["end_date"]),
            count=row["range_count"],
        )
        return aligned(
            from_row(
                Series,
                row,
                recurrence=recurrence,
                exceptions=tuple(exceptions),
                cancelled=frozenset(cancelled),
                **self._decoded_template(row),
            )
        )

    async def _load_series(self, where: str, params: tuple[object, ...]) -> list[Series]:
        """Series matching `where`, each with its exceptions and cancellations (three queries in all)."""
        async with self.snapshot():
            rows = await self._rows(f"SELECT {_SERIES_COLUMNS} FROM series WHERE {where} ORDER BY id", params)
            inner = f"SELECT id FROM series WHERE {where}"
            exception_rows = await self._rows(
                f"SELECT {_ACTION_COLUMNS} FROM actions WHERE series_id IN ({inner}) ORDER BY original_start",
                params,
            )
            cancel_rows = await self._rows(
                f"SELECT series_id, original_start FROM series_cancellations WHERE series_id IN ({inner})",
                params,
            )
        exceptions: dict[int, list[Action]] = {}
        for row in exception_rows:
            exceptions.setdefault(row["series_id"], []).append(self._action(row))
        cancelled: dict[int, list[datetime]] = {}
        for row in cancel_rows:
            cancelled.setdefault(row["series_id"], []).append(self._time(row["original_start"]))
        return [self._series(r, exceptions.get(r["id"], ()), cancelled.get(r["id"], ())) for r in rows]

    async def get_series(self, series_id: int | None) -> Series:
        found = await self._load_series("id = ?", (series_id,))
        if not found:
            raise NotFound(texts.errors.not_found("series", series_id))
        return found[0]

    async def series_of(self, owner: str) -> list[Series]:
        return await self._load_series("owner = ?", (user_code(owner),))

    async def add_series(self, series: Series) -> Series:
        """Add a series with its exceptions and cancellations; returns it as stored."""
        series = aligned(series)
        async with self.transaction():
            await self._check_refs(series.owner, series.action_type)
            now = self._t(self.now())
            new_id = await self._insert(
                f"INSERT INTO series ({_TEMPLATE}, {_RECURRENCE}, created_at, updated_at) "
                f"VALUES ({_marks(_TEMPLATE)}, {_marks(_RECURRENCE)}, ?, ?)",
                (*self._template(series), *_recurrence_values(series.recurrence), now, now),
            )
            for exception in series.exceptions:
                await self.set_exception(new_id, exception)
            for original_start in series.cancelled:
                await self.cancel_occurrence(new_id, original_start)
            return await self.get_series(new_id)

    async def update_series(self, series: Series) -> Series:
        """Write the template and the recurrence (exceptions and cancellations are left as they are)."""
        series = aligned(series)
        async with self.transaction():
            await self._check_refs(series.owner, series.action_type)
            changed, _ = await self._write(
                f"UPDATE series SET {_assignments(_TEMPLATE)}, {_assignments(_RECURRENCE)}, updated_at = ? "
                "WHERE id = ?",
                (
                    *self._template(series),
                    *_recurrence_values(series.recurrence),
                    self._t(self.now()),
                    series.id,
                ),
            )
            if not changed:
                raise NotFound(texts.errors.not_found("series", series.id))
            return await self.get_series(series.id)

    async def delete_series(self, series_id: int) -> bool:
        """Delete a series with its exceptions and cancellations; False if it was already gone."""
        changed, _ = await self._write("DELETE FROM series WHERE id = ?", (series_id,))
        return changed > 0

    async def _touch_series(self, series_id: int) -> None:
        changed, _ = await self._write(
            "UPDATE series SET updated_at = ? WHERE id = ?", (self._t(self.now()), series_id)
        )
        if not changed:
            raise NotFound(texts.errors.not_found("series", series_id))

    async def set_exception(self, series_id: int, action: Action) -> Action:
        """Insert or replace the occurrence edited on its own at `action.original_start` (which also
        un-cancels that occurrence). The owner is the series'."""
        async with self.transaction():
            owner_row = await self._one("SELECT owner FROM series WHERE id = ?", (series_id,))
            if owner_row is None:
                raise NotFound(texts.errors.not_found("series", series_id))
            action = action.with_changes(series_id=series_id, owner=owner_row["owner"])
            await self._check_refs(action.owner, action.action_type)
            now = self._t(self.now())
            original = self._t(action.original_start)
            await self._write(
                f"INSERT INTO actions ({_TEMPLATE}, series_id, original_start, created_at, updated_at) "
                f"VALUES ({_marks(_TEMPLATE)}, ?, ?, ?, ?) "
                f"ON CONFLICT (series_id, original_start) DO UPDATE SET "
                + ", ".join(f"{c.strip()} = excluded.{c.strip()}" for c in _TEMPLATE.split(","))
                + ", updated_at = excluded.updated_at",
                (*self._template(action), series_id, original, now, now),
            )
            await self._write(
                "DELETE FROM series_cancellations WHERE series_id = ? AND original_start = ?",
                (series_id, original),
            )
            row = await self._one(
                f"SELECT {_ACTION_COLUMNS} FROM actions WHERE series_id = ? AND original_start = ?",
                (series_id, original),
            )
            if row is None:  # the upsert above wrote it
                raise NotFound(texts.errors.not_found("action", f"{series_id}@{original}"))
            return self._action(row)

    async def remove_exception(self, series_id: int, original_start: datetime) -> bool:
        """Back to the plain occurrence at `original_start`; False if there was no exception there."""
        changed, _ = await self._write(
            "DELETE FROM actions WHERE series_id = ? AND original_start = ?",
            (series_id, self._t(original_start)),
        )
        return changed > 0

    async def cancel_occurrence(self, series_id: int, original_start: datetime) -> None:
        """Delete the occurrence at `original_start` (and its exception, if it had one)."""
        async with self.transaction():
            await self._touch_series(series_id)
            original = self._t(original_start)
            await self._write(
                "INSERT OR IGNORE INTO series_cancellations (series_id, original_start) VALUES (?, ?)",
                (series_id, original),
            )
            await self._write(
                "DELETE FROM actions WHERE series_id = ? AND original_start = ?", (series_id, original)
            )

    async def restore_occurrence(self, series_id: int, original_start: datetime) -> None:
        """Undo a cancellation: the plain occurrence is back."""
        async with self.transaction():
            await self._touch_series(series_id)
            await self._write(
                "DELETE FROM series_cancellations WHERE series_id = ? AND original_start = ?",
                (series_id, self._t(original_start)),
            )
