"""The sync period: from (today − months before) to (today + months after), in the CRM's time zone."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from dateutil.relativedelta import relativedelta

from tui_sync.domain.models import InvalidValue
from tui_sync.domain.refusals import EndsBeforeStart, Malformed


@dataclass(frozen=True)
class Period:
    """A half-open interval [start, end) of aware datetimes."""

    start: datetime
    end: datetime

    def __post_init__(self) -> None:
        if self.end <= self.start:
            raise InvalidValue("to", EndsBeforeStart("period"))

    def overlaps(self, start: datetime, end: datetime) -> bool:
        """True when an item spanning [start, end] touches the period (zero-length items included)."""
        return start < self.end and (end > self.start or start >= self.start)

    def contains_start(self, start: datetime) -> bool:
        return self.start <= start < self.end

    @property
    def first_day(self) -> date:
        return self.start.date()

    @property
    def last_day(self) -> date:
        """The last whole day inside the period (its end is the midnight after it)."""
        return (self.end - timedelta(days=1)).date()

    @classmethod
    def from_dates(cls, first: date, last: date, tz: ZoneInfo) -> Period:
        """The period covering whole days `first` to `last` inclusive."""
        return cls(
            datetime.combine(first, time(), tz), datetime.combine(last + timedelta(days=1), time(), tz)
        )

    @classmethod
    def around(cls, today: date, months_before: int, months_after: int, tz: ZoneInfo) -> Period:
        return cls.from_dates(
            today - relativedelta(months=months_before), today + relativedelta(months=months_after), tz
        )


def parse_day(text: str, name: str) -> date:
    """A YYYY-MM-DD date typed by a user; InvalidValue names the option on a bad one."""
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise InvalidValue(name, Malformed(text, "date")) from None
