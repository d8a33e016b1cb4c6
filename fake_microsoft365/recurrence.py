"""Graph ``patternedRecurrence``: validation, the normalised shape Graph returns, and expansion.

Expansion uses python-dateutil's ``rrule`` in the recurrence's time zone (so a 09:00 weekly meeting
stays at 09:00 local across DST changes). Two Outlook habits are reproduced on purpose:

* ``absoluteMonthly``/``absoluteYearly`` with a day the month lacks (31 in April, 29 February) fall on
  the month's last day instead of skipping the month;
* the first occurrence is the first date on or after ``range.startDate`` that fits the pattern.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from typing import Any, Literal

from dateutil import rrule

from .errors import bad_body, validation_failed
from .timezones import resolve

PATTERN_TYPES = ("daily", "weekly", "absoluteMonthly", "relativeMonthly", "absoluteYearly", "relativeYearly")
RANGE_TYPES = ("endDate", "noEnd", "numbered")
DAYS = ("sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday")
INDEXES = ("first", "second", "third", "fourth", "last")
_RRULE_DAYS = {
    "sunday": rrule.SU,
    "monday": rrule.MO,
    "tuesday": rrule.TU,
    "wednesday": rrule.WE,
    "thursday": rrule.TH,
    "friday": rrule.FR,
    "saturday": rrule.SA,
}
_INDEX_POS = {"first": 1, "second": 2, "third": 3, "fourth": 4, "last": -1}
_PATTERN_KEYS = {"type", "interval", "month", "dayOfMonth", "daysOfWeek", "firstDayOfWeek", "index"}
_RANGE_KEYS = {"type", "startDate", "endDate", "recurrenceTimeZone", "numberOfOccurrences"}
NO_DATE = "0001-01-01"


def _enum(value: Any, allowed: tuple[str, ...]) -> str:
    if isinstance(value, str):
        for candidate in allowed:
            if candidate.lower() == value.lower():
                return candidate
    raise bad_body(f"Requested value '{value}' was not found.")


def _int(value: Any, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise bad_body(f"Cannot convert the literal '{value}' to the expected type 'Edm.Int32' ({name}).")
    return value


def _date(value: Any, name: str) -> str:
    try:
        return date.fromisoformat(str(value)).isoformat()
    except ValueError as exc:
        raise bad_body(
            f"Cannot convert the literal '{value}' to the expected type 'Edm.Date' ({name})."
        ) from exc


def normalize(value: Any, start_date: date, start_tz_name: str) -> dict[str, Any] | None:
    """Check a request's ``recurrence`` and return it in the full shape Graph sends back."""
    if value is None:
        return None
    if not isinstance(value, dict) or not isinstance(value.get("pattern"), dict):
        raise bad_body("The recurrence must have a pattern and a range.")
    pattern_in, range_in = value["pattern"], value.get("range")
    if not isinstance(range_in, dict):
        raise bad_body("The recurrence must have a pattern and a range.")
    for key in set(value) - {"pattern", "range"}:
        raise bad_body(f"The property '{key}' does not exist on type 'microsoft.graph.patternedRecurrence'.")
    for key in set(pattern_in) - _PATTERN_KEYS:
        raise bad_body(f"The property '{key}' does not exist on type 'microsoft.graph.recurrencePattern'.")
    for key in set(range_in) - _RANGE_KEYS:
        raise bad_body(f"The property '{key}' does not exist on type 'microsoft.graph.recurrenceRange'.")

    kind = _enum(pattern_in.get("type"), PATTERN_TYPES)
    interval = _int(pattern_in.get("interval", 1), "interval")
    days = pattern_in.get("daysOfWeek") or []
    if not isinstance(days, list):
        raise bad_body("daysOfWeek must be a collection.")
    days = [_enum(day, DAYS) for day in days]
    first_day = _enum(pattern_in.get("firstDayOfWeek") or "sunday", DAYS)
    index = _enum(pattern_in.get("index") or "first", INDEXES)
    month = _int(pattern_in.get("month") or 0, "month")
    day_of_month = _int(pattern_in.get("dayOfMonth") or 0, "dayOfMonth")
    if interval < 1 or interval > 999:
        raise validation_failed("The recurrence interval must be between 1 and 999.")
    if kind in {"weekly", "relativeMonthly", "relativeYearly"} and not days:
        raise validation_failed(f"A {kind} recurrence pattern needs daysOfWeek.")
    if kind in {"absoluteMonthly", "absoluteYearly"} and not 1 <= day_of_month <= 31:
        raise validation_failed(f"An {kind} recurrence pattern needs dayOfMonth between 1 and 31.")
    if kind in {"absoluteYearly", "relativeYearly"} and not 1 <= month <= 12:
        raise validation_failed(f"A {kind} recurrence pattern needs month between 1 and 12.")

    range_kind = _enum(range_in.get("type"), RANGE_TYPES)
    range_start = _date(range_in.get("startDate") or start_date.isoformat(), "startDate")
    tz_name = range_in.get("recurrenceTimeZone") or start_tz_name
    resolve(tz_name)
    end_date = NO_DATE
    count = 0
    if range_kind == "endDate":
        end_date = _date(range_in.get("endDate"), "endDate")
        if end_date < range_start:
            raise validation_failed("The recurrence range end date is before its start date.")
    elif range_kind == "numbered":
        count = _int(range_in.get("numberOfOccurrences"), "numberOfOccurrences")
        if count < 1:
            raise validation_failed("numberOfOccurrences must be at least 1.")
    return {
        "pattern": {
            "type": kind,
            "interval": interval,
            "month": month,
            "dayOfMonth": day_of_month,
            "daysOfWeek": days,
            "firstDayOfWeek": first_day,
            "index": index,
        },
        "range": {
            "type": range_kind,
            "startDate": range_start,
            "endDate": end_date,
            "recurrenceTimeZone": tz_name,
            "numberOfOccurrences": count,
        },
    }


