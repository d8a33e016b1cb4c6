"""What the agenda state machine needs besides its rules: the drafts it generates, a plain reading of both
sides (independent of the engine's mapping), the Outlook user's Graph calls, a sync killed after N Graph
requests or N SQL statements, and the model of what each item should have become.

Everything here talks to the same world as the scenario tests (`tests.sync.conftest.open_world`): the
fake Microsoft 365 over HTTPS, a real SQLite store, the real SyncService. Nothing of ours is mocked.
"""

from __future__ import annotations

import asyncio
import enum
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from hypothesis import strategies as st

from tests.sync.conftest import UPN, World
from tui_sync.domain.models import Action, Recurrence, Series
from tui_sync.domain.period import Period
from tui_sync.domain.recurrence import expand
from tui_sync.errors import SyncBusy
from tui_sync.microsoft.mapping import STAMP_EXPAND, STAMP_PROPERTY_ID
from tui_sync.store.links import Link
from tui_sync.sync.agenda_parts import KEPT_CANCELLED, occurrence_key

PARIS = ZoneInfo("Europe/Paris")
OWNER = "CARINE"
TITLES = ("Appel", "Point", "Visite", "Réunion")  # few, so equal contents and equal titles happen often
FIRST_DAY = date(2026, 12, 1)
DAYS = 78  # 1 Dec 2026 – 16 Feb 2027: inside the period (26 Oct – 26 Feb) with a weekly series' room
ZONES = ("Romance Standard Time", "UTC")  # how the Outlook user writes times (Paris's Windows name, UTC)
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")

T = TypeVar("T")

# --- what is compared ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Shape:
    """What both sides must agree on for one item. Timed items: UTC instants; all-day items: the first
    and the exclusive last day (all-day events float in Outlook, so only their dates mean anything)."""

    title: str
    start: str
    end: str
    all_day: bool = False
    private: bool = False
    reminder: bool = False

    def __str__(self) -> str:
        flags = "".join(f for f, on in (("A", self.all_day), ("P", self.private), ("R", self.reminder)) if on)
        return f"{self.title!r} {self.start}→{self.end}{' ' + flags if flags else ''}"


def action_shape(action: Action) -> Shape:
    """The shape of a CRM action (or occurrence), read directly from its fields."""
    if action.all_day:
        first = action.start.astimezone(PARIS).date()
        last = action.end.astimezone(PARIS).date()
        return Shape(
            action.title, first.isoformat(), last.isoformat(), True, action.private, action.reminder_on
        )
    return Shape(
        action.title,
        _instant(action.start),
        _instant(action.end),
        False,
        action.private,
        action.reminder_on,
    )


def event_shape(event: dict[str, Any]) -> Shape:
    """The shape of an Outlook event as Graph gives it (times in UTC: no `Prefer: outlook.timezone`)."""
    private = str(event.get("sensitivity") or "normal") != "normal"
    reminder = bool(event.get("isReminderOn"))
    if event.get("isAllDay"):
        first, last = event["start"]["dateTime"][:10], event["end"]["dateTime"][:10]
        return Shape(event.get("subject") or "", first, last, True, private, reminder)
    return Shape(
        event.get("subject") or "",
        _instant(_graph_time(event["start"])),
        _instant(_graph_time(event["end"])),
        False,
        private,
        reminder,
    )


def _graph_time(value: dict[str, str]) -> datetime:
    assert value["timeZone"] == "UTC", value  # we never ask Graph for another zone
    return datetime.fromisoformat(value["dateTime"][:19]).replace(tzinfo=UTC)


