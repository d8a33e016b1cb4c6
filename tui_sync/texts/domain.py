"""Why a value is refused, read in the forms, the command line and an import's report: a CRM item's
own rules (a title, an end after the start, a series' days) and the typed `InvalidValue` the domain
raises.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tui_sync.domain.models import InvalidValue


def invalid_value(error: InvalidValue, field_name: str | None = None) -> str:
    """A domain refusal as a reason: `email 'x@' is not an e-mail address`, `end: must be after …`."""
    name = field_name or error.field
    sep = " " if error.problem.startswith("'") else ": "
    return f"{name}{sep}{error.problem}"


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
