"""Updates that send only what differs from what the mailbox holds: applied to Outlook's item they make
it read exactly as the CRM's, and they leave every property the CRM does not map as Outlook had it
(Graph keeps what a PATCH leaves out: api-reference/v1.0/api/event-update.md, contact-update.md)."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from hypothesis import given
from hypothesis import strategies as st

from tests.strategies import TYPE_LABELS, actions, contacts, graph_echo, series, zones
from tui_sync.domain.models import Action, Contact
from tui_sync.microsoft.mapping import (
    action_to_event,
    contact_fields,
    contact_to_graph,
    contact_update,
    event_to_action,
    event_to_series,
    event_update,
    graph_contact_fields,
    recreated_contact,
    series_to_event,
    with_type_category,
)
from tui_sync.sync.fingerprints import action_fingerprint, series_fingerprint

PARIS = ZoneInfo("Europe/Paris")


def patched(item: dict[str, Any], body: dict[str, Any]) -> dict[str, Any]:
    """What Graph holds after a PATCH: the body's properties (as Graph echoes them) replace Outlook's,
    the others stay."""
    echoed = graph_echo(body)
    return {**item, **{k: v for k, v in echoed.items() if k in body}}


@given(st.data())
def test_an_action_update_makes_outlook_read_as_the_crm(data: st.DataObject) -> None:
    tz = data.draw(zones)
    crm, held = data.draw(actions(tz)), data.draw(actions(tz))
    current = graph_echo(action_to_event(held, tz))
    after = patched(current, event_update(crm, current, tz, TYPE_LABELS))
    assert action_fingerprint(event_to_action(after, tz, TYPE_LABELS, "X"), tz) == action_fingerprint(crm, tz)


@given(st.data())
def test_a_series_update_makes_outlook_read_as_the_crm(data: st.DataObject) -> None:
    tz = data.draw(zones)
    crm, held = data.draw(series(tz)), data.draw(series(tz))
    current = graph_echo(series_to_event(held, tz))
    after = patched(current, event_update(crm, current, tz, TYPE_LABELS))
    back = event_to_series(after, tz, TYPE_LABELS, "X")
    assert series_fingerprint(back, tz) == series_fingerprint(crm, tz)


@given(st.data())
def test_an_unchanged_action_sends_nothing(data: st.DataObject) -> None:
    tz = data.draw(zones)
    action = data.draw(actions(tz))
    assert event_update(action, graph_echo(action_to_event(action, tz)), tz, TYPE_LABELS) == {}


def meeting(**extra: Any) -> dict[str, Any]:
    action = Action(
        "X", "Comité", datetime(2026, 12, 9, 10, tzinfo=PARIS), datetime(2026, 12, 9, 11, tzinfo=PARIS)
    )
    return graph_echo({**action_to_event(action, PARIS), **extra})


def test_a_new_title_sends_the_subject_alone() -> None:
    current = meeting(
        locations=[{"displayName": "Lyon"}, {"displayName": "Paris"}],
        location={"displayName": "Lyon; Paris"},
        categories=["Client VIP", "Tâche"],
        sensitivity="confidential",
        body={"contentType": "html", "content": "<b>Ordre du jour</b>"},
    )
    crm = event_to_action(current, PARIS, TYPE_LABELS, "X").with_changes(title="Comité (reporté)")
    assert event_update(crm, current, PARIS, TYPE_LABELS) == {"subject": "Comité (reporté)"}


def test_a_new_type_swaps_its_category_and_keeps_the_others() -> None:
    current = meeting(categories=["Client VIP", "Tâche", "Suivi"])
    crm = event_to_action(current, PARIS, TYPE_LABELS, "X").with_changes(action_type="Rendez-vous")
    assert event_update(crm, current, PARIS, TYPE_LABELS) == {
        "categories": ["Client VIP", "Rendez-vous", "Suivi"]
    }


def test_type_categories_are_swapped_in_place_first_when_none_and_never_twice() -> None:
    assert with_type_category(["Client VIP"], "Appel", TYPE_LABELS) == ["Appel", "Client VIP"]
    assert with_type_category(["rendez-vous", "Appel"], "Appel", TYPE_LABELS) == ["Appel"]
    assert with_type_category(None, "Appel", TYPE_LABELS) == ["Appel"]


def test_an_occurrence_update_carries_the_content_and_nothing_of_the_series() -> None:
    current = {
        **meeting(),
        "type": "occurrence",
        "seriesMasterId": "M",
        "originalStart": "2026-12-09T09:00:00Z",
    }
    moved = Action(
        "X",
        "Comité",
        datetime(2026, 12, 10, 14, tzinfo=PARIS),
        datetime(2026, 12, 10, 15, tzinfo=PARIS),
        series_id=4,
        original_start=datetime(2026, 12, 9, 10, tzinfo=PARIS),
    )
    patch = event_update(moved, current, PARIS, TYPE_LABELS)
    assert patch.keys() == {"start", "end", "isAllDay"}
    assert patch["start"] == {"dateTime": "2026-12-10T14:00:00", "timeZone": "Romance Standard Time"}


@given(contacts(), contacts())
def test_a_contact_update_makes_outlook_read_as_the_crm(crm: Contact, held: Contact) -> None:
    current = graph_echo(contact_to_graph(held))
    after = patched(current, contact_update(crm, current, note=False))
    assert graph_contact_fields(after) == contact_fields(crm)


OUTLOOK_ONLY = {
    "birthday": "1980-05-17T00:00:00Z",
    "department": "Achats",
    "nickName": "Jo",
    "homeAddress": {"street": "3 rue Neuve", "city": "Lyon"},
    "imAddresses": ["jo@im.example"],
    "categories": ["Fournisseur"],
}


def outlook_contact() -> dict[str, Any]:
    held = Contact(
        last_name="Martin", first_name="Jo", email="jo@acme.example", phone="+33 1 00", city="Paris"
    )
    current = graph_echo({**contact_to_graph(held), **OUTLOOK_ONLY})
    current["emailAddresses"].append({"address": "perso@example.org", "name": "Jo"})
    current["businessPhones"].append("+33 1 99")
    current["businessAddress"]["state"] = "Île-de-France"
    return current


def test_a_contact_update_keeps_what_only_outlook_holds() -> None:
    current = outlook_contact()
    crm = Contact(last_name="Martin", first_name="Jo", email="jo@new.example", phone="+33 1 11", city="Lyon")
    body = contact_update(crm, current, note=False)
    assert body.keys() == {"emailAddresses", "businessPhones", "businessAddress", "displayName"}
    assert [e["address"] for e in body["emailAddresses"]] == ["jo@new.example", "perso@example.org"]
    assert body["businessPhones"] == ["+33 1 11", "+33 1 99"]
    assert body["businessAddress"]["state"] == "Île-de-France" and body["businessAddress"]["city"] == "Lyon"


def test_a_cleared_email_clears_them_all_so_the_next_sync_agrees() -> None:
    crm = Contact(last_name="Martin", first_name="Jo", phone="+33 1 00", city="Paris")
    assert contact_update(crm, outlook_contact(), note=False) == {
        "emailAddresses": [],
        "displayName": "MARTIN Jo",
    }


def test_a_recreated_contact_carries_everything_outlook_held() -> None:
    current = outlook_contact()
    crm = Contact(
        last_name="Martin", first_name="Jo", email="jo@acme.example", phone="+33 1 00", city="Paris"
    )
    body = recreated_contact(crm, current)
    assert {key: body[key] for key in OUTLOOK_ONLY} == OUTLOOK_ONLY
    assert len(body["emailAddresses"]) == 2 and body["businessAddress"]["state"] == "Île-de-France"
    assert not {"id", "changeKey", "@odata.etag"} & body.keys()
