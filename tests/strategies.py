"""Hypothesis strategies for the CRM's domain types, shared by the mapping's round-trip tests and the sync
engine's state-machine tests.

Every strategy draws *canonical* values, the form a value has after a trip through Microsoft 365 and
back: times to the minute and valid in their zone (drawn as instants, shown in the zone), all-day spans
from midnight to midnight, recurrence rules carrying only the fields their pattern uses with days in
Monday-first order, a series starting on its first occurrence, text without control characters
(notes: with LF line breaks). So "X → Microsoft → CRM gives X" is a fair property to ask of them.
"""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from typing import Any, get_args
from zoneinfo import ZoneInfo

from hypothesis import assume
from hypothesis import strategies as st
from tzlocal.windows_tz import win_tz

from tui_sync.domain.models import (
    DEFAULT_ACTION_TYPES,
    INDEXES,
    MAX_REMINDER_MINUTES,
    WEEKDAYS,
    Action,
    ActionType,
    Contact,
    Pattern,
    Recurrence,
    Series,
)
from tui_sync.domain.recurrence import iter_all_starts

ZONES = (
    "Europe/Paris",
    "America/Los_Angeles",
    "UTC",
    "Asia/Kolkata",  # half-hour offset, no DST
    "Australia/Lord_Howe",  # half-hour DST shift
    "America/Santiago",  # DST changes at midnight
    "Pacific/Chatham",  # +12:45 / +13:45
)
PATTERNS: tuple[str, ...] = get_args(Pattern)
TYPE_LABELS = tuple(t.label for t in DEFAULT_ACTION_TYPES)
FIRST_DAY = date(2000, 1, 1)
LAST_DAY = date(2040, 12, 31)

zones = st.sampled_from(ZONES).map(ZoneInfo)

_PRINTABLE = st.characters(codec="utf-8", exclude_categories=("Cc", "Cs", "Co", "Cn", "Zl", "Zp"))
_TEXT_OR_NEWLINE = st.one_of(_PRINTABLE, st.just("\n"))


def line(max_size: int = 40) -> st.SearchStrategy[str]:
    """One line of user text (no control characters)."""
    return st.text(_PRINTABLE, max_size=max_size)


def note(max_size: int = 200) -> st.SearchStrategy[str]:
    """Multi-line user text with LF line breaks."""
    return st.text(_TEXT_OR_NEWLINE, max_size=max_size)


@st.composite
def instants(draw: st.DrawFn, tz: tzinfo, lo: date = FIRST_DAY, hi: date = LAST_DAY) -> datetime:
    """A minute-precision moment shown in `tz` (always a valid wall time, with the right fold)."""
    naive = draw(st.datetimes(datetime.combine(lo, time()), datetime.combine(hi, time(23, 59))))
    return naive.replace(second=0, microsecond=0, tzinfo=UTC).astimezone(tz)


def is_real(moment: datetime) -> bool:
    """True when a wall time exists in its zone as written (not skipped by a DST jump)."""
    back = moment.astimezone(UTC).astimezone(moment.tzinfo)
    return back.replace(tzinfo=None) == moment.replace(tzinfo=None) and back.utcoffset() == moment.utcoffset()


def _plus(moment: datetime, delta: timedelta) -> datetime:
    """Elapsed-time addition (aware arithmetic in one ZoneInfo is wall-clock arithmetic)."""
    return (moment.astimezone(UTC) + delta).astimezone(moment.tzinfo)


@st.composite
def spans(draw: st.DrawFn, tz: tzinfo, all_day: bool | None = None) -> tuple[datetime, datetime, bool]:
    """(start, end, all_day): all-day = midnight to midnight in `tz`, 1–14 days; timed = 0–10 h."""
    whole_days = draw(st.booleans()) if all_day is None else all_day
    if whole_days:
        day = draw(st.dates(FIRST_DAY, LAST_DAY))
        length = draw(st.integers(1, 14))
        return (
            datetime.combine(day, time(), tz),
            datetime.combine(day + timedelta(days=length), time(), tz),
            True,
        )
    start = draw(instants(tz))
    return start, _plus(start, timedelta(minutes=draw(st.integers(0, 600)))), False


def _template(draw: st.DrawFn, type_labels: tuple[str, ...]) -> dict[str, object]:
    reminder_on = draw(st.booleans())
    return {
        "title": draw(line()),
        "location": draw(line()),
        "private": draw(st.booleans()),
        "reminder_on": reminder_on,
        "reminder_minutes": draw(st.integers(0, MAX_REMINDER_MINUTES)),
        "action_type": draw(st.sampled_from(type_labels)),
        "note": draw(note()),
    }


