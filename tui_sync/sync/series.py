"""Series masters, for the agenda engine: create, update, delete and re-link them, and say per series
how its occurrences are synced next (see occurrences.py).

When one side has just created a series or changed its rule, that side's occurrences must be copied
whole to the other (Outlook drops exceptions when a rule changes). The series link remembers that copy
as pending (`extra["copy"]`) until occurrences.py has done it, so a run killed in between finishes the
copy next time instead of comparing occurrences that were never meant to be compared.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from tui_sync import texts
from tui_sync.domain.models import Series
from tui_sync.domain.remote import EventResult, RemoteEvent, Write
from tui_sync.store.links import Link
from tui_sync.sync.agenda_parts import AgendaRun, EventChange, Sides, stamp_write, unstamped
from tui_sync.sync.apply import Batch
from tui_sync.sync.events import DeletionReason, DeletionRequest
from tui_sync.sync.kinds import SERIES
from tui_sync.sync.plan import Op, Plan, Step

Settle = Callable[[str, str | None], None]  # record a series' occurrence mode (None: not synced)
COPY = "copy"  # series link extra: whose occurrences are still to be copied, "crm" or "remote"
THREE_WAY, THREE_WAY_FRESH = "three_way", "three_way_fresh"  # fresh: the master was just patched


class SeriesMasters:
    """The series masters of one agenda run (its shared state and helpers are `run`)."""

    def __init__(self, run: AgendaRun) -> None:
        self.run = run

    async def apply(self, series_plan: Plan, sides: Sides, links: dict[str, Link]) -> dict[str, str]:
        """Apply the master-level steps (what each op means is one entry of `by_op`); remote writes go
        out together through the applier, each settling its series' mode as it is answered. Returns,
        per CRM series key, how its occurrences are synced: `crm` (copy the CRM's to the remote), `remote`
        (copy the remote's to the CRM) or three-way."""
        modes = {
            key: link.extra.get(COPY, THREE_WAY)
            for key, link in links.items()
            if key in sides.crm_series and link.remote_id in sides.remote_masters
        }

        def settle(key: str, mode: str | None) -> None:
            if mode is None:
                modes.pop(key, None)
            else:
                modes[key] = mode

        changes = [
            self._restamp(key, master_id, sides, links[key].extra.get(COPY))
            for key, master_id in unstamped(
                links, series_plan, sides.crm_series, sides.remote_masters, SERIES
            )
        ]

        async def to_remote(step: Step) -> EventChange:
            return self._series_to_remote(step, sides, settle)

        async def to_crm(step: Step) -> EventChange | None:
            return await self._series_to_crm(step, sides, settle)

        async def delete_in_remote(step: Step) -> EventChange:
            return self._delete_series_in_remote(step, sides.remote_masters[step.remote].series.title)

        async def delete_in_crm(step: Step) -> EventChange | None:
            return await self._delete_series_in_crm(step, sides, settle)

        async def link(step: Step) -> None:
            key = step.crm
            copy = links[key].extra.get(COPY) if key in links else None
            await self._save_series_link(key, sides.crm_series[key], sides.remote_masters[step.remote], copy)
            settle(key, copy or THREE_WAY)

        async def unlink(step: Step) -> None:  # gone on both sides
            await self.run.store.delete_links(self.run.user.code, SERIES, [step.crm])
            await self.run.forget_occurrences(step.crm)
            settle(step.crm, None)

        by_op: dict[Op, Callable[[Step], Awaitable[EventChange | None]]] = {
            Op.CREATE_REMOTE: to_remote,
            Op.UPDATE_REMOTE: to_remote,
            Op.CREATE_CRM: to_crm,
            Op.UPDATE_CRM: to_crm,
            Op.DELETE_REMOTE: delete_in_remote,
            Op.DELETE_CRM: delete_in_crm,
            Op.LINK: link,
            Op.UNLINK: unlink,
        }
        for step in series_plan.steps:
            change = await by_op[step.op](step)
            if change is not None:
                changes.append(change)
        await self.run.applier.apply(changes)
        return modes

    def _restamp(self, key: str, master_id: str, sides: Sides, copy: str | None) -> EventChange:
        """Stamp a linked master that lacks our stamp; its occurrences' mode stays as it was."""

        async def stamped(result: EventResult, batch: Batch) -> None:
            if result.ok:  # the stamp moved the changeKey: record it
                sides.remote_masters[result.answer.id] = result.answer
                await self._save_series_link(key, sides.crm_series[key], result.answer, copy)

        return EventChange(stamp_write(self.run.remote, master_id, SERIES, key, self.run.reading), stamped)

    def _series_to_remote(self, step: Step, sides: Sides, settle: Settle) -> EventChange:
        key = step.crm_key or ""
        series = sides.crm_series[key]
        master = sides.remote_masters.get(step.remote_id or "")
        rule_changed = master is None or master.series.recurrence != series.recurrence
        if master is None:
            write = self._create_master(series, generation=0)
        else:  # what differs, no more
            write = self.run.remote.update_event(series, master, self.run.reading)

        async def written(result: EventResult, batch: Batch) -> None:
            if not result.ok:
                self.run.errors.append(texts.sync.item_failed(series.title, result.error))
                settle(key, None)
                return
            if master is None:
                self.run.summary.microsoft.created += 1
            else:
                self.run.summary.microsoft.updated += 1
            sides.remote_masters[result.answer.id] = result.answer
            await self._save_series_link(key, series, result.answer, "crm" if rule_changed else None)
            settle(key, "crm" if rule_changed else THREE_WAY_FRESH)

        return EventChange(write, written)

    def _create_master(self, series: Series, generation: int | str) -> Write:
        """The POST of a series, stamped with its CRM id; `generation` tells a re-creation from a retry."""
        stamp_key = f"{SERIES}:{series.id}"
        run = self.run
        return run.remote.create_event(run.calendar_id, series, stamp_key, run.reading, generation)

    async def _series_to_crm(self, step: Step, sides: Sides, settle: Settle) -> EventChange | None:
        master = sides.remote_masters[step.remote]
        incoming = master.series
        if step.op is Op.UPDATE_CRM:
            old = sides.crm_series[step.crm]
            rule_changed = old.recurrence != incoming.recurrence
            series = await self.run.store.update_series(
                incoming.with_changes(id=old.id, exceptions=old.exceptions, cancelled=old.cancelled)
            )
            self.run.summary.crm.updated += 1
            await self._save_series_link(str(series.id), series, master, "remote" if rule_changed else None)
            sides.crm_series[str(series.id)] = series
            settle(str(series.id), "remote" if rule_changed else THREE_WAY)
            return None
        async with self.run.store.transaction():  # the CRM copy and its link, or neither
            series = await self.run.store.add_series(incoming)
            if step.crm_key:  # restored after a CRM deletion, under a new id: the old link goes
                await self.run.store.delete_links(self.run.user.code, SERIES, [step.crm_key])
                await self.run.forget_occurrences(step.crm_key)
            await self._save_series_link(str(series.id), series, master, "remote")
        self.run.summary.crm.created += 1
        key = str(series.id)
        sides.crm_series[key] = series
        settle(key, "remote")
        if master.stamped_by_another:
            return None

        async def stamped(result: EventResult, batch: Batch) -> None:
            if result.ok:  # the stamp moved the changeKey: record it, the copy still pending
                sides.remote_masters[master.id] = result.answer
                await self._save_series_link(key, series, result.answer, "remote")
            settle(key, "remote")

        return EventChange(
            stamp_write(self.run.remote, master.id, SERIES, series.stored_id, self.run.reading), stamped
        )

    def _delete_series_in_remote(self, step: Step, title: str) -> EventChange:
        """Its occurrences go with it (they have no mode: a series gone from the CRM has none). A
        failure is reported under the master's `title` and keeps the links: the next sync retries."""
        key = step.crm_key or ""

        async def deleted(result: EventResult, batch: Batch) -> None:
            if not (result.ok or result.gone):
                self.run.errors.append(texts.sync.item_failed(title, result.error))
            else:
                self.run.summary.microsoft.deleted += 1
                await self.run.store.delete_links(self.run.user.code, SERIES, [key])
                await self.run.forget_occurrences(key)

        return EventChange(self.run.remote.delete_event(step.remote_id or ""), deleted)

    async def _delete_series_in_crm(self, step: Step, sides: Sides, settle: Settle) -> EventChange | None:
        key = step.crm_key or ""
        series = sides.crm_series[key]
        await self.run.forget_occurrences(key)
        reason: DeletionReason = "cancelled" if step.remote_id in sides.cancelled else "deleted"
        if await self.run.deletions.confirm(
            DeletionRequest("series", series.title, series.start, 0, 0, reason=reason)
        ):
            await self.run.store.delete_series(series.stored_id)
            await self.run.store.delete_links(self.run.user.code, SERIES, [key])
            self.run.summary.crm.deleted += 1
            settle(key, None)
            return None
        self.run.summary.kept += 1  # written back to the remote as a new series
        await self.run.store.delete_links(self.run.user.code, SERIES, [key])
        settle(key, None)

        async def written_back(result: EventResult, batch: Batch) -> None:
            if not result.ok:
                self.run.errors.append(texts.sync.item_failed(series.title, result.error))
                settle(key, None)
                return
            sides.remote_masters[result.answer.id] = result.answer
            await self._save_series_link(key, series, result.answer, "crm")
            settle(key, "crm")

        return EventChange(self._create_master(series, generation=step.remote_id or 0), written_back)

    async def _save_series_link(
        self, key: str, series: Series, master: RemoteEvent, copy: str | None
    ) -> None:
        await self.run.store.save_links(
            [
                Link(
                    self.run.user.code,
                    SERIES,
                    key,
                    master.id,
                    self.run.series_fp(series),
                    master.change_key,
                    self.run.series_fp(master.series),
                    {COPY: copy} if copy else {},
                )
            ]
        )
