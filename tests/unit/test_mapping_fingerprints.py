"""Content fingerprints: equal for a CRM item and its Microsoft copy, different when synced content is."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.strategies import TYPE_LABELS, actions, graph_echo, series, zones
from tui_sync.domain.models import Action, DatabaseIdentity, Recurrence, Series
from tui_sync.domain.remote import Reading
from tui_sync.microsoft.calendar import read_event
from tui_sync.microsoft.mapping import action_to_event, event_to_action, series_to_event
from tui_sync.sync.fingerprints import action_fingerprint, note_fingerprint, series_fingerprint

PARIS = ZoneInfo("Europe/Paris")
MEETING = Action(
    owner="CARINE",
    title="Revue",
    start=datetime(2026, 3, 16, 9, 30, tzinfo=PARIS),
    end=datetime(2026, 3, 16, 11, tzinfo=PARIS),
    location="Salle 2",
    reminder_on=True,
    reminder_minutes=30,
    action_type="Réunion",
    note="Chiffres\nContrat",
)
WEEKLY = Series(
    owner="CARINE",
    title="Point hebdo",
    start=datetime(2026, 3, 16, 9, tzinfo=PARIS),
    end=datetime(2026, 3, 16, 9, 30, tzinfo=PARIS),
    recurrence=Recurrence("weekly", date(2026, 3, 16), days_of_week=("monday",)),
)


@given(st.data())
def test_an_action_and_its_microsoft_copy_have_the_same_fingerprint(data: st.DataObject) -> None:
    tz = data.draw(zones)
    action = data.draw(actions(tz))
    copy = event_to_action(graph_echo(action_to_event(action, tz)), tz, TYPE_LABELS, action.owner)
    assert action_fingerprint(copy, tz) == action_fingerprint(action, tz)
    read = read_event(
        graph_echo(action_to_event(action, tz)), Reading(tz, TYPE_LABELS, "X", DatabaseIdentity(""))
    )
    assert action_fingerprint(read.action, tz) == action_fingerprint(action, tz)


@given(st.data())
def test_a_series_and_its_microsoft_master_have_the_same_fingerprint(data: st.DataObject) -> None:
    tz = data.draw(zones)
    made = data.draw(series(tz, deviations=True))
    master = graph_echo(series_to_event(made, tz))
    read = read_event(master, Reading(tz, TYPE_LABELS, "X", DatabaseIdentity("")))
    assert series_fingerprint(read.series, tz) == series_fingerprint(made, tz)


def test_the_fingerprints_are_pinned() -> None:
    # They are stored in the link table: computing them differently makes every linked item look edited
    # at the next sync. Change these values only together with a migration that recomputes the links.
    assert action_fingerprint(MEETING) == "ff7931b630b54f69343d14b5f1dfea68341948e3af8dde8d51377db159fff531"
    assert series_fingerprint(WEEKLY) == "d6345822807291784e04fd8488e7002a33709fda31a49a9fadb23530f239de6d"
    assert note_fingerprint("a") == "9d1a682abbd760f074d815877df347f52c72e23f6d05432711c8c02f4a7459cb"


@pytest.mark.parametrize(
    "change",
    [
        {"title": "Revue annuelle"},
        {"location": "Salle 3"},
        {"start": datetime(2026, 3, 16, 9, 45, tzinfo=PARIS)},
        {"end": datetime(2026, 3, 16, 11, 15, tzinfo=PARIS)},
        {"private": True},
        {"reminder_on": False},
        {"reminder_minutes": 10},
        {"action_type": "Appel"},
        {"note": "Chiffres\nContrat signé"},
        {
            "all_day": True,
            "start": datetime(2026, 3, 16, tzinfo=PARIS),
            "end": datetime(2026, 3, 17, tzinfo=PARIS),
        },
    ],
)
def test_each_synced_field_changes_the_fingerprint(change: dict[str, object]) -> None:
    assert action_fingerprint(MEETING.with_changes(**change)) != action_fingerprint(MEETING)


@pytest.mark.parametrize(
    "change",
    [
        {"id": 7, "owner": "PAUL", "created_at": datetime(2026, 1, 1, tzinfo=UTC)},
        {"updated_at": datetime(2026, 3, 1, tzinfo=UTC)},
        {"start": MEETING.start.astimezone(UTC), "end": MEETING.end.astimezone(ZoneInfo("Asia/Tokyo"))},
        {"start": MEETING.start + timedelta(seconds=0.4)},
        {"note": "Chiffres  \r\nContrat\r\n\r\n"},
        {"title": " Revue ", "location": "Salle 2 "},
        {"series_id": 3, "original_start": MEETING.start},
    ],
)
def test_what_is_not_synced_content_leaves_the_fingerprint_alone(change: dict[str, object]) -> None:
    assert action_fingerprint(MEETING.with_changes(**change)) == action_fingerprint(MEETING)


def test_a_disabled_reminders_delay_is_not_content() -> None:
    off = MEETING.with_changes(reminder_on=False)
    assert action_fingerprint(off.with_changes(reminder_minutes=15)) == action_fingerprint(off)


def test_all_day_dates_are_compared_in_the_crm_zone_when_given() -> None:
    in_paris = Action(
        owner="X",
        title="Salon",
        start=datetime(2026, 10, 24, tzinfo=PARIS),
        end=datetime(2026, 10, 25, tzinfo=PARIS),
        all_day=True,
    )
    in_utc = in_paris.with_changes(start=in_paris.start.astimezone(UTC), end=in_paris.end.astimezone(UTC))
    assert (
        action_fingerprint(in_utc, PARIS)
        == action_fingerprint(in_paris, PARIS)
        == action_fingerprint(in_paris)
    )


def test_a_series_fingerprint_ignores_its_deviations_but_not_its_rule() -> None:
    moved = Action(
        owner="CARINE",
        title="Point hebdo",
        start=datetime(2026, 3, 24, 9, tzinfo=PARIS),
        end=datetime(2026, 3, 24, 9, 30, tzinfo=PARIS),
        series_id=1,
        original_start=datetime(2026, 3, 23, 9, tzinfo=PARIS),
    )
    deviating = WEEKLY.with_changes(
        exceptions=(moved,), cancelled=frozenset({datetime(2026, 3, 30, 9, tzinfo=PARIS)})
    )
    assert series_fingerprint(deviating) == series_fingerprint(WEEKLY)
    fortnightly = WEEKLY.with_changes(
        recurrence=Recurrence("weekly", date(2026, 3, 16), interval=2, days_of_week=("monday",))
    )
    assert series_fingerprint(fortnightly) != series_fingerprint(WEEKLY)
    assert series_fingerprint(WEEKLY.with_changes(title="Point")) != series_fingerprint(WEEKLY)


@pytest.mark.parametrize(
    ("one", "other"),
    [
        (  # fields the pattern does not use
            Recurrence("daily", date(2026, 3, 16), day_of_month=4, first_day_of_week="monday"),
            Recurrence("daily", date(2026, 3, 16)),
        ),
        (  # days in any order
            Recurrence("weekly", date(2026, 3, 16), days_of_week=("friday", "monday")),
            Recurrence("weekly", date(2026, 3, 16), days_of_week=("monday", "friday")),
        ),
        (  # the first day of the week only matters every other week or more
            Recurrence("weekly", date(2026, 3, 16), days_of_week=("monday",), first_day_of_week="monday"),
            Recurrence("weekly", date(2026, 3, 16), days_of_week=("monday",)),
        ),
        (  # an end date left over from an earlier "end by date"
            Recurrence("absoluteMonthly", date(2026, 3, 16), day_of_month=16, end_date=date(2026, 9, 1)),
            Recurrence("absoluteMonthly", date(2026, 3, 16), day_of_month=16),
        ),
    ],
)
def test_rules_with_the_same_occurrences_have_the_same_fingerprint(
    one: Recurrence, other: Recurrence
) -> None:
    assert series_fingerprint(WEEKLY.with_changes(recurrence=one)) == series_fingerprint(
        WEEKLY.with_changes(recurrence=other)
    )


def test_a_first_day_of_week_that_changes_the_occurrences_is_content() -> None:
    def every_other_week(first_day: str) -> Series:
        rule = Recurrence(
            "weekly", date(2026, 3, 16), interval=2, days_of_week=("monday",), first_day_of_week=first_day
        )
        return WEEKLY.with_changes(recurrence=rule)

    assert series_fingerprint(every_other_week("sunday")) != series_fingerprint(every_other_week("monday"))


def test_note_fingerprints_ignore_line_endings_and_trailing_blanks() -> None:
    assert note_fingerprint("a\r\nb  \r\n\r\n") == note_fingerprint("a\nb")
    assert note_fingerprint("   ") == note_fingerprint("")
    assert note_fingerprint("a\n\nb") != note_fingerprint("a\nb")
