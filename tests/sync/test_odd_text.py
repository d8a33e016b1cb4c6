"""Text is data, never code: quotes, `;`, `%`, `_`, backslashes, a NUL character and 10 KB strings go
through every text field of actions, contacts and users — into the CRM, through a sync both ways,
through Microsoft 365 — and come back identical from the CRM and from the mailbox. A string glued into
SQL (or into an OData `$filter`, or a LIKE pattern) would break on them or change them."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from tests.sync.conftest import World
from tui_sync.domain.models import Action, ActionType, Contact

PARIS = ZoneInfo("Europe/Paris")
SQL = "O'Brien \"dit\" l'Ami; DROP TABLE actions;-- 100% _%_ \\ ?1 :name %s"
NUL = "avant\x00après"
BIG = ("Réunion 'Q4'; 50% \\ — ok\n" * 400)[:10240]  # 10 KB, several lines
NASTY = (SQL, NUL, BIG)
NAME = 'Carine l\'Ami; 100% "CRM"'  # a calendar name with a quote: OData '' escaping


def contact_of(text: str, n: int) -> Contact:
    """Every text field of a contact holding `text` (the e-mail must stay an address)."""
    return Contact(
        last_name=text,
        first_name=text,
        civility=text[:40],
        company=text,
        job_title=text,
        email=f"odd{n}@contoso.test",
        phone=text[:60],
        mobile=text[:60],
        address_lines=(text.replace("\n", " "), "b" + text.replace("\n", " ")),
        postal_code=text[:20],
        city=text,
        country=text,
        note=text,
    )


async def test_quotes_nul_percent_and_10_kb_strings_travel_both_ways_unchanged(world: World) -> None:
    store = world.store
    # the user: a name and a calendar name a string-built query would break on
    user = await store.update_user(
        replace(world.user, full_name=SQL, prefs=replace(world.user.prefs, calendar_name=NAME))
    )
    assert (await world.outlook.post("/me/calendars", {"name": NAME})).status == 201
    label = "Salon 'pro'; 100%"
    await store.add_action_type(ActionType(label, "#112233"))
    start = datetime(2026, 12, 1, 9, tzinfo=PARIS)
    actions = []
    for n, text in enumerate(NASTY):
        when = start + timedelta(days=n)
        action = Action("CARINE", text, when, when + timedelta(hours=1), location=text, note=text)
        actions.append(await store.add_action(replace(action, action_type=label)))
    contacts = [await store.add_contact(contact_of(text, n)) for n, text in enumerate(NASTY)]
    await store.add_to_sync_list("CARINE", [c.id for c in contacts])  # type: ignore[misc]

    summary = await world.service.run("CARINE", "CARINE", ("agenda", "contacts"))
    assert summary.errors == [] and summary.agenda.microsoft.created == 3  # type: ignore[union-attr]

    # the CRM reads back what it was given
    assert (await store.get_user("CARINE")).full_name == SQL and user.prefs.calendar_name == NAME
    for action in actions:
        again = await store.get_action(action.id)
        assert (again.title, again.location, again.note, again.action_type) == (
            action.title,
            action.location,
            action.note,
            label,
        )
    for contact in contacts:
        assert replace(await store.get_contact(contact.id), updated_at=None, created_at=None) == replace(  # type: ignore[arg-type]
            contact, updated_at=None, created_at=None
        )
    # Outlook holds the same text
    calendars = (await world.outlook.get("/me/calendars")).body["value"]
    cid = next(c["id"] for c in calendars if c["name"] == NAME)
    events = (
        await world.outlook.get(
            f"/me/calendars/{cid}/events", headers={"Prefer": 'outlook.body-content-type="text"'}
        )
    ).body["value"]
    by_subject = {e["subject"]: e for e in events}
    for text in NASTY:
        event = by_subject[text]
        assert event["location"]["displayName"] == text and event["body"]["content"] == text
        assert event["categories"] == [label]
    outlook_contacts = (await world.outlook.get("/me/contacts", params={"$top": "100"})).body["value"]
    by_surname = {c["surname"]: c for c in outlook_contacts}
    for contact in contacts:
        item = by_surname[contact.last_name]
        assert (item["givenName"], item["companyName"], item["jobTitle"], item["personalNotes"]) == (
            contact.first_name,
            contact.company,
            contact.job_title,
            contact.note,
        )
        assert item["businessAddress"]["street"] == "\n".join(contact.address_lines)
        assert item["businessAddress"]["city"] == contact.city

    # ... and what Outlook writes comes back unchanged too: new events, an edited note
    for n, text in enumerate(NASTY):
        day = f"2026-12-{10 + n:02}"
        body = {
            "subject": "Outlook " + text,
            "location": {"displayName": text},
            "body": {"contentType": "text", "content": text},
            "start": {"dateTime": f"{day}T09:00:00", "timeZone": "Europe/Paris"},
            "end": {"dateTime": f"{day}T10:00:00", "timeZone": "Europe/Paris"},
        }
        assert (await world.outlook.post(f"/me/calendars/{cid}/events", body)).status == 201
    first = by_surname[contacts[0].last_name]
    patched = await world.outlook.patch(f"/me/contacts/{first['id']}", {"personalNotes": NUL + SQL})
    assert patched.status == 200, patched.body
    summary = await world.service.run("CARINE", "CARINE", ("agenda", "contacts"))
    assert summary.errors == []
    period = world.service.default_period(await store.get_user("CARINE"))
    singles = {a.title: a for a in await store.single_actions("CARINE", period)}
    for text in NASTY:
        copy = singles["Outlook " + text]
        assert (copy.location, copy.note) == (text, text)
    assert (await store.get_contact(contacts[0].id)).note == NUL + SQL  # type: ignore[arg-type]

    # nothing was changed on the way: a further sync finds nothing to do
    again = await world.service.run("CARINE", "CARINE", ("agenda", "contacts"))
    assert again.errors == []
    assert again.agenda.microsoft.created == again.agenda.microsoft.updated == 0  # type: ignore[union-attr]
    assert again.agenda.crm.created == again.agenda.crm.updated == 0  # type: ignore[union-attr]
    assert again.contacts.microsoft.created == again.contacts.microsoft.updated == 0  # type: ignore[union-attr]
    assert again.contacts.crm.updated == 0  # type: ignore[union-attr]
