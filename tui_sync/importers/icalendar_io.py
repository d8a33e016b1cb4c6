"""The agenda as iCalendar (RFC 5545), in and out, with the icalendar library.

Read, per VEVENT: SUMMARY → title, LOCATION, DESCRIPTION → note, DTSTART with DTEND or DURATION (DATE
values: an all-day action), CLASS PRIVATE or CONFIDENTIAL → private, the first VALARM's TRIGGER
(relative to the start or the end, or absolute) → reminder on and its minutes before the start,
CATEGORIES → the action type of the same label (case ignored; none: the fallback `Tâche`; no match:
`Tâche` too, counted in `unknown_categories`). A VEVENT with an RRULE is a series (EXDATE: cancelled
occurrences); a VEVENT with a RECURRENCE-ID is an edited occurrence of the series with the same UID
(STATUS:CANCELLED: a cancelled occurrence). RRULEs are translated into Outlook's vocabulary by
`importers.rrule`; a rule Outlook cannot express is refused, naming the event and its line. A series
starts on its rule's first occurrence (a DTSTART off the rule moves there).

Times: TZID (resolved through the file's VTIMEZONE, an IANA name or a Windows zone name) and `Z` times
are read as given; floating times and DATE values are in the CRM's zone. Everything comes back in the
CRM's zone, because that is where the store keeps times and where a series' rule is expanded (its
wall-clock time holds across daylight-saving changes). An RRULE is read in its event's own zone and then
moved to the CRM's zone: a weekly rule whose first start falls on another day there moves its days along;
a monthly or yearly one is refused.

Written: one VEVENT per single action, one per series (RRULE, EXDATE) and one per exception
(RECURRENCE-ID), each with the UID it was imported with or ours (`importers.uids`), so that importing
the file again updates those items instead of copying them. Times are
written with the CRM's zone as TZID (and its VTIMEZONE), not in UTC: reading them back gives equal aware
datetimes, and a series keeps its 09:00 in summer and in winter, which a UTC RRULE would not.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

import icalendar
from icalendar.parser import Contentline

from tui_sync import texts
from tui_sync.domain.models import (
    FALLBACK_ACTION_TYPE,
    Action,
    InvalidValue,
    Series,
    check_note,
    entered_title,
)
from tui_sync.domain.recurrence import iter_all_starts
from tui_sync.errors import BadInput
from tui_sync.importers.common import (
    Refusal,
    Skip,
    bad_record,
    clean,
    decode_text,
    one_line,
    refuse_file,
    split_value,
    unfold,
)
from tui_sync.importers.rrule import Refused, in_zone, recurrence_to_rrule, rrule_to_recurrence
from tui_sync.importers.timezones import zone_of_tzid
from tui_sync.importers.uids import export_uid

PRODID = "-//tui-sync//CRM agenda//EN"


@dataclass(frozen=True)
class AgendaImport:
    """What an .ics file holds for one CRM user, ready to store, and what had to be bent to fit."""

    actions: tuple[Action, ...] = ()
    series: tuple[Series, ...] = ()
    unknown_categories: tuple[str, ...] = ()  # distinct category labels with no action type
    unknown_category_events: int = 0  # events imported as the fallback type because of them
    orphan_exceptions: int = 0  # edited occurrences with no series in the file: imported as actions
    action_uids: tuple[str, ...] = ()  # each action's UID ("" when its event has none), in order
    series_uids: tuple[str, ...] = ()  # each series' UID, in order
    untitled: int = 0  # events with no title, imported with a placeholder title
    refused: tuple[Refusal, ...] = ()  # events the CRM cannot take
    skipped: tuple[Skip, ...] = ()  # what was read but not imported (a task, a cancelled event…)


@dataclass
class _Where:
    """Where a VEVENT sits in the file: the line of BEGIN:VEVENT and of each of its properties."""

    begin: int
    props: dict[str, int] = field(default_factory=dict)

    def line_of(self, prop: str | None) -> int:
        return self.props.get(prop or "", self.begin)


# --- reading --------------------------------------------------------------------------------------


def read_calendar(
    data: bytes | str,
    owner: str,
    tz: ZoneInfo,
    action_types: Iterable[str] = (FALLBACK_ACTION_TYPE,),
    source: str = "agenda.ics",
) -> AgendaImport:
    """The actions and series of an .ics file for `owner` (see read_calendar_file), or BadInput listing
    every event refused."""
    found = read_calendar_file(data, owner, tz, action_types, source)
    if found.refused:
        raise refuse_file(source, list(found.refused))
    return found


def read_calendar_file(
    data: bytes | str,
    owner: str,
    tz: ZoneInfo,
    action_types: Iterable[str] = (FALLBACK_ACTION_TYPE,),
    source: str = "agenda.ics",
) -> AgendaImport:
    """The actions and series of an .ics file for `owner`, `tz` being the CRM's zone (floating times),
    with the events refused (line, why) and what was read but not imported (tasks, journal entries,
    free/busy blocks, cancelled events)."""
    text = decode_text(data, source)
    places, others = _scan(text, source)
    with warnings.catch_warnings():  # icalendar warns (on stderr) when it guesses a zone from a
        warnings.simplefilter("ignore")  # vendor-prefixed TZID: the guess is the IANA name inside it
        try:
            calendars = icalendar.Calendar.from_ical(text, multiple=True)
        except Exception as error:  # icalendar raises assorted types for assorted garbage
            raise BadInput(texts.imports.not_calendar(source, one_line(str(error)))) from None
    if not calendars or any(c.name != "VCALENDAR" for c in calendars):
        raise BadInput(texts.imports.no_vcalendar(source))
    events = [e for c in calendars for e in c.walk("VEVENT") if isinstance(e, icalendar.Event)]
    if len(events) != len(places):  # cannot happen with a well-formed file; keep errors readable anyway
        places = [_Where(1) for _ in events]
    known = {label.casefold(): label for label in (*action_types, FALLBACK_ACTION_TYPE)}
    reader = _Reader(owner, tz, known)
    refused: list[Refusal] = []
    for number, (event, where) in enumerate(zip(events, places, strict=True), start=1):
        title = str(event.get("SUMMARY", "") or "")
        name = repr(title) if title else str(number)
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                reader.add(event, where)
        except Refused as problem:
            refused.append(Refusal(texts.imports.at_event(where.line_of(problem.prop), name), problem.reason))
        except InvalidValue as error:
            refused.append(
                Refusal(texts.imports.at_event(where.begin, name), texts.domain.invalid_value(error))
            )
        except (ValueError, TypeError, AttributeError, KeyError, OverflowError) as error:
            # icalendar reads some broken values lazily, when asked for them
            refused.append(
                Refusal(
                    texts.imports.at_event(where.begin, name), texts.imports.ical_line_problem(str(error))
                )
            )
    found = reader.result()
    return replace(found, refused=tuple(refused), skipped=(*others, *found.skipped))


_NOT_EVENTS = {
    "VTODO": texts.imports.SKIP_VTODO,
    "VJOURNAL": texts.imports.SKIP_VJOURNAL,
    "VFREEBUSY": texts.imports.SKIP_VFREEBUSY,
}


def _scan(text: str, source: str) -> tuple[list[_Where], list[Skip]]:
    """Each VEVENT's lines, where the components that are not events are (tasks, journal entries,
    free/busy), and a refusal naming the first line that is not an iCalendar content line."""
    places: list[_Where] = []
    others: list[Skip] = []
    depth_in_event = 0
    for number, line in unfold(text):
        # Only the name and parameters are checked here (the value can be megabytes, and icalendar
        # reads it once more): the line up to its first colon outside quotes.
        head, colon, value = split_value(line)
        try:
            if not colon:
                raise ValueError(line)
            name, _params, _ = Contentline(head + ":").parts()
        except ValueError:
            shown = line if len(line) <= 40 else line[:37] + "..."
            raise bad_record(
                source, texts.imports.at_line(number), texts.imports.not_ical_line(shown)
            ) from None
        value = value.strip()
        name = name.upper()
        if name == "BEGIN" and value.upper() in _NOT_EVENTS and not depth_in_event:
            others.append(Skip(_NOT_EVENTS[value.upper()], texts.imports.at_line(number)))
        if name == "BEGIN" and value.upper() == "VEVENT":
            places.append(_Where(number))
            depth_in_event = 1
        elif depth_in_event and name == "BEGIN":
            depth_in_event += 1
        elif depth_in_event and name == "END":
            depth_in_event -= 1
        elif depth_in_event:
            places[-1].props.setdefault(name, number)
    return places, others


@dataclass(frozen=True)
class _Edited:
    """An edited (or cancelled) occurrence, kept until its series is known."""

    uid: str
    action: Action
    cancelled: bool
    inherits: set[str]  # SUMMARY / CATEGORIES: not in the event, so taken from its series
    where: str


_Item = TypeVar("_Item", Action, Series)
_Prop = TypeVar("_Prop")


def _parsed(component: icalendar.cal.Component, name: str, kind: type[_Prop]) -> _Prop:
    """The property `name` as the type icalendar reads it into; a value it could not read (kept as
    `vBroken`) is refused with the reason icalendar gave."""
    prop = component[name]
    if not isinstance(prop, kind):
        raise Refused(name, texts.imports.ical_line_problem(str(getattr(prop, "parse_error", None) or prop)))
    return prop


class _Reader:
    """Collects the events of a file and links exceptions to their series once all are read."""

    def __init__(self, owner: str, tz: ZoneInfo, known: dict[str, str]) -> None:
        self.owner = owner
        self.tz = tz
        self.known = known
        self.actions: list[Action] = []
        self.series: dict[str, Series] = {}
        self.exceptions: list[_Edited] = []
        self.action_uids: list[str] = []
        self.unknown: dict[str, None] = {}
        self.unknown_events = 0
        self.skipped: list[Skip] = []

    def add(self, event: icalendar.Event, where: _Where) -> None:
        """Take one VEVENT, or raise Refused (naming its property) / InvalidValue."""
        if event.errors:
            prop, problem = event.errors[0]
            raise Refused(prop, _broken(event, prop, problem))
        for prop in ("DTSTART", "DTEND", "DURATION", "RRULE", "RECURRENCE-ID", "UID", "SUMMARY"):
            if isinstance(event.get(prop), list):
                raise Refused(prop, texts.imports.repeated_property(prop))
        for prop in ("RDATE", "EXRULE"):
            if prop in event:
                raise Refused(prop, texts.imports.extra_rule_unsupported(prop))
        uid = one_line(str(event.get("UID", "") or ""))
        cancelled = str(event.get("STATUS", "")).upper() == "CANCELLED"
        fields, source_start = self._fields(event)
        if "RECURRENCE-ID" in event:
            if "RRULE" in event:
                raise Refused("RRULE", texts.imports.EDITED_OCCURRENCE_WITH_RRULE)
            rid = _parsed(event, "RECURRENCE-ID", icalendar.vDDDTypes)
            if str(rid.params.get("RANGE", "")).upper() == "THISANDFUTURE":
                raise Refused("RECURRENCE-ID", texts.imports.THISANDFUTURE_UNSUPPORTED)
            original = self._moment(rid, "RECURRENCE-ID").astimezone(self.tz)
            self.exceptions.append(
                _Edited(
                    uid,
                    Action(owner=self.owner, original_start=original, **fields),
                    cancelled,
                    inherits={p for p in ("SUMMARY", "CATEGORIES") if p not in event},
                    where=texts.imports.at_line(where.begin),
                )
            )
            return
        if "RRULE" in event:
            if uid in self.series:
                raise Refused("UID", texts.imports.shared_uid(uid))
            self.series[uid] = self._series(event, fields, source_start)
            return
        if cancelled:
            self.skipped.append(Skip(texts.imports.SKIP_CANCELLED_EVENT, texts.imports.at_line(where.begin)))
            return
        self.actions.append(Action(owner=self.owner, **fields))
        self.action_uids.append(uid)

    def _series(self, event: icalendar.Event, fields: dict, source_start: datetime) -> Series:
        """A recurring VEVENT as a series whose start is its first occurrence (RFC 5545 lets DTSTART
        fall outside the rule, the CRM and Outlook do not)."""
        try:
            recur = _parsed(event, "RRULE", icalendar.vRecur)
            rule = in_zone(rrule_to_recurrence(recur, source_start), source_start, self.tz)
        except InvalidValue as error:
            raise Refused("RRULE", texts.domain.invalid_value(error)) from None
        first = next(iter_all_starts(rule, fields["start"], 1), None)
        if first is None:
            raise Refused("RRULE", texts.imports.RULE_WITHOUT_OCCURRENCE)
        if first != fields["start"]:
            duration = fields["end"] - fields["start"]
            fields = {**fields, "start": first, "end": first + duration}
            rule = replace(rule, start_date=first.date())
        cancelled = frozenset(self._exdates(event, source_start))
        return Series(owner=self.owner, recurrence=rule, cancelled=cancelled, **fields)

    def result(self) -> AgendaImport:
        """Everything read, each edited or cancelled occurrence attached to its series. An edited
        occurrence without SUMMARY or CATEGORIES keeps its series' title or type (Outlook writes only
        what changed); an action left without a title gets a visible placeholder, counted."""
        actions = list(self.actions)
        uids = list(self.action_uids)
        skipped = list(self.skipped)
        orphans = 0
        edited: dict[str, list[Action]] = {}
        dropped: dict[str, set[datetime]] = {}
        for item in self.exceptions:
            series = self.series.get(item.uid)
            if series is None:
                if item.cancelled:
                    skipped.append(Skip(texts.imports.SKIP_CANCELLED_EVENT, item.where))
                else:
                    orphans += 1
                    actions.append(item.action.with_changes(original_start=None))
                    uids.append(f"{item.uid}#{item.action.original.isoformat()}" if item.uid else "")
            elif item.cancelled:
                dropped.setdefault(item.uid, set()).add(item.action.original)
            else:
                inherited = {
                    **({"title": series.title} if "SUMMARY" in item.inherits else {}),
                    **({"action_type": series.action_type} if "CATEGORIES" in item.inherits else {}),
                }
                edited.setdefault(item.uid, []).append(item.action.with_changes(**inherited))
        untitled = 0

        def titled(thing: _Item) -> _Item:
            nonlocal untitled
            try:
                entered_title(thing.title)
            except InvalidValue:
                untitled += 1
                return thing.with_changes(title=texts.imports.UNTITLED_ACTION)
            return thing

        series_list = tuple(
            titled(
                s.with_changes(
                    exceptions=tuple(
                        titled(e) for e in sorted(edited.get(uid, []), key=lambda a: a.original)
                    ),
                    cancelled=s.cancelled | frozenset(dropped.get(uid, ())),
                )
            )
            for uid, s in self.series.items()
        )
        return AgendaImport(
            actions=tuple(titled(a) for a in actions),
            series=series_list,
            unknown_categories=tuple(self.unknown),
            unknown_category_events=self.unknown_events,
            orphan_exceptions=orphans,
            action_uids=tuple(uids),
            series_uids=tuple(self.series),
            untitled=untitled,
            skipped=tuple(skipped),
        )

    def _fields(self, event: icalendar.Event) -> tuple[dict, datetime]:
        """The Action/Series fields every kind of VEVENT shares (times in the CRM's zone), and the start
        in the event's own zone (what its RRULE means)."""
        if "DTSTART" not in event:
            raise Refused(None, texts.imports.NO_DTSTART)
        start_prop = _parsed(event, "DTSTART", icalendar.vDDDTypes)
        all_day = not isinstance(start_prop.dt, datetime)
        start = self._moment(start_prop, "DTSTART")
        end = self._end(event, start, all_day)
        reminder = self._reminder(event, start, end)
        fields: dict[str, Any] = {
            "title": one_line(str(event.get("SUMMARY", "") or "")),
            "start": start.astimezone(self.tz),
            "end": end.astimezone(self.tz),
            "all_day": all_day,
            "location": one_line(str(event.get("LOCATION", "") or "")),
            "private": str(event.get("CLASS", "")).upper() in ("PRIVATE", "CONFIDENTIAL"),
            "reminder_on": reminder is not None,
            "reminder_minutes": 15 if reminder is None else reminder,
            "action_type": self._action_type(event),
            "note": clean(str(event.get("DESCRIPTION", "") or "")),
        }
        check_note(fields["note"])
        return fields, start

    def _moment(self, prop: icalendar.prop.vDDDTypes, name: str) -> datetime:
        """An aware datetime for a DATE or DATE-TIME property (see the module docstring for zones):
        a DATE is midnight in the CRM's zone."""
        value = prop.dt
        if isinstance(value, datetime):
            return self._zoned(value, prop, name)
        if isinstance(value, date):
            return datetime.combine(value, time(), self.tz)
        raise Refused(name, texts.imports.not_date_or_datetime(value, name))

    def _zoned(self, value: datetime, prop: object, name: str) -> datetime:
        """A time in its zone. icalendar resolved a TZID through the file's VTIMEZONE, an IANA name or a
        Windows zone name; an old `US-Eastern`-style id is mapped here; a TZID still unknown refuses
        the event naming it (reading it in the CRM's zone would move it silently). A time without
        TZID and without `Z` is floating: in the CRM's zone."""
        if value.tzinfo is not None:
            return value
        params = getattr(prop, "params", {})
        tzid = str(params.get("TZID", "") or "")
        if not tzid:
            return value.replace(tzinfo=self.tz)
        zone = zone_of_tzid(tzid)
        if zone is None:
            raise Refused(name, texts.imports.unknown_tzid(tzid))
        return value.replace(tzinfo=zone)

    def _end(self, event: icalendar.Event, start: datetime, all_day: bool) -> datetime:
        if "DTEND" in event and "DURATION" in event:
            raise Refused("DURATION", texts.imports.DTEND_AND_DURATION)
        if "DTEND" in event:
            end_prop = _parsed(event, "DTEND", icalendar.vDDDTypes)
            value = end_prop.dt
            if not all_day and isinstance(value, datetime):
                return self._zoned(value, end_prop, "DTEND").astimezone(start.tzinfo)
            if all_day and isinstance(value, date) and not isinstance(value, datetime):
                return datetime.combine(value, time(), self.tz)
            raise Refused("DTEND", texts.imports.DTEND_KIND_MISMATCH)
        if "DURATION" in event:
            duration = _parsed(event, "DURATION", icalendar.vDDDTypes).dt
            if not isinstance(duration, timedelta):
                raise Refused("DURATION", texts.imports.not_duration(duration))
            return start + duration
        return start + timedelta(days=1) if all_day else start

    def _reminder(self, event: icalendar.Event, start: datetime, end: datetime) -> int | None:
        """Minutes before the start of the first alarm, None when the event has no alarm."""
        for alarm in event.walk("VALARM"):
            if "TRIGGER" not in alarm:
                continue
            trigger = _parsed(alarm, "TRIGGER", icalendar.vDDDTypes)
            value = trigger.dt
            if isinstance(value, timedelta):
                anchor = end if str(trigger.params.get("RELATED", "START")).upper() == "END" else start
                before = start - (anchor + value)
            elif isinstance(value, datetime):
                before = start - self._zoned(value, trigger, "TRIGGER")
            else:
                raise Refused("TRIGGER", texts.imports.bad_trigger(value))
            return max(0, int(before.total_seconds() // 60))
        return None

    def _action_type(self, event: icalendar.Event) -> str:
        found = event.get("CATEGORIES")
        props = found if isinstance(found, list) else [found] if found is not None else []
        labels = [one_line(str(c)) for p in props for c in p.cats if str(c).strip()]
        for label in labels:
            if label.casefold() in self.known:
                return self.known[label.casefold()]
        if labels:
            self.unknown[labels[0]] = None
            self.unknown_events += 1
        return FALLBACK_ACTION_TYPE

    def _exdates(self, event: icalendar.Event, start: datetime) -> list[datetime]:
        found = event.get("EXDATE")
        lists = found if isinstance(found, list) else [found] if found is not None else []
        starts: list[datetime] = []
        for exdates in lists:
            for item in exdates.dts:
                value = item.dt
                if isinstance(value, datetime):
                    moment = self._zoned(value, exdates, "EXDATE")
                elif isinstance(value, date):  # a DATE: the occurrence of that day
                    moment = datetime.combine(value, start.time(), start.tzinfo)
                else:
                    raise Refused("EXDATE", texts.imports.not_date_or_datetime(value))
                starts.append(moment.astimezone(self.tz))
        return starts


def _broken(event: icalendar.Event, prop: str | None, problem: str) -> str:
    """icalendar's complaint about a property, as a user-facing reason."""
    if prop is None:
        return texts.imports.ical_line_problem(problem)
    shown = str(event.get(prop))  # the property's text as the file has it
    if prop in ("DTSTART", "DTEND", "RECURRENCE-ID", "EXDATE", "DUE"):
        return texts.imports.invalid_date_property(prop, shown)
    return texts.imports.invalid_property(prop, shown, problem)


# --- writing --------------------------------------------------------------------------------------


def write_calendar(
    actions: Iterable[Action],
    series: Iterable[Series],
    tz: ZoneInfo,
    now: datetime | None = None,
    action_uids: Mapping[int, str] | None = None,
    series_uids: Mapping[int, str] | None = None,
) -> bytes:
    """An .ics file of single actions (occurrences among them are left to their series) and series,
    times with a TZID (and its VTIMEZONE): the CRM's zone `tz`, or a series' own IANA zone;
    `now` stamps DTSTAMP."""
    stamp = (now or datetime.now(UTC)).astimezone(ZoneInfo("UTC"))
    calendar = icalendar.Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    for n, action in enumerate((a for a in actions if a.series_id is None), start=1):
        calendar.add_component(
            _event(
                action, export_uid("action", action.id, action.created_at, n, action_uids or {}), stamp, tz
            )
        )
    for n, s in enumerate(series, start=1):
        # A series is written in its own zone (the store's are in the CRM's): its rule means wall-clock
        # days and times there.
        zone = s.start.tzinfo if isinstance(s.start.tzinfo, ZoneInfo) else tz
        uid = export_uid("series", s.id, s.created_at, n, series_uids or {})
        master = _event(s, uid, stamp, zone)
        master.add("rrule", recurrence_to_rrule(s.recurrence, s.start.astimezone(zone), s.all_day))
        if s.cancelled:
            master.add("exdate", [_when(c, s.all_day, zone) for c in sorted(s.cancelled)])
        calendar.add_component(master)
        for exception in sorted(s.exceptions, key=lambda e: e.original_start or e.start):
            event = _event(exception, uid, stamp, zone)
            event.add("recurrence-id", _when(exception.original_start or exception.start, s.all_day, zone))
            calendar.add_component(event)
    calendar.add_missing_timezones()
    return calendar.to_ical()


def _when(value: datetime, all_day: bool, tz: ZoneInfo) -> date | datetime:
    """A DTSTART/DTEND/EXDATE/RECURRENCE-ID value: the day for all-day items, else the time in `tz`."""
    moment = value.astimezone(tz)
    return moment.date() if all_day else moment


class _Text(icalendar.vText):
    """A TEXT value escaped exactly as RFC 5545 (section 3.3.11) says: backslash, semicolon, comma and
    line breaks, nothing else. The icalendar library's own escaping first turns a literal backslash-N
    into a line break (it reads it as an already escaped one), so a note such as "C:\\New" came back
    from our own export as "C:" and a new line "ew"."""

    def to_ical(self) -> bytes:
        text = str(self).replace("\r\n", "\n").replace("\r", "\n")
        escaped = text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")
        return escaped.encode("utf-8")


def _event(item: Action | Series, uid: str, stamp: datetime, tz: ZoneInfo) -> icalendar.Event:
    event = icalendar.Event()
    event.add("uid", uid)
    event.add("dtstamp", stamp)
    event.add("summary", _Text(item.title))
    event.add("dtstart", _when(item.start, item.all_day, tz))
    event.add("dtend", _when(item.end, item.all_day, tz))
    if item.location:
        event.add("location", _Text(item.location))
    if item.note:
        event.add("description", _Text(item.note))
    if item.private:
        event.add("class", "PRIVATE")
    event.add("categories", [item.action_type])
    if item.reminder_on:
        alarm = icalendar.Alarm()
        alarm.add("action", "DISPLAY")
        alarm.add("description", _Text(item.title or "Reminder"))
        alarm.add("trigger", timedelta(minutes=-item.reminder_minutes))
        event.add_component(alarm)
    return event
