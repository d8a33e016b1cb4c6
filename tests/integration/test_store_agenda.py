"""Action types, actions and series (exceptions, cancellations) in the store."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from tui_sync import texts
from tui_sync.domain.models import Action, ActionType, InvalidValue, Recurrence, Series, User
from tui_sync.domain.period import Period
from tui_sync.domain.recurrence import expand, iter_all_starts
from tui_sync.domain.refusals import SeriesOccurrence
from tui_sync.errors import AlreadyExists, NotFound, UnknownUser
from tui_sync.store import Store


@pytest.fixture
async def agenda(tmp_path: Path, tz: ZoneInfo, clock):  # type: ignore[no-untyped-def]
    store = await Store.open(tmp_path / "crm.sqlite3", tz, now=clock)
    await store.add_user(User("CARINE", "Carine"))
    yield store
    await store.close()


def at(tz: ZoneInfo, day: int, hour: int, month: int = 3) -> datetime:
    return datetime(2024, month, day, hour, tzinfo=tz)


def weekly(tz: ZoneInfo, **changes: object) -> Series:
    return Series(
        owner="CARINE",
        title="Stand-up",
        start=at(tz, 4, 9),
        end=at(tz, 4, 10),
        recurrence=Recurrence("weekly", date(2024, 3, 4), days_of_week=("monday", "thursday")),
        location="Salle 2",
        reminder_on=True,
        reminder_minutes=10,
        action_type="Réunion",
        note="ordre du jour",
    ).with_changes(**changes)


async def test_action_types_add_rename_recolour(agenda: Store, tz: ZoneInfo) -> None:
    added = await agenda.add_action_type(ActionType("Visite", "#112233"))
    assert added.id is not None and (await agenda.list_action_types())[-1] == added
    with pytest.raises(AlreadyExists):
        await agenda.add_action_type(ActionType("Appel", "#000000"))
    action = await agenda.add_action(
        Action("CARINE", "Client", at(tz, 5, 9), at(tz, 5, 10), action_type="Visite")
    )
    series = await agenda.add_series(weekly(tz, action_type="Visite"))
    await agenda.update_action_type(ActionType("Visite client", "#445566", added.id))
    assert (await agenda.get_action(action.id)).action_type == "Visite client"
    assert (await agenda.get_series(series.id)).action_type == "Visite client"
    with pytest.raises(AlreadyExists):
        await agenda.update_action_type(ActionType("Appel", "#445566", added.id))
    with pytest.raises(NotFound):
        await agenda.update_action_type(ActionType("Ghost", "#445566", 999))


async def test_an_action_round_trips_with_every_field(agenda: Store, tz: ZoneInfo, clock) -> None:
    wanted = Action(
        owner="carine",
        title="Déjeuner",
        start=at(tz, 5, 12),
        end=at(tz, 5, 14),
        location="Lyon",
        private=True,
        reminder_on=True,
        reminder_minutes=40320,
        action_type="Rendez-vous",
        note="ligne 1\nligne 2",
    )
    added = await agenda.add_action(wanted)
    assert added.id is not None
    assert added.created_at == added.updated_at == clock.now
    assert added == wanted.with_changes(
        owner="CARINE", id=added.id, created_at=clock.now, updated_at=clock.now
    )
    assert added.start.tzinfo == tz
    assert await agenda.get_action(added.id) == added


async def test_update_bumps_updated_at_and_delete_is_idempotent(agenda: Store, tz: ZoneInfo, clock) -> None:
    added = await agenda.add_action(
        Action("CARINE", "Appel", at(tz, 5, 9), at(tz, 5, 9), action_type="Appel")
    )
    clock.now += timedelta(minutes=5)
    updated = await agenda.update_action(added.with_changes(title="Appel client", all_day=False))
    assert updated.title == "Appel client"
    assert (updated.created_at, updated.updated_at) == (added.created_at, clock.now)
    assert await agenda.delete_action(added.id)  # type: ignore[arg-type]
    assert not await agenda.delete_action(added.id)  # type: ignore[arg-type]
    with pytest.raises(NotFound, match=f"no action with id {added.id}"):
        await agenda.get_action(added.id)
    with pytest.raises(NotFound):
        await agenda.update_action(added)


async def test_bad_references_are_refused_clearly(agenda: Store, tz: ZoneInfo) -> None:
    with pytest.raises(UnknownUser):
        await agenda.add_action(Action("NOBODY", "x", at(tz, 5, 9), at(tz, 5, 10)))
    with pytest.raises(InvalidValue) as refused:
        await agenda.add_action(Action("CARINE", "x", at(tz, 5, 9), at(tz, 5, 10), action_type="Sieste"))
    assert "no action type 'Sieste'" in texts.domain.refusal(refused.value)
    with pytest.raises(InvalidValue) as refused:
        await agenda.add_action(
            Action("CARINE", "x", at(tz, 5, 9), at(tz, 5, 10), series_id=1, original_start=at(tz, 5, 9))
        )
    assert refused.value.reason == SeriesOccurrence()  # occurrences are written with set_exception
    assert (
        await agenda.single_actions("CARINE", Period.from_dates(date(2024, 1, 1), date(2024, 12, 31), tz))
        == []
    )


async def test_single_actions_are_those_overlapping_the_period(agenda: Store, tz: ZoneInfo) -> None:
    period = Period.from_dates(date(2024, 3, 10), date(2024, 3, 20), tz)  # [10th 00:00, 21st 00:00)

    async def add(title: str, start: datetime, end: datetime, owner: str = "CARINE") -> None:
        await agenda.add_action(Action(owner, title, start, end))

    await add("before", at(tz, 9, 10), at(tz, 9, 11))
    await add("ends at the start", at(tz, 9, 23), at(tz, 10, 0))
    await add("overlaps the start", at(tz, 9, 23), at(tz, 10, 1))
    await add("inside", at(tz, 15, 9), at(tz, 15, 10))
    await add("zero length at start", at(tz, 10, 0), at(tz, 10, 0))
    await add("overlaps the end", at(tz, 20, 23), at(tz, 21, 1))
    await add("starts at the end", at(tz, 21, 0), at(tz, 21, 1))
    await add("spans it", at(tz, 1, 0), at(tz, 31, 0))
    await add("someone else's", at(tz, 15, 9), at(tz, 15, 10), owner="ADM")
    await agenda.add_series(weekly(tz))  # occurrences are not single actions
    found = [a.title for a in await agenda.single_actions("carine", period)]
    assert found == ["spans it", "overlaps the start", "zero length at start", "inside", "overlaps the end"]
    for action in await agenda.single_actions("CARINE", period):
        assert period.overlaps(action.start, action.end)


async def test_a_series_round_trips_with_exceptions_and_cancellations(agenda: Store, tz: ZoneInfo) -> None:
    moved = Action(
        "CARINE",
        "Stand-up (déplacé)",
        at(tz, 7, 11),
        at(tz, 7, 12),
        series_id=0,
        original_start=at(tz, 7, 9),
        action_type="Réunion",
    )
    wanted = weekly(tz, exceptions=(moved,), cancelled=frozenset({at(tz, 11, 9)}))
    added = await agenda.add_series(wanted)
    assert added.id is not None
    assert added.recurrence == wanted.recurrence
    assert (added.title, added.location, added.note, added.reminder_minutes) == (
        "Stand-up",
        "Salle 2",
        "ordre du jour",
        10,
    )
    assert added.cancelled == {at(tz, 11, 9)}
    [exception] = added.exceptions
    assert (exception.series_id, exception.original_start, exception.start) == (
        added.id,
        at(tz, 7, 9),
        at(tz, 7, 11),
    )
    assert await agenda.get_series(added.id) == added
    assert await agenda.series_of("carine") == [added]
    assert await agenda.series_of("ADM") == []
    starts = [a.start for a in expand(added, Period.from_dates(date(2024, 3, 4), date(2024, 3, 14), tz))]
    assert starts == [at(tz, 4, 9), at(tz, 7, 11), at(tz, 14, 9)]


@pytest.mark.parametrize(
    "recurrence",
    [
        Recurrence("daily", date(2024, 3, 4), interval=3, range_type="numbered", count=10),
        Recurrence(
            "absoluteMonthly",
            date(2024, 3, 4),
            day_of_month=4,
            range_type="endDate",
            end_date=date(2025, 1, 1),
        ),
        Recurrence("relativeMonthly", date(2024, 3, 4), days_of_week=("tuesday",), index="second"),
        Recurrence("absoluteYearly", date(2024, 3, 4), day_of_month=4, month=3, interval=2),
        Recurrence("relativeYearly", date(2024, 3, 4), days_of_week=("monday",), index="last", month=3),
        Recurrence("weekly", date(2024, 3, 4), days_of_week=("monday", "friday"), first_day_of_week="monday"),
    ],
)
async def test_every_recurrence_shape_round_trips(
    agenda: Store, tz: ZoneInfo, recurrence: Recurrence
) -> None:
    """Each rule comes back as given, its range starting on the first occurrence (where Outlook starts a
    series: the second Tuesday and the last Monday of March 2024 are not 4 March)."""
    added = await agenda.add_series(weekly(tz, recurrence=recurrence))
    stored = await agenda.get_series(added.id)
    assert stored.recurrence == replace(recurrence, start_date=stored.start.date())
    assert stored.start == next(iter_all_starts(recurrence, at(tz, 4, 9), 1))


async def test_update_series_changes_template_and_rule_but_not_deviations(
    agenda: Store, tz: ZoneInfo, clock
) -> None:
    added = await agenda.add_series(weekly(tz, cancelled=frozenset({at(tz, 11, 9)})))
    clock.now += timedelta(hours=1)
    rule = Recurrence("daily", date(2024, 3, 4), range_type="numbered", count=5)
    updated = await agenda.update_series(added.with_changes(title="Daily", recurrence=rule, private=True))
    assert (updated.title, updated.recurrence, updated.private) == ("Daily", rule, True)
    assert updated.cancelled == added.cancelled
    assert (updated.created_at, updated.updated_at) == (added.created_at, clock.now)
    with pytest.raises(NotFound):
        await agenda.update_series(added.with_changes(id=999))


async def test_set_exception_inserts_then_replaces_at_the_original_start(agenda: Store, tz: ZoneInfo) -> None:
    series = await agenda.add_series(weekly(tz))
    first = await agenda.set_exception(
        series.id,
        Action("ADM", "Moved", at(tz, 7, 14), at(tz, 7, 15), original_start=at(tz, 7, 9), series_id=0),
    )
    assert (first.owner, first.series_id) == ("CARINE", series.id)  # the series' owner and id win
    again = await agenda.set_exception(series.id, first.with_changes(title="Moved again"))
    assert again.id == first.id and again.title == "Moved again"
    assert [e.title for e in (await agenda.get_series(series.id)).exceptions] == ["Moved again"]
    with pytest.raises(InvalidValue, match="original_start"):
        await agenda.set_exception(series.id, Action("CARINE", "x", at(tz, 7, 9), at(tz, 7, 10)))
    with pytest.raises(NotFound):
        await agenda.set_exception(999, first)


async def test_remove_exception_brings_the_plain_occurrence_back(agenda: Store, tz: ZoneInfo) -> None:
    series = await agenda.add_series(weekly(tz))
    await agenda.set_exception(series.id, _moved(tz))
    assert await agenda.remove_exception(series.id, at(tz, 7, 9))
    assert not await agenda.remove_exception(series.id, at(tz, 7, 9))
    assert (await agenda.get_series(series.id)).exceptions == ()


def _moved(tz: ZoneInfo) -> Action:
    return Action("CARINE", "Moved", at(tz, 7, 14), at(tz, 7, 15), original_start=at(tz, 7, 9), series_id=0)


async def test_cancel_drops_the_exception_and_restore_brings_the_occurrence_back(
    agenda: Store, tz: ZoneInfo, clock
) -> None:
    series = await agenda.add_series(weekly(tz))
    await agenda.set_exception(series.id, _moved(tz))
    clock.now += timedelta(minutes=1)
    await agenda.cancel_occurrence(series.id, at(tz, 7, 9))
    await agenda.cancel_occurrence(series.id, at(tz, 7, 9))  # twice is once
    cancelled = await agenda.get_series(series.id)
    assert cancelled.cancelled == {at(tz, 7, 9)} and cancelled.exceptions == ()
    assert cancelled.updated_at == clock.now
    await agenda.restore_occurrence(series.id, at(tz, 7, 9).astimezone(UTC))  # any zone: same instant
    assert (await agenda.get_series(series.id)).cancelled == frozenset()
    await agenda.cancel_occurrence(series.id, at(tz, 14, 9))
    await agenda.set_exception(series.id, _moved(tz).with_changes(original_start=at(tz, 14, 9)))
    assert (await agenda.get_series(series.id)).cancelled == frozenset()  # an exception un-cancels
    with pytest.raises(NotFound):
        await agenda.cancel_occurrence(999, at(tz, 7, 9))


async def test_deleting_a_series_deletes_its_exceptions_and_cancellations(
    agenda: Store, tz: ZoneInfo
) -> None:
    series = await agenda.add_series(
        weekly(tz, exceptions=(_moved(tz),), cancelled=frozenset({at(tz, 11, 9)}))
    )
    exception_id = series.exceptions[0].id
    assert await agenda.delete_series(series.id)  # type: ignore[arg-type]
    assert not await agenda.delete_series(series.id)  # type: ignore[arg-type]
    with pytest.raises(NotFound):
        await agenda.get_action(exception_id)
    with pytest.raises(NotFound, match="no series"):
        await agenda.get_series(series.id)
    assert await agenda.series_of("CARINE") == []


async def test_dst_wall_clock_times_survive_storage(agenda: Store, tz: ZoneInfo) -> None:
    """Paris switches to summer time on 31 March 2024: a 09:00 action stays 09:00 on both sides."""
    winter = await agenda.add_action(Action("CARINE", "w", at(tz, 29, 9), at(tz, 29, 10)))
    summer = await agenda.add_action(Action("CARINE", "s", at(tz, 2, 9, month=4), at(tz, 2, 10, month=4)))
    assert (await agenda.get_action(winter.id)).start.hour == 9
    assert (await agenda.get_action(summer.id)).start.hour == 9
    assert summer.start.utcoffset() == timedelta(hours=2)
