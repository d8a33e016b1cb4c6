"""Contacts: CRM → Graph JSON → CRM, what Outlook holds compared with what we send, notes."""

from __future__ import annotations

import pytest
from hypothesis import given

from tests.strategies import contacts, graph_echo
from tui_sync.domain.content import contact_fields
from tui_sync.domain.models import Contact, DatabaseIdentity
from tui_sync.errors import UnreadableItem
from tui_sync.microsoft.contacts import read_contact
from tui_sync.microsoft.mapping import contact_to_graph, graph_contact_fields, graph_note, graph_to_contact
from tui_sync.sync.fingerprints import (
    contact_fingerprint,
    note_fingerprint,
    photo_digest,
    remote_contact_fingerprint,
)

NOBODY = DatabaseIdentity("")  # the CRM database reading them: none of their stamps matter here
ANNE = Contact(
    last_name="Martin",
    first_name="Anne",
    civility="Mme",
    company="Contoso",
    job_title="Directrice des achats",
    email="anne.martin@contoso.fr",
    phone="01 23 45 67 89",
    mobile="06 12 34 56 78",
    address_lines=("Bâtiment B", "12 rue de la Paix"),
    postal_code="75002",
    city="Paris",
    country="France",
    note="Préfère être appelée le matin.\nAssistante : Julie",
)


@given(contacts())
def test_a_contact_survives_the_trip_through_graph(contact: Contact) -> None:
    echoed = graph_echo(contact_to_graph(contact))
    assert graph_to_contact(echoed, photo=contact.photo) == contact


@given(contacts())
def test_what_outlook_holds_unedited_compares_equal_to_what_we_send(contact: Contact) -> None:
    echoed = graph_echo(contact_to_graph(contact))
    assert graph_contact_fields(echoed) == contact_fields(contact)
    assert remote_contact_fingerprint(
        read_contact(echoed, NOBODY), photo_digest(contact.photo)
    ) == contact_fingerprint(contact)
    assert note_fingerprint(graph_note(echoed)) == note_fingerprint(contact.note)


def test_the_contact_body_has_every_field_of_spec_5() -> None:
    assert contact_to_graph(ANNE) == {
        "givenName": "Anne",
        "surname": "Martin",
        "displayName": "MARTIN Anne",
        "title": "Mme",
        "jobTitle": "Directrice des achats",
        "companyName": "Contoso",
        "emailAddresses": [{"address": "anne.martin@contoso.fr", "name": "MARTIN Anne"}],
        "businessPhones": ["01 23 45 67 89"],
        "mobilePhone": "06 12 34 56 78",
        "businessAddress": {
            "street": "Bâtiment B\n12 rue de la Paix",
            "postalCode": "75002",
            "city": "Paris",
            "countryOrRegion": "France",
        },
        "personalNotes": "Préfère être appelée le matin.\nAssistante : Julie",
    }


def test_emptied_fields_are_sent_empty_so_a_patch_clears_them() -> None:
    body = contact_to_graph(Contact(last_name="Solo"))
    assert body["emailAddresses"] == [] and body["businessPhones"] == []
    assert body["mobilePhone"] == "" and body["businessAddress"]["street"] == ""
    assert body["displayName"] == "SOLO"


def test_a_company_without_a_person_is_displayed_by_its_name() -> None:
    assert contact_to_graph(Contact(last_name="", company="Fabrikam"))["displayName"] == "Fabrikam"


@pytest.mark.parametrize(
    ("edit", "field"),
    [
        ({"mobilePhone": "07 00 00 00 00"}, "mobilePhone"),
        ({"emailAddresses": [{"address": "anne@perso.fr", "name": "Anne"}]}, "email"),
        ({"businessPhones": []}, "businessPhone"),
        ({"jobTitle": None}, "jobTitle"),
        (
            {
                "businessAddress": {
                    "street": "Bâtiment B\r\n12 rue de la Paix",
                    "postalCode": "75002",
                    "city": "Lyon",
                    "countryOrRegion": "France",
                }
            },
            "city",
        ),
        ({"displayName": "Anne (Contoso)"}, "displayName"),
    ],
)
def test_an_edit_made_in_outlook_to_a_one_way_field_shows(edit: dict[str, object], field: str) -> None:
    held = {**graph_echo(contact_to_graph(ANNE)), **edit}
    differences = {k for k, v in graph_contact_fields(held).items() if v != contact_fields(ANNE)[k]}
    assert differences == {field}
    assert remote_contact_fingerprint(read_contact(held, NOBODY)) != contact_fingerprint(
        ANNE.with_changes(photo=None)
    )


def test_outlook_trimming_and_crlf_are_not_edits() -> None:
    held = graph_echo(contact_to_graph(ANNE))
    held["givenName"] = " Anne "
    held["businessAddress"]["street"] = "Bâtiment B \r\n12 rue de la Paix\r\n"
    assert graph_contact_fields(held) == contact_fields(ANNE)


def test_a_note_edited_in_outlook_comes_back_as_crm_text() -> None:
    held = {**graph_echo(contact_to_graph(ANNE)), "personalNotes": "Rappeler lundi\r\nBudget validé\r\n"}
    assert graph_note(held) == "Rappeler lundi\nBudget validé\n"
    assert note_fingerprint(graph_note(held)) == note_fingerprint("Rappeler lundi\nBudget validé")
    assert note_fingerprint(graph_note(held)) != note_fingerprint(ANNE.note)
    assert graph_note({}) == "" and graph_note({"personalNotes": None}) == ""


def test_the_photo_is_part_of_the_contact_fingerprint() -> None:
    jpeg = b"\xff\xd8\xff\xe0" + b"1" * 10
    with_photo = ANNE.with_changes(photo=jpeg)
    assert contact_fingerprint(with_photo) != contact_fingerprint(ANNE)
    assert contact_fingerprint(with_photo) != contact_fingerprint(with_photo.with_changes(photo=jpeg + b"2"))
    assert contact_fingerprint(with_photo.with_changes(note="autre")) == contact_fingerprint(with_photo)
    assert photo_digest(None) == ""


def test_a_graph_contact_the_crm_cannot_hold_is_unreadable() -> None:
    with pytest.raises(UnreadableItem, match=r"contact C7 cannot be read: last_name: a contact needs a name"):
        graph_to_contact({"id": "C7", "surname": "", "givenName": None})
    with pytest.raises(UnreadableItem, match="is not an e-mail address"):
        graph_to_contact({"id": "C8", "surname": "X", "emailAddresses": [{"address": "not-an-address"}]})
