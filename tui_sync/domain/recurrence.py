"""Expanding a series into its occurrences inside a period (python-dateutil's rrule).

The rule is evaluated in the series' own wall-clock time, so a 09:00 weekly meeting stays at 09:00 across
daylight-saving changes, as Outlook does. Outlook's `index` (first…last) is rrule's `bysetpos`.

A series means what Outlook means by it, since Outlook holds the other copy:

* monthly on day 29, 30 or 31 (and yearly on 29 February) falls on the month's last day in a month that
  lacks that day, instead of skipping the month: "If for a particular month this value is larger than
  the number of days in the month, the last day of the month is assumed" (learn.microsoft.com
  exchange/client-developer/web-service-reference/absolutemonthlyrecurrence; Outlook's recurrence dialog
  says the same);
* a series starts on its first occurrence: the range "startDate … Must be the same value as the start
  property of the recurring event", and "the first occurrence … may be this date or later, depending on
  the recurrence pattern" (learn.microsoft.com graph/api/resources/recurrencerange); Outlook then moves
  the series' start onto that first occurrence. `aligned` does the same to a CRM series.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, time, timedelta, tzinfo
from typing import Any, Literal

from dateutil import rrule

from tui_sync.domain.models import WEEKDAYS, Action, InvalidValue, Recurrence, Series
from tui_sync.domain.period import Period
from tui_sync.domain.refusals import NoZone

_RR_DAYS = dict(
    zip(WEEKDAYS, (rrule.MO, rrule.TU, rrule.WE, rrule.TH, rrule.FR, rrule.SA, rrule.SU), strict=True)
)
_SETPOS = {"first": 1, "second": 2, "third": 3, "fourth": 4, "last": -1}
# dateutil's rrule frequencies, YEARLY (0) to SECONDLY (6).
Frequency = Literal[0, 1, 2, 3, 4, 5, 6]
_FREQ: dict[str, Frequency] = {
    "daily": rrule.DAILY,
    "weekly": rrule.WEEKLY,
    "absoluteMonthly": rrule.MONTHLY,
    "relativeMonthly": rrule.MONTHLY,
    "absoluteYearly": rrule.YEARLY,
    "relativeYearly": rrule.YEARLY,
}


def _zone(moment: datetime) -> tzinfo:
    """The zone of an aware datetime (the models refuse naive ones)."""
    if moment.tzinfo is None:
        raise InvalidValue("start", NoZone())
    return moment.tzinfo


def build_rule(recurrence: Recurrence, start_time: time) -> rrule.rrule:
    """The rrule of `recurrence`, on naive wall-clock datetimes at `start_time`."""
    r = recurrence
    kwargs: dict[str, Any] = {
        "dtstart": datetime.combine(r.start_date, start_time),
        "interval": r.interval,
        "wkst": _RR_DAYS[r.first_day_of_week],
    }
    if r.pattern in ("weekly", "relativeMonthly", "relativeYearly"):
        kwargs["byweekday"] = [_RR_DAYS[d] for d in r.days_of_week]
    if r.pattern in ("absoluteMonthly", "absoluteYearly"):
        kwargs.update(_month_day(r.day_of_month or 1))
    if r.pattern.endswith("Yearly"):
        kwargs["bymonth"] = r.month
    if r.pattern.startswith("relative"):
        kwargs["bysetpos"] = _SETPOS[r.index or "first"]
    if r.range_type == "endDate" and r.end_date is not None:
        kwargs["until"] = datetime.combine(r.end_date, time.max)
    elif r.range_type == "numbered":
        kwargs["count"] = r.count
    return rrule.rrule(_FREQ[r.pattern], **kwargs)


def _month_day(day: int) -> dict[str, object]:
    """rrule's days of the month for Outlook's `dayOfMonth`: past the 28th, the last existing day up to
    `day` (the 31st is the 30th in April, the 28th or 29th in February)."""
    if day <= 28:
        return {"bymonthday": day}
    return {"bymonthday": list(range(28, day + 1)), "bysetpos": -1}


def rule_starts(
    recurrence: Recurrence, first_start: datetime, after: datetime, before: datetime
) -> list[datetime]:
    """Aware starts of the rule's occurrences with after <= start < before, in first_start's zone."""
    tz = _zone(first_start)
    # The wall time of the real instant: a start at a time the clocks skip (02:30 on the spring-forward
    # day) is 03:30 there, and every later occurrence is at 03:30 too, as in Outlook.
    wall_time = first_start.astimezone(UTC).astimezone(tz).time().replace(tzinfo=None)
    rule = build_rule(recurrence, wall_time)
    lo = after.astimezone(tz).replace(tzinfo=None) - timedelta(days=1)
    hi = before.astimezone(tz).replace(tzinfo=None) + timedelta(days=1)
    starts = (d.replace(tzinfo=tz) for d in rule.between(lo, hi, inc=True))
    return [s for s in starts if after <= s < before]


def occurrence(series: Series, original_start: datetime) -> Action:
    """The unedited occurrence of `series` that starts at `original_start`."""
    return Action(
        owner=series.owner,
        title=series.title,
        start=original_start,
        end=original_start + (series.end - series.start),
        all_day=series.all_day,
        location=series.location,
        private=series.private,
        reminder_on=series.reminder_on,
        reminder_minutes=series.reminder_minutes,
        action_type=series.action_type,
        note=series.note,
        series_id=series.id,
        original_start=original_start,
    )


def expand(series: Series, period: Period) -> list[Action]:
    """The occurrences of `series` that overlap `period`, exceptions in place, cancellations left out,
    sorted by start."""
    duration = series.end - series.start
    exceptions = {e.original_start: e for e in series.exceptions}
    found: list[Action] = []
    for start in rule_starts(series.recurrence, series.start, period.start - duration, period.end):
        if start in series.cancelled or start in exceptions:
            continue
        if period.overlaps(start, start + duration):
            found.append(occurrence(series, start))
    found.extend(
        e
        for e in series.exceptions
        if e.original_start not in series.cancelled and period.overlaps(e.start, e.end)
    )
    return sorted(found, key=lambda a: a.start)


def first_start(recurrence: Recurrence, start: datetime) -> datetime | None:
    """The first occurrence of `recurrence` on or after `start`'s day, at `start`'s wall time in its
    zone: where Outlook puts a series given that start. None when the range holds no occurrence."""
    tz = _zone(start)
    local = start.astimezone(tz)
    if recurrence.range_type == "endDate" and recurrence.end_date and recurrence.end_date < local.date():
        return None
    rule = build_rule(replace(recurrence, start_date=local.date()), local.time().replace(tzinfo=None))
    first = next(iter(rule), None)
    return first.replace(tzinfo=tz) if first is not None else None


def aligned(series: Series) -> Series:
    """`series` as Outlook keeps it: starting on its first occurrence, its range starting that day.

    A weekly-on-Monday series given a Wednesday start begins the next Monday; the duration, the
    exceptions and the cancellations stay. A rule with no occurrence at all is left as it is (Outlook
    refuses it, and the sync reports that)."""
    tz = _zone(series.start)
    first = first_start(series.recurrence, series.start)
    if first is None:
        return series
    day = first.astimezone(tz).date()
    if first == series.start and series.recurrence.start_date == day:
        return series
    if series.all_day:  # whole days in wall time, whatever daylight saving does in between
        shift = day - series.start.astimezone(tz).date()
        end = datetime.combine(series.end.astimezone(tz).date() + shift, time(), tz)
    else:
        end = first + (series.end - series.start)
    return series.with_changes(start=first, end=end, recurrence=replace(series.recurrence, start_date=day))


def iter_all_starts(recurrence: Recurrence, first_start: datetime, limit: int) -> Iterator[datetime]:
    """At most `limit` starts from the beginning of the rule (for exports and previews)."""
    tz = first_start.tzinfo
    rule = build_rule(recurrence, first_start.astimezone(tz).time().replace(tzinfo=None))
    for i, d in enumerate(rule):
        if i >= limit:
            return
        yield d.replace(tzinfo=tz)
