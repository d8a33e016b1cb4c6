"""Recurrence expansion: every Outlook pattern, intervals, range ends, exceptions, cancellations, DST."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from fake_microsoft365 import recurrence as fake_recurrence
from tui_sync.domain.models import Action, Recurrence, Series
from tui_sync.domain.period import Period
from tui_sync.domain.recurrence import aligned, expand, iter_all_starts, occurrence, rule_starts

TZ = ZoneInfo("Europe/Paris")
YEAR = Period.from_dates(date(2024, 1, 1), date(2024, 12, 31), TZ)


def series(recurrence: Recurrence, hour: int = 9, minutes: int = 60, **changes: object) -> Series:
    start = datetime.combine(recurrence.start_date, datetime.min.time(), TZ).replace(hour=hour)
    return Series("CARINE", "Réunion", start, start + timedelta(minutes=minutes), recurrence).with_changes(
        **changes
    )


def days(s: Series, period: Period = YEAR) -> list[date]:
    return [a.start.date() for a in expand(s, period)]


def test_daily_every_third_day_numbered() -> None:
    s = series(Recurrence("daily", date(2024, 3, 1), interval=3, range_type="numbered", count=4))
    assert days(s) == [date(2024, 3, 1), date(2024, 3, 4), date(2024, 3, 7), date(2024, 3, 10)]


def test_weekly_on_several_days_every_other_week() -> None:
    s = series(
        Recurrence(
            "weekly",
            date(2024, 3, 4),
            interval=2,
            days_of_week=("monday", "thursday"),
            first_day_of_week="monday",
            range_type="endDate",
            end_date=date(2024, 3, 31),
        )
    )
    assert days(s) == [date(2024, 3, 4), date(2024, 3, 7), date(2024, 3, 18), date(2024, 3, 21)]


def test_weekly_interval_counts_weeks_from_the_first_day_of_week() -> None:
    """Every other week on Sunday and Monday: which Sunday belongs to the first week depends on it."""

    def rule(first_day: str) -> Series:
        return series(
            Recurrence(
                "weekly",
                date(2024, 3, 3),  # a Sunday
                interval=2,
                days_of_week=("sunday", "monday"),
                first_day_of_week=first_day,
                range_type="numbered",
                count=4,
            )
        )

    assert days(rule("sunday")) == [date(2024, 3, 3), date(2024, 3, 4), date(2024, 3, 17), date(2024, 3, 18)]
    assert days(rule("monday")) == [date(2024, 3, 3), date(2024, 3, 11), date(2024, 3, 17), date(2024, 3, 25)]


def test_absolute_monthly_on_a_day_of_the_month() -> None:
    s = series(
        Recurrence(
            "absoluteMonthly", date(2024, 1, 15), day_of_month=15, interval=2, range_type="numbered", count=3
        )
    )
    assert days(s) == [date(2024, 1, 15), date(2024, 3, 15), date(2024, 5, 15)]


def test_relative_monthly_second_tuesday_and_last_friday() -> None:
    second = series(
        Recurrence("relativeMonthly", date(2024, 1, 1), days_of_week=("tuesday",), index="second")
    )
    assert days(second, Period.from_dates(date(2024, 1, 1), date(2024, 3, 31), TZ)) == [
        date(2024, 1, 9),
        date(2024, 2, 13),
        date(2024, 3, 12),
    ]
    last = series(Recurrence("relativeMonthly", date(2024, 1, 1), days_of_week=("friday",), index="last"))
    assert days(last, Period.from_dates(date(2024, 1, 1), date(2024, 3, 31), TZ)) == [
        date(2024, 1, 26),
        date(2024, 2, 23),
        date(2024, 3, 29),
    ]


def test_absolute_yearly_every_other_year() -> None:
    s = series(Recurrence("absoluteYearly", date(2024, 3, 4), day_of_month=4, month=3, interval=2))
    long = Period.from_dates(date(2024, 1, 1), date(2029, 12, 31), TZ)
    assert days(s, long) == [date(2024, 3, 4), date(2026, 3, 4), date(2028, 3, 4)]


def test_relative_yearly_last_monday_of_march() -> None:
    s = series(
        Recurrence("relativeYearly", date(2024, 1, 1), days_of_week=("monday",), index="last", month=3)
    )
    long = Period.from_dates(date(2024, 1, 1), date(2026, 12, 31), TZ)
    assert days(s, long) == [date(2024, 3, 25), date(2025, 3, 31), date(2026, 3, 30)]


def test_end_by_date_includes_that_day() -> None:
    s = series(
        Recurrence("daily", date(2024, 3, 1), range_type="endDate", end_date=date(2024, 3, 3)), hour=23
    )
    assert days(s) == [date(2024, 3, 1), date(2024, 3, 2), date(2024, 3, 3)]


def test_count_counts_from_the_first_occurrence_not_the_period() -> None:
    s = series(Recurrence("daily", date(2024, 3, 1), range_type="numbered", count=5))
    assert days(s, Period.from_dates(date(2024, 3, 4), date(2024, 3, 31), TZ)) == [
        date(2024, 3, 4),
        date(2024, 3, 5),
    ]
    assert days(s, Period.from_dates(date(2024, 3, 6), date(2024, 3, 31), TZ)) == []


def test_no_end_runs_through_any_period() -> None:
    s = series(Recurrence("weekly", date(2024, 1, 1), days_of_week=("monday",)))
    far = Period.from_dates(date(2030, 1, 1), date(2030, 1, 31), TZ)
    assert days(s, far) == [date(2030, 1, 7), date(2030, 1, 14), date(2030, 1, 21), date(2030, 1, 28)]
    assert len(expand(s, YEAR)) == 53  # 2024 has 53 Mondays


def test_an_occurrence_that_started_before_the_period_but_overlaps_it_is_in() -> None:
    s = series(Recurrence("daily", date(2024, 3, 1)), hour=22, minutes=4 * 60)  # 22:00 → 02:00
    period = Period.from_dates(date(2024, 3, 5), date(2024, 3, 5), TZ)
    assert [a.start for a in expand(s, period)] == [
        datetime(2024, 3, 4, 22, tzinfo=TZ),
        datetime(2024, 3, 5, 22, tzinfo=TZ),
    ]


def test_occurrences_carry_the_template_and_their_original_start() -> None:
    s = series(Recurrence("daily", date(2024, 3, 1), range_type="numbered", count=1), id=7).with_changes(
        location="Salle 2", private=True, reminder_on=True, reminder_minutes=5, action_type="Appel", note="n"
    )
    [only] = expand(s, YEAR)
    assert only == occurrence(s, s.start)
    assert (only.series_id, only.original_start, only.end - only.start) == (7, s.start, timedelta(hours=1))
    assert (only.location, only.private, only.reminder_minutes, only.action_type, only.note) == (
        "Salle 2",
        True,
        5,
        "Appel",
        "n",
    )


def _exception(original: datetime, start: datetime, title: str = "moved") -> Action:
    return Action("CARINE", title, start, start + timedelta(hours=1), series_id=7, original_start=original)


def test_exceptions_replace_their_occurrence_wherever_they_moved() -> None:
    s = series(Recurrence("daily", date(2024, 3, 1), range_type="numbered", count=5), id=7)
    at = lambda day, hour=9: datetime(2024, 3, day, hour, tzinfo=TZ)  # noqa: E731
    moved_later = _exception(at(2), at(2, 15))
    moved_out = _exception(at(3), at(20))
    moved_in = _exception(at(5), at(4, 7))
    s = s.with_changes(exceptions=(moved_later, moved_out, moved_in))
    period = Period.from_dates(date(2024, 3, 1), date(2024, 3, 5), TZ)
    assert [(a.start, a.title) for a in expand(s, period)] == [
        (at(1), "Réunion"),
        (at(2, 15), "moved"),
        (at(4, 7), "moved"),
        (at(4), "Réunion"),
    ]
    late = Period.from_dates(date(2024, 3, 20), date(2024, 3, 20), TZ)
    assert [a.start for a in expand(s, late)] == [at(20)]  # moved into a period the rule never reaches


def test_cancelled_occurrences_and_cancelled_exceptions_are_left_out() -> None:
    s = series(Recurrence("daily", date(2024, 3, 1), range_type="numbered", count=4), id=7)
    at = lambda day, hour=9: datetime(2024, 3, day, hour, tzinfo=TZ)  # noqa: E731
    s = s.with_changes(
        exceptions=(_exception(at(3), at(3, 16)),), cancelled=frozenset({at(2), at(3).astimezone(UTC)})
    )
    assert days(s) == [date(2024, 3, 1), date(2024, 3, 4)]


def test_wall_clock_time_is_kept_across_daylight_saving_changes() -> None:
    """Paris: summer time from 31 March 2024, winter time from 27 October 2024."""
    s = series(
        Recurrence("weekly", date(2024, 3, 25), days_of_week=("monday",), range_type="numbered", count=2)
    )
    spring = expand(s, YEAR)
    assert [a.start.hour for a in spring] == [9, 9]
    assert [a.start.utcoffset() for a in spring] == [timedelta(hours=1), timedelta(hours=2)]
    assert [a.start.astimezone(UTC).hour for a in spring] == [8, 7]
    autumn = series(Recurrence("daily", date(2024, 10, 26), range_type="numbered", count=2), hour=10)
    assert [(a.start.hour, a.start.utcoffset()) for a in expand(autumn, YEAR)] == [
        (10, timedelta(hours=2)),
        (10, timedelta(hours=1)),
    ]


def test_a_period_given_in_another_zone_selects_the_same_instants() -> None:
    s = series(Recurrence("daily", date(2024, 3, 1), range_type="numbered", count=3))
    utc_period = Period(
        datetime(2024, 3, 2, 8, tzinfo=UTC), datetime(2024, 3, 3, 8, tzinfo=UTC)
    )  # 09:00 Paris
    assert [a.start for a in expand(s, utc_period)] == [datetime(2024, 3, 2, 9, tzinfo=TZ)]


def test_all_day_series_are_whole_days() -> None:
    first = datetime(2024, 3, 4, tzinfo=TZ)
    s = Series(
        "CARINE",
        "Salon",
        first,
        first + timedelta(days=1),
        Recurrence("absoluteMonthly", date(2024, 3, 4), day_of_month=4),
        all_day=True,
    )
    april = Period.from_dates(date(2024, 4, 1), date(2024, 4, 30), TZ)
    [only] = expand(s, april)
    assert (only.start, only.end, only.all_day) == (
        datetime(2024, 4, 4, tzinfo=TZ),
        datetime(2024, 4, 5, tzinfo=TZ),
        True,
    )


def test_rule_starts_and_iter_all_starts() -> None:
    rule = Recurrence("daily", date(2024, 3, 1), interval=2)
    first = datetime(2024, 3, 1, 9, tzinfo=TZ)
    assert rule_starts(
        rule, first, datetime(2024, 3, 3, 9, tzinfo=TZ), datetime(2024, 3, 7, 9, tzinfo=TZ)
    ) == [
        datetime(2024, 3, 3, 9, tzinfo=TZ),
        datetime(2024, 3, 5, 9, tzinfo=TZ),
    ]
    assert len(list(iter_all_starts(rule, first, 10))) == 10
    numbered = Recurrence("daily", date(2024, 3, 1), range_type="numbered", count=3)
    assert len(list(iter_all_starts(numbered, first, 10))) == 3


# --- Outlook's meaning: the last day of a short month, and a series starting on its first occurrence -----


def test_monthly_on_the_31st_falls_on_the_last_day_of_shorter_months() -> None:
    """Outlook: "If for a particular month this value is larger than the number of days in the month,
    the last day of the month is assumed" (absolutemonthlyrecurrence). Two years: 24 occurrences."""
    s = series(Recurrence("absoluteMonthly", date(2024, 1, 31), day_of_month=31))
    two_years = Period.from_dates(date(2024, 1, 1), date(2025, 12, 31), TZ)
    got = days(s, two_years)
    assert len(got) == 24
    assert got[:4] == [date(2024, 1, 31), date(2024, 2, 29), date(2024, 3, 31), date(2024, 4, 30)]
    assert date(2025, 2, 28) in got


