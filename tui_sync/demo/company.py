"""The demo's CRM: a small French company, seeded through the store and the services, then synced once
and edited on the Outlook side, so that the first sync the visitor runs shows both directions and a
deletion to answer.

Ateliers Lumière SARL: ADM (the administrator), CARINE (sales, the demo opens as her), FLORENT (sales),
MONNOM (office) and XAVIER (a technician who never connects, so the wizard shows why he is dimmed).
Everything is made from fixed lists and the day the demo is seeded, so two demos of one day are alike.
"""

from __future__ import annotations

import asyncio
import ssl
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from typing import Any

import aiohttp

from tui_sync.demo.images import PALETTE, avatar_png
from tui_sync.domain.models import (
    Action,
    Contact,
    Recurrence,
    Rights,
    Series,
    SyncPrefs,
    User,
)
from tui_sync.domain.period import Period
from tui_sync.microsoft.auth import DeviceCode
from tui_sync.services import Services
from tui_sync.sync.events import AnswerAll

DOMAIN = "ateliers-lumiere.test"
CLIENT_ID = "7f3c2a10-5d4e-4b8f-9a61-3e2d1c0b9a87"  # any GUID: the fake knows every application
CALENDAR = "Calendar"
UNKNOWN_CATEGORY = "Salon professionnel"  # an Outlook category the CRM has no action type for


def email(code: str) -> str:
    return f"{code.lower()}@{DOMAIN}"


@dataclass(frozen=True)
class Person:
    code: str
    full_name: str
    is_admin: bool = False
    connects: bool = True  # XAVIER never connects


PEOPLE = (
    Person("ADM", "Administrateur", is_admin=True),
    Person("CARINE", "Carine Dupré"),
    Person("FLORENT", "Florent Mégret"),
    Person("MONNOM", "Monique Nommé"),
    Person("XAVIER", "Xavier Lebœuf", connects=False),
)
# (viewer, target, visible, may sync the agenda)
RIGHTS = (
    ("ADM", "CARINE", True, True),
    ("ADM", "FLORENT", True, True),
    ("ADM", "MONNOM", True, True),
    ("ADM", "XAVIER", True, True),
    ("CARINE", "FLORENT", True, True),
    ("CARINE", "MONNOM", True, False),
    ("CARINE", "XAVIER", True, True),
    ("FLORENT", "CARINE", True, False),
    ("MONNOM", "CARINE", True, True),
    ("MONNOM", "FLORENT", True, True),
)

COMPANIES = (
    ("Boulangerie Lefèvre", "Lyon", "69003"),
    ("Métallerie Roux & Fils", "Saint-Étienne", "42000"),
    ("Hôtel Beauséjour", "Annecy", "74000"),
    ("Crèche Les Écureuils", "Villeurbanne", "69100"),
    ("Garage Ménard", "Grenoble", "38000"),
    ("Cabinet Giraud Avocats", "Lyon", "69006"),
    ("Pharmacie de la Croix-Rousse", "Lyon", "69004"),
    ("Éditions du Léman", "Évian-les-Bains", "74500"),
)
FIRST_NAMES = (
    ("M.", "Amélie"),
    ("M.", "Jérôme"),
    ("Mme", "Hélène"),
    ("M.", "François"),
    ("Mme", "Zoé"),
    ("M.", "Loïc"),
    ("Mme", "Céline"),
    ("M.", "Stéphane"),
    ("Mme", "Agnès"),
    ("M.", "Benoît"),
    ("Mme", "Noémie"),
    ("M.", "Gaël"),
    ("Mme", "Bérénice"),
    ("M.", "Hervé"),
    ("Mme", "Maëlle"),
)
LAST_NAMES = (
    "Lefèvre",
    "Roux",
    "Girard",
    "Ménard",
    "Bézier",
    "Châtelain",
    "Dubœuf",
    "Fournier",
    "Guérin",
    "Hébert",
    "Joly",
    "Lemaître",
    "Mercier",
    "Noël",
    "Perrin",
    "Quéré",
    "Rivière",
    "Sénéchal",
    "Thévenin",
    "Vallée",
)
JOBS = ("Gérant", "Directrice", "Comptable", "Responsable des achats", "Assistante", "Chef d'atelier")
CONTACTS = 60
PHOTOS = 12
NOTES = (
    "Préfère être appelé le matin, avant 10 h.",
    "Devis n°2024-118 envoyé ; relancer après les congés.",
    "Rencontré au salon de l'Artisanat à Chambéry — très intéressé par l'éclairage LED.",
    "Paiement à 45 jours fin de mois ; éviter le vendredi après-midi.",
    "",
    "",
)

