"""The agenda as people edit it: the actions of the owners the signed-in user may sync, day by day, and
every change to them (new, edit, duplicate, move, delete; a series as a whole or one occurrence of it).

Both front ends call this service and hold no rule of their own: the rights (a user edits their own
agenda, and another user's only with the agenda right), the reading of what was typed in a form (dates
as YYYY-MM-DD, times as HH:MM, a recurrence from a few words) and the shape of the day-grouped view
live here, once. A form's text is turned into a domain `Action` / `Series` by `parse`, which names every
refused field at once so a form can show one line per field and lose nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any, Literal

from tui_sync import texts
from tui_sync.config import Settings
from tui_sync.domain.models import (
    FALLBACK_ACTION_TYPE,
    INDEXES,
    MAX_INTERVAL,
    MAX_REMINDER_MINUTES,
    WEEKDAYS,
    Action,
    ActionType,
    InvalidValue,
    Pattern,
    RangeType,
    Recurrence,
    Series,
    User,
    check_note,
    entered_title,
)
from tui_sync.domain.period import Period
from tui_sync.domain.recurrence import expand
from tui_sync.errors import BadInput, NotFound
from tui_sync.store import Store
from tui_sync.sync.service import NotAllowed, SyncService

EntryKind = Literal["single", "occurrence", "exception"]
Repeat = Literal["", "daily", "weekly", "monthly", "monthly_nth", "yearly"]
Ends = Literal["never", "date", "count"]
REPEATS: tuple[Repeat, ...] = ("", "daily", "weekly", "monthly", "monthly_nth", "yearly")
ENDS: tuple[Ends, ...] = ("never", "date", "count")


@dataclass(frozen=True)
class Entry:
    """One line of the agenda: an action (a single one, or an occurrence of a series, plain or edited
    on its own) with the colour of its type."""

    action: Action
    kind: EntryKind
    colour: str

    @property
    def is_series(self) -> bool:
        return self.kind != "single"

    @property
    def key(self) -> str:
        """A stable key for a list row: the action id, or the series and the occurrence's original start."""
        if self.kind == "single":
            return f"a{self.action.id}"
        return f"s{self.action.series_id}@{self.action.original.isoformat()}"


@dataclass(frozen=True)
class AgendaDay:
    """A day of the view with its entries by start (all-day ones first)."""

    day: date
    entries: tuple[Entry, ...]


@dataclass(frozen=True)
class ActionDraft:
    """What an action form holds, as typed. `repeat` empty: a single action (or one occurrence)."""

    owner: str
    title: str
    start_day: str
    start_time: str
    end_day: str
    end_time: str
    all_day: bool = False
    action_type: str = FALLBACK_ACTION_TYPE
    private: bool = False
    reminder_on: bool = False
    reminder_minutes: str = "15"
    location: str = ""
    note: str = ""
    repeat: Repeat = ""
    interval: str = "1"
    days: tuple[str, ...] = ()
    ends: Ends = "never"
    until: str = ""
    count: str = ""


class DraftRefused(BadInput):
    """A form whose text cannot make an action: every refused field, each with its one line."""

    def __init__(self, problems: Sequence[tuple[str, str]]) -> None:
        super().__init__("\n".join(texts.tui_agenda.agenda_field_problem(f, p) for f, p in problems))
        self.problems = list(problems)


@dataclass
class _Problems:
    found: list[tuple[str, str]] = field(default_factory=list)

    def add(self, name: str, problem: str) -> None:
        if all(name != f for f, _ in self.found):
            self.found.append((name, problem))


def _day(text: str, name: str, problems: _Problems) -> date | None:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        problems.add(name, texts.domain.agenda_not_a_date(text.strip()))
        return None


def _clock_time(text: str, name: str, problems: _Problems) -> time | None:
    value = text.strip()
    try:
        hours, minutes = value.split(":")
        if len(minutes) != 2 or not (hours.isdigit() and minutes.isdigit()):
            raise ValueError(value)
        return time(int(hours), int(minutes))
    except ValueError:
        problems.add(name, texts.domain.agenda_not_a_time(value))
        return None


