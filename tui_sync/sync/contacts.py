"""Contacts sync: a user's *contacts to sync* list → their remote address book; notes both ways.

The CRM is the master: every one-way field and the photo go CRM → remote, and a remote
edit of them is put back; a contact leaving the list is deleted from the remote; one deleted there is
re-created. Only the note travels back, three-way, with the conflict policy.

Two comparisons with `plan.plan`, both against the `contact` links:
- the *content* plan (one-way fields + photo digest) gives the structure: which contacts to create,
  re-create, delete or re-link, and which remote edits to put back (`restored`). What to write for a pair
  is then decided by comparing what the remote holds with what the CRM wants, so a failed write heals itself;
- the *note* plan, over the pairs present on both sides, says which way each changed note goes.

A link records (crm_hash, remote_hash) = the content fingerprint of each side *with the photo the remote
holds*, the changeKey, and in `extra` the note fingerprint and that photo's digest. Graph has no cheap photo
version, so the digest in the link is what we know: a contact whose changeKey did not move still has it;
any other (or one found again by its stamp after a reset) gets its photo read back in a `$batch`. A photo
upload moves the changeKey and answers none, so after uploads the folder is listed once more and the new
changeKeys recorded (for contacts whose content is still what was sent): the next run sees no change.

Writes go out through the one applier (tui_sync.sync.apply), in two rounds (creations, updates, photos
of existing contacts and deletions; then the photos of the contacts just created — their ids were
unknown — and the deletion of contacts replaced to drop a photo, which Graph cannot delete): each write
notes its answer on its contact's `_Task`, which asks for those follow-ups, and a task none of whose
writes is pending is settled, its link recorded in the transaction of the batch that finished it. A
crash loses at most the batches in flight, and the CRM-id stamp lets the next run find its creations.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from tui_sync import texts
from tui_sync.domain.content import contact_fields
from tui_sync.domain.models import MAX_CONTACTS_TO_SYNC, Contact, DatabaseIdentity, User
from tui_sync.domain.remote import ContactResult, ContactsRecorded, RemoteContact, Write
from tui_sync.store import Store
from tui_sync.store.links import Link
from tui_sync.sync.apply import Applier, Batch, Change
from tui_sync.sync.events import ContactsSummary, Phase, Progress, ProgressCallback
from tui_sync.sync.fingerprints import (
    contact_fields_fingerprint,
    contact_fingerprint,
    link_note,
    note_fingerprint,
    photo_digest,
    remote_contact_fingerprint,
)
from tui_sync.sync.kinds import CONTACT as KIND
from tui_sync.sync.plan import Item, LinkState, Op, Plan, Policy, Step, link_state, plan
from tui_sync.sync.ports import AddressBook

STAMP_PREFIX = f"{KIND}:"


@dataclass
class _Remote:
    """One of our remote contacts (linked or stamped) and the digest of the photo it holds, as known."""

    item: RemoteContact
    photo: str


@dataclass
class _Sides:
    contacts: dict[str, Contact] = field(default_factory=dict)  # in scope, by CRM key
    links: dict[str, Link] = field(default_factory=dict)  # in scope, by CRM key
    remote: dict[str, _Remote] = field(default_factory=dict)  # ours, by remote id


@dataclass
class _Task:
    """What one contact needs from the remote in this run, and what is known once it is done."""

    kind: str  # "create" | "update" | "delete"
    key: str | None
    remote_id: str | None = None  # update/delete: the remote contact; create: set once created
    contact: Contact | None = None
    write: Write | None = None  # the POST, or the PATCH of what differs
    photo: bytes | None = None  # to upload (after the POST, for a creation)
    replaces: str | None = None  # create: the remote contact to delete once this one exists
    counter: str = ""  # ContactsSummary.microsoft counter to bump on success
    restored: bool = False
    note_fp: str = ""
    item: RemoteContact | None = None  # the remote's contact, as last seen
    photo_out: str = ""  # digest of the photo the remote holds
    photo_sent: bool = False
    pending: int = 0
    failures: list[str] = field(default_factory=list)

    @property
    def title(self) -> str:
        if self.contact is not None:
            return self.contact.display_name
        return (self.item.name if self.item else "") or self.remote_id or ""

    @property
    def remote(self) -> str:
        """The remote contact an update or a delete writes to (a creation's once it exists)."""
        if self.remote_id is None:
            raise ValueError(f"a {self.kind} task has no remote contact yet")
        return self.remote_id

    # What each write's answer means for the task (and the follow-up writes it asks for):

    def created(self, result: ContactResult, book: AddressBook) -> list[tuple[Write, _Noted]]:
        """The POST: the new contact's photo and the deletion of the one it replaces follow."""
        if not result.ok:
            self.failures.append(result.error)
            return []
        self.item = result.answer
        self.remote_id = self.item.id
        follow_ups: list[tuple[Write, _Noted]] = []
        if self.photo is not None:
            follow_ups.append((book.put_photo(self.remote_id, self.photo), self.photo_put))
        if self.replaces:
            follow_ups.append((book.delete_contact(self.replaces), self.replaced))
        return follow_ups

    def patched(self, result: ContactResult, book: AddressBook) -> list[tuple[Write, _Noted]]:
        if result.ok:
            self.item = result.answer
        else:
            self.failures.append(result.error)
        return []

    def photo_put(self, result: ContactResult, book: AddressBook) -> list[tuple[Write, _Noted]]:
        """A photo upload, of an existing contact or of one just created. Failed, the link keeps the
        photo the remote held: it is sent again next run."""
        if result.ok:
            self.photo_out, self.photo_sent = photo_digest(self.photo), True
        else:
            self.failures.append(result.error)
        return []

    def deleted(self, result: ContactResult, book: AddressBook) -> list[tuple[Write, _Noted]]:
        if not (result.ok or result.gone):
            self.failures.append(result.error)
        elif not result.ok:
            self.counter = ""  # already gone: nothing was deleted by us
        return []

    def replaced(self, result: ContactResult, book: AddressBook) -> list[tuple[Write, _Noted]]:
        """The deletion of the contact this creation replaced; failed, the stamped copy left behind
        goes next run."""
        if not (result.ok or result.gone):
            self.failures.append(result.error)
        return []


_Noted = Callable[[ContactResult, AddressBook], "list[tuple[Write, _Noted]]"]
"""A write's answer noted on its task; returns the follow-up writes it asks for (built by the address
book), each with its own."""


class ContactsSync:
    """One contacts run for one user. Build it, then `await run()` once; per-item failures are in
    `errors` (the run goes on), note conflicts in `conflicts`."""

    def __init__(
        self,
        *,
        store: Store,
        address_book: AddressBook,
        user: User,
        policy: Policy,
        on_event: ProgressCallback,
        now: datetime,
    ) -> None:
        self.store = store
        self.address_book = address_book
        self.user = user
        self.policy: Policy = policy
        self.on_event = on_event
        self.now = now
        self.summary = ContactsSummary()
        self.errors: list[str] = []
        self.conflicts = 0  # notes changed differently on both sides since the last sync
        self._done = 0
        self._total = 0
        self._uploaded: dict[str, Link] = {}  # links of contacts whose photo this run uploaded
        self.owner = DatabaseIdentity("")  # this CRM database, read when the run starts (its stamps)

    # --- the run --------------------------------------------------------------------------------

    async def run(self) -> ContactsSummary:
        self._progress("reading")
        self.owner = await self.store.database_identity()
        await self._plan_and_write(await self._read())
        if self._uploaded:
            self._progress("recording", self._done, self._total)
            await self._record_change_keys()
        self._progress("done", self._done, self._total)
        return self.summary

    async def _plan_and_write(self, sides: _Sides) -> None:
        """Plan and send the writes. Its own frame so that, once it returns, the CRM contacts (with
        their photos), the remote items and the tasks' answers are freed before the changeKeys are
        read back: each is the size of the whole sync list, and holding them all at once then was the
        peak of a sync's memory."""
        self._progress("planning")
        content = plan(
            self._crm_items(sides),
            self._remote_items(sides),
            [link_state(link) for link in sides.links.values()],
            policy="crm",  # one-way fields: the CRM wins whatever changed
            now=self.now,
        )
        tasks, pairs, forget = self._structure(content, sides)
        await self.store.delete_links(self.user.code, KIND, forget)
        tasks += await self._reconcile(pairs, content, sides)

        changes = [change for task in tasks for change in self._changes(task)]
        self._total = len(changes) + sum(
            (t.photo is not None) + bool(t.replaces) for t in tasks if t.kind == "create"
        )
        self._progress("writing", 0, self._total)
        await Applier(self.store, self.user.code, self._send, self._written).apply(changes)

    async def _send(self, writes: Sequence[Write], on_results: ContactsRecorded) -> object:
        return await self.address_book.write(writes, self.owner, on_results)

    def _written(self, count: int) -> None:
        self._done += count
        self._progress("writing", self._done, self._total)

    def _stamp_key(self, item: RemoteContact) -> str | None:
        """The CRM contact id stamped on a remote contact by this CRM database, else None."""
        stamp = item.stamp or ""
        return stamp[len(STAMP_PREFIX) :] if stamp.startswith(STAMP_PREFIX) else None

    def _progress(self, phase: Phase, done: int = 0, total: int = 0) -> None:
        self.on_event(Progress("contacts", phase, done, total, self.address_book.requests))

    # --- reading --------------------------------------------------------------------------------

    async def _read(self) -> _Sides:
        sides = _Sides()
        ids = await self.store.sync_list(self.user.code)
        self.summary.left_out = max(0, len(ids) - MAX_CONTACTS_TO_SYNC)
        beyond = {str(i) for i in ids[MAX_CONTACTS_TO_SYNC:]}  # left out: neither synced nor deleted
        sides.contacts = {str(c.id): c for c in await self.store.contacts_by_ids(ids[:MAX_CONTACTS_TO_SYNC])}
        links = await self.store.links(self.user.code, KIND)
        sides.links = {k: v for k, v in links.items() if k not in beyond}
        ours = await self._ours(sides, {link.remote_id for k, link in links.items() if k in beyond}, beyond)
        known = await self._known_photos(ours, sides)
        sides.remote = {rid: _Remote(item, known[rid]) for rid, item in ours.items()}
        return sides

    async def _ours(self, sides: _Sides, skipped: set[str], beyond: set[str]) -> dict[str, RemoteContact]:
        """Our remote contacts by id: the linked ones and those bearing our stamp (not the remote
        user's own, nor those of contacts left out by the limit)."""
        listed = {item.id: item for item in await self.address_book.list(self.owner)}
        # A linked contact missing from the list may have been filed elsewhere: only a 404 means gone.
        missing = [link.remote_id for link in sides.links.values() if link.remote_id not in listed]
        for remote_id, item in (await self.address_book.get_contacts(missing, self.owner)).items():
            if item is not None:
                listed[remote_id] = item
        linked = {link.remote_id for link in sides.links.values()}
        ours = {
            rid: item
            for rid, item in listed.items()
            if rid not in skipped and (rid in linked or (self._stamp_key(item) or "") not in ("", *beyond))
        }
        # A link to a contact that is gone while another bearing its stamp is there (a run cut after
        # re-creating it): that one is its successor, to be linked rather than deleted and made again.
        successors = {self._stamp_key(item) for rid, item in ours.items() if rid not in linked}
        for key, link in list(sides.links.items()):
            if link.remote_id not in ours and key in successors:
                del sides.links[key]
        return ours

    async def _known_photos(self, ours: dict[str, RemoteContact], sides: _Sides) -> dict[str, str]:
        """The digest of the photo each of our contacts holds: the link's while its changeKey has not
        moved, else read back (one `$batch` GET per 20 contacts the remote touched or that are re-linked)."""
        linked = {link.remote_id: link for link in sides.links.values()}
        paired = {link.crm_key for link in linked.values() if link.remote_id in ours}
        known: dict[str, str] = {}
        check: list[str] = []
        for rid, item in ours.items():
            link = linked.get(rid)
            if link is not None and item.change_key == link.remote_change_key:
                known[rid] = str(link.extra.get("photo", ""))
            elif link is not None or self._stamp_key(item) in sides.contacts.keys() - paired:
                check.append(rid)  # changed remotely, or found again by its stamp
            else:
                known[rid] = ""  # a leftover to delete: its photo does not matter
        for rid, photo in (await self.address_book.photos(check)).items():
            known[rid] = photo_digest(photo)
        return known

    # --- planning -------------------------------------------------------------------------------

    def _crm_items(self, sides: _Sides) -> dict[str, Item]:
        return {
            key: Item(key, contact_fingerprint(c), modified=c.updated_at, match_key=key)
            for key, c in sides.contacts.items()
        }

    def _remote_items(self, sides: _Sides) -> dict[str, Item]:
        return {
            rid: Item(
                rid,
                remote_contact_fingerprint(r.item, r.photo),
                version=r.item.change_key,
                modified=r.item.last_modified,
                match_key=self._stamp_key(r.item),
            )
            for rid, r in sides.remote.items()
        }

    def _structure(self, content: Plan, sides: _Sides) -> tuple[list[_Task], dict[str, str], list[str]]:
        """The creations and deletions the content plan asks for, the pairs present on both sides
        (CRM key → remote id), and the links to forget: what each op means, in one table."""
        tasks: list[_Task] = []
        pairs: dict[str, str] = {}
        forget: list[str] = []

        def create(step: Step) -> None:
            # New in the list, or deleted remotely: (re-)created from the CRM, counted as created.
            tasks.append(self._create(step.crm, sides.contacts[step.crm], "created"))

        def delete(step: Step) -> None:
            # Off the list (or gone from the CRM), or a stamped contact nothing in the list claims
            # (a duplicate of an interrupted run, one removed from the list before a reset).
            item = sides.remote[step.remote].item
            tasks.append(_Task("delete", step.crm_key, step.remote_id, item=item, counter="deleted"))

        def pair(step: Step) -> None:  # both sides hold it
            pairs[step.crm] = step.remote

        by_op: dict[Op, Callable[[Step], None]] = {
            Op.CREATE_REMOTE: create,
            Op.DELETE_CRM: create,
            Op.DELETE_REMOTE: delete,
            Op.CREATE_CRM: delete,
            Op.UNLINK: lambda step: forget.append(step.crm),
            Op.LINK: pair,
            Op.UPDATE_REMOTE: pair,
            Op.UPDATE_CRM: pair,
        }
        for step in content.steps:
            by_op[step.op](step)
        stepped = {step.crm_key for step in content.steps if step.crm_key}
        for key, link in sides.links.items():
            if key not in stepped and key in sides.contacts and link.remote_id in sides.remote:
                pairs[key] = link.remote_id
        return tasks, pairs, forget

    def _note_plan(self, pairs: dict[str, str], sides: _Sides) -> Plan:
        crm = {
            key: Item(
                key,
                note_fingerprint(sides.contacts[key].note),
                modified=sides.contacts[key].updated_at,
                match_key=key,
            )
            for key in pairs
        }
        remote = {}
        for key, rid in pairs.items():
            item = sides.remote[rid].item
            remote[rid] = Item(
                rid,
                note_fingerprint(item.note),
                version=item.change_key,
                modified=item.last_modified,
                match_key=key,
            )
        states = []
        for key, rid in pairs.items():
            link = sides.links.get(key)
            if link is not None and link.remote_id == rid:
                note = link_note(link)
                states.append(LinkState(key, rid, note, link.remote_change_key, note))
        return plan(crm, remote, states, policy=self.policy, now=self.now)

    async def _reconcile(self, pairs: dict[str, str], content: Plan, sides: _Sides) -> list[_Task]:
        """For each pair: bring the note home if the remote's won, then say what the remote must be sent."""
        notes = self._note_plan(pairs, sides)
        self.conflicts += notes.conflicts
        pull = {s.crm_key for s in notes.of(Op.UPDATE_CRM)}
        push = {s.crm_key for s in notes.of(Op.UPDATE_REMOTE)}
        restored = {
            s.crm_key
            for s in content.of(Op.UPDATE_CRM, Op.UPDATE_REMOTE)
            if s.crm_key in sides.links and (s.op is Op.UPDATE_CRM or s.conflict)
        }
        tasks: list[_Task] = []
        refreshed: list[Link] = []
        recreate: list[tuple[str, str, Contact]] = []
        for key, rid in pairs.items():
            contact, remote = sides.contacts[key], sides.remote[rid]
            note = contact.note
            if key in pull:
                note = remote.item.note
                contact = await self._pull_note(contact, note)
            fields_differ = contact_fields(contact) != remote.item.fields
            photo_differs = photo_digest(contact.photo) != remote.photo
            if photo_differs and contact.photo is None:
                recreate.append((key, rid, contact))
            elif fields_differ or photo_differs or key in push:
                write = None
                if fields_differ or key in push:  # what differs only; the remote's note stays unless pushed
                    write = self.address_book.update_contact(contact, remote.item, note=key in push)
                tasks.append(
                    _Task(
                        "update",
                        key,
                        rid,
                        contact,
                        write,
                        photo=contact.photo if photo_differs else None,
                        counter="updated",
                        restored=key in restored,
                        note_fp=note_fingerprint(note),
                        item=remote.item,
                        photo_out=remote.photo,
                    )
                )
            else:
                link = self._link(key, contact, remote.item, remote.photo, note_fingerprint(note))
                if sides.links.get(key) != link:
                    refreshed.append(link)
        await self.store.save_links(refreshed)
        return tasks + await self._recreate(recreate, restored)

    async def _recreate(self, recreate: list[tuple[str, str, Contact]], restored: set[str]) -> list[_Task]:
        """Graph cannot delete a contact's photo: such a contact is re-created without it, carrying
        everything the remote held (read whole first: one `$batch` GET per 20 contacts), then the old one
        goes."""
        whole = await self.address_book.get_contacts([rid for _, rid, _ in recreate], self.owner, whole=True)
        tasks = []
        for key, rid, contact in recreate:
            task = self._create(key, contact, "updated", replaces=rid, held=whole.get(rid))
            task.restored = key in restored
            tasks.append(task)
        return tasks

    async def _pull_note(self, contact: Contact, note: str) -> Contact:
        """The remote's note into the CRM (re-read first: only the note changes, whatever else is new)."""
        fresh = await self.store.get_contact(contact.stored_id)
        self.summary.crm.updated += 1
        return await self.store.update_contact(fresh.with_changes(note=note))

    def _create(
        self,
        key: str,
        contact: Contact,
        counter: str,
        replaces: str | None = None,
        held: RemoteContact | None = None,
    ) -> _Task:
        """Create `contact` on the remote; in place of `held` (the contact it replaces, read whole) when
        given, so that what only the remote held is carried over."""
        return _Task(
            "create",
            key,
            contact=contact,
            write=self.address_book.create_contact(contact, f"{STAMP_PREFIX}{key}", self.owner, held),
            photo=contact.photo,
            replaces=replaces,
            counter=counter,
            note_fp=note_fingerprint(contact.note),
        )

    # --- writing --------------------------------------------------------------------------------

    def _changes(self, task: _Task) -> list[Change[ContactResult]]:
        """The first writes of a task, each with what its answer means for the task."""
        if task.kind == "create":
            assert task.write is not None  # made with its POST
            return [self._change(task, task.write, task.created)]
        if task.kind == "delete":
            return [self._change(task, self.address_book.delete_contact(task.remote), task.deleted)]
        changes = []
        if task.write is not None:
            changes.append(self._change(task, task.write, task.patched))
        if task.photo is not None:
            changes.append(
                self._change(task, self.address_book.put_photo(task.remote, task.photo), task.photo_put)
            )
        return changes

    def _change(self, task: _Task, write: Write, noted: _Noted) -> Change[ContactResult]:
        """`write` for `task`: its answer is noted on the task, which is settled (counted, its link
        recorded in the batch's transaction) once none of its writes of this round is pending; the
        follow-ups the answer asks for go in the next round."""
        task.pending += 1

        async def done(result: ContactResult, batch: Batch) -> None:
            follow_ups = noted(result, self.address_book)
            task.pending -= 1
            if task.pending == 0:
                self._settle(task, batch)
            for follow_up, then in follow_ups:
                batch.then(self._change(task, follow_up, then))

        return Change(write, done)

    def _settle(self, task: _Task, batch: Batch) -> None:
        """Count a finished task and record what the remote now holds. A failed update leaves its link as
        it was (the next run compares again); a creation that happened is always linked, since that
        link is what keeps the next run from creating the contact twice."""
        failed = bool(task.failures)
        self.errors.extend(texts.sync.item_failed(task.title, failure) for failure in task.failures)
        task.failures.clear()
        if task.kind == "delete":
            if not failed:
                if task.key is not None:
                    batch.forget(KIND, task.key)
                if task.counter:
                    self.summary.microsoft.deleted += 1
            return
        if (task.kind == "update" and failed) or task.item is None or task.key is None:
            return
        assert task.contact is not None
        link = self._link(task.key, task.contact, task.item, task.photo_out, task.note_fp)
        batch.save(link)
        if task.photo_sent:
            self._uploaded[task.key] = link
        if task.counter == "created":
            self.summary.microsoft.created += 1
        elif task.counter == "updated":
            self.summary.microsoft.updated += 1
            self.summary.restored += int(task.restored)
        task.counter = ""  # a creation settles twice (its photo follows): count it once

    async def _record_change_keys(self) -> None:
        """The changeKeys our photo uploads produced, read from one more listing of the folder. A contact
        whose fields or note moved meanwhile keeps its old changeKey, so the next run looks at it."""
        by_remote = {link.remote_id: link for link in self._uploaded.values()}
        fresh = []
        async for page in self.address_book.pages(
            self.owner
        ):  # a page at a time: the whole folder is not needed at once
            for item in page:
                link = by_remote.get(item.id)
                if (
                    link is not None
                    and remote_contact_fingerprint(item, str(link.extra["photo"])) == link.remote_hash
                    and note_fingerprint(item.note) == link_note(link)
                ):
                    fresh.append(replace(link, remote_change_key=item.change_key))
        await self.store.save_links(fresh)

    def _link(self, key: str, contact: Contact, item: RemoteContact, photo: str, note_fp: str) -> Link:
        extra: dict[str, Any] = {"note": note_fp, "photo": photo}
        return Link(
            self.user.code,
            KIND,
            key,
            item.id,
            contact_fields_fingerprint(contact_fields(contact), photo),
            item.change_key,
            remote_contact_fingerprint(item, photo),
            extra,
        )
