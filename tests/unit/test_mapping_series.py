"""Series: every recurrence kind CRM → Graph JSON → CRM, Graph's filled-in answers, rule time zones."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.strategies import PATTERNS, TYPE_LABELS, graph_echo, series, zones
from tui_sync.domain.models import Recurrence, Series
from tui_sync.domain.period import Period
from tui_sync.domain.recurrence import expand
from tui_sync.errors import UnreadableItem
from tui_sync.microsoft.mapping import (
    event_to_series,
    read_recurrence,
    recurrence_json,
    series_to_event,
)
from tui_sync.sync.fingerprints import series_fingerprint

PARIS = ZoneInfo("Europe/Paris")
LA = ZoneInfo("America/Los_Angeles")


def same_series(back: Series, want: Series) -> None:
    assert back == want
    assert back.start.timestamp() == want.start.timestamp()
    assert back.end.timestamp() == want.end.timestamp()


@pytest.mark.parametrize("pattern", PATTERNS)
@given(data=st.data())
def test_a_series_of_every_kind_survives_the_trip_through_graph(pattern: str, data: st.DataObject) -> None:
    tz = data.draw(zones)
    made = data.draw(series(tz, pattern=pattern))
    sent = series_to_event(made, tz)
    assert sent["recurrence"]["pattern"]["type"] == pattern
    same_series(event_to_series(graph_echo(sent), tz, TYPE_LABELS, made.owner), made)


def test_the_recurrence_json_holds_only_what_the_pattern_uses() -> None:
    rule = Recurrence(
        "relativeYearly",
        date(2026, 11, 26),
        interval=1,
        days_of_week=("thursday",),
        index="fourth",
        month=11,
        range_type="numbered",
        count=5,
    )
    assert recurrence_json(rule, "Romance Standard Time") == {
        "pattern": {
            "type": "relativeYearly",
            "interval": 1,
            "daysOfWeek": ["thursday"],
            "month": 11,
            "index": "fourth",
            "firstDayOfWeek": "sunday",
        },
        "range": {
            "type": "numbered",
            "startDate": "2026-11-26",
            "numberOfOccurrences": 5,
            "recurrenceTimeZone": "Romance Standard Time",
        },
    }


def test_a_weekly_rule_lists_its_days_monday_first() -> None:
    rule = Recurrence(
        "weekly", date(2026, 1, 5), days_of_week=("friday", "monday"), first_day_of_week="monday"
    )
    sent = recurrence_json(rule, "UTC")
    assert sent["pattern"] == {
        "type": "weekly",
        "interval": 1,
        "daysOfWeek": ["monday", "friday"],
        "firstDayOfWeek": "monday",
    }
    assert sent["range"] == {"type": "noEnd", "startDate": "2026-01-05", "recurrenceTimeZone": "UTC"}


def test_graphs_filled_in_answer_is_read_by_the_pattern_and_range_type() -> None:
    answer = {
        "pattern": {
            "type": "absoluteMonthly",
            "interval": 2,
            "month": 0,
            "dayOfMonth": 15,
            "daysOfWeek": [],
            "firstDayOfWeek": "sunday",
            "index": "first",
        },
        "range": {
            "type": "endDate",
            "startDate": "2026-01-15",
            "endDate": "2026-12-31",
            "recurrenceTimeZone": "Romance Standard Time",
            "numberOfOccurrences": 0,
        },
    }
    rule, zone = read_recurrence(answer)
    assert rule == Recurrence(
        "absoluteMonthly",
        date(2026, 1, 15),
        interval=2,
        day_of_month=15,
        range_type="endDate",
        end_date=date(2026, 12, 31),
    )
    assert zone == "Romance Standard Time"


def test_a_series_created_in_pacific_time_keeps_its_rule_in_pacific_time() -> None:
    master = {
        "id": "M1",
        "type": "seriesMaster",
        "subject": "Stand-up Seattle",
        "start": {"dateTime": "2026-03-02T17:00:00.0000000", "timeZone": "UTC"},  # 09:00 PST
        "end": {"dateTime": "2026-03-02T17:15:00.0000000", "timeZone": "UTC"},
        "isAllDay": False,
        "recurrence": {
            "pattern": {
                "type": "weekly",
                "interval": 1,
                "daysOfWeek": ["monday"],
                "firstDayOfWeek": "sunday",
            },
            "range": {
                "type": "numbered",
                "startDate": "2026-03-02",
                "numberOfOccurrences": 6,
                "recurrenceTimeZone": "Pacific Standard Time",
            },
        },
    }
    made = event_to_series(master, PARIS, TYPE_LABELS, "CARINE")
    assert made.start.tzinfo == LA and (made.start.hour, made.start.minute) == (9, 0)
    occurrences = expand(made, Period(datetime(2026, 3, 1, tzinfo=PARIS), datetime(2026, 5, 1, tzinfo=PARIS)))
    in_paris = [o.start.astimezone(PARIS) for o in occurrences]
    # 09:00 in Seattle every Monday: 18:00 in Paris, but 17:00 in the three weeks between the US (8 March)
    # and the EU (29 March) going onto summer time
    assert [(d.day, d.hour) for d in in_paris] == [(2, 18), (9, 17), (16, 17), (23, 17), (30, 18), (6, 18)]
    assert (
        series_to_event(made, PARIS)["recurrence"]["range"]["recurrenceTimeZone"] == "Pacific Standard Time"
    )
    assert series_to_event(made, PARIS)["start"] == {
        "dateTime": "2026-03-02T09:00:00",
        "timeZone": "Pacific Standard Time",
    }


def test_a_series_in_the_crm_zone_under_another_name_is_read_in_the_crm_zone() -> None:
    brussels = ZoneInfo("Europe/Brussels")  # also "Romance Standard Time"
    master = {
        "start": {"dateTime": "2026-06-01T07:00:00.0000000", "timeZone": "UTC"},
        "end": {"dateTime": "2026-06-01T08:00:00.0000000", "timeZone": "UTC"},
        "recurrence": {
            "pattern": {"type": "daily", "interval": 1},
            "range": {
                "type": "noEnd",
                "startDate": "2026-06-01",
                "recurrenceTimeZone": "Romance Standard Time",
            },
        },
    }
    assert event_to_series(master, brussels, TYPE_LABELS, "X").start.tzinfo is brussels


def test_an_all_day_series_is_read_in_the_crm_zone() -> None:
    master = {
        "isAllDay": True,
        "start": {"dateTime": "2026-07-06T00:00:00.0000000", "timeZone": "UTC"},
        "end": {"dateTime": "2026-07-07T00:00:00.0000000", "timeZone": "UTC"},
        "recurrence": {
            "pattern": {"type": "weekly", "interval": 1, "daysOfWeek": ["monday"]},
            "range": {
                "type": "noEnd",
                "startDate": "2026-07-06",
                "recurrenceTimeZone": "Pacific Standard Time",
            },
        },
    }
    made = event_to_series(master, PARIS, TYPE_LABELS, "X")
    assert (made.start, made.end) == (datetime(2026, 7, 6, tzinfo=PARIS), datetime(2026, 7, 7, tzinfo=PARIS))


@pytest.mark.parametrize(
    ("recurrence", "problem"),
    [
        (None, "it has no recurrence"),
        (
            {"pattern": {"type": "hourly", "interval": 1}, "range": {"startDate": "2026-01-01"}},
            "unknown recurrence",
        ),
        ({"pattern": {"type": "daily", "interval": 1000}, "range": {"startDate": "2026-01-01"}}, "interval"),
        ({"pattern": {"type": "daily"}, "range": {}}, "startDate"),
    ],
)
def test_a_master_the_crm_cannot_hold_is_unreadable(recurrence: object, problem: str) -> None:
    master = {
        "id": "M9",
        "start": {"dateTime": "2026-01-01T10:00:00.0000000", "timeZone": "UTC"},
        "end": {"dateTime": "2026-01-01T11:00:00.0000000", "timeZone": "UTC"},
        "recurrence": recurrence,
    }
    with pytest.raises(UnreadableItem, match="series M9 cannot be read") as caught:
        event_to_series(master, PARIS, TYPE_LABELS, "X")
    assert problem in str(caught.value)


@given(st.data())
def test_the_crm_expands_a_series_read_back_exactly_as_the_original(data: st.DataObject) -> None:
    tz = data.draw(zones)
    made = data.draw(series(tz))
    back = event_to_series(graph_echo(series_to_event(made, tz)), tz, TYPE_LABELS, made.owner)
    window = Period(made.start - timedelta(days=1), made.start + timedelta(days=120))
    assert [(o.start.timestamp(), o.end.timestamp()) for o in expand(back, window)] == [
        (o.start.timestamp(), o.end.timestamp()) for o in expand(made, window)
    ]
    assert series_fingerprint(back) == series_fingerprint(made)


def test_the_range_start_sent_is_always_the_start_s_day() -> None:
    """The range "startDate … Must be the same value as the start property of the recurring event"
    (recurrencerange): even for a series whose rule was given another day, in the zone it is sent in."""
    start = datetime(2026, 3, 2, 23, 30, tzinfo=PARIS)  # a Monday 23:30 in Paris: 14:30 in Seattle
    rule = Recurrence("weekly", date(2026, 2, 25), days_of_week=("monday",))
    sent = series_to_event(Series("CARINE", "Tard", start, start + timedelta(hours=1), rule), PARIS)
    assert sent["recurrence"]["range"]["startDate"] == "2026-03-02"
    in_seattle = Series(
        "CARINE", "Tard", start.astimezone(LA), start.astimezone(LA) + timedelta(hours=1), rule
    )
    sent = series_to_event(in_seattle, PARIS)
    assert sent["start"]["dateTime"][:10] == sent["recurrence"]["range"]["startDate"] == "2026-03-02"


@pytest.mark.parametrize("custom", ["tzone://Microsoft/Custom", "Customized Time Zone"])
def test_a_series_in_a_legacy_custom_zone_is_read_in_the_crm_zone(custom: str) -> None:
    """Desktop Outlook's legacy custom zones have no readable rules: the series is read in the CRM's
    zone, its start and end being exact instants all the same."""
    master = {
        "id": "M7",
        "start": {"dateTime": "2026-12-07T08:00:00.0000000", "timeZone": "UTC"},
        "end": {"dateTime": "2026-12-07T09:00:00.0000000", "timeZone": "UTC"},
        "originalStartTimeZone": custom,
        "recurrence": {
            "pattern": {"type": "weekly", "interval": 1, "daysOfWeek": ["monday"]},
            "range": {
                "type": "numbered",
                "startDate": "2026-12-07",
                "numberOfOccurrences": 4,
                "recurrenceTimeZone": custom,
            },
        },
    }
    made = event_to_series(master, PARIS, TYPE_LABELS, "CARINE")
    assert made.start == datetime(2026, 12, 7, 9, tzinfo=PARIS) and made.start.tzinfo is PARIS
    assert made.recurrence.count == 4
    sent = series_to_event(made, PARIS)
    assert sent["recurrence"]["range"]["recurrenceTimeZone"] == "Romance Standard Time"


def test_a_daily_series_every_150_days_is_read() -> None:
    master = {
        "id": "M8",
        "start": {"dateTime": "2026-01-05T09:00:00.0000000", "timeZone": "UTC"},
        "end": {"dateTime": "2026-01-05T10:00:00.0000000", "timeZone": "UTC"},
        "recurrence": {
            "pattern": {"type": "daily", "interval": 150},
            "range": {"type": "noEnd", "startDate": "2026-01-05", "recurrenceTimeZone": "UTC"},
        },
    }
    made = event_to_series(master, PARIS, TYPE_LABELS, "CARINE")
    assert made.recurrence.interval == 150
    year = Period(datetime(2026, 1, 1, tzinfo=PARIS), datetime(2027, 1, 1, tzinfo=PARIS))
    assert [o.start.date() for o in expand(made, year)] == [
        date(2026, 1, 5),
        date(2026, 6, 4),
        date(2026, 11, 1),
    ]
