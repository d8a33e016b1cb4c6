"""The domain refuses with data (the field, what was wrong, its limit) and the edge words it: every rule's
refusal, through `texts.domain.refusal`, reads exactly as the line the command line prints."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import get_args
from zoneinfo import ZoneInfo

import pytest

from tui_sync import texts
from tui_sync.domain import refusals
from tui_sync.domain.models import (
    MAX_NOTE_JSON_BYTES,
    Action,
    ActionType,
    Contact,
    InvalidValue,
    MicrosoftSettings,
    Recurrence,
    SyncPrefs,
    User,
    check_note,
    entered_title,
    validate_client_id,
    validate_email,
)
from tui_sync.domain.period import Period, parse_day

TZ = ZoneInfo("Europe/Paris")
START = datetime(2024, 3, 4, 9, 0, tzinfo=TZ)
JPEG = b"\xff\xd8\xff\xe00000"
DAY = date(2024, 3, 4)


def _recurrence(**values: object) -> Callable[[], object]:
    return lambda: Recurrence(
        **{"pattern": "weekly", "start_date": DAY, "days_of_week": ("monday",), **values}
    )


RULES: list[tuple[Callable[[], object], str]] = [
    (lambda: validate_client_id("abc"), "client_id: 'abc' is not a GUID (e.g. 1b2c3d4e-…)"),
    (lambda: validate_email("x@"), "email: 'x@' is not an e-mail address"),
    (lambda: SyncPrefs(months_before=37), "months_before: must be between 0 and 36 (got 37)"),
    (
        lambda: Action("CARINE", "x", START, START, reminder_minutes=-1),
        "reminder_minutes: must be between 0 and 40320 (got -1)",
    ),
    (lambda: entered_title("  "), "title: must not be empty"),
    (
        lambda: check_note("é" * MAX_NOTE_JSON_BYTES),
        "note: is 7.9 MB; Microsoft 365 takes one request of at most 4 MB, so a note may hold 3.9 MB",
    ),
    (lambda: Action("CARINE", "x", START.replace(tzinfo=None), START), "start: must carry a time zone"),
    (lambda: User("a b", "A"), "code: 'a b' must be 1–20 letters, digits or _"),
    (lambda: User("AB", " "), "full_name: must not be empty"),
    (lambda: ActionType(" "), "label: must not be empty"),
    (lambda: ActionType("x", "blue"), "colour: 'blue' is not a #RRGGBB colour"),
    (lambda: Action("CARINE", "x", START, START - timedelta(minutes=1)), "end: must be after the start"),
    (
        lambda: Action("CARINE", "x", START, START, series_id=1),
        "original_start: an occurrence needs its original start",
    ),
    (_recurrence(pattern="hourly"), "pattern: unknown recurrence 'hourly'"),
    (_recurrence(interval=0), "interval: must be between 1 and 999"),
    (_recurrence(days_of_week=("funday",)), "days_of_week: unknown day in ('funday',)"),
    (_recurrence(days_of_week=()), "days_of_week: weekly needs at least one day"),
    (_recurrence(pattern="absoluteMonthly", day_of_month=32), "day_of_month: must be between 1 and 31"),
    (_recurrence(pattern="absoluteYearly", day_of_month=1, month=13), "month: must be between 1 and 12"),
    (
        _recurrence(pattern="relativeMonthly", index="fifth"),
        "index: must be one of first, second, third, fourth, last",
    ),
    (_recurrence(first_day_of_week="someday"), "first_day_of_week: unknown day 'someday'"),
    (
        _recurrence(range_type="endDate", end_date=DAY - timedelta(days=1)),
        "end_date: must be on or after the start date",
    ),
    (_recurrence(range_type="numbered", count=0), "count: must be at least 1"),
    (_recurrence(range_type="forever"), "range_type: unknown range 'forever'"),
    (lambda: Contact(""), "last_name: a contact needs a name or a company"),
    (lambda: Contact("Zola", address_lines=("1", "2", "3", "4")), "address_lines: at most 3 address lines"),
    (lambda: Contact("Zola", photo=b"GIF89a"), "photo: must be a JPEG or PNG image"),
    (
        lambda: Contact("Zola", photo=JPEG + bytes(5 * 1024 * 1024)),
        "photo: is 5.0 MB; Microsoft 365 takes contact photos up to 4 MB",
    ),
    (lambda: MicrosoftSettings(tenant="a b"), "tenant: 'a b' is not a tenant name or id"),
    (lambda: Period(START, START), "to: the end of the period must be after its start"),
    (lambda: parse_day("04/03/2024", "from"), "from: '04/03/2024' is not a date (YYYY-MM-DD)"),
]


@pytest.mark.parametrize(("make", "line"), RULES, ids=[line.split(":")[0] for _, line in RULES])
def test_each_rule_refuses_with_data_that_the_edge_words(make: Callable[[], object], line: str) -> None:
    with pytest.raises(InvalidValue) as caught:
        make()
    refused = caught.value
    assert isinstance(refused.reason, get_args(refusals.Reason))
    assert texts.domain.refusal(refused) == line
    assert line.split(": ", 1)[1] not in str(refused)  # the domain holds no sentence, only data


def test_the_limits_travel_with_the_refusal() -> None:
    with pytest.raises(InvalidValue) as caught:
        SyncPrefs(months_after=40)
    assert caught.value.field == "months_after"
    assert caught.value.reason == refusals.OutOfRange(0, 36, got=40)
    with pytest.raises(InvalidValue) as caught:
        Contact("Zola", photo=JPEG + bytes(5 * 1024 * 1024))
    assert caught.value.reason == refusals.TooLarge("photo", len(JPEG) + 5 * 1024 * 1024, 4 * 1024 * 1024)


def test_every_reason_has_a_sentence() -> None:
    """A new kind of refusal cannot reach a user unworded (mypy checks the match too)."""
    examples = {
        refusals.Malformed: refusals.Malformed("x", "email"),
        refusals.OutOfRange: refusals.OutOfRange(1, 2),
        refusals.NotAWholeNumber: refusals.NotAWholeNumber(0, 36),
        refusals.TooFew: refusals.TooFew(1),
        refusals.TooManyAddressLines: refusals.TooManyAddressLines(3),
        refusals.NotOneOf: refusals.NotOneOf(("a", "b")),
        refusals.Unknown: refusals.Unknown("day", "x"),
        refusals.TooLarge: refusals.TooLarge("note", 1, 1),
        refusals.EndsBeforeStart: refusals.EndsBeforeStart("time"),
        refusals.NoDay: refusals.NoDay("weekly"),
        refusals.RightsOnSelf: refusals.RightsOnSelf("ADM"),
        refusals.UnknownActionType: refusals.UnknownActionType("Sieste"),
    }
    for kind in get_args(refusals.Reason):
        reason = examples.get(kind) or kind()
        assert texts.domain.problem(reason)
    assert texts.domain.problem(refusals.NotAWholeNumber(0, 36)) == "must be a whole number between 0 and 36"
    assert texts.domain.problem(refusals.RightsOnSelf("ADM")) == texts.errors.own_rights("ADM")
