"""The Outlook calendar operations the agenda sync needs, on top of the Graph client: Outlook's side of
the engine's `Calendar` port (`tui_sync.sync.ports`).

Reads ask for exactly the properties the mapping uses (and the CRM-id stamp) and hand the engine typed
items (`RemoteEvent`), never Graph JSON; the event's JSON travels inside as its opaque `raw`, which only
the writes built here read. Writes go out in `$batch` requests, each batch's results handed back, by the
position of their write, as soon as that batch is answered (each answer read into a `RemoteEvent` too):
the engine records them per batch.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import partial
from typing import Any

from tui_sync.domain.models import Action, Series
from tui_sync.domain.period import Period
from tui_sync.domain.remote import (
    EventKind,
    EventResult,
    EventsRecorded,
    Reading,
    RemoteEvent,
    ResultOf,
    Write,
)
from tui_sync.errors import UserError
from tui_sync.microsoft import mapping
from tui_sync.microsoft.errors import CalendarNotFound
from tui_sync.microsoft.graph import GraphClient, Request, Response
from tui_sync.microsoft.mapping import STAMP_EXPAND
from tui_sync.microsoft.timezones import read_datetime

EVENT_FIELDS = (
    "id,type,seriesMasterId,originalStart,subject,location,start,end,isAllDay,sensitivity,isReminderOn,"
    "reminderMinutesBeforeStart,categories,body,recurrence,isCancelled,changeKey,lastModifiedDateTime"
)
PAGE_SIZE = 1000  # calendarView's largest $top: ≤ 2 pages at our 1600-item limit

Event = dict[str, Any]  # an event as Graph gives it

_KINDS: Mapping[object, EventKind] = {
    "singleInstance": "single",
    "occurrence": "occurrence",
    "exception": "exception",
    "seriesMaster": "master",
}


def _iso(moment: Any) -> str:
    return moment.isoformat()


def read_event(event: Event, reading: Reading) -> RemoteEvent:
    """The engine's view of a Graph event: its identity, place in a series and stamp now, its CRM form
    (`event_to_action` / `event_to_series`) when first asked for."""
    tz = reading.tz
    try:
        start = read_datetime(event["start"], tz) if event.get("start") else None
    except (KeyError, TypeError, ValueError, UserError):
        start = None  # the CRM form says why, when asked for
    return RemoteEvent(
        id=str(event["id"]),
        change_key=str(event.get("changeKey") or ""),
        kind=_KINDS.get(event.get("type"), "other"),
        series_master_id=str(event.get("seriesMasterId") or ""),
        original_start=mapping.original_start(event, tz),
        start=start,
        cancelled=event.get("isCancelled") is True,
        last_modified=mapping.last_modified(event),
        stamp=mapping.read_stamp(event, reading.owner),
        stamped_by_another=mapping.stamped_by_another(event, reading.owner),
        raw=event,
        read_action=partial(mapping.event_to_action, event, tz, reading.labels, reading.user),
        read_series=partial(mapping.event_to_series, event, tz, reading.labels, reading.user),
    )


def _json(item: RemoteEvent) -> Event:
    """The Graph JSON an item was read from (see `read_event`)."""
    assert isinstance(item.raw, dict), "an event read by another calendar"
    return item.raw


async def find_calendar(graph: GraphClient, name: str) -> Event | None:
    """The mailbox calendar called `name` (see `pick_calendar`). One request (a mailbox has few
    calendars)."""
    return pick_calendar(await graph.get_all("/me/calendars", {"$select": "id,name"}), name)


def pick_calendar(calendars: list[Event], name: str) -> Event | None:
    """The calendar called `name`, the one rule Test and the sync share: the exact name first, else the
    one calendar whose name differs only by case (Outlook matches names case-blind); None when there is
    none, or several that differ only by case."""
    exact = [c for c in calendars if c.get("name") == name]
    if exact:
        return exact[0]
    folded = [c for c in calendars if str(c.get("name") or "").casefold() == name.casefold()]
    return folded[0] if len(folded) == 1 else None


def result_of(response: Response, item: Any = None) -> ResultOf[Any]:
    """A Graph answer as a write's result (`item`: the written item, read for the engine)."""
    failure = response.error()
    return ResultOf(response.status, response.json(), str(failure) if failure else "", item)


