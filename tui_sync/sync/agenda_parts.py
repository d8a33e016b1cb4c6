"""What the agenda engine's parts share: occurrence keys, the sides as read, and the small conversions
between links, plans and writes (the link kinds live in tui_sync.sync.kinds)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from tui_sync.domain.models import Action, DatabaseIdentity, Series, User
from tui_sync.domain.period import Period
from tui_sync.microsoft import mapping
from tui_sync.microsoft.calendar import OutlookCalendar, Write, WriteResult
from tui_sync.store.links import Link
from tui_sync.sync.plan import Op, Plan, Policy

if TYPE_CHECKING:
    from tui_sync.store import Store
    from tui_sync.sync.deletions import DeletionGate
    from tui_sync.sync.events import AgendaSummary

KEPT_CANCELLED = "kept-cancelled:"  # remote id of an occurrence cancelled in Outlook but kept in the CRM

Event = dict[str, Any]
Record = Callable[[Write, WriteResult], Awaitable[Link | None]]  # a confirmed write → the link to save


def occurrence_key(series_id: int | str, original_start: datetime, all_day: bool, tz: ZoneInfo) -> str:
    """The key of one occurrence: its series and original start (the day, for all-day series, since
    Outlook writes an all-day original start at midnight of a zone we cannot be sure of)."""
    if all_day:
        return f"{series_id}@{(original_start.astimezone(tz) + timedelta(hours=12)).date().isoformat()}"
    return f"{series_id}@{original_start.astimezone(UTC).strftime('%Y%m%dT%H%M%SZ')}"


class AgendaRun:
    """The state and helpers of one agenda run that series.py and occurrences.py use: AgendaSync sets
    and defines them; declared here (annotations only) so those mixins are checked against them."""

    store: Store
    remote: OutlookCalendar
    user: User
    period: Period
    policy: Policy
    deletions: DeletionGate
    tz: ZoneInfo
    two_way: bool
    summary: AgendaSummary
    errors: list[str]
    calendar_id: str
    owner: DatabaseIdentity
    labels: list[str]
    _fp: Callable[[Action], str]
    _remote_fp: Callable[[Event], str]
    _series_fp: Callable[[Series], str]
    _to_action: Callable[..., Action]  # (event, **fields to set)
    _to_series: Callable[[Event], Series]
    _link: Callable[[str, str, Action, Event], Link]
    _write_in_groups: Callable[[list[Write], Record], Awaitable[list[tuple[Write, WriteResult]]]]
    _occurrences_copied: Callable[[str], Awaitable[None]]
    _forget_occurrences: Callable[[str], Awaitable[None]]


@dataclass
class Sides:
    """What was read, by kind: CRM objects by CRM key and Outlook events by id."""

    crm_actions: dict[str, Action] = field(default_factory=dict)
    remote_singles: dict[str, Event] = field(default_factory=dict)
    crm_series: dict[str, Series] = field(default_factory=dict)
    remote_masters: dict[str, Event] = field(default_factory=dict)
    instances: dict[str, list[Event]] = field(default_factory=lambda: defaultdict(list))  # by master id
    # Meetings their organiser cancelled (see `split_cancelled`): left out of the sides above, as if
    # deleted. Ids of single events and masters; the cancelled occurrences by master id.
    cancelled: set[str] = field(default_factory=set)
    cancelled_instances: dict[str, list[Event]] = field(default_factory=lambda: defaultdict(list))


def split_cancelled(events: list[Event]) -> tuple[list[Event], list[Event]]:
    """(live, cancelled) events. A meeting cancelled by its organiser stays in an attendee's calendar with
    `isCancelled: true` (api-reference/v1.0/resources/event.md); for the sync it is a deletion made in
    Outlook, asked like one, never an action to keep copying."""
    live = [e for e in events if e.get("isCancelled") is not True]
    return live, [e for e in events if e.get("isCancelled") is True]


def action_link(
    user: str, kind: str, crm_key: str, action: Action, event: Event, tz: ZoneInfo, labels: list[str]
) -> Link:
    """The link of an action and its Outlook event as they are now (after a confirmed write)."""
    remote = mapping.event_to_action(event, tz, labels, user)
    return Link(
        user,
        kind,
        crm_key,
        event["id"],
        mapping.action_fingerprint(action, tz),
        event.get("changeKey", ""),
        mapping.action_fingerprint(remote, tz),
    )


def one_way(p: Plan) -> Plan:
    """Microsoft → CRM only ("At startup"): drop every step that would write to Microsoft 365."""
    keep = {Op.CREATE_CRM, Op.UPDATE_CRM, Op.DELETE_CRM, Op.LINK, Op.UNLINK}
    return Plan([s for s in p.steps if s.op in keep], p.left_out)


async def record_nothing(write: Write, result: WriteResult) -> None:
    """For writes whose results the caller reads afterwards."""


def stamp_write(remote_id: str, kind: str, crm_id: int | str, owner: DatabaseIdentity) -> Write:
    """Stamp an Outlook item with the CRM id it is linked to, so a Reset finds the pair again."""
    body = {"singleValueExtendedProperties": mapping.stamp(f"{kind}:{crm_id}", owner)}
    return Write.patch(f"stamp:{remote_id}", remote_id, body)


def unstamped(
    links: dict[str, Link],
    planned: Plan,
    crm: Mapping[str, object],
    remote: Mapping[str, Event],
    kind: str,
    owner: DatabaseIdentity,
) -> list[tuple[str, str]]:
    """(CRM key, Outlook id) of the linked pairs left alone by the plan whose Outlook item lacks our
    stamp: a run killed between copying an Outlook item to the CRM and stamping it leaves one. An item
    another CRM database stamped keeps its stamp."""
    touched = {step.crm_key for step in planned.steps}
    return [
        (key, link.remote_id)
        for key, link in links.items()
        if key not in touched
        and key in crm
        and link.remote_id in remote
        and mapping.read_stamp(remote[link.remote_id], owner) != f"{kind}:{key}"
        and not mapping.stamped_by_another(remote[link.remote_id], owner)
    ]
