"""Odd answers from Microsoft 365, each through a whole sync: answers cut short (not JSON), events with
fields missing or fields we do not know, HTML bodies with scripts and styles, 1 MB notes, emoji and
right-to-left text, items we cannot represent (an unknown time zone, a rule the CRM cannot hold), and
times around the changes to and from summer time and on a leap day.

Each one either travels faithfully or is reported in one line and left alone on both sides — never
half-copied, never deleted, never duplicated — and the sync after it writes nothing."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from tests.sync.conftest import UPN, World
from tui_sync import texts
from tui_sync.domain.models import Action, InvalidValue, Recurrence, Series
from tui_sync.domain.period import Period
from tui_sync.sync.events import AnswerAll

PARIS = ZoneInfo("Europe/Paris")
QUIET = {"created": 0, "updated": 0, "deleted": 0}


async def new_event(world: World, subject: str, day: str, **fields: Any) -> dict[str, Any]:
    cid = await world.calendar_id()
    body = {
        "subject": subject,
        "start": {"dateTime": f"{day}T09:00:00", "timeZone": "Europe/Paris"},
        "end": {"dateTime": f"{day}T10:00:00", "timeZone": "Europe/Paris"},
        **fields,
    }
    reply = await world.outlook.post(f"/me/calendars/{cid}/events", body)
    assert reply.status == 201, reply.body
    return reply.body


def stored(world: World, event_id: str) -> Any:
    """The fake's own record of an event (to give it fields Graph would not let a client write)."""
    return world.fake.state.get(UPN).events[event_id]  # type: ignore[union-attr]


async def quiet(world: World, **kw: Any) -> None:
    again = await world.sync(**kw)
    assert again.agenda.microsoft.__dict__ == QUIET and again.agenda.crm.__dict__ == QUIET, again


async def crm_titles(world: World, period: Period | None = None) -> Counter[str]:
    period = period or world.service.default_period(world.user)
    return Counter(a.title for a in await world.store.single_actions("CARINE", period))


async def test_answers_cut_short_end_the_run_clearly_and_corrupt_nothing(world: World) -> None:
    for n in range(6):
        when = datetime(2026, 12, 1 + n, 9, tzinfo=PARIS)
        await world.store.add_action(Action("CARINE", f"CRM {n}", when, when + timedelta(hours=1)))
    for n in range(4):
        await new_event(world, f"Outlook {n}", f"2026-12-{10 + n}")
    # the calendar lookup, the calendar view, the reads by id, the writes' answers: each cut short once
    for served_whole in (0, 1, 2, 3, 4):
        await world.faults(garble=1, garble_after=served_whole)
        summary = await world.sync()
        assert summary.errors == [texts.microsoft.graph_unreadable_answer(200)] or summary.errors == [], (
            summary
        )
        await world.faults(garble=0)
        for problem in ("No calendar", "deleted"):
            assert not any(problem in e for e in summary.errors)
        assert summary.agenda.crm.deleted == summary.agenda.microsoft.deleted == 0  # type: ignore[union-attr]
    summary = await world.sync()
    assert summary.errors == []
    titles = await crm_titles(world)
    subjects = Counter(e["subject"] for e in await world.outlook_events())
    assert titles == subjects and len(titles) == 10 and set(titles.values()) == {1}
    await quiet(world)


async def test_missing_and_unknown_fields_are_read_as_far_as_they_go(world: World) -> None:
    bare = await new_event(world, "Sans lieu", "2026-12-02", location={"displayName": "Lyon"})
    novel = await new_event(world, "Nouveau", "2026-12-03")
    stored(world, bare["id"]).fields.pop("location", None)  # Graph leaves empty properties out
    for name in ("categories", "sensitivity", "isReminderOn", "reminderMinutesBeforeStart", "showAs"):
        stored(world, bare["id"]).fields.pop(name, None)
    stored(world, novel["id"]).fields["futureProperty"] = {"nested": [1, {"x": None}], "@odata.type": "#x"}
    stored(world, novel["id"]).fields["@odata.etag"] = 'W/"unknown"'
    summary = await world.sync()
    assert summary.errors == []
    period = world.service.default_period(world.user)
    actions = {a.title: a for a in await world.store.single_actions("CARINE", period)}
    assert (actions["Sans lieu"].location, actions["Sans lieu"].note) == ("", "")
    assert set(actions) == {"Sans lieu", "Nouveau"}
    await quiet(world)


