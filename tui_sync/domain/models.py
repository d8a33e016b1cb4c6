"""The CRM's data, as plain validated values (no I/O).

Every layer speaks these types: the store reads and writes them, the mapping turns them into Graph JSON,
the sync engine compares them. They validate themselves on construction so that bad data is refused
where it enters (CLI, import, TUI form), with an InvalidValue naming the field and what was wrong
(tui_sync.domain.refusals); the edge words it.
"""

from __future__ import annotations

import json
import re
import uuid
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from typing import Any, Literal, get_args

from tui_sync.domain.refusals import (
    Empty,
    EndsBeforeStart,
    Malformed,
    NoDay,
    NoName,
    NoOriginalStart,
    NotAnImage,
    NotOneOf,
    NoZone,
    OutOfRange,
    Reason,
    TooFew,
    TooLarge,
    TooManyAddressLines,
    Unknown,
)

MAX_MONTHS = 36
MAX_REMINDER_MINUTES = 40320  # four weeks, Outlook's largest reminder
MAX_CONTACTS_TO_SYNC = 2000
MAX_SINGLE_ACTIONS = 800
MAX_SERIES_OCCURRENCES = 800
MAX_PHOTO_BYTES = 4 * 1024 * 1024  # Microsoft 365 refuses larger contact photos
# Microsoft Graph refuses a request over 4 MB ("4MB limit on the total size of each REST request",
# learn.microsoft.com/graph/api/profilephoto-update): a note must fit in one request with the rest of its
# item, so it may take 4 MiB less 64 KiB once written as JSON (escapes included).
MAX_NOTE_JSON_BYTES = 4 * 1024 * 1024 - 64 * 1024
FALLBACK_ACTION_TYPE = "Tâche"

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_COLOUR = re.compile(r"^#[0-9A-Fa-f]{6}$")


class InvalidValue(ValueError):
    """A value refused by a domain rule: `field` names what the user must fix, `reason` what was wrong
    and its limit. It carries no sentence: the edge that shows it words it (`texts.domain.problem`,
    `texts.domain.refusal`)."""

    def __init__(self, field_name: str, reason: Reason) -> None:
        super().__init__(field_name, reason)
        self.field = field_name
        self.reason = reason

    def __str__(self) -> str:
        """For logs and tracebacks; a user reads `texts.domain.refusal(error)`."""
        return f"{self.field}: {self.reason}"


def validate_client_id(value: str) -> str:
    """A Microsoft application (client) ID is a GUID; returned in its canonical lower-case form."""
    try:
        return str(uuid.UUID(value.strip()))
    except (ValueError, AttributeError):
        raise InvalidValue("client_id", Malformed(value, "guid")) from None


def validate_email(value: str, field_name: str = "email") -> str:
    """An empty e-mail is allowed (not set); otherwise it must look like name@domain.tld."""
    value = value.strip()
    if value and not _EMAIL.match(value):
        raise InvalidValue(field_name, Malformed(value, "email"))
    return value


def _check_months(name: str, value: int) -> None:
    if not 0 <= value <= MAX_MONTHS:
        raise InvalidValue(name, OutOfRange(0, MAX_MONTHS, got=value))


def _check_reminder(minutes: int) -> None:
    if not 0 <= minutes <= MAX_REMINDER_MINUTES:
        raise InvalidValue("reminder_minutes", OutOfRange(0, MAX_REMINDER_MINUTES, got=minutes))


def entered_title(title: str) -> str:
    """The title of an action a person enters (the action form, a file import), without surrounding
    blanks; a blank one is refused. (Outlook itself allows an empty subject: what a sync brings from
    Microsoft 365 is taken as it is.)"""
    if not title.strip():
        raise InvalidValue("title", Empty())
    return title.strip()


