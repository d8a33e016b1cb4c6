"""The items of the other side of a sync (a mailbox's calendar and contacts), as the engines see them.

A provider (`tui_sync.microsoft`) reads its own wire format into these; the engine compares and plans
on them and never reads the wire format. What the engine needs of a remote item is its identity and
version (id, change key), where it stands in a series, the CRM-id stamp it carries, and its content in
the CRM's form (an Action, a Series; a contact's synced fields as `domain.content.contact_fields` gives
them). The provider's own form of the item travels along as `raw`, which only the provider reads: its
updates send only what differs from it, so what only the mailbox holds survives. A write (`Write`) is
built by the provider's port from typed items, and its answer comes back read (`ResultOf`).

They live in the domain, below both the engine and the providers, so that each can name them.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property
from typing import Any, Generic, Literal, TypeVar
from zoneinfo import ZoneInfo

from tui_sync.domain.models import Action, DatabaseIdentity, Series

EventKind = Literal["single", "occurrence", "exception", "master", "other"]


@dataclass(frozen=True)
class Reading:
    """How one run reads remote items into the CRM's form: its zone, the CRM's action type labels (an
    event's first category naming one is its type), the CRM user the items belong to, and this CRM
    database (whose stamps are its own)."""

    tz: ZoneInfo
    labels: tuple[str, ...]
    user: str
    owner: DatabaseIdentity


@dataclass(frozen=True, eq=False)
class RemoteEvent:
    """One calendar item as read: a single event, an occurrence or exception of a series, or a series
    master. Compared by identity (a run holds the items it read). Its CRM form is read when first
    asked for, then kept; an item the CRM cannot represent raises `UnreadableItem` when asked."""

    id: str
    change_key: str
    kind: EventKind
    series_master_id: str  # occurrences and exceptions: their master; '' otherwise
    original_start: datetime | None  # occurrences and exceptions: where the rule put them (run's zone)
    start: datetime | None  # in the run's zone; None when it cannot be read
    cancelled: bool  # a meeting its organiser cancelled: for the sync, a deletion made remotely
    last_modified: datetime | None
    stamp: str | None  # the CRM key this CRM database stamped on it ("action:42"), else None
    stamped_by_another: bool  # another CRM database stamped it: copied, never re-stamped
    raw: object = field(repr=False)  # the provider's own form: only the provider reads it
    read_action: Callable[[], Action] = field(repr=False)  # the provider's reading of `raw`
    read_series: Callable[[], Series] = field(repr=False)

    @cached_property
    def action(self) -> Action:
        """The CRM action this single event, occurrence or exception stands for (no series link)."""
        return self.read_action()

    @cached_property
    def series(self) -> Series:
        """The CRM series this master stands for (no exceptions, no cancellations)."""
        return self.read_series()


@dataclass(frozen=True, eq=False)
class RemoteContact:
    """One contact as read. Its synced fields are kept as the mailbox holds them, in the form
    `domain.content.contact_fields` gives a CRM contact's (missing = empty, LF line endings, trimmed),
    not as a Contact: the CRM is the master of those fields, and a contact the CRM's rules would refuse
    must still be compared, to be put back."""

    id: str
    change_key: str
    last_modified: datetime | None
    stamp: str | None  # the CRM key this CRM database stamped on it ("contact:42"), else None
    name: str  # its display name, as the mailbox shows it (for messages)
    fields: Mapping[str, str]
    note: str  # LF line endings, '' when absent
    raw: object = field(repr=False)  # the provider's own form: only the provider reads it


@dataclass(frozen=True)
class Write:
    """One write of a sync, as the port that built it will send it (`Calendar.create_event`,
    `AddressBook.update_contact`, …): the engine never reads it, and what its answer means is the
    engine's business (`tui_sync.sync.apply`)."""

    method: str
    url: str
    body: Any = None


T = TypeVar("T")


@dataclass(frozen=True)
class ResultOf(Generic[T]):
    """A write's answer. `item` is the written item as the answer gives it, read by the port for the
    engine (a successful create or update); `body` is the answer as the provider got it, for the
    provider; `error` says in one line why it failed."""

    status: int
    body: Any
    error: str = ""
    item: T | None = None

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300

    @property
    def gone(self) -> bool:
        """404: for a DELETE, the item is already gone, which is what was wanted."""
        return self.status == 404

    @property
    def answer(self) -> T:
        """The written item (only a successful create or update has one)."""
        if self.item is None:
            raise ValueError(f"a write answered {self.status} has no item")
        return self.item


EventResult = ResultOf[RemoteEvent]
ContactResult = ResultOf[RemoteContact]
# One batch's results, each beside the position of its write in the sequence sent.
EventsRecorded = Callable[[list[tuple[int, EventResult]]], Awaitable[None]]
ContactsRecorded = Callable[[list[tuple[int, ContactResult]]], Awaitable[None]]
