"""iCalendar in and out: the sample agenda, RRULE ⇄ Outlook recurrence (checked against dateutil's own
reading of the RFC rule), time zones, alarms, round trips (sample and hypothesis), and one-line refusals."""

from __future__ import annotations

import re
import time
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from dateutil.rrule import rrulestr
from hypothesis import given, settings
from hypothesis import strategies as st
from icalendar.prop import vRecur

from tests.strategies import TYPE_LABELS, actions, series, zones
from tui_sync import texts
from tui_sync.domain.models import Action, Recurrence, Series
from tui_sync.domain.recurrence import iter_all_starts
from tui_sync.errors import BadInput
from tui_sync.importers import read_calendar, write_calendar
from tui_sync.importers.icalendar_io import AgendaImport
from tui_sync.importers.rrule import recurrence_to_rrule, rrule_to_recurrence

DATA = Path(__file__).resolve().parents[1] / "data"
PARIS = ZoneInfo("Europe/Paris")
TYPES = ("Tâche", "Rendez-vous", "Appel", "Réunion")


def paris(*args: int) -> datetime:
    return datetime(*args, tzinfo=PARIS)


def read(text: str, tz: ZoneInfo = PARIS) -> AgendaImport:
    return read_calendar(text.encode(), "CARINE", tz, TYPES)


def calendar(*events: str) -> str:
    body = "".join(f"BEGIN:VEVENT\r\nUID:e{i}\r\n{e.strip()}\r\nEND:VEVENT\r\n" for i, e in enumerate(events))
    return f"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:test\r\n{body}END:VCALENDAR\r\n"


# --- the sample file ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def sample() -> AgendaImport:
    return read_calendar((DATA / "agenda.ics").read_bytes(), "CARINE", PARIS, TYPES)


def test_sample_single_events(sample: AgendaImport) -> None:
    call, visit, fair, doctor = sample.actions
    assert call == Action(
        owner="CARINE",
        title="Appel fournisseur",
        start=paris(2024, 3, 4, 14, 0),  # 13:00Z
        end=paris(2024, 3, 4, 14, 30),
        action_type="Appel",
        note="Relancer pour le devis n° 1234.\nPrévoir les tarifs 2024.",
    )
    assert call.start.tzinfo == PARIS
    assert (visit.start, visit.end, visit.location) == (
        paris(2024, 3, 6, 10),
        paris(2024, 3, 6, 11, 30),  # DURATION:PT1H30M
        "Boulangerie Martin, 3 place Bellecour",
    )
    assert visit.action_type == "Rendez-vous"
    assert (fair.all_day, fair.start, fair.end) == (True, paris(2024, 3, 12), paris(2024, 3, 14))
    assert fair.action_type == "Tâche"  # CATEGORIES:Salon is no action type
    assert (doctor.private, doctor.reminder_on, doctor.reminder_minutes) == (True, True, 45)
    assert doctor.start == paris(2024, 3, 8, 16, 30)  # floating time: the CRM's zone
    assert (sample.unknown_categories, sample.unknown_category_events) == (("Salon",), 1)


def test_sample_weekly_series_with_an_exception_and_a_cancelled_occurrence(sample: AgendaImport) -> None:
    weekly, monthly = sample.series
    assert weekly == Series(
        owner="CARINE",
        title="Réunion d'équipe",
        location="Salle A",
        start=paris(2024, 3, 4, 9),  # TZID "Romance Standard Time" (Outlook's name for Paris)
        end=paris(2024, 3, 4, 10),
        recurrence=Recurrence(
            pattern="weekly",
            start_date=date(2024, 3, 4),
            days_of_week=("monday",),
            first_day_of_week="monday",
            range_type="endDate",
            end_date=date(2024, 6, 24),
        ),
        reminder_on=True,
        reminder_minutes=10,
        action_type="Réunion",
        cancelled=frozenset({paris(2024, 4, 1, 9)}),
        exceptions=(
            Action(
                owner="CARINE",
                title="Réunion d'équipe (déplacée)",
                location="Salle B",
                start=paris(2024, 4, 9, 14),
                end=paris(2024, 4, 9, 15),
                action_type="Réunion",
                original_start=paris(2024, 4, 8, 9),
            ),
        ),
    )
    assert monthly.recurrence == Recurrence(
        pattern="relativeMonthly",
        start_date=date(2024, 3, 12),
        days_of_week=("tuesday",),
        index="second",
        first_day_of_week="monday",
        range_type="numbered",
        count=10,
    )
    assert monthly.private  # CLASS:CONFIDENTIAL


