"""What the sync engines need of the other side of a sync, as small Protocols (after vdirsyncer's
`Storage` and Harlequin's adapters): the engines plan and apply on typed items (`tui_sync.domain.remote`)
through these, and know no wire format.

`tui_sync.microsoft.calendar.OutlookCalendar` is the Outlook calendar behind `Calendar`. Another
provider plugs in by implementing the same methods over its own API (reading its items into
`RemoteEvent`s, with its own form of each as `raw`); the tests run the engines on an in-process one.

A write is built by the calendar (`create_event`, `update_event`, …) and sent with `write`; the engine
never looks at its body, and knows what each answer means by the completion it gave the write
(`tui_sync.sync.apply`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from tui_sync.domain.models import Action, Series
from tui_sync.domain.period import Period
from tui_sync.domain.remote import Reading, RemoteEvent
from tui_sync.microsoft.calendar import EventResult, EventsRecorded, Write


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
