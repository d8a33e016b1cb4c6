"""What the engine tells its caller while it works (progress, deletion requests) and when it is done
(the Summary). The TUI and the CLI both drive the engine through these types only."""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any, Literal, Protocol

What = Literal["agenda", "contacts"]
DeletionReason = Literal["deleted", "cancelled"]  # cancelled: by the meeting's organiser
Phase = Literal["connecting", "reading", "planning", "confirming", "writing", "recording", "done"]


@dataclass(frozen=True)
class Progress:
    """One step of a sync: `done` of `total` units of `phase`, and the requests spent so far."""

    what: What
    phase: Phase
    done: int = 0
    total: int = 0
    requests: int = 0


ProgressCallback = Callable[[Progress], None]


def ignore_progress(_: Progress) -> None:
    """The default progress callback, for callers that do not show progress."""


@dataclass(frozen=True)
class DeletionRequest:
    """An item deleted remotely that the CRM still holds; the user decides its fate.

    `reason` says how it went: deleted, or a meeting its organiser cancelled (an attendee's copy stays
    in Outlook with `isCancelled: true`, api-reference/v1.0/resources/event.md, and counts as deleted)."""

    kind: Literal["action", "series", "occurrence"]
    title: str
    start: datetime | None
    index: int  # 1-based position among this sync's requests
    total: int
    reason: DeletionReason = "deleted"


class Decision(enum.Enum):
    DELETE = "delete"  # delete this one from the CRM
    KEEP = "keep"  # keep it: it is written back to the remote
    DELETE_ALL = "delete_all"  # this one and every remaining one (ctrl+y / Y)
    KEEP_ALL = "keep_all"  # this one and every remaining one (escape)


class Confirmer(Protocol):
    """Asks the user about destructive steps. The TUI shows dialogs; the CLI answers from --yes."""

    async def allow_mass_deletion(self, deletions: int, linked: int) -> bool:
        """Asked first when one sync would delete more than half the linked items (or > 50)."""
        ...

    async def confirm_deletion(self, request: DeletionRequest) -> Decision: ...


@dataclass(frozen=True)
class AnswerAll:
    """A Confirmer for headless runs: `--yes` deletes everything, otherwise everything is kept. It
    answers item by item and keeps each request in `answered`, so the run can report what it kept."""

    yes: bool
    answered: list[DeletionRequest] = field(default_factory=list, compare=False)

    async def allow_mass_deletion(self, deletions: int, linked: int) -> bool:
        return self.yes

    async def confirm_deletion(self, request: DeletionRequest) -> Decision:
        self.answered.append(request)
        return Decision.DELETE if self.yes else Decision.KEEP


@dataclass
class SideCounts:
    created: int = 0
    updated: int = 0
    deleted: int = 0


@dataclass
class AgendaSummary:
    crm: SideCounts = field(default_factory=SideCounts)
    microsoft: SideCounts = field(default_factory=SideCounts)
    conflicts: int = 0
    kept: int = 0
    left_out: int = 0  # single actions + series occurrences past the 800 limits


@dataclass
class CrmNoteCounts:
    updated: int = 0


@dataclass
class ContactsSummary:
    microsoft: SideCounts = field(default_factory=SideCounts)
    crm: CrmNoteCounts = field(default_factory=CrmNoteCounts)
    left_out: int = 0
    restored: int = 0  # one-way fields edited remotely and put back from the CRM


@dataclass
class Summary:
    """The outcome of one run, as `sync --json` prints it and the run log stores it."""

    user: str
    agenda: AgendaSummary | None = None
    contacts: ContactsSummary | None = None
    requests: int = 0
    errors: list[str] = field(default_factory=list)
    seconds: float = 0.0
    notices: list[str] = field(default_factory=list)  # e.g. "200 actions left out: shorten the period"
    # The line of `errors` saying the remote account cannot be used: each front end adds its own
    # way to fix it (see `texts.sync.advised_errors`).
    account_problem: str = ""

    @property
    def ok(self) -> bool:
        return not self.errors

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {"user": self.user}
        if self.agenda is not None:
            agenda = asdict(self.agenda)
            data["agenda"] = agenda
        if self.contacts is not None:
            contacts = asdict(self.contacts)
            contacts.pop("restored")
            data["contacts"] = contacts
        data.update(requests=self.requests, errors=list(self.errors), seconds=round(self.seconds, 3))
        return data
