"""Why a value is refused, read in the forms, the command line and an import's report: a CRM item's
own rules (a title, an end after the start, a series' days) and the typed `InvalidValue` the domain
raises.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, assert_never

from tui_sync.domain.refusals import (
    Empty,
    EndsBeforeStart,
    Malformed,
    NoDay,
    NoName,
    NoOriginalStart,
    NotAnImage,
    NotAWholeNumber,
    NotOneOf,
    NoZone,
    OutOfRange,
    Reason,
    RightsOnSelf,
    SeriesOccurrence,
    TooFew,
    TooLarge,
    TooManyAddressLines,
    Unknown,
    UnknownActionType,
)
from tui_sync.texts.errors import own_rights, unknown_action_type

if TYPE_CHECKING:
    from tui_sync.domain.models import InvalidValue

# What a malformed value is not, said after the value itself (`'x@' is not an e-mail address`).
MALFORMED = {
    "guid": "is not a GUID (e.g. 1b2c3d4e-…)",
    "email": "is not an e-mail address",
    "colour": "is not a #RRGGBB colour",
    "tenant": "is not a tenant name or id",
    "date": "is not a date (YYYY-MM-DD)",
    "user_code": "must be 1–20 letters, digits or _",
}
ENDS_BEFORE_START = {
    "time": "must be after the start",
    "day": "must be on or after the start date",
    "period": "the end of the period must be after its start",
}
UNKNOWN = {
    "recurrence": "unknown recurrence {!r}",
    "day": "unknown day {!r}",
    "days": "unknown day in {}",
    "range": "unknown range {!r}",
}
MEGABYTE = 1024 * 1024


def problem(reason: Reason) -> str:
    """What was wrong with a refused value, as a line says it after the field's name."""
    match reason:
        case Empty():
            return "must not be empty"
        case Malformed(value, form):
            return f"{value!r} {MALFORMED[form]}"
        case OutOfRange(low, high, got):
            return f"must be between {low} and {high}" + ("" if got is None else f" (got {got})")
        case NotAWholeNumber(low, high):
            return f"must be a whole number between {low} and {high}"
        case TooFew(minimum):
            return f"must be at least {minimum}"
        case TooManyAddressLines(limit):
            return f"at most {limit} address lines"
        case NotOneOf(choices):
            return f"must be one of {', '.join(choices)}"
        case Unknown(kind, value):
            return UNKNOWN[kind].format(value)
        case TooLarge("note", size, limit):
            return (
                f"is {size / MEGABYTE:.1f} MB; Microsoft 365 takes one request of at most 4 MB, "
                f"so a note may hold {limit / MEGABYTE:.1f} MB"
            )
        case TooLarge(_, size, limit):
            megabytes = f"{size / MEGABYTE:.1f}"
            return f"is {megabytes} MB; Microsoft 365 takes contact photos up to {limit // MEGABYTE} MB"
        case EndsBeforeStart(kind):
            return ENDS_BEFORE_START[kind]
        case NoZone():
            return "must carry a time zone"
        case NoOriginalStart():
            return "an occurrence needs its original start"
        case NoDay(pattern):
            return f"{pattern} needs at least one day"
        case NoName():
            return "a contact needs a name or a company"
        case NotAnImage():
            return "must be a JPEG or PNG image"
        case RightsOnSelf(code):
            return own_rights(code)
        case UnknownActionType(label):
            return unknown_action_type(label)
        case SeriesOccurrence():
            return "an occurrence of a series is written with set_exception"
        case _:
            assert_never(reason)


def refusal(error: InvalidValue) -> str:
    """A refused value in one line, the field as the code names it: `end: must be after the start`."""
    return f"{error.field}: {problem(error.reason)}"


def invalid_value(error: InvalidValue, field_name: str | None = None) -> str:
    """A refused value as an import's reason or a form's line, under the name the reader knows it by:
    `email 'x@' is not an e-mail address`, `End: must be after the start`."""
    name = field_name or error.field
    said = problem(error.reason)
    sep = " " if said.startswith("'") else ": "
    return f"{name}{sep}{said}"


AGENDA_TITLE_REQUIRED = "required: type a title"
AGENDA_END_BEFORE_START = "must be after the start"
AGENDA_UNTIL_BEFORE_START = "must be on or after the start day"
AGENDA_NO_DAY = "mark at least one day of the week"
AGENDA_NO_REPEAT = "choose how the series repeats"
AGENDA_USE_OCCURRENCE = "This action belongs to a series: edit this occurrence or the whole series"


def agenda_not_a_date(text: str) -> str:
    return f"{text!r} is not a date (YYYY-MM-DD)" if text else "type a date (YYYY-MM-DD)"


def agenda_not_a_time(text: str) -> str:
    return f"{text!r} is not a time (HH:MM, 00:00–23:59)" if text else "type a time (HH:MM)"


def agenda_not_a_number(low: int, high: int) -> str:
    return f"must be a whole number from {low} to {high}"
