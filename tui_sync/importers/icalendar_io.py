"""The agenda as iCalendar (RFC 5545), in and out, with the icalendar library.

Read, per VEVENT: SUMMARY → title, LOCATION, DESCRIPTION → note, DTSTART with DTEND or DURATION (DATE
values: an all-day action), CLASS PRIVATE or CONFIDENTIAL → private, the first VALARM's TRIGGER
(relative to the start or the end, or absolute) → reminder on and its minutes before the start,
CATEGORIES → the action type of the same label (case ignored; none: the fallback `Tâche`; no match:
`Tâche` too, counted in `unknown_categories`). A VEVENT with an RRULE is a series (EXDATE: cancelled
occurrences); a VEVENT with a RECURRENCE-ID is an edited occurrence of the series with the same UID
(STATUS:CANCELLED: a cancelled occurrence). RRULEs are translated into Outlook's vocabulary (see
`Recurrence`); a rule Outlook cannot express is refused, naming the event and its line.

Times: TZID (resolved through the file's VTIMEZONE, an IANA name or a Windows zone name) and `Z` times
are read as given; floating times and DATE values are in the CRM's zone. Everything comes back in the
CRM's zone, because that is where the store keeps times and where a series' rule is expanded (its
wall-clock time holds across daylight-saving changes). An RRULE is read in its event's own zone and then
moved to the CRM's zone: a weekly rule whose first start falls on another day there moves its days along;
a monthly or yearly one is refused.

Written: one VEVENT per single action, one per series (RRULE, EXDATE) and one per exception
(RECURRENCE-ID), UIDs `tui-sync-action-<id>@tui-sync` and `tui-sync-series-<id>@tui-sync`. Times are
written with the CRM's zone as TZID (and its VTIMEZONE), not in UTC: reading them back gives equal aware
datetimes, and a series keeps its 09:00 in summer and in winter, which a UTC RRULE would not.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import icalendar
from icalendar.parser import Contentline

from tui_sync.domain.models import (
    FALLBACK_ACTION_TYPE,
    WEEKDAYS,
    Action,
    InvalidValue,
    Recurrence,
    Series,
)
from tui_sync.errors import BadInput
from tui_sync.importers.common import bad_record, clean, decode_text, msg_invalid_value, one_line

UID_DOMAIN = "tui-sync"
PRODID = "-//tui-sync//CRM agenda//EN"
_DAY_CODES = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
_CODE_DAY = dict(zip(_DAY_CODES, WEEKDAYS, strict=True))
_DAY_CODE = dict(zip(WEEKDAYS, _DAY_CODES, strict=True))
_INDEX_OF = {1: "first", 2: "second", 3: "third", 4: "fourth", -1: "last"}
_POS_OF = {name: pos for pos, name in _INDEX_OF.items()}
_BYDAY = re.compile(r"^([+-]?\d{1,2})?(MO|TU|WE|TH|FR|SA|SU)$")
_RULE_PARTS = {"FREQ", "INTERVAL", "BYDAY", "BYMONTHDAY", "BYMONTH", "BYSETPOS", "WKST", "UNTIL", "COUNT"}


@dataclass(frozen=True)
class AgendaImport:
    """What an .ics file holds for one CRM user, ready to store, and what had to be bent to fit."""

    actions: tuple[Action, ...] = ()
    series: tuple[Series, ...] = ()
    unknown_categories: tuple[str, ...] = ()  # distinct category labels with no action type
    unknown_category_events: int = 0  # events imported as the fallback type because of them
    orphan_exceptions: int = 0  # edited occurrences with no series in the file: imported as actions
    skipped_cancelled: int = 0  # STATUS:CANCELLED events that are not occurrences: not imported


class _Refused(Exception):
    """A VEVENT the CRM cannot take: `prop` names the property (for its line), `reason` says why."""

    def __init__(self, prop: str | None, reason: str) -> None:
        super().__init__(reason)
        self.prop = prop
        self.reason = reason


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
    """The actions and series of an .ics file for `owner`; `tz` is the CRM's zone (floating times)."""
    text = decode_text(data, source)
    places = _scan(text, source)
    try:
        calendars = icalendar.Calendar.from_ical(text, multiple=True)
    except ValueError as error:
        raise BadInput(f"{source}: not an iCalendar file ({error})") from None
    if not calendars or any(c.name != "VCALENDAR" for c in calendars):
        raise BadInput(f"{source}: not an iCalendar file (expected BEGIN:VCALENDAR)")
    events = [e for c in calendars for e in c.walk("VEVENT")]
    if len(events) != len(places):  # cannot happen with a well-formed file; keep errors readable anyway
        places = [_Where(1) for _ in events]
    known = {label.casefold(): label for label in (*action_types, FALLBACK_ACTION_TYPE)}
    reader = _Reader(owner, tz, known)
    for number, (event, where) in enumerate(zip(events, places, strict=True), start=1):
        title = str(event.get("SUMMARY", "") or "")
        label = f"line {where.begin} (event {title!r})" if title else f"line {where.begin} (event {number})"
        try:
            reader.add(event)
        except _Refused as refused:
            line = where.line_of(refused.prop)
            label = f"line {line} (event {title!r})" if title else f"line {line} (event {number})"
            raise bad_record(source, label, refused.reason) from None
        except InvalidValue as error:
            raise bad_record(source, label, msg_invalid_value(error)) from None
    try:
        return reader.result()
    except _Refused as refused:
        raise bad_record(source, refused.prop or "", refused.reason) from None
    except InvalidValue as error:
        raise BadInput(f"{source}: {msg_invalid_value(error)}") from None


