"""The occurrences of linked series, for the agenda engine: copied whole from the side that has just
created the series or changed its rule, otherwise compared three-way, keyed by their original start.
An occurrence present on one side only is a cancellation, never a creation: Outlook can cancel an
occurrence but not bring one back."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from tui_sync import texts
from tui_sync.domain.models import Action, Series
from tui_sync.domain.recurrence import expand
from tui_sync.domain.remote import EventResult, RemoteEvent, Write
from tui_sync.store.links import Link
from tui_sync.sync.agenda_parts import (
    KEPT_CANCELLED,
    AgendaRun,
    EventChange,
    Sides,
    occurrence_key,
    one_way,
    split_cancelled,
)
from tui_sync.sync.apply import Batch
from tui_sync.sync.events import DeletionReason, DeletionRequest
from tui_sync.sync.kinds import OCCURRENCE, SERIES
from tui_sync.sync.plan import Item, LinkState, Op, Step, link_state, plan
from tui_sync.sync.series import COPY, THREE_WAY_FRESH


class Occurrences:
    """The occurrences of the linked series of one agenda run (its shared state and helpers are
    `run`)."""

    def __init__(self, run: AgendaRun) -> None:
        self.run = run

    async def sync(self, modes: dict[str, str], sides: Sides, links: dict[str, Link]) -> None:
        """Per series, as its `mode` says (see series.py): copy one side's occurrences whole, or compare
        them three-way."""
        series_links = await self.run.store.links(self.run.user.code, SERIES)
        master_of = {key: series_links[key].remote_id for key in modes}
        fresh = [master_of[k] for k, mode in modes.items() if mode in ("crm", THREE_WAY_FRESH)]
        if fresh:
            for master_id, instances in (
                await self.run.remote.instances(fresh, self.run.period, self.run.reading)
            ).items():
                sides.instances[master_id], sides.cancelled_instances[master_id] = split_cancelled(instances)
        for key, mode in modes.items():
            series = sides.crm_series[key]
            master_id = master_of[key]
            instances = sides.instances.get(master_id, [])
            if mode == "remote":
                series = await self._copy_occurrences_to_crm(
                    series, sides.remote_masters[master_id], instances
                )
                sides.crm_series[key] = series
                await self._relink_occurrences(series, instances)
                await self._copied(key)
            elif mode == "crm":
                await self._copy_occurrences_to_remote(series, instances)
                await self._copied(key)
            else:
                cancelled = {
                    self._instance_key(series, e) for e in sides.cancelled_instances.get(master_id, [])
                }
                await self._three_way_occurrences(series, instances, links, cancelled)

    async def _copied(self, key: str) -> None:
        """The pending copy of this series' occurrences is done: clear it from the series link."""
        link = (await self.run.store.links(self.run.user.code, SERIES)).get(key)
        if link is not None and COPY in link.extra:
            await self.run.store.save_links([Link(**{**link.__dict__, "extra": {}})])

    def _crm_occurrences(self, series: Series) -> dict[str, Action]:
        return {
            occurrence_key(series.stored_id, o.original, series.all_day, self.run.tz): o
            for o in expand(series, self.run.period)
        }

    def _instance_key(self, series: Series, event: RemoteEvent) -> str:
        original = event.original_start or event.start
        if original is None:  # read as the CRM form reads it, which says why it cannot be
            original = event.action.start
        return occurrence_key(series.stored_id, original, series.all_day, self.run.tz)

    async def _copy_occurrences_to_crm(
        self, series: Series, master: RemoteEvent, instances: list[RemoteEvent]
    ) -> Series:
        """Make the CRM's exceptions and cancellations in the period those of the remote."""
        by_key = {self._instance_key(series, e): e for e in instances}
        template = self._crm_occurrences(series.with_changes(exceptions=(), cancelled=frozenset()))
        exceptions = {
            e.original_start: e for e in series.exceptions if not self.run.period.overlaps(e.start, e.end)
        }
        cancelled = {c for c in series.cancelled if not self.run.period.contains_start(c)}
        for key, natural in template.items():
            event = by_key.get(key)
            if event is None:
                cancelled.add(natural.original)
                continue
            incoming = event.action.with_changes(series_id=series.id, original_start=natural.original_start)
            if self.run.fp(incoming) != self.run.fp(natural):
                exceptions[natural.original_start] = incoming
        updated = series.with_changes(exceptions=tuple(exceptions.values()), cancelled=frozenset(cancelled))
        return await self._replace_occurrences(series, updated)

    async def _replace_occurrences(self, old: Series, new: Series) -> Series:
        """Store `new`'s exceptions and cancellations in place of `old`'s."""
        new_starts = {e.original_start for e in new.exceptions}
        for exception in old.exceptions:
            if exception.original_start not in new_starts:
                await self.run.store.remove_exception(old.stored_id, exception.original)
        for exception in new.exceptions:
            await self.run.store.set_exception(old.stored_id, exception)
        for start in old.cancelled - new.cancelled:
            await self.run.store.restore_occurrence(old.stored_id, start)
        for start in new.cancelled - old.cancelled:
            await self.run.store.cancel_occurrence(old.stored_id, start)
        return await self.run.store.get_series(old.stored_id)

    async def _copy_occurrences_to_remote(self, series: Series, instances: list[RemoteEvent]) -> None:
        """Make the remote's occurrences in the period those of the CRM (after creating or re-ruling it)."""
        wanted = self._crm_occurrences(series)
        current: list[RemoteEvent | None] = list(instances)  # what the remote holds of each; None: not linked
        changes: list[EventChange] = []
        for position, event in enumerate(instances):
            action = wanted.get(self._instance_key(series, event))
            if action is None:
                current[position] = None  # not relinked, whatever the answer (the next run sees)
                write = self.run.remote.delete_event(event.id)
                changes.append(self._copy_change(series, write, current, position))
            elif self.run.fp(action) != self.run.remote_fp(event):
                write = self._occurrence_update(action, event)
                changes.append(self._copy_change(series, write, current, position))
        await self.run.applier.apply(changes)
        await self._relink_occurrences(series, [event for event in current if event is not None])

    def _copy_change(
        self, series: Series, write: Write, current: list[RemoteEvent | None], position: int
    ) -> EventChange:
        """A PATCH or DELETE copying the CRM's occurrence over the remote's `current[position]`: a
        confirmed PATCH's answer is kept as what the remote now holds of it. A failure is reported like
        every other failed write and leaves the occurrence unlinked: linked, the CRM's edit and the
        remote's unedited occurrence would pass for synced and the edit would never be sent; unlinked,
        the next run compares them against what the rule alone makes of it (`_unlinked_bases`), so the
        CRM's edit wins and is sent again."""

        async def done(result: EventResult, batch: Batch) -> None:
            if not _took_effect(write, result):
                self.run.errors.append(texts.sync.item_failed(series.title, result.error))
                current[position] = None
            elif write.method != "DELETE":
                current[position] = result.answer

        return EventChange(write, done)

    async def _relink_occurrences(self, series: Series, instances: list[RemoteEvent]) -> None:
        """Forget the series' occurrence links and record one per occurrence present on both sides."""
        await self.run.forget_occurrences(str(series.id))
        crm = self._crm_occurrences(series)
        new_links = []
        for event in instances:
            key = self._instance_key(series, event)
            if key in crm:
                new_links.append(self._occurrence_link(key, crm[key], event))
        await self.run.store.save_links(new_links)

    def _occurrence_update(self, action: Action, event: RemoteEvent) -> Write:
        """The PATCH that turns the remote's occurrence `event` into an exception holding `action`: only
        what differs from it (an occurrence holds its master's locations and categories; they stay)."""
        return self.run.remote.update_event(action, event, self.run.reading)

    def _occurrence_link(self, key: str, action: Action, event: RemoteEvent) -> Link:
        return self.run.link(OCCURRENCE, key, action, event)

    async def _three_way_occurrences(
        self, series: Series, instances: list[RemoteEvent], links: dict[str, Link], cancelled: set[str]
    ) -> None:
        """Compare the series' occurrences three-way; `cancelled` holds the keys of those whose meeting
        the organiser cancelled (asked about as such)."""
        prefix = f"{series.id}@"
        crm = self._crm_occurrences(series)
        series_links = {k: v for k, v in links.items() if k.startswith(prefix)}
        remote_events = {e.id: e for e in instances}
        remote_items = {
            e.id: Item(
                e.id,
                self.run.remote_fp(e),
                version=e.change_key,
                modified=e.last_modified,
                match_key=self._instance_key(series, e),
            )
            for e in instances
        }
        for link in series_links.values():  # kept cancellations stand for themselves
            if link.remote_id.startswith(KEPT_CANCELLED):
                remote_items[link.remote_id] = Item(
                    link.remote_id, link.remote_hash, version=link.remote_change_key
                )
        crm_items = {  # an edited occurrence (an exception row) is dated by its own edit
            k: Item(k, self.run.fp(a), modified=a.updated_at or series.updated_at, match_key=k)
            for k, a in crm.items()
        }
        occurrence_plan = plan(
            crm_items,
            remote_items,
            [link_state(v) for v in series_links.values()]
            + self._unlinked_bases(series, crm, remote_items, series_links),
            policy=self.run.policy,
        )
        self.run.summary.conflicts += occurrence_plan.conflicts
        if not self.run.two_way:
            occurrence_plan = one_way(occurrence_plan)
        changes: list[EventChange] = []

        async def to_remote(step: Step) -> None:
            write = self._occurrence_update(crm[step.crm], remote_events[step.remote])
            changes.append(self._occurrence_change(series, write, step.crm, crm))

        async def to_crm(step: Step) -> None:
            event = remote_events[step.remote]
            original = crm[step.crm].original_start
            saved = await self.run.store.set_exception(
                series.stored_id, event.action.with_changes(series_id=series.id, original_start=original)
            )
            self.run.summary.crm.updated += 1
            await self.run.store.save_links([self._occurrence_link(step.crm, saved, event)])

        async def cancel_in_remote(step: Step) -> None:
            if step.remote_id and not _kept_cancelled(step):
                write = self.run.remote.delete_event(step.remote_id)
                changes.append(self._occurrence_change(series, write, step.crm_key or step.remote_id, crm))
            else:
                await self.run.store.delete_links(self.run.user.code, OCCURRENCE, [step.crm])

        async def cancel_in_crm(step: Step) -> None:
            await self._cancel_in_crm(series, step.crm, crm[step.crm], step.crm in cancelled)

        async def relink(step: Step) -> None:
            if step.remote_id in remote_events:
                await self.run.store.save_links(
                    [self._occurrence_link(step.crm, crm[step.crm], remote_events[step.remote])]
                )

        async def unlink(step: Step) -> None:
            await self.run.store.delete_links(self.run.user.code, OCCURRENCE, [step.crm])

        # An occurrence on one side only is a cancellation on the other, never a creation; a kept
        # cancellation (see `_cancel_in_crm`) is neither updated nor re-linked.
        by_op: dict[Op, Callable[[Step], Awaitable[None]]] = {
            Op.UPDATE_REMOTE: _unless_kept_cancelled(to_remote),
            Op.UPDATE_CRM: _unless_kept_cancelled(to_crm),
            Op.DELETE_REMOTE: cancel_in_remote,
            Op.CREATE_CRM: cancel_in_remote,  # the CRM has no such occurrence: cancelled there
            Op.DELETE_CRM: cancel_in_crm,
            Op.CREATE_REMOTE: cancel_in_crm,  # the remote has no such occurrence: cancelled there
            Op.LINK: relink,
            Op.UNLINK: unlink,
        }
        for step in occurrence_plan.steps:
            await by_op[step.op](step)
        await self.run.applier.apply(changes)

    def _occurrence_change(
        self, series: Series, write: Write, key: str, crm: dict[str, Action]
    ) -> EventChange:
        """A PATCH (into an exception) or a DELETE (a cancellation) of the occurrence `key`; confirmed,
        its link is recorded or forgotten (already gone is as good as deleted)."""

        async def done(result: EventResult, batch: Batch) -> None:
            if not _took_effect(write, result):
                self.run.errors.append(texts.sync.item_failed(series.title, result.error))
            elif write.method == "DELETE":
                self.run.summary.microsoft.deleted += 1
                batch.forget(OCCURRENCE, key)
            else:
                self.run.summary.microsoft.updated += 1
                batch.save(self._occurrence_link(key, crm[key], result.answer))

        return EventChange(write, done)

    def _unlinked_bases(
        self, series: Series, crm: dict[str, Action], remote_items: dict[str, Item], links: dict[str, Link]
    ) -> list[LinkState]:
        """A base for each occurrence both sides hold with no link yet: what the rule alone makes of it.

        Pairs go unlinked when a series was just paired by its CRM-id stamp (a run killed after creating
        or writing back its master, or a Reset). Compared with no base, the newer side won, and the fresh,
        unedited occurrences of a just-created master overwrote the CRM's edited ones. Against the rule's
        occurrence, the side that edited it wins, as for a linked pair, and both edits are a conflict.
        The empty remote id makes the plan pair the occurrence by its key and record the real link."""
        natural = self._crm_occurrences(series.with_changes(exceptions=(), cancelled=frozenset()))
        both = crm.keys() & {item.match_key for item in remote_items.values()}
        return [
            LinkState(key, "", self.run.fp(natural[key]), "", self.run.fp(natural[key]))
            for key in sorted(both - links.keys())
            if key in natural
        ]

    async def _cancel_in_crm(self, series: Series, key: str, action: Action, by_organiser: bool) -> None:
        reason: DeletionReason = "cancelled" if by_organiser else "deleted"
        request = DeletionRequest("occurrence", action.title, action.start, 0, 0, reason=reason)
        if await self.run.deletions.confirm(request):
            await self.run.store.cancel_occurrence(series.stored_id, action.original)
            await self.run.store.delete_links(self.run.user.code, OCCURRENCE, [key])
            self.run.summary.crm.deleted += 1
            return
        # Outlook cannot restore a cancelled occurrence: remember that the CRM keeps it, ask no more.
        self.run.summary.kept += 1
        fingerprint = self.run.fp(action)
        await self.run.store.save_links(
            [
                Link(
                    self.run.user.code,
                    OCCURRENCE,
                    key,
                    f"{KEPT_CANCELLED}{key}",
                    fingerprint,
                    "",
                    fingerprint,
                    {},
                )
            ]
        )


def _took_effect(write: Write, result: EventResult) -> bool:
    """A success, or a DELETE whose occurrence was already gone (which is what was wanted)."""
    return result.ok or (result.gone and write.method == "DELETE")


def _kept_cancelled(step: Step) -> bool:
    return (step.remote_id or "").startswith(KEPT_CANCELLED)


def _unless_kept_cancelled(apply: Callable[[Step], Awaitable[None]]) -> Callable[[Step], Awaitable[None]]:
    async def applied(step: Step) -> None:
        if not _kept_cancelled(step):
            await apply(step)

    return applied