def test_sample_round_trips(sample: AgendaImport) -> None:
    """import → export → re-import gives the same actions and series."""
    again = read_calendar(write_calendar(sample.actions, sample.series, PARIS), "CARINE", PARIS, TYPES)
    assert again.actions == sample.actions
    assert again.series == sample.series


def test_export_shape(sample: AgendaImport) -> None:
    stored = [replace(a, id=i) for i, a in enumerate(sample.actions, start=10)]
    stored_series = [replace(s, id=i) for i, s in enumerate(sample.series, start=3)]
    stamp = datetime(2024, 5, 1, 8, tzinfo=UTC)
    text = write_calendar(stored, stored_series, PARIS, now=stamp).decode()
    uids = re.findall(r"^UID:(.*)\r$", text, flags=re.M)
    assert uids == [
        "tui-sync-action-10@tui-sync",
        "tui-sync-action-11@tui-sync",
        "tui-sync-action-12@tui-sync",
        "tui-sync-action-13@tui-sync",
        "tui-sync-series-3@tui-sync",
        "tui-sync-series-3@tui-sync",  # the exception
        "tui-sync-series-4@tui-sync",
    ]
    assert "RRULE:FREQ=WEEKLY;UNTIL=20240624T215959Z;INTERVAL=1;BYDAY=MO;WKST=MO\r\n" in text
    assert "EXDATE;TZID=Europe/Paris:20240401T090000\r\n" in text
    assert "RECURRENCE-ID;TZID=Europe/Paris:20240408T090000\r\n" in text
    assert "DTSTART;VALUE=DATE:20240312\r\n" in text
    assert "BEGIN:VTIMEZONE\r\nTZID:Europe/Paris\r\n" in text
    assert "DTSTAMP:20240501T080000Z\r\n" in text
    assert "CLASS:PRIVATE\r\n" in text and "TRIGGER:-PT45M\r\n" in text


def test_occurrences_of_series_are_left_to_their_series() -> None:
    occurrence = Action(
        owner="CARINE",
        title="x",
        start=paris(2024, 1, 1, 9),
        end=paris(2024, 1, 1, 10),
        series_id=4,
        original_start=paris(2024, 1, 1, 9),
    )
    assert b"BEGIN:VEVENT" not in write_calendar([occurrence], [], PARIS)


# --- RRULE ⇄ Recurrence ---------------------------------------------------------------------------

