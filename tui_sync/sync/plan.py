"""The three-way comparison, pure: both sides' items and the links of the last sync in, operations out.

After vdirsyncer: for each item, "changed" means its version moved *and* its content fingerprint moved
since the link was recorded. Changed on one side → copy it across; on both → the conflict policy
(identical content is no conflict); on one side only and unlinked → create it on the other; linked but
gone → a deletion. The reader guarantees that "gone" means really gone (a GET said 404, or the CRM row
is deleted), never just "moved out of the period": such items are handed in as present.

The same function plans single actions, series masters, series occurrences and contacts: an `Item` is
whatever one side holds, reduced to what the comparison needs.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Literal, TypeGuard, get_args

if TYPE_CHECKING:
    from tui_sync.store.links import Link

Policy = Literal["newest", "crm", "office"]


def as_policy(name: str) -> Policy:
    """The conflict policy a settings value names (the settings accept only these names)."""
    if not _is_policy(name):
        raise ValueError(f"not a conflict policy: {name!r}")
    return name


def _is_policy(name: str) -> TypeGuard[Policy]:
    return name in get_args(Policy)


@dataclass(frozen=True)
class Item:
    """One side's view of an item. `key` is the CRM key or the remote id; `match_key` pairs unlinked
    items across sides (the CRM-id stamp of a remote item; a CRM item's own key)."""

    key: str
    fingerprint: str
    version: str = (
        ""  # remote: its version (Microsoft 365: the changeKey); CRM: unused (the fingerprint says enough)
    )
    modified: datetime | None = None  # for the `newest` policy
    when: datetime | None = None  # the item's start, for the limits (nearest to today first)
    weight: int = 1  # how many occurrences it stands for, for the limits
    match_key: str | None = None


@dataclass(frozen=True)
class LinkState:
    """The pair as both sides were at the last successful sync."""

    crm_key: str
    remote_id: str
    crm_hash: str
    remote_version: str
    remote_hash: str


def link_state(link: Link) -> LinkState:
    """A stored link as the comparison reads it: one rule for every engine (agenda and contacts)."""
    return LinkState(link.crm_key, link.remote_id, link.crm_hash, link.remote_change_key, link.remote_hash)


class Op(enum.Enum):
    CREATE_REMOTE = "create_remote"
    CREATE_CRM = "create_crm"
    UPDATE_REMOTE = "update_remote"  # copy the CRM's content over the remote's
    UPDATE_CRM = "update_crm"  # copy the remote's content over the CRM's
    DELETE_REMOTE = "delete_remote"
    DELETE_CRM = "delete_crm"  # needs the user's confirmation
    LINK = "link"  # same content both sides: record (or refresh) the link, write nothing
    UNLINK = "unlink"  # gone on both sides: forget the link


@dataclass(frozen=True)
class Step:
    """One operation. Only CREATE_CRM may lack a CRM key (an item new on the remote) and only
    CREATE_REMOTE a remote id: `crm` and `remote` read them where the op has them."""

    op: Op
    crm_key: str | None
    remote_id: str | None
    conflict: bool = False

    @property
    def crm(self) -> str:
        if self.crm_key is None:
            raise ValueError(f"a {self.op.value} step has no CRM key")
        return self.crm_key

    @property
    def remote(self) -> str:
        if self.remote_id is None:
            raise ValueError(f"a {self.op.value} step has no remote id")
        return self.remote_id


@dataclass
class Plan:
    steps: list[Step] = field(default_factory=list)
    left_out: int = 0  # weight of the items past the limit

    @property
    def conflicts(self) -> int:
        return sum(1 for s in self.steps if s.conflict)

    def of(self, *ops: Op) -> list[Step]:
        return [s for s in self.steps if s.op in ops]

    @property
    def writes(self) -> list[Step]:
        return [s for s in self.steps if s.op not in (Op.LINK, Op.UNLINK)]


@dataclass(frozen=True)
class _Unit:
    crm: Item | None
    remote: Item | None
    link: LinkState | None

    @property
    def when(self) -> datetime | None:
        side = self.crm or self.remote
        return side.when if side else None

    @property
    def weight(self) -> int:
        side = self.crm or self.remote
        return side.weight if side else 0


def plan(
    crm: Mapping[str, Item],
    remote: Mapping[str, Item],
    links: Iterable[LinkState],
    *,
    policy: Policy = "newest",
    limit: int | None = None,
    now: datetime | None = None,
) -> Plan:
    """Compare the two sides with the links of the last sync and say what to do.

    A linked item missing from its side's mapping is taken as deleted there. With `limit`, only the
    units nearest to `now` whose weights fit are planned; the weight of the others is `left_out`.
    """
    units = _pair(crm, remote, links)
    result = Plan()
    if limit is not None:
        units, result.left_out = _nearest(units, limit, now)
    for unit in units:
        step = _decide(unit, policy)
        if step is not None:
            result.steps.append(step)
    return result


def _pair(crm: Mapping[str, Item], remote: Mapping[str, Item], links: Iterable[LinkState]) -> list[_Unit]:
    links = list(links)
    linked_remote = {link.remote_id for link in links}
    stamped = {
        item.match_key: item for rid, item in remote.items() if rid not in linked_remote and item.match_key
    }
    units: list[_Unit] = []
    for link in links:
        partner = remote.get(link.remote_id)
        if partner is None:  # its remote item is gone, but a copy stamped with its CRM key may stand in:
            partner = stamped.pop(link.crm_key, None)  # one written back by a run killed before its link
        units.append(_Unit(crm.get(link.crm_key), partner, link))
    taken = {u.remote.key for u in units if u.remote}
    unlinked_crm = {k: v for k, v in crm.items() if k not in {link.crm_key for link in links}}
    for remote_id, item in remote.items():
        if remote_id in taken:
            continue
        partner = unlinked_crm.pop(item.match_key, None) if item.match_key else None
        units.append(_Unit(partner, item, None))
    units.extend(_Unit(item, None, None) for item in unlinked_crm.values())
    return units


def _nearest(units: list[_Unit], limit: int, now: datetime | None) -> tuple[list[_Unit], int]:
    def distance(unit: _Unit) -> float:
        if unit.when is None or now is None:
            return 0.0
        return abs((unit.when - now).total_seconds())

    kept: list[_Unit] = []
    used = left_out = 0
    for unit in sorted(units, key=distance):
        if used + unit.weight <= limit:
            kept.append(unit)
            used += unit.weight
        else:
            left_out += unit.weight
    return kept, left_out


def _decide(unit: _Unit, policy: Policy) -> Step | None:
    crm, remote, link = unit.crm, unit.remote, unit.link
    crm_key = crm.key if crm else (link.crm_key if link else None)
    remote_id = remote.key if remote else (link.remote_id if link else None)
    if link is None:
        if crm and remote:  # paired by the CRM-id stamp: first sync or after a reset
            if crm.fingerprint == remote.fingerprint:
                return Step(Op.LINK, crm_key, remote_id)
            return _resolve(crm, remote, policy, crm_key, remote_id, conflict=False)
        if crm:
            return Step(Op.CREATE_REMOTE, crm_key, None)
        return Step(Op.CREATE_CRM, None, remote_id)
    if crm is None and remote is None:
        return Step(Op.UNLINK, crm_key, remote_id)
    remote_changed = remote is not None and _remote_changed(remote, link)
    if remote is None:
        return Step(Op.DELETE_CRM, crm_key, remote_id)
    if crm is None:  # deleted in the CRM: pushed, unless the remote changed it since (change wins)
        if remote_changed:
            return Step(Op.CREATE_CRM, crm_key, remote_id, conflict=True)
        return Step(Op.DELETE_REMOTE, crm_key, remote_id)
    crm_changed = crm.fingerprint != link.crm_hash
    if not crm_changed and not remote_changed:
        return Step(Op.LINK, crm_key, remote_id) if remote.key != link.remote_id else None
    if crm.fingerprint == remote.fingerprint:
        return Step(Op.LINK, crm_key, remote_id)
    if crm_changed and remote_changed:
        return _resolve(crm, remote, policy, crm_key, remote_id, conflict=True)
    return Step(Op.UPDATE_REMOTE if crm_changed else Op.UPDATE_CRM, crm_key, remote_id)


def _remote_changed(remote: Item, link: LinkState) -> bool:
    return remote.version != link.remote_version and remote.fingerprint != link.remote_hash


def _resolve(
    crm: Item, remote: Item, policy: Policy, crm_key: str | None, remote_id: str | None, *, conflict: bool
) -> Step:
    if policy == "crm":
        crm_wins = True
    elif policy == "office":
        crm_wins = False
    else:
        crm_wins = remote.modified is None or (crm.modified is not None and crm.modified >= remote.modified)
    return Step(Op.UPDATE_REMOTE if crm_wins else Op.UPDATE_CRM, crm_key, remote_id, conflict=conflict)
