"""Users, rights and folder-level settings in the store."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from tui_sync.domain.models import InvalidValue, MicrosoftSettings, Rights, SyncPrefs, User
from tui_sync.domain.refusals import RightsOnSelf
from tui_sync.errors import AlreadyExists, UnknownUser, UserError
from tui_sync.store import Store

GUID = "1b2c3d4e-1111-2222-3333-444455556666"
PREFS = SyncPrefs(
    login_email="carine@contoso.test",
    calendar_name="Travail",
    months_before=6,
    months_after=12,
    automatic=True,
    at_startup=True,
    series=False,
)


async def test_microsoft_settings_default_then_saved(store: Store) -> None:
    assert await store.get_microsoft_settings() == MicrosoftSettings("", "common")
    await store.set_microsoft_settings(MicrosoftSettings(GUID.upper(), "contoso.onmicrosoft.com"))
    assert await store.get_microsoft_settings() == MicrosoftSettings(GUID, "contoso.onmicrosoft.com")


async def test_a_user_round_trips_with_every_preference(store: Store) -> None:
    added = await store.add_user(User("carine", "Carine Dupont", prefs=PREFS))
    assert added == User("CARINE", "Carine Dupont", prefs=PREFS)
    assert await store.get_user("Carine") == added
    assert await store.find_user("nobody") is None
    assert [u.code for u in await store.list_users()] == ["ADM", "CARINE"]


async def test_adding_an_existing_code_is_refused(store: Store) -> None:
    await store.add_user(User("CARINE", "Carine"))
    with pytest.raises(AlreadyExists, match="CARINE already exists"):
        await store.add_user(User("carine", "Another"))
    assert (await store.get_user("CARINE")).full_name == "Carine"


async def test_an_unknown_user_is_a_clear_user_error(store: Store) -> None:
    with pytest.raises(UnknownUser, match="no user NOBODY") as caught:
        await store.get_user("nobody")
    assert isinstance(caught.value, UserError)
    with pytest.raises(UnknownUser):
        await store.update_user(User("NOBODY", "No One"))
    with pytest.raises(UnknownUser):
        await store.set_home_account("NOBODY", "x")


async def test_update_writes_name_admin_flag_and_prefs_only(store: Store, tz: ZoneInfo) -> None:
    await store.add_user(User("CARINE", "Carine"))
    when = datetime(2024, 5, 2, 10, 15, tzinfo=tz)
    await store.set_last_sync("CARINE", "agenda", when)
    await store.set_home_account("CARINE", "uid.tid")
    updated = User("CARINE", "Carine Dupont", is_admin=True, prefs=PREFS)
    stored = await store.update_user(updated)
    assert stored == replace(updated, home_account_id="uid.tid", last_agenda_sync=when)


async def test_connection_state_and_last_syncs(store: Store, tz: ZoneInfo) -> None:
    await store.set_home_account("adm", "home-1")
    agenda = datetime(2024, 3, 31, 1, 30, tzinfo=ZoneInfo("UTC"))
    contacts = datetime(2024, 4, 1, 8, 0, tzinfo=tz)
    await store.set_last_sync("ADM", "agenda", agenda)
    await store.set_last_sync("ADM", "contacts", contacts)
    adm = await store.get_user("ADM")
    assert adm.home_account_id == "home-1"
    assert adm.last_agenda_sync == agenda and adm.last_agenda_sync.tzinfo == tz  # type: ignore[union-attr]
    assert adm.last_contacts_sync == contacts
    await store.set_home_account("ADM", None)
    assert (await store.get_user("ADM")).home_account_id is None
    with pytest.raises(ValueError):
        await store.set_last_sync("ADM", "calendar", agenda)  # type: ignore[arg-type]


async def test_rights_are_set_read_and_replaced(store: Store) -> None:
    for code in ("CARINE", "PAUL", "ZOE"):
        await store.add_user(User(code, code.title()))
    await store.set_rights(Rights("carine", "paul", visible=True))
    await store.set_rights(Rights("CARINE", "ZOE", agenda=True))
    await store.set_rights(Rights("CARINE", "PAUL", visible=True, agenda=True))
    assert await store.rights_of("CARINE") == [
        Rights("CARINE", "PAUL", True, True),
        Rights("CARINE", "ZOE", False, True),
    ]
    assert await store.rights_of("PAUL") == []


async def test_rights_need_two_different_known_users(store: Store) -> None:
    with pytest.raises(InvalidValue) as refused:
        await store.set_rights(Rights("ADM", "adm", visible=True))
    assert refused.value.reason == RightsOnSelf("ADM")
    with pytest.raises(UnknownUser):
        await store.set_rights(Rights("ADM", "NOBODY", visible=True))


async def test_agenda_sync_is_own_or_by_the_agenda_right_only(store: Store) -> None:
    for code in ("CARINE", "PAUL", "ZOE"):
        await store.add_user(User(code, code.title()))
    await store.set_rights(Rights("CARINE", "PAUL", visible=True))
    await store.set_rights(Rights("CARINE", "ZOE", agenda=True))
    assert await store.can_sync_agenda("CARINE", "carine")
    assert await store.can_sync_agenda("CARINE", "ZOE")
    assert not await store.can_sync_agenda("CARINE", "PAUL")  # visible is not agenda
    assert not await store.can_sync_agenda("ADM", "CARINE")  # being admin is not a right


async def test_visible_users_are_self_then_those_with_a_right(store: Store) -> None:
    for code in ("ANNE", "CARINE", "PAUL", "ZOE"):
        await store.add_user(User(code, code.title()))
    await store.set_rights(Rights("CARINE", "ZOE", visible=True))
    await store.set_rights(Rights("CARINE", "ANNE", agenda=True))
    await store.set_rights(Rights("CARINE", "PAUL"))  # no right at all
    assert [u.code for u in await store.visible_users("carine")] == ["CARINE", "ANNE", "ZOE"]
    assert [u.code for u in await store.visible_users("PAUL")] == ["PAUL"]
