"""What every button does, for both front ends: the TUI's screens and the CLI's commands call these
services and hold no rule, no SQL and no Graph call of their own.

`Services.build(store, settings, clock=...)` wires them once: the sync engine (`SyncService`), the
Microsoft account of each user (`AccountService`: connect, reset, Test, connection dots) and the CRM's
people (`PeopleService`: users, rights, preferences, the ADM's application settings) and the CRM's
contacts with each user's contacts to sync (`ContactsService`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from tui_sync.config import Settings
from tui_sync.services.accounts import AccountService, Connection, ResetDone
from tui_sync.services.agenda import AgendaService
from tui_sync.services.contacts import ContactsService, RemoteState
from tui_sync.services.people import PeopleService, UserStatus
from tui_sync.store import Store
from tui_sync.store.db import utc_now
from tui_sync.sync.service import SyncService

__all__ = [
    "AccountService",
    "AgendaService",
    "Connection",
    "ContactsService",
    "PeopleService",
    "RemoteState",
    "ResetDone",
    "Services",
    "UserStatus",
]


@dataclass
class Services:
    """The services one front end uses, sharing one store, settings, clock and MSAL client."""

    store: Store
    settings: Settings
    clock: Callable[[], datetime]
    sync: SyncService
    accounts: AccountService
    people: PeopleService
    agenda: AgendaService
    contacts: ContactsService

    @classmethod
    def build(
        cls,
        store: Store,
        settings: Settings,
        *,
        clock: Callable[[], datetime] = utc_now,
    ) -> Services:
        sync = SyncService(store, settings, clock=clock)
        accounts = AccountService(store, settings, sync)
        people = PeopleService(store, settings, sync, accounts)
        contacts = ContactsService(store)
        agenda = AgendaService(store, settings, sync, clock)
        return cls(store, settings, clock, sync, accounts, people, agenda=agenda, contacts=contacts)
