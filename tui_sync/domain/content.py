"""What of a CRM item is synced content, in one canonical form.

Two parts of the program must agree on it: the sync engine's fingerprints (a change is a change of this
form) and a provider's diff updates (only the parts whose form differs are sent). Both read it from
here, so "same content" means the same thing everywhere, and the lossy corners of a mapping (seconds,
line endings, trailing spaces, a disabled reminder's delay) never look like edits.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from datetime import UTC, date, datetime, timedelta, tzinfo

from tui_sync.domain.models import WEEKDAYS, Action, Contact, Recurrence, Series

WITH_DAYS = ("weekly", "relativeMonthly", "relativeYearly")  # the patterns that name days of the week
WITH_DAY_OF_MONTH = ("absoluteMonthly", "absoluteYearly")  # the patterns that name a day of the month

_BLANK_RUNS = re.compile(r"\n{3,}")


def normalise_newlines(text: str) -> str:
    """CRLF and lone CR → LF (Outlook writes CRLF; the CRM keeps LF)."""
    return text.replace("\r\n", "\n").replace("\r", "\n")


def tidy_text(text: str) -> str:
    """LF line endings, no trailing spaces, at most one blank line in a row, no blank edges."""
    lines = [line.rstrip() for line in normalise_newlines(text).split("\n")]
    return _BLANK_RUNS.sub("\n\n", "\n".join(lines)).strip("\n")


def note_form(note: str) -> str:
    """A note as both sides keep it: LF endings, no trailing spaces, no blank lines at either end."""
    return tidy_text(note) if note.strip() else ""


def all_day_dates(start: datetime, end: datetime, tz: tzinfo) -> tuple[date, date]:
    """The first day and the exclusive last day of an all-day span, as dates in `tz`. An end just past
    midnight counts its day; an end exactly at midnight does not (so a DST jump at midnight is harmless)."""
    first = start.astimezone(tz).date()
    last = (end - timedelta(microseconds=1)).astimezone(tz).date() + timedelta(days=1)
    return first, max(last, first + timedelta(days=1))


def canonical_days(days: Iterable[str]) -> tuple[str, ...]:
    """Days of the week, each once, Monday first (a calendar does not keep the order it was given)."""
    wanted = {str(d).casefold() for d in days}
    return tuple(d for d in WEEKDAYS if d in wanted)


def span_form(start: datetime, end: datetime, all_day: bool, tz: tzinfo | None) -> dict[str, str]:
    """Start and end as compared: all-day → the dates (in `tz` if given, else in the start's own zone);
    timed → UTC to the second (Outlook keeps no sub-seconds)."""
    if all_day:
        first, last = all_day_dates(start, end, tz or start.tzinfo)  # type: ignore[arg-type]
        return {"start": first.isoformat(), "end": last.isoformat()}

    def utc(moment: datetime) -> str:
        return moment.astimezone(UTC).replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ")

    return {"start": utc(start), "end": utc(end)}


def template_form(item: Action | Series) -> dict[str, object]:
    """The content an action and a series template share, as compared: titles and locations trimmed,
    notes as `note_form`, the reminder delay only while the reminder is on."""
    return {
        "title": item.title.strip(),
        "location": item.location.strip(),
        "all_day": item.all_day,
        "private": item.private,
        "reminder_on": item.reminder_on,
        # A disabled reminder's delay does nothing, and Outlook may reset it: not content.
        "reminder_minutes": item.reminder_minutes if item.reminder_on else None,
        "action_type": item.action_type,
        "note": note_form(item.note),
    }


def pattern_parts(r: Recurrence) -> dict[str, object]:
    """The optional fields a rule's pattern uses, and only those (days in Monday-first order): `days`,
    `day_of_month`, `month`, `index`. One rule for the comparison and for what a provider is sent."""
    parts: dict[str, object] = {}
    if r.pattern in WITH_DAYS:
        parts["days"] = list(canonical_days(r.days_of_week))
    if r.pattern in WITH_DAY_OF_MONTH:
        parts["day_of_month"] = r.day_of_month
    if r.pattern.endswith("Yearly"):
        parts["month"] = r.month
    if r.pattern.startswith("relative"):
        parts["index"] = r.index
    return parts


def range_parts(r: Recurrence) -> dict[str, object]:
    """The optional fields a rule's range uses, and only those: `end_date` (ISO) or `count`."""
    if r.range_type == "endDate" and r.end_date is not None:
        return {"end_date": r.end_date.isoformat()}
    if r.range_type == "numbered":
        return {"count": r.count}
    return {}


def recurrence_form(r: Recurrence) -> dict[str, object]:
    """The parts of a rule that change its occurrences, in one canonical form: the fields its pattern
    and range use, the first day of the week only where it matters (weekly with an interval)."""
    form: dict[str, object] = {
        "pattern": r.pattern,
        "interval": r.interval,
        "start_date": r.start_date.isoformat(),
        "range": r.range_type,
        **pattern_parts(r),
        **range_parts(r),
    }
    if r.pattern == "weekly" and r.interval > 1:
        form["first_day_of_week"] = r.first_day_of_week
    return form


def item_form(item: Action | Series, tz: tzinfo | None) -> dict[str, object]:
    """An action's or a series master's content as compared, part by part (all-day dates in `tz`,
    default the start's zone). A series' exceptions and cancellations are not in it: the engine
    compares occurrences one by one."""
    form: dict[str, object] = {**template_form(item), **span_form(item.start, item.end, item.all_day, tz)}
    if isinstance(item, Series):
        form["recurrence"] = recurrence_form(item.recurrence)
    return form


def flat_fields(values: Mapping[str, str]) -> dict[str, str]:
    """Contact fields as compared: each line trimmed, no blank edges (Outlook trims what it stores)."""
    return {k: "\n".join(line.strip() for line in v.split("\n")).strip() for k, v in values.items()}


def contact_fields(contact: Contact) -> dict[str, str]:
    """The one-way (CRM → Microsoft 365) fields of a contact as they are sent, flattened and trimmed:
    compare with what the mailbox holds, read in the same shape, to see whether it still holds them."""
    return flat_fields(
        {
            "givenName": contact.first_name,
            "surname": contact.last_name,
            "displayName": contact.display_name,
            "title": contact.civility,
            "jobTitle": contact.job_title,
            "companyName": contact.company,
            "email": contact.email,
            "businessPhone": contact.phone,
            "mobilePhone": contact.mobile,
            "street": "\n".join(contact.address_lines),
            "postalCode": contact.postal_code,
            "city": contact.city,
            "countryOrRegion": contact.country,
        }
    )
