"""The CRM's contacts and each user's *contacts to sync* list, for both front ends.

The rules live here, once:
- a user edits their own list; an administrator may open and edit anyone's (the same rule as syncing
  another user's contacts);
- a list holds at most 2000 contacts: an addition that would pass it is refused whole (LimitReached)
  and nothing is added;
- when a list is changed by both removals and additions, the removals come first, in one transaction,
  so swapping contacts in a full list works and a refused addition leaves the list as it was;
- what the remote holds of each contact (synced / pending / never) is read from the sync links the
  contacts engine keeps, compared with the contact as the CRM has it now by the engine's own test.

The filter is a pure function over an index folded once (`build_index`, `filter_contacts`), so the screen
can run it on every key and a benchmark can time it without a database.

The engine's fingerprints are imported when a remote state is first computed: the commands that never
show one (`user list`, …) build this service too, and start faster without it.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Literal

from tui_sync import texts
from tui_sync.domain.models import MAX_CONTACTS_TO_SYNC, Contact, User, check_note, photo_type
from tui_sync.domain.photos import photo_decodes
from tui_sync.errors import BadInput
from tui_sync.store import Link, Store
from tui_sync.store.db import fold
from tui_sync.sync.kinds import CONTACT as LINK_KIND

RemoteStateName = Literal["synced", "pending", "never"]


@dataclass(frozen=True)
class RemoteState:
    """What the remote holds of one contact for one user.

    `synced`: the last sync wrote it as the CRM has it now; `pending`: the next sync changes it (edited
    in the CRM since, or taken off the list: its remote copy is deleted); `never`: no remote copy yet
    (in the list: the next sync creates it). `last_synced` is the user's last successful contacts sync
    when a copy exists, else None."""

    state: RemoteStateName
    listed: bool
    last_synced: datetime | None = None


@dataclass(frozen=True)
class IndexEntry:
    """One contact as the filter sees it: the folded text of its searched fields."""

    contact: Contact
    text: str


ContactIndex = Sequence[IndexEntry]
"""Contacts in display order with their folded search text (`build_index`)."""

_SEPARATOR = "\x1f"  # between fields: a typed word never matches across two fields


def _search_text(contact: Contact) -> str:
    """Name, company, e-mail, phones (also without their spaces, dots and dashes) and city, folded."""
    phones = [p for p in (contact.phone, contact.mobile) if p]
    compact = ["".join(ch for ch in p if ch.isdigit() or ch == "+") for p in phones]
    fields = (
        f"{contact.last_name} {contact.first_name}",
        f"{contact.first_name} {contact.last_name}",
        contact.company,
        contact.email,
        *phones,
        *compact,
        contact.city,
    )
    return fold(_SEPARATOR.join(f for f in fields if f))


def build_index(contacts: Iterable[Contact]) -> list[IndexEntry]:
    """Fold every contact's searched text once, so each key costs only substring tests."""
    return [IndexEntry(c, _search_text(c)) for c in contacts]


def filter_contacts(index: ContactIndex, query: str, limit: int) -> tuple[list[Contact], int]:
    """The contacts whose searched text holds every word of `query` (case and accents ignored), in
    index order: the first `limit` of them, and how many more match beyond those."""
    words = fold(query).split()
    if not words:
        shown = [e.contact for e in index[:limit]]
        return shown, max(0, len(index) - limit)
    matches: list[Contact] = []
    more = 0
    for entry in index:
        text = entry.text
        if all(word in text for word in words):
            if len(matches) < limit:
                matches.append(entry.contact)
            else:
                more += 1
    return matches, more


def remote_state(
    contact: Contact, listed: bool, link: Link | None, last_sync: datetime | None
) -> RemoteState:
    """Compare a contact with its sync link (None: never synced) by the contacts engine's own test."""
    if link is None:
        return RemoteState("never", listed)
    from tui_sync.sync.fingerprints import contact_changed

    same = listed and not contact_changed(contact, link)
    return RemoteState("synced" if same else "pending", listed, last_sync)