@st.composite
def actions(
    draw: st.DrawFn, tz: tzinfo, owner: str = "CARINE", type_labels: tuple[str, ...] = TYPE_LABELS
) -> Action:
    """A single (non-series) CRM action in zone `tz`."""
    start, end, all_day = draw(spans(tz))
    return Action(owner=owner, start=start, end=end, all_day=all_day, **_template(draw, type_labels))  # type: ignore[arg-type]


@st.composite
def recurrences(draw: st.DrawFn, start_date: date, pattern: str | None = None) -> Recurrence:
    """A canonical rule of the given (or any) pattern, starting on `start_date`."""
    kind = pattern or draw(st.sampled_from(PATTERNS))
    chosen = set(draw(st.lists(st.sampled_from(WEEKDAYS), min_size=1, max_size=3)))
    days = tuple(d for d in WEEKDAYS if d in chosen)
    fields: dict[str, object] = {
        "pattern": kind,
        "start_date": start_date,
        "interval": draw(st.integers(1, 4)),
    }
    if kind == "weekly":
        fields["days_of_week"] = days
        fields["first_day_of_week"] = draw(st.sampled_from(WEEKDAYS))
    elif kind == "absoluteMonthly":
        fields["day_of_month"] = draw(st.integers(1, 31))
    elif kind == "relativeMonthly":
        fields.update(days_of_week=days, index=draw(st.sampled_from(INDEXES)))
    elif kind == "absoluteYearly":
        month = draw(st.integers(1, 12))
        fields.update(month=month, day_of_month=draw(st.integers(1, 29 if month == 2 else 31)))
    elif kind == "relativeYearly":
        fields.update(days_of_week=days, index=draw(st.sampled_from(INDEXES)), month=draw(st.integers(1, 12)))
    range_type = draw(st.sampled_from(("noEnd", "endDate", "numbered")))
    fields["range_type"] = range_type
    if range_type == "endDate":
        fields["end_date"] = start_date + timedelta(days=draw(st.integers(0, 3 * 366)))
    elif range_type == "numbered":
        fields["count"] = draw(st.integers(1, 60))
    return Recurrence(**fields)  # type: ignore[arg-type]


@st.composite
def series(
    draw: st.DrawFn,
    tz: tzinfo,
    owner: str = "CARINE",
    type_labels: tuple[str, ...] = TYPE_LABELS,
    pattern: str | None = None,
    deviations: bool = False,
    series_id: int | None = None,
) -> Series:
    """A CRM series in zone `tz` whose start is its rule's first occurrence. With `deviations`, some of
    its first 20 occurrences are cancelled or edited (exceptions moved by up to a day, retitled)."""
    start, end, all_day = draw(spans(tz, all_day=draw(st.booleans())))
    if all_day:
        end = datetime.combine(start.date() + timedelta(days=draw(st.integers(1, 2))), time(), tz)
    rule = draw(recurrences(start.date(), pattern))
    first = next(iter_all_starts(rule, start, 1), None)
    assume(first is not None and first.date() <= LAST_DAY and (all_day or is_real(first)))
    assert first is not None
    assume(rule.range_type != "endDate" or (rule.end_date is not None and rule.end_date >= first.date()))
    rule = replace(rule, start_date=first.date())
    duration = end - start
    start = first
    end = datetime.combine(start.date() + duration, time(), tz) if all_day else _plus(start, duration)
    made = Series(
        owner=owner,
        start=start,
        end=end,
        all_day=all_day,
        recurrence=rule,
        id=series_id,
        **_template(draw, type_labels),
    )  # type: ignore[arg-type]
    if not deviations:
        return made
    starts = list(iter_all_starts(rule, start, 20))
    cancelled = frozenset(draw(st.lists(st.sampled_from(starts), max_size=3)))
    edited = [
        s for s in draw(st.lists(st.sampled_from(starts), max_size=3, unique=True)) if s not in cancelled
    ]
    exceptions = []
    for original in edited:
        moved = _plus(original, timedelta(minutes=draw(st.integers(-24 * 60, 24 * 60))))
        if all_day:
            moved = datetime.combine(moved.date(), time(), tz)
        exceptions.append(
            Action(
                owner=owner,
                title=draw(line()),
                start=moved,
                end=moved + duration if all_day else _plus(moved, duration),
                all_day=all_day,
                location=made.location,
                private=made.private,
                reminder_on=made.reminder_on,
                reminder_minutes=made.reminder_minutes,
                action_type=made.action_type,
                note=made.note,
                series_id=series_id,
                original_start=original,
            )
        )
    return made.with_changes(exceptions=tuple(exceptions), cancelled=cancelled)


_EMAIL_PART = st.text(st.sampled_from("abcdefghijklmnopqrstuvwxyz0123456789._-"), min_size=1, max_size=12)


