"""The Outlook calendar operations the agenda sync needs, on top of the Graph client.

Reads ask for exactly the properties the mapping uses (and the CRM-id stamp); writes go out in
`$batch` requests, each batch's results handed back, by the position of their write, as soon as that
batch is answered: the engine (tui_sync.sync.apply) records them per batch.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any

from tui_sync.domain.period import Period
from tui_sync.microsoft.errors import CalendarNotFound
from tui_sync.microsoft.graph import GraphClient, Request, Response
from tui_sync.microsoft.mapping import STAMP_EXPAND

EVENT_FIELDS = (
    "id,type,seriesMasterId,originalStart,subject,location,start,end,isAllDay,sensitivity,isReminderOn,"
    "reminderMinutesBeforeStart,categories,body,recurrence,isCancelled,changeKey,lastModifiedDateTime"
)
PAGE_SIZE = 1000  # calendarView's largest $top: ≤ 2 pages at our 1600-item limit

Event = dict[str, Any]


def _iso(moment: Any) -> str:
    return moment.isoformat()


async def find_calendar(graph: GraphClient, name: str) -> Event | None:
    """The mailbox calendar called `name`, the one rule Test and the sync share: the exact name first,
    else the one calendar whose name differs only by case (Outlook matches names case-blind); None
    when there is none, or several that differ only by case. One request (a mailbox has few calendars)."""
    calendars = await graph.get_all("/me/calendars", {"$select": "id,name"})
    exact = [c for c in calendars if c.get("name") == name]
    if exact:
        return exact[0]
    folded = [c for c in calendars if str(c.get("name") or "").casefold() == name.casefold()]
    return folded[0] if len(folded) == 1 else None


@dataclass(frozen=True)
class Write:
    """One write of a sync: the request alone (what its answer means is the engine's business, see
    tui_sync.sync.apply). `id` is the label the agenda engine still finds its results by."""

    method: str
    url: str
    body: Any = None
    id: str = ""

    @classmethod
    def create(cls, write_id: str, calendar_id: str, body: Event) -> Write:
        return cls("POST", f"/me/calendars/{calendar_id}/events", body, write_id)

    @classmethod
    def patch(cls, write_id: str, event_id: str, body: Event) -> Write:
        return cls("PATCH", f"/me/events/{event_id}", body, write_id)

    @classmethod
    def delete(cls, write_id: str, event_id: str) -> Write:
        return cls("DELETE", f"/me/events/{event_id}", id=write_id)


@dataclass(frozen=True)
class WriteResult:
    status: int
    body: Any
    error: str = ""

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300

    @property
    def gone(self) -> bool:
        """404: for a DELETE, the item is already gone, which is what was wanted."""
        return self.status == 404

    @classmethod
    def of(cls, response: Response) -> WriteResult:
        failure = response.error()
        return cls(response.status, response.json(), str(failure) if failure else "")


# One batch's results, each beside the position of its write in the sequence sent.
Recorded = Callable[[list[tuple[int, WriteResult]]], Awaitable[None]]


class OutlookCalendar:
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

    async def view(self, calendar_id: str, period: Period) -> list[Event]:
        """Every single event, occurrence and exception of the calendar in the period (never masters)."""
        params = {
            "startDateTime": _iso(period.start),
            "endDateTime": _iso(period.end),
            "$select": EVENT_FIELDS,
            "$expand": STAMP_EXPAND,
            "$top": PAGE_SIZE,
        }
        headers = {"Prefer": f"odata.maxpagesize={PAGE_SIZE}"}
        return await self.graph.get_all(f"/me/calendars/{calendar_id}/calendarView", params, headers)

    async def get_events(self, event_ids: Sequence[str]) -> dict[str, Event | None]:
        """The events with these ids, None for those that are gone (404), in `$batch` requests."""
        ids = list(dict.fromkeys(event_ids))
        if not ids:
            return {}
        params = {"$select": EVENT_FIELDS, "$expand": STAMP_EXPAND}
        responses = await self.graph.get_each([f"/me/events/{i}" for i in ids], params)
        return {i: r.json() if r else None for i, r in zip(ids, responses, strict=True)}

    async def instances(self, master_ids: Sequence[str], period: Period) -> dict[str, list[Event]]:
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
        result: dict[str, list[Event]] = {}
        for master_id, response in zip(master_ids, await self.graph.batch(requests), strict=True):
            body = response.raise_for_error(self.graph.user_code).json() or {}
            events = list(body.get("value") or [])
            link = body.get("@odata.nextLink")
            while link:  # more than a page of occurrences for one series: rare, read it plainly
                page = await self.graph.get(link)
                events.extend(page.get("value") or [])
                link = page.get("@odata.nextLink")
            result[master_id] = events
        return result

    async def write(
        self, writes: Sequence[Write], on_results: Recorded | None = None
    ) -> list[tuple[Write, WriteResult]]:
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
                await on_results([(i, WriteResult.of(r)) for i, r in done])

        responses = await self.graph.batch(requests, settled if on_results is not None else None)
        return [(w, WriteResult.of(r)) for w, r in zip(writes, responses, strict=True)]

    async def write_one(self, write: Write) -> WriteResult:
        return (await self.write([write]))[0][1]
