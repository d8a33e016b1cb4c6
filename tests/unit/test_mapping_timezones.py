"""Time zones: CRM IANA zone → Windows name; Graph's dateTimeTimeZone in Windows, IANA or UTC."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo, available_timezones

import pytest

from tui_sync.microsoft.timezones import (
    UnknownTimeZone,
    graph_date,
    graph_datetime,
    graph_zone,
    parse_graph_datetime,
    read_date,
    read_datetime,
    windows_zone,
)

PARIS = ZoneInfo("Europe/Paris")


@pytest.mark.parametrize(
    ("iana", "windows"),
    [
        ("Europe/Paris", "Romance Standard Time"),
        ("Europe/Berlin", "W. Europe Standard Time"),
        ("Europe/London", "GMT Standard Time"),
        ("America/Los_Angeles", "Pacific Standard Time"),
        ("America/New_York", "Eastern Standard Time"),
        ("Asia/Kolkata", "India Standard Time"),
        ("Asia/Calcutta", "India Standard Time"),
        ("UTC", "UTC"),
        ("Etc/UTC", "UTC"),
        ("GMT", "UTC"),
        ("PST8PDT", "Pacific Standard Time"),
        ("Europe/Zaporozhye", "FLE Standard Time"),
    ],
)
def test_crm_zones_map_to_windows_names(iana: str, windows: str) -> None:
    assert windows_zone(ZoneInfo(iana)) == windows
    assert windows_zone(iana) == windows


def test_every_zone_python_knows_has_a_windows_name_or_says_why() -> None:
    unmapped = []
    for key in available_timezones():
        try:
            windows_zone(key)
        except UnknownTimeZone:
            unmapped.append(key)
    assert unmapped == []


def test_datetime_utc_is_utc() -> None:
    assert windows_zone(UTC) == "UTC"


def test_a_zone_without_windows_name_is_a_clear_error() -> None:
    with pytest.raises(UnknownTimeZone) as caught:
        windows_zone("Mars/Olympus_Mons")
    assert str(caught.value) == (
        "the time zone 'Mars/Olympus_Mons' has no Microsoft 365 (Windows) equivalent: "
        "set `timezone` to another IANA name (e.g. Europe/Paris)"
    )


@pytest.mark.parametrize(
    ("name", "key"),
    [
        ("Romance Standard Time", "Europe/Paris"),
        ("romance standard time", "Europe/Paris"),
        ("Pacific Standard Time", "America/Los_Angeles"),
        ("Europe/Paris", "Europe/Paris"),
        ("America/Los_Angeles", "America/Los_Angeles"),
        ("UTC", "UTC"),
        ("tzone://Microsoft/Utc", "UTC"),
        (None, "UTC"),
        ("", "UTC"),
    ],
)
def test_graph_zone_names_are_read_in_every_form(name: str | None, key: str) -> None:
    assert graph_zone(name).key == key


@pytest.mark.parametrize("name", ["tzone://Microsoft/Custom", "Customized Time Zone", "Not A Zone", "../etc"])
def test_an_unknown_graph_zone_is_a_clear_error(name: str) -> None:
    with pytest.raises(UnknownTimeZone, match="Microsoft 365 sent a time zone tui-sync does not know"):
        graph_zone(name)


def test_graphs_seven_fractional_digits_are_read() -> None:
    assert parse_graph_datetime("2019-03-15T12:00:00.0000000") == datetime(2019, 3, 15, 12)
    assert parse_graph_datetime("2019-03-15T12:00:00.1234567") == datetime(2019, 3, 15, 12, 0, 0, 123456)
    assert parse_graph_datetime("2019-03-15T12:00:00.1234567Z") == datetime(
        2019, 3, 15, 12, 0, 0, 123456, UTC
    )
    assert parse_graph_datetime("2019-03-15T12:00:00") == datetime(2019, 3, 15, 12)


def test_a_garbled_datetime_is_a_clear_error() -> None:
    with pytest.raises(Exception, match="Microsoft 365 sent a date/time tui-sync cannot read: 'soon'"):
        parse_graph_datetime("soon")


def test_a_datetimetimezone_is_read_in_its_zone_and_shown_in_the_crm_zone() -> None:
    value = {"dateTime": "2019-03-15T12:00:00.0000000", "timeZone": "Pacific Standard Time"}
    moment = read_datetime(value, PARIS)
    assert moment.tzinfo is PARIS
    assert moment == datetime(2019, 3, 15, 19, tzinfo=UTC)  # PDT since 10 March
    assert read_date(value) == date(2019, 3, 15)


def test_an_offset_in_the_string_wins_over_the_zone_name() -> None:
    value = {"dateTime": "2019-03-15T12:00:00+02:00", "timeZone": "UTC"}
    assert read_datetime(value, PARIS) == datetime(2019, 3, 15, 10, tzinfo=UTC)


def test_values_are_written_as_wall_time_with_the_windows_name() -> None:
    moment = datetime(2026, 7, 1, 6, 30, 15, 999999, tzinfo=UTC)
    assert graph_datetime(moment, PARIS) == {
        "dateTime": "2026-07-01T08:30:15",
        "timeZone": "Romance Standard Time",
    }
    assert graph_date(date(2026, 7, 1), PARIS) == {
        "dateTime": "2026-07-01T00:00:00",
        "timeZone": "Romance Standard Time",
    }