class ContactsService:
    """Contacts (search, get, add, update, delete), the lists of contacts to sync, their remote state."""

    def __init__(self, store: Store) -> None:
        self.store = store

    # --- contacts ----------------------------------------------------------------------------------

    async def list_contacts(self, text_filter: str = "") -> list[Contact]:
        """Every contact by name, or those matching `text_filter` (names, company, e-mail, phones, city;
        case and accents ignored)."""
        return await self.store.list_contacts(text_filter)

    async def index(self) -> list[IndexEntry]:
        """Every contact, folded once for `filter_contacts` (the screen's type-to-filter)."""
        return build_index(await self.store.list_contacts())

    async def get(self, contact_id: int) -> Contact:
        return await self.store.get_contact(contact_id)

    async def save(self, contact: Contact) -> Contact:
        """Add the contact (no id yet) or write every field of the one with its id. A Contact is valid
        by construction (InvalidValue names the refused field), so nothing invalid reaches the store;
        its note must fit in one Microsoft 365 request (check_note)."""
        check_note(contact.note)
        if contact.id is None:
            return await self.store.add_contact(contact)
        return await self.store.update_contact(contact)

    async def delete(self, contact_id: int) -> bool:
        """Delete a contact; it leaves every list, so each user's next sync deletes its Outlook copy."""
        return await self.store.delete_contact(contact_id)

    async def read_photo(self, path: str) -> bytes:
        """The bytes of a photo file (the Contact built with them refuses anything but a JPEG or PNG of
        at most 4 MB); BadInput if the file cannot be read, or starts like a JPEG or PNG but its header
        does not decode (a truncated or damaged file would reach Outlook as a broken picture)."""
        file = Path(path.strip()).expanduser()
        try:
            data = await asyncio.to_thread(file.read_bytes)
        except OSError as error:
            raise BadInput(texts.imports.photo_unreadable(str(file), error.strerror or str(error))) from None
        kind = photo_type(data)
        if kind is not None and not photo_decodes(data):
            raise BadInput(texts.imports.photo_damaged(str(file), kind))
        return data

    # --- whose list --------------------------------------------------------------------------------

    async def may_edit_list(self, viewer: str, owner: str) -> bool:
        """A user edits their own list; an administrator anyone's."""
        me = await self.store.get_user(viewer)
        target = await self.store.get_user(owner)
        return me.code == target.code or me.is_admin

    async def require_list_editor(self, viewer: str, owner: str) -> User:
        """The list's owner, if `viewer` may edit it; BadInput saying why not otherwise."""
        target = await self.store.get_user(owner)
        if not await self.may_edit_list(viewer, target.code):
            raise BadInput(texts.errors.sync_list_not_yours(viewer, target.code))
        return target

    async def list_owners(self, viewer: str) -> list[User]:
        """The users whose list `viewer` may open: themselves, or every user for an administrator."""
        me = await self.store.get_user(viewer)
        if not me.is_admin:
            return [me]
        return await self.store.list_users()

    # --- the lists ---------------------------------------------------------------------------------

    async def sync_list(self, owner: str) -> list[Contact]:
        """The owner's contacts to sync, in list order."""
        async with self.store.snapshot():
            return await self.store.contacts_by_ids(await self.store.sync_list(owner))

    async def edit_sync_list(
        self, owner: str, *, add: Iterable[int] = (), remove: Iterable[int] = (), viewer: str | None = None
    ) -> list[Contact]:
        """Remove, then add (all or nothing: an unknown id or passing 2000 contacts changes nothing);
        returns the list as it now is. With `viewer`, only the owner or an administrator may do it."""
        add, remove = list(add), list(remove)
        async with self.store.transaction():
            user = await (self.require_list_editor(viewer, owner) if viewer else self.store.get_user(owner))
            if remove:
                await self.store.remove_from_sync_list(user.code, remove)
            if add:
                await self.store.add_to_sync_list(user.code, add)
            return await self.store.contacts_by_ids(await self.store.sync_list(user.code))

    async def add_to_sync_list(self, viewer: str, owner: str, ids: Iterable[int]) -> list[Contact]:
        """Append contacts to the owner's list; refused whole past 2000 (LimitReached)."""
        return await self.edit_sync_list(owner, add=ids, viewer=viewer)

    async def remove_from_sync_list(self, viewer: str, owner: str, ids: Iterable[int]) -> list[Contact]:
        """Take contacts off the owner's list: the next sync deletes their Outlook copies."""
        return await self.edit_sync_list(owner, remove=ids, viewer=viewer)

    @property
    def limit(self) -> int:
        return MAX_CONTACTS_TO_SYNC

    async def remote_states(self, owner: str) -> dict[int, RemoteState]:
        """The remote state of each contact in the owner's list, and of each contact taken off it that
        still has a remote copy (pending: the next sync deletes it). A contact in neither has none."""
        async with self.store.snapshot():
            user = await self.store.get_user(owner)
            listed_ids = await self.store.sync_list(user.code)
            links = await self.store.links(user.code, LINK_KIND)
            linked_ids = [int(key) for key in links if key.isdigit()]
            contacts = {c.id: c for c in await self.store.contacts_by_ids([*listed_ids, *linked_ids])}
        listed = set(listed_ids)
        return {
            cid: remote_state(contact, cid in listed, links.get(str(cid)), user.last_contacts_sync)
            for cid, contact in contacts.items()
            if cid is not None
        }