def check_note(note: str) -> None:
    """A note a person enters (the action and contact forms, their commands, a file import) must fit in
    one Microsoft Graph request (see MAX_NOTE_JSON_BYTES): refused there rather than failing at every
    sync. (Not checked on construction: a note Outlook holds, or an older database keeps, is still read,
    and the sync reports that item alone if Graph refuses it.)"""
    if len(note) * 6 + 2 <= MAX_NOTE_JSON_BYTES:  # no character takes more than 6 bytes in JSON
        return
    size = len(json.dumps(note, ensure_ascii=False).encode("utf-8"))
    if size > MAX_NOTE_JSON_BYTES:
        raise InvalidValue("note", TooLarge("note", size, MAX_NOTE_JSON_BYTES))


def _ends_before(start: datetime, end: datetime, all_day: bool) -> bool:
    """Whether `end` comes before `start` (or is it, for an all-day item), as instants: two times of
    one zone compare by wall clock and ignore `fold`, so 02:50 of the first pass of a night when summer
    time ends would pass for after 02:30 of the second pass, an hour later."""
    start_utc, end_utc = start.astimezone(UTC), end.astimezone(UTC)
    return end_utc < start_utc or (end_utc == start_utc and all_day)


def _check_aware(name: str, value: datetime) -> None:
    if value.tzinfo is None or value.utcoffset() is None:
        raise InvalidValue(name, NoZone())


@dataclass(frozen=True)
class SyncPrefs:
    """Per-user synchronisation preferences (Preferences → Synchronisation)."""

    interface: str = "Office 365"
    login_email: str = ""
    calendar_name: str = ""
    months_before: int = 1
    months_after: int = 3
    automatic: bool = False
    at_startup: bool = False
    series: bool = True

    def __post_init__(self) -> None:
        object.__setattr__(self, "login_email", validate_email(self.login_email, "login_email"))
        _check_months("months_before", self.months_before)
        _check_months("months_after", self.months_after)


@dataclass(frozen=True)
class User:
    """A CRM user; `code` is the short upper-case key (e.g. CARINE)."""

    code: str
    full_name: str
    is_admin: bool = False
    prefs: SyncPrefs = field(default_factory=SyncPrefs)
    home_account_id: str | None = None  # the Microsoft account MSAL signed in for this user
    last_agenda_sync: datetime | None = None
    last_contacts_sync: datetime | None = None

    def __post_init__(self) -> None:
        code = self.code.strip().upper()
        if not re.fullmatch(r"[A-Z0-9_]{1,20}", code):
            raise InvalidValue("code", Malformed(self.code, "user_code"))
        object.__setattr__(self, "code", code)
        if not self.full_name.strip():
            raise InvalidValue("full_name", Empty())


@dataclass(frozen=True)
class Rights:
    """What `viewer` may do with `target`'s data; a user may always see and sync their own."""

    viewer: str
    target: str
    visible: bool = False
    agenda: bool = False


@dataclass(frozen=True)
class ActionType:
    """A kind of action; its label is the Outlook category name."""

    label: str
    colour: str = "#808080"
    id: int | None = None

    def __post_init__(self) -> None:
        if not self.label.strip():
            raise InvalidValue("label", Empty())
        if not _COLOUR.match(self.colour):
            raise InvalidValue("colour", Malformed(self.colour, "colour"))


DEFAULT_ACTION_TYPES = (
    ActionType("Tâche", "#4A90D9"),
    ActionType("Rendez-vous", "#E8A33D"),
    ActionType("Appel", "#5CB85C"),
    ActionType("Réunion", "#9B59B6"),
)


def _stored_id(id_: int | None, what: str) -> int:
    if id_ is None:
        raise ValueError(f"this {what} is not stored yet: it has no id")
    return id_