async def test_an_html_body_with_scripts_arrives_as_its_plain_text_and_is_not_written_back(
    world: World,
) -> None:
    html = (
        "<html><head><style>p { color: red }</style><script>alert('crm')</script></head>"
        "<body><p>Bonjour <b>Carine</b></p><script type='text/javascript'>document.cookie</script>"
        "<img src='x' onerror='alert(1)'><p>Stand&nbsp;B12 &amp; café</p></body></html>"
    )
    made = await new_event(world, "Salon", "2026-12-04", body={"contentType": "html", "content": html})
    assert (await world.sync()).errors == []
    [action] = await world.store.single_actions("CARINE", world.service.default_period(world.user))
    assert "Bonjour" in action.note and "Carine" in action.note and "café" in action.note
    for hidden in ("alert", "script", "cookie", "color", "onerror", "<"):
        assert hidden not in action.note, action.note
    await quiet(world)
    assert stored(world, made["id"]).body["contentType"] == "html"  # Outlook's body was left as it was


async def test_one_megabyte_notes_emoji_and_right_to_left_text_travel_both_ways(world: World) -> None:
    big = ("Compte rendu 🎉 — مرحبا بكم في الاجتماع, שלום עולם, ‏RTL‏ mark; " * 20_000)[: 1024 * 1024]
    title = "Réunion 👩‍💼🇫🇷 اجتماع שלום"
    when = datetime(2026, 12, 7, 9, tzinfo=PARIS)
    await world.store.add_action(Action("CARINE", title, when, when + timedelta(hours=1), note=big))
    await new_event(
        world, "Outlook ✨ تقرير", "2026-12-08", body={"contentType": "text", "content": big + " outlook"}
    )
    assert (await world.sync()).errors == []
    by_subject = {e["subject"]: e for e in await world.outlook_events()}
    assert by_subject[title]["body"]["content"] == big
    period = world.service.default_period(world.user)
    actions = {a.title: a for a in await world.store.single_actions("CARINE", period)}
    assert actions["Outlook ✨ تقرير"].note == big + " outlook"
    await quiet(world)


async def test_items_we_cannot_represent_are_reported_and_left_alone_sync_after_sync(world: World) -> None:
    """A series in a zone no table knows and a daily rule every 1000 days (the CRM holds 1–999): each
    sync names them, none copies, edits or deletes them — not with --yes, not after CRM edits."""
    rule = {
        "pattern": {"type": "daily", "interval": 2},
        "range": {"type": "noEnd", "startDate": "2026-12-10"},
    }
    zoned = await new_event(world, "Fuseau inconnu", "2026-12-10", recurrence=rule)
    async with world.admin.post(
        world.fake.admin_url + "/events/custom-zone",
        json={"upn": UPN, "event_id": zoned["id"], "name": "Olympus Mons Standard Time"},
    ) as response:
        assert response.status == 200
    wide = await new_event(world, "Tous les 1000 jours", "2026-12-11", recurrence=rule)
    stored(world, wide["id"]).recurrence["pattern"]["interval"] = 1000  # past what a client may write
    when = datetime(2026, 12, 14, 9, tzinfo=PARIS)
    mine = await world.store.add_action(Action("CARINE", "Mine", when, when + timedelta(hours=1)))
    before = {e["id"]: e["changeKey"] for e in await world.outlook_events()}
    for yes in (False, True, True):
        summary = await world.sync(confirmer=AnswerAll(yes=yes))
        assert len(summary.errors) == 2 and all("cannot be read" in e for e in summary.errors), summary.errors
        assert await world.store.series_of("CARINE") == []
        await world.store.update_action(mine.with_changes(title=f"Mine {yes}"))
    after = {e["id"]: e["changeKey"] for e in await world.outlook_events() if e["id"] in before}
    assert after[zoned["id"]] == before[zoned["id"]] and after[wide["id"]] == before[wide["id"]]
    assert len(await world.outlook_events()) == 3