def _whole(text: str, name: str, low: int, high: int, problems: _Problems) -> int | None:
    value = text.strip()
    if not value.isdigit() or not low <= int(value) <= high:
        problems.add(name, texts.domain.agenda_not_a_number(low, high))
        return None
    return int(value)


def nth_weekday(day: date) -> tuple[str, str]:
    """Outlook's "2nd Tuesday" of `day`: its week index in the month (the fifth is "last") and weekday."""
    return INDEXES[min((day.day - 1) // 7, 4)], WEEKDAYS[day.weekday()]


def recurrence_of(draft: ActionDraft, start: date, problems: _Problems) -> Recurrence | None:
    """The rule a form's recurrence fields describe, the series starting on `start`."""
    # Exchange keeps a daily series up to every 999 days, a monthly one up to every 99 months
    # (learn.microsoft.com exchange/client-developer/web-service-reference: dailyrecurrence,
    # absolutemonthlyrecurrence); the form offers 99 for the other patterns too.
    interval = _whole(
        draft.interval, "interval", 1, MAX_INTERVAL if draft.repeat == "daily" else 99, problems
    )
    end_date: date | None = None
    count: int | None = None
    if draft.ends == "date":
        end_date = _day(draft.until, "until", problems)
        if end_date is not None and end_date < start:
            problems.add("until", texts.domain.AGENDA_UNTIL_BEFORE_START)
    elif draft.ends == "count":
        count = _whole(draft.count, "count", 1, 999, problems)
    if draft.repeat == "weekly" and not draft.days:
        problems.add("days", texts.domain.AGENDA_NO_DAY)
    if interval is None or problems.found:
        return None
    index, weekday = nth_weekday(start)
    patterns: dict[str, dict[str, Any]] = {
        "daily": {"pattern": "daily"},
        "weekly": {"pattern": "weekly", "days_of_week": tuple(draft.days)},
        "monthly": {"pattern": "absoluteMonthly", "day_of_month": start.day},
        "monthly_nth": {"pattern": "relativeMonthly", "days_of_week": (weekday,), "index": index},
        "yearly": {"pattern": "absoluteYearly", "day_of_month": start.day, "month": start.month},
    }
    range_types: dict[Ends, RangeType] = {"never": "noEnd", "date": "endDate", "count": "numbered"}
    try:
        return Recurrence(
            start_date=start,
            interval=interval,
            range_type=range_types[draft.ends],
            end_date=end_date,
            count=count,
            first_day_of_week="monday",
            **patterns[draft.repeat],
        )
    except InvalidValue as error:
        problems.add(error.field, texts.domain.problem(error.reason))
        return None


class AgendaService:
    """The agenda screens' and commands' one door to actions and series, rights checked on every call."""

    def __init__(
        self, store: Store, settings: Settings, sync: SyncService, clock: Callable[[], datetime]
    ) -> None:
        self.store = store
        self.settings = settings
        self.sync = sync
        self.clock = clock

    # --- who and when ------------------------------------------------------------------------------

    async def owners(self, viewer: str) -> list[User]:
        """The users whose agenda `viewer` may see and change: themselves, then those they hold the
        agenda right on (the same right that lets them sync it)."""
        users = await self.store.visible_users(viewer)
        return [u for u in users if await self.store.can_sync_agenda(viewer, u.code)]

    async def check(self, viewer: str, owner: str) -> User:
        """The owner, if `viewer` may change their agenda; NotAllowed saying why not otherwise."""
        user = await self.store.get_user(owner)
        if not await self.store.can_sync_agenda(viewer, user.code):
            raise NotAllowed(texts.errors.not_allowed_agenda(viewer.upper(), user.code))
        return user

    async def period(self, viewer: str) -> Period:
        """The viewer's sync period (months before / after today): the agenda shows what syncs."""
        return self.sync.default_period(await self.store.get_user(viewer))

    def today(self) -> date:
        return self.clock().astimezone(self.settings.tz).date()

    async def action_types(self) -> list[ActionType]:
        return await self.store.list_action_types()

    async def automatic(self, owner: str) -> bool:
        """Whether a saved change of `owner`'s single actions is pushed at once (Automatic on, and a
        Microsoft account and calendar to push to)."""
        user = await self.store.get_user(owner)
        return bool(user.prefs.automatic and user.prefs.calendar_name and user.home_account_id)

    # --- the view ----------------------------------------------------------------------------------

    async def days(self, viewer: str, owners: Iterable[str], first: date, last: date) -> list[AgendaDay]:
        """Every day from `first` to `last` (empty ones too) with the entries of `owners` on it, series
        expanded into their occurrences. An action spanning several days shows on each of them."""
        tz = self.settings.tz
        period = Period.from_dates(first, last, tz)
        colours = {t.label: t.colour for t in await self.store.list_action_types()}
        found: list[Entry] = []
        async with self.store.snapshot():
            for owner in dict.fromkeys(o.upper() for o in owners):
                await self.check(viewer, owner)
                for action in await self.store.single_actions(owner, period):
                    found.append(Entry(action, "single", colours.get(action.action_type, "#808080")))
                for series in await self.store.series_of(owner):
                    exceptions = {e.original_start for e in series.exceptions}
                    for action in expand(series, period):
                        kind: EntryKind = "exception" if action.original_start in exceptions else "occurrence"
                        found.append(Entry(action, kind, colours.get(action.action_type, "#808080")))
        result = []
        day = first
        while day <= last:
            start = datetime.combine(day, time(), tz)
            span = Period(start, datetime.combine(day + timedelta(days=1), time(), tz))
            entries = [e for e in found if span.overlaps(e.action.start, e.action.end)]
            entries.sort(key=lambda e: (not e.action.all_day, e.action.start, e.action.owner, e.action.title))
            result.append(AgendaDay(day, tuple(entries)))
            day += timedelta(days=1)
        return result

    # --- forms ---------------------------------------------------------------------------------------

    async def new_draft(self, owner: str, day: date | None = None) -> ActionDraft:
        """A new action's form: on `day` (today by default) at the next full hour, for one hour, with
        the first action type, so typing a title is enough."""
        tz = self.settings.tz
        now = self.clock().astimezone(tz)
        if day is None or day == now.date():
            start = now.replace(minute=0, second=0, microsecond=0) + timedelta(hours=1)
        else:
            start = datetime.combine(day, time(9, 0), tz)
        types = await self.store.list_action_types()
        return self.draft_of(
            Action(
                owner=owner.upper(),
                title="",
                start=start,
                end=start + timedelta(hours=1),
                action_type=types[0].label if types else FALLBACK_ACTION_TYPE,
            )
        )

    def draft_of(self, item: Action | Series) -> ActionDraft:
        """A form filled from an action or a series (the end day of an all-day item is its last day)."""
        tz = self.settings.tz
        start, end = item.start.astimezone(tz), item.end.astimezone(tz)
        if item.all_day:
            end = end - timedelta(days=1)
        draft = ActionDraft(
            owner=item.owner,
            title=item.title,
            start_day=start.date().isoformat(),
            start_time=start.strftime("%H:%M"),
            end_day=end.date().isoformat(),
            end_time=(item.end.astimezone(tz)).strftime("%H:%M"),
            all_day=item.all_day,
            action_type=item.action_type,
            private=item.private,
            reminder_on=item.reminder_on,
            reminder_minutes=str(item.reminder_minutes),
            location=item.location,
            note=item.note,
        )
        if not isinstance(item, Series):
            return draft
        r = item.recurrence
        repeats: dict[Pattern, Repeat] = {
            "daily": "daily",
            "weekly": "weekly",
            "absoluteMonthly": "monthly",
            "relativeMonthly": "monthly_nth",
            "absoluteYearly": "yearly",
            "relativeYearly": "yearly",
        }
        ends_of: dict[RangeType, Ends] = {"noEnd": "never", "endDate": "date", "numbered": "count"}
        repeat, ends = repeats[r.pattern], ends_of[r.range_type]
        return ActionDraft(
            **{
                **draft.__dict__,
                "repeat": repeat,
                "interval": str(r.interval),
                "days": r.days_of_week,
                "ends": ends,
                "until": r.end_date.isoformat() if r.end_date else "",
                "count": str(r.count) if r.count else "",
            }
        )

    def parse(self, draft: ActionDraft) -> tuple[Action, Recurrence | None]:
        """The action (and rule, for a series) a form describes; DraftRefused names every bad field.

        All-day: from the start day's midnight to the midnight after the end day (times ignored)."""
        problems = _Problems()
        tz = self.settings.tz
        title = ""
        try:
            title = entered_title(draft.title)
        except InvalidValue:
            problems.add("title", texts.domain.AGENDA_TITLE_REQUIRED)
        try:
            check_note(draft.note)
        except InvalidValue as error:
            problems.add("note", texts.domain.problem(error.reason))
        first = _day(draft.start_day, "start_day", problems)
        last = _day(draft.end_day, "end_day", problems)
        start_time = time() if draft.all_day else _clock_time(draft.start_time, "start_time", problems)
        end_time = time() if draft.all_day else _clock_time(draft.end_time, "end_time", problems)
        minutes = _whole(draft.reminder_minutes, "reminder_minutes", 0, MAX_REMINDER_MINUTES, problems)
        start = end = None
        if first and last and start_time is not None and end_time is not None:
            start = datetime.combine(first, start_time, tz)
            end = datetime.combine(last + timedelta(days=1) if draft.all_day else last, end_time, tz)
            if end < start or (draft.all_day and end == start) or (not draft.all_day and end == start):
                problems.add("end_day", texts.domain.AGENDA_END_BEFORE_START)
        recurrence = recurrence_of(draft, first, problems) if draft.repeat and first else None
        if problems.found or start is None or end is None:
            raise DraftRefused(problems.found)
        try:
            action = Action(
                owner=draft.owner,
                title=title,
                start=start,
                end=end,
                all_day=draft.all_day,
                location=draft.location.strip(),
                private=draft.private,
                reminder_on=draft.reminder_on,
                reminder_minutes=minutes if minutes is not None else 15,
                action_type=draft.action_type,
                note=draft.note,
            )
        except InvalidValue as error:
            raise DraftRefused([(error.field, texts.domain.problem(error.reason))]) from None
        return action, recurrence

    # --- changes ---------------------------------------------------------------------------------------

    async def owner_of(self, action_id: int) -> str:
        """Whose action this is (NotFound names the id): a script acts as the owner unless told."""
        return (await self.store.get_action(action_id)).owner

    async def series_owner_of(self, series_id: int) -> str:
        """Whose series this is (NotFound names the id)."""
        return (await self.store.get_series(series_id)).owner

    async def get_action(self, viewer: str, action_id: int) -> Action:
        action = await self.store.get_action(action_id)
        await self.check(viewer, action.owner)
        return action

    async def get_series(self, viewer: str, series_id: int) -> Series:
        series = await self.store.get_series(series_id)
        await self.check(viewer, series.owner)
        return series

    async def save_action(self, viewer: str, draft: ActionDraft, action_id: int | None = None) -> Action:
        """A single action from its form: added (no id) or written over the one with this id. A form
        asking for a recurrence makes a new series instead (see save_series)."""
        action, _ = self.parse(replace_repeat(draft, ""))
        await self.check(viewer, action.owner)
        if action_id is None:
            return await self.store.add_action(action)
        current = await self.get_action(viewer, action_id)
        if current.series_id is not None:
            raise BadInput(texts.domain.AGENDA_USE_OCCURRENCE)
        await self.check(viewer, current.owner)
        return await self.store.update_action(action.with_changes(id=action_id))

    async def duplicate(self, viewer: str, action: Action) -> Action:
        """A copy of an action (an occurrence's copy is a single action of its own)."""
        await self.check(viewer, action.owner)
        copy = action.with_changes(
            id=None, series_id=None, original_start=None, created_at=None, updated_at=None
        )
        return await self.store.add_action(copy)

    async def move(self, viewer: str, entry: Entry, days: int) -> Action:
        """Shift an action (or one occurrence) by whole days, its duration kept."""
        action = entry.action
        await self.check(viewer, action.owner)
        delta = timedelta(days=days)
        moved = action.with_changes(start=_shift(action.start, delta), end=_shift(action.end, delta))
        if entry.kind == "single":
            return await self.store.update_action(moved)
        return await self.store.set_exception(action.parent_series_id, moved)

    async def delete_action(self, viewer: str, action_id: int) -> bool:
        """Delete a single action; False if it was already gone."""
        try:
            action = await self.get_action(viewer, action_id)
        except NotFound:
            return False
        if action.series_id is not None:
            raise BadInput(texts.domain.AGENDA_USE_OCCURRENCE)
        return await self.store.delete_action(action_id)

    async def save_series(self, viewer: str, draft: ActionDraft, series_id: int | None = None) -> Series:
        """A series from its form (the form's start is the first occurrence's): added, or its template
        and rule written over the one with this id (its exceptions and cancellations kept)."""
        if not draft.repeat:
            raise DraftRefused([("repeat", texts.domain.AGENDA_NO_REPEAT)])
        action, recurrence = self.parse(draft)
        await self.check(viewer, action.owner)
        assert recurrence is not None  # parse gives a rule whenever the draft repeats
        series = Series(
            owner=action.owner,
            title=action.title,
            start=action.start,
            end=action.end,
            recurrence=recurrence,
            all_day=action.all_day,
            location=action.location,
            private=action.private,
            reminder_on=action.reminder_on,
            reminder_minutes=action.reminder_minutes,
            action_type=action.action_type,
            note=action.note,
        )
        if series_id is None:
            return await self.store.add_series(series)
        current = await self.get_series(viewer, series_id)
        return await self.store.update_series(series.with_changes(id=series_id, owner=current.owner))

    async def save_occurrence(self, viewer: str, occurrence: Action, draft: ActionDraft) -> Action:
        """One occurrence edited on its own ("this occurrence"): it becomes an exception of its series."""
        action, _ = self.parse(replace_repeat(draft, ""))
        series = await self.get_series(viewer, occurrence.parent_series_id)
        return await self.store.set_exception(
            series.stored_id,
            action.with_changes(owner=series.owner, original_start=occurrence.original_start),
        )

    async def cancel_occurrence(self, viewer: str, occurrence: Action) -> None:
        """Delete one occurrence of a series (the others stay)."""
        series = await self.get_series(viewer, occurrence.parent_series_id)
        await self.store.cancel_occurrence(series.stored_id, occurrence.original)

    async def delete_series(self, viewer: str, series_id: int) -> bool:
        """Delete a whole series, its exceptions and cancellations with it."""
        try:
            await self.get_series(viewer, series_id)
        except NotFound:
            return False
        return await self.store.delete_series(series_id)


def replace_repeat(draft: ActionDraft, repeat: Repeat) -> ActionDraft:
    return ActionDraft(**{**draft.__dict__, "repeat": repeat})


def _shift(when: datetime, delta: timedelta) -> datetime:
    """The same wall-clock time `delta` later (a 09:00 action moved over a DST change stays at 09:00)."""
    tz = when.tzinfo
    return (when.replace(tzinfo=None) + delta).replace(tzinfo=tz)
