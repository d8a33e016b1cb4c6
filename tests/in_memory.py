"""The engines' ports served in-process by the fake Microsoft 365's own model: no HTTP, no TLS, no socket.

The fake (`fake_microsoft365`) models Outlook's semantics — series expansion, exceptions, cancellations,
the day 29–31 rules, what a PATCH keeps, photos — behind its Graph routes. Here those routes are called
directly (`Router.dispatch`) with the same requests the Outlook ports would send over HTTPS, and the
answers read by the same readers (`read_event`, `read_contact`): the engines and the mapping run exactly
as in production, only the Graph client (HTTP, retries, `$batch` packing, throttling) is left out. That
is what makes the state machines' in-memory mode about ten times faster; the HTTPS mode keeps the faults.

`InProcessGraph` is one mailbox (and its request log, shaped like the fake's `/_fake/requests`);
`InMemoryAddressBook` and `InMemoryCalendar` are the `AddressBook` and `Calendar` ports over it;
`MemoryFake` gives the state machines the part of `ThreadedFake`'s admin API they use.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Sequence
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from fake_microsoft365.errors import GraphError
from fake_microsoft365.graph import build_router
from fake_microsoft365.mailbox import FakeState, Mailbox
from fake_microsoft365.routing import GraphRequest, error_response
from tests.threaded_fake import UPN
from tui_sync.domain.models import DatabaseIdentity, photo_type
from tui_sync.domain.period import Period
from tui_sync.domain.remote import (
    ContactsRecorded,
    EventResult,
    EventsRecorded,
    Reading,
    RemoteContact,
    RemoteEvent,
    Write,
)
from tui_sync.microsoft import calendar as outlook_calendar
from tui_sync.microsoft import contacts as outlook_contacts
from tui_sync.microsoft.calendar import EventWrites
from tui_sync.microsoft.contacts import ContactWrites
from tui_sync.microsoft.errors import CalendarNotFound
from tui_sync.microsoft.graph import DEFAULT_PREFER, Response
from tui_sync.microsoft.mapping import STAMP_EXPAND
from tui_sync.sync.ports import ContactResults, Contacts

BASE_URL = "https://graph.in-process/v1.0"
BATCH_SIZE = 20  # Graph's `$batch` limit: the log groups writes and reads by id as the client would


class InProcessGraph:
    """One mailbox of the fake, its Graph routes called in-process."""

    def __init__(self, upn: str = UPN) -> None:
        self.upn = upn
        self.state = FakeState()
        self.router = build_router()
        self.log: list[dict[str, Any]] = []  # one entry per request the Graph client would send
        self.reset()

    def reset(self) -> None:
        self.state.reset()
        self.state.ensure(self.upn)
        self.log.clear()

    @property
    def box(self) -> Mailbox:
        box = self.state.get(self.upn)
        assert box is not None
        return box

    def send(
        self, method: str, url: str, params: dict[str, Any] | None = None, body: Any = None, prefer: str = ""
    ) -> Response:
        """One Graph request, answered as the client would read it (a `Response`)."""
        parts = urlsplit(url.removeprefix(BASE_URL))
        query = dict(parse_qsl(parts.query, keep_blank_values=True))
        query.update({k: str(v) for k, v in (params or {}).items()})
        headers = {"prefer": ", ".join([*DEFAULT_PREFER, *([prefer] if prefer else [])])}
        raw = b""
        if isinstance(body, bytes):
            raw, headers["content-type"] = body, photo_type(body) or "application/octet-stream"
        elif body is not None:
            raw, headers["content-type"] = json.dumps(body).encode(), "application/json"
        request = GraphRequest(method, parts.path, query, headers, raw, self.box, BASE_URL)
        try:
            answer = self.router.dispatch(request)
        except GraphError as error:
            answer = error_response(error, headers)
        content = answer.body if isinstance(answer.body, bytes) else b""
        if answer.body is not None and not isinstance(answer.body, bytes):
            content = json.dumps(answer.body).encode()
        return Response(answer.status, {k.lower(): v for k, v in answer.headers.items()}, content)

    def logged(self, method: str, path: str, status: int, subs: Sequence[tuple[str, str]] = ()) -> None:
        """Log an answered request (a `$batch` with its sub-requests), as the fake's log has it."""
        entry = {"method": method, "path": path, "status": status}
        self.log.append({**entry, "sub_requests": [{"method": m, "url": u} for m, u in subs]})

    def pages(self, path: str, params: dict[str, Any], prefer: str) -> list[list[Any]]:
        """Every page of a collection, following `@odata.nextLink`."""
        pages, url, query = [], path, params
        while url:
            answer = self.send("GET", url, query, prefer=prefer)
            self.logged("GET", urlsplit(url.removeprefix(BASE_URL)).path, answer.status)
            body = answer.raise_for_error().json() or {}
            pages.append(list(body.get("value") or []))
            url, query = body.get("@odata.nextLink") or "", {}
        return pages

    def each(self, paths: Sequence[str], params: dict[str, Any] | None = None) -> list[Response | None]:
        """GET each path (None for a 404), logged as the `$batch` requests the client would send."""
        answers = [self.send("GET", path, params) for path in paths]
        for start in range(0, len(paths), BATCH_SIZE):
            self.logged("POST", "/v1.0/$batch", 200, [("GET", p) for p in paths[start : start + BATCH_SIZE]])
        return [None if a.status == 404 else a.raise_for_error() for a in answers]

    def write_groups(self, writes: Sequence[Write]) -> list[list[tuple[int, Response]]]:
        """Send the writes, grouped as the client's `$batch` requests (and logged so)."""
        groups = []
        for start in range(0, len(writes), BATCH_SIZE):
            chunk = list(enumerate(writes))[start : start + BATCH_SIZE]
            groups.append([(i, self.send(w.method, w.url, body=w.body)) for i, w in chunk])
            self.logged("POST", "/v1.0/$batch", 200, [(w.method, w.url) for _, w in chunk])
        return groups


