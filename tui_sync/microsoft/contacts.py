"""The Outlook contact operations the contacts sync needs, on top of the Graph client: Outlook's side
of the engine's `AddressBook` port (`tui_sync.sync.ports`).

Reads ask for exactly the properties the mapping compares (and the CRM-id stamp) and hand the engine
typed items (`RemoteContact`), never Graph JSON; the contact's JSON travels inside as its opaque `raw`,
which only the writes built here read. Writes — creations, updates, deletions and photo uploads alike —
go out in `$batch` requests, each result handed back by the position of its write (a created or updated
contact read into a `RemoteContact` too) so the engine records links per batch. A photo upload is a
`Write` whose body is the image bytes, sent base64-encoded in the batch with its own `Content-Type`
(Microsoft Graph docs: json-batching).

Graph cannot delete an Outlook contact's photo (`profilephoto-delete.md`: "supports only user or group
photos, not Outlook contact"), so removing one is the engine's business (it re-creates the contact).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from typing import Any

from tui_sync.domain.models import Contact, DatabaseIdentity, photo_type
from tui_sync.domain.remote import ContactResult, ContactsRecorded, RemoteContact, Write
from tui_sync.microsoft import mapping
from tui_sync.microsoft.calendar import result_of
from tui_sync.microsoft.graph import GraphClient, Request, Response
from tui_sync.microsoft.mapping import STAMP_EXPAND

CONTACT_FIELDS = (
    "id,givenName,surname,displayName,title,jobTitle,companyName,emailAddresses,businessPhones,"
    "mobilePhone,businessAddress,personalNotes,changeKey,lastModifiedDateTime"
)
PAGE_SIZE = 1000  # Graph's largest $top: two pages at the 2000-contact limit

GraphContact = dict[str, Any]  # a contact as Graph gives it
ContactsPage = list[RemoteContact]  # one page of a listing
# Each write with its result; named here because inside OutlookContacts `list` is its method.
WriteResults = list[tuple[Write, ContactResult]]


def read_contact(item: GraphContact, owner: DatabaseIdentity) -> RemoteContact:
    """The engine's view of a Graph contact: identity, stamp, and the synced fields as Outlook holds
    them, in the CRM's compared form."""
    return RemoteContact(
        id=str(item["id"]),
        change_key=str(item.get("changeKey") or ""),
        last_modified=mapping.last_modified(item),
        stamp=mapping.read_stamp(item, owner),
        name=str(item.get("displayName") or ""),
        fields=mapping.graph_contact_fields(item),
        note=mapping.graph_note(item),
        raw=item,
    )


def _json(item: RemoteContact) -> GraphContact:
    """The Graph JSON a contact was read from (see `read_contact`)."""
    assert isinstance(item.raw, dict), "a contact read by another address book"
    return item.raw


def _request(write: Write) -> Request:
    if isinstance(write.body, bytes | bytearray):
        return Request(
            write.method,
            write.url,
            bytes(write.body),
            content_type=photo_type(bytes(write.body)) or "application/octet-stream",
        )
    headers = {"Content-Type": "application/json"} if write.body is not None else {}
    return Request(write.method, write.url, write.body, headers)


class ContactWrites:
    """The writes of Outlook contacts, built from typed items: what `OutlookContacts` sends, and what
    anything else speaking Graph for the contacts engine (the tests' in-process address book) builds."""

    def create_contact(
        self, contact: Contact, stamp_key: str, owner: DatabaseIdentity, held: RemoteContact | None = None
    ) -> Write:
        """A new contact in the default contacts folder (the folder `list` reads), stamped with
        `stamp_key`; in place of `held` (the contact it replaces, read `whole`) when given, so that what
        only Outlook held is carried over."""
        if held is None:
            body = mapping.contact_to_graph(contact)
        else:
            body = mapping.recreated_contact(contact, _json(held))
        body["singleValueExtendedProperties"] = mapping.stamp(stamp_key, owner)
        return Write("POST", "/me/contacts", body)

    def update_contact(self, contact: Contact, current: RemoteContact, *, note: bool) -> Write:
        """PATCH Outlook's `current` contact with the CRM's one-way fields that differ (and the note
        when `note`), no more: what only Outlook holds stays."""
        body = mapping.contact_update(contact, _json(current), note=note)
        return Write("PATCH", f"/me/contacts/{current.id}", body)

    def put_photo(self, contact_id: str, photo: bytes) -> Write:
        """Upload a JPEG or PNG as the contact's photo (its type read from its magic bytes)."""
        return Write("PUT", f"/me/contacts/{contact_id}/photo/$value", photo)

    def delete_contact(self, contact_id: str) -> Write:
        return Write("DELETE", f"/me/contacts/{contact_id}")


