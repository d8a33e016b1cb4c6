"""What counts as a change, for the planner: stable hashes of an item's synced content.

A fingerprint is computed on the *CRM form* of an item (`tui_sync.domain.content`): a remote item is
first read into an Action or a Series by its provider, then fingerprinted exactly like a CRM one, so the
same content gives the same hash on both sides. Ids, owners, series links and timestamps are not content.
The hashes are stored in the sync links: changing what goes into one makes every linked item look edited
once, so they are pinned by a test.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from datetime import tzinfo

from tui_sync.domain.content import contact_fields, item_form, note_form
from tui_sync.domain.models import Action, Contact, Series
from tui_sync.domain.remote import RemoteContact
from tui_sync.store.links import Link


def digest(payload: object) -> str:
    """SHA-256 of a JSON-able value, keys sorted: the same value always gives the same hash."""
    data = json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(data.encode("utf-8")).hexdigest()


def action_fingerprint(action: Action, tz: tzinfo | None = None) -> str:
    """Stable hash of what an action syncs, the same for a CRM action and for the CRM form of its
    remote copy. Titles and locations are compared trimmed, notes tidied, times as UTC seconds (all-day:
    the dates in `tz`, default the start's zone), the reminder delay only while the reminder is on."""
    return digest({"kind": "action", **item_form(action, tz)})


def series_fingerprint(series: Series, tz: tzinfo | None = None) -> str:
    """Stable hash of a series master: its template, first start/end and rule (see `action_fingerprint`
    for the normalisation). Exceptions and cancellations are not in it: the engine compares occurrences
    one by one."""
    return digest({"kind": "series", **item_form(series, tz)})


def photo_digest(photo: bytes | None) -> str:
    """SHA-256 of a photo's bytes; '' for no photo."""
    return hashlib.sha256(photo).hexdigest() if photo else ""


def contact_fields_fingerprint(fields: Mapping[str, str], photo_sha: str = "") -> str:
    """Stable hash of a contact's one-way fields (`contact_fields`' form) and photo digest: the one
    function both sides go through."""
    return digest({"kind": "contact", **fields, "photo": photo_sha})


def contact_fingerprint(contact: Contact) -> str:
    """Stable hash of what the CRM pushes for a contact: the one-way fields and the photo, not the note
    (it syncs both ways: `note_fingerprint`)."""
    return contact_fields_fingerprint(contact_fields(contact), photo_digest(contact.photo))


def remote_contact_fingerprint(item: RemoteContact, photo_sha: str = "") -> str:
    """`contact_fingerprint` of what the mailbox holds; `photo_sha` is the digest of the photo it is
    known to have (Outlook gives no cheap photo version)."""
    return contact_fields_fingerprint(item.fields, photo_sha)


def note_fingerprint(note: str) -> str:
    """Stable hash of a contact note as both sides keep it (see `domain.content.note_form`)."""
    return digest({"kind": "note", "note": note_form(note)})


def link_note(link: Link) -> str:
    """The note fingerprint a contact link recorded at its last sync ('' when it has none)."""
    return str(link.extra.get("note", ""))


def contact_changed(contact: Contact, link: Link) -> bool:
    """Whether the CRM's `contact` changed since its link was recorded: its one-way fields and photo,
    or its note. The contacts engine plans both comparisons on these same fingerprints, so whatever
    shows a contact as synced or pending agrees with what the next sync does."""
    return link.crm_hash != contact_fingerprint(contact) or link_note(link) != note_fingerprint(contact.note)
