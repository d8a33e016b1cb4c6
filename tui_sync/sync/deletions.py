"""The only door through which a deletion made on the remote side reaches the CRM.

It asks the caller's Confirmer once per item, remembers "all remaining" answers (ctrl+y / Y, escape),
numbers the requests, and asks the mass-deletion question before anything is written.
"""

from __future__ import annotations

from dataclasses import replace

from tui_sync import texts
from tui_sync.errors import UserError
from tui_sync.sync.events import AnswerAll, Confirmer, Decision, DeletionRequest
from tui_sync.sync.plan import Op, Step

MASS_DELETION_ABSOLUTE = 50


class MassDeletionRefused(UserError):
    """The user (or a headless run without --yes) declined a sync that deletes too much."""


def is_mass_deletion(deletions: int, linked: int) -> bool:
    """More than half of the linked items, or more than 50, in one sync."""
    return deletions > MASS_DELETION_ABSOLUTE or (linked > 0 and deletions * 2 > linked)


class DeletionGate:
    def __init__(self, confirmer: Confirmer) -> None:
        self.confirmer = confirmer
        self.expected = 0
        self.asked = 0
        self._all: bool | None = None  # the answer for every remaining request, once given

    async def check_mass(self, deletions: list[Step], linked: int) -> None:
        """Ask once whether a sync that deletes this much may go on; raise if not. Nothing is written
        before this question is answered."""
        self.expected += sum(1 for s in deletions if s.op is Op.DELETE_CRM)
        mass = bool(deletions) and is_mass_deletion(len(deletions), linked)
        if mass and not await self.confirmer.allow_mass_deletion(len(deletions), linked):
            # Headless, the advice names --yes and what it does; a user who answered no needs neither.
            headless = isinstance(self.confirmer, AnswerAll)
            raise MassDeletionRefused(texts.sync.mass_deletion_refused(len(deletions), linked, headless))

    async def confirm(self, request: DeletionRequest) -> bool:
        """True: delete the item from the CRM. False: keep it (the caller writes it back)."""
        self.asked += 1
        if self._all is not None:
            return self._all
        numbered = replace(request, index=self.asked, total=max(self.expected, self.asked))
        decision = await self.confirmer.confirm_deletion(numbered)
        if decision in (Decision.DELETE_ALL, Decision.KEEP_ALL):
            self._all = decision is Decision.DELETE_ALL
        return decision in (Decision.DELETE, Decision.DELETE_ALL)