def test_monthly_on_the_30th_every_other_month_and_yearly_on_29_february() -> None:
    every_other = series(Recurrence("absoluteMonthly", date(2024, 12, 30), day_of_month=30, interval=2))
    assert days(every_other, Period.from_dates(date(2024, 12, 1), date(2025, 6, 30), TZ)) == [
        date(2024, 12, 30),
        date(2025, 2, 28),
        date(2025, 4, 30),
        date(2025, 6, 30),
    ]
    leap = series(Recurrence("absoluteYearly", date(2024, 2, 29), day_of_month=29, month=2))
    years = Period.from_dates(date(2024, 1, 1), date(2028, 12, 31), TZ)
    assert days(leap, years) == [
        date(2024, 2, 29),
        date(2025, 2, 28),
        date(2026, 2, 28),
        date(2027, 2, 28),
        date(2028, 2, 29),
    ]


@settings(max_examples=300, deadline=None)
@given(
    pattern=st.sampled_from(("absoluteMonthly", "absoluteYearly")),
    first=st.dates(date(2023, 1, 1), date(2027, 12, 31)),
    day=st.integers(1, 31),
    month=st.integers(1, 12),
    interval=st.integers(1, 13),
    hour=st.integers(0, 23),
    range_end=st.sampled_from(("noEnd", "endDate", "numbered")),
    length=st.integers(1, 40),
)
def test_the_crm_expands_absolute_patterns_as_the_fake_outlook_does(
    pattern: str,
    first: date,
    day: int,
    month: int,
    interval: int,
    hour: int,
    range_end: str,
    length: int,
) -> None:
    """Any monthly/yearly-on-a-day rule: the CRM's occurrences are the fake Outlook's (an independent
    reading of the same rule), day 29–31 and 29 February included."""
    rule = Recurrence(
        pattern,  # type: ignore[arg-type]
        first,
        interval=interval,
        day_of_month=day,
        month=month if pattern == "absoluteYearly" else None,
        range_type=range_end,  # type: ignore[arg-type]
        end_date=first + timedelta(days=31 * length) if range_end == "endDate" else None,
        count=length if range_end == "numbered" else None,
    )
    start = datetime.combine(first, time(hour), TZ)
    graph = {
        "pattern": {
            "type": pattern,
            "interval": interval,
            "dayOfMonth": day,
            "month": month if pattern == "absoluteYearly" else 0,
        },
        "range": {"type": range_end, "startDate": first.isoformat()},
    }
    if range_end == "endDate":
        graph["range"]["endDate"] = rule.end_date.isoformat()  # type: ignore[union-attr]
    if range_end == "numbered":
        graph["range"]["numberOfOccurrences"] = length
    normalised = fake_recurrence.normalize(graph, first, "Romance Standard Time")
    low, high = datetime(2023, 1, 1, tzinfo=UTC), datetime(2031, 1, 1, tzinfo=UTC)
    theirs = list(fake_recurrence.occurrences(normalised, start.astimezone(UTC), low, high))
    ours = [s.astimezone(UTC) for s in rule_starts(rule, start, low, high)]
    assert ours == theirs


