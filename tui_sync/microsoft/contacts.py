"""The Outlook contact operations the contacts sync needs, on top of the Graph client.

Reads ask for exactly the properties the mapping compares (and the CRM-id stamp); writes — creations,
updates, deletions and photo uploads alike — go out in `$batch` requests, each result handed back by
the position of its write so the engine records links per batch. The `Write`/`WriteResult` pair is the
calendar's (`tui_sync.microsoft.calendar`): a photo upload is a `Write` whose body is the image bytes, sent
base64-encoded in the batch with its own `Content-Type` (Microsoft Graph docs: json-batching).

Graph cannot delete an Outlook contact's photo (`profilephoto-delete.md`: "supports only user or group
photos, not Outlook contact"), so removing one is the engine's business (it re-creates the contact).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from typing import Any

from tui_sync.domain.models import photo_type
from tui_sync.microsoft.calendar import Recorded, Write, WriteResult
from tui_sync.microsoft.graph import GraphClient, Request, Response
from tui_sync.microsoft.mapping import STAMP_EXPAND

CONTACT_FIELDS = (
    "id,givenName,surname,displayName,title,jobTitle,companyName,emailAddresses,businessPhones,"
    "mobilePhone,businessAddress,personalNotes,changeKey,lastModifiedDateTime"
)
PAGE_SIZE = 1000  # Graph's largest $top: two pages at the 2000-contact limit

GraphContact = dict[str, Any]
ContactsPage = list[GraphContact]  # one page of a listing
# Each write with its result; named here because inside OutlookContacts `list` is its method.
WriteResults = list[tuple[Write, WriteResult]]

__all__ = ["CONTACT_FIELDS", "GraphContact", "OutlookContacts", "Write", "WriteResult"]


def create(body: GraphContact) -> Write:
    """A new contact in the default contacts folder (the folder `list` reads)."""
    return Write("POST", "/me/contacts", body)


def patch(contact_id: str, body: GraphContact) -> Write:
    return Write("PATCH", f"/me/contacts/{contact_id}", body)


def delete(contact_id: str) -> Write:
    return Write("DELETE", f"/me/contacts/{contact_id}")


def put_photo(contact_id: str, photo: bytes) -> Write:
    """Upload a JPEG or PNG as the contact's photo (its type read from its magic bytes)."""
    return Write("PUT", f"/me/contacts/{contact_id}/photo/$value", photo)


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


class OutlookContacts:
    """One mailbox's contacts, for one sync run."""

    def __init__(self, graph: GraphClient) -> None:
        self.graph = graph

    @property
    def requests(self) -> int:
        return self.graph.requests

    async def list(self) -> list[GraphContact]:
        """Every contact of the default contacts folder, with the CRM-id stamp of those we created."""
        return [item async for page in self.pages() for item in page]

    async def pages(self) -> AsyncIterator[ContactsPage]:
        """`list` a page at a time, for a caller that needs one contact at a time, not all at once."""
        params = {"$select": CONTACT_FIELDS, "$expand": STAMP_EXPAND, "$top": PAGE_SIZE}
        headers = {"Prefer": f"odata.maxpagesize={PAGE_SIZE}"}
        async for page in self.graph.pages("/me/contacts", params, headers):
            yield page

    async def get_contacts(
        self, contact_ids: Sequence[str], fields: str = CONTACT_FIELDS
    ) -> dict[str, GraphContact | None]:
        """The contacts with these ids wherever they are filed, None for those that are gone (404):
        the check that a linked contact missing from the list was really deleted, not just moved; with
        `fields=mapping.CONTACT_WRITABLE`, everything a contact to re-create must carry over."""
        ids = list(dict.fromkeys(contact_ids))
        if not ids:
            return {}
        params = {"$select": fields, "$expand": STAMP_EXPAND}
        responses = await self.graph.get_each([f"/me/contacts/{i}" for i in ids], params)
        return {i: r.json() if r else None for i, r in zip(ids, responses, strict=True)}

    async def photos(self, contact_ids: Sequence[str]) -> dict[str, bytes | None]:
        """Each contact's photo bytes (None: it has none), read in `$batch` requests."""
        ids = list(dict.fromkeys(contact_ids))
        if not ids:
            return {}
        responses = await self.graph.get_each([f"/me/contacts/{i}/photo/$value" for i in ids])
        return {i: (r.content or None) if r else None for i, r in zip(ids, responses, strict=True)}

    async def write(self, writes: Sequence[Write], on_results: Recorded | None = None) -> WriteResults:
        """Send the writes in `$batch` requests; each comes back with its result (errors included).
        `on_results` is awaited with each batch's results (by the position of their write in `writes`)
        as soon as that batch is settled, while the other batches are still in flight."""
        if not writes:
            return []

        async def settled(done: list[tuple[int, Response]]) -> None:
            if on_results is not None:
                await on_results([(i, WriteResult.of(r)) for i, r in done])

        responses = await self.graph.batch([_request(w) for w in writes], settled if on_results else None)
        return [(w, WriteResult.of(r)) for w, r in zip(writes, responses, strict=True)]