# The day plan of each user (hour, minutes, type, title, location, note); weekdays only.
AGENDA: dict[str, tuple[tuple[int, int, str, str, str, str], ...]] = {
    "CARINE": (
        (9, 30, "Appel", "Appel de suivi — {company}", "", "Confirmer la date de livraison."),
        (14, 60, "Rendez-vous", "Rendez-vous chez {company}", "{city}", "Apporter le catalogue été."),
        (16, 30, "Tâche", "Préparer le devis {company}", "", "Remises négociées : 8 % au-delà de 50 pièces."),
    ),
    "FLORENT": (
        (10, 60, "Rendez-vous", "Visite {company}", "{city}", "Métrage de l'atelier à refaire."),
        (15, 30, "Appel", "Relance facture {company}", "", ""),
    ),
    "MONNOM": (
        (8, 45, "Tâche", "Saisie des commandes", "", "Vérifier les accents des adresses : « Étienne » !"),
        (11, 60, "Réunion", "Réunion d'équipe", "Salle Lumière", "Ordre du jour : planning, congés, salon."),
    ),
    "XAVIER": ((9, 120, "Rendez-vous", "Installation chez {company}", "{city}", "Prévoir l'échelle."),),
}
WEEKS_AROUND = 2  # four weeks of actions: two before today, two from today


async def add_people(services: Services) -> None:
    """The users, their preferences and their rights, and the Microsoft application."""
    store, people = services.store, services.people
    await people.save_microsoft_settings(CLIENT_ID, "common")
    for person in PEOPLE:
        prefs = SyncPrefs(
            login_email=email(person.code) if person.connects else "",
            calendar_name=CALENDAR,
            months_before=1,
            months_after=3,
        )
        existing = await store.find_user(person.code)
        user = User(person.code, person.full_name, is_admin=person.is_admin, prefs=prefs)
        if existing is None:
            await store.add_user(user)
        else:  # ADM is created with the database
            await store.update_user(user)
    for viewer, target, visible, agenda in RIGHTS:
        await store.set_rights(Rights(viewer, target, visible=visible, agenda=agenda))


def contact_list() -> list[Contact]:
    """~60 contacts at eight companies, a dozen with a photo, names and notes with accents."""
    contacts = []
    for n in range(CONTACTS):
        civility, first = FIRST_NAMES[n % len(FIRST_NAMES)]
        last = LAST_NAMES[(n * 7) % len(LAST_NAMES)]
        company, city, postal = COMPANIES[n % len(COMPANIES)]
        slug = (first + "." + last).lower()
        ascii_slug = unicodedata.normalize("NFKD", slug.replace("œ", "oe")).encode("ascii", "ignore")
        plain = ascii_slug.decode()
        contacts.append(
            Contact(
                last_name=last,
                first_name=first,
                civility=civility,
                company=company,
                job_title=JOBS[n % len(JOBS)],
                email=f"{plain}{n}@exemple.test",
                phone=f"04 7{n % 10} {10 + n:02d} {20 + n % 70:02d} {30 + n % 60:02d}",
                mobile=f"06 {12 + n % 80:02d} {34 + n % 60:02d} 56 {n % 100:02d}" if n % 3 else "",
                address_lines=(f"{3 + n} rue de la République",),
                postal_code=postal,
                city=city,
                country="France",
                photo=avatar_png(PALETTE[n % len(PALETTE)]) if n < PHOTOS else None,
                note=NOTES[n % len(NOTES)],
            )
        )
    return contacts


async def add_contacts(services: Services) -> list[int]:
    store = services.store
    ids = [(await store.add_contact(contact)).id for contact in contact_list()]
    known = [i for i in ids if i is not None]
    await store.add_to_sync_list("CARINE", known[:24])  # the photos among them
    await store.add_to_sync_list("FLORENT", known[20:35])
    await store.add_to_sync_list("MONNOM", known[40:45])
    return known


def at(day: date, hour: int, minute: int, services: Services) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=services.settings.tz)