MONDAY_9 = paris(2024, 1, 1, 9)  # a Monday
RULES = {
    "daily": ("FREQ=DAILY;INTERVAL=3;COUNT=5", {"pattern": "daily", "interval": 3, "count": 5}),
    "weekdays as daily": (
        "FREQ=DAILY;BYDAY=MO,TU,WE,TH,FR",
        {"pattern": "weekly", "days_of_week": ("monday", "tuesday", "wednesday", "thursday", "friday")},
    ),
    "weekly default day": ("FREQ=WEEKLY;INTERVAL=2", {"pattern": "weekly", "days_of_week": ("monday",)}),
    "weekly days wkst": (
        "FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,TH;WKST=SU",
        {"pattern": "weekly", "days_of_week": ("monday", "thursday"), "first_day_of_week": "sunday"},
    ),
    "monthly default day": ("FREQ=MONTHLY", {"pattern": "absoluteMonthly", "day_of_month": 1}),
    "second tuesday": (
        "FREQ=MONTHLY;BYDAY=2TU",
        {"pattern": "relativeMonthly", "index": "second", "days_of_week": ("tuesday",)},
    ),
    "last friday": (
        "FREQ=MONTHLY;INTERVAL=2;BYDAY=-1FR",
        {"pattern": "relativeMonthly", "index": "last", "days_of_week": ("friday",)},
    ),
    "last weekday by setpos": (
        "FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1",
        {
            "pattern": "relativeMonthly",
            "index": "last",
            "days_of_week": ("monday", "tuesday", "wednesday", "thursday", "friday"),
        },
    ),
    "last day of the month": (
        "FREQ=MONTHLY;BYMONTHDAY=-1",
        {
            "pattern": "relativeMonthly",
            "index": "last",
            "days_of_week": ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"),
        },
    ),
    "every tuesday of the month": (
        "FREQ=MONTHLY;BYDAY=TU",
        {"pattern": "weekly", "days_of_week": ("tuesday",)},
    ),
    "yearly default": ("FREQ=YEARLY", {"pattern": "absoluteYearly", "month": 1, "day_of_month": 1}),
    "yearly date": (
        "FREQ=YEARLY;BYMONTH=7;BYMONTHDAY=14",
        {"pattern": "absoluteYearly", "month": 7, "day_of_month": 14},
    ),
    "fourth thursday of november": (
        "FREQ=YEARLY;BYMONTH=11;BYDAY=4TH",
        {"pattern": "relativeYearly", "month": 11, "index": "fourth", "days_of_week": ("thursday",)},
    ),
    "first weekend day of march by setpos": (
        "FREQ=YEARLY;BYMONTH=3;BYDAY=SA,SU;BYSETPOS=1",
        {"pattern": "relativeYearly", "month": 3, "index": "first", "days_of_week": ("saturday", "sunday")},
    ),
    "until, time after the start": (
        "FREQ=DAILY;UNTIL=20240110T080000Z",  # 09:00 Paris: the 10th is included
        {"pattern": "daily", "end_date": date(2024, 1, 10)},
    ),
    "until, time before the start": (
        "FREQ=DAILY;UNTIL=20240110T070000Z",  # 08:00 Paris: the 10th is not
        {"pattern": "daily", "end_date": date(2024, 1, 9)},
    ),
    "until, date": ("FREQ=WEEKLY;UNTIL=20240131", {"pattern": "weekly", "days_of_week": ("monday",)}),
}


def rfc_starts(text: str, start: datetime, limit: int) -> list[datetime]:
    """dateutil's reading of an RFC rule; an UNTIL given as a date goes with a floating start."""
    if re.search(r"UNTIL=\d{8}(;|$)", text):
        return [
            d.replace(tzinfo=start.tzinfo) for d in rrulestr(text, dtstart=start.replace(tzinfo=None))[:limit]
        ]
    return list(rrulestr(text, dtstart=start)[:limit])


@pytest.mark.parametrize("text, expected", RULES.values(), ids=RULES.keys())
def test_rrule_to_outlook_recurrence(text: str, expected: dict) -> None:
    rule = vRecur.from_ical(text)
    found = rrule_to_recurrence(rule, MONDAY_9)
    for name, value in expected.items():
        assert getattr(found, name) == value, name
    # The same dates as the RFC rule (dateutil's reading of the text), for the first 40 occurrences.
    want = rfc_starts(text, MONDAY_9, 40)
    got = list(iter_all_starts(found, MONDAY_9, 40))
    assert got == want[: len(got)] and len(got) == min(len(want), 40)
    # and back: Recurrence → RRULE → the same Recurrence
    assert rrule_to_recurrence(vRecur(recurrence_to_rrule(found, MONDAY_9, False)), MONDAY_9) == found