class InMemoryAddressBook(ContactWrites):
    """The `AddressBook` port over an `InProcessGraph` (the same requests as `OutlookContacts`)."""

    def __init__(self, graph: InProcessGraph) -> None:
        self.graph = graph

    @property
    def requests(self) -> int:
        return len(self.graph.log)

    async def list(self, owner: DatabaseIdentity) -> Contacts:
        return [item async for page in self.pages(owner) for item in page]

    async def pages(self, owner: DatabaseIdentity) -> AsyncIterator[Contacts]:
        params = {
            "$select": outlook_contacts.CONTACT_FIELDS,
            "$expand": STAMP_EXPAND,
            "$top": outlook_contacts.PAGE_SIZE,
        }
        prefer = f"odata.maxpagesize={outlook_contacts.PAGE_SIZE}"
        for page in self.graph.pages("/me/contacts", params, prefer):
            yield [outlook_contacts.read_contact(item, owner) for item in page]

    async def get_contacts(
        self, contact_ids: Sequence[str], owner: DatabaseIdentity, *, whole: bool = False
    ) -> dict[str, RemoteContact | None]:
        ids = list(dict.fromkeys(contact_ids))
        fields = outlook_contacts.mapping.CONTACT_WRITABLE if whole else outlook_contacts.CONTACT_FIELDS
        answers = self.graph.each(
            [f"/me/contacts/{i}" for i in ids], {"$select": fields, "$expand": STAMP_EXPAND}
        )
        return {
            i: outlook_contacts.read_contact(a.json(), owner) if a else None
            for i, a in zip(ids, answers, strict=True)
        }

    async def photos(self, contact_ids: Sequence[str]) -> dict[str, bytes | None]:
        ids = list(dict.fromkeys(contact_ids))
        answers = self.graph.each([f"/me/contacts/{i}/photo/$value" for i in ids])
        return {i: (a.content or None) if a else None for i, a in zip(ids, answers, strict=True)}

    async def write(
        self, writes: Sequence[Write], owner: DatabaseIdentity, on_results: ContactsRecorded | None = None
    ) -> ContactResults:
        results: ContactResults = []
        for group in self.graph.write_groups(writes):
            read = [(i, outlook_contacts.answered(writes[i], r, owner)) for i, r in group]
            results += [(writes[i], result) for i, result in read]
            if on_results is not None:
                await on_results(read)
        return results


