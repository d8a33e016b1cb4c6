"""The services both front ends call (accounts, people), on a real SQLite file, the fake Microsoft 365 over
HTTPS and real MSAL: what each button does to the database and the token cache, and the rules that live
only here (one Microsoft account per CRM user, the last administrator, rights kept when not given, a new
client ID means a new MSAL client, one calendar look-up for Test and the sync)."""

from __future__ import annotations

import contextlib
import json
import sqlite3
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import requests

from tests.threaded_fake import CLIENT_ID, UPN, AutoApprover, ThreadedFake, write_config
from tui_sync import texts
from tui_sync.config import Settings, load_settings
from tui_sync.domain.models import Action, InvalidValue, Rights, SyncPrefs, User
from tui_sync.errors import BadInput, UnknownUser
from tui_sync.microsoft.checks import ACCOUNT_NOT_ACCESSIBLE, CheckResult
from tui_sync.services import Connection, Services
from tui_sync.store import Link, Store
from tui_sync.sync import agenda, contacts

NOW = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
OTHER_UPN = "carine.dupont@contoso.test"
NEW_CLIENT_ID = "1b2c3d4e-1111-2222-3333-444455556666"
AGENDA_KINDS = (agenda.ACTION, agenda.SERIES, agenda.OCCURRENCE)


def fixed_clock() -> datetime:
    return NOW


@dataclass
class World:
    """ADM, CARINE (login e-mail and calendar set), FLORENT (calendar set) and XAVIER (nothing set),
    nobody connected yet, the client ID set; `services` built as the App builds them."""

    fake: ThreadedFake
    settings: Settings
    store: Store
    services: Services

    @property
    def cache_file(self) -> Path:
        return self.settings.microsoft.token_cache

    def refresh_token_owners(self) -> set[str]:
        """The Microsoft accounts whose refresh tokens the cache file holds (read straight from it)."""
        if not self.cache_file.exists():
            return set()
        cache = json.loads(self.cache_file.read_text(encoding="utf-8"))
        return {entry["home_account_id"] for entry in cache.get("RefreshToken", {}).values()}

    async def connect(self, code: str, upn: str = UPN) -> str:
        """Sign `code` in (the person approving the device code as `upn`); their home_account_id."""
        shown: list[Any] = []
        with AutoApprover(self.fake, upn):
            signed = await self.services.accounts.connect(code, shown.append)
        assert len(shown) == 1 and shown[0].user_code
        return signed.home_account_id

    def graph(self, method: str, path: str, body: Any = None, upn: str = UPN) -> Any:
        """A Graph call on the fake as the mailbox owner (the person in Outlook), not through our client."""
        response = requests.request(
            method,
            self.fake.graph_url + path,
            json=body,
            headers={"Authorization": f"Bearer {self.fake.token(upn)}"},
            verify=self.fake.ca_file,
            timeout=10,
        )
        assert response.status_code < 300, response.text
        return response.json() if response.content else None


@pytest.fixture
async def world(tmp_path: Path, fake: ThreadedFake) -> AsyncIterator[World]:
    settings = load_settings(write_config(tmp_path, fake), {})
    store = await Store.open(settings.database, settings.tz, now=fixed_clock)
    try:
        services = Services.build(store, settings, clock=fixed_clock)
        await services.people.save_microsoft_settings(CLIENT_ID)
        prefs = SyncPrefs(login_email=UPN, calendar_name="Calendar")
        await store.add_user(User("CARINE", "Carine Dupont", prefs=prefs))
        await store.add_user(User("FLORENT", "Florent Martin", prefs=SyncPrefs(calendar_name="Calendar")))
        await store.add_user(User("XAVIER", "Xavier Leroy"))
        yield World(fake, settings, store, services)
    finally:
        await store.close()


def dump(database: Path) -> list[str]:
    with contextlib.closing(sqlite3.connect(database)) as db:
        return list(db.iterdump())


# --- AccountService ----------------------------------------------------------------------------------


