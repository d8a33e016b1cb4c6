"""Series masters, for the agenda engine: create, update, delete and re-link them, and say per series
how its occurrences are to be synced next (see occurrences.py)."""

from __future__ import annotations

from tui_sync import messages
from tui_sync.microsoft import mapping
from tui_sync.microsoft.calendar import Write
from tui_sync.store.links import Link
from tui_sync.sync.agenda_parts import OCCURRENCE, SERIES, Sides
from tui_sync.sync.events import DeletionRequest
from tui_sync.sync.plan import Op, Plan


class SeriesMastersMixin:
    """Part of AgendaSync (it uses the run's store, remote calendar, summary and helpers)."""

    async def _apply_series(self, series_plan: Plan, sides: Sides, links: dict[str, Link]) -> dict[str, str]:
        """Apply the master-level steps. Returns, per CRM series key, how its occurrences are synced:
        `crm` (copy the CRM's occurrences to Outlook), `remote` (copy Outlook's to the CRM) or `three_way`."""
        modes: dict[str, str] = {}
        for key, link in links.items():
            if key in sides.crm_series and link.remote_id in sides.remote_masters:
                modes[key] = "three_way"
        for step in series_plan.steps:
            if step.op in (Op.CREATE_REMOTE, Op.UPDATE_REMOTE):
                series = sides.crm_series[step.crm_key]  # type: ignore[index]
                master = sides.remote_masters.get(step.remote_id or "")
                rule_changed = master is None or self._to_series(master).recurrence != series.recurrence
                body = mapping.series_to_event(series, self.tz)
                if step.op is Op.CREATE_REMOTE:
                    key = f"{SERIES}:{series.id}"
                    body["singleValueExtendedProperties"] = mapping.stamp(key)
                    body["transactionId"] = mapping.transaction_id(self.user.code, key)
                    result = await self.remote.write_one(
                        Write.create(f"new:{series.id}", self.calendar_id, body)
                    )
                else:
                    result = await self.remote.write_one(
                        Write.patch(f"upd:{series.id}", step.remote_id, body)
                    )
                if not result.ok:
                    self.errors.append(messages.item_failed(series.title, result.error))
                    modes.pop(step.crm_key, None)  # type: ignore[arg-type]
                    continue
                if step.op is Op.CREATE_REMOTE:
                    self.summary.microsoft.created += 1
                else:
                    self.summary.microsoft.updated += 1
                sides.remote_masters[result.body["id"]] = result.body
                await self._save_link(SERIES, step.crm_key, series, result.body)  # type: ignore[arg-type]
                modes[step.crm_key] = "crm" if rule_changed else "three_way_fresh"  # type: ignore[index]
                links[step.crm_key] = Link(
                    self.user.code, SERIES, step.crm_key, result.body["id"], "", "", "", {}
                )  # type: ignore[index]
            elif step.op in (Op.CREATE_CRM, Op.UPDATE_CRM):
                master = sides.remote_masters[step.remote_id]  # type: ignore[index]
                incoming = self._to_series(master)
                if step.op is Op.CREATE_CRM:
                    series = await self.store.add_series(incoming)
                    self.summary.crm.created += 1
                    stamp = Write.patch(
                        f"stamp:{series.id}",
                        master["id"],
                        {"singleValueExtendedProperties": mapping.stamp(f"{SERIES}:{series.id}")},
                    )
                    result = await self.remote.write_one(stamp)
                    if result.ok:
                        master = sides.remote_masters[master["id"]] = result.body
                    rule_changed = True
                else:
                    old = sides.crm_series[step.crm_key]  # type: ignore[index]
                    rule_changed = old.recurrence != incoming.recurrence
                    series = await self.store.update_series(
                        incoming.with_changes(id=old.id, exceptions=old.exceptions, cancelled=old.cancelled)
                    )
                    self.summary.crm.updated += 1
                key = str(series.id)
                sides.crm_series[key] = series
                await self._save_link(SERIES, key, series, master)
                links[key] = Link(self.user.code, SERIES, key, master["id"], "", "", "", {})
                modes[key] = "remote" if rule_changed else "three_way"
            elif step.op is Op.DELETE_REMOTE:
                result = await self.remote.write_one(Write.delete(f"del:{step.remote_id}", step.remote_id))
                if result.ok or result.gone:
                    self.summary.microsoft.deleted += 1
                    await self.store.delete_links(self.user.code, SERIES, [step.crm_key])
                    await self._forget_occurrences(step.crm_key)  # type: ignore[arg-type]
            elif step.op is Op.DELETE_CRM:
                series = sides.crm_series[step.crm_key]  # type: ignore[index]
                await self._forget_occurrences(step.crm_key)  # type: ignore[arg-type]
                if await self.deletions.confirm(DeletionRequest("series", series.title, series.start, 0, 0)):
                    await self.store.delete_series(series.id)
                    await self.store.delete_links(self.user.code, SERIES, [step.crm_key])
                    self.summary.crm.deleted += 1
                    modes.pop(step.crm_key, None)  # type: ignore[arg-type]
                    continue
                self.summary.kept += 1
                await self.store.delete_links(self.user.code, SERIES, [step.crm_key])
                body = mapping.series_to_event(series, self.tz)
                key = f"{SERIES}:{series.id}"
                body["singleValueExtendedProperties"] = mapping.stamp(key)
                body["transactionId"] = mapping.transaction_id(self.user.code, key, step.remote_id or 0)
                result = await self.remote.write_one(Write.create(f"new:{series.id}", self.calendar_id, body))
                if result.ok:
                    sides.remote_masters[result.body["id"]] = result.body
                    await self._save_link(SERIES, step.crm_key, series, result.body)  # type: ignore[arg-type]
                    links[step.crm_key] = Link(
                        self.user.code, SERIES, step.crm_key, result.body["id"], "", "", "", {}
                    )  # type: ignore[index]
                    modes[step.crm_key] = "crm"  # type: ignore[index]
            elif step.op is Op.LINK:
                series = sides.crm_series[step.crm_key]  # type: ignore[index]
                await self._save_link(SERIES, step.crm_key, series, sides.remote_masters[step.remote_id])  # type: ignore[arg-type,index]
                links[step.crm_key] = Link(
                    self.user.code, SERIES, step.crm_key, step.remote_id, "", "", "", {}
                )  # type: ignore[index,arg-type]
                modes[step.crm_key] = "three_way"  # type: ignore[index]
            elif step.op is Op.UNLINK:
                await self.store.delete_links(self.user.code, SERIES, [step.crm_key])
                await self._forget_occurrences(step.crm_key)  # type: ignore[arg-type]
                modes.pop(step.crm_key, None)  # type: ignore[arg-type]
        for key in list(modes):
            if key not in sides.crm_series or links[key].remote_id not in sides.remote_masters:
                modes.pop(key)
        return modes

    async def _forget_occurrences(self, series_key: str) -> None:
        links = await self.store.links(self.user.code, OCCURRENCE)
        await self.store.delete_links(
            self.user.code, OCCURRENCE, [k for k in links if k.startswith(f"{series_key}@")]
        )