class OutlookContacts(ContactWrites):
    """One mailbox's contacts, for one sync run. Contacts are read as `owner`'s (the CRM database whose
    stamps they may bear)."""

    def __init__(self, graph: GraphClient) -> None:
        self.graph = graph

    @property
    def requests(self) -> int:
        return self.graph.requests

    async def list(self, owner: DatabaseIdentity) -> list[RemoteContact]:
        """Every contact of the default contacts folder, with the CRM-id stamp of those we created."""
        return [item async for page in self.pages(owner) for item in page]

    async def pages(self, owner: DatabaseIdentity) -> AsyncIterator[ContactsPage]:
        """`list` a page at a time, for a caller that needs one contact at a time, not all at once."""
        params = {"$select": CONTACT_FIELDS, "$expand": STAMP_EXPAND, "$top": PAGE_SIZE}
        headers = {"Prefer": f"odata.maxpagesize={PAGE_SIZE}"}
        async for page in self.graph.pages("/me/contacts", params, headers):
            yield [read_contact(item, owner) for item in page]

    async def get_contacts(
        self, contact_ids: Sequence[str], owner: DatabaseIdentity, *, whole: bool = False
    ) -> dict[str, RemoteContact | None]:
        """The contacts with these ids wherever they are filed, None for those that are gone (404):
        the check that a linked contact missing from the list was really deleted, not just moved;
        `whole`: with everything a contact to re-create must carry over (`mapping.CONTACT_WRITABLE`)."""
        ids = list(dict.fromkeys(contact_ids))
        if not ids:
            return {}
        fields = mapping.CONTACT_WRITABLE if whole else CONTACT_FIELDS
        params = {"$select": fields, "$expand": STAMP_EXPAND}
        responses = await self.graph.get_each([f"/me/contacts/{i}" for i in ids], params)
        return {i: read_contact(r.json(), owner) if r else None for i, r in zip(ids, responses, strict=True)}

    async def photos(self, contact_ids: Sequence[str]) -> dict[str, bytes | None]:
        """Each contact's photo bytes (None: it has none), read in `$batch` requests."""
        ids = list(dict.fromkeys(contact_ids))
        if not ids:
            return {}
        responses = await self.graph.get_each([f"/me/contacts/{i}/photo/$value" for i in ids])
        return {i: (r.content or None) if r else None for i, r in zip(ids, responses, strict=True)}

    async def write(
        self, writes: Sequence[Write], owner: DatabaseIdentity, on_results: ContactsRecorded | None = None
    ) -> WriteResults:
        """Send the writes in `$batch` requests; each comes back with its result (errors included).
        `on_results` is awaited with each batch's results (by the position of their write in `writes`)
        as soon as that batch is settled, while the other batches are still in flight."""
        if not writes:
            return []

        async def settled(done: list[tuple[int, Response]]) -> None:
            if on_results is not None:
                await on_results([(i, answered(writes[i], r, owner)) for i, r in done])

        responses = await self.graph.batch([_request(w) for w in writes], settled if on_results else None)
        return [(w, answered(w, r, owner)) for w, r in zip(writes, responses, strict=True)]


def answered(write: Write, response: Response, owner: DatabaseIdentity) -> ContactResult:
    """A write's result; a created or updated contact read for the engine."""
    body = response.json()
    if response.ok and write.method in ("POST", "PATCH") and isinstance(body, dict) and body.get("id"):
        return result_of(response, read_contact(body, owner))
    return result_of(response)
