"""Why a value is refused, as data: what was wrong and its limit, never a sentence. The domain sits below
the sentences (`tui_sync.texts`) in the layers, so it raises `InvalidValue(field, reason)` with one of
these, and the edge that shows the refusal (a form, a command, an import's report) words it with
`texts.domain.problem(reason)`: a translation changes that one function, not the rules.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

# What a malformed value should have been.
Form = Literal["guid", "email", "colour", "tenant", "date", "user_code"]


@dataclass(frozen=True)
class Empty:
    """Nothing (or only blanks) where something is needed: a title, a name, a label."""


@dataclass(frozen=True)
class Malformed:
    """`value` is not written as a `form` is (a GUID, an e-mail address, a #RRGGBB colour, …)."""

    value: object
    form: Form


@dataclass(frozen=True)
class OutOfRange:
    """A number outside `low`…`high`; `got` is the number given, when the sentence should repeat it."""

    low: int
    high: int
    got: int | None = None


@dataclass(frozen=True)
class NotAWholeNumber:
    """A field that takes a whole number from `low` to `high` holds none (left empty)."""

    low: int
    high: int


@dataclass(frozen=True)
class TooFew:
    """A count under its `minimum`."""

    minimum: int


@dataclass(frozen=True)
class TooManyAddressLines:
    """More address lines than the CRM keeps (`limit`)."""

    limit: int


@dataclass(frozen=True)
class NotOneOf:
    """A value that is none of `choices`."""

    choices: tuple[str, ...]


@dataclass(frozen=True)
class Unknown:
    """A name the rules do not know: a recurrence pattern, a day, days, a range type."""

    kind: Literal["recurrence", "day", "days", "range"]
    value: object


@dataclass(frozen=True)
class TooLarge:
    """A note or a photo of `size` bytes, over the `limit` Microsoft 365 takes."""

    kind: Literal["note", "photo"]
    size: int
    limit: int


@dataclass(frozen=True)
class EndsBeforeStart:
    """An end before its start: a time, a series' last day, a sync period."""

    kind: Literal["time", "day", "period"]


@dataclass(frozen=True)
class NoZone:
    """A datetime without a time zone: the CRM never guesses one."""


@dataclass(frozen=True)
class NoOriginalStart:
    """An occurrence of a series that does not say which occurrence it is."""


@dataclass(frozen=True)
class NoDay:
    """A weekly (or relative) `pattern` with no day of the week."""

    pattern: str


@dataclass(frozen=True)
class NoName:
    """A contact with neither a name nor a company."""


@dataclass(frozen=True)
class NotAnImage:
    """A photo that is neither JPEG nor PNG."""


@dataclass(frozen=True)
class RightsOnSelf:
    """Rights asked for `code` on their own data, which they always have."""

    code: str


@dataclass(frozen=True)
class UnknownActionType:
    """An action type `label` the CRM does not have."""

    label: str


@dataclass(frozen=True)
class SeriesOccurrence:
    """An occurrence of a series written as a single action (the store writes those as exceptions)."""


Reason = (
    Empty
    | Malformed
    | OutOfRange
    | NotAWholeNumber
    | TooFew
    | TooManyAddressLines
    | NotOneOf
    | Unknown
    | TooLarge
    | EndsBeforeStart
    | NoZone
    | NoOriginalStart
    | NoDay
    | NoName
    | NotAnImage
    | RightsOnSelf
    | UnknownActionType
    | SeriesOccurrence
)