async def test_connect_stores_the_account_and_its_tokens(world: World) -> None:
    account = await world.connect("carine")  # any case: the CRM's code is found
    carine = await world.services.people.get_user("CARINE")
    assert carine.home_account_id == account
    assert world.refresh_token_owners() == {account}


async def test_connect_as_another_account_drops_the_previous_unshared_tokens(world: World) -> None:
    first = await world.connect("CARINE")
    second = await world.connect("CARINE", OTHER_UPN)
    assert first != second
    assert (await world.services.people.get_user("CARINE")).home_account_id == second
    assert world.refresh_token_owners() == {second}


async def test_a_shared_account_keeps_its_tokens_when_one_user_moves_on(world: World) -> None:
    shared = await world.connect("CARINE")
    assert await world.connect("FLORENT") == shared  # the same Microsoft account for two CRM users
    moved = await world.connect("CARINE", OTHER_UPN)
    assert world.refresh_token_owners() == {shared, moved}  # FLORENT still uses the first one


async def add_links(store: Store, user: str) -> None:
    kinds = [*AGENDA_KINDS, contacts.KIND]
    await store.save_links([Link(user, kind, str(n), f"remote-{user}-{n}") for n, kind in enumerate(kinds)])


async def count_links(store: Store, user: str, kinds: tuple[str, ...]) -> int:
    return sum([len(await store.links(user, kind)) for kind in kinds])


async def test_reset_clears_the_tokens_and_every_link(world: World) -> None:
    account = await world.connect("CARINE")
    await add_links(world.store, "CARINE")
    await add_links(world.store, "FLORENT")

    done = await world.services.accounts.reset("carine")

    assert (done.user, done.tokens_removed, done.links_cleared) == ("CARINE", True, 4)
    assert done.message == texts.microsoft.disconnected("CARINE", True, 4)
    assert account not in world.refresh_token_owners()
    assert (await world.services.people.get_user("CARINE")).home_account_id is None
    assert await count_links(world.store, "CARINE", (*AGENDA_KINDS, contacts.KIND)) == 0
    assert await count_links(world.store, "FLORENT", (*AGENDA_KINDS, contacts.KIND)) == 4  # not hers

    again = await world.services.accounts.reset("CARINE")
    assert (again.tokens_removed, again.links_cleared) == (False, 0)


async def test_reset_calendar_clears_only_the_agenda_links(world: World) -> None:
    account = await world.connect("CARINE")
    await add_links(world.store, "CARINE")

    assert await world.services.accounts.reset_calendar("CARINE") == 3

    assert await count_links(world.store, "CARINE", AGENDA_KINDS) == 0
    assert await count_links(world.store, "CARINE", (contacts.KIND,)) == 1
    assert (await world.services.people.get_user("CARINE")).home_account_id == account
    assert world.refresh_token_owners() == {account}


async def test_test_hands_each_check_to_on_result_in_order(world: World) -> None:
    await world.connect("CARINE")
    seen: list[CheckResult] = []
    labels = [t.label for t in await world.store.list_action_types()]

    results = await world.services.accounts.test("CARINE", create_categories=True, on_result=seen.append)

    assert seen == results
    assert [(r.level, r.message) for r in results] == [
        ("ok", texts.microsoft.signed_in_as(UPN)),
        ("ok", texts.microsoft.calendar_found("Calendar")),
        ("ok", texts.microsoft.categories_created(labels)),
    ]


async def test_test_reports_failures_in_order_marking_the_account_for_the_front_ends_advice(
    world: World,
) -> None:
    seen: list[CheckResult] = []
    results = await world.services.accounts.test("XAVIER", on_result=seen.append)
    assert seen == results
    assert [(r.level, r.message, r.check) for r in results] == [
        ("error", texts.microsoft.CALENDAR_NAME_NOT_SET, ""),
        (
            "error",
            texts.microsoft.account_not_accessible(texts.microsoft.REASON_NOT_CONNECTED),
            ACCOUNT_NOT_ACCESSIBLE,
        ),
    ]


