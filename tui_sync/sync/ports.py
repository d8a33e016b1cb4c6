"""What the sync engines need of the other side of a sync, as small Protocols (after vdirsyncer's
`Storage` and Harlequin's adapters): the engines plan and apply on typed items (`tui_sync.domain.remote`)
through these, and know no wire format.

`tui_sync.microsoft.calendar.OutlookCalendar` is the Outlook calendar behind `Calendar`, and
`tui_sync.microsoft.contacts.OutlookContacts` the Outlook contacts behind `AddressBook`; together they
are the `Remote` a run connects to (`tui_sync.microsoft.mailbox.OutlookMailbox`). Another provider
plugs in by implementing the same methods over its own API (reading its items into `RemoteEvent`s /
`RemoteContact`s, with its own form of each as `raw`) and giving `SyncService` a `Connect` that opens
it for a user; the tests also run the engines on in-process ones.

A write is built by the port (`create_event`, `update_contact`, …) from typed items and sent with
`write`; the engine never looks at its body, gets each answer back read as a typed item, and knows what
it means by the completion it gave the write (`tui_sync.sync.apply`).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import AbstractAsyncContextManager
from typing import Protocol

from tui_sync.domain.models import Action, Contact, DatabaseIdentity, Series, User
from tui_sync.domain.period import Period
from tui_sync.domain.remote import (
    ContactResult,
    ContactsRecorded,
    EventResult,
    EventsRecorded,
    Reading,
    RemoteContact,
    RemoteEvent,
    Write,
)


class Calendar(Protocol):
    """One mailbox's calendars, for one agenda run."""

    @property
    def requests(self) -> int:
        """Requests sent so far (shown in the progress)."""
        ...

    async def find_calendar(self, name: str) -> str:
        """The id of the calendar called `name`; CalendarNotFound when there is none."""
        ...

    async def view(self, calendar_id: str, period: Period, reading: Reading) -> list[RemoteEvent]:
        """Every single event, occurrence and exception of the calendar in the period (no masters)."""
        ...

    async def get_events(self, event_ids: Sequence[str], reading: Reading) -> dict[str, RemoteEvent | None]:
        """The items with these ids wherever they are (masters included), None for those gone."""
        ...

    async def instances(
        self, master_ids: Sequence[str], period: Period, reading: Reading
    ) -> dict[str, list[RemoteEvent]]:
        """The occurrences and exceptions of each series in the period."""
        ...

    async def write(
        self, writes: Sequence[Write], reading: Reading, on_results: EventsRecorded | None = None
    ) -> list[tuple[Write, EventResult]]:
        """Send the writes; each comes back with its result. `on_results` is awaited with each group
        of results as soon as it is settled."""
        ...

    async def write_one(self, write: Write, reading: Reading) -> EventResult: ...

    def create_event(
        self,
        calendar_id: str,
        item: Action | Series,
        stamp_key: str,
        reading: Reading,
        generation: int | str = 0,
    ) -> Write:
        """Create `item` stamped with `stamp_key`; the same `generation` makes a retry create nothing."""
        ...

    def update_event(self, item: Action | Series, current: RemoteEvent, reading: Reading) -> Write:
        """Make `current` hold `item`, sending only what differs (what only the mailbox holds stays)."""
        ...

    def stamp_event(self, event_id: str, stamp_key: str, reading: Reading) -> Write: ...

    def delete_event(self, event_id: str) -> Write: ...


# Named here because inside AddressBook `list` is a method.
Contacts = list[RemoteContact]
ContactResults = list[tuple[Write, ContactResult]]


class AddressBook(Protocol):
    """One mailbox's contacts, for one contacts run. Contacts are read as `owner`'s: the stamps of
    that CRM database are their `stamp`."""

    @property
    def requests(self) -> int:
        """Requests sent so far (shown in the progress)."""
        ...

    async def list(self, owner: DatabaseIdentity) -> Contacts:
        """Every contact of the folder the sync writes to."""
        ...

    def pages(self, owner: DatabaseIdentity) -> AsyncIterator[Contacts]:
        """`list` a page at a time."""
        ...

    async def get_contacts(
        self, contact_ids: Sequence[str], owner: DatabaseIdentity, *, whole: bool = False
    ) -> dict[str, RemoteContact | None]:
        """The contacts with these ids wherever they are filed, None for those gone; `whole`: read
        with everything a contact re-created in its place must carry over."""
        ...

    async def photos(self, contact_ids: Sequence[str]) -> dict[str, bytes | None]:
        """Each contact's photo (None: it has none)."""
        ...

    async def write(
        self, writes: Sequence[Write], owner: DatabaseIdentity, on_results: ContactsRecorded | None = None
    ) -> ContactResults:
        """Send the writes; `on_results` is awaited with each group of results (by the position of
        their write) as soon as it is settled."""
        ...

    def create_contact(
        self, contact: Contact, stamp_key: str, owner: DatabaseIdentity, held: RemoteContact | None = None
    ) -> Write:
        """Create `contact` stamped with `stamp_key`; in place of `held` (read `whole`), carrying over
        what only the mailbox held."""
        ...

    def update_contact(self, contact: Contact, current: RemoteContact, *, note: bool) -> Write:
        """Make `current` hold the CRM's one-way fields (and its note when `note`), sending only what
        differs."""
        ...

    def put_photo(self, contact_id: str, photo: bytes) -> Write: ...

    def delete_contact(self, contact_id: str) -> Write: ...


class Remote(Protocol):
    """One user's account at a provider, for one run: its calendar and address book, one session."""

    @property
    def calendar(self) -> Calendar: ...

    @property
    def address_book(self) -> AddressBook: ...

    @property
    def requests(self) -> int:
        """Requests sent so far in the run (shown in the summary)."""
        ...


Connect = Callable[[User], AbstractAsyncContextManager[Remote]]
"""Opens a user's `Remote` for one run (signing in silently), closed when the run ends."""