UNSUPPORTED = {
    "hourly": ("FREQ=HOURLY", "FREQ=HOURLY: Outlook repeats daily, weekly, monthly or yearly"),
    "fifth monday": ("FREQ=MONTHLY;BYDAY=5MO", "position 5: Outlook knows first to fourth and last"),
    "second to last": ("FREQ=MONTHLY;BYDAY=-2FR", "position -2"),
    "two numbered days": ("FREQ=MONTHLY;BYDAY=1MO,3MO", "one numbered weekday at most"),
    "two month days": ("FREQ=MONTHLY;BYMONTHDAY=1,15", "one day of the month"),
    "day from the end": ("FREQ=MONTHLY;BYMONTHDAY=-3", "BYMONTHDAY=-3"),
    "by hour": ("FREQ=DAILY;BYHOUR=9,17", "RRULE BYHOUR is not supported"),
    "week number": ("FREQ=YEARLY;BYWEEKNO=20", "RRULE BYWEEKNO is not supported"),
    "numbered weekday of the year": ("FREQ=YEARLY;BYDAY=20MO", "a numbered weekday of the year"),
    "until and count": ("FREQ=DAILY;COUNT=3;UNTIL=20240301", "RRULE has both UNTIL and COUNT"),
    "weekday interval of days": ("FREQ=DAILY;INTERVAL=2;BYDAY=MO,FR", "days of the week with an interval"),
    "interval too big": ("FREQ=DAILY;INTERVAL=1000", "interval: must be between 1 and 999"),
    # RFC 5545 skips the months without a 31st; Outlook's day 31 is the month's last day then
    "plain 31st": ("FREQ=MONTHLY;BYMONTHDAY=31", "BYMONTHDAY=28,29,30,31;BYSETPOS=-1"),
    "plain 29 february": ("FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=29", "BYMONTHDAY=28,29;BYSETPOS=-1"),
}


@pytest.mark.parametrize("rule, reason", UNSUPPORTED.values(), ids=UNSUPPORTED.keys())
def test_rrule_outlook_cannot_express_is_refused_naming_the_line(rule: str, reason: str) -> None:
    text = calendar(
        "SUMMARY:ok\r\nDTSTART:20240101T090000\r\nDTEND:20240101T100000",
        f"SUMMARY:Odd rule\r\nDTSTART:20240101T090000\r\nDTEND:20240101T100000\r\nRRULE:{rule}",
    )
    with pytest.raises(BadInput) as refused:
        read(text)
    message = str(refused.value)
    assert message.startswith("agenda.ics line 15 (event 'Odd rule'): ")
    assert reason in message and "\n" not in message


def test_rdate_is_refused() -> None:
    text = calendar("DTSTART:20240101T090000\r\nRRULE:FREQ=DAILY\r\nRDATE:20240105T090000")
    with pytest.raises(BadInput, match=r"^agenda.ics line 8 \(event 1\): RDATE is not supported"):
        read(text)


# --- time zones -----------------------------------------------------------------------------------


def test_zones_utc_floating_iana_windows_and_unknown_vtimezone() -> None:
    text = calendar(
        "DTSTART:20240701T070000Z",
        "DTSTART:20240701T090000",
        "DTSTART;TZID=America/New_York:20240701T030000",
        "DTSTART;TZID=W. Europe Standard Time:20240701T090000",
        "DTSTART;TZID=Custom Plus Three:20240701T100000",
    ).replace(
        "PRODID:test\r\n",
        "PRODID:test\r\nBEGIN:VTIMEZONE\r\nTZID:Custom Plus Three\r\nBEGIN:STANDARD\r\n"
        "DTSTART:19700101T000000\r\nTZOFFSETFROM:+0300\r\nTZOFFSETTO:+0300\r\nEND:STANDARD\r\n"
        "END:VTIMEZONE\r\n",
    )
    found = read(text)
    assert [a.start for a in found.actions] == [paris(2024, 7, 1, 9)] * 5
    assert all(a.start.tzinfo == PARIS for a in found.actions)


def test_weekly_series_on_another_day_in_the_crm_zone_moves_its_days() -> None:
    """Monday 20:00 in New York is Tuesday 02:00 in Paris: the rule must say Tuesday there."""
    text = calendar(
        "DTSTART;TZID=America/New_York:20240108T200000\r\nDURATION:PT1H\r\n"
        "RRULE:FREQ=WEEKLY;BYDAY=MO,FR;UNTIL=20240131T020000Z"
    )
    (found,) = read(text).series
    assert found.start == paris(2024, 1, 9, 2)
    assert found.recurrence.days_of_week == ("tuesday", "saturday")
    assert found.recurrence.start_date == date(2024, 1, 9)
    assert found.recurrence.end_date == date(2024, 1, 31)  # UNTIL 02:00Z is 03:00 on the 31st in Paris
    starts = list(iter_all_starts(found.recurrence, found.start, 100))
    # the last occurrence is still Monday 29th, 20:00 in New York
    assert starts[0] == found.start and starts[-1] == paris(2024, 1, 30, 2) and len(starts) == 7