def test_a_series_is_aligned_on_its_first_occurrence_as_outlook_does() -> None:
    """Weekly on Monday, given a Wednesday start: Outlook starts it on the next Monday, its range too."""
    wednesday = datetime(2024, 3, 6, 9, tzinfo=TZ)
    rule = Recurrence("weekly", wednesday.date(), days_of_week=("monday",), range_type="numbered", count=3)
    given = Series("CARINE", "Point", wednesday, wednesday + timedelta(minutes=45), rule)
    moved = aligned(given)
    assert moved.start == datetime(2024, 3, 11, 9, tzinfo=TZ)
    assert moved.end - moved.start == timedelta(minutes=45)
    assert moved.recurrence.start_date == date(2024, 3, 11)
    assert days(moved) == days(given) == [date(2024, 3, 11), date(2024, 3, 18), date(2024, 3, 25)]
    assert aligned(moved) is moved  # already aligned: unchanged
    # all-day across the spring DST change: whole days, midnight to midnight
    all_day = Series(
        "CARINE",
        "Salon",
        datetime(2024, 3, 27, tzinfo=TZ),
        datetime(2024, 3, 28, tzinfo=TZ),
        Recurrence("weekly", date(2024, 3, 27), days_of_week=("tuesday",)),
        all_day=True,
    )
    assert (aligned(all_day).start, aligned(all_day).end) == (
        datetime(2024, 4, 2, tzinfo=TZ),
        datetime(2024, 4, 3, tzinfo=TZ),
    )
    # a rule with no occurrence at all is left alone
    never = Recurrence(
        "weekly", wednesday.date(), days_of_week=("monday",), range_type="endDate", end_date=date(2024, 3, 8)
    )
    assert aligned(given.with_changes(recurrence=never)).start == wednesday


def test_a_series_starting_at_a_time_the_clocks_skip_recurs_at_the_real_time() -> None:
    """02:00 on the spring-forward day does not exist in Paris: the start is 03:00 there, and so is
    every later occurrence (the CRM read 02:00 for them, Outlook 03:00: an exception at every sync)."""
    skipped = datetime.combine(date(2023, 3, 26), time(2), TZ)
    rule = Recurrence("absoluteMonthly", date(2023, 3, 26), day_of_month=26, range_type="numbered", count=3)
    low, high = datetime(2023, 1, 1, tzinfo=UTC), datetime(2024, 1, 1, tzinfo=UTC)
    assert [s.astimezone(TZ).hour for s in rule_starts(rule, skipped, low, high)] == [3, 3, 3]