def _instant(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%MZ")


def original_start(event: dict[str, Any]) -> datetime:
    """Where the recurrence put an Outlook occurrence (Graph's `originalStart`, UTC)."""
    return datetime.fromisoformat(event["originalStart"].replace("Z", "+00:00")).astimezone(UTC)


# --- what the machine generates -----------------------------------------------------------------------


@dataclass(frozen=True)
class Draft:
    """The content the CRM user or the Outlook user types for a single item."""

    title: str
    day: int  # days after FIRST_DAY
    hour: int
    minute: int
    minutes: int  # duration of a timed item
    all_day: bool
    days: int  # length of an all-day item
    private: bool
    reminder: bool

    @property
    def first_day(self) -> date:
        return FIRST_DAY + timedelta(days=self.day)

    def span(self) -> tuple[datetime, datetime]:
        """Start and end in Paris (midnight to midnight for an all-day item)."""
        if self.all_day:
            start = datetime.combine(self.first_day, time(), PARIS)
            return start, datetime.combine(self.first_day + timedelta(days=self.days), time(), PARIS)
        start = datetime.combine(self.first_day, time(self.hour, self.minute), PARIS)
        return start, start + timedelta(minutes=self.minutes)

    def shape(self) -> Shape:
        return action_shape(self.action())

    def action(self, **changes: Any) -> Action:
        start, end = self.span()
        return Action(
            OWNER,
            self.title,
            start,
            end,
            all_day=self.all_day,
            private=self.private,
            reminder_on=self.reminder,
        ).with_changes(**changes)

    def changes(self) -> dict[str, Any]:
        """The fields an edit of an existing CRM action writes."""
        start, end = self.span()
        return {
            "title": self.title,
            "start": start,
            "end": end,
            "all_day": self.all_day,
            "private": self.private,
            "reminder_on": self.reminder,
        }

    def event(self, zone: str) -> dict[str, Any]:
        """The Graph body the Outlook user sends (POST or PATCH), times written in `zone`."""
        tz = PARIS if zone != "UTC" else UTC
        if self.all_day:
            first, last = self.first_day, self.first_day + timedelta(days=self.days)
            start = {"dateTime": f"{first.isoformat()}T00:00:00", "timeZone": zone}
            end = {"dateTime": f"{last.isoformat()}T00:00:00", "timeZone": zone}
        else:
            begin, finish = self.span()
            start = {"dateTime": begin.astimezone(tz).strftime("%Y-%m-%dT%H:%M:%S"), "timeZone": zone}
            end = {"dateTime": finish.astimezone(tz).strftime("%Y-%m-%dT%H:%M:%S"), "timeZone": zone}
        return {
            "subject": self.title,
            "start": start,
            "end": end,
            "isAllDay": self.all_day,
            "sensitivity": "private" if self.private else "normal",
            "isReminderOn": self.reminder,
        }


def drafts() -> st.SearchStrategy[Draft]:
    return st.builds(
        Draft,
        title=st.sampled_from(TITLES),
        day=st.integers(0, DAYS - 1),
        hour=st.integers(7, 19),
        minute=st.sampled_from((0, 30)),
        minutes=st.sampled_from((30, 60, 90)),
        all_day=st.sampled_from((False, False, False, True)),  # one in four
        days=st.integers(1, 2),
        private=st.booleans(),
        reminder=st.booleans(),
    )


@dataclass(frozen=True)
class SeriesDraft:
    """A numbered, timed series as either user creates it: weekly (count ≤ 6) or monthly on day 29–31
    (count ≤ 3, from November: the 31st falls on 30 November, as Outlook does), written with a start
    `skew` days before its first occurrence (the series then starts on that occurrence, as in Outlook)."""

    title: str
    day: int
    hour: int
    count: int
    month_day: int = 0  # 0: weekly; 29–31: monthly on that day
    skew: int = 0

    def first_start(self) -> datetime:
        """The first occurrence's start (Outlook's meaning, computed here without our expansion)."""
        if self.month_day:
            return datetime.combine(date(2026, 11, min(self.month_day, 30)), time(self.hour), PARIS)
        return datetime.combine(FIRST_DAY + timedelta(days=self.day), time(self.hour), PARIS)

    def given_start(self) -> datetime:
        """The start the user writes: `skew` days before the first occurrence."""
        return self.first_start() - timedelta(days=self.skew)

    def originals(self) -> list[datetime]:
        """The original starts of every occurrence (all inside the period), in UTC."""
        first = self.first_start()
        if self.month_day:  # November, December, January: the 31st is the 30th in November
            days = [date(2026, 11, min(self.month_day, 30)), date(2026, 12, self.month_day)]
            days.append(date(2027, 1, self.month_day))
            return [datetime.combine(d, time(self.hour), PARIS).astimezone(UTC) for d in days[: self.count]]
        return [(first + timedelta(weeks=k)).astimezone(UTC) for k in range(self.count)]

    def occurrence_shape(self, original: datetime) -> Shape:
        return Shape(self.title, _instant(original), _instant(original + timedelta(hours=1)))

    def _pattern(self) -> dict[str, Any]:
        if self.month_day:
            return {"type": "absoluteMonthly", "interval": 1, "dayOfMonth": self.month_day}
        return {"type": "weekly", "interval": 1, "daysOfWeek": [WEEKDAYS[self.first_start().weekday()]]}

    def series(self) -> Series:
        given, pattern = self.given_start(), self._pattern()
        rule = Recurrence(
            pattern["type"],
            given.date(),
            days_of_week=tuple(pattern.get("daysOfWeek", ())),
            day_of_month=pattern.get("dayOfMonth"),
            range_type="numbered",
            count=self.count,
        )
        return Series(OWNER, self.title, given, given + timedelta(hours=1), rule)

    def master(self) -> dict[str, Any]:
        given = self.given_start()
        wall = given.strftime("%Y-%m-%dT%H:%M:%S")
        end = (given + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%S")
        return {
            "subject": self.title,
            "start": {"dateTime": wall, "timeZone": "Romance Standard Time"},
            "end": {"dateTime": end, "timeZone": "Romance Standard Time"},
            "isReminderOn": False,
            "recurrence": {
                "pattern": self._pattern(),
                "range": {
                    "type": "numbered",
                    "startDate": given.date().isoformat(),
                    "numberOfOccurrences": self.count,
                },
            },
        }


def series_drafts() -> st.SearchStrategy[SeriesDraft]:
    weekly = st.builds(
        SeriesDraft,
        title=st.sampled_from(TITLES),
        day=st.integers(0, DAYS - 7 * 6),
        hour=st.integers(8, 18),
        count=st.integers(1, 6),
        skew=st.integers(0, 6),
    )
    monthly = st.builds(
        SeriesDraft,
        title=st.sampled_from(TITLES),
        day=st.just(0),
        hour=st.integers(8, 18),
        count=st.integers(1, 3),
        month_day=st.integers(29, 31),
        skew=st.integers(0, 3),
    )
    return st.one_of(weekly, weekly, monthly)


# --- both sides, read plainly ---------------------------------------------------------------------------


@dataclass
class Sides:
    """Both sides after a sync, as a user (CRM) and the Outlook user (Graph) see them."""

    crm_singles: dict[int, Action]
    crm_series: dict[int, Series]
    events: dict[str, dict[str, Any]]  # singleInstance events of the CRM calendar
    masters: dict[str, dict[str, Any]]
    instances: dict[str, list[dict[str, Any]]]  # by master id, inside the period
    links: dict[str, dict[str, Link]]  # by kind, then CRM key

    def crm_occurrences(self, series_id: int, period: Period) -> dict[datetime, Action]:
        """The CRM occurrences of a series in the period, by original start (UTC)."""
        return {
            o.original_start.astimezone(UTC): o  # type: ignore[union-attr]
            for o in expand(self.crm_series[series_id], period)
        }

    def outlook_occurrences(self, master_id: str) -> dict[datetime, dict[str, Any]]:
        return {original_start(e): e for e in self.instances.get(master_id, [])}


class OutlookUser:
    """The Outlook user: plain Graph calls on the CRM calendar (no retries, so never under faults)."""

    def __init__(self, world: World) -> None:
        self.world = world
        self._calendar: str | None = None

    async def calendar(self) -> str:
        if self._calendar is None:
            self._calendar = await self.world.calendar_id()
        return self._calendar

    async def events(self) -> list[dict[str, Any]]:
        """Every single event and series master of the calendar, with the CRM-id stamp; not the copies
        of meetings their organiser cancelled (`isCancelled`): they stay in Outlook, but as the sync
        sees it they are gone."""
        reply = await self.world.outlook.get(
            f"/me/calendars/{await self.calendar()}/events",
            params={"$top": "1000", "$expand": STAMP_EXPAND},
        )
        assert reply.status == 200, reply.body
        return [e for e in reply.body["value"] if not e["isCancelled"]]

    async def instances(self, master_id: str, period: Period) -> list[dict[str, Any]]:
        """The occurrences of a series in the period, but those whose organiser cancelled them."""
        reply = await self.world.outlook.get(
            f"/me/events/{master_id}/instances",
            params={"startDateTime": period.start.isoformat(), "endDateTime": period.end.isoformat()},
        )
        assert reply.status == 200, reply.body
        return [e for e in reply.body["value"] if not e["isCancelled"]]

    async def cancel(self, event_id: str) -> None:
        """The organiser cancels the meeting (or one occurrence): the user's copy stays, cancelled."""
        body = {"upn": UPN, "event_id": event_id}
        async with self.world.admin.post(self.world.fake.admin_url + "/events/cancel", json=body) as reply:
            assert reply.status == 200, await reply.text()

    async def tag(self, event_id: str, category: str) -> None:
        """Add a category of the Outlook user's own (one the CRM does not know) to an event."""
        reply = await self.world.outlook.get(f"/me/events/{event_id}")
        assert reply.status == 200, reply.body
        await self.patch(event_id, {"categories": [*reply.body["categories"], category]})

    async def create(self, body: dict[str, Any]) -> dict[str, Any]:
        reply = await self.world.outlook.post(f"/me/calendars/{await self.calendar()}/events", body)
        assert reply.status == 201, reply.body
        return reply.body

    async def patch(self, event_id: str, body: dict[str, Any]) -> None:
        reply = await self.world.outlook.patch(f"/me/events/{event_id}", body)
        assert reply.status == 200, reply.body

    async def delete(self, event_id: str) -> None:
        reply = await self.world.outlook.delete(f"/me/events/{event_id}")
        assert reply.status == 204, reply.body


async def read_sides(world: World, outlook: OutlookUser, period: Period) -> Sides:
    store = world.store
    events, masters = {}, {}
    for event in await outlook.events():
        if event["type"] == "seriesMaster":
            masters[event["id"]] = event
        else:
            assert event["type"] == "singleInstance", event
            events[event["id"]] = event
    return Sides(
        crm_singles={a.id: a for a in await store.single_actions(OWNER, period)},  # type: ignore[misc]
        crm_series={s.id: s for s in await store.series_of(OWNER)},  # type: ignore[misc]
        events=events,
        masters=masters,
        instances={m: await outlook.instances(m, period) for m in masters},
        links={kind: await store.links(OWNER, kind) for kind in ("action", "series", "occurrence")},
    )


def stamp_of(event: dict[str, Any]) -> str | None:
    """The CRM key of an event's CRM-id stamp, whichever CRM database wrote it (one per test)."""
    wanted = STAMP_PROPERTY_ID.casefold()
    props = event.get("singleValueExtendedProperties") or ()
    values = [p["value"] for p in props if p["id"].casefold() == wanted]
    return values[0].rpartition("/")[2] if values else None


def writes_in(log: list[dict[str, Any]]) -> list[str]:
    """Every write (outside `$batch` and inside it) of a fake request log, as 'METHOD path'."""
    found = [
        f"{r['method']} {r['path']}" for r in log if r["method"] != "GET" and not r["path"].endswith("$batch")
    ]
    for r in log:
        found += [f"{s['method']} {s['url']}" for s in r.get("sub_requests") or [] if s["method"] != "GET"]
    return found


# --- a sync killed mid-way --------------------------------------------------------------------------------


async def run_killed(
    world: World,
    run: Callable[[], Awaitable[T]],
    after: int | Callable[[list[str]], bool],
    unit: str = "requests",
) -> tuple[bool, T | None]:
    """Run `run()` and cancel it, as a killed process, at a point chosen by count:

    - `unit="requests"`: once the fake has answered `after` Graph requests, or as soon as `after(the
      answered requests' log entries)` is true (what was answered may or may not have reached the
      client: a write applied whose answer was lost);
    - `unit="statements"`: once the store has run `after` SQL statements (between a CRM write and the
      Graph write that should follow it, ...), or at the first statement for which `after(statements so
      far)` is true. The statements come from SQLite's trace callback on the store's connection: an
      observer, the store itself is untouched.

    Returns (killed, result)."""
    loop = asyncio.get_running_loop()
    log = world.request_log()
    log.clear()
    task = asyncio.ensure_future(run())
    history: list[str] = []
    connection = world.store._db  # the aiosqlite connection, for its trace callback only

    def traced(sql: str) -> None:  # runs in aiosqlite's thread
        history.append(sql)
        if after(history) if callable(after) else len(history) == after:
            loop.call_soon_threadsafe(task.cancel)

    async def watch() -> None:
        while not task.done():
            answered = [entry for entry in list(log) if entry["status"]]
            if after(answered) if callable(after) else len(answered) >= after:  # type: ignore[arg-type]
                task.cancel()
                return
            await asyncio.sleep(0)

    if unit == "statements":
        await connection.set_trace_callback(traced)
        watcher = None
    else:
        watcher = asyncio.ensure_future(watch())
    try:
        return False, await task
    except asyncio.CancelledError:
        if task.cancelled():
            return True, None
        raise
    finally:
        if watcher is not None:
            watcher.cancel()
        else:
            await connection.set_trace_callback(None)


def at_commit_after(prefix: str) -> Callable[[list[str]], bool]:
    """A kill point: the COMMIT of the first transaction that ran a statement starting with `prefix`."""

    def due(history: list[str]) -> bool:
        if history[-1] != "COMMIT":
            return False
        begins = [i for i, sql in enumerate(history) if sql.startswith("BEGIN")]
        last = history[begins[-1] :] if begins else history
        return any(sql.startswith(prefix) for sql in last) and not any(
            sql.startswith(prefix) for sql in history[: begins[-1] if begins else 0]
        )

    return due


def at_statement(prefix: str, nth: int = 1) -> Callable[[list[str]], bool]:
    """A kill point: the `nth` statement starting with `prefix` (BEGIN included)."""
    return lambda history: (
        history[-1].startswith(prefix) and sum(s.startswith(prefix) for s in history) == nth
    )


async def lease_left(world: World) -> bool:
    """Whether a user's sync lease is still held (by a run that was killed before releasing it)."""
    try:
        await world.store.acquire_lease(OWNER, "probe", 0)
    except SyncBusy:
        return True
    await world.store.release_lease(OWNER, "probe")
    return False


def stamp_problem(item: dict[str, Any], key: str) -> str | None:
    """What is wrong with an Outlook item's CRM-id stamp, if anything."""
    stamp = stamp_of(item)
    return None if stamp == key else f"stamped {stamp}, not {key}"


# --- the model ----------------------------------------------------------------------------------------------


class Expect(enum.Enum):
    PRESENT = "on both sides"
    GONE = "on neither side"
    EITHER = "on both sides or on neither"
    KEPT = "in the CRM only (a kept Outlook cancellation)"
    KEPT_OR_GONE = "in the CRM only, or on neither side"


@dataclass
class Deletion:
    """An Outlook deletion waiting for its fate: the first successful sync after it decides (`decided`,
    its --yes); failed or killed syncs in between may have applied either answer already."""

    linked: bool  # the pair was linked when the Outlook user deleted it: the Confirmer decides
    had_crm: bool = True  # the CRM had a copy when Outlook deleted it
    decided: bool | None = None
    tried_yes: bool = False
    tried_no: bool = False

    def saw(self, yes: bool, ok: bool) -> None:
        if self.decided is not None:
            return
        if ok:
            self.decided = yes
        elif yes:
            self.tried_yes = True
        else:
            self.tried_no = True

    def may_be_deleted(self) -> bool:
        return bool(self.decided) or self.tried_yes

    def may_be_kept(self) -> bool:
        return self.decided is False or self.tried_no


@dataclass
class Versions:
    """One item's content on each side since the last verified sync: the latest edit wins (the
    `newest` policy), an edit back to the verified content is no edit."""

    verified: Shape | None
    crm: Shape | None = None
    outlook: Shape | None = None
    crm_at: int = 0
    outlook_at: int = 0

    def edit(self, side: str, shape: Shape, tick: int) -> None:
        setattr(self, side, shape)
        setattr(self, f"{side}_at", 0 if shape == self.verified else tick)

    def touch(self, side: str, tick: int) -> None:
        """The side's copy changed in what the sync does not carry (an Outlook-only category): its
        pending edit, if any, is now dated `tick` (a side dates a change of the whole item)."""
        if getattr(self, f"{side}_at"):
            setattr(self, f"{side}_at", tick)

    def expected(self) -> Shape | None:
        if self.crm_at == self.outlook_at == 0:
            return self.verified
        return self.crm if self.crm_at > self.outlook_at else self.outlook

    def candidates(self) -> set[Shape]:
        return {s for s in (self.verified, self.crm, self.outlook) if s is not None}

    def settle(self, shape: Shape) -> None:
        self.verified = self.crm = self.outlook = shape
        self.crm_at = self.outlook_at = 0


@dataclass
class Single:
    """One logical single action, whatever ids its two copies have had."""

    ref: int
    versions: Versions
    crm_id: int | None = None
    crm_created: datetime | None = None  # SQLite reuses the largest id: created_at tells rows apart
    event_id: str | None = None
    crm_deleted: bool = False
    crm_deleted_linked: bool = False  # it had a link when the CRM user deleted it
    crm_deleted_partner: bool = False  # an Outlook copy existed when the CRM user deleted it
    outlook_deletion: Deletion | None = None
    dead: bool = False

    def bind(self, action: Action) -> None:
        """This CRM action is the item's CRM copy."""
        self.crm_id, self.crm_created = action.id, action.created_at

    def own(self, actions: dict[int, Action]) -> Action | None:
        """The item's CRM copy among `actions`, if it is still there (not a new row under its old id)."""
        action = actions.get(self.crm_id)  # type: ignore[arg-type]
        return action if action is not None and action.created_at == self.crm_created else None

    def expectation(self, shaky: bool) -> Expect:
        """Where the item must be after a clean, successful sync."""
        if self.crm_deleted and self.outlook_deletion:
            return Expect.GONE
        if self.crm_deleted:
            if not self.crm_deleted_linked:  # never paired: gone, unless a killed sync left an event
                return Expect.EITHER if self.crm_deleted_partner else Expect.GONE
            if shaky:  # a failed sync may have copied Outlook's edit before the deletion, or not
                return Expect.EITHER
            return Expect.PRESENT if self.versions.outlook_at else Expect.GONE  # Outlook's change wins
        if self.outlook_deletion:
            deletion = self.outlook_deletion
            if not deletion.linked:  # never paired: the CRM's copy (if any) is simply created again
                return Expect.PRESENT if deletion.had_crm else Expect.GONE
            deleted, kept = deletion.may_be_deleted(), deletion.may_be_kept()
            if deleted and kept:
                return Expect.EITHER
            return Expect.GONE if deleted else Expect.PRESENT
        return Expect.PRESENT

    def expected_shape(self, shaky: bool) -> set[Shape]:
        """The contents the item may have if present."""
        v = self.versions
        if self.outlook_deletion and not self.crm_deleted:
            return {v.crm} if v.crm else v.candidates()  # kept: written back from the CRM
        if self.crm_deleted:
            return {v.outlook} if v.outlook else v.candidates()  # restored: Outlook's change wins
        if shaky:
            return v.candidates()
        shape = v.expected()
        return {shape} if shape else v.candidates()


@dataclass
class Occurrence:
    """One occurrence of a modelled series, by original start."""

    versions: Versions
    crm_cancelled: bool = False
    outlook_deletion: Deletion | None = None
    # Cancelled in Outlook and kept in the CRM: the CRM alone has it, until Outlook deletes the series and
    # the CRM keeps it: written back whole, as a new master, the series then holds it in Outlook too.
    kept: bool = False

    def expectation(self, shaky: bool) -> Expect:
        if self.crm_cancelled:
            return Expect.GONE
        if self.kept:
            return Expect.KEPT
        if self.outlook_deletion:
            deletion = self.outlook_deletion
            if not deletion.linked:
                return Expect.KEPT_OR_GONE if shaky else Expect.GONE
            deleted, kept = deletion.may_be_deleted(), deletion.may_be_kept()
            if deleted and kept:
                return Expect.KEPT_OR_GONE
            return Expect.GONE if deleted else Expect.KEPT
        return Expect.PRESENT


@dataclass
class SeriesModel:
    """One logical weekly series and its occurrences (by original start, UTC)."""

    ref: int
    draft: SeriesDraft
    occurrences: dict[datetime, Occurrence] = field(default_factory=dict)
    crm_id: int | None = None
    master_id: str | None = None
    crm_deleted: bool = False
    crm_deleted_linked: bool = False
    crm_deleted_partner: bool = False
    outlook_deletion: Deletion | None = None
    dead: bool = False

    @property
    def pending(self) -> bool:
        """Deleted on a side since the last verified sync (its fate, and so its occurrences, may vary)."""
        return self.crm_deleted or self.outlook_deletion is not None

    def expectation(self, shaky: bool) -> Expect:
        """Where the series must be after a clean, successful sync (as for single actions)."""
        if self.crm_deleted and self.outlook_deletion:
            return Expect.GONE
        if self.crm_deleted:
            if not self.crm_deleted_linked:
                return Expect.EITHER if self.crm_deleted_partner else Expect.GONE
            touched = any(o.versions.outlook_at or o.outlook_deletion for o in self.occurrences.values())
            return Expect.EITHER if shaky or touched else Expect.GONE  # Outlook's change may win
        if self.outlook_deletion:
            deletion = self.outlook_deletion
            if not deletion.linked:
                return Expect.PRESENT if deletion.had_crm else Expect.GONE
            deleted, kept = deletion.may_be_deleted(), deletion.may_be_kept()
            if deleted and kept:
                return Expect.EITHER
            return Expect.GONE if deleted else Expect.PRESENT
        return Expect.PRESENT

    @classmethod
    def of(cls, ref: int, draft: SeriesDraft, **ids: Any) -> SeriesModel:
        occurrences = {o: Occurrence(Versions(draft.occurrence_shape(o))) for o in draft.originals()}
        return cls(ref, draft, occurrences, **ids)


# --- model-free agreement, for the scenarios ------------------------------------------------------------


def agreement_problems(sides: Sides, period: Period) -> list[str]:
    """Both sides pair up one to one through the links, with the same content and the CRM-id stamps;
    series alike, occurrence by occurrence (a kept Outlook cancellation is the one allowed difference)."""
    problems: list[str] = []
    links = sides.links["action"]
    for event_id, count in Counter(link.remote_id for link in links.values()).items():
        if count > 1:
            problems.append(f"Outlook event {event_id} is linked to {count} CRM actions")
    for action_id, action in sides.crm_singles.items():
        link = links.get(str(action_id))
        event = sides.events.get(link.remote_id) if link else None
        if event is None:
            problems.append(f"CRM action {action_id} {action_shape(action)} has no Outlook event")
            continue
        if action_shape(action) != event_shape(event):
            problems.append(f"CRM action {action_id} {action_shape(action)} / Outlook {event_shape(event)}")
        if wrong := stamp_problem(event, f"action:{action_id}"):
            problems.append(f"Outlook event of CRM action {action_id} is {wrong}")
    linked = {link.remote_id for link in links.values()}
    problems += [
        f"Outlook event {event_shape(e)} is linked to no CRM action"
        for i, e in sides.events.items()
        if i not in linked
    ]
    series_links = sides.links["series"]
    kept = {k for k, link in sides.links["occurrence"].items() if link.remote_id.startswith(KEPT_CANCELLED)}
    for series_id, series in sides.crm_series.items():
        link = series_links.get(str(series_id))
        master = sides.masters.get(link.remote_id) if link else None
        if master is None:
            if link or expand(series, period):
                problems.append(f"CRM series {series_id} {series.title!r} has no Outlook master")
            continue
        count = master["recurrence"]["range"].get("numberOfOccurrences")
        if (series.title, series.recurrence.count) != (master["subject"], count):
            problems.append(
                f"CRM series {series.title!r}×{series.recurrence.count} / {master['subject']!r}×{count}"
            )
        if wrong := stamp_problem(master, f"series:{series_id}"):
            problems.append(f"master of CRM series {series_id} is {wrong}")
        crm, outlook = sides.crm_occurrences(series_id, period), sides.outlook_occurrences(master["id"])
        for original in sorted(crm.keys() | outlook.keys()):
            if original in crm and original in outlook:
                if action_shape(crm[original]) != event_shape(outlook[original]):
                    problems.append(
                        f"occurrence {original} of series {series_id}: CRM {action_shape(crm[original])} / "
                        f"Outlook {event_shape(outlook[original])}"
                    )
            elif original not in crm or occurrence_key(series_id, original, False, PARIS) not in kept:
                problems.append(f"occurrence {original} of series {series_id} is on one side only")
    linked_masters = {link.remote_id for link in series_links.values()}
    problems += [
        f"Outlook series {m['subject']!r} is linked to no CRM series"
        for i, m in sides.masters.items()
        if i not in linked_masters and sides.instances.get(i)
    ]
    return problems