def test_monthly_series_on_another_day_in_the_crm_zone_is_refused() -> None:
    text = calendar("DTSTART;TZID=America/New_York:20240108T200000\r\nRRULE:FREQ=MONTHLY;BYDAY=2MO")
    with pytest.raises(BadInput, match=r"another day in the CRM's time zone Europe/Paris"):
        read(text)


# --- alarms, cancellations, orphans ---------------------------------------------------------------


@pytest.mark.parametrize(
    "alarm, minutes",
    [
        ("TRIGGER:-PT1H30M", 90),
        ("TRIGGER:-P1D", 1440),
        ("TRIGGER;RELATED=END:-PT90M", 30),  # the event lasts an hour
        ("TRIGGER;VALUE=DATE-TIME:20240101T074500Z", 15),
        ("TRIGGER:PT5M", 0),  # after the start: Outlook reminds at the start at the latest
    ],
)
def test_alarm_trigger_forms(alarm: str, minutes: int) -> None:
    text = calendar(
        f"DTSTART:20240101T090000\r\nDTEND:20240101T100000\r\n"
        f"BEGIN:VALARM\r\nACTION:DISPLAY\r\n{alarm}\r\nEND:VALARM"
    )
    (action,) = read(text).actions
    assert (action.reminder_on, action.reminder_minutes) == (True, minutes)


def test_cancelled_exception_orphan_and_cancelled_single() -> None:
    text = calendar(
        "DTSTART:20240101T090000\r\nRRULE:FREQ=DAILY;COUNT=5",
        "DTSTART:20240103T090000\r\nRECURRENCE-ID:20240103T090000\r\nSTATUS:CANCELLED",
        "DTSTART:20240301T090000\r\nSUMMARY:orphan\r\nRECURRENCE-ID:20240301T090000",
        "DTSTART:20240401T090000\r\nSTATUS:CANCELLED",
    ).replace("UID:e1\r\n", "UID:e0\r\n")
    found = read(text)
    (daily,) = found.series
    assert daily.cancelled == frozenset({paris(2024, 1, 3, 9)})
    assert [a.title for a in found.actions] == ["orphan"] and found.actions[0].original_start is None
    assert found.orphan_exceptions == 1
    assert [s.kind for s in found.skipped] == [texts.imports.SKIP_CANCELLED_EVENT]


def test_all_day_series_with_date_exdate_round_trips() -> None:
    text = calendar(
        "SUMMARY:Inventaire\r\nDTSTART;VALUE=DATE:20240105\r\nRRULE:FREQ=MONTHLY;BYMONTHDAY=5;UNTIL=20241205\r\n"
        "EXDATE;VALUE=DATE:20240805"
    )
    found = read(text)
    (inventory,) = found.series
    assert (inventory.all_day, inventory.start, inventory.end) == (True, paris(2024, 1, 5), paris(2024, 1, 6))
    assert inventory.cancelled == frozenset({paris(2024, 8, 5)})
    assert inventory.recurrence.end_date == date(2024, 12, 5)
    again = read_calendar(write_calendar([], found.series, PARIS), "CARINE", PARIS, TYPES)
    assert again.series == found.series


def test_category_match_ignores_case_and_takes_the_first_known() -> None:
    text = calendar("DTSTART:20240101T090000\r\nCATEGORIES:Perso,réunion\r\nCATEGORIES:Appel")
    found = read(text)
    assert found.actions[0].action_type == "Réunion"
    assert found.unknown_category_events == 0


# --- malformed files ------------------------------------------------------------------------------

