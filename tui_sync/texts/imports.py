"""Importing and exporting files (`tui-sync contacts|agenda import|export`): what a file held, what
was kept, skipped or refused and where in the file (CSV, vCard, iCalendar and its RRULE).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from datetime import datetime


# --- what an import or an export did --------------------------------------------------------------


def record_refused(source: str, where: str, reason: str) -> str:
    """`contacts.csv line 7: email 'x@' is not an e-mail address`."""
    return f"{source} {where}: {reason}"


def _changes(new: int, updated: int, unchanged: int) -> str:
    return f"{new} new, {updated} updated, {unchanged} unchanged"


def imported_contacts(new: int, updated: int, unchanged: int, with_photo: int) -> str:
    """`Imported contacts: 3 new, 0 updated, 0 unchanged (1 with photo)`."""
    return f"Imported contacts: {_changes(new, updated, unchanged)} ({with_photo} with photo)"


def imported_agenda(
    user: str,
    new: int,
    updated: int,
    unchanged: int,
    actions: int,
    series: int,
    exceptions: int,
    cancelled: int,
) -> str:
    """What an agenda import did (new/updated/unchanged: actions and series), then what the file held."""
    return (
        f"Imported into {user}'s agenda: {_changes(new, updated, unchanged)} "
        f"({actions} action{'s' if actions != 1 else ''}, {series} series, "
        f"{exceptions} exception{'s' if exceptions != 1 else ''}, "
        f"{cancelled} cancelled occurrence{'s' if cancelled != 1 else ''})"
    )


def unknown_categories(count: int, labels: list[str], fallback: str) -> str:
    shown = ", ".join(repr(label) for label in labels)
    noun = "event has a category" if count == 1 else "events have categories"
    return f"warning: {count} {noun} with no matching action type ({shown}): imported as {fallback!r}"


def orphan_exceptions(count: int) -> str:
    noun = "modified occurrence has" if count == 1 else "modified occurrences have"
    return f"warning: {count} {noun} no series in the file: imported as single actions"


def exported(count: int, what: str, target: str) -> str:
    return f"Exported {count} {what} to {target}"


def exported_contacts(count: int, target: str) -> str:
    return exported(count, "contacts" if count != 1 else "contact", target)


def exported_agenda(user: str, actions: int, series: int, target: str) -> str:
    return exported(actions, f"actions and {series} series of {user}", target)


def records_refused(source: str, count: int) -> str:
    """The first line of a file refused for several records; each record's own line follows."""
    return (
        f"{source}: {count} records cannot be imported, so nothing was imported "
        "(--skip-invalid imports the others):"
    )


# The title an imported action gets when its event has none: the action form refuses a blank title.
UNTITLED_ACTION = "(no title)"


def import_skipped(by_kind: dict[str, int]) -> str:
    """`Not kept (the CRM has no field for them): 2 fax number, 1 web address (URL)`."""
    counted = ", ".join(f"{count} × {kind}" for kind, count in by_kind.items())
    return f"Skipped (the CRM has no place for them): {counted}"


def record_left_out(line: str) -> str:
    """A record --skip-invalid left out: its refusal line."""
    return f"not imported: {line}"


def untitled_events(count: int, placeholder: str) -> str:
    noun = "event has" if count == 1 else "events have"
    return f"warning: {count} {noun} no title: imported as {placeholder!r} (edit them in the agenda)"


# --- a file that cannot be read, written or recognised --------------------------------------------


def not_utf8(source: str, line: int) -> str:
    return f"{source} line {line}: the file is not UTF-8 text"


def empty_file(source: str, what: str) -> str:
    return f"{source}: no {what} found in the file"


def unknown_contacts_format(source: str) -> str:
    return f"{source}: not a contacts file (expected CSV with a header row, or vCard)"


def unknown_export_format(source: str) -> str:
    return f"{source}: unknown export format (use a .vcf, .vcard or .csv file name, or --json)"


def cannot_read(path: object, reason: str) -> str:
    return f"{path}: cannot read the file ({reason})"


def cannot_write(path: object, reason: str) -> str:
    return f"{path}: cannot write the file ({reason})"


def file_or_json(path: object) -> str:
    return f"{path}: give a FILE or --json, not both (--json prints to stdout)"


def not_calendar(source: str, detail: str) -> str:
    return f"{source}: not an iCalendar file ({detail})"


def not_ics(source: str) -> str:
    return f"{source}: an agenda exports to an .ics file (or --json)"


def no_header_row(source: str) -> str:
    return empty_file(source, "header row")


def no_vcard(source: str) -> str:
    return empty_file(source, "vCard")


def no_vcalendar(source: str) -> str:
    return not_calendar(source, "expected BEGIN:VCALENDAR")


