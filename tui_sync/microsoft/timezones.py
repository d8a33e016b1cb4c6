"""Time zones between the CRM (IANA names) and Graph (`dateTimeTimeZone` with Windows names).

We *send* Windows names, the form every Exchange version accepts (Graph: dateTimeTimeZone), mapped from the
CRM's IANA zone with the CLDR `windowsZones` table that `tzlocal` ships (`tzlocal.windows_tz`), so the
table is maintained upstream rather than by us. We *read* whatever Graph hands back: a Windows name, an
IANA name or `UTC`, with its 7-digit fractional seconds (`2019-03-15T12:00:00.0000000`). A name we
cannot place is an error that says which name, never a silent guess: a wrong zone moves meetings.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from tzlocal.windows_tz import tz_win, win_tz

from tui_sync import texts
from tui_sync.errors import UserError


class UnknownTimeZone(UserError):
    """A zone name with no counterpart on the other side (CRM setting or Graph data)."""


UTC_ZONE = ZoneInfo("UTC")

# IANA names that CLDR leaves out of windowsZones (links and legacy POSIX-style zones) → a zone it has.
_IANA_ALIASES: Mapping[str, str] = {
    "GMT": "Etc/GMT",
    "Factory": "Etc/UTC",
    "localtime": "Etc/UTC",
    "US/East-Indiana": "America/Indiana/Indianapolis",
    "Europe/Uzhgorod": "Europe/Kyiv",
    "Europe/Zaporozhye": "Europe/Kyiv",
    "CST6CDT": "America/Chicago",
    "EST5EDT": "America/New_York",
    "MST7MDT": "America/Denver",
    "PST8PDT": "America/Los_Angeles",
    "Antarctica/Troll": "Etc/UTC",  # UTC+0 in winter; CLDR has no Windows zone for it
}

# Windows names Exchange can still hand back that CLDR no longer lists, and Graph's own UTC spellings.
_EXTRA_WINDOWS: Mapping[str, str] = {
    "Kamchatka Standard Time": "Asia/Kamchatka",
    "Mid-Atlantic Standard Time": "Etc/GMT+2",
    "tzone://Microsoft/Utc": "UTC",
    "Coordinated Universal Time": "UTC",
    "Greenwich Mean Time": "Etc/GMT",
}

_EXTRA_DIGITS = re.compile(r"(\.\d{6})\d+")

_WINDOWS_TO_IANA: Mapping[str, str] = {k.casefold(): v for k, v in {**win_tz, **_EXTRA_WINDOWS}.items()}


def windows_zone(tz: tzinfo | str) -> str:
    """The Windows name to send for a CRM zone (a ZoneInfo, its IANA key, or UTC).

    Raises UnknownTimeZone when the zone has no Windows equivalent (the user must pick another).
    """
    key = tz if isinstance(tz, str) else _zone_key(tz)
    key = _IANA_ALIASES.get(key, key)
    name = tz_win.get(key) if key else None  # (tzlocal's table has a stray "" entry)
    if name is None:
        raise UnknownTimeZone(texts.microsoft.no_windows_zone(key))
    return name


def _zone_key(tz: tzinfo) -> str:
    key = getattr(tz, "key", None)
    if isinstance(key, str):
        return key
    if tz.utcoffset(None) == timedelta(0) and tz.tzname(None) == "UTC":  # datetime.UTC and the like
        return "UTC"
    return str(tz)


def graph_zone(name: str | None) -> ZoneInfo:
    """The zone of a Graph `timeZone` value: a Windows name, an IANA name or UTC (case-insensitive for
    Windows names). Missing means UTC, Graph's default. Raises UnknownTimeZone otherwise."""
    if not name:
        return UTC_ZONE
    candidate = _WINDOWS_TO_IANA.get(name.strip().casefold()) or name.strip()
    if candidate in ("UTC", "Etc/UTC"):
        return UTC_ZONE
    try:
        return ZoneInfo(candidate)
    except (ZoneInfoNotFoundError, ValueError):
        raise UnknownTimeZone(texts.microsoft.unknown_graph_zone(name)) from None


CUSTOM_ZONES = frozenset({"tzone://microsoft/custom", "customized time zone"})
"""How Graph names a legacy custom time zone set in desktop Outlook: `tzone://Microsoft/Custom`
(learn.microsoft.com graph/api/resources/event, originalStartTimeZone) or "Customized Time Zone" (seen in
a series' recurrenceTimeZone: github.com/MicrosoftDocs/azure-docs/issues/39454). Its definition is not
exposed, so no rules can be read from it."""


def is_custom_zone(name: str) -> bool:
    """True for Graph's names of a legacy custom time zone (case-blind)."""
    return name.strip().casefold() in CUSTOM_ZONES


def parse_graph_datetime(text: str) -> datetime:
    """A Graph date/time string, naive or with an offset/Z, with up to 7 fractional digits (digits past
    the 6th are dropped: Python keeps microseconds). Raises UserError naming the value on garbage."""
    value = _EXTRA_DIGITS.sub(r"\1", text.strip()) if isinstance(text, str) else ""
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise UserError(texts.microsoft.bad_graph_datetime(text)) from None


def read_datetime(value: Mapping[str, object] | None, tz: tzinfo) -> datetime:
    """A `dateTimeTimeZone` as an aware datetime converted to `tz` (the CRM zone).

    The wall time is read in the value's own zone, except when the string carries an offset itself.
    """
    if not isinstance(value, Mapping) or not isinstance(text := value.get("dateTime"), str):
        raise UserError(texts.microsoft.bad_graph_datetime(value))
    moment = parse_graph_datetime(text)
    if moment.tzinfo is None:
        zone_name = value.get("timeZone")
        moment = moment.replace(tzinfo=graph_zone(zone_name if isinstance(zone_name, str) else None))
    return moment.astimezone(tz)


def read_date(value: Mapping[str, object] | None) -> date:
    """The calendar date of a `dateTimeTimeZone`, ignoring its zone: all-day events float, Graph writes
    them as midnight in whatever zone it answers in."""
    if not isinstance(value, Mapping) or not isinstance(text := value.get("dateTime"), str):
        raise UserError(texts.microsoft.bad_graph_datetime(value))
    return parse_graph_datetime(text).date()


def _is_ambiguous(local: datetime) -> bool:
    """True for a wall time that happens twice (the hour when clocks go back)."""
    other = local.replace(fold=1 - local.fold)
    return other.utcoffset() != local.utcoffset()


def graph_datetime(moment: datetime, tz: tzinfo) -> dict[str, str]:
    """`dateTimeTimeZone` for an aware datetime, written as wall time in `tz` with its Windows name.

    A wall time that occurs twice in `tz` cannot say which of the two it means, so that one moment is
    sent in UTC instead (Graph accepts it; it reads back to the same instant). Sub-seconds are dropped.
    """
    local = moment.astimezone(tz)
    if _is_ambiguous(local):
        local, name = moment.astimezone(UTC), "UTC"
    else:
        name = windows_zone(tz)
    return {"dateTime": local.replace(tzinfo=None, microsecond=0).isoformat(), "timeZone": name}


def graph_date(day: date, tz: tzinfo) -> dict[str, str]:
    """`dateTimeTimeZone` for an all-day boundary: midnight of `day` in `tz`."""
    return {"dateTime": datetime.combine(day, time()).isoformat(), "timeZone": windows_zone(tz)}


def midnight(day: date, tz: tzinfo) -> datetime:
    """Midnight at the start of `day` in `tz`, aware."""
    return datetime.combine(day, time(), tz)
