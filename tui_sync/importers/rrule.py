"""RFC 5545 recurrence rules ⇄ the CRM's `Recurrence`, which speaks Outlook's vocabulary.

Outlook repeats daily, weekly on some days, monthly on a day or on "the second Tuesday" (first…fourth or
last of one or more weekdays), yearly likewise, every `interval`, until a date, a number of times, or for
ever. An RRULE maps onto that when it uses FREQ DAILY/WEEKLY/MONTHLY/YEARLY with INTERVAL, BYDAY (plain
days, or one numbered day like `2TU` / `-1FR`), one BYMONTHDAY (or -1: the last day), one BYMONTH, one
BYSETPOS, WKST, UNTIL or COUNT. Anything else (hourly rules, a fifth Monday, BYHOUR, BYWEEKNO, …) is
refused with the reason, rather than imported as something else.

Day 29–31: Outlook's monthly (and yearly) day puts the occurrence on the month's last day when the month
is shorter; RFC 5545 skips such months. So Outlook's "day 31" is written
`BYMONTHDAY=28,29,30,31;BYSETPOS=-1` (29 February yearly: `BYMONTH=2;BYMONTHDAY=28,29;BYSETPOS=-1`),
which reads back as the same day; a plain `BYMONTHDAY=31` (or a DTSTART on the 31st with no BYMONTHDAY)
means something Outlook cannot say and is refused, with the form to use instead.
"""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import icalendar

from tui_sync import texts
from tui_sync.domain.models import WEEKDAYS, Pattern, Recurrence

_DAY_CODES = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
_CODE_DAY = dict(zip(_DAY_CODES, WEEKDAYS, strict=True))
_DAY_CODE = dict(zip(WEEKDAYS, _DAY_CODES, strict=True))
_INDEX_OF = {1: "first", 2: "second", 3: "third", 4: "fourth", -1: "last"}
_POS_OF = {name: pos for pos, name in _INDEX_OF.items()}
_BYDAY = re.compile(r"^([+-]?\d{1,2})?(MO|TU|WE|TH|FR|SA|SU)$")
_RULE_PARTS = {"FREQ", "INTERVAL", "BYDAY", "BYMONTHDAY", "BYMONTH", "BYSETPOS", "WKST", "UNTIL", "COUNT"}


class Refused(Exception):
    """An event the CRM cannot take: `prop` names the property (so its line can be shown), `reason`
    says why in words a user can act on."""

    def __init__(self, prop: str | None, reason: str) -> None:
        super().__init__(reason)
        self.prop = prop
        self.reason = reason


def rrule_to_recurrence(rule: icalendar.prop.vRecur, start: datetime) -> Recurrence:
    """Outlook's form of an RFC 5545 rule whose series starts at `start` (aware, in the series' zone);
    `Refused` says what Outlook cannot express."""
    unknown = sorted(set(rule) - _RULE_PARTS)
    if unknown:
        raise Refused("RRULE", texts.imports.rrule_unsupported_part(unknown[0]))
    if "FREQ" not in rule:
        raise Refused("RRULE", texts.imports.RRULE_NO_FREQ)
    freq = str(_parts(rule, "FREQ")[0]).upper()
    interval = _int(rule, "INTERVAL", 1)
    wkst = str((_parts(rule, "WKST") or ["MO"])[0]).upper()
    if wkst not in _CODE_DAY:
        raise Refused("RRULE", texts.imports.rrule_bad_wkst(wkst))
    days, ordinals = _byday(rule)
    monthdays = _numbers(rule, "BYMONTHDAY")
    months = _numbers(rule, "BYMONTH")
    setpos = _numbers(rule, "BYSETPOS")
    base: dict[str, Any] = {
        "start_date": start.date(),
        "interval": interval,
        "first_day_of_week": _CODE_DAY[wkst],
    }
    base.update(_range(rule, start))
    text = rule.to_ical().decode()
    capped = _capped_day(monthdays, setpos, days, ordinals)
    if capped is not None:  # "day 31, or the month's last day": Outlook's own monthly day
        monthdays, setpos = [capped], []
    if len(months) > 1 or len(monthdays) > 1 or len(setpos) > 1:
        raise _cannot(text, texts.imports.RRULE_ONE_OF_EACH)
    if freq in ("DAILY", "WEEKLY") and (monthdays or months or setpos or ordinals):
        raise _cannot(text, texts.imports.RRULE_PLAIN_DAYS_ONLY)
    if freq == "DAILY":
        if days and interval != 1:
            raise _cannot(text, texts.imports.RRULE_DAYS_WITH_DAY_INTERVAL)
        if days:
            return Recurrence(pattern="weekly", days_of_week=tuple(days), **base)
        return Recurrence(pattern="daily", **base)
    if freq == "WEEKLY":
        return Recurrence(pattern="weekly", days_of_week=tuple(days or [WEEKDAYS[start.weekday()]]), **base)
    if freq not in ("MONTHLY", "YEARLY"):
        raise _cannot(text, texts.imports.rrule_freq(freq))
    yearly = freq == "YEARLY"
    if months and not yearly:
        raise _cannot(text, texts.imports.RRULE_BYMONTH_IN_MONTHLY)
    if yearly:
        base["month"] = months[0] if months else start.month
    relative: Pattern = "relativeYearly" if yearly else "relativeMonthly"
    absolute: Pattern = "absoluteYearly" if yearly else "absoluteMonthly"
    if ordinals or (days and setpos):
        if ordinals and (len(ordinals) > 1 or days or setpos or monthdays):
            raise _cannot(text, texts.imports.RRULE_ONE_NUMBERED_WEEKDAY)
        if monthdays:
            raise _cannot(text, texts.imports.RRULE_BYDAY_WITH_BYMONTHDAY)
        if yearly and not months:
            raise _cannot(text, texts.imports.RRULE_NUMBERED_WEEKDAY_OF_YEAR)
        position, chosen = (ordinals[0][0], [ordinals[0][1]]) if ordinals else (setpos[0], days)
        if position not in _INDEX_OF:
            raise _cannot(text, texts.imports.rrule_position(position))
        return Recurrence(pattern=relative, index=_INDEX_OF[position], days_of_week=tuple(chosen), **base)
    if days:
        if monthdays or yearly or interval != 1:
            raise _cannot(text, texts.imports.RRULE_EVERY_SUCH_WEEKDAY)
        return Recurrence(pattern="weekly", days_of_week=tuple(days), **base)  # every Tuesday
    if setpos:
        raise _cannot(text, texts.imports.RRULE_BYSETPOS_WITHOUT_BYDAY)
    day = monthdays[0] if monthdays else start.day
    if day == -1:  # the last day of the month: the last of any weekday
        return Recurrence(pattern=relative, index="last", days_of_week=WEEKDAYS, **base)
    if not 1 <= day <= 31:
        raise _cannot(text, texts.imports.rrule_monthday(day))
    month = base.get("month")
    if capped is None and day > _shortest(month):
        # RFC 5545 §3.3.10 skips the months (or years) without that day; Outlook puts the occurrence on
        # the month's last day instead: importing the rule as it is would add occurrences.
        raise _cannot(text, texts.imports.rrule_day_skips_months(day))
    return Recurrence(pattern=absolute, day_of_month=day, **base)