BAD_ICS = {
    "bad date": (
        calendar("SUMMARY:Kick-off\r\nDTSTART:20241301T090000"),
        "agenda.ics line 7 (event 'Kick-off'): DTSTART '20241301T090000' is not a valid date or date-time",
    ),
    "bad end": (
        calendar("DTSTART:20240101T090000\r\nDTEND:2024"),
        "agenda.ics line 7 (event 1): DTEND '2024' is not a valid date or date-time",
    ),
    "end before start": (
        calendar("SUMMARY:Back\r\nDTSTART:20240101T090000\r\nDTEND:20240101T080000"),
        "agenda.ics line 4 (event 'Back'): end: must be after the start",
    ),
    "no start": (calendar("SUMMARY:Nothing"), "agenda.ics line 4 (event 'Nothing'): no DTSTART"),
    "date end for a timed start": (
        calendar("DTSTART:20240101T090000\r\nDTEND;VALUE=DATE:20240102"),
        "agenda.ics line 7 (event 1): DTEND must be a date when DTSTART is a date",
    ),
    "bad rule part": (
        calendar("DTSTART:20240101T090000\r\nRRULE:FREQ=WEEKLY;BYDAY=XX"),
        "agenda.ics line 7 (event 1): RRULE 'FREQ=WEEKLY;BYDAY=XX' is not valid",
    ),
    "junk line": (
        calendar("DTSTART:20240101T090000\r\nthis is not a property"),
        "agenda.ics line 7: not an iCalendar line: 'this is not a property'",
    ),
    "reminder too early": (
        calendar("DTSTART:20240101T090000\r\nBEGIN:VALARM\r\nTRIGGER:-P30D\r\nEND:VALARM"),
        "agenda.ics line 4 (event 1): reminder_minutes: must be between 0 and 40320 (got 43200)",
    ),
    "not a calendar": ("BEGIN:VCARD\r\nFN:x\r\nEND:VCARD\r\n", "agenda.ics: not an iCalendar file"),
    "empty": ("", "agenda.ics: not an iCalendar file"),
}


@pytest.mark.parametrize("text, message", BAD_ICS.values(), ids=BAD_ICS.keys())
def test_malformed_ics_is_one_line_naming_the_line(text: str, message: str) -> None:
    with pytest.raises(BadInput) as refused:
        read(text)
    assert str(refused.value).startswith(message)
    assert "\n" not in str(refused.value)


# --- property: anything the CRM holds survives export and import ---------------------------------


def canonical(item: Action | Series, tz: ZoneInfo) -> Action | Series:
    """An item as an import gives it back: in the CRM's zone, text stripped, no reminder delay kept
    when the reminder is off (an .ics has no alarm then), exceptions in order."""
    changes: dict = {
        "title": item.title.strip() or texts.imports.UNTITLED_ACTION,
        "location": item.location.strip(),
        "note": item.note.strip(),
        "start": item.start.astimezone(tz),
        "end": item.end.astimezone(tz),
        "reminder_minutes": item.reminder_minutes if item.reminder_on else 15,
    }
    if isinstance(item, Series):
        changes["exceptions"] = tuple(
            canonical(e, tz) for e in sorted(item.exceptions, key=lambda e: e.original_start)
        )
    return replace(item, **changes)


@settings(max_examples=100, deadline=None)
@given(st.data())
def test_any_agenda_round_trips(data: st.DataObject) -> None:
    tz = data.draw(zones)
    singles = data.draw(st.lists(actions(tz), max_size=3))
    recurring = data.draw(st.lists(series(tz, deviations=True), max_size=2))
    text = write_calendar(singles, recurring, tz, now=datetime(2024, 1, 1, tzinfo=UTC))
    found = read_calendar(text, "CARINE", tz, TYPE_LABELS)
    assert list(found.actions) == [canonical(a, tz) for a in singles]
    assert list(found.series) == [canonical(s, tz) for s in recurring]


def test_backslashes_and_separators_in_text_survive_export_and_import() -> None:
    """A literal backslash-N (a Windows path, "C:\\New") is text, not a line break."""
    start = datetime(2024, 3, 4, 9, tzinfo=PARIS)
    odd = "C:\\New\\Notes; a, b\\N\nnext line \\,"
    end = start + timedelta(hours=1)
    action = Action("CARINE", "Dossier \\N", start, end, location="Salle\\N°2", note=odd)
    text = write_calendar([action], [], PARIS)
    (back,) = read(text.decode()).actions
    assert (back.title, back.location, back.note) == ("Dossier \\N", "Salle\\N°2", odd)


