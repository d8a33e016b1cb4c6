"""Series masters, for the agenda engine: create, update, delete and re-link them, and say per series
how its occurrences are synced next (see occurrences.py).

When one side has just created a series or changed its rule, that side's occurrences must be copied
whole to the other (Outlook drops exceptions when a rule changes). The series link remembers that copy
as pending (`extra["copy"]`) until occurrences.py has done it, so a run killed in between finishes the
copy next time instead of comparing occurrences that were never meant to be compared.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from tui_sync import messages
from tui_sync.domain.models import Series
from tui_sync.domain.remote import RemoteEvent
from tui_sync.microsoft.calendar import EventResult, Write
from tui_sync.store.links import Link
from tui_sync.sync.agenda_parts import AgendaRun, Sides, stamp_write, unstamped
from tui_sync.sync.events import DeletionReason, DeletionRequest
from tui_sync.sync.kinds import OCCURRENCE, SERIES
from tui_sync.sync.plan import Op, Plan, Step

Outcome = Callable[[EventResult], Awaitable[tuple[str, str | None]]]  # a write's result → (key, mode)
Settle = Callable[[str, str | None], None]  # record a series' occurrence mode (None: not synced)
COPY = "copy"  # series link extra: whose occurrences are still to be copied, "crm" or "remote"
THREE_WAY, THREE_WAY_FRESH = "three_way", "three_way_fresh"  # fresh: the master was just patched


class SeriesMastersMixin(AgendaRun):
    """Part of AgendaSync (it uses the run's store, remote calendar, summary and helpers)."""

    async def _apply_series(self, series_plan: Plan, sides: Sides, links: dict[str, Link]) -> dict[str, str]:
        """Apply the master-level steps; Outlook writes go out together in `$batch` requests. Returns,
        per CRM series key, how its occurrences are synced: `crm` (copy the CRM's to Outlook), `remote`
        (copy Outlook's to the CRM) or three-way."""
        modes = {
            key: link.extra.get(COPY, THREE_WAY)
            for key, link in links.items()
            if key in sides.crm_series and link.remote_id in sides.remote_masters
        }
        pending: dict[str, Outcome] = {}  # write id → what its result decides

        def settle(key: str, mode: str | None) -> None:
            if mode is None:
                modes.pop(key, None)
            else:
                modes[key] = mode

        writes: list[Write] = []
        for key, master_id in unstamped(links, series_plan, sides.crm_series, sides.remote_masters, SERIES):
            writes.append(stamp_write(self.remote, master_id, SERIES, key, self.reading))
            pending[writes[-1].id] = self._restamped(key, sides, links[key].extra.get(COPY), modes)
        for step in series_plan.steps:
            queued: tuple[Write, Outcome] | None
            if step.op in (Op.CREATE_REMOTE, Op.UPDATE_REMOTE):
                queued = self._series_to_outlook(step, sides)
            elif step.op in (Op.CREATE_CRM, Op.UPDATE_CRM):
                queued = await self._series_to_crm(step, sides, settle)
            elif step.op is Op.DELETE_REMOTE:
                queued = self._delete_series_in_outlook(step)
            elif step.op is Op.DELETE_CRM:
                queued = await self._delete_series_in_crm(step, sides, settle)
            elif step.op is Op.LINK:
                key = step.crm_key or ""
                copy = links[key].extra.get(COPY) if key in links else None
                master = sides.remote_masters[step.remote_id or ""]
                await self._save_series_link(key, sides.crm_series[key], master, copy)
                settle(key, copy or THREE_WAY)
                continue
            else:  # UNLINK: gone on both sides
                await self.store.delete_links(self.user.code, SERIES, [step.crm])
                await self._forget_occurrences(step.crm_key or "")
                settle(step.crm_key or "", None)
                continue
            if queued is not None:
                writes.append(queued[0])
                pending[queued[0].id] = queued[1]

        async def record(write: Write, result: EventResult) -> None:
            key, mode = await pending[write.id](result)
            settle(key, mode)

        await self._write_in_groups(writes, record)
        return modes

    def _restamped(self, key: str, sides: Sides, copy: str | None, modes: dict[str, str]) -> Outcome:
        async def stamped(result: EventResult) -> tuple[str, str | None]:
            if result.ok:  # the stamp moved the changeKey: record it
                sides.remote_masters[result.answer.id] = result.answer
                await self._save_series_link(key, sides.crm_series[key], result.answer, copy)
            return key, modes.get(key)

        return stamped

    def _series_to_outlook(self, step: Step, sides: Sides) -> tuple[Write, Outcome]:
        key = step.crm_key or ""
        series = sides.crm_series[key]
        master = sides.remote_masters.get(step.remote_id or "")
        rule_changed = master is None or master.series.recurrence != series.recurrence
        if master is None:
            write = self._create_master(series, generation=0)
        else:  # what differs, no more
            write = self.remote.update_event(f"upd:{series.id}", series, master, self.reading)

        async def written(result: EventResult) -> tuple[str, str | None]:
            if not result.ok:
                self.errors.append(messages.item_failed(series.title, result.error))
                return key, None
            if master is None:
                self.summary.microsoft.created += 1
            else:
                self.summary.microsoft.updated += 1
            sides.remote_masters[result.answer.id] = result.answer
            await self._save_series_link(key, series, result.answer, "crm" if rule_changed else None)
            return key, "crm" if rule_changed else THREE_WAY_FRESH

        return write, written

    def _create_master(self, series: Series, generation: int | str) -> Write:
        """The POST of a series, stamped with its CRM id; `generation` tells a re-creation from a retry."""
        stamp_key = f"{SERIES}:{series.id}"
        return self.remote.create_event(
            f"new:{series.id}", self.calendar_id, series, stamp_key, self.reading, generation
        )

    async def _series_to_crm(self, step: Step, sides: Sides, settle: Settle) -> tuple[Write, Outcome] | None:
        master = sides.remote_masters[step.remote]
        incoming = master.series
        if step.op is Op.UPDATE_CRM:
            old = sides.crm_series[step.crm]
            rule_changed = old.recurrence != incoming.recurrence
            series = await self.store.update_series(
                incoming.with_changes(id=old.id, exceptions=old.exceptions, cancelled=old.cancelled)
            )
            self.summary.crm.updated += 1
            await self._save_series_link(str(series.id), series, master, "remote" if rule_changed else None)
            sides.crm_series[str(series.id)] = series
            settle(str(series.id), "remote" if rule_changed else THREE_WAY)
            return None
        async with self.store.transaction():  # the CRM copy and its link, or neither
            series = await self.store.add_series(incoming)
            if step.crm_key:  # restored after a CRM deletion, under a new id: the old link goes
                await self.store.delete_links(self.user.code, SERIES, [step.crm_key])
                await self._forget_occurrences(step.crm_key)
            await self._save_series_link(str(series.id), series, master, "remote")
        self.summary.crm.created += 1
        key = str(series.id)
        sides.crm_series[key] = series
        settle(key, "remote")
        if master.stamped_by_another:
            return None

        async def stamped(result: EventResult) -> tuple[str, str | None]:
            if result.ok:  # the stamp moved the changeKey: record it, the copy still pending
                sides.remote_masters[master.id] = result.answer
                await self._save_series_link(key, series, result.answer, "remote")
            return key, "remote"

        return stamp_write(self.remote, master.id, SERIES, series.stored_id, self.reading), stamped

    def _delete_series_in_outlook(self, step: Step) -> tuple[Write, Outcome]:
        key = step.crm_key or ""

        async def deleted(result: EventResult) -> tuple[str, str | None]:
            if result.ok or result.gone:
                self.summary.microsoft.deleted += 1
                await self.store.delete_links(self.user.code, SERIES, [key])
                await self._forget_occurrences(key)
            return key, None

        return self.remote.delete_event(f"del:{step.remote_id}", step.remote_id or ""), deleted

    async def _delete_series_in_crm(
        self, step: Step, sides: Sides, settle: Settle
    ) -> tuple[Write, Outcome] | None:
        key = step.crm_key or ""
        series = sides.crm_series[key]
        await self._forget_occurrences(key)
        reason: DeletionReason = "cancelled" if step.remote_id in sides.cancelled else "deleted"
        if await self.deletions.confirm(
            DeletionRequest("series", series.title, series.start, 0, 0, reason=reason)
        ):
            await self.store.delete_series(series.stored_id)
            await self.store.delete_links(self.user.code, SERIES, [key])
            self.summary.crm.deleted += 1
            settle(key, None)
            return None
        self.summary.kept += 1  # written back to Outlook as a new series
        await self.store.delete_links(self.user.code, SERIES, [key])
        settle(key, None)

        async def written_back(result: EventResult) -> tuple[str, str | None]:
            if not result.ok:
                self.errors.append(messages.item_failed(series.title, result.error))
                return key, None
            sides.remote_masters[result.answer.id] = result.answer
            await self._save_series_link(key, series, result.answer, "crm")
            return key, "crm"

        return self._create_master(series, generation=step.remote_id or 0), written_back

    async def _save_series_link(
        self, key: str, series: Series, master: RemoteEvent, copy: str | None
    ) -> None:
        await self.store.save_links(
            [
                Link(
                    self.user.code,
                    SERIES,
                    key,
                    master.id,
                    self._series_fp(series),
                    master.change_key,
                    self._series_fp(master.series),
                    {COPY: copy} if copy else {},
                )
            ]
        )

    async def _occurrences_copied(self, key: str) -> None:
        """The pending copy of this series' occurrences is done: clear it from the series link."""
        link = (await self.store.links(self.user.code, SERIES)).get(key)
        if link is not None and COPY in link.extra:
            await self.store.save_links([Link(**{**link.__dict__, "extra": {}})])

    async def _forget_occurrences(self, series_key: str) -> None:
        links = await self.store.links(self.user.code, OCCURRENCE)
        await self.store.delete_links(
            self.user.code, OCCURRENCE, [k for k in links if k.startswith(f"{series_key}@")]
        )
