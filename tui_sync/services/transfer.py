"""Importing files into the CRM and exporting it, for both front ends.

The rules live here, once:
- an import reads the whole file first, then writes in one transaction. A record the CRM cannot take
  refuses the whole file, listing every such record (`BadInput`); with `skip_invalid` the others are
  imported and the refused ones are listed in the outcome;
- importing a file twice, or our own export, adds nothing twice. An item is the same as one the CRM has
  when it carries the UID that item was imported with (kept by the store), or the UID our export gave
  it (`importers.uids`); without a UID, a contact is the one with the same name and company, an action
  the one identical to it. A matching item is updated when the file says something else, left alone
  when it says the same: the outcome counts new, updated and unchanged;
- an import never removes what its file format cannot say: a CSV without a column leaves that field as
  it is, a card without a photo leaves the photo;
- what a file holds that the CRM has no place for (a fax number, a task) is counted by kind, and events
  without a title get a visible placeholder, counted (the action form refuses a blank title). For
  contacts, only what the records added or updated this time left out is counted: a re-import that
  changes a contact in nothing loses nothing new, and the first import already said what it left out.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, fields, replace
from datetime import UTC, datetime
from pathlib import PurePath
from typing import TypeVar
from zoneinfo import ZoneInfo

from tui_sync.domain.models import Action, Contact, Series
from tui_sync.domain.period import Period
from tui_sync.importers import (
    AgendaImport,
    ContactRecord,
    Refusal,
    Skip,
    read_calendar_file,
    read_contacts_file,
    refuse_file,
    write_calendar,
    write_contacts_csv,
    write_vcards,
)
from tui_sync.importers.uids import Kind, is_own_uid, own_id
from tui_sync.store import Store

# Every single action, whatever its date (the store compares UTC text, so stay within 4-digit years).
ALL_TIME = Period(datetime(1900, 1, 1, tzinfo=UTC), datetime(3000, 1, 1, tzinfo=UTC))

# What makes two actions (or series templates) the same to a user: everything but ids and stamps.
_TEMPLATE = (
    "title",
    "start",
    "end",
    "all_day",
    "location",
    "private",
    "reminder_on",
    "reminder_minutes",
    "action_type",
    "note",
)
_CONTACT_FIELDS = tuple(f.name for f in fields(Contact) if f.name not in ("id", "created_at", "updated_at"))


@dataclass(frozen=True)
class ImportOutcome:
    """What an import did: items added, changed, already equal; records refused (imported only with
    skip_invalid) and what was not kept, by kind."""

    new: int = 0
    updated: int = 0
    unchanged: int = 0
    refused: tuple[Refusal, ...] = ()
    skipped: tuple[Skip, ...] = ()
    with_photo: int = 0  # contacts: how many of the file's contacts have a photo
    agenda: AgendaImport | None = None  # agenda: what the file held (series, exceptions, categories)
    owner: str = ""  # agenda: whose agenda received it


@dataclass
class _Counts:
    new: int = 0
    updated: int = 0
    unchanged: int = 0


_Item = TypeVar("_Item", Action, Series)


def _same(a: object, b: object, names: Iterable[str]) -> bool:
    return all(getattr(a, n) == getattr(b, n) for n in names)


def _identity(contact: Contact) -> tuple[str, str, str]:
    """Who a contact is when its record has no UID: name and company, case and spacing ignored."""
    last, first, company = (
        " ".join(v.split()).casefold() for v in (contact.last_name, contact.first_name, contact.company)
    )
    return last, first, company


def _merged(current: Contact, record: ContactRecord) -> Contact:
    """The contact with what the record says: the fields its file has columns for, a photo only when
    the record has one."""
    given = record.given if record.given is not None else frozenset(_CONTACT_FIELDS)
    changes = {n: getattr(record.contact, n) for n in _CONTACT_FIELDS if n in given}
    if record.contact.photo is None:
        changes.pop("photo", None)
    return current.with_changes(**changes)


class TransferService:
    """`import contacts|agenda` and `export contacts|agenda`."""

    def __init__(self, store: Store) -> None:
        self.store = store

    # --- contacts ----------------------------------------------------------------------------------

    async def import_contacts(self, data: bytes, name: str, skip_invalid: bool = False) -> ImportOutcome:
        """Read a CSV or vCard file and write it into the CRM (see the module docstring)."""
        source = PurePath(name).name or name
        found = read_contacts_file(data, name)
        if found.refused and not skip_invalid:
            raise refuse_file(source, list(found.refused))
        store = self.store
        counts = _Counts()
        skipped: list[Skip] = []
        async with store.transaction():
            existing = await store.list_contacts()
            by_id = {c.id: c for c in existing}
            by_identity: dict[tuple[str, str, str], Contact] = {}
            for contact in sorted(existing, key=lambda c: c.id or 0):
                by_identity.setdefault(_identity(contact), contact)
            kept = await store.ids_of_uids("contact", [r.uid for r in found.records])
            for record in found.records:
                target = self._known_contact(record.uid, kept, by_id) or by_identity.get(
                    _identity(record.contact)
                )
                if target is None:
                    result = await store.add_contact(record.contact)
                    counts.new += 1
                    skipped.extend(record.skipped)
                else:
                    result = _merged(target, record)
                    if _same(result, target, _CONTACT_FIELDS):
                        counts.unchanged += 1
                    else:
                        result = await store.update_contact(result)
                        counts.updated += 1
                        skipped.extend(record.skipped)
                assert result.id is not None
                if record.uid and not is_own_uid("contact", record.uid, result.id, result.created_at):
                    await store.remember_uid("contact", result.id, record.uid)
                    kept[record.uid] = result.id
                by_id[result.id] = result
                by_identity[_identity(result)] = result
        return ImportOutcome(
            counts.new,
            counts.updated,
            counts.unchanged,
            found.refused,
            tuple(skipped),
            with_photo=sum(1 for r in found.records if r.contact.photo),
        )

    @staticmethod
    def _known_contact(uid: str, kept: dict[str, int], by_id: dict[int | None, Contact]) -> Contact | None:
        if not uid:
            return None
        if uid in kept:
            return by_id.get(kept[uid])
        contact = by_id.get(own_id("contact", uid))
        if contact is not None and is_own_uid("contact", uid, contact.id or 0, contact.created_at):
            return contact
        return None

    async def export_contacts(self, form: str) -> tuple[str, int]:
        """Every contact as `vcard` or `csv` text, and how many."""
        contacts = await self.store.list_contacts()
        if form == "csv":
            return write_contacts_csv(contacts), len(contacts)
        uids = await self.store.uids_of_ids("contact", [c.id for c in contacts if c.id is not None])
        return write_vcards(contacts, uids), len(contacts)

    # --- agenda ------------------------------------------------------------------------------------

    async def import_agenda(
        self, data: bytes, name: str, owner: str, tz: ZoneInfo, skip_invalid: bool = False
    ) -> ImportOutcome:
        """Read an .ics file into `owner`'s agenda (see the module docstring); `tz` is the CRM's zone."""
        source = PurePath(name).name or name
        store = self.store
        user = await store.get_user(owner)
        labels = [t.label for t in await store.list_action_types()]
        found = read_calendar_file(data, user.code, tz, labels, source)
        if found.refused and not skip_invalid:
            raise refuse_file(source, list(found.refused))
        counts = _Counts()
        async with store.transaction():
            singles = {a.stored_id: a for a in await store.single_actions(user.code, ALL_TIME)}
            series = {s.stored_id: s for s in await store.series_of(user.code)}
            kept_actions = await store.ids_of_uids("action", list(found.action_uids), user.code)
            kept_series = await store.ids_of_uids("series", list(found.series_uids), user.code)
            for action, uid in zip(found.actions, found.action_uids, strict=True):
                target = self._known("action", uid, kept_actions, singles) or next(
                    (a for a in singles.values() if _same(a, action, _TEMPLATE)), None
                )
                if target is None:
                    result = await store.add_action(action)
                    counts.new += 1
                elif _same(target, action, _TEMPLATE):
                    result = target
                    counts.unchanged += 1
                else:
                    result = await store.update_action(replace(action, id=target.id))
                    counts.updated += 1
                assert result.id is not None
                singles[result.id] = result
                await self._keep_uid("action", uid, result, kept_actions)
            for item, uid in zip(found.series, found.series_uids, strict=True):
                target_series = self._known("series", uid, kept_series, series)
                if target_series is None:
                    stored = await store.add_series(item)
                    counts.new += 1
                elif _same_series(target_series, item):
                    stored = target_series
                    counts.unchanged += 1
                else:
                    stored = await self._rewrite_series(target_series, item)
                    counts.updated += 1
                assert stored.id is not None
                series[stored.id] = stored
                await self._keep_uid("series", uid, stored, kept_series)
        return ImportOutcome(
            counts.new,
            counts.updated,
            counts.unchanged,
            found.refused,
            found.skipped,
            agenda=found,
            owner=user.code,
        )

    @staticmethod
    def _known(kind: Kind, uid: str, kept: dict[str, int], items: dict[int, _Item]) -> _Item | None:
        """The item of this owner a UID names: one imported with it, or one our export named so."""
        if not uid:
            return None
        if uid in kept:
            return items.get(kept[uid])
        item_id = own_id(kind, uid)
        item = items.get(item_id) if item_id is not None else None
        if item is not None and is_own_uid(kind, uid, item.stored_id, item.created_at):
            return item
        return None

    async def _keep_uid(self, kind: Kind, uid: str, item: Action | Series, kept: dict[str, int]) -> None:
        if uid and item.id is not None and not is_own_uid(kind, uid, item.id, item.created_at):
            await self.store.remember_uid(kind, item.id, uid)
            kept[uid] = item.id

    async def _rewrite_series(self, current: Series, wanted: Series) -> Series:
        """The series as the file has it: template and rule, its edited and cancelled occurrences."""
        store = self.store
        assert current.id is not None
        await store.update_series(replace(wanted, id=current.id, owner=current.owner))
        edited = {e.original_start: e for e in wanted.exceptions}
        for old in current.exceptions:
            if old.original_start not in edited:
                await store.remove_exception(current.id, old.original)
        before = {e.original_start: e for e in current.exceptions}
        for original, exception in edited.items():
            if original not in before or not _same(before[original], exception, _TEMPLATE):
                await store.set_exception(current.id, exception)
        for original in current.cancelled - wanted.cancelled:
            await store.restore_occurrence(current.id, original)
        for original in wanted.cancelled - current.cancelled:
            await store.cancel_occurrence(current.id, original)
        return await store.get_series(current.id)

    async def export_agenda(self, owner: str, tz: ZoneInfo, now: datetime) -> tuple[bytes, int, int]:
        """The owner's agenda as an .ics file, with how many single actions and series it holds."""
        store = self.store
        user = await store.get_user(owner)
        actions = await store.single_actions(user.code, ALL_TIME)
        series = await store.series_of(user.code)
        action_uids = await store.uids_of_ids("action", [a.id for a in actions if a.id is not None])
        series_uids = await store.uids_of_ids("series", [s.id for s in series if s.id is not None])
        data = write_calendar(actions, series, tz, now=now, action_uids=action_uids, series_uids=series_uids)
        return data, len(actions), len(series)


def _same_series(a: Series, b: Series) -> bool:
    """The same series to a user: template, rule, edited occurrences (by original start), cancellations."""
    if not (_same(a, b, _TEMPLATE) and a.recurrence == b.recurrence and a.cancelled == b.cancelled):
        return False
    mine = {e.original_start: e for e in a.exceptions}
    theirs = {e.original_start: e for e in b.exceptions}
    return mine.keys() == theirs.keys() and all(_same(mine[k], theirs[k], _TEMPLATE) for k in mine)
