"""Textual messages the App's workers post; the screens' handlers own what they show (workers only post)."""

from __future__ import annotations

from dataclasses import dataclass

from textual.message import Message

from tui_sync.domain.period import Period
from tui_sync.sync.events import Progress, Summary, What


@dataclass(frozen=True)
class SyncJob:
    """One user's part of a run: whose data, what, over which period (None: their preferences), and
    whether both ways (False: the At startup direction, Microsoft 365 → CRM only)."""

    target: str
    what: tuple[What, ...]
    period: Period | None = None
    two_way: bool = True


class SyncStarted(Message):
    """A job of the run starts (`index` of `total`, 1-based)."""

    def __init__(self, job: SyncJob, index: int, total: int) -> None:
        super().__init__()
        self.job, self.index, self.total = job, index, total


class SyncProgress(Message):
    def __init__(self, job: SyncJob, progress: Progress) -> None:
        super().__init__()
        self.job, self.progress = job, progress


class SyncFinished(Message):
    """One job is done (its Summary carries its errors; a refused job has only an error line)."""

    def __init__(self, job: SyncJob, summary: Summary) -> None:
        super().__init__()
        self.job, self.summary = job, summary


class SyncRunOver(Message):
    """The whole run is over: every summary, and whether it was cancelled part-way."""

    def __init__(self, summaries: list[Summary], cancelled: bool, startup: bool) -> None:
        super().__init__()
        self.summaries, self.cancelled, self.startup = summaries, cancelled, startup


class UsersChanged(Message):
    """Users, rights, preferences or connections changed: lists showing them reload."""