async def test_connections_read_the_token_cache_not_the_crm(world: World) -> None:
    await world.connect("CARINE")
    await world.store.set_home_account("FLORENT", "uid.tid")  # an account id, but no tokens on this machine
    users = await world.services.people.list_users()

    dots = await world.services.accounts.connections(users)

    assert dots["CARINE"] == Connection(True, UPN) and dots["CARINE"].dot == "●"
    assert dots["FLORENT"] == Connection(False, None) and dots["FLORENT"].dot == "○"
    assert dots["XAVIER"] == Connection(False, None)
    assert dots["ADM"].working is False


# --- PeopleService --------------------------------------------------------------------------------


async def test_who_signs_in(world: World) -> None:
    people = world.services.people
    assert (await people.who_signs_in("florent", "carine")).code == "FLORENT"  # asked wins
    with pytest.raises(UnknownUser):
        await people.who_signs_in("NOBODY", "carine")
    assert (await people.who_signs_in(None, "Carine")).code == "CARINE"  # the login name, case-blind
    assert (await people.who_signs_in("  ", "carine")).code == "CARINE"  # a blank --user is not asked
    assert await people.who_signs_in(None, "jdoe") is None  # then the application lets them pick
    assert await people.who_signs_in(None, "jean.dupont") is None
    assert await people.who_signs_in(None, None) is None


async def test_set_rights_keeps_the_right_not_given(world: World) -> None:
    people = world.services.people
    assert await people.set_rights("carine", "florent", visible=True) == Rights(
        "CARINE", "FLORENT", True, False
    )
    assert await people.set_rights("CARINE", "FLORENT", agenda=True) == Rights(
        "CARINE", "FLORENT", True, True
    )
    assert await people.set_rights("CARINE", "FLORENT", visible=False) == Rights(
        "CARINE", "FLORENT", False, True
    )
    assert (await people.rights())[("CARINE", "FLORENT")] == Rights("CARINE", "FLORENT", False, True)
    with pytest.raises(BadInput):
        await people.set_rights("CARINE", "FLORENT")
    with pytest.raises(UnknownUser):
        await people.set_rights("CARINE", "NOBODY", visible=True)


async def test_users_with_rights_lists_every_user_with_their_rights(world: World) -> None:
    await world.services.people.set_rights("CARINE", "XAVIER", agenda=True)
    await world.services.people.set_rights("CARINE", "FLORENT", visible=True)
    listed = {u.code: rights for u, rights in await world.services.people.users_with_rights()}
    assert list(listed) == ["ADM", "CARINE", "FLORENT", "XAVIER"]
    assert listed["CARINE"] == [
        Rights("CARINE", "FLORENT", True, False),
        Rights("CARINE", "XAVIER", False, True),
    ]
    assert listed["FLORENT"] == []


async def test_update_user_refuses_to_remove_the_last_admin_and_changes_nothing(world: World) -> None:
    before = dump(world.settings.database)
    with pytest.raises(BadInput) as refused:
        await world.services.people.update_user("adm", full_name="The Boss", is_admin=False, automatic=True)
    assert refused.value.message == texts.errors.last_admin("ADM")
    assert dump(world.settings.database) == before

    await world.services.people.update_user("CARINE", is_admin=True)
    demoted = await world.services.people.update_user("ADM", is_admin=False)
    assert demoted.is_admin is False and demoted.full_name == "Administrator"


async def test_update_user_is_all_or_nothing_and_keeps_what_is_not_given(world: World) -> None:
    before = dump(world.settings.database)
    with pytest.raises(InvalidValue) as refused:
        await world.services.people.update_user("CARINE", full_name="Carine D.", months_before=99)
    assert refused.value.field == "months_before"
    assert dump(world.settings.database) == before

    updated = await world.services.people.update_user("CARINE", months_after=12)
    assert updated.prefs == SyncPrefs(login_email=UPN, calendar_name="Calendar", months_after=12)
    assert updated.full_name == "Carine Dupont"


