"""The agenda engine under random histories (after vdirsyncer's `SyncMachine`): the CRM user and the Outlook
user add, edit, move and delete single actions, series, and series occurrences; syncs run headless with
or without --yes, some under injected 429/503/dropped connections, some killed mid-way (cancelled once
the fake has answered N requests, or once the store has run N SQL statements, so between a CRM write and
the Graph write that follows it). After every successful sync with no fault active, both sides are read
plainly and checked against each other and against a model of what each item must have become:

- both sides agree: every CRM single action in the period has exactly one Outlook single event with the
  same title, times, all-day, private and reminder flags, and the other way round; every CRM series one
  master with its title and count, and the same occurrences (an Outlook cancellation kept by the CRM is
  the one allowed difference: Graph cannot bring an occurrence back);
- no duplicates, nothing lost: every item of the model is found exactly once on each side (or on none
  when it was deleted on both, or deleted by Outlook and confirmed with --yes), and nothing else is there;
- the content is the latest edit (the `newest` policy);
- links complete: every pair has its link (and its CRM-id stamp), and no link points to nothing;
- a killed sync leaves no lease behind, and a further sync writes nothing.

A failing example prints as a sequence of rule calls, with notes (what each pick and each sync did) and
a dump of both sides; the model's verdict names the item and what was expected. The scenarios at the end
are the bugs it found (each was fixed), kept as plain regression tests. `TUI_SYNC_MACHINE_EXAMPLES` sets
the example count of the long run (marked slow).
"""

from __future__ import annotations

import asyncio
import os
import random
import tempfile
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar

import pytest
from hypothesis import HealthCheck, given, note, seed, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    rule,
    run_state_machine_as_test,
)

from tests.in_loop_sqlite import sqlite_in_loop
from tests.sync.conftest import World, open_world
from tests.sync.machine_support import (
    OWNER,
    PARIS,
    TITLES,
    ZONES,
    Deletion,
    Draft,
    Expect,
    OutlookUser,
    SeriesDraft,
    SeriesModel,
    Sides,
    Single,
    Versions,
    action_shape,
    agreement_problems,
    at_commit_after,
    at_statement,
    drafts,
    event_shape,
    lease_left,
    original_start,
    read_sides,
    run_killed,
    series_drafts,
    stamp_of,
    stamp_problem,
    writes_in,
)
from tests.sync.memory_world import MemoryOutlookUser, open_memory_world
from tui_sync.domain.models import Action
from tui_sync.domain.recurrence import expand
from tui_sync.errors import UserError
from tui_sync.sync.agenda_parts import KEPT_CANCELLED, occurrence_key
from tui_sync.sync.events import AnswerAll, Summary

MASS_REFUSED = "Sync stopped before writing anything"  # texts.sync.mass_deletion_refused
OWN_CATEGORY = "Client VIP"  # a category of the Outlook user's own, no CRM action type
T = TypeVar("T")
STATS: Counter[str] = Counter()  # what the runs exercised, printed by the long run
SECONDS: Counter[str] = Counter()


def _pick(
    data: st.DataObject, pairs: list[T], touched: Callable[[T], bool], describe: Callable[[T], str]
) -> T:
    """One of `pairs`; half the time one the other user touched since the last verified sync, if any
    (conflicts — edit/edit, edit/delete, delete/delete — are what a uniform choice rarely makes). Drawn
    by index and noted in words, so a failing example prints short."""
    chosen = [p for p in pairs if touched(p)]
    if chosen and data.draw(st.booleans(), label="one the other side touched"):
        pairs = chosen
    picked = pairs[data.draw(st.integers(0, len(pairs) - 1), label="index")]
    note(describe(picked))
    return picked


def _original(occurrence: Action) -> datetime:
    return occurrence.original_start.astimezone(UTC)  # type: ignore[union-attr]


def _touched_in_outlook(state: Any) -> bool:
    return state is not None and bool(state.versions.outlook_at or state.outlook_deletion)


def _touched_in_crm(state: Any) -> bool:
    return state is not None and bool(state.versions.crm_at or state.crm_cancelled)


