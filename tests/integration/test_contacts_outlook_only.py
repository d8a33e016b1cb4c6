"""What only Outlook holds on a synced contact survives the CRM's updates, field by field.

Graph keeps every property a PATCH leaves out and replaces whole each one it is given (collections,
`businessAddress`): api-reference/v1.0/api/contact-update.md. So the engine sends only what differs from
the mailbox's contact, merged into Outlook's value where the CRM maps only part of it (the first email,
the first business phone, part of the business address); and a contact re-created to drop its photo
(Graph cannot delete a contact photo) carries everything Outlook held."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from tests.integration.conftest import ThreadedFake
from tests.integration.test_sync_contacts import FULL, ContactsWorld, jpeg

# Each: what the Outlook user sets (given the contact as Outlook holds it), and where to find it again.
OUTLOOK_ONLY: dict[str, tuple[Any, Any]] = {
    "businessAddress.state": (
        lambda held: {"businessAddress": {**held["businessAddress"], "state": "Île-de-France"}},
        lambda held: held["businessAddress"].get("state"),
    ),
    "birthday": (lambda held: {"birthday": "1980-05-17T11:59:00Z"}, lambda held: held.get("birthday")),
    "department": (lambda held: {"department": "Achats"}, lambda held: held.get("department")),
    "nickName": (lambda held: {"nickName": "Milou"}, lambda held: held.get("nickName")),
    "homeAddress": (
        lambda held: {"homeAddress": {"street": "3 rue Neuve", "city": "Lyon", "postalCode": "69001"}},
        lambda held: held.get("homeAddress"),
    ),
    "imAddresses": (lambda held: {"imAddresses": ["emile@im.example"]}, lambda held: held.get("imAddresses")),
    "second email": (
        lambda held: {
            "emailAddresses": [*held["emailAddresses"], {"address": "emile@home.example", "name": "É"}]
        },
        lambda held: [e["address"] for e in held["emailAddresses"][1:]],
    ),
    "second business phone": (
        lambda held: {"businessPhones": [*held["businessPhones"], "+33 1 99 99 99 99"]},
        lambda held: held["businessPhones"][1:],
    ),
    "categories": (lambda held: {"categories": ["Fournisseur"]}, lambda held: held.get("categories")),
}

# What the CRM changes meanwhile: every one-way field at once (the ones that share a Graph property with
# an Outlook-only value included), or only the photo removed (the contact is then re-created).
CRM_CHANGES: dict[str, dict[str, Any]] = {
    "fields": {
        "job_title": "Head buyer",
        "email": "e.martin@contoso.test",
        "phone": "+33 1 11 11 11 11",
        "city": "Lyon",
        "postal_code": "69002",
    },
    "photo removed": {"photo": None},
}


@pytest.fixture
async def world(fake: ThreadedFake, tmp_path: Path) -> AsyncIterator[ContactsWorld]:
    opened = await ContactsWorld.open(fake, tmp_path)
    try:
        yield opened
    finally:
        await opened.close()


@pytest.mark.parametrize("change", CRM_CHANGES)
@pytest.mark.parametrize("name", OUTLOOK_ONLY)
async def test_an_outlook_only_value_survives_a_crm_update(
    world: ContactsWorld, name: str, change: str
) -> None:
    contact = await world.add("Martin", photo=jpeg("emile"), **FULL)
    await world.sync()
    remote_id = world.stamped()[str(contact.id)]["id"]
    set_it, read_it = OUTLOOK_ONLY[name]
    world.outlook.patch(remote_id, set_it(world.stamped()[str(contact.id)]["fields"]))
    wanted = read_it(world.stamped()[str(contact.id)]["fields"])
    assert wanted

    await world.edit(contact, **CRM_CHANGES[change])
    summary = await world.sync()

    assert summary.microsoft.updated == 1 and world.engine is not None and world.engine.errors == []
    held = world.stamped()[str(contact.id)]
    assert read_it(held["fields"]) == wanted
    await world.assert_agrees()
    await world.assert_quiet()