@dataclass(frozen=True)
class Action:
    """One agenda entry. With `series_id` set it is an occurrence of that series, identified by
    `original_start` (the start the recurrence gives it, even when the occurrence was moved)."""

    owner: str
    title: str
    start: datetime
    end: datetime
    all_day: bool = False
    location: str = ""
    private: bool = False
    reminder_on: bool = False
    reminder_minutes: int = 15
    action_type: str = FALLBACK_ACTION_TYPE
    note: str = ""
    id: int | None = None
    series_id: int | None = None
    original_start: datetime | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None

    def __post_init__(self) -> None:
        _check_aware("start", self.start)
        _check_aware("end", self.end)
        if _ends_before(self.start, self.end, self.all_day):
            raise InvalidValue("end", EndsBeforeStart("time"))
        _check_reminder(self.reminder_minutes)
        if self.series_id is not None and self.original_start is None:
            raise InvalidValue("original_start", NoOriginalStart())

    def with_changes(self, **changes: Any) -> Action:
        return replace(self, **changes)

    @property
    def stored_id(self) -> int:
        """The id of an action read from the database (one not stored yet has none)."""
        return _stored_id(self.id, "action")

    @property
    def parent_series_id(self) -> int:
        """The series of an occurrence (an action outside a series has none)."""
        if self.series_id is None:
            raise ValueError("an action outside a series has no series")
        return self.series_id

    @property
    def original(self) -> datetime:
        """The original start of an occurrence (`__post_init__` makes sure every occurrence has one)."""
        if self.original_start is None:
            raise ValueError("an action outside a series has no original start")
        return self.original_start


Pattern = Literal["daily", "weekly", "absoluteMonthly", "relativeMonthly", "absoluteYearly", "relativeYearly"]
RangeType = Literal["endDate", "noEnd", "numbered"]
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
INDEXES = ("first", "second", "third", "fourth", "last")
MAX_INTERVAL = 999
"""The largest interval Exchange keeps (a daily series: "The value must be in the range from 1 to 999",
learn.microsoft.com exchange/client-developer/web-service-reference/dailyrecurrence): any series read
from Outlook has a CRM form."""


@dataclass(frozen=True)
class Recurrence:
    """A recurrence rule in Outlook's own vocabulary (so every Outlook rule has a CRM form).

    daily: every `interval` days. weekly: on `days_of_week` every `interval` weeks.
    absoluteMonthly: on `day_of_month`. relativeMonthly: the `index` (first…last) of `days_of_week`.
    absoluteYearly: `day_of_month` of `month`. relativeYearly: the `index` `days_of_week` of `month`.
    The range starts on `start_date` and ends on `end_date`, after `count` occurrences, or never.
    """

    pattern: Pattern
    start_date: date
    interval: int = 1
    days_of_week: tuple[str, ...] = ()
    day_of_month: int | None = None
    month: int | None = None
    index: str | None = None
    first_day_of_week: str = "sunday"
    range_type: RangeType = "noEnd"
    end_date: date | None = None
    count: int | None = None

    def __post_init__(self) -> None:
        if self.pattern not in get_args(Pattern):
            raise InvalidValue("pattern", Unknown("recurrence", self.pattern))
        if not 1 <= self.interval <= MAX_INTERVAL:
            raise InvalidValue("interval", OutOfRange(1, MAX_INTERVAL))
        object.__setattr__(self, "days_of_week", tuple(d.lower() for d in self.days_of_week))
        if any(d not in WEEKDAYS for d in self.days_of_week):
            raise InvalidValue("days_of_week", Unknown("days", self.days_of_week))
        needs_days = self.pattern in ("weekly", "relativeMonthly", "relativeYearly")
        if needs_days and not self.days_of_week:
            raise InvalidValue("days_of_week", NoDay(self.pattern))
        if self.pattern in ("absoluteMonthly", "absoluteYearly") and not (
            self.day_of_month and 1 <= self.day_of_month <= 31
        ):
            raise InvalidValue("day_of_month", OutOfRange(1, 31))
        if self.pattern.endswith("Yearly") and not (self.month and 1 <= self.month <= 12):
            raise InvalidValue("month", OutOfRange(1, 12))
        if self.pattern.startswith("relative") and self.index not in INDEXES:
            raise InvalidValue("index", NotOneOf(INDEXES))
        if self.first_day_of_week not in WEEKDAYS:
            raise InvalidValue("first_day_of_week", Unknown("day", self.first_day_of_week))
        if self.range_type == "endDate" and (self.end_date is None or self.end_date < self.start_date):
            raise InvalidValue("end_date", EndsBeforeStart("day"))
        if self.range_type == "numbered" and not (self.count and self.count >= 1):
            raise InvalidValue("count", TooFew(1))
        if self.range_type not in ("endDate", "noEnd", "numbered"):
            raise InvalidValue("range_type", Unknown("range", self.range_type))


