"""What the agenda engine's parts share: the run itself (`AgendaRun`), occurrence keys, the sides as
read, and the small conversions between links, plans and writes (the link kinds live in
tui_sync.sync.kinds)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from tui_sync.domain.models import Action, DatabaseIdentity, Series, User
from tui_sync.domain.period import Period
from tui_sync.domain.remote import EventResult, Reading, RemoteEvent, Write
from tui_sync.store.links import Link
from tui_sync.sync.apply import Applier, Change, Recorded
from tui_sync.sync.events import AgendaSummary
from tui_sync.sync.fingerprints import action_fingerprint, series_fingerprint
from tui_sync.sync.kinds import OCCURRENCE
from tui_sync.sync.plan import Op, Plan, Policy
from tui_sync.sync.ports import Calendar

if TYPE_CHECKING:
    from tui_sync.store import Store
    from tui_sync.sync.deletions import DeletionGate

KEPT_CANCELLED = "kept-cancelled:"  # remote id of an occurrence cancelled remotely but kept in the CRM

EventChange = Change[EventResult]  # a calendar write and its completion (see tui_sync.sync.apply)


def occurrence_key(series_id: int | str, original_start: datetime, all_day: bool, tz: ZoneInfo) -> str:
    """The key of one occurrence: its series and original start (the day, for all-day series, since
    Outlook writes an all-day original start at midnight of a zone we cannot be sure of)."""
    if all_day:
        return f"{series_id}@{(original_start.astimezone(tz) + timedelta(hours=12)).date().isoformat()}"
    return f"{series_id}@{original_start.astimezone(UTC).strftime('%Y%m%dT%H%M%SZ')}"


class AgendaRun:
    """What the parts of one agenda run share — the single actions (agenda.py), the series masters
    (series.py) and their occurrences (occurrences.py): the CRM, the calendar and the run's settings,
    its summary and errors, the applier its writes go through, and the fingerprints and links of its
    items. AgendaSync builds it and hands it to each part."""

    def __init__(
        self,
        *,
        store: Store,
        calendar: Calendar,
        user: User,
        period: Period,
        policy: Policy,
        deletions: DeletionGate,
        tz: ZoneInfo,
        two_way: bool,
        on_batch: Callable[[int], None],
    ) -> None:
        self.store = store
        self.remote = calendar
        self.user = user
        self.period = period
        self.policy: Policy = policy
        self.deletions = deletions
        self.tz = tz
        self.two_way = two_way  # False: "At startup", remote → CRM only
        self.summary = AgendaSummary()
        self.errors: list[str] = []  # items that failed on their own; the rest of the run went on
        self.calendar_id = ""
        # How the remote's items are read (the CRM's action types and this CRM database's stamps are read
        # when the run starts).
        self.reading = Reading(tz, (), user.code, DatabaseIdentity(""))
        self.applier: Applier[EventResult] = Applier(store, user.code, self._send, on_batch)
        # Each remote item read is fingerprinted once per run (it keeps its own CRM form): the run
        # looks at each several times. Kept by identity: the run holds the items it read.
        self._remote_fps: dict[int, tuple[RemoteEvent, str]] = {}

    async def _send(self, writes: Sequence[Write], recorded: Recorded[EventResult]) -> object:
        """The calendar's batch writer, as the applier calls it (with this run's reading)."""
        return await self.remote.write(writes, self.reading, recorded)

    def fp(self, action: Action) -> str:
        return action_fingerprint(action, self.tz)

    def remote_fp(self, event: RemoteEvent) -> str:
        """The fingerprint of a remote item's content (its CRM form), computed once per item."""
        known = self._remote_fps.get(id(event))
        if known is None or known[0] is not event:
            known = self._remote_fps[id(event)] = (event, self.fp(event.action))
        return known[1]

    def series_fp(self, series: Series) -> str:
        return series_fingerprint(series, self.tz)

    def link(self, kind: str, crm_key: str, action: Action, event: RemoteEvent) -> Link:
        """The link of an action and its remote event as they are now (after a confirmed write)."""
        crm, remote = self.fp(action), self.remote_fp(event)
        return Link(self.user.code, kind, crm_key, event.id, crm, event.change_key, remote)

    async def forget_occurrences(self, series_key: str) -> None:
        links = await self.store.links(self.user.code, OCCURRENCE)
        await self.store.delete_links(
            self.user.code, OCCURRENCE, [k for k in links if k.startswith(f"{series_key}@")]
        )


@dataclass
class Sides:
    """What was read, by kind: CRM objects by CRM key and remote items by id."""

    crm_actions: dict[str, Action] = field(default_factory=dict)
    remote_singles: dict[str, RemoteEvent] = field(default_factory=dict)
    crm_series: dict[str, Series] = field(default_factory=dict)
    remote_masters: dict[str, RemoteEvent] = field(default_factory=dict)
    instances: dict[str, list[RemoteEvent]] = field(default_factory=lambda: defaultdict(list))  # by master
    # Meetings their organiser cancelled (see `split_cancelled`): left out of the sides above, as if
    # deleted. Ids of single events and masters; the cancelled occurrences by master id.
    cancelled: set[str] = field(default_factory=set)
    cancelled_instances: dict[str, list[RemoteEvent]] = field(default_factory=lambda: defaultdict(list))


def split_cancelled(events: list[RemoteEvent]) -> tuple[list[RemoteEvent], list[RemoteEvent]]:
    """(live, cancelled) events. A meeting cancelled by its organiser stays in an attendee's calendar,
    marked cancelled (Graph's `isCancelled`, api-reference/v1.0/resources/event.md); for the sync it is
    a deletion made remotely, asked like one, never an action to keep copying."""
    return [e for e in events if not e.cancelled], [e for e in events if e.cancelled]


def action_link(user: str, kind: str, crm_key: str, action: Action, event: RemoteEvent, tz: ZoneInfo) -> Link:
    """The link of an action and its remote event as they are now (after a confirmed write)."""
    return Link(
        user,
        kind,
        crm_key,
        event.id,
        action_fingerprint(action, tz),
        event.change_key,
        action_fingerprint(event.action, tz),
    )


def one_way(p: Plan) -> Plan:
    """Remote → CRM only ("At startup"): drop every step that would write to the remote."""
    keep = {Op.CREATE_CRM, Op.UPDATE_CRM, Op.DELETE_CRM, Op.LINK, Op.UNLINK}
    return Plan([s for s in p.steps if s.op in keep], p.left_out)


def stamp_write(calendar: Calendar, remote_id: str, kind: str, crm_id: int | str, reading: Reading) -> Write:
    """Stamp a remote item with the CRM id it is linked to, so a Reset finds the pair again."""
    return calendar.stamp_event(remote_id, f"{kind}:{crm_id}", reading)


def unstamped(
    links: dict[str, Link],
    planned: Plan,
    crm: Mapping[str, object],
    remote: Mapping[str, RemoteEvent],
    kind: str,
) -> list[tuple[str, str]]:
    """(CRM key, remote id) of the linked pairs left alone by the plan whose remote item lacks our
    stamp: a run killed between copying a remote item to the CRM and stamping it leaves one. An item
    another CRM database stamped keeps its stamp."""
    touched = {step.crm_key for step in planned.steps}
    return [
        (key, link.remote_id)
        for key, link in links.items()
        if key not in touched
        and key in crm
        and link.remote_id in remote
        and remote[link.remote_id].stamp != f"{kind}:{key}"
        and not remote[link.remote_id].stamped_by_another
    ]