def _shortest(month: int | None) -> int:
    """The fewest days `month` has (any month: 28), the largest day every occurrence can have."""
    if month is None or month == 2:
        return 28
    return 30 if month in (4, 6, 9, 11) else 31


def _capped_day(monthdays: list[int], setpos: list[int], days: list[str], ordinals: list) -> int | None:
    """The day of `BYMONTHDAY=28,29,30,31;BYSETPOS=-1`-style rules (the last of a run of days that
    starts on or before the 28th, so that every month has one): "on day 31, or the month's last day
    when it is shorter", Outlook's meaning of a monthly day. None for any other rule."""
    if setpos != [-1] or days or ordinals or len(monthdays) < 2:
        return None
    run = sorted(set(monthdays))
    if run != list(range(run[0], run[-1] + 1)) or not 1 <= run[0] <= 28 or run[-1] > 31:
        return None
    return run[-1]


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
        raise Refused(
            "DTSTART", texts.imports.series_on_other_day(recurrence.pattern, source_start, zone, tz.key)
        )
    days = tuple(WEEKDAYS[(WEEKDAYS.index(d) + shift) % 7] for d in recurrence.days_of_week)
    end = recurrence.end_date + timedelta(days=shift) if recurrence.end_date else None
    return replace(
        recurrence, start_date=recurrence.start_date + timedelta(days=shift), days_of_week=days, end_date=end
    )


def _cannot(text: str, why: str) -> Refused:
    return Refused("RRULE", texts.imports.rrule_inexpressible(text, why))


def _parts(rule: icalendar.prop.vRecur, key: str) -> list:
    """The values of one rule part, as a list (a parsed rule holds lists, a built one may not)."""
    value = rule.get(key, [])
    return list(value) if isinstance(value, list | tuple) else [value]


def _numbers(rule: icalendar.prop.vRecur, key: str) -> list[int]:
    try:
        return [int(v) for v in _parts(rule, key)]
    except (TypeError, ValueError):
        raise Refused("RRULE", texts.imports.rrule_not_numbers(key)) from None


def _int(rule: icalendar.prop.vRecur, key: str, default: int) -> int:
    try:
        return int((_parts(rule, key) or [default])[0])
    except (TypeError, ValueError):
        raise Refused("RRULE", texts.imports.rrule_not_number(key)) from None


def _byday(rule: icalendar.prop.vRecur) -> tuple[list[str], list[tuple[int, str]]]:
    """Plain days (`TU`) and numbered days (`2TU`, `-1FR`) of BYDAY."""
    days: list[str] = []
    ordinals: list[tuple[int, str]] = []
    for item in _parts(rule, "BYDAY"):
        match = _BYDAY.match(str(item).upper())
        if not match:
            raise Refused("RRULE", texts.imports.rrule_bad_byday(item))
        position, code = match.groups()
        if position and int(position) != 0:
            ordinals.append((int(position), _CODE_DAY[code]))
        else:
            days.append(_CODE_DAY[code])
    return days, ordinals


def _range(rule: icalendar.prop.vRecur, start: datetime) -> dict:
    if "UNTIL" in rule and "COUNT" in rule:
        raise Refused("RRULE", texts.imports.RRULE_UNTIL_AND_COUNT)
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
            raise Refused("RRULE", texts.imports.rrule_bad_until(until))
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
        day = r.day_of_month or 1
        if day > 28:  # Outlook's "day 31" is the month's last day in a shorter month: say so exactly
            rule["BYMONTHDAY"] = list(range(28, day + 1))
            rule["BYSETPOS"] = [-1]
        else:
            rule["BYMONTHDAY"] = [day]
    if r.pattern.startswith("relative"):
        rule["BYSETPOS"] = [_POS_OF[r.index or "first"]]
    rule["WKST"] = _DAY_CODE[r.first_day_of_week]
    return rule
