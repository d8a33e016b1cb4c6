"""The CRM database (aiosqlite, WAL, foreign keys on): the only place with SQL.

`Store` is one typed repository assembled from small parts, each in its own module: the connection,
migrations and transactions (db), users and rights (users), the agenda (agenda), contacts and sync lists
(contacts), the sync links (links), the run log and leases (runs), the UIDs imported items came with
(imports).

    store = await Store.open(path, tz)
    async with store.transaction():   # optional: group calls into one SQLite transaction
        ...
    await store.close()
"""

from __future__ import annotations

from tui_sync.store.agenda import AgendaRepo
from tui_sync.store.contacts import ContactsRepo
from tui_sync.store.imports import ImportUidsRepo
from tui_sync.store.links import Link, LinksRepo
from tui_sync.store.runs import LeaseHolder, RunsRepo, SyncRun
from tui_sync.store.users import SyncKind, UsersRepo


class Store(AgendaRepo, ContactsRepo, LinksRepo, RunsRepo, ImportUidsRepo, UsersRepo):
    """The CRM store: open it with `await Store.open(path, tz)`, close it with `await store.close()`."""


__all__ = ["LeaseHolder", "Link", "Store", "SyncKind", "SyncRun"]