class AgendaMachine(RuleBasedStateMachine):
    """One world per example, on its own event loop; every rule runs its coroutine to completion."""

    open_world: Callable[[Path], Awaitable[World]] = staticmethod(open_world)
    outlook_user: type[OutlookUser] = OutlookUser
    scratch: str | None = None  # where each example's world goes (None: the system's temp dir)

    def __init__(self) -> None:
        super().__init__()
        self.loop = asyncio.new_event_loop()
        self.tmp = tempfile.TemporaryDirectory(prefix="agenda-machine-", dir=self.scratch)
        self.broken = False
        started = time.monotonic()
        self.world = self.run(self.open_world(Path(self.tmp.name)))
        SECONDS["building worlds"] += time.monotonic() - started
        self.outlook = self.outlook_user(self.world)
        self.period = self.world.service.default_period(self.world.user)
        self.singles: list[Single] = []
        self.series: list[SeriesModel] = []
        self.refs = 0
        self.clock = 0
        self.faults: dict[str, Any] = {}
        self.tagged: set[str] = set()  # events the Outlook user filed under OWN_CATEGORY
        self.shaky = False  # a sync failed or was killed since the last verification
        self.started = False
        STATS["examples"] += 1

    def run(self, coro: Any) -> Any:
        try:
            return self.loop.run_until_complete(coro)
        except BaseException:
            self.broken = True  # teardown must not hide the failure under a second one
            raise

    def teardown(self) -> None:
        try:
            if not self.broken:  # end every example settled: a clean sync with --yes, then the checks
                self.run(self._clean_sync(yes=True, verify_if_ok=True, must_succeed=True))
        finally:
            self.loop.run_until_complete(self.world.close())
            self.loop.close()
            self.tmp.cleanup()

    @invariant()
    def count_steps(self) -> None:
        """Counts the steps for the long run's figures: Hypothesis runs invariants once before the first
        step, then after every step."""
        STATS["steps"] += self.started
        self.started = True

    def _ref(self) -> int:
        self.refs += 1
        return self.refs

    def _tick(self) -> int:
        self.clock += 1
        return self.clock

    @initialize(
        crm=st.none() | series_drafts(), outlook=st.none() | series_drafts(), single=st.none() | drafts()
    )
    def start_synced(self, crm: Any, outlook: Any, single: Any) -> None:
        """Most histories start from a series made in the CRM, one made in Outlook and a single action,
        synced and verified: the rules that change a synced item (an occurrence edited or cancelled on
        either side, most of all) then act from the first step, instead of waiting for an add and a sync
        that a short history rarely draws in that order."""
        self.run(self._start_synced(crm, outlook, single))

    async def _start_synced(self, crm: Any, outlook: Any, single: Any) -> None:
        if crm is not None:
            series = await self.world.store.add_series(crm.series())
            self.series.append(SeriesModel.of(self._ref(), crm, crm_id=series.id))
            _count_series(crm)
        if outlook is not None:
            master = await self.outlook.create(outlook.master())
            self.series.append(SeriesModel.of(self._ref(), outlook, master_id=master["id"]))
            _count_series(outlook)
        if single is not None:
            action = await self.world.store.add_action(single.action())
            versions = Versions(None)
            versions.edit("crm", single.shape(), self._tick())
            self.singles.append(Single(self._ref(), versions))
            self.singles[-1].bind(action)
        if self.series or self.singles:
            await self._clean_sync(False, verify_if_ok=True)

    # --- the CRM user -----------------------------------------------------------------------------

    @rule(op=st.sampled_from(("add", "edit", "move", "delete")), draft=drafts(), data=st.data())
    def crm_single(self, op: str, draft: Any, data: st.DataObject) -> None:
        """The CRM user adds, edits, moves or deletes a single action."""
        self.run(self._crm_single(op, draft, data))

    async def _crm_single(self, op: str, draft: Any, data: st.DataObject) -> None:
        store = self.world.store
        if op == "add":
            action = await store.add_action(draft.action())
            versions = Versions(None)
            versions.edit("crm", draft.shape(), self._tick())
            self.singles.append(Single(self._ref(), versions))
            self.singles[-1].bind(action)
            note(f"item #{self.refs} added in the CRM: action {action.id}")
            return
        pairs = await self._crm_pairs()
        if not pairs:
            return
        item, action = _pick(
            data,
            pairs,
            lambda p: bool(p[0].versions.outlook_at or p[0].outlook_deletion),
            lambda p: f"item #{p[0].ref}: CRM action {p[1].id} {action_shape(p[1])}",
        )
        if op == "delete":
            links = await store.links(OWNER, "action")
            item.crm_deleted_linked = str(action.id) in links
            item.crm_deleted_partner = any(
                e["id"] == item.event_id or stamp_of(e) == f"action:{action.id}"
                for e in await self.outlook.events()
            )
            await store.delete_action(action.id)  # type: ignore[arg-type]
            item.crm_deleted = True
            return
        if op == "move":  # same content, another time (kept inside the period)
            changes = {k: v for k, v in draft.changes().items() if k in ("start", "end", "all_day")}
        else:
            changes = draft.changes()
        edited = await store.update_action(action.with_changes(**changes))
        item.versions.edit("crm", action_shape(edited), self._tick())

    async def _crm_pairs(self) -> list[tuple[Single, Action]]:
        """The modelled items the CRM holds, with their action (in model order)."""
        actions = {a.id: a for a in await self.world.store.single_actions(OWNER, self.period)}
        links = await self.world.store.links(OWNER, "action")
        crm_of_remote = {link.remote_id: int(key) for key, link in links.items()}
        pairs = []
        for item in self.singles:
            if item.dead or item.crm_deleted:
                continue
            action = item.own(actions) or actions.get(crm_of_remote.get(item.event_id or ""))  # type: ignore[arg-type]
            if action is not None:
                item.bind(action)
                pairs.append((item, action))
        return pairs

    @rule(op=st.sampled_from(("add", "cancel", "edit", "delete")), draft=series_drafts(), data=st.data())
    def crm_series(self, op: str, draft: Any, data: st.DataObject) -> None:
        """The CRM user adds a weekly series, cancels one of its occurrences, edits one on its own, or
        deletes the whole series."""
        self.run(self._crm_series(op, draft, data))

    async def _crm_series(self, op: str, draft: Any, data: st.DataObject) -> None:
        store = self.world.store
        if op == "add":
            series = await store.add_series(draft.series())
            self.series.append(SeriesModel.of(self._ref(), draft, crm_id=series.id))
            _count_series(draft)
            return
        if op == "delete":
            await self._crm_delete_series(data)
            return
        pairs = []
        for model in self.series:
            series = await self._crm_series_of(model)
            if series is not None:
                pairs += [(model, series, o) for o in expand(series, self.period)]
        if not pairs:
            return
        model, series, occurrence = _pick(
            data,
            pairs,
            lambda p: _touched_in_outlook(p[0].occurrences.get(_original(p[2]))),
            lambda p: f"series #{p[0].ref}: CRM occurrence {action_shape(p[2])}",
        )
        original = occurrence.original_start.astimezone(UTC)
        state = model.occurrences[original]
        if op == "cancel":
            await store.cancel_occurrence(series.id, occurrence.original_start)
            state.crm_cancelled = True
            return
        shift = timedelta(hours=data.draw(st.sampled_from((0, 1, -2)), label="shift"))
        title = data.draw(st.sampled_from(TITLES), label="title")
        edited = occurrence.with_changes(
            title=title, start=occurrence.start + shift, end=occurrence.end + shift
        )
        saved = await store.set_exception(series.id, edited)
        state.versions.edit("crm", action_shape(saved), self._tick())

    async def _crm_delete_series(self, data: st.DataObject) -> None:
        pairs = [(m, s) for m in self.series if (s := await self._crm_series_of(m)) is not None]
        if not pairs:
            return
        model, series = _pick(
            data,
            pairs,
            lambda p: (
                p[0].outlook_deletion is not None
                or any(o.versions.outlook_at for o in p[0].occurrences.values())
            ),
            lambda p: f"series #{p[0].ref}: CRM series {p[1].id} {p[1].title!r}",
        )
        model.crm_deleted_linked = str(series.id) in await self.world.store.links(OWNER, "series")
        model.crm_deleted_partner = any(
            e["id"] == model.master_id or stamp_of(e) == f"series:{series.id}"
            for e in await self.outlook.events()
        )
        await self.world.store.delete_series(series.id)  # type: ignore[arg-type]
        model.crm_deleted = True

    async def _crm_series_of(self, model: SeriesModel) -> Any:
        """The model series' CRM series, unless the CRM user deleted it."""
        if model.dead or model.crm_deleted:
            return None
        found = {s.id: s for s in await self.world.store.series_of(OWNER)}
        if model.crm_id in found:
            return found[model.crm_id]
        links = await self.world.store.links(OWNER, "series")
        for key, link in links.items():
            if link.remote_id == model.master_id and int(key) in found:
                model.crm_id = int(key)
                return found[int(key)]
        return None

    # --- the Outlook user -------------------------------------------------------------------------

    @rule(
        op=st.sampled_from(("add", "edit", "delete", "cancel")),
        draft=drafts(),
        zone=st.sampled_from(ZONES),
        data=st.data(),
    )
    def outlook_single(self, op: str, draft: Any, zone: str, data: st.DataObject) -> None:
        """The Outlook user adds, edits (any field, times included) or deletes a single event; or its
        organiser cancels it (the copy stays, `isCancelled`: for the sync, a deletion)."""
        self.run(self._outlook_single(op, draft, zone, data))

    async def _outlook_single(self, op: str, draft: Any, zone: str, data: st.DataObject) -> None:
        if op == "add":
            event = await self.outlook.create(draft.event(zone))
            versions = Versions(None)
            versions.edit("outlook", draft.shape(), self._tick())
            self.singles.append(Single(self._ref(), versions, event_id=event["id"]))
            note(f"item #{self.refs} added in Outlook: event …{event['id'][-8:]}")
            return
        pairs = await self._outlook_pairs()
        if not pairs:
            return
        item, event = _pick(
            data,
            pairs,
            lambda p: bool(p[0].versions.crm_at or p[0].crm_deleted),
            lambda p: f"item #{p[0].ref}: Outlook event {event_shape(p[1])}",
        )
        item.event_id = event["id"]
        if op == "edit":
            await self.outlook.patch(event["id"], draft.event(zone))
            item.versions.edit("outlook", draft.shape(), self._tick())
            return
        store = self.world.store
        links = await store.links(OWNER, "action")
        partner = next((int(key) for key, link in links.items() if link.remote_id == event["id"]), None)
        actions = {a.id: a for a in await store.single_actions(OWNER, self.period)}
        if partner in actions and not item.crm_deleted:
            item.bind(actions[partner])  # its CRM copy, should the deletion be kept
        linked = partner is not None
        had_crm = not item.crm_deleted and (item.own(actions) is not None or linked)  # type: ignore[arg-type]
        await (self.outlook.cancel if op == "cancel" else self.outlook.delete)(event["id"])
        STATS["organiser cancellations"] += op == "cancel"
        item.outlook_deletion = Deletion(linked=linked, had_crm=had_crm)

    async def _outlook_pairs(self) -> list[tuple[Single, dict[str, Any]]]:
        """The modelled items Outlook holds, with their event: by id, else by the CRM-id stamp."""
        live = [i for i in self.singles if not i.dead and i.outlook_deletion is None]
        pairs = []
        for event in await self.outlook.events():
            if event["type"] != "singleInstance":
                continue
            item = next((i for i in live if i.event_id == event["id"]), None)
            stamp = stamp_of(event) or ""
            if item is None and stamp.startswith("action:"):
                crm_id = int(stamp.removeprefix("action:"))
                owners = sorted((i for i in live if i.crm_id == crm_id), key=lambda i: i.crm_deleted)
                item = owners[0] if owners else None
            if item is not None:
                pairs.append((item, event))
        return sorted(pairs, key=lambda p: p[0].ref)

    @rule(
        op=st.sampled_from(("add", "edit", "delete", "cancel", "delete series", "cancel series")),
        draft=series_drafts(),
        data=st.data(),
    )
    def outlook_series(self, op: str, draft: Any, data: st.DataObject) -> None:
        """The Outlook user adds a weekly series, edits one occurrence (title, time), deletes one, or
        deletes the whole series; or the organiser cancels one occurrence or the whole series (each
        stays in Outlook, `isCancelled`: for the sync, a deletion)."""
        self.run(self._outlook_series(op, draft, data))

    async def _outlook_series(self, op: str, draft: Any, data: st.DataObject) -> None:
        if op == "add":
            master = await self.outlook.create(draft.master())
            self.series.append(SeriesModel.of(self._ref(), draft, master_id=master["id"]))
            _count_series(draft)
            return
        if op in ("delete series", "cancel series"):
            await self._outlook_delete_series(data, cancel=op == "cancel series")
            return
        pairs = []
        for model, master in await self._master_pairs():
            pairs += [(model, master, i) for i in await self.outlook.instances(master["id"], self.period)]
        if not pairs:
            return
        model, master, instance = _pick(
            data,
            pairs,
            lambda p: _touched_in_crm(p[0].occurrences.get(original_start(p[2]))),
            lambda p: f"series #{p[0].ref}: Outlook occurrence {event_shape(p[2])}",
        )
        state = model.occurrences[original_start(instance)]
        if op in ("delete", "cancel"):
            links = await self.world.store.links(OWNER, "series")
            linked = any(link.remote_id == master["id"] for link in links.values())
            await (self.outlook.cancel if op == "cancel" else self.outlook.delete)(instance["id"])
            STATS["organiser cancellations"] += op == "cancel"
            state.outlook_deletion = Deletion(linked=linked)
            return
        shift = timedelta(hours=data.draw(st.sampled_from((0, 1, 3)), label="shift"))
        title = data.draw(st.sampled_from(TITLES), label="title")
        shape = event_shape(instance)
        start = datetime.fromisoformat(instance["start"]["dateTime"][:19]) + shift
        end = datetime.fromisoformat(instance["end"]["dateTime"][:19]) + shift
        body = {
            "subject": title,
            "start": {"dateTime": start.isoformat(), "timeZone": "UTC"},
            "end": {"dateTime": end.isoformat(), "timeZone": "UTC"},
        }
        await self.outlook.patch(instance["id"], body)
        moved = replace(
            shape,
            title=title,
            start=start.replace(tzinfo=UTC).strftime("%Y-%m-%dT%H:%MZ"),
            end=end.replace(tzinfo=UTC).strftime("%Y-%m-%dT%H:%MZ"),
        )
        state.versions.edit("outlook", moved, self._tick())

    async def _outlook_delete_series(self, data: st.DataObject, *, cancel: bool) -> None:
        pairs = await self._master_pairs()
        if not pairs:
            return
        model, master = _pick(
            data,
            pairs,
            lambda p: (
                p[0].crm_deleted
                or any(o.versions.crm_at or o.crm_cancelled for o in p[0].occurrences.values())
            ),
            lambda p: f"series #{p[0].ref}: Outlook master {p[1]['subject']!r}",
        )
        links = await self.world.store.links(OWNER, "series")
        partner = next((int(key) for key, link in links.items() if link.remote_id == master["id"]), None)
        if partner is not None and not model.crm_deleted:
            model.crm_id = partner  # its CRM copy, should the deletion be kept
        linked = partner is not None
        had_crm = not model.crm_deleted and (linked or await self._crm_series_of(model) is not None)
        await (self.outlook.cancel if cancel else self.outlook.delete)(master["id"])
        STATS["organiser cancellations"] += cancel
        model.outlook_deletion = Deletion(linked=linked, had_crm=had_crm)

    async def _master_pairs(self) -> list[tuple[SeriesModel, dict[str, Any]]]:
        """The model series Outlook holds (unless the Outlook user deleted them), with their master."""
        live = [m for m in self.series if not m.dead and m.outlook_deletion is None]
        pairs = []
        for event in await self.outlook.events():
            if event["type"] != "seriesMaster":
                continue
            stamp = stamp_of(event) or ""
            model = next((m for m in live if m.master_id == event["id"]), None)
            if model is None and stamp.startswith("series:"):
                crm_id = int(stamp.removeprefix("series:"))
                model = next((m for m in live if m.crm_id == crm_id), None)
            if model is not None:
                model.master_id = event["id"]
                pairs.append((model, event))
        return sorted(pairs, key=lambda p: p[0].ref)

    @rule(data=st.data())
    def outlook_tag(self, data: st.DataObject) -> None:
        """The Outlook user files an event or a series under a category of their own, one the CRM does
        not know: no CRM update may take it away (an update sends only what differs)."""
        self.run(self._outlook_tag(data))

    async def _outlook_tag(self, data: st.DataObject) -> None:
        events = await self.outlook.events()
        if not events:
            return
        event = events[data.draw(st.integers(0, len(events) - 1), label="index")]
        note(f"Outlook tags {event['type']} {event.get('subject')!r} …{event['id'][-8:]} {OWN_CATEGORY!r}")
        await self.outlook.tag(event["id"], OWN_CATEGORY)
        self.tagged.add(event["id"])
        STATS["Outlook-only categories"] += 1
        # Outlook dates a change of the whole item (lastModifiedDateTime), not of each field: after
        # this, an Outlook edit still pending is as recent as the tag for the `newest` policy; a
        # master's date is its occurrences' too.
        tick = self._tick()
        for item, paired in await self._outlook_pairs():
            if paired["id"] == event["id"]:
                item.versions.touch("outlook", tick)
        for model, master in await self._master_pairs():
            if master["id"] == event["id"]:
                for occurrence in model.occurrences.values():
                    occurrence.versions.touch("outlook", tick)

    # --- faults and syncs ---------------------------------------------------------------------------

    @rule(
        throttle=st.sampled_from((0.0, 0.1, 0.3)),
        error_503=st.sampled_from((0.0, 0.1, 0.2)),
        drop_after=st.sampled_from((None, None, None, 6)),
        seed=st.integers(0, 99),
    )
    def set_faults(self, throttle: float, error_503: float, drop_after: int | None, seed: int) -> None:
        """Faults for the next sync only (the Outlook user's own calls never see them)."""
        self.faults = {
            "throttle_rate": throttle,
            "error_503_rate": error_503,
            "retry_after": 0.01,
            "drop_after": drop_after,
            "seed": seed,
        }

    @rule(yes=st.booleans(), heal=st.booleans())
    def sync(self, yes: bool, heal: bool) -> None:
        """A headless sync (with or without --yes), under the faults set, if any. A clean successful one
        is verified; after a faulted one, `heal` turns the faults off, syncs again and verifies."""
        self.run(self._sync_rule(yes, heal))

    async def _sync_rule(self, yes: bool, heal: bool) -> None:
        faulted = await self._apply_faults()
        outcome = await self._sync(yes, clean=not faulted)
        if faulted:
            await self.world.faults(throttle_rate=0.0, error_503_rate=0.0, drop_after=None)
        if outcome == "ok" and not faulted:
            await self._verify(yes)
        elif faulted and heal:
            await self._clean_sync(yes, verify_if_ok=True)

    @rule(
        yes=st.booleans(),
        unit=st.sampled_from(("requests", "statements")),
        requests=st.integers(1, 10),
        statements=st.integers(1, 90),
    )
    def killed_sync(self, yes: bool, unit: str, requests: int, statements: int) -> None:
        """A sync killed once the fake has answered `requests` Graph requests, or once the store has run
        `statements` SQL statements (under the faults set, if any); then run again cleanly, verified."""
        self.run(self._killed_sync(yes, unit, requests if unit == "requests" else statements))

    async def _killed_sync(self, yes: bool, unit: str, after: int) -> None:
        faulted = await self._apply_faults()
        killed, summary = await run_killed(self.world, lambda: self._run_sync(yes), after, unit)
        if faulted:
            await self.world.faults(throttle_rate=0.0, error_503_rate=0.0, drop_after=None)
        if killed:
            note(f"sync (yes={yes}) killed after {after} {unit}")
            STATS[f"syncs killed (by {unit})"] += 1
            self._record(yes, ok=False)
            assert not await lease_left(self.world), "a killed sync kept its lease"
        else:
            self._outcome(summary, yes, clean=not faulted)
        await self._clean_sync(yes, verify_if_ok=True)

    async def _apply_faults(self) -> bool:
        faults, self.faults = self.faults, {}
        active = bool(faults) and bool(
            faults["throttle_rate"] or faults["error_503_rate"] or faults["drop_after"] is not None
        )
        if active:
            await self.world.faults(**faults)
        return active

    async def _run_sync(self, yes: bool) -> Summary | UserError:
        started = time.monotonic()
        try:
            return await self.world.sync(confirmer=AnswerAll(yes=yes))
        except UserError as error:  # allowed under faults (a failure is one clear line, never a traceback)
            return error
        finally:
            SECONDS["in syncs"] += time.monotonic() - started

    async def _sync(self, yes: bool, *, clean: bool) -> str:
        return self._outcome(await self._run_sync(yes), yes, clean=clean)

    def _outcome(self, summary: Any, yes: bool, *, clean: bool) -> str:
        """Record a finished sync in the model: "ok", "refused" (a mass deletion without --yes) or
        "failed" (only allowed under faults)."""
        STATS["syncs"] += 1
        STATS["faulted syncs"] += not clean
        if isinstance(summary, Summary) and summary.agenda:
            a = summary.agenda
            note(
                f"sync (yes={yes}, {'clean' if clean else 'faulted'}): CRM {a.crm.__dict__}, "
                f"Microsoft {a.microsoft.__dict__}, kept {a.kept}, conflicts {a.conflicts}, "
                f"errors {summary.errors}"
            )
        else:
            note(f"sync (yes={yes}, {'clean' if clean else 'faulted'}) failed: {summary}")
        if isinstance(summary, Summary) and summary.ok:
            self._record(yes, ok=True)
            return "ok"
        errors = summary.errors if isinstance(summary, Summary) else [str(summary)]
        refused = not yes and all(e.startswith(MASS_REFUSED) for e in errors)
        assert refused or not clean, f"a sync with no fault failed: {errors}"
        STATS["refused mass deletions" if refused else "failed syncs"] += 1
        self._record(yes, ok=False)
        return "refused" if refused else "failed"

    def _record(self, yes: bool, *, ok: bool) -> None:
        """Tell every pending Outlook deletion that a sync saw it."""
        if not ok:
            self.shaky = True
        for item in self.singles:
            if item.outlook_deletion:
                item.outlook_deletion.saw(yes, ok)
        for model in self.series:
            if model.outlook_deletion:
                model.outlook_deletion.saw(yes, ok)
            for state in model.occurrences.values():
                if state.outlook_deletion:
                    state.outlook_deletion.saw(yes, ok)

    async def _clean_sync(self, yes: bool, *, verify_if_ok: bool, must_succeed: bool = False) -> None:
        outcome = await self._sync(yes, clean=True)
        if must_succeed and outcome == "refused":  # only in teardown, which syncs with --yes
            raise AssertionError("the final sync with --yes was refused")
        if outcome == "ok" and verify_if_ok:
            await self._verify(yes)

    # --- the checks ---------------------------------------------------------------------------------

    async def _verify(self, yes: bool) -> None:
        """After a clean, successful sync: check both sides against each other and the model, settle
        the model on what was found, then check that one more sync writes nothing."""
        sides = await read_sides(self.world, self.outlook, self.period)
        problems = self._check_singles(sides) + self._check_series(sides) + self._check_tags(sides)
        assert not problems, "after a clean sync:\n  " + "\n  ".join(problems) + self._dump(sides)
        self.shaky = False
        STATS["verified syncs"] += 1
        await self.world.clear_requests()
        again = await self.world.sync(confirmer=AnswerAll(yes=yes))
        log = await self.world.requests()
        assert again.errors == [], again.errors
        counts = (again.agenda.crm.__dict__, again.agenda.microsoft.__dict__, again.agenda.kept)  # type: ignore[union-attr]
        zero = {"created": 0, "updated": 0, "deleted": 0}
        assert counts == (zero, zero, 0), f"a second sync changed something: {counts}"
        assert writes_in(log) == [], f"a second sync wrote: {writes_in(log)}"

    def _check_tags(self, sides: Sides) -> list[str]:
        """Every tagged event still in Outlook (its id never changes) keeps its own category, and so do
        the occurrences of a tagged series."""
        problems = []
        for event_id in sorted(self.tagged):
            event = sides.events.get(event_id) or sides.masters.get(event_id)
            held = [event] if event else []
            held += sides.instances.get(event_id, [])
            for item in held:
                if OWN_CATEGORY not in item["categories"]:
                    problems.append(
                        f"{item['type']} {event_shape(item)} lost {OWN_CATEGORY!r}: {item['categories']}"
                    )
        return problems

    def _check_singles(self, sides: Sides) -> list[str]:
        problems: list[str] = []
        links = sides.links["action"]
        crm_of_remote = {link.remote_id: int(key) for key, link in links.items()}
        by_stamp: dict[str, list[str]] = {}
        for event_id, event in sides.events.items():
            by_stamp.setdefault(stamp_of(event) or "", []).append(event_id)
        for stamp, ids in by_stamp.items():
            if stamp and len(ids) > 1:
                problems.append(f"{len(ids)} Outlook events carry the stamp {stamp}: {ids}")
        claimed_crm: dict[int, int] = {}
        claimed_events: dict[str, int] = {}
        for item in self.singles:
            if item.dead:
                continue
            crm = None if item.crm_deleted else item.own(sides.crm_singles)  # type: ignore[arg-type]
            if crm is None and item.event_id in crm_of_remote:
                crm = sides.crm_singles.get(crm_of_remote[item.event_id])  # type: ignore[index]
            event = sides.events.get(item.event_id or "")
            if event is None and crm is not None:
                link = links.get(str(crm.id))
                remote = link.remote_id if link else (by_stamp.get(f"action:{crm.id}") or [""])[0]
                event = sides.events.get(remote)
            if crm is None and event is not None and (stamp_of(event) or "").startswith("action:"):
                crm = sides.crm_singles.get(int(stamp_of(event).removeprefix("action:")))  # type: ignore[union-attr]
            name = f"item #{item.ref}"
            for kind, key, claimed in (
                ("CRM action", crm and crm.id, claimed_crm),
                ("Outlook event", event and event["id"], claimed_events),
            ):
                if key is not None:
                    if key in claimed:
                        problems.append(f"{kind} {key} belongs to both item #{claimed[key]} and {name}")
                    claimed[key] = item.ref  # type: ignore[index]
            expect = item.expectation(self.shaky)
            where = (crm is not None, event is not None)
            allowed = {
                Expect.PRESENT: {(True, True)},
                Expect.GONE: {(False, False)},
                Expect.EITHER: {(True, True), (False, False)},
            }[expect]
            if where not in allowed:
                problems.append(
                    f"{name} should be {expect.value}; CRM: {crm and action_shape(crm)}, "
                    f"Outlook: {event and event_shape(event)} ({self._story(item)})"
                )
                continue
            if crm is None or event is None:
                item.dead = True
                continue
            crm_shape, outlook_shape = action_shape(crm), event_shape(event)
            if crm_shape != outlook_shape:
                problems.append(f"{name} differs: CRM {crm_shape} / Outlook {outlook_shape}")
            wanted = item.expected_shape(self.shaky)
            if crm_shape not in wanted:
                problems.append(
                    f"{name} is {crm_shape}, expected {' or '.join(map(str, wanted))} ({self._story(item)})"
                )
            link = links.get(str(crm.id))
            if link is None or link.remote_id != event["id"]:
                problems.append(f"{name}: no link from CRM action {crm.id} to event {event['id']} ({link})")
            if wrong := stamp_problem(event, f"action:{crm.id}"):
                problems.append(f"{name}: event {event['id']} {wrong}")
            item.bind(crm)
            item.event_id = event["id"]
            item.crm_deleted = item.crm_deleted_linked = item.crm_deleted_partner = False
            item.outlook_deletion = None
            item.versions.settle(crm_shape)
        for action_id, action in sides.crm_singles.items():
            if action_id not in claimed_crm:
                problems.append(
                    f"CRM action {action_id} {action_shape(action)} belongs to no item (a duplicate?)"
                )
        for event_id, event in sides.events.items():
            if event_id not in claimed_events:
                problems.append(
                    f"Outlook event {event_shape(event)} (stamp {stamp_of(event)}) belongs to no item "
                    "(a duplicate?)"
                )
        for key, link in links.items():
            if int(key) not in sides.crm_singles or link.remote_id not in sides.events:
                problems.append(f"the link of CRM action {key} points to nothing ({link.remote_id})")
        return problems

    def _check_series(self, sides: Sides) -> list[str]:
        problems: list[str] = []
        links = sides.links["series"]
        occurrence_links = sides.links["occurrence"]
        claimed_crm: set[int] = set()
        claimed_masters: set[str] = set()
        for model in self.series:
            if model.dead:
                continue
            crm = None if model.crm_deleted else sides.crm_series.get(model.crm_id)  # type: ignore[arg-type]
            if crm is None:
                crm_id = next((int(k) for k, v in links.items() if v.remote_id == model.master_id), None)
                crm = sides.crm_series.get(crm_id)  # type: ignore[arg-type]
            master = sides.masters.get(model.master_id or "")
            if master is None and crm is not None:
                link = links.get(str(crm.id))
                master = sides.masters.get(link.remote_id if link else "")
            name = f"series #{model.ref} {model.draft.title!r}"
            # Every occurrence cancelled on one side before the series ever reached the other: nothing
            # of it is in the period, so the sync never sees it (calendarView shows instances only).
            if (
                not model.pending
                and crm is not None
                and master is None
                and str(crm.id) not in links
                and not expand(crm, self.period)
            ):
                claimed_crm.add(crm.id)  # type: ignore[arg-type]
                continue
            unlinked = master is not None and all(v.remote_id != master["id"] for v in links.values())
            if (
                not model.pending
                and crm is None
                and master is not None
                and unlinked
                and not sides.instances.get(master["id"])
            ):
                claimed_masters.add(master["id"])
                continue
            expect = model.expectation(self.shaky)
            where = (crm is not None, master is not None)
            if (
                where
                not in {
                    Expect.PRESENT: {(True, True)},
                    Expect.GONE: {(False, False)},
                    Expect.EITHER: {(True, True), (False, False)},
                }[expect]
            ):
                problems.append(
                    f"{name} should be {expect.value}: CRM {crm and crm.id}, "
                    f"Outlook {master and master['id']} (crm_deleted={model.crm_deleted}, "
                    f"outlook_deletion={model.outlook_deletion})"
                )
                continue
            if crm is None or master is None:
                model.dead = True
                continue
            if crm.id in claimed_crm or master["id"] in claimed_masters:
                problems.append(f"{name}: CRM series {crm.id} / master {master['id']} claimed twice")
            claimed_crm.add(crm.id)  # type: ignore[arg-type]
            claimed_masters.add(master["id"])
            model.crm_id, model.master_id = crm.id, master["id"]
            count = master["recurrence"]["range"].get("numberOfOccurrences")
            if (crm.title, crm.recurrence.count) != (
                master["subject"],
                count,
            ) or crm.title != model.draft.title:
                problems.append(
                    f"{name}: CRM {crm.title!r}×{crm.recurrence.count}, Outlook {master['subject']!r}×{count}"
                )
            link = links.get(str(crm.id))
            if link is None or link.remote_id != master["id"]:
                problems.append(f"{name}: no link from CRM series {crm.id} to master {master['id']}")
            if wrong := stamp_problem(master, f"series:{crm.id}"):
                problems.append(f"{name}: master {wrong}")
            problems += self._check_occurrences(sides, model, crm.id, master["id"], occurrence_links)  # type: ignore[arg-type]
            model.crm_deleted = model.crm_deleted_linked = model.crm_deleted_partner = False
            model.outlook_deletion = None
        problems += [
            f"CRM series {i} belongs to no model series" for i in sides.crm_series if i not in claimed_crm
        ]
        problems += [
            f"master {m} belongs to no model series" for m in sides.masters if m not in claimed_masters
        ]
        return problems

    def _check_occurrences(
        self, sides: Sides, model: SeriesModel, series_id: int, master_id: str, links: dict[str, Any]
    ) -> list[str]:
        problems: list[str] = []
        crm_occ = sides.crm_occurrences(series_id, self.period)
        out_occ = sides.outlook_occurrences(master_id)
        for stray in (crm_occ.keys() | out_occ.keys()) - model.occurrences.keys():
            problems.append(f"series #{model.ref}: an occurrence at {stray} that the rule never made")
        allowed = {
            Expect.PRESENT: {(True, True)},
            Expect.GONE: {(False, False)},
            Expect.KEPT: {(True, False)},
            Expect.KEPT_OR_GONE: {(True, False), (False, False)},
        }
        for original, state in sorted(model.occurrences.items()):
            name = f"series #{model.ref} occurrence {original:%Y-%m-%d %H:%MZ}"
            # A series deleted on a side then kept or restored is copied whole from the side that won.
            expect = Expect.KEPT_OR_GONE if model.pending else state.expectation(self.shaky)
            crm, event = crm_occ.get(original), out_occ.get(original)
            where = (crm is not None, event is not None)
            if where not in allowed[expect] | ({(True, True)} if model.pending else set()):
                problems.append(
                    f"{name} should be {expect.value}; CRM: {crm and action_shape(crm)}, "
                    f"Outlook: {event and event_shape(event)}"
                )
                continue
            link = links.get(occurrence_key(series_id, original, False, PARIS))
            if where == (False, False):
                state.crm_cancelled, state.outlook_deletion = True, None
                continue
            if where == (True, False):
                state.kept, state.outlook_deletion = True, None
                if link is None or not link.remote_id.startswith(KEPT_CANCELLED):
                    problems.append(f"{name} is kept in the CRM only, but not remembered so ({link})")
                continue
            # On both sides: an ordinary pair from now on, whatever it was before. A kept Outlook
            # cancellation gets there when Outlook deletes its series and the CRM keeps the series: the
            # series is written back whole, as a new master, and a new master can hold the occurrence.
            state.kept = state.crm_cancelled = False
            state.outlook_deletion = None
            crm_shape, outlook_shape = action_shape(crm), event_shape(event)  # type: ignore[arg-type]
            if crm_shape != outlook_shape:
                problems.append(f"{name} differs: CRM {crm_shape} / Outlook {outlook_shape}")
            wanted = state.versions.candidates() if self.shaky else {state.versions.expected()}
            if model.pending:
                wanted = {crm_shape}  # whichever side won, as long as both agree
            if crm_shape not in wanted:
                problems.append(f"{name} is {crm_shape}, expected {' or '.join(map(str, wanted))}")
            if link is None or link.remote_id != event["id"]:  # type: ignore[index]
                problems.append(f"{name}: no link to its Outlook occurrence ({link})")
            state.versions.settle(crm_shape)
        return problems

    def _dump(self, sides: Sides) -> str:
        """Everything, for a failure message: the model's items, both sides and the links."""
        lines = ["", "model:"]
        lines += [
            f"  #{i.ref} crm={i.crm_id} event=…{(i.event_id or '')[-8:]} {self._story(i)}"
            for i in self.singles
        ]
        lines += [f"  series #{m.ref} crm={m.crm_id} master=…{(m.master_id or '')[-8:]}" for m in self.series]
        lines.append("CRM actions:")
        lines += [f"  {i} {action_shape(a)}" for i, a in sorted(sides.crm_singles.items())]
        lines.append("Outlook events:")
        lines += [f"  …{i[-8:]} {stamp_of(e)} {event_shape(e)}" for i, e in sides.events.items()]
        lines.append(
            "links: " + ", ".join(f"{k}→…{v.remote_id[-8:]}" for k, v in sides.links["action"].items())
        )
        return "\n".join(lines)

    def _story(self, item: Single) -> str:
        v = item.versions
        return (
            f"crm={v.crm} @{v.crm_at}, outlook={v.outlook} @{v.outlook_at}, "
            f"crm_deleted={item.crm_deleted} (linked={item.crm_deleted_linked}), "
            f"outlook_deletion={item.outlook_deletion}, shaky={self.shaky}"
        )