class EventWrites:
    """The writes of Outlook events, built from typed items: what `OutlookCalendar` sends, and what
    anything else speaking Graph for the agenda engine (the tests' in-process calendar) builds."""

    def update_event(self, item: Action | Series, current: RemoteEvent, reading: Reading) -> Write:
        """PATCH Outlook's `current` event (a single event, a master, or an occurrence to turn into an
        exception) with what differs from `item`, no more: what only Outlook holds stays."""
        body = mapping.event_update(item, _json(current), reading.tz, reading.labels)
        return Write("PATCH", f"/me/events/{current.id}", body)

    def create_event(
        self,
        calendar_id: str,
        item: Action | Series,
        stamp_key: str,
        reading: Reading,
        generation: int | str = 0,
    ) -> Write:
        """POST `item` (an action or a series master) stamped with `stamp_key`, with the transactionId
        that makes a retried POST create nothing twice; `generation` tells a re-creation from a retry."""
        if isinstance(item, Series):
            body = mapping.series_to_event(item, reading.tz)
        else:
            body = mapping.action_to_event(item, reading.tz)
        body["singleValueExtendedProperties"] = mapping.stamp(stamp_key, reading.owner)
        body["transactionId"] = mapping.transaction_id(reading.user, stamp_key, reading.owner, generation)
        return Write("POST", f"/me/calendars/{calendar_id}/events", body)

    def stamp_event(self, event_id: str, stamp_key: str, reading: Reading) -> Write:
        """Stamp an event with the CRM key it is linked to, so a Reset finds the pair again."""
        body = {"singleValueExtendedProperties": mapping.stamp(stamp_key, reading.owner)}
        return Write("PATCH", f"/me/events/{event_id}", body)

    def delete_event(self, event_id: str) -> Write:
        return Write("DELETE", f"/me/events/{event_id}")


class OutlookCalendar(EventWrites):
    """One mailbox's calendars, for one sync run."""

    def __init__(self, graph: GraphClient) -> None:
        self.graph = graph

    @property
    def requests(self) -> int:
        return self.graph.requests

    async def find_calendar(self, name: str, *, during_sync: bool = True) -> str:
        """The id of the calendar called `name` (see `find_calendar`); CalendarNotFound otherwise."""
        found = await find_calendar(self.graph, name)
        if found is None:
            raise CalendarNotFound(name, during_sync)
        return str(found["id"])

    async def view(self, calendar_id: str, period: Period, reading: Reading) -> list[RemoteEvent]:
        """Every single event, occurrence and exception of the calendar in the period (never masters)."""
        params = {
            "startDateTime": _iso(period.start),
            "endDateTime": _iso(period.end),
            "$select": EVENT_FIELDS,
            "$expand": STAMP_EXPAND,
            "$top": PAGE_SIZE,
        }
        headers = {"Prefer": f"odata.maxpagesize={PAGE_SIZE}"}
        events = await self.graph.get_all(f"/me/calendars/{calendar_id}/calendarView", params, headers)
        return [read_event(event, reading) for event in events]

    async def get_events(self, event_ids: Sequence[str], reading: Reading) -> dict[str, RemoteEvent | None]:
        """The events with these ids, None for those that are gone (404), in `$batch` requests."""
        ids = list(dict.fromkeys(event_ids))
        if not ids:
            return {}
        params = {"$select": EVENT_FIELDS, "$expand": STAMP_EXPAND}
        responses = await self.graph.get_each([f"/me/events/{i}" for i in ids], params)
        return {i: read_event(r.json(), reading) if r else None for i, r in zip(ids, responses, strict=True)}

    async def instances(
        self, master_ids: Sequence[str], period: Period, reading: Reading
    ) -> dict[str, list[RemoteEvent]]:
        """The occurrences and exceptions of each series in the period (cancelled ones are absent)."""
        if not master_ids:
            return {}
        params = {
            "startDateTime": _iso(period.start),
            "endDateTime": _iso(period.end),
            "$select": EVENT_FIELDS,
            "$top": PAGE_SIZE,
        }
        requests = [Request("GET", f"/me/events/{m}/instances", params=params) for m in master_ids]
        result: dict[str, list[RemoteEvent]] = {}
        for master_id, response in zip(master_ids, await self.graph.batch(requests), strict=True):
            body = response.raise_for_error(self.graph.user_code).json() or {}
            events = list(body.get("value") or [])
            link = body.get("@odata.nextLink")
            while link:  # more than a page of occurrences for one series: rare, read it plainly
                page = await self.graph.get(link)
                events.extend(page.get("value") or [])
                link = page.get("@odata.nextLink")
            result[master_id] = [read_event(event, reading) for event in events]
        return result

    async def write(
        self, writes: Sequence[Write], reading: Reading, on_results: EventsRecorded | None = None
    ) -> list[tuple[Write, EventResult]]:
        """Send the writes in `$batch` requests; each comes back with its result (errors included).
        `on_results` is awaited with each batch's results (by the position of their write in `writes`)
        as soon as that batch is settled, while the other batches are still in flight."""
        if not writes:
            return []
        requests = [
            Request(
                w.method, w.url, w.body, {"Content-Type": "application/json"} if w.body is not None else {}
            )
            for w in writes
        ]

        async def settled(done: list[tuple[int, Response]]) -> None:
            if on_results is not None:
                await on_results([(i, answered(r, reading)) for i, r in done])

        responses = await self.graph.batch(requests, settled if on_results is not None else None)
        return [(w, answered(r, reading)) for w, r in zip(writes, responses, strict=True)]

    async def write_one(self, write: Write, reading: Reading) -> EventResult:
        return (await self.write([write], reading))[0][1]


def answered(response: Response, reading: Reading) -> EventResult:
    """A write's result, the event it answered with read for the engine."""
    body = response.json()
    if response.ok and isinstance(body, dict) and body.get("id"):
        return result_of(response, read_event(body, reading))
    return result_of(response)