@dataclass(frozen=True)
class Series:
    """A recurring action: the template of its occurrences, the rule, and the deviations from it.

    `exceptions` are occurrences edited on their own (Actions with `series_id` = this id and their
    `original_start`); `cancelled` are the original starts of deleted occurrences.
    """

    owner: str
    title: str
    start: datetime  # the first occurrence's start
    end: datetime  # the first occurrence's end: end - start is every occurrence's duration
    recurrence: Recurrence
    all_day: bool = False
    location: str = ""
    private: bool = False
    reminder_on: bool = False
    reminder_minutes: int = 15
    action_type: str = FALLBACK_ACTION_TYPE
    note: str = ""
    exceptions: tuple[Action, ...] = ()
    cancelled: frozenset[datetime] = frozenset()
    id: int | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None

    def __post_init__(self) -> None:
        _check_aware("start", self.start)
        _check_aware("end", self.end)
        if _ends_before(self.start, self.end, self.all_day):
            raise InvalidValue("end", EndsBeforeStart("time"))
        _check_reminder(self.reminder_minutes)

    def with_changes(self, **changes: Any) -> Series:
        return replace(self, **changes)

    @property
    def stored_id(self) -> int:
        """The id of a series read from the database (one not stored yet has none)."""
        return _stored_id(self.id, "series")


@dataclass(frozen=True)
class Contact:
    """A CRM contact. The CRM is the master of every field but `note`, which syncs both ways."""

    last_name: str
    first_name: str = ""
    civility: str = ""
    company: str = ""
    job_title: str = ""
    email: str = ""
    phone: str = ""
    mobile: str = ""
    address_lines: tuple[str, ...] = ()
    postal_code: str = ""
    city: str = ""
    country: str = ""
    photo: bytes | None = None
    note: str = ""
    id: int | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None

    def __post_init__(self) -> None:
        if not (self.last_name.strip() or self.first_name.strip() or self.company.strip()):
            raise InvalidValue("last_name", NoName())
        object.__setattr__(self, "email", validate_email(self.email))
        lines = tuple(line for line in self.address_lines if line)
        if len(lines) > 3:
            raise InvalidValue("address_lines", TooManyAddressLines(3))
        object.__setattr__(self, "address_lines", lines)
        if self.photo is not None and photo_type(self.photo) is None:
            raise InvalidValue("photo", NotAnImage())
        if self.photo is not None and len(self.photo) > MAX_PHOTO_BYTES:
            raise InvalidValue("photo", TooLarge("photo", len(self.photo), MAX_PHOTO_BYTES))

    @property
    def display_name(self) -> str:
        """Outlook's display name: 'NAME First'."""
        return " ".join(p for p in (self.last_name.upper(), self.first_name) if p) or self.company

    def with_changes(self, **changes: Any) -> Contact:
        return replace(self, **changes)

    @property
    def stored_id(self) -> int:
        """The id of a contact read from the database (one not stored yet has none)."""
        return _stored_id(self.id, "contact")


def photo_type(data: bytes) -> str | None:
    """The MIME type of a photo from its magic bytes; None if it is neither JPEG nor PNG."""
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    return None


@dataclass(frozen=True)
class DatabaseIdentity:
    """Which CRM database this is, for the CRM-id stamps it writes on Microsoft 365 items: `database_id`
    is made once with the database and lives in its file (a restored backup keeps it, a CRM created
    separately gets another); `legacy_stamps` says this database synced before stamps named their
    database, so the bare stamps of that time are its own too."""

    database_id: str
    legacy_stamps: bool = False


@dataclass(frozen=True)
class MicrosoftSettings:
    """Folder-level application settings (ADM): the Azure app's client ID and the tenant."""

    client_id: str = ""
    tenant: str = "common"

    def __post_init__(self) -> None:
        if self.client_id:
            object.__setattr__(self, "client_id", validate_client_id(self.client_id))
        if not re.fullmatch(r"[A-Za-z0-9.\-]{1,100}", self.tenant or ""):
            raise InvalidValue("tenant", Malformed(self.tenant, "tenant"))
