"""A user's Microsoft 365 mailbox for one run: its Outlook calendar and contacts over one Graph session.

What `SyncService` connects to by default (the `Remote` of `tui_sync.sync.ports`): the engines reach
Outlook only through `calendar` and `address_book`.
"""

from __future__ import annotations

from tui_sync.microsoft.calendar import OutlookCalendar
from tui_sync.microsoft.contacts import OutlookContacts
from tui_sync.microsoft.graph import GraphClient


class OutlookMailbox:
    """The calendar and the contacts of the mailbox `graph` is signed in to."""

    def __init__(self, graph: GraphClient) -> None:
        self.graph = graph
        self.calendar = OutlookCalendar(graph)
        self.address_book = OutlookContacts(graph)

    @property
    def requests(self) -> int:
        return self.graph.requests