def _rule(recurrence: dict[str, Any], first_local: datetime) -> rrule.rrule:
    pattern, range_ = recurrence["pattern"], recurrence["range"]
    kind, interval = pattern["type"], pattern["interval"]
    dtstart = datetime.combine(date.fromisoformat(range_["startDate"]), first_local.time())
    options: dict[str, Any] = {"dtstart": dtstart, "interval": interval}
    if range_["type"] == "endDate":
        options["until"] = datetime.combine(date.fromisoformat(range_["endDate"]), time(23, 59, 59))
    elif range_["type"] == "numbered":
        options["count"] = range_["numberOfOccurrences"]
    weekdays = [_RRULE_DAYS[day] for day in pattern["daysOfWeek"]]
    if kind == "daily":
        return rrule.rrule(rrule.DAILY, **options)
    if kind == "weekly":
        return rrule.rrule(
            rrule.WEEKLY, byweekday=weekdays, wkst=_RRULE_DAYS[pattern["firstDayOfWeek"]], **options
        )
    freq: Literal[1, 0] = rrule.MONTHLY if kind.endswith("Monthly") else rrule.YEARLY
    if kind.endswith("Yearly"):
        options["bymonth"] = pattern["month"]
    if kind.startswith("absolute"):
        day = pattern["dayOfMonth"]
        if day <= 28:
            return rrule.rrule(freq, bymonthday=day, **options)
        # Outlook puts the 31st on the last day of shorter months: the largest existing day ≤ day.
        return rrule.rrule(freq, bymonthday=list(range(28, day + 1)), bysetpos=-1, **options)
    return rrule.rrule(freq, byweekday=weekdays, bysetpos=_INDEX_POS[pattern["index"]], **options)


def recurrence_zone(recurrence: dict[str, Any]) -> tzinfo:
    return resolve(recurrence["range"]["recurrenceTimeZone"])


def _to_utc(local: datetime, zone: tzinfo) -> datetime:
    return local.replace(tzinfo=zone).astimezone(UTC)


def occurrences(
    recurrence: dict[str, Any],
    first_start: datetime,
    window_start: datetime | None = None,
    window_end: datetime | None = None,
) -> Iterator[datetime]:
    """Original starts (aware, UTC) of the series, optionally only those starting in [start, end)."""
    zone = recurrence_zone(recurrence)
    rule = _rule(recurrence, first_start.astimezone(zone))
    if window_start is None or window_end is None:
        if recurrence["range"]["type"] == "noEnd":
            raise ValueError("an endless series needs a window")
        for local in rule:
            yield _to_utc(local, zone)
        return
    # Local wall-clock bounds, widened by a day so that offsets and DST never lose an occurrence.
    low = window_start.astimezone(zone).replace(tzinfo=None) - timedelta(days=1)
    high = window_end.astimezone(zone).replace(tzinfo=None) + timedelta(days=1)
    for local in rule.between(low, high, inc=True):
        moment = _to_utc(local, zone)
        if window_start <= moment < window_end:
            yield moment


def first_occurrence(recurrence: dict[str, Any], first_start: datetime) -> datetime | None:
    """The series' first original start, or None if the pattern never fits the range."""
    zone = recurrence_zone(recurrence)
    rule = _rule(recurrence, first_start.astimezone(zone))
    local = next(iter(rule), None)
    return _to_utc(local, zone) if local is not None else None


def neighbours(
    recurrence: dict[str, Any], first_start: datetime, original: datetime
) -> tuple[datetime | None, datetime | None]:
    """The original starts just before and just after ``original`` (for the crossing-boundary rule)."""
    zone = recurrence_zone(recurrence)
    rule = _rule(recurrence, first_start.astimezone(zone))
    local = original.astimezone(zone).replace(tzinfo=None)
    before = rule.before(local)
    after = rule.after(local)
    return (
        _to_utc(before, zone) if before is not None else None,
        _to_utc(after, zone) if after is not None else None,
    )