class InMemoryCalendar(EventWrites):
    """The `Calendar` port over an `InProcessGraph` (the same requests as `OutlookCalendar`)."""

    def __init__(self, graph: InProcessGraph) -> None:
        self.graph = graph

    @property
    def requests(self) -> int:
        return len(self.graph.log)

    async def find_calendar(self, name: str) -> str:
        calendars = [
            c for page in self.graph.pages("/me/calendars", {"$select": "id,name"}, "") for c in page
        ]
        found = outlook_calendar.pick_calendar(calendars, name)
        if found is None:
            raise CalendarNotFound(name, True)
        return str(found["id"])

    def _window(self, period: Period) -> dict[str, Any]:
        return {
            "startDateTime": period.start.isoformat(),
            "endDateTime": period.end.isoformat(),
            "$select": outlook_calendar.EVENT_FIELDS,
            "$top": outlook_calendar.PAGE_SIZE,
        }

    async def view(self, calendar_id: str, period: Period, reading: Reading) -> list[RemoteEvent]:
        params = {**self._window(period), "$expand": STAMP_EXPAND}
        prefer = f"odata.maxpagesize={outlook_calendar.PAGE_SIZE}"
        pages = self.graph.pages(f"/me/calendars/{calendar_id}/calendarView", params, prefer)
        return [outlook_calendar.read_event(event, reading) for page in pages for event in page]

    async def get_events(self, event_ids: Sequence[str], reading: Reading) -> dict[str, RemoteEvent | None]:
        ids = list(dict.fromkeys(event_ids))
        params = {"$select": outlook_calendar.EVENT_FIELDS, "$expand": STAMP_EXPAND}
        answers = self.graph.each([f"/me/events/{i}" for i in ids], params)
        return {
            i: outlook_calendar.read_event(a.json(), reading) if a else None
            for i, a in zip(ids, answers, strict=True)
        }

    async def instances(
        self, master_ids: Sequence[str], period: Period, reading: Reading
    ) -> dict[str, list[RemoteEvent]]:
        paths = [f"/me/events/{m}/instances" for m in master_ids]
        answers = self.graph.each(paths, self._window(period))
        found = {}
        for master_id, answer in zip(master_ids, answers, strict=True):
            assert answer is not None, f"series {master_id} is gone"
            body = answer.json() or {}
            assert not body.get("@odata.nextLink"), "more than a page of occurrences"
            found[master_id] = [outlook_calendar.read_event(e, reading) for e in body.get("value") or []]
        return found

    async def write(
        self, writes: Sequence[Write], reading: Reading, on_results: EventsRecorded | None = None
    ) -> list[tuple[Write, EventResult]]:
        results: list[tuple[Write, EventResult]] = []
        for group in self.graph.write_groups(writes):
            read = [(i, outlook_calendar.answered(r, reading)) for i, r in group]
            results += [(writes[i], result) for i, result in read]
            if on_results is not None:
                await on_results(read)
        return results

    async def write_one(self, write: Write, reading: Reading) -> EventResult:
        return (await self.write([write], reading))[0][1]


class MemoryFake:
    """What the state machines use of `ThreadedFake`'s admin API, over an `InProcessGraph`. There are
    no HTTP faults in memory: asking for one is a mistake of the caller (turning them off is fine)."""

    def __init__(self) -> None:
        self.graph = InProcessGraph()

    def reset(self) -> None:
        self.graph.reset()

    def faults(self, **changes: Any) -> dict[str, Any]:
        assert not any(changes.values()), f"no HTTP faults in memory: {changes}"
        return {}

    def state(self) -> dict[str, Any]:
        return self.graph.state.summary()

    def requests(self) -> list[dict[str, Any]]:
        return list(self.graph.log)

    def clear_requests(self) -> None:
        self.graph.log.clear()

    def token(self, upn: str = UPN) -> str:
        self.graph.state.ensure(upn)
        return "in-process"