async def test_summer_time_changes_and_a_leap_day_keep_their_instants(world: World) -> None:
    """Paris leaves summer time on 31 Oct 2027 (02:00–03:00 happens twice) and enters it on 26 Mar
    2028 (02:00–03:00 never happens); 29 Feb 2028 is a leap day. Each action keeps its instant, each
    all-day action its dates, a daily series its wall-clock time across the change."""
    period = Period.from_dates(date(2027, 10, 1), date(2028, 4, 30), PARIS)
    first = datetime(2027, 10, 31, 2, 30, tzinfo=PARIS)  # the first 02:30 (summer time)
    second = first.replace(fold=1)  # the second 02:30 (winter time), an hour later

    def later(when: datetime, minutes: int) -> datetime:  # in real time (a wall-clock sum loses `fold`)
        return (when.astimezone(UTC) + timedelta(minutes=minutes)).astimezone(PARIS)

    with pytest.raises(InvalidValue):  # 02:50 of the first pass is before 02:30 of the second
        Action("CARINE", "À l'envers", second, first + timedelta(minutes=20))
    items = [
        Action("CARINE", "Avant le changement", first, later(first, 20)),
        Action("CARINE", "Après le changement", second, later(second, 20)),
        Action(
            "CARINE",
            "Nuit du passage",
            datetime(2028, 3, 26, 1, 30, tzinfo=PARIS),
            datetime(2028, 3, 26, 3, 30, tzinfo=PARIS),  # one hour long
        ),
        Action(
            "CARINE",
            "29 février",
            datetime(2028, 2, 29, tzinfo=PARIS),
            datetime(2028, 3, 1, tzinfo=PARIS),
            all_day=True,
        ),
    ]
    saved = [await world.store.add_action(a) for a in items]
    start = datetime(2028, 3, 24, 9, tzinfo=PARIS)
    rule = Recurrence("daily", date(2028, 3, 24), range_type="numbered", count=5)
    await world.store.add_series(Series("CARINE", "Point", start, start + timedelta(minutes=15), rule))
    await new_event(
        world,
        "Outlook 29/02",
        "2028-02-29",
        start={"dateTime": "2028-02-29T23:30:00", "timeZone": "Europe/Paris"},
        end={"dateTime": "2028-03-01T00:30:00", "timeZone": "Europe/Paris"},
    )
    assert (await world.sync(period=period)).errors == []

    events = {e["subject"]: e for e in await world.outlook_events()}

    def utc(value: dict[str, str]) -> datetime:
        """Graph's dateTimeTimeZone as a UTC instant (ambiguous local times never compare equal
        across zones, PEP 495: compare in UTC)."""
        local = datetime.fromisoformat(value["dateTime"][:19]).replace(tzinfo=ZoneInfo(value["timeZone"]))
        return local.astimezone(UTC)

    for action in saved[:3]:
        event = events[action.title]
        assert utc(event["start"]) == action.start.astimezone(UTC), action.title
        assert utc(event["end"]) == action.end.astimezone(UTC), action.title
    assert utc(events["Après le changement"]["start"]) - utc(events["Avant le changement"]["start"]) == (
        timedelta(hours=1)
    )
    leap = events["29 février"]
    assert leap["isAllDay"] and leap["start"]["dateTime"].startswith("2028-02-29")
    master = events["Point"]
    reply = await world.outlook.get(
        f"/me/events/{master['id']}/instances",
        params={"startDateTime": "2028-03-20T00:00:00Z", "endDateTime": "2028-04-01T00:00:00Z"},
    )
    local = sorted(utc(e["start"]).astimezone(PARIS) for e in reply.body["value"])
    assert [t.hour for t in local] == [9] * 5  # 09:00 in Paris before and after the change
    assert [t.astimezone(UTC).hour for t in local] == [8, 8, 7, 7, 7]  # summer time from the 26th
    actions = {a.title: a for a in await world.store.single_actions("CARINE", period)}
    copied = actions["Outlook 29/02"]
    assert copied.start.astimezone(UTC) == datetime(2028, 2, 29, 22, 30, tzinfo=UTC)
    assert copied.end.astimezone(UTC) - copied.start.astimezone(UTC) == timedelta(hours=1)
    await quiet(world, period=period)