FAST = settings(
    max_examples=12,
    stateful_step_count=10,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
MEMORY_EXAMPLES = 40  # the in-memory machine's default run: what fits in the HTTPS one's time


def _count_series(draft: SeriesDraft) -> None:
    """Count the series kinds the runs made: monthly on day 29–31, started off their pattern."""
    STATS[f"series monthly on day {draft.month_day}" if draft.month_day else "series weekly"] += 1
    STATS["series started off their pattern"] += draft.skew > 0


def _run_seeded(
    request: pytest.FixtureRequest,
    machine_settings: settings,
    *,
    slow: bool = False,
    machine: type[AgendaMachine] = AgendaMachine,
) -> Any:
    """Run the machine under one seed — `--hypothesis-seed`'s if given, else a fresh one — and return it;
    on failure, end the report with the command line that runs that seed again. Hypothesis itself prints
    a seed only when shrinking gives up, and its example database would replay an old failure first: it
    is left out, so the seed alone decides the histories."""
    given_seed = request.config.getoption("--hypothesis-seed", default=None)
    chosen = given_seed if given_seed is not None else random.SystemRandom().getrandbits(128)
    examples = os.environ.get("TUI_SYNC_MACHINE_EXAMPLES")
    command = " ".join(
        part
        for part in (
            f"TUI_SYNC_MACHINE_EXAMPLES={examples}" if slow and examples else "",
            ".venv/bin/pytest",
            "-m slow" if slow else "",
            f"-p no:cacheprovider {request.node.nodeid} --hypothesis-seed={chosen}",
        )
        if part
    )
    try:
        run_state_machine_as_test(
            seed(chosen)(lambda: machine()), settings=settings(machine_settings, database=None)
        )
    except Exception as error:
        line = f"To reproduce this failure: {command}"
        print(line)
        error.add_note(line)
        raise
    return chosen


def test_random_histories_converge(request: pytest.FixtureRequest) -> None:
    """~12 random histories of ≤ 10 steps, each ending with a verified sync."""
    _run_seeded(request, FAST)


@pytest.mark.slow
def test_random_histories_converge_long(request: pytest.FixtureRequest) -> None:
    """The long run: TUI_SYNC_MACHINE_EXAMPLES histories (default 200) of ≤ 25 steps."""
    examples = int(os.environ.get("TUI_SYNC_MACHINE_EXAMPLES", "200"))
    started = time.monotonic()
    STATS.clear()
    SECONDS.clear()
    chosen = _run_seeded(request, settings(FAST, max_examples=examples, stateful_step_count=25), slow=True)
    seconds = {k: round(v, 1) for k, v in SECONDS.items()}
    print(
        f"\n{examples} examples in {time.monotonic() - started:.1f} s (seed {chosen}): "
        f"{dict(STATS)} {seconds}"
    )


class MemoryAgendaMachine(AgendaMachine):
    """The machine in memory (`tests/sync/memory_world.py`): no HTTP, so no HTTP faults (throttling,
    503s, dropped connections); syncs are still killed after N answered requests or N SQL statements."""

    open_world = staticmethod(open_memory_world)
    outlook_user = MemoryOutlookUser
    scratch = "/dev/shm" if Path("/dev/shm").is_dir() else None  # a real SQLite file, on tmpfs

    def set_faults(self, throttle: float, error_503: float, drop_after: int | None, seed: int) -> None:
        """Not a rule here: there is no HTTP to fault in memory."""


def test_random_histories_converge_in_memory(request: pytest.FixtureRequest) -> None:
    """More random histories than the HTTPS machine's, in about its time."""
    with sqlite_in_loop():
        _run_seeded(request, settings(FAST, max_examples=MEMORY_EXAMPLES), machine=MemoryAgendaMachine)


@pytest.mark.slow
def test_random_histories_converge_in_memory_long(request: pytest.FixtureRequest) -> None:
    """The long run in memory: ten times TUI_SYNC_MACHINE_EXAMPLES histories (default 2000)."""
    examples = 10 * int(os.environ.get("TUI_SYNC_MACHINE_EXAMPLES", "200"))
    started = time.monotonic()
    STATS.clear()
    SECONDS.clear()
    machine_settings = settings(FAST, max_examples=examples, stateful_step_count=25)
    with sqlite_in_loop():
        chosen = _run_seeded(request, machine_settings, slow=True, machine=MemoryAgendaMachine)
    seconds = {k: round(v, 1) for k, v in SECONDS.items()}
    print(
        f"\nin memory: {examples} examples in {time.monotonic() - started:.1f} s (seed {chosen}): "
        f"{dict(STATS)} {seconds}"
    )


# --- killed syncs, deterministically; the bugs the machine found, kept as scenarios -------------------------


async def _fill(world: World) -> None:
    """Something of every kind on both sides: singles (one all-day) and a series created in the CRM;
    singles and a series created in Outlook, one of its occurrences already edited there."""
    store, outlook = world.store, OutlookUser(world)
    for day, all_day in ((3, False), (4, True), (9, False)):
        await store.add_action(Draft("Visite", day, 10, 0, 60, all_day, 1, day == 9, True).action())
    await store.add_series(SeriesDraft("Réunion", 5, 9, 4).series())
    for day in (6, 7):
        await outlook.create(Draft("Appel", day, 14, 30, 30, False, 1, False, False).event(ZONES[day % 2]))
    master = await outlook.create(SeriesDraft("Point", 2, 11, 3).master())
    first = (await outlook.instances(master["id"], world.service.default_period(world.user)))[0]
    await outlook.patch(first["id"], {"subject": "Point (salle B)"})


async def _assert_converged(world: World, titles: list[str]) -> None:
    """Both sides agree, hold the expected single actions once each, and a further sync writes nothing."""
    period = world.service.default_period(world.user)
    sides = await read_sides(world, OutlookUser(world), period)
    assert agreement_problems(sides, period) == []
    assert sorted(a.title for a in sides.crm_singles.values()) == sorted(titles)
    assert sorted(s.title for s in sides.crm_series.values()) == ["Point", "Réunion"]
    await world.clear_requests()
    again = await world.sync(confirmer=AnswerAll(yes=True))
    assert again.errors == [] and writes_in(await world.requests()) == []


async def _first_sync_requests(tmp_path: Path) -> int:
    world = await open_world(tmp_path / "uninterrupted")
    try:
        await _fill(world)
        await world.clear_requests()
        assert (await world.sync(confirmer=AnswerAll(yes=True))).errors == []
        return len(await world.requests())
    finally:
        await world.close()


async def test_a_sync_killed_mid_way_and_rerun_converges_with_no_duplicates(tmp_path: Path) -> None:
    """Killed once the fake has answered k requests, for every k of an uninterrupted first sync (so
    after each batch of writes, some of them applied with their answers lost), then run again."""
    total = await _first_sync_requests(tmp_path)
    assert total >= 6
    for after in range(1, total):
        world = await open_world(tmp_path / f"killed-after-{after}")
        try:
            await _fill(world)
            killed, _ = await run_killed(world, lambda w=world: w.sync(confirmer=AnswerAll(yes=True)), after)
            assert killed, after
            summary = await world.sync(confirmer=AnswerAll(yes=True))
            assert summary.errors == [], (after, summary.errors)
            await _assert_converged(world, ["Appel", "Appel", "Visite", "Visite", "Visite"])
        finally:
            await world.close()


@pytest.mark.parametrize("table", ["actions", "series"])
async def test_a_sync_killed_after_copying_an_outlook_item_to_the_crm_duplicates_nothing(
    world: World, table: str
) -> None:
    """Found by the machine: the CRM copy of an Outlook item was committed before the Outlook item was
    stamped and linked; killed in between, the re-run paired nothing and copied both ways."""
    outlook = OutlookUser(world)
    if table == "actions":
        await outlook.create(Draft("Appel", 6, 14, 30, 30, False, 1, False, False).event("UTC"))
    else:
        await outlook.create(SeriesDraft("Point", 2, 11, 3).master())
    killed, _ = await run_killed(
        world,
        lambda: world.sync(confirmer=AnswerAll(yes=True)),
        at_commit_after(f"INSERT INTO {table}"),
        "statements",
    )
    assert killed
    assert (await world.sync(confirmer=AnswerAll(yes=True))).errors == []
    sides = await read_sides(world, outlook, world.service.default_period(world.user))
    assert (len(sides.crm_singles) + len(sides.crm_series), len(sides.events) + len(sides.masters)) == (1, 1)


@pytest.mark.parametrize("table", ["actions", "series"])
async def test_a_killed_sync_stamps_its_crm_copies_on_the_rerun(world: World, table: str) -> None:
    """Found by the machine: killed between the CRM copy (committed with its link) and the stamp write,
    the item was never stamped, so a Reset calendar then a sync duplicated it."""
    outlook = OutlookUser(world)
    if table == "actions":
        await outlook.create(Draft("Appel", 6, 14, 30, 30, False, 1, False, False).event("UTC"))
    else:
        await outlook.create(SeriesDraft("Point", 2, 11, 3).master())
    kill = at_commit_after(f"INSERT INTO {table}")
    assert (await run_killed(world, lambda: world.sync(), kill, "statements"))[0]
    assert (await world.sync()).errors == []
    [item] = await outlook.events()
    assert stamp_of(item) == f"{'action' if table == 'actions' else 'series'}:1"
    await world.store.clear_links(OWNER, ["action", "series", "occurrence"])  # Reset calendar
    assert (await world.sync()).errors == []
    sides = await read_sides(world, outlook, world.service.default_period(world.user))
    assert (len(sides.crm_singles) + len(sides.crm_series), len(sides.events) + len(sides.masters)) == (1, 1)


def _write_back_answered(log: list[dict[str, Any]]) -> bool:
    return any(s["method"] == "POST" and s["status"] == 201 for entry in log for s in entry["sub_requests"])


@pytest.mark.parametrize("yes", [False, True])
async def test_a_sync_killed_after_writing_back_a_kept_item_duplicates_nothing(
    world: World, yes: bool
) -> None:
    """Found by the machine: a kept item's write-back whose answer was lost was an unlinked event stamped
    with a CRM id still linked to the gone event; the re-run copied it to the CRM as a new action."""
    outlook = OutlookUser(world)
    for day in (3, 4, 5):  # three, so that one deletion is not a mass deletion
        await world.store.add_action(Draft("Visite", day, 10, 0, 60, False, 1, False, False).action())
    assert (await world.sync(confirmer=AnswerAll(yes=False))).errors == []
    links = await world.store.links(OWNER, "action")
    await outlook.delete(links["1"].remote_id)
    killed, _ = await run_killed(
        world, lambda: world.sync(confirmer=AnswerAll(yes=False)), _write_back_answered
    )
    assert killed  # the kept action went back to Outlook, but its link was not recorded
    assert (await world.sync(confirmer=AnswerAll(yes=yes))).errors == []
    sides = await read_sides(world, outlook, world.service.default_period(world.user))
    # Without --yes the kept action stays itself; with --yes it may also be deleted on both sides now.
    # Never a new CRM action: that is the lost write-back copied back as if Outlook had made it.
    assert sorted(sides.crm_singles) in ([1, 2, 3], [2, 3] if yes else [1, 2, 3])
    assert agreement_problems(sides, world.service.default_period(world.user)) == []


@pytest.mark.parametrize("master", ["created", "written back"])
async def test_a_sync_killed_after_sending_a_series_master_keeps_the_crm_occurrence_edits(
    world: World, master: str
) -> None:
    """Found while pinning the kept cancellation below: killed once the new master (a first sync's, or
    one a kept Outlook deletion writes back) was created, its answer lost, the re-run paired the series by
    its stamp, compared occurrences with no base, and Outlook's fresh, plain occurrence, being newer,
    overwrote the CRM's edited one."""
    outlook, period = OutlookUser(world), world.service.default_period(world.user)
    series = await world.store.add_series(SeriesDraft("Réunion", 2, 9, 3).series())
    edited = expand(series, period)[2].with_changes(title="Réunion (salle B)")
    await world.store.set_exception(series.id, edited)  # type: ignore[arg-type]
    if master == "written back":  # the POST the kill waits for is the master's
        for day in (3, 4, 5):  # three, so that one series deletion is not a mass deletion
            await world.store.add_action(Draft("Visite", day, 10, 0, 60, False, 1, False, False).action())
        assert (await world.sync()).errors == []
        await outlook.delete((await world.store.links(OWNER, "series"))[str(series.id)].remote_id)
    killed, _ = await run_killed(
        world, lambda: world.sync(confirmer=AnswerAll(yes=False)), _write_back_answered
    )
    assert killed
    assert (await world.sync(confirmer=AnswerAll(yes=False))).errors == []
    sides = await read_sides(world, outlook, period)
    assert sides.crm_occurrences(series.id, period)[_original(edited)].title == "Réunion (salle B)"  # type: ignore[arg-type]
    assert agreement_problems(sides, period) == []


@pytest.mark.parametrize(
    "point",
    [
        "INSERT INTO sync_leases",
        "UPDATE sync_runs",
        "DELETE FROM sync_leases",
    ],
)
async def test_a_cancelled_sync_leaves_no_lease_behind(world: World, point: str) -> None:
    """Found by the machine: a sync cancelled while taking its lease, while recording its run, or while
    giving the lease back, kept it for LEASE_SECONDS and the next run was refused."""
    kill = at_commit_after(point) if point.startswith("INSERT") else at_statement(point)  # in the finally
    killed, _ = await run_killed(world, lambda: world.sync(), kill, "statements")
    assert killed
    assert not await lease_left(world)


async def test_a_sync_cancelled_while_the_store_begins_a_transaction_leaves_it_usable(world: World) -> None:
    """Found by the machine: cancelled while awaiting BEGIN (which still runs in aiosqlite's thread), the
    store never rolled back, and every later write failed with 'database is busy'."""
    killed, _ = await run_killed(world, lambda: world.sync(), at_statement("BEGIN"), "statements")
    assert killed
    await world.store.add_action(Draft("Visite", 3, 10, 0, 60, False, 1, False, False).action())


# --- more bugs the machine found (no kill needed) -----------------------------------------------------------


async def test_a_new_crm_action_never_takes_over_the_event_of_a_deleted_one(world: World) -> None:
    """Found by the machine: SQLite reused a deleted action's id, and with it its link: an Outlook edit of
    the deleted action's event overwrote the new action."""
    outlook = OutlookUser(world)
    first = await world.store.add_action(Draft("Appel", 3, 10, 0, 60, False, 1, False, False).action())
    assert (await world.sync()).errors == []
    [event] = await outlook.events()
    await world.store.delete_action(first.id)  # type: ignore[arg-type]
    second = await world.store.add_action(Draft("Visite", 5, 15, 0, 60, False, 1, False, False).action())
    await outlook.patch(event["id"], {"subject": "Appel (moved by Outlook)"})
    assert (await world.sync(confirmer=AnswerAll(yes=True))).errors == []
    sides = await read_sides(world, outlook, world.service.default_period(world.user))
    assert "Visite" in {a.title for a in sides.crm_singles.values()}, (first.id, second.id)


async def test_an_occurrence_edited_on_both_sides_follows_the_newest_edit(world: World) -> None:
    """Found by the machine: a CRM occurrence edit was dated by its series' updated_at, so Outlook's older
    edit won; occurrence conflicts were not counted either."""
    outlook, period = OutlookUser(world), world.service.default_period(world.user)
    series = await world.store.add_series(SeriesDraft("Point", 2, 9, 3).series())
    assert (await world.sync()).errors == []
    [master] = await outlook.events()
    first = min(await outlook.instances(master["id"], period), key=lambda e: e["start"]["dateTime"])
    await outlook.patch(first["id"], {"subject": "Outlook's edit"})
    await asyncio.sleep(0.01)  # the CRM's edit is the newer one
    occurrence = expand(await world.store.get_series(series.id), period)[0]
    await world.store.set_exception(series.id, occurrence.with_changes(title="CRM's later edit"))  # type: ignore[arg-type]
    summary = await world.sync()
    assert summary.errors == []
    sides = await read_sides(world, outlook, period)
    assert sides.crm_occurrences(series.id, period)[_original(occurrence)].title == "CRM's later edit"  # type: ignore[arg-type]
    assert summary.agenda.conflicts == 1  # type: ignore[union-attr]


@pytest.mark.parametrize("kind", ["action", "series"])
async def test_an_item_deleted_in_the_crm_and_edited_in_outlook_is_restored_once(
    world: World, kind: str
) -> None:
    """Found by the machine: restored under a new id, the item kept the link of its deleted self, and
    every later sync restored it once more."""
    outlook, period = OutlookUser(world), world.service.default_period(world.user)
    if kind == "action":
        gone = await world.store.add_action(Draft("Visite", 3, 10, 0, 60, False, 1, False, False).action())
    else:
        gone = await world.store.add_series(SeriesDraft("Visite", 2, 9, 3).series())  # type: ignore[assignment]
    assert (await world.sync()).errors == []
    [item] = await outlook.events()
    if kind == "action":
        await world.store.delete_action(gone.id)  # type: ignore[arg-type]
    else:
        await world.store.delete_series(gone.id)  # type: ignore[arg-type]
    await outlook.patch(item["id"], {"subject": "Visite (changed in Outlook)"})
    for _ in range(2):  # Outlook's change wins: the item comes back, once
        assert (await world.sync()).errors == []
    sides = await read_sides(world, outlook, period)
    titles = [x.title for x in [*sides.crm_singles.values(), *sides.crm_series.values()]]
    assert titles == ["Visite (changed in Outlook)"]
    assert agreement_problems(sides, period) == []


@settings(max_examples=1, database=None, deadline=None, suppress_health_check=list(HealthCheck))
@given(data=st.data())
def test_a_kept_outlook_cancellation_comes_back_to_outlook_with_its_series_written_back(
    data: st.DataObject,
) -> None:
    """Found by the machine, in its model: Outlook cancels an occurrence and the CRM keeps it (the CRM
    alone has it), then Outlook deletes the whole series and the CRM keeps that too. The series is written
    back whole, as a new master, so the kept occurrence is in Outlook again, an ordinary pair — both sides
    agree, as a kept item must — but the model went on expecting it in the CRM only. The machine's own
    steps, replayed: a series of one occurrence, so that every pick has one choice, and three single
    actions, so that one series deletion is no mass deletion. Every sync is verified."""
    machine = AgendaMachine()
    try:
        for day in (3, 4, 5):
            machine.crm_single("add", Draft("Visite", day, 10, 0, 60, False, 1, False, False), data)
        one = SeriesDraft("Réunion", 2, 9, 1)
        machine.crm_series("add", one, data)
        machine.sync(yes=False, heal=False)
        machine.outlook_series("delete", one, data)  # its one occurrence
        machine.sync(yes=False, heal=False)  # kept: in the CRM only
        machine.outlook_series("delete series", one, data)
        machine.sync(yes=False, heal=False)  # kept: written back whole, the occurrence with it
        machine.sync(yes=False, heal=False)  # the model expected the occurrence in the CRM only here
    finally:
        machine.teardown()