def _scan(text: str, source: str) -> list[_Where]:
    """Each VEVENT's lines, and a refusal naming the first line that is not an iCalendar content line."""
    places: list[_Where] = []
    depth_in_event = 0
    logical: list[tuple[int, str]] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        if raw[:1] in (" ", "\t") and logical:
            logical[-1] = (logical[-1][0], logical[-1][1] + raw[1:])
        elif raw.strip():
            logical.append((number, raw))
    for number, line in logical:
        try:
            name, _params, value = Contentline(line).parts()
        except ValueError:
            shown = line if len(line) <= 40 else line[:37] + "..."
            raise bad_record(source, f"line {number}", f"not an iCalendar line: {shown!r}") from None
        name = name.upper()
        if name == "BEGIN" and value.upper() == "VEVENT":
            places.append(_Where(number))
            depth_in_event = 1
        elif depth_in_event and name == "BEGIN":
            depth_in_event += 1
        elif depth_in_event and name == "END":
            depth_in_event -= 1
        elif depth_in_event:
            places[-1].props.setdefault(name, number)
    return places


class _Reader:
    """Collects the events of a file and links exceptions to their series once all are read."""

    def __init__(self, owner: str, tz: ZoneInfo, known: dict[str, str]) -> None:
        self.owner = owner
        self.tz = tz
        self.known = known
        self.actions: list[Action] = []
        self.series: dict[str, Series] = {}
        self.exceptions: list[tuple[str, Action, bool]] = []
        self.unknown: dict[str, None] = {}
        self.unknown_events = 0
        self.skipped = 0

    def add(self, event: icalendar.Event) -> None:
        for prop, problem in event.errors:
            raise _Refused(prop, _broken(event, prop, problem))
        for prop in ("DTSTART", "DTEND", "DURATION", "RRULE", "RECURRENCE-ID", "UID", "SUMMARY"):
            if isinstance(event.get(prop), list):
                raise _Refused(prop, f"{prop} appears more than once")
        for prop in ("RDATE", "EXRULE"):
            if prop in event:
                raise _Refused(prop, f"{prop} is not supported (Outlook has no extra or excluding rules)")
        uid = str(event.get("UID", "") or "")
        cancelled = str(event.get("STATUS", "")).upper() == "CANCELLED"
        fields, source_start = self._fields(event)
        if "RECURRENCE-ID" in event:
            if "RRULE" in event:
                raise _Refused("RRULE", "an edited occurrence (RECURRENCE-ID) cannot have its own RRULE")
            rid = event["RECURRENCE-ID"]
            if str(rid.params.get("RANGE", "")).upper() == "THISANDFUTURE":
                raise _Refused("RECURRENCE-ID", "RANGE=THISANDFUTURE is not supported")
            original = self._moment(rid, "RECURRENCE-ID").astimezone(self.tz)
            self.exceptions.append(
                (uid, Action(owner=self.owner, original_start=original, **fields), cancelled)
            )
            return
        if "RRULE" in event:
            if uid in self.series:
                raise _Refused("UID", f"two recurring events share the UID {uid!r}")
            try:
                rule = rrule_to_recurrence(event["RRULE"], source_start)
            except InvalidValue as error:
                raise _Refused("RRULE", msg_invalid_value(error)) from None
            recurrence = in_zone(rule, source_start, self.tz)
            cancelled_starts = frozenset(self._exdates(event, source_start))
            self.series[uid] = Series(
                owner=self.owner, recurrence=recurrence, cancelled=cancelled_starts, **fields
            )
            return
        if cancelled:
            self.skipped += 1
            return
        self.actions.append(Action(owner=self.owner, **fields))

    def result(self) -> AgendaImport:
        orphans = 0
        edited: dict[str, list[Action]] = {}
        dropped: dict[str, set[datetime]] = {}
        for uid, exception, cancelled in self.exceptions:
            if uid not in self.series:
                if not cancelled:
                    orphans += 1
                    self.actions.append(exception.with_changes(original_start=None))
                else:
                    self.skipped += 1
            elif cancelled:
                dropped.setdefault(uid, set()).add(exception.original_start)  # type: ignore[arg-type]
            else:
                edited.setdefault(uid, []).append(exception)
        series = tuple(
            s.with_changes(
                exceptions=tuple(sorted(edited.get(uid, []), key=lambda a: a.original_start)),
                cancelled=s.cancelled | frozenset(dropped.get(uid, ())),
            )
            for uid, s in self.series.items()
        )
        return AgendaImport(
            actions=tuple(self.actions),
            series=series,
            unknown_categories=tuple(self.unknown),
            unknown_category_events=self.unknown_events,
            orphan_exceptions=orphans,
            skipped_cancelled=self.skipped,
        )

    def _fields(self, event: icalendar.Event) -> tuple[dict, datetime]:
        """The Action/Series fields every kind of VEVENT shares (times in the CRM's zone), and the start
        in the event's own zone (what its RRULE means)."""
        if "DTSTART" not in event:
            raise _Refused(None, "no DTSTART")
        start_prop = event["DTSTART"]
        all_day = not isinstance(start_prop.dt, datetime)
        start = self._moment(start_prop, "DTSTART")
        end = self._end(event, start, all_day)
        reminder = self._reminder(event, start, end)
        fields = {
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
        return fields, start

    def _moment(self, prop: icalendar.prop.vDDDTypes, name: str) -> datetime:
        """An aware datetime for a DATE or DATE-TIME property (see the module docstring for zones):
        a DATE is midnight in the CRM's zone."""
        value = prop.dt
        if isinstance(value, datetime):
            return self._zoned(value)
        if isinstance(value, date):
            return datetime.combine(value, time(), self.tz)
        raise _Refused(name, f"{name} {value!r} is not a date or a date-time")

    def _zoned(self, value: datetime) -> datetime:
        """A floating time is in the CRM's zone; an aware one keeps its zone (icalendar resolved its
        TZID through the file's VTIMEZONE, an IANA name or a Windows zone name)."""
        return value.replace(tzinfo=self.tz) if value.tzinfo is None else value

    def _end(self, event: icalendar.Event, start: datetime, all_day: bool) -> datetime:
        if "DTEND" in event and "DURATION" in event:
            raise _Refused("DURATION", "DTEND and DURATION cannot both be given")
        if "DTEND" in event:
            value = event["DTEND"].dt
            if all_day != (not isinstance(value, datetime)):
                raise _Refused("DTEND", "DTEND must be a date when DTSTART is a date, a date-time otherwise")
            if all_day:
                return datetime.combine(value, time(), self.tz)
            return self._zoned(value).astimezone(start.tzinfo)
        if "DURATION" in event:
            duration = event["DURATION"].dt
            if not isinstance(duration, timedelta):
                raise _Refused("DURATION", f"{duration!r} is not a duration")
            return start + duration
        return start + timedelta(days=1) if all_day else start

    def _reminder(self, event: icalendar.Event, start: datetime, end: datetime) -> int | None:
        """Minutes before the start of the first alarm, None when the event has no alarm."""
        for alarm in event.walk("VALARM"):
            if "TRIGGER" not in alarm:
                continue
            trigger = alarm["TRIGGER"]
            value = trigger.dt
            if isinstance(value, timedelta):
                anchor = end if str(trigger.params.get("RELATED", "START")).upper() == "END" else start
                before = start - (anchor + value)
            elif isinstance(value, datetime):
                before = start - self._zoned(value)
            else:
                raise _Refused("TRIGGER", f"TRIGGER {value!r} is neither a duration nor a date-time")
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
                    moment = self._zoned(value)
                elif isinstance(value, date):  # a DATE: the occurrence of that day
                    moment = datetime.combine(value, start.time(), start.tzinfo)
                else:
                    raise _Refused("EXDATE", f"{value!r} is not a date or a date-time")
                starts.append(moment.astimezone(self.tz))
        return starts


def _broken(event: icalendar.Event, prop: str | None, problem: str) -> str:
    """icalendar's complaint about a property, as a user-facing reason."""
    if prop is None:
        return f"not an iCalendar line ({problem})"
    shown = str(event.get(prop))  # the property's text as the file has it
    if prop in ("DTSTART", "DTEND", "RECURRENCE-ID", "EXDATE", "DUE"):
        return f"{prop} {shown!r} is not a valid date or date-time"
    return f"{prop} {shown!r} is not valid ({problem})"


# --- RRULE ⇄ Recurrence ---------------------------------------------------------------------------


def rrule_to_recurrence(rule: icalendar.prop.vRecur, start: datetime) -> Recurrence:
    """Outlook's form of an RFC 5545 rule whose series starts at `start` (aware, in the series' zone);
    `_Refused` says what Outlook cannot express."""
    unknown = sorted(set(rule) - _RULE_PARTS)
    if unknown:
        raise _Refused("RRULE", f"RRULE {unknown[0]} is not supported (Outlook has no such rule)")
    if "FREQ" not in rule:
        raise _Refused("RRULE", "RRULE has no FREQ")
    freq = str(_parts(rule, "FREQ")[0]).upper()
    interval = _int(rule, "INTERVAL", 1)
    wkst = str((_parts(rule, "WKST") or ["MO"])[0]).upper()
    if wkst not in _CODE_DAY:
        raise _Refused("RRULE", f"RRULE WKST={wkst} is not a day")
    days, ordinals = _byday(rule)
    monthdays = _numbers(rule, "BYMONTHDAY")
    months = _numbers(rule, "BYMONTH")
    setpos = _numbers(rule, "BYSETPOS")
    base = {"start_date": start.date(), "interval": interval, "first_day_of_week": _CODE_DAY[wkst]}
    base.update(_range(rule, start))
    text = rule.to_ical().decode()
    if len(months) > 1 or len(monthdays) > 1 or len(setpos) > 1:
        raise _cannot(text, "one month, one day of the month and one BYSETPOS at most")
    if freq in ("DAILY", "WEEKLY") and (monthdays or months or setpos or ordinals):
        raise _cannot(text, "a daily or weekly rule takes only plain days")
    if freq == "DAILY":
        if days and interval != 1:
            raise _cannot(text, "days of the week with an interval of days")
        if days:
            return Recurrence(pattern="weekly", days_of_week=tuple(days), **base)
        return Recurrence(pattern="daily", **base)
    if freq == "WEEKLY":
        return Recurrence(pattern="weekly", days_of_week=tuple(days or [WEEKDAYS[start.weekday()]]), **base)
    if freq not in ("MONTHLY", "YEARLY"):
        raise _cannot(text, f"FREQ={freq}: Outlook repeats daily, weekly, monthly or yearly")
    yearly = freq == "YEARLY"
    if months and not yearly:
        raise _cannot(text, "BYMONTH in a monthly rule")
    if yearly:
        base["month"] = months[0] if months else start.month
    kind = "Yearly" if yearly else "Monthly"
    if ordinals or (days and setpos):
        if ordinals and (len(ordinals) > 1 or days or setpos or monthdays):
            raise _cannot(text, "one numbered weekday at most, like 2TU or -1FR")
        if monthdays:
            raise _cannot(text, "BYDAY together with BYMONTHDAY")
        if yearly and not months:
            raise _cannot(text, "a numbered weekday of the year")
        position, chosen = (ordinals[0][0], [ordinals[0][1]]) if ordinals else (setpos[0], days)
        if position not in _INDEX_OF:
            raise _cannot(text, f"position {position}: Outlook knows first to fourth and last")
        return Recurrence(
            pattern=f"relative{kind}", index=_INDEX_OF[position], days_of_week=tuple(chosen), **base
        )
    if days:
        if monthdays or yearly or interval != 1:
            raise _cannot(text, "every such weekday of the month or year")
        return Recurrence(pattern="weekly", days_of_week=tuple(days), **base)  # every Tuesday
    if setpos:
        raise _cannot(text, "BYSETPOS without BYDAY")
    day = monthdays[0] if monthdays else start.day
    if day == -1:  # the last day of the month: the last of any weekday
        return Recurrence(pattern=f"relative{kind}", index="last", days_of_week=WEEKDAYS, **base)
    if not 1 <= day <= 31:
        raise _cannot(text, f"BYMONTHDAY={day}: Outlook counts days from the start of the month")
    return Recurrence(pattern=f"absolute{kind}", day_of_month=day, **base)


def in_zone(recurrence: Recurrence, source_start: datetime, tz: ZoneInfo) -> Recurrence:
    """The same rule for a series stored in the CRM's zone `tz` (the store keeps series times there and
    expands rules in that zone's wall-clock time). When the first start falls on another day in `tz`
    (Monday 20:00 in New York is Tuesday 02:00 in Paris) a daily or weekly rule moves its days along;
    a monthly or yearly one cannot, and is refused."""
    shift = (source_start.astimezone(tz).date() - source_start.date()).days
    if shift == 0:
        return recurrence
    if recurrence.pattern not in ("daily", "weekly"):
        zone = getattr(source_start.tzinfo, "key", str(source_start.tzinfo))
        raise _Refused(
            "DTSTART",
            f"this {recurrence.pattern} series starts on {source_start:%Y-%m-%d %H:%M} in {zone}, another "
            f"day in the CRM's time zone {tz.key}: Outlook's rule cannot follow it",
        )
    days = tuple(WEEKDAYS[(WEEKDAYS.index(d) + shift) % 7] for d in recurrence.days_of_week)
    end = recurrence.end_date + timedelta(days=shift) if recurrence.end_date else None
    return replace(
        recurrence, start_date=recurrence.start_date + timedelta(days=shift), days_of_week=days, end_date=end
    )


def _cannot(text: str, why: str) -> _Refused:
    return _Refused("RRULE", f"RRULE {text} cannot be expressed in Outlook ({why})")


def _parts(rule: icalendar.prop.vRecur, key: str) -> list:
    """The values of one rule part, as a list (a parsed rule holds lists, a built one may not)."""
    value = rule.get(key, [])
    return list(value) if isinstance(value, list | tuple) else [value]


def _numbers(rule: icalendar.prop.vRecur, key: str) -> list[int]:
    try:
        return [int(v) for v in _parts(rule, key)]
    except (TypeError, ValueError):
        raise _Refused("RRULE", f"RRULE {key} is not a list of numbers") from None


def _int(rule: icalendar.prop.vRecur, key: str, default: int) -> int:
    try:
        return int((_parts(rule, key) or [default])[0])
    except (TypeError, ValueError):
        raise _Refused("RRULE", f"RRULE {key} is not a number") from None


def _byday(rule: icalendar.prop.vRecur) -> tuple[list[str], list[tuple[int, str]]]:
    """Plain days (`TU`) and numbered days (`2TU`, `-1FR`) of BYDAY."""
    days: list[str] = []
    ordinals: list[tuple[int, str]] = []
    for item in _parts(rule, "BYDAY"):
        match = _BYDAY.match(str(item).upper())
        if not match:
            raise _Refused("RRULE", f"RRULE BYDAY {item!r} is not a day")
        position, code = match.groups()
        if position and int(position) != 0:
            ordinals.append((int(position), _CODE_DAY[code]))
        else:
            days.append(_CODE_DAY[code])
    return days, ordinals


def _range(rule: icalendar.prop.vRecur, start: datetime) -> dict:
    if "UNTIL" in rule and "COUNT" in rule:
        raise _Refused("RRULE", "RRULE has both UNTIL and COUNT")
    if "COUNT" in rule:
        return {"range_type": "numbered", "count": _int(rule, "COUNT", 1)}
    if "UNTIL" in rule:
        until = _parts(rule, "UNTIL")[0]
        if isinstance(until, datetime):
            local = (
                until.replace(tzinfo=start.tzinfo) if until.tzinfo is None else until.astimezone(start.tzinfo)
            )
            # the last occurrence must start by UNTIL: on UNTIL's day only if its time allows
            last = local.date() if local.time() >= start.time() else local.date() - timedelta(days=1)
        elif isinstance(until, date):
            last = until
        else:
            raise _Refused("RRULE", f"RRULE UNTIL {until!r} is not a date")
        return {"range_type": "endDate", "end_date": last}
    return {"range_type": "noEnd"}


def recurrence_to_rrule(recurrence: Recurrence, start: datetime, all_day: bool) -> dict:
    """The RFC 5545 rule of `recurrence` (as an icalendar RRULE value) for a series starting at `start`."""
    r = recurrence
    freq = {"daily": "DAILY", "weekly": "WEEKLY"}.get(r.pattern) or (
        "MONTHLY" if r.pattern.endswith("Monthly") else "YEARLY"
    )
    rule: dict = {"FREQ": freq}
    if r.range_type == "endDate" and r.end_date is not None:
        if all_day:
            rule["UNTIL"] = r.end_date
        else:
            last = datetime.combine(r.end_date, time(23, 59, 59), start.tzinfo)
            rule["UNTIL"] = last.astimezone(ZoneInfo("UTC"))
    elif r.range_type == "numbered":
        rule["COUNT"] = r.count
    rule["INTERVAL"] = r.interval
    if r.pattern.endswith("Yearly"):
        rule["BYMONTH"] = [r.month]
    if r.pattern in ("weekly", "relativeMonthly", "relativeYearly"):
        rule["BYDAY"] = [_DAY_CODE[d] for d in r.days_of_week]
    if r.pattern.startswith("absolute"):
        rule["BYMONTHDAY"] = [r.day_of_month]
    if r.pattern.startswith("relative"):
        rule["BYSETPOS"] = [_POS_OF[r.index or "first"]]
    rule["WKST"] = _DAY_CODE[r.first_day_of_week]
    return rule


# --- writing --------------------------------------------------------------------------------------


def action_uid(action: Action, n: int) -> str:
    return f"tui-sync-action-{action.id if action.id is not None else f'new-{n}'}@{UID_DOMAIN}"


def series_uid(series: Series, n: int) -> str:
    return f"tui-sync-series-{series.id if series.id is not None else f'new-{n}'}@{UID_DOMAIN}"


def write_calendar(
    actions: Iterable[Action], series: Iterable[Series], tz: ZoneInfo, now: datetime | None = None
) -> bytes:
    """An .ics file of single actions (occurrences among them are left to their series) and series,
    times with a TZID (and its VTIMEZONE): the CRM's zone `tz`, or a series' own IANA zone;
    `now` stamps DTSTAMP."""
    stamp = (now or datetime.now(UTC)).astimezone(ZoneInfo("UTC"))
    calendar = icalendar.Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    for n, action in enumerate((a for a in actions if a.series_id is None), start=1):
        calendar.add_component(_event(action, action_uid(action, n), stamp, tz))
    for n, s in enumerate(series, start=1):
        # A series is written in its own zone (the store's are in the CRM's): its rule means wall-clock
        # days and times there.
        zone = s.start.tzinfo if isinstance(s.start.tzinfo, ZoneInfo) else tz
        uid = series_uid(s, n)
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


def _event(item: Action | Series, uid: str, stamp: datetime, tz: ZoneInfo) -> icalendar.Event:
    event = icalendar.Event()
    event.add("uid", uid)
    event.add("dtstamp", stamp)
    event.add("summary", item.title)
    event.add("dtstart", _when(item.start, item.all_day, tz))
    event.add("dtend", _when(item.end, item.all_day, tz))
    if item.location:
        event.add("location", item.location)
    if item.note:
        event.add("description", item.note)
    if item.private:
        event.add("class", "PRIVATE")
    event.add("categories", [item.action_type])
    if item.reminder_on:
        alarm = icalendar.Alarm()
        alarm.add("action", "DISPLAY")
        alarm.add("description", item.title or "Reminder")
        alarm.add("trigger", timedelta(minutes=-item.reminder_minutes))
        event.add_component(alarm)
    return event