def photo_unreadable(path: str, reason: str) -> str:
    return f"cannot read {path}: {reason}"


def no_contacts(source: str) -> str:
    """A CSV with its header row and no row under it: refused as an empty .vcf is."""
    return f"{source}: no contacts in the file (it has a header row and nothing under it)"


def photo_damaged(path: str, mime: str) -> str:
    """A photo file that starts like a JPEG or PNG but whose header does not decode."""
    kind = "PNG" if mime == "image/png" else "JPEG"
    return f"{path} starts like a {kind} image but cannot be read as one (damaged or cut short)"


# --- where in a file a refused record is (`where` of record_refused) ------------------------------


def at_line(number: int) -> str:
    return f"line {number}"


def at_record(number: int, first_line: int) -> str:
    return f"record {number} (line {first_line})"


def at_event(line: int, name: str) -> str:
    """Where an event is: the line of the property at fault, and the event's title or number."""
    return f"line {line} (event {name})"


# --- why a CSV or vCard record is refused (`reason` of record_refused) ----------------------------


def not_csv(error: object) -> str:
    return f"not valid CSV ({error})"


def unknown_column(name: str, columns: Iterable[str]) -> str:
    return f"unknown column {name!r} (columns: {', '.join(columns)})"


def duplicate_column(name: str) -> str:
    return f"column {name!r} appears twice"


def wrong_field_count(expected: int, found: int) -> str:
    return f"expected {expected} fields as in the header, found {found}"


PHOTO_NOT_BASE64 = "photo is not base64 data"


def expected_begin_vcard(shown: str) -> str:
    return f"expected BEGIN:VCARD, found {shown}"


def vcard_not_ended(next_begin_line: int) -> str:
    return f"no END:VCARD before the next BEGIN:VCARD on line {next_begin_line}"


NO_END_VCARD = "no END:VCARD"


def not_vcard_line(shown: str) -> str:
    return f"not a vCard line: {shown}"


def invalid_vcard(error: object) -> str:
    return f"not a valid vCard ({error})"


PHOTO_URI_NOT_BASE64 = "PHOTO data URI is not base64"
PHOTO_BAD_BASE64 = "PHOTO is not valid base64"


def quoted_printable_not_text(charset: str) -> str:
    return f"the quoted-printable value is not {charset} text"


# --- why an iCalendar event is refused ------------------------------------------------------------


def not_ical_line(shown: str) -> str:
    return f"not an iCalendar line: {shown!r}"


def ical_line_problem(problem: str) -> str:
    return f"not an iCalendar line ({problem})"


def invalid_date_property(prop: str, shown: str) -> str:
    return f"{prop} {shown!r} is not a valid date or date-time"


def invalid_property(prop: str, shown: str, problem: str) -> str:
    return f"{prop} {shown!r} is not valid ({problem})"


def repeated_property(prop: str) -> str:
    return f"{prop} appears more than once"


def extra_rule_unsupported(prop: str) -> str:
    return f"{prop} is not supported (Outlook has no extra or excluding rules)"


EDITED_OCCURRENCE_WITH_RRULE = "an edited occurrence (RECURRENCE-ID) cannot have its own RRULE"
THISANDFUTURE_UNSUPPORTED = "RANGE=THISANDFUTURE is not supported"
RULE_WITHOUT_OCCURRENCE = "the rule gives no occurrence"
NO_DTSTART = "no DTSTART"
DTEND_AND_DURATION = "DTEND and DURATION cannot both be given"
DTEND_KIND_MISMATCH = "DTEND must be a date when DTSTART is a date, a date-time otherwise"


def shared_uid(uid: str) -> str:
    return f"two recurring events share the UID {uid!r}"


def not_date_or_datetime(value: object, prop: str = "") -> str:
    """A DTSTART, RECURRENCE-ID (named) or EXDATE (not named: the line says it) that is neither."""
    named = f"{prop} " if prop else ""
    return f"{named}{value!r} is not a date or a date-time"


def not_duration(value: object) -> str:
    return f"{value!r} is not a duration"


def bad_trigger(value: object) -> str:
    return f"TRIGGER {value!r} is neither a duration nor a date-time"


def unknown_tzid(tzid: str) -> str:
    """A TZID with no VTIMEZONE in the file and no zone of that name (IANA, Windows, US-…)."""
    return (
        f"time zone {tzid!r} is not defined in the file (no VTIMEZONE) and is not a zone name we know: "
        "add its VTIMEZONE or use an IANA name such as Europe/Paris"
    )


# --- why a recurrence rule (RRULE) is refused: Outlook's vocabulary is smaller than RFC 5545's ----


def rrule_inexpressible(rule: str, why: str) -> str:
    """`why` is one of the RRULE_* constants or rrule_* reasons below."""
    return f"RRULE {rule} cannot be expressed in Outlook ({why})"