@st.composite
def emails(draw: st.DrawFn) -> str:
    """A plausible e-mail address (the CRM's rule: name@domain.tld)."""
    return f"{draw(_EMAIL_PART)}@{draw(_EMAIL_PART)}.{draw(st.sampled_from(('fr', 'com', 'org', 'de')))}"


def _jpeg(body: bytes) -> bytes:
    return b"\xff\xd8\xff\xe0" + body


def _png(body: bytes) -> bytes:
    return b"\x89PNG\r\n\x1a\n" + body


@st.composite
def contacts(draw: st.DrawFn) -> Contact:
    """A CRM contact with any mix of filled fields (at least a name or a company), maybe a photo."""
    last, first, company = draw(line(30)), draw(line(30)), draw(line(30))
    assume(last.strip() or first.strip() or company.strip())
    photo = draw(st.one_of(st.none(), st.binary(max_size=64).map(_jpeg), st.binary(max_size=64).map(_png)))
    return Contact(
        last_name=last,
        first_name=first,
        civility=draw(st.sampled_from(("", "M.", "Mme", "Dr", "Maître"))),
        company=company,
        job_title=draw(line(30)),
        email=draw(st.one_of(st.just(""), emails())),
        phone=draw(st.one_of(st.just(""), st.from_regex(r"\+?[0-9 ]{6,16}", fullmatch=True))),
        mobile=draw(st.one_of(st.just(""), st.from_regex(r"\+?[0-9 ]{6,16}", fullmatch=True))),
        address_lines=tuple(draw(st.lists(line(30).filter(bool), max_size=3))),
        postal_code=draw(st.one_of(st.just(""), st.from_regex(r"[0-9A-Z]{4,6}", fullmatch=True))),
        city=draw(line(20)),
        country=draw(st.sampled_from(("", "France", "Belgique", "United States"))),
        photo=photo,
        note=draw(note()),
    )


@st.composite
def action_types(draw: st.DrawFn) -> ActionType:
    """An action type with any #RRGGBB colour."""
    rgb = draw(st.integers(0, 0xFFFFFF))
    return ActionType(draw(line(20).filter(lambda s: s.strip())), f"#{rgb:06X}")


# --- what Graph answers for a body we sent (a minimal reading of the Graph docs) ---------------


def _utc_wall(value: dict[str, str]) -> str:
    naive = datetime.fromisoformat(value["dateTime"])
    name = value["timeZone"]
    zone = ZoneInfo(win_tz.get(name, name))
    return naive.replace(tzinfo=zone).astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.0000000")


def graph_echo(body: dict[str, Any], item_id: str = "AAMkAGI2TG93AAA=") -> dict[str, Any]:
    """The item Graph returns for a POSTed event or contact body, without `Prefer: outlook.timezone`
    but with `Prefer: outlook.body-content-type="text"`: times in UTC with 7 fractional digits (all-day:
    midnight of the date, marked UTC), CRLF line endings, every recurrence property filled with its
    default, empty strings as null, plus the read-only properties."""
    item: dict[str, Any] = json.loads(json.dumps(body))
    item.update({"id": item_id, "changeKey": "DwAAABYAAAB", "@odata.etag": 'W/"DwAAABYAAAB"'})
    for key in ("start", "end"):
        if key in item:
            if item.get("isAllDay"):
                item[key] = {"dateTime": item[key]["dateTime"][:10] + "T00:00:00.0000000", "timeZone": "UTC"}
            else:
                item[key] = {"dateTime": _utc_wall(item[key]), "timeZone": "UTC"}
    if "body" in item:
        item["body"]["content"] = item["body"]["content"].replace("\n", "\r\n")
        item["bodyPreview"] = item["body"]["content"][:255]
    if "location" in item:
        item["location"].update(locationType="default", uniqueIdType="unknown")
    if "recurrence" in item:
        pattern = {"month": 0, "dayOfMonth": 0, "daysOfWeek": [], "firstDayOfWeek": "sunday"}
        pattern["index"] = "first"
        rng = {"endDate": "0001-01-01", "numberOfOccurrences": 0}
        item["recurrence"]["pattern"] = {**pattern, **item["recurrence"]["pattern"]}
        item["recurrence"]["range"] = {**rng, **item["recurrence"]["range"]}
        item["type"] = "seriesMaster"
    elif "start" in item:
        item["type"] = "singleInstance"
    if "personalNotes" in item:
        item["personalNotes"] = item["personalNotes"].replace("\n", "\r\n")
    for key, value in list(item.items()):
        if value == "" and key != "subject":
            item[key] = None
    if isinstance(item.get("businessAddress"), dict):
        address = item["businessAddress"]
        address["street"] = address.get("street", "").replace("\n", "\r\n")
        item["businessAddress"] = {k: v for k, v in address.items() if v}
    return item
