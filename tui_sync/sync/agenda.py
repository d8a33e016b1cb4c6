"""Agenda sync: a user's CRM actions and series ⇄ their named remote calendar, inside the period.

Three kinds of items are compared with `plan.plan`, each with its own links:
- `action`: single actions ⇄ `singleInstance` events;
- `series`: series (template + recurrence) ⇄ series masters;
- `occurrence`: each occurrence of a linked series ⇄ its remote occurrence or exception, keyed by the
  original start. An occurrence present on one side only is a cancellation, not a creation: Outlook can
  cancel an occurrence but never bring one back, and the CRM's rule already says which should exist.

This module reads both sides, plans, and applies the single actions; series masters are applied by
series.py and their occurrences by occurrences.py. The three parts share one `AgendaRun` (the run's
state, its helpers and the applier all their writes go through).
Series are synced in two steps: the masters first; then, per series, either the side whose series was
just created or whose rule just changed is copied whole (Outlook drops exceptions when a rule changes),
or the occurrences are compared three-way.

Remote deletions reach the CRM only through the Confirmer; a kept item is written back.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import replace
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from tui_sync import texts
from tui_sync.concurrency import together
from tui_sync.domain.models import (
    MAX_SERIES_OCCURRENCES,
    MAX_SINGLE_ACTIONS,
    Action,
    Series,
    User,
)
from tui_sync.domain.period import Period
from tui_sync.domain.recurrence import expand, rule_starts
from tui_sync.domain.remote import EventResult, Reading, RemoteEvent, Write
from tui_sync.errors import NotFound, UnreadableItem
from tui_sync.store import Store
from tui_sync.store.links import Link
from tui_sync.sync.agenda_parts import (
    AgendaRun,
    EventChange,
    Sides,
    one_way,
    split_cancelled,
    stamp_write,
    unstamped,
)
from tui_sync.sync.apply import Batch
from tui_sync.sync.deletions import DeletionGate
from tui_sync.sync.events import (
    AgendaSummary,
    DeletionReason,
    DeletionRequest,
    Phase,
    Progress,
    ProgressCallback,
)
from tui_sync.sync.kinds import ACTION, OCCURRENCE, SERIES
from tui_sync.sync.occurrences import Occurrences
from tui_sync.sync.plan import Item, Op, Plan, Policy, Step, link_state, plan
from tui_sync.sync.ports import Calendar
from tui_sync.sync.series import SeriesMasters


class AgendaSync:
    """One agenda run for one user. Build it, then `await run()` once."""

    def __init__(
        self,
        *,
        store: Store,
        calendar: Calendar,
        user: User,
        period: Period,
        policy: Policy,
        deletions: DeletionGate,
        on_event: ProgressCallback,
        tz: ZoneInfo,
        now: datetime,
        two_way: bool = True,
    ) -> None:
        self.shared = AgendaRun(  # what its parts share: its state, helpers and applier
            store=store,
            calendar=calendar,
            user=user,
            period=period,
            policy=policy,
            deletions=deletions,
            tz=tz,
            two_way=two_way,
            on_batch=self._written,
        )
        self.on_event = on_event
        self.now = now
        self.series_enabled = user.prefs.series
        self.notices: list[str] = []  # what the user should know although nothing failed
        self.to_write = self.written = 0  # for progress: planned writes (occurrences add to it) and sent
        self.series = SeriesMasters(self.shared)
        self.occurrences = Occurrences(self.shared)

    @property
    def summary(self) -> AgendaSummary:
        return self.shared.summary

    @property
    def errors(self) -> list[str]:
        """Items that failed on their own; the rest of the run went on."""
        return self.shared.errors

    # --- the run --------------------------------------------------------------------------------

    async def run(self) -> AgendaSummary:
        self._progress("reading")
        self.shared.calendar_id = await self.shared.remote.find_calendar(self.shared.user.prefs.calendar_name)
        kinds = (ACTION, SERIES, OCCURRENCE)
        if await self.shared.store.switch_calendar(self.shared.user.code, self.shared.calendar_id, kinds):
            self.notices.append(texts.sync.calendar_replaced(self.shared.user.prefs.calendar_name))
        labels = tuple(t.label for t in await self.shared.store.list_action_types())
        self.shared.reading = Reading(
            self.shared.tz, labels, self.shared.user.code, await self.shared.store.database_identity()
        )
        links = {
            kind: await self.shared.store.links(self.shared.user.code, kind)
            for kind in (ACTION, SERIES, OCCURRENCE)
        }
        sides = await self._read(links)

        self._progress("planning")
        single_plan = plan(
            self._crm_single_items(sides),
            self._remote_single_items(sides),
            [link_state(link) for link in links[ACTION].values()],
            policy=self.shared.policy,
            limit=MAX_SINGLE_ACTIONS,
            now=self.now,
        )
        series_plan = Plan()
        if self.series_enabled:
            series_plan = plan(
                self._crm_series_items(sides),
                self._remote_series_items(sides),
                [link_state(link) for link in links[SERIES].values()],
                policy=self.shared.policy,
                limit=MAX_SERIES_OCCURRENCES,
                now=self.now,
            )
        if not self.shared.two_way:
            single_plan = one_way(single_plan)
            series_plan = one_way(series_plan)
        self.shared.summary.left_out = single_plan.left_out + series_plan.left_out
        self.shared.summary.conflicts = single_plan.conflicts + series_plan.conflicts

        await self.shared.deletions.check_mass(
            single_plan.of(Op.DELETE_CRM, Op.DELETE_REMOTE) + series_plan.of(Op.DELETE_CRM, Op.DELETE_REMOTE),
            len(links[ACTION]) + len(links[SERIES]),
        )
        self.to_write = len(single_plan.writes) + len(series_plan.writes)
        self._progress("writing", 0, self.to_write)
        changes = await self._apply_singles(single_plan, sides, links[ACTION])
        # The single actions' remote writes go out while the series are worked on: the series' own
        # writes queue for the mailbox's slots behind them, and the CPU work overlaps the waits.
        work: list[Awaitable[object]] = [self.shared.applier.apply(changes)]
        if self.series_enabled:
            work.append(self._sync_series(series_plan, sides, links))
        await together(*work)
        self._progress("done")
        return self.shared.summary

    async def _sync_series(self, series_plan: Plan, sides: Sides, links: dict[str, dict[str, Link]]) -> None:
        modes = await self.series.apply(series_plan, sides, links[SERIES])
        await self.occurrences.sync(modes, sides, links[OCCURRENCE])

    def _progress(self, phase: Phase, done: int = 0, total: int = 0) -> None:
        self.on_event(Progress("agenda", phase, done, total, self.shared.remote.requests))

    # --- reading --------------------------------------------------------------------------------

    async def _read(self, links: dict[str, dict[str, Link]]) -> Sides:
        sides = Sides()
        view, crm_actions, crm_series = await asyncio.gather(
            self.shared.remote.view(self.shared.calendar_id, self.shared.period, self.shared.reading),
            self.shared.store.single_actions(self.shared.user.code, self.shared.period),
            self.shared.store.series_of(self.shared.user.code) if self.series_enabled else _nothing(),
        )
        view, cancelled = split_cancelled(view)
        for event in cancelled:
            if event.series_master_id:
                sides.cancelled_instances[event.series_master_id].append(event)
            else:
                sides.cancelled.add(event.id)
        for event in view:
            if event.kind == "single":
                sides.remote_singles[event.id] = event
            elif event.kind in ("occurrence", "exception") and event.series_master_id:
                sides.instances[event.series_master_id].append(event)
        sides.crm_actions = {str(a.id): a for a in crm_actions}
        for series in crm_series:
            if expand(series, self.shared.period) or str(series.id) in links[SERIES]:
                sides.crm_series[str(series.id)] = series

        # Linked items not seen in the period: moved out of it (present) or really deleted (absent).
        for key in links[ACTION].keys() - sides.crm_actions.keys():
            try:
                action = await self.shared.store.get_action(int(key))
            except NotFound:
                continue
            if action.series_id is None:
                sides.crm_actions[key] = action
        wanted = [
            link.remote_id
            for link in links[ACTION].values()
            if link.remote_id not in sides.remote_singles and link.remote_id not in sides.cancelled
        ]
        if self.series_enabled:
            wanted += [link.remote_id for link in links[SERIES].values()]
            wanted += [m for m in sides.instances if m not in wanted]
        fetched = await self.shared.remote.get_events(wanted, self.shared.reading)
        for event_id, found in fetched.items():
            if found is None:
                continue
            if found.cancelled:  # as good as deleted (see split_cancelled)
                sides.cancelled.add(event_id)
                continue
            if found.kind == "master":
                sides.remote_masters[event_id] = found
            elif found.kind == "single":
                sides.remote_singles[event_id] = found
        self._drop_unreadable(sides, links)
        return sides

    def _drop_unreadable(self, sides: Sides, links: dict[str, dict[str, Link]]) -> None:
        """Leave out (and report) the remote items the CRM cannot represent, and their CRM partners,
        so that one odd event neither stops the run nor gets duplicated or deleted."""
        for event_id, event in list(sides.remote_singles.items()):
            try:
                event.action  # noqa: B018 (read now: an unreadable one raises here)
            except UnreadableItem as error:
                self._leave_out(error, event_id, sides.remote_singles, sides.crm_actions, links[ACTION])
        for master_id, master in list(sides.remote_masters.items()):
            try:
                series = master.series
                for instance in sides.instances.get(master_id, []):
                    instance.action  # noqa: B018 (read now: an unreadable one raises here)
                self._check_on_rule(series, master, sides.instances.get(master_id, []))
            except UnreadableItem as error:
                self._leave_out(error, master_id, sides.remote_masters, sides.crm_series, links[SERIES])

    def _check_on_rule(self, series: Series, master: RemoteEvent, instances: list[RemoteEvent]) -> None:
        """Raise UnreadableItem when the remote has an occurrence the CRM's reading of the rule does not
        give (a legacy custom zone, read in the CRM's zone, whose daylight saving differs): occurrences
        are matched by their original start, so syncing it would cancel the remote's real ones."""
        originals = [e.original_start for e in instances if e.original_start is not None]
        if not originals:
            return
        wanted = {o: o for o in originals}
        if series.all_day:  # matched by day (see occurrence_key): the CRM's occurrence that day
            wanted = {
                o: datetime.combine((o + timedelta(hours=12)).date(), time(), self.shared.tz)
                for o in originals
            }
        low, high = min(wanted.values()), max(wanted.values()) + timedelta(seconds=1)
        natural = set(rule_starts(series.recurrence, series.start, low, high))
        for original, moment in sorted(wanted.items()):
            if moment not in natural:
                problem = texts.sync.occurrence_off_rule(original.astimezone(UTC))
                raise UnreadableItem(texts.microsoft.unreadable_item("series", master.id, problem))

    def _leave_out(
        self,
        error: UnreadableItem,
        remote_id: str,
        remote: dict[str, RemoteEvent],
        crm: dict[str, Action] | dict[str, Series],
        links: dict[str, Link],
    ) -> None:
        self.shared.errors.append(error.message)
        remote.pop(remote_id, None)
        for key in [k for k, link in links.items() if link.remote_id == remote_id]:
            links.pop(key)
            crm.pop(key, None)

    # --- items for the plan ---------------------------------------------------------------------

    def _crm_single_items(self, sides: Sides) -> dict[str, Item]:
        return {
            key: Item(key, self.shared.fp(a), modified=a.updated_at, when=a.start, match_key=key)
            for key, a in sides.crm_actions.items()
        }

    def _remote_single_items(self, sides: Sides) -> dict[str, Item]:
        return {
            event_id: self._remote_item(event, self.shared.remote_fp(event), ACTION)
            for event_id, event in sides.remote_singles.items()
        }

    def _crm_series_items(self, sides: Sides) -> dict[str, Item]:
        items = {}
        for key, series in sides.crm_series.items():
            occurrences = expand(series, self.shared.period)
            when = min((o.start for o in occurrences), key=self._distance, default=series.start)
            items[key] = Item(
                key,
                self.shared.series_fp(series),
                modified=series.updated_at,
                when=when,
                weight=len(occurrences),
                match_key=key,
            )
        return items

    def _remote_series_items(self, sides: Sides) -> dict[str, Item]:
        items = {}
        for master_id, master in sides.remote_masters.items():
            instances = sides.instances.get(master_id, [])
            starts = [i.start for i in instances if i.start is not None]
            item = self._remote_item(master, self.shared.series_fp(master.series), SERIES)
            when = min(starts, key=self._distance, default=item.when)
            items[master_id] = replace(item, when=when, weight=len(instances))
        return items

    def _remote_item(self, event: RemoteEvent, fingerprint: str, kind: str) -> Item:
        stamp = event.stamp or ""
        prefix = f"{kind}:"
        return Item(
            event.id,
            fingerprint,
            version=event.change_key,
            modified=event.last_modified,
            when=event.start,
            match_key=stamp[len(prefix) :] if stamp.startswith(prefix) else None,
        )

    def _distance(self, when: datetime) -> float:
        return abs((when - self.now).total_seconds())

    # --- single actions -------------------------------------------------------------------------

    async def _apply_singles(
        self, single_plan: Plan, sides: Sides, links: dict[str, Link]
    ) -> list[EventChange]:
        """Apply the single actions' steps to the CRM; their remote writes are returned, to be sent,
        each with what records its answer. What each op means is one entry of `by_op`."""
        changes = [
            self._stamp_change(remote_id, sides.crm_actions[key], key)
            for key, remote_id in unstamped(
                links, single_plan, sides.crm_actions, sides.remote_singles, ACTION
            )
        ]
        copies: list[Step] = []  # made together, in one transaction (see `_copy_to_crm`)

        async def to_remote(step: Step) -> None:
            action = sides.crm_actions[step.crm]
            if step.op is Op.UPDATE_REMOTE:
                changes.append(self._update_change(action, sides.remote_singles[step.remote]))
            else:
                changes.append(self._create_change(action))

        async def delete_in_remote(step: Step) -> None:
            changes.append(self._delete_change(step, sides.remote_singles[step.remote].action.title))

        async def copy_to_crm(step: Step) -> None:
            copies.append(step)

        async def update_crm(step: Step) -> None:
            event = sides.remote_singles[step.remote]
            async with self.shared.store.transaction():  # the CRM copy and its link, or neither
                action = await self.shared.store.update_action(event.action.with_changes(id=int(step.crm)))
                await self.shared.store.save_links([self.shared.link(ACTION, str(action.id), action, event)])
            self.shared.summary.crm.updated += 1

        async def delete_in_crm(step: Step) -> None:
            kept = await self._delete_crm_action(step, sides)
            if kept is not None:
                changes.append(kept)

        async def link(step: Step) -> None:
            action, event = sides.crm_actions[step.crm], sides.remote_singles[step.remote]
            await self.shared.store.save_links([self.shared.link(ACTION, step.crm, action, event)])

        async def unlink(step: Step) -> None:
            await self.shared.store.delete_links(self.shared.user.code, ACTION, [step.crm])

        by_op: dict[Op, Callable[[Step], Awaitable[None]]] = {
            Op.CREATE_REMOTE: to_remote,
            Op.UPDATE_REMOTE: to_remote,
            Op.DELETE_REMOTE: delete_in_remote,
            Op.CREATE_CRM: copy_to_crm,
            Op.UPDATE_CRM: update_crm,
            Op.DELETE_CRM: delete_in_crm,
            Op.LINK: link,
            Op.UNLINK: unlink,
        }
        for step in single_plan.steps:
            await by_op[step.op](step)
        for step, action in await self._copy_to_crm(copies, sides):
            if not sides.remote_singles[step.remote].stamped_by_another:
                # Stamp the event with its new CRM id, so a reset finds the pair again.
                changes.append(self._stamp_change(step.remote, action, str(action.id)))
        return changes

    async def _copy_to_crm(self, steps: list[Step], sides: Sides) -> list[tuple[Step, Action]]:
        """Create the CRM copies of these remote events and their links, all in one transaction (the
        copies and their links, or none): a pull makes hundreds, and one statement each would cost more
        than the whole exchange with the remote."""
        if not steps:
            return []
        events = [sides.remote_singles[step.remote] for step in steps]
        async with self.shared.store.transaction():
            saved = await self.shared.store.add_actions([event.action for event in events])
            restored = [step.crm_key for step in steps if step.crm_key]  # after a CRM deletion: new id
            await self.shared.store.delete_links(self.shared.user.code, ACTION, restored)
            await self.shared.store.save_links(
                [
                    self.shared.link(ACTION, str(action.id), action, event)
                    for action, event in zip(saved, events, strict=True)
                ]
            )
        self.shared.summary.crm.created += len(saved)
        return list(zip(steps, saved, strict=True))

    def _written(self, count: int) -> None:
        """Progress, after each recorded `$batch` (occurrences add writes as they are planned)."""
        self.written += count
        self._progress("writing", self.written, max(self.to_write, self.written))

    def _create_change(self, action: Action, replaces: str = "") -> EventChange:
        """Create `action`'s event (stamped); `replaces` names the remote event a kept deletion
        re-creates, so its transactionId differs from the first creation's."""
        key = f"{ACTION}:{action.id}"
        write = self.shared.remote.create_event(
            self.shared.calendar_id, action, key, self.shared.reading, replaces or 0
        )
        return self._single_change(write, action, "created")

    def _update_change(self, action: Action, current: RemoteEvent) -> EventChange:
        """PATCH the remote's `current` event with what differs from it (what only the remote holds stays)."""
        return self._single_change(
            self.shared.remote.update_event(action, current, self.shared.reading), action, "updated"
        )

    def _stamp_change(self, remote_id: str, action: Action, key: str) -> EventChange:
        """Stamp a linked event with its action's CRM id; the stamp moves its changeKey: relinked."""
        return self._single_change(
            stamp_write(self.shared.remote, remote_id, ACTION, key, self.shared.reading), action
        )

    def _single_change(self, write: Write, action: Action, counter: str = "") -> EventChange:
        """`write` of `action`'s event: confirmed, its link is recorded (and counted as `counter`)."""

        async def done(result: EventResult, batch: Batch) -> None:
            if not result.ok:
                self.shared.errors.append(texts.sync.item_failed(action.title, result.error))
                return
            if counter == "created":
                self.shared.summary.microsoft.created += 1
            elif counter == "updated":
                self.shared.summary.microsoft.updated += 1
            batch.save(self.shared.link(ACTION, str(action.id), action, result.answer))

        return EventChange(write, done)

    def _delete_change(self, step: Step, title: str) -> EventChange:
        """Delete the remote event of an action deleted in the CRM; already gone is as good. A failure
        is reported under the event's `title` (the CRM action is gone) and keeps the link: retried."""

        async def done(result: EventResult, batch: Batch) -> None:
            if not (result.ok or result.gone):
                self.shared.errors.append(texts.sync.item_failed(title, result.error))
                return
            self.shared.summary.microsoft.deleted += 1
            batch.forget(ACTION, step.crm)

        return EventChange(self.shared.remote.delete_event(step.remote), done)

    async def _delete_crm_action(self, step: Step, sides: Sides) -> EventChange | None:
        """Ask, then delete the action from the CRM; a kept one is written back (the change returned)."""
        action = sides.crm_actions[step.crm]
        reason: DeletionReason = "cancelled" if step.remote_id in sides.cancelled else "deleted"
        if await self.shared.deletions.confirm(
            DeletionRequest("action", action.title, action.start, 0, 0, reason=reason)
        ):
            await self.shared.store.delete_action(action.stored_id)
            await self.shared.store.delete_links(self.shared.user.code, ACTION, [step.crm])
            self.shared.summary.crm.deleted += 1
            return None
        self.shared.summary.kept += 1  # written back to the remote as a new event
        return self._create_change(action, replaces=step.remote_id or "")


async def _nothing() -> list[Series]:
    return []