def rrule_unsupported_part(part: str) -> str:
    return f"RRULE {part} is not supported (Outlook has no such rule)"


RRULE_NO_FREQ = "RRULE has no FREQ"
RRULE_UNTIL_AND_COUNT = "RRULE has both UNTIL and COUNT"


def rrule_bad_wkst(wkst: str) -> str:
    return f"RRULE WKST={wkst} is not a day"


def rrule_not_numbers(part: str) -> str:
    return f"RRULE {part} is not a list of numbers"


def rrule_not_number(part: str) -> str:
    return f"RRULE {part} is not a number"


def rrule_bad_byday(item: object) -> str:
    return f"RRULE BYDAY {item!r} is not a day"


def rrule_bad_until(until: object) -> str:
    return f"RRULE UNTIL {until!r} is not a date"


RRULE_ONE_OF_EACH = "one month, one day of the month and one BYSETPOS at most"
RRULE_PLAIN_DAYS_ONLY = "a daily or weekly rule takes only plain days"
RRULE_DAYS_WITH_DAY_INTERVAL = "days of the week with an interval of days"
RRULE_BYMONTH_IN_MONTHLY = "BYMONTH in a monthly rule"
RRULE_ONE_NUMBERED_WEEKDAY = "one numbered weekday at most, like 2TU or -1FR"
RRULE_BYDAY_WITH_BYMONTHDAY = "BYDAY together with BYMONTHDAY"
RRULE_NUMBERED_WEEKDAY_OF_YEAR = "a numbered weekday of the year"
RRULE_EVERY_SUCH_WEEKDAY = "every such weekday of the month or year"
RRULE_BYSETPOS_WITHOUT_BYDAY = "BYSETPOS without BYDAY"


def rrule_freq(freq: str) -> str:
    return f"FREQ={freq}: Outlook repeats daily, weekly, monthly or yearly"


def rrule_position(position: int) -> str:
    return f"position {position}: Outlook knows first to fourth and last"


def rrule_monthday(day: int) -> str:
    return f"BYMONTHDAY={day}: Outlook counts days from the start of the month"


def series_on_other_day(pattern: str, start: datetime, zone: str, crm_zone: str) -> str:
    """A monthly or yearly series whose first start is another day in the CRM's zone than in its own."""
    return (
        f"this {pattern} series starts on {start:%Y-%m-%d %H:%M} in {zone}, another "
        f"day in the CRM's time zone {crm_zone}: Outlook's rule cannot follow it"
    )


def rrule_day_skips_months(day: int) -> str:
    """A plain RFC 5545 monthly/yearly day past the 28th: RFC skips the short months, Outlook does not."""
    run = ",".join(str(d) for d in range(28, day + 1))
    return (
        f"day {day} skips the months shorter than that in iCalendar, while Outlook moves those "
        f"occurrences to the month's last day; write BYMONTHDAY={run};BYSETPOS=-1 for Outlook's meaning"
    )


# --- what a record holds that the CRM has no place for (the kinds of `Skipped: …`) ----------------

SKIP_SECOND_EMAIL = "e-mail address beyond the first"
SKIP_FAX = "fax number"
SKIP_PAGER = "pager number"
SKIP_OTHER_PHONE = "phone number beyond the phone and mobile"
SKIP_SECOND_ADDRESS = "address beyond the first"
SKIP_REGION = "region/state"
SKIP_DEPARTMENT = "department (second unit of ORG)"
SKIP_URL = "web address (URL)"
SKIP_BIRTHDAY = "birthday"
SKIP_ANNIVERSARY = "anniversary"
SKIP_NICKNAME = "nickname"
SKIP_ROLE = "role"
SKIP_GEO = "geographic position"
SKIP_IM = "instant-messaging address"
SKIP_RELATED = "related person"
SKIP_GENDER = "gender"
SKIP_LANG = "language"
SKIP_MEMBER = "group member"
SKIP_CATEGORY = "category"
SKIP_CALENDAR_URL = "calendar or free/busy address"
SKIP_PHOTO_URL = "photo given by URL (an import reads no network)"
SKIP_SECOND_PHOTO = "photo beyond the first"


def skip_property(name: str) -> str:
    """A vCard property the CRM has no field for and no name of its own here: its name."""
    return f"{name} property"


def skip_column(name: str) -> str:
    """A CSV column the CRM has no field for (Outlook's and Google's exports have many)."""
    return f"column {name!r}"


SKIP_VTODO = "task (VTODO)"
SKIP_VJOURNAL = "journal entry (VJOURNAL)"
SKIP_VFREEBUSY = "free/busy block (VFREEBUSY)"
SKIP_CANCELLED_EVENT = "cancelled event (STATUS:CANCELLED)"