def test_minute_precision_is_kept_in_any_zone() -> None:
    start = datetime(2024, 3, 31, 1, 59, tzinfo=PARIS)  # just before the spring-forward gap
    action = Action(owner="CARINE", title="x", start=start, end=start + timedelta(hours=2))
    (back,) = read(write_calendar([action], [], PARIS).decode()).actions
    assert (back.start, back.end) == (action.start, action.end)


def test_a_start_outside_the_rule_moves_to_the_first_occurrence() -> None:
    text = calendar("DTSTART:20240101T090000\r\nDTEND:20240101T093000\r\nRRULE:FREQ=WEEKLY;BYDAY=WE,FR")
    (found,) = read(text).series
    assert (found.start, found.end) == (paris(2024, 1, 3, 9), paris(2024, 1, 3, 9, 30))
    assert found.recurrence.start_date == date(2024, 1, 3)


def test_a_day_no_month_has_is_refused() -> None:
    text = calendar("SUMMARY:Never\r\nDTSTART:20240101T090000\r\nRRULE:FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30")
    with pytest.raises(BadInput, match=r"^agenda.ics line 8 \(event 'Never'\): .*day 30 skips the months"):
        read(text)


# --- day 29–31 and 29 February: Outlook's meaning, kept exactly --------------------------------------


def series_on(day: date, recurrence: Recurrence) -> Series:
    start = datetime.combine(day, datetime.min.time().replace(hour=9), PARIS)
    return Series(
        owner="CARINE", title="Clôture", start=start, end=start + timedelta(hours=1), recurrence=recurrence
    )


@pytest.mark.parametrize(
    "first, recurrence, rule_text, rfc_starts_of_outlook",
    [
        (
            date(2024, 1, 31),
            Recurrence("absoluteMonthly", date(2024, 1, 31), day_of_month=31, range_type="numbered", count=4),
            "BYMONTHDAY=28,29,30,31;BYSETPOS=-1",
            [date(2024, 1, 31), date(2024, 2, 29), date(2024, 3, 31), date(2024, 4, 30)],
        ),
        (
            date(2024, 1, 30),
            Recurrence("absoluteMonthly", date(2024, 1, 30), day_of_month=30, range_type="numbered", count=3),
            "BYMONTHDAY=28,29,30;BYSETPOS=-1",
            [date(2024, 1, 30), date(2024, 2, 29), date(2024, 3, 30)],
        ),
        (
            date(2024, 2, 29),
            Recurrence(
                "absoluteYearly", date(2024, 2, 29), day_of_month=29, month=2, range_type="numbered", count=3
            ),
            "BYMONTH=2;BYMONTHDAY=28,29;BYSETPOS=-1",
            [date(2024, 2, 29), date(2025, 2, 28), date(2026, 2, 28)],
        ),
    ],
    ids=["monthly 31st", "monthly 30th", "yearly 29 february"],
)
def test_a_late_monthly_day_exports_as_day_or_last_day_and_reads_back(
    first: date, recurrence: Recurrence, rule_text: str, rfc_starts_of_outlook: list[date]
) -> None:
    """Outlook puts "day 31" on the month's last day in a shorter month: the exported rule says exactly
    that to any RFC 5545 reader (dateutil here), and imports back as the same series."""
    text = write_calendar([], [series_on(first, recurrence)], PARIS).decode()
    rrule_line = next(line for line in text.replace("\r\n ", "").splitlines() if line.startswith("RRULE:"))
    assert set(rule_text.split(";")) <= set(rrule_line[6:].split(";"))
    dtstart = datetime.combine(first, datetime.min.time().replace(hour=9), PARIS)
    assert [d.date() for d in rrulestr(rrule_line[6:], dtstart=dtstart)] == rfc_starts_of_outlook
    (back,) = read(text).series
    assert back.recurrence == recurrence
    assert back.start == dtstart