async def add_agenda(services: Services, today: date) -> None:
    """Four weeks of actions of every type around `today`, and CARINE's two series."""
    store = services.store
    monday = today - timedelta(days=today.weekday())
    first = monday - timedelta(weeks=WEEKS_AROUND)
    every_day = [first + timedelta(days=d) for d in range(7 * 2 * WEEKS_AROUND)]
    days = [day for day in every_day if day.weekday() < 5]
    for owner, plan in AGENDA.items():
        for n, day in enumerate(days):
            for k, (hour, minutes, kind, title, location, note) in enumerate(plan):
                if (n + k) % 3 == 2:  # not every slot every day
                    continue
                company, city, _ = COMPANIES[(n + k + len(owner)) % len(COMPANIES)]
                start = at(day, hour, 0, services)
                await store.add_action(
                    Action(
                        owner,
                        title.format(company=company),
                        start,
                        start + timedelta(minutes=minutes),
                        location=location.format(city=city),
                        action_type=kind,
                        note=note,
                        reminder_on=kind == "Rendez-vous",
                        private=kind == "Tâche" and n % 5 == 0,
                    )
                )
        # a day off, all day, in the coming week
        off = monday + timedelta(days=7 + 4)
        if owner == "FLORENT":
            await store.add_action(
                Action(
                    owner,
                    "Congé — pont de l'Ascension",
                    at(off, 0, 0, services),
                    at(off + timedelta(days=1), 0, 0, services),
                    all_day=True,
                    action_type="Tâche",
                )
            )
    await add_series(services, monday)


async def add_series(services: Services, monday: date) -> None:
    """Two series of CARINE: a weekly team meeting with one occurrence moved, a supplier call with one
    occurrence cancelled."""
    store = services.store
    start_monday = monday - timedelta(weeks=WEEKS_AROUND)
    meeting = await store.add_series(
        Series(
            "CARINE",
            "Point commercial hebdomadaire",
            at(start_monday, 8, 30, services),
            at(start_monday, 9, 0, services),
            Recurrence("weekly", start_monday, days_of_week=("monday",), first_day_of_week="monday"),
            location="Salle Lumière",
            action_type="Réunion",
            note="Chiffres de la semaine, relances, priorités.",
        )
    )
    moved_from = at(monday + timedelta(weeks=1), 8, 30, services)
    moved_to = at(monday + timedelta(weeks=1, days=1), 10, 0, services)
    assert meeting.id is not None
    await store.set_exception(
        meeting.id,
        Action(
            "CARINE",
            "Point commercial (décalé au mardi)",
            moved_to,
            moved_to + timedelta(minutes=30),
            location="Salle Lumière",
            action_type="Réunion",
            series_id=meeting.id,
            original_start=moved_from,
        ),
    )
    thursday = start_monday + timedelta(days=3)
    call = await store.add_series(
        Series(
            "CARINE",
            "Appel fournisseur — Métallerie Roux",
            at(thursday, 14, 0, services),
            at(thursday, 14, 30, services),
            Recurrence(
                "weekly",
                thursday,
                days_of_week=("thursday",),
                first_day_of_week="monday",
                range_type="endDate",
                end_date=thursday + timedelta(weeks=8),
            ),
            action_type="Appel",
            note="Délais de livraison des pièces en laiton.",
        )
    )
    assert call.id is not None
    await store.cancel_occurrence(call.id, at(monday + timedelta(days=3), 14, 0, services))


async def connect(services: Services, code: str, approve: Callable[[str, str], None]) -> None:
    """Sign `code` in through the fake's device flow, approved at once as their login e-mail."""

    def on_code(device_code: DeviceCode) -> None:
        approve(device_code.user_code, email(code))

    await services.accounts.connect(code, on_code)


async def first_syncs(services: Services) -> None:
    """What the company did before the visitor came: each connected user synced once."""
    for code in ("CARINE", "FLORENT", "MONNOM"):
        await services.sync.run(code, code, ("agenda", "contacts"), confirmer=AnswerAll(yes=False))


async def crm_changes(services: Services, today: date) -> None:
    """What CARINE changed in the CRM since that sync: a new task, a moved meeting place, a contact's
    new job — the sync the visitor runs sends them to Outlook."""
    store = services.store
    start = at(today + timedelta(days=1), 11, 0, services)
    await store.add_action(
        Action(
            "CARINE",
            "Envoyer le catalogue à l'Hôtel Beauséjour",
            start,
            start + timedelta(minutes=30),
            action_type="Tâche",
            note="Avec la grille tarifaire « Hôtellerie » 2026.",
        )
    )
    coming = Period.from_dates(today + timedelta(days=1), today + timedelta(days=14), services.settings.tz)
    meeting = next(a for a in await store.single_actions("CARINE", coming) if a.action_type == "Rendez-vous")
    await store.update_action(replace(meeting, location="Café de la Gare, Lyon Part-Dieu"))
    listed = await store.contacts_by_ids((await store.sync_list("CARINE"))[-1:])
    await store.update_contact(replace(listed[0], job_title="Directrice commerciale"))


