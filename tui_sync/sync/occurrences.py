"""The occurrences of linked series, for the agenda engine: copied whole from the side that has just
created the series or changed its rule, otherwise compared three-way, keyed by their original start.
An occurrence present on one side only is a cancellation, never a creation: Outlook can cancel an
occurrence but not bring one back."""

from __future__ import annotations

from tui_sync import messages
from tui_sync.domain.models import Action, Series
from tui_sync.domain.recurrence import expand
from tui_sync.domain.remote import RemoteEvent
from tui_sync.microsoft.calendar import EventResult, Write
from tui_sync.store.links import Link
from tui_sync.sync.agenda_parts import (
    KEPT_CANCELLED,
    AgendaRun,
    Sides,
    occurrence_key,
    one_way,
    record_nothing,
    split_cancelled,
)
from tui_sync.sync.events import DeletionReason, DeletionRequest
from tui_sync.sync.kinds import OCCURRENCE, SERIES
from tui_sync.sync.plan import Item, LinkState, Op, link_state, plan
from tui_sync.sync.series import THREE_WAY_FRESH


class OccurrencesMixin(AgendaRun):
    """Part of AgendaSync (it uses the run's store, remote calendar, period, summary and helpers)."""

    async def _sync_occurrences(self, modes: dict[str, str], sides: Sides, links: dict[str, Link]) -> None:
        series_links = await self.store.links(self.user.code, SERIES)
        master_of = {key: series_links[key].remote_id for key in modes}
        fresh = [master_of[k] for k, mode in modes.items() if mode in ("crm", THREE_WAY_FRESH)]
        if fresh:
            for master_id, instances in (
                await self.remote.instances(fresh, self.period, self.reading)
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
                await self._occurrences_copied(key)
            elif mode == "crm":
                await self._copy_occurrences_to_outlook(series, instances)
                await self._occurrences_copied(key)
            else:
                cancelled = {
                    self._instance_key(series, e) for e in sides.cancelled_instances.get(master_id, [])
                }
                await self._three_way_occurrences(series, instances, links, cancelled)

    def _crm_occurrences(self, series: Series) -> dict[str, Action]:
        return {
            occurrence_key(series.stored_id, o.original, series.all_day, self.tz): o
            for o in expand(series, self.period)
        }

    def _instance_key(self, series: Series, event: RemoteEvent) -> str:
        original = event.original_start or event.start
        if original is None:  # read as the CRM form reads it, which says why it cannot be
            original = event.action.start
        return occurrence_key(series.stored_id, original, series.all_day, self.tz)

    async def _copy_occurrences_to_crm(
        self, series: Series, master: RemoteEvent, instances: list[RemoteEvent]
    ) -> Series:
        """Make the CRM's exceptions and cancellations in the period those of Outlook."""
        by_key = {self._instance_key(series, e): e for e in instances}
        template = {
            k: o
            for k, o in self._crm_occurrences(
                series.with_changes(exceptions=(), cancelled=frozenset())
            ).items()
        }
        exceptions = {
            e.original_start: e for e in series.exceptions if not self.period.overlaps(e.start, e.end)
        }
        cancelled = {c for c in series.cancelled if not self.period.contains_start(c)}
        for key, natural in template.items():
            event = by_key.get(key)
            if event is None:
                cancelled.add(natural.original)
                continue
            incoming = event.action.with_changes(series_id=series.id, original_start=natural.original_start)
            if self._fp(incoming) != self._fp(natural):
                exceptions[natural.original_start] = incoming
        updated = series.with_changes(exceptions=tuple(exceptions.values()), cancelled=frozenset(cancelled))
        return await self._replace_occurrences(series, updated)

    async def _replace_occurrences(self, old: Series, new: Series) -> Series:
        """Store `new`'s exceptions and cancellations in place of `old`'s."""
        new_starts = {e.original_start for e in new.exceptions}
        for exception in old.exceptions:
            if exception.original_start not in new_starts:
                await self.store.remove_exception(old.stored_id, exception.original)
        for exception in new.exceptions:
            await self.store.set_exception(old.stored_id, exception)
        for start in old.cancelled - new.cancelled:
            await self.store.restore_occurrence(old.stored_id, start)
        for start in new.cancelled - old.cancelled:
            await self.store.cancel_occurrence(old.stored_id, start)
        return await self.store.get_series(old.stored_id)

    async def _copy_occurrences_to_outlook(self, series: Series, instances: list[RemoteEvent]) -> None:
        """Make Outlook's occurrences in the period those of the CRM (after creating or re-ruling it)."""
        wanted = self._crm_occurrences(series)
        writes: list[Write] = []
        for event in instances:
            key = self._instance_key(series, event)
            action = wanted.get(key)
            if action is None:
                writes.append(self.remote.delete_event(f"cancel:{key}", event.id))
            elif self._fp(action) != self._remote_fp(event):
                writes.append(self._occurrence_update(f"occ:{key}", action, event))
        results = {w.id: r for w, r in await self._write_in_groups(writes, record_nothing)}
        current = []
        for event in instances:
            key = self._instance_key(series, event)
            result = results.get(f"occ:{key}")
            if f"cancel:{key}" in results:
                continue
            current.append(result.answer if result and result.ok else event)
        await self._relink_occurrences(series, current)

    async def _relink_occurrences(self, series: Series, instances: list[RemoteEvent]) -> None:
        """Forget the series' occurrence links and record one per occurrence present on both sides."""
        await self._forget_occurrences(str(series.id))
        crm = self._crm_occurrences(series)
        new_links = []
        for event in instances:
            key = self._instance_key(series, event)
            if key in crm:
                new_links.append(self._occurrence_link(key, crm[key], event))
        await self.store.save_links(new_links)

    def _occurrence_update(self, write_id: str, action: Action, event: RemoteEvent) -> Write:
        """The PATCH that turns Outlook's occurrence `event` into an exception holding `action`: only
        what differs from it (an occurrence holds its master's locations and categories; they stay)."""
        return self.remote.update_event(write_id, action, event, self.reading)

    def _occurrence_link(self, key: str, action: Action, event: RemoteEvent) -> Link:
        return self._link(OCCURRENCE, key, action, event)

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
                self._remote_fp(e),
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
            k: Item(k, self._fp(a), modified=a.updated_at or series.updated_at, match_key=k)
            for k, a in crm.items()
        }
        occurrence_plan = plan(
            crm_items,
            remote_items,
            [link_state(v) for v in series_links.values()]
            + self._unlinked_bases(series, crm, remote_items, series_links),
            policy=self.policy,
        )
        self.summary.conflicts += occurrence_plan.conflicts
        if not self.two_way:
            occurrence_plan = one_way(occurrence_plan)
        writes: list[Write] = []
        for step in occurrence_plan.steps:
            tombstone = (step.remote_id or "").startswith(KEPT_CANCELLED)
            op = step.op
            if op is Op.CREATE_REMOTE:  # Outlook has no such occurrence: it was cancelled there
                op = Op.DELETE_CRM
            elif op is Op.CREATE_CRM:  # the CRM has no such occurrence: it was cancelled in the CRM
                op = Op.DELETE_REMOTE
            if op is Op.UPDATE_REMOTE and not tombstone:
                action = crm[step.crm]
                writes.append(self._occurrence_update(f"occ:{step.crm}", action, remote_events[step.remote]))
            elif op is Op.UPDATE_CRM and not tombstone:
                event = remote_events[step.remote]
                original = crm[step.crm].original_start
                saved = await self.store.set_exception(
                    series.stored_id, event.action.with_changes(series_id=series.id, original_start=original)
                )
                self.summary.crm.updated += 1
                await self.store.save_links([self._occurrence_link(step.crm, saved, event)])
            elif op is Op.DELETE_REMOTE:
                if step.remote_id and not tombstone:
                    write_id = f"cancel:{step.crm_key or step.remote_id}"
                    writes.append(self.remote.delete_event(write_id, step.remote_id))
                else:
                    await self.store.delete_links(self.user.code, OCCURRENCE, [step.crm])
            elif op is Op.DELETE_CRM:
                action = crm[step.crm]
                await self._cancel_in_crm(series, step.crm, action, step.crm in cancelled)
            elif op is Op.LINK and step.remote_id in remote_events:
                await self.store.save_links(
                    [self._occurrence_link(step.crm, crm[step.crm], remote_events[step.remote])]
                )
            elif op is Op.UNLINK:
                await self.store.delete_links(self.user.code, OCCURRENCE, [step.crm])

        async def record(write: Write, result: EventResult) -> None:
            crm_key = write.id.split(":", 1)[1]
            if not (result.ok or (result.gone and write.method == "DELETE")):
                self.errors.append(messages.item_failed(series.title, result.error))
            elif write.method == "DELETE":
                self.summary.microsoft.deleted += 1
                await self.store.delete_links(self.user.code, OCCURRENCE, [crm_key])
            else:
                self.summary.microsoft.updated += 1
                await self.store.save_links([self._occurrence_link(crm_key, crm[crm_key], result.answer)])

        await self._write_in_groups(writes, record)

    def _unlinked_bases(
        self, series: Series, crm: dict[str, Action], remote_items: dict[str, Item], links: dict[str, Link]
    ) -> list[LinkState]:
        """A base for each occurrence both sides hold with no link yet: what the rule alone makes of it.

        Pairs go unlinked when a series was just paired by its CRM-id stamp (a run killed after creating
        or writing back its master, or a Reset). Compared with no base, the newer side won, and the fresh,
        unedited occurrences of a just-created master overwrote the CRM's edited ones. Against the rule's
        occurrence, the side that edited it wins, as for a linked pair, and both edits are a conflict.
        The empty Outlook id makes the plan pair the occurrence by its key and record the real link."""
        natural = self._crm_occurrences(series.with_changes(exceptions=(), cancelled=frozenset()))
        both = crm.keys() & {item.match_key for item in remote_items.values()}
        return [
            LinkState(key, "", self._fp(natural[key]), "", self._fp(natural[key]))
            for key in sorted(both - links.keys())
            if key in natural
        ]

    async def _cancel_in_crm(self, series: Series, key: str, action: Action, by_organiser: bool) -> None:
        reason: DeletionReason = "cancelled" if by_organiser else "deleted"
        request = DeletionRequest("occurrence", action.title, action.start, 0, 0, reason=reason)
        if await self.deletions.confirm(request):
            await self.store.cancel_occurrence(series.stored_id, action.original)
            await self.store.delete_links(self.user.code, OCCURRENCE, [key])
            self.summary.crm.deleted += 1
            return
        # Outlook cannot restore a cancelled occurrence: remember that the CRM keeps it, ask no more.
        self.summary.kept += 1
        fingerprint = self._fp(action)
        await self.store.save_links(
            [
                Link(
                    self.user.code,
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