def test_last_day_forms_read_as_outlooks_meaning() -> None:
    text = calendar(
        "SUMMARY:Capped\r\nDTSTART:20240131T090000\r\nRRULE:FREQ=MONTHLY;BYMONTHDAY=28,29,30,31;BYSETPOS=-1",
        "SUMMARY:Last\r\nDTSTART:20240131T090000\r\nRRULE:FREQ=MONTHLY;BYMONTHDAY=-1",
    )
    capped, last = read(text).series
    assert (capped.recurrence.pattern, capped.recurrence.day_of_month) == ("absoluteMonthly", 31)
    assert (last.recurrence.pattern, last.recurrence.index) == ("relativeMonthly", "last")
    assert last.recurrence.days_of_week == (
        "monday",
        "tuesday",
        "wednesday",
        "thursday",
        "friday",
        "saturday",
        "sunday",
    )


def test_a_plain_day_31_is_reported_with_the_form_to_use() -> None:
    """RFC 5545 skips the months without a 31st (seven occurrences a year), Outlook would put one in
    every month: the rule is refused, not silently changed."""
    text = calendar("SUMMARY:Paie\r\nDTSTART:20240131T090000\r\nRRULE:FREQ=MONTHLY;BYMONTHDAY=31")
    with pytest.raises(BadInput) as refused:
        read(text)
    assert str(refused.value) == (
        "agenda.ics line 8 (event 'Paie'): RRULE FREQ=MONTHLY;BYMONTHDAY=31 cannot be expressed in Outlook "
        "(day 31 skips the months shorter than that in iCalendar, while Outlook moves those occurrences to "
        "the month's last day; write BYMONTHDAY=28,29,30,31;BYSETPOS=-1 for Outlook's meaning)"
    )


# --- edited occurrences, empty titles, large notes ------------------------------------------------


def test_an_edited_occurrence_without_categories_or_summary_keeps_its_series_ones() -> None:
    text = (
        calendar(
            "SUMMARY:Point\r\nCATEGORIES:Réunion\r\nDTSTART:20240101T090000\r\nRRULE:FREQ=DAILY;COUNT=5",
            "DTSTART:20240103T100000\r\nRECURRENCE-ID:20240103T090000",
            "SUMMARY:Point décalé\r\nDTSTART:20240104T100000\r\nRECURRENCE-ID:20240104T090000",
        )
        .replace("UID:e1\r\n", "UID:e0\r\n")
        .replace("UID:e2\r\n", "UID:e0\r\n")
    )
    (daily,) = read(text).series
    assert [(e.title, e.action_type) for e in daily.exceptions] == [
        ("Point", "Réunion"),
        ("Point décalé", "Réunion"),
    ]


def test_an_event_without_title_gets_a_visible_placeholder_counted() -> None:
    found = read(
        calendar(
            "DTSTART:20240101T090000",
            "SUMMARY:  \r\nDTSTART:20240102T090000",
            "SUMMARY:Ok\r\nDTSTART:20240103T090000",
        )
    )
    assert [a.title for a in found.actions] == [
        texts.imports.UNTITLED_ACTION,
        texts.imports.UNTITLED_ACTION,
        "Ok",
    ]
    assert found.untitled == 2


def test_a_note_over_4_mb_refuses_its_event() -> None:
    big = "x" * (4 * 1024 * 1024)
    with pytest.raises(BadInput, match=r"line 4 \(event 'Big'\): note: is 4.0 MB; Microsoft 365 takes one"):
        read(calendar(f"SUMMARY:Big\r\nDTSTART:20240101T090000\r\nDESCRIPTION:{big}"))


def test_a_long_folded_description_reads_in_linear_time() -> None:
    """Unfolding joined the pieces of a folded line one by one: time grew with the square of the line's
    length (3 MB: 10 to 22 s here, 10 MB in several events: 8 minutes). In one pass a 3.8 MB DESCRIPTION
    (about the largest note one Graph request takes) reads in about a second."""
    words = ("lorem ipsum dolor sit amet " * 150_000)[:3_800_000]
    folded = "DESCRIPTION:" + "\r\n ".join(words[i : i + 73] for i in range(0, len(words), 73))
    text = calendar(f"SUMMARY:Long\r\nDTSTART:20240101T090000\r\n{folded}")
    began = time.perf_counter()
    (action,) = read(text).actions
    assert action.note == words.strip()
    assert time.perf_counter() - began < 8