class Outlook:
    """CARINE on her phone: plain Graph calls against the fake, with a token of her own."""

    def __init__(self, session: aiohttp.ClientSession, graph_url: str, token: str) -> None:
        self.session, self.graph_url = session, graph_url
        self.headers = {"Authorization": f"Bearer {token}"}

    async def call(self, method: str, path: str, body: Any = None) -> Any:
        async with self.session.request(
            method, self.graph_url + path, json=body, headers=self.headers
        ) as reply:
            reply.raise_for_status()
            return None if reply.status == 204 else await reply.json()


async def outlook_changes(outlook: Outlook, today: date, zone: str) -> None:
    """Three events made in Outlook (one in a category the CRM does not know: it becomes a `Tâche`), a
    contact note edited, and one synced action deleted — the first sync shows all of them."""
    calendars = (await outlook.call("GET", "/me/calendars"))["value"]
    calendar_id = next(c["id"] for c in calendars if c["name"] == CALENDAR)
    made = (
        (1, 12, 90, "Déjeuner avec Mme Girard", "Rendez-vous", "Brasserie Georges, Lyon"),
        (2, 17, 30, "Rappeler M. Hébert (devis vitrine)", "Appel", ""),
        (8, 9, 480, "Salon Artisanat & Lumière — Eurexpo", UNKNOWN_CATEGORY, "Eurexpo, Chassieu"),
    )
    for days, hour, minutes, subject, category, location in made:
        day = today + timedelta(days=days)
        start = datetime.combine(day, time(hour, 0))
        await outlook.call(
            "POST",
            f"/me/calendars/{calendar_id}/events",
            {
                "subject": subject,
                "start": {"dateTime": start.isoformat(), "timeZone": zone},
                "end": {"dateTime": (start + timedelta(minutes=minutes)).isoformat(), "timeZone": zone},
                "location": {"displayName": location},
                "categories": [category],
                "body": {"contentType": "text", "content": "Ajouté depuis Outlook sur le téléphone."},
            },
        )
    contacts = (await outlook.call("GET", "/me/contacts?$top=100&$orderby=displayName"))["value"]
    edited = contacts[0]
    await outlook.call(
        "PATCH",
        f"/me/contacts/{edited['id']}",
        {"personalNotes": "Note modifiée dans Outlook : rappeler jeudi, a reçu l'échantillon « Opale »."},
    )
    since = datetime.combine(today + timedelta(days=1), time(0, 0)).isoformat()
    until = datetime.combine(today + timedelta(days=14), time(0, 0)).isoformat()
    view = await outlook.call(
        "GET",
        f"/me/calendars/{calendar_id}/calendarView?startDateTime={since}&endDateTime={until}&$top=200",
    )
    singles = [e for e in view["value"] if e.get("type") == "singleInstance" and "devis" in e["subject"]]
    await outlook.call("DELETE", f"/me/events/{singles[0]['id']}")


async def seed(
    services: Services,
    today: date,
    approve: Callable[[str, str], None],
    graph_url: str,
    ca_pem: str,
    token: Callable[[str], str],
) -> None:
    """Seed the whole demo on an empty CRM, sync it once, then make the Outlook-side changes and leave
    CARINE to connect again (her tokens leave the cache; her sync links stay)."""
    await add_people(services)
    await add_contacts(services)
    await add_agenda(services, today)
    for person in PEOPLE:
        if person.connects and person.code != "ADM":
            await connect(services, person.code, approve)
    await services.accounts.test("CARINE", create_categories=True)  # CARINE's categories exist in Outlook
    await first_syncs(services)
    await crm_changes(services, today)
    context = ssl.create_default_context(cadata=ca_pem)
    carine_token = await asyncio.to_thread(token, email("CARINE"))
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(ssl=context), trust_env=False) as session:
        await outlook_changes(Outlook(session, graph_url, carine_token), today, services.settings.timezone)
    carine = await services.store.get_user("CARINE")
    auth = await services.accounts.authenticator()
    auth.reset(carine.home_account_id)  # CARINE connects again from the keyboard