async def test_add_user_names_the_identity_before_the_preferences(world: World) -> None:
    with pytest.raises(InvalidValue) as refused:
        await world.services.people.add_user("BAD CODE", "Someone", login_email="not-an-address")
    assert refused.value.field == "code"
    added = await world.services.people.add_user("paul", "Paul", is_admin=True, months_after=6)
    assert (added.code, added.is_admin, added.prefs.months_after) == ("PAUL", True, 6)


async def test_save_microsoft_settings_refuses_a_bad_guid_and_a_new_id_means_a_new_client(
    world: World,
) -> None:
    people, sync = world.services.people, world.services.sync
    first = await sync.authenticator()
    assert first.client_id == CLIENT_ID

    with pytest.raises(InvalidValue) as refused:
        await people.save_microsoft_settings("not-a-guid")
    assert refused.value.field == "client_id"
    assert (await people.microsoft_settings()).client_id == CLIENT_ID
    assert await sync.authenticator() is first  # nothing changed: the same MSAL client

    saved = await people.save_microsoft_settings(f"  {NEW_CLIENT_ID.upper()} ")
    assert (saved.client_id, saved.tenant) == (NEW_CLIENT_ID, "common")
    assert await people.microsoft_settings() == saved
    second = await sync.authenticator()
    assert second is not first and second.client_id == NEW_CLIENT_ID
    assert await world.services.accounts.authenticator() is second  # Test and Connect use it too


# --- one calendar look-up for Test and the sync ----------------------------------------------------


async def calendar_verdicts(world: World, name: str) -> tuple[list[CheckResult], list[str]]:
    """What Test and an agenda sync of CARINE (one CRM action tomorrow) say about calendar `name`."""
    await world.services.people.update_user("CARINE", calendar_name=name)
    results = await world.services.accounts.test("CARINE")
    start = NOW + timedelta(days=1)
    await world.store.add_action(Action("CARINE", "Visite client", start, start + timedelta(hours=1)))
    summary = await world.services.sync.run("CARINE", "CARINE", ["agenda"])
    return results, summary.errors


def subjects(world: World, calendar_id: str) -> list[str]:
    return [e["subject"] for e in world.graph("GET", f"/me/calendars/{calendar_id}/events")["value"]]


async def test_test_and_the_sync_find_a_calendar_whose_name_differs_only_by_case(world: World) -> None:
    await world.connect("CARINE")
    crm = world.graph("POST", "/me/calendars", {"name": "crm"})["id"]

    results, errors = await calendar_verdicts(world, "CRM")

    assert CheckResult.passed(texts.microsoft.calendar_found("CRM")) in results
    assert errors == []
    assert subjects(world, crm) == ["Visite client"]


async def test_test_and_the_sync_do_not_guess_between_calendars_differing_only_by_case(world: World) -> None:
    await world.connect("CARINE")
    crm = world.graph("POST", "/me/calendars", {"name": "crm"})["id"]
    other = world.graph("POST", "/me/calendars", {"name": "Other"})["id"]
    # Outlook refuses to create a second name differing only by case, yet a mailbox may list two
    # (a shared calendar, a rename elsewhere): the fake's state is set directly to show that.
    world.fake.server.state.get(UPN).calendars[other].name = "Crm"  # type: ignore[union-attr]

    results, errors = await calendar_verdicts(world, "CRM")

    assert CheckResult.failed(texts.microsoft.calendar_not_found("CRM")) in results
    assert errors == [texts.microsoft.calendar_not_found("CRM", during_sync=True)]
    assert subjects(world, crm) == [] and subjects(world, other) == []

    exact, errors = await calendar_verdicts(world, "Crm")  # an exact name is never ambiguous
    assert CheckResult.passed(texts.microsoft.calendar_found("Crm")) in exact and errors == []
    assert len(subjects(world, other)) == 2 and subjects(world, crm) == []
