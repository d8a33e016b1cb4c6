"""A sync run as its user follows it, in the Sync wizard and in `tui-sync sync`: progress, the
summary at the end, the items that failed, the deletions to confirm, and the lease that keeps two runs
of one user apart.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Protocol

from tui_sync.texts.microsoft import with_fix

if TYPE_CHECKING:
    from datetime import datetime, tzinfo


# What these sentences read of the engine's events and results (tui_sync.sync.events: Progress,
# SideCounts, AgendaSummary, ContactsSummary, Summary). The engine sits above this package in the
# layers, so its types are described here by the attributes the sentences use, never imported.


class ProgressEvent(Protocol):
    """One step of a sync (`sync.events.Progress`)."""

    @property
    def what(self) -> str: ...
    @property
    def phase(self) -> str: ...
    @property
    def done(self) -> int: ...
    @property
    def total(self) -> int: ...
    @property
    def requests(self) -> int: ...


class Counts(Protocol):
    """What a run did on one side (`sync.events.SideCounts`)."""

    @property
    def created(self) -> int: ...
    @property
    def updated(self) -> int: ...
    @property
    def deleted(self) -> int: ...


class NoteCounts(Protocol):
    """The contact notes brought back to the CRM (`sync.events.CrmNoteCounts`)."""

    @property
    def updated(self) -> int: ...


class AgendaCounts(Protocol):
    """What an agenda run did (`sync.events.AgendaSummary`)."""

    @property
    def microsoft(self) -> Counts: ...
    @property
    def crm(self) -> Counts: ...
    @property
    def conflicts(self) -> int: ...
    @property
    def kept(self) -> int: ...
    @property
    def left_out(self) -> int: ...


class ContactsCounts(Protocol):
    """What a contacts run did (`sync.events.ContactsSummary`)."""

    @property
    def microsoft(self) -> Counts: ...
    @property
    def crm(self) -> NoteCounts: ...
    @property
    def left_out(self) -> int: ...


class RunSummary(Protocol):
    """The outcome of one user's run (`sync.events.Summary`)."""

    @property
    def user(self) -> str: ...
    @property
    def agenda(self) -> AgendaCounts | None: ...
    @property
    def contacts(self) -> ContactsCounts | None: ...
    @property
    def requests(self) -> int: ...
    @property
    def errors(self) -> Sequence[str]: ...
    @property
    def seconds(self) -> float: ...
    @property
    def notices(self) -> Sequence[str]: ...
    @property
    def account_problem(self) -> str: ...
    @property
    def ok(self) -> bool: ...


# --- a run: its state, its progress, its summary --------------------------------------------------

NEVER = "never"
INTERRUPTED = "interrupted"
PHASES = {
    "connecting": "Connecting",
    "reading": "Reading both sides",
    "planning": "Comparing",
    "confirming": "Waiting for your answers",
    "writing": "Writing",
    "recording": "Recording",
    "done": "Done",
}


def progress_line(event: ProgressEvent) -> str:
    """One line of live progress: phase, counts, requests so far."""
    counts = f" {event.done}/{event.total}" if event.total else ""
    phase = PHASES.get(event.phase, event.phase)
    return f"{event.what.capitalize()}: {phase}{counts} · {event.requests} requests"


def _sides(counts: Counts) -> str:
    return f"+{counts.created} created, ~{counts.updated} updated, -{counts.deleted} deleted"


def summary_lines(summary: RunSummary) -> list[str]:
    """The end-of-sync report, as the CLI prints it and the wizard shows it."""
    lines = []
    if summary.agenda is not None:
        a = summary.agenda
        lines.append(f"Agenda → Microsoft 365: {_sides(a.microsoft)}")
        lines.append(f"Agenda → CRM: {_sides(a.crm)}")
        lines.append(
            f"Conflicts: {a.conflicts} · kept deletions: {a.kept} · left out by limits: {a.left_out}"
        )
    if summary.contacts is not None:
        c = summary.contacts
        lines.append(f"Contacts → Microsoft 365: {_sides(c.microsoft)}")
        lines.append(f"Contact notes → CRM: ~{c.crm.updated} updated · left out by limits: {c.left_out}")
    lines.extend(summary.notices)
    state = "completed" if summary.ok else f"finished with {error_count(summary.errors)} error(s)"
    lines.append(f"Sync of {summary.user} {state} in {summary.seconds:.1f} s, {summary.requests} requests")
    return lines


def sync_run_over(count: int, errors: int, cancelled: bool) -> str:
    if cancelled:
        return SYNC_CANCELLED
    if errors:
        return f"Sync finished with {errors} error(s): see the Sync wizard's summary"
    return "Sync completed" + (f" for {count} users" if count > 1 else "")


SYNC_CANCELLED = "Sync cancelled: what was written is recorded, nothing is half-done; sync again to finish."


# --- what a run could not do ----------------------------------------------------------------------


def item_failed(title: str, reason: str) -> str:
    return f"“{title}” could not be synced: {reason}"


def error_lines(errors: list[str]) -> list[str]:
    """A run's errors as the command line prints them: the items that failed for one same reason (a
    throttling storm, a failed batch) make one line naming the first and counting the others."""
    marker = "” could not be synced: "
    by_reason: dict[str, list[str]] = {}
    order: list[str] = []
    for error in errors:
        title, found, reason = error.partition(marker)
        if not found or not title.startswith("“"):
            order.append(error)
            continue
        if reason not in by_reason:
            by_reason[reason] = []
            order.append(marker + reason)
        by_reason[reason].append(title[1:])
    lines = []
    for entry in order:
        titles = by_reason.get(entry.removeprefix(marker)) if entry.startswith(marker) else None
        if titles is None:
            lines.append(entry)
        elif len(titles) == 1:
            lines.append(item_failed(titles[0], entry.removeprefix(marker)))
        else:
            others = len(titles) - 1
            lines.append(
                f"“{titles[0]}” and {others} other item{'s' if others > 1 else ''} could not be synced: "
                + entry.removeprefix(marker)
            )
    return lines


def error_count(errors: Sequence[str]) -> int:
    """How many errors a run is said to have: its error lines as listed (`error_lines`), so that
    "finished with N error(s)" counts the lines under it, not the items before they are grouped."""
    return len(error_lines(list(errors)))


def advised_errors(summary: RunSummary, fix: str) -> list[str]:
    """A run's error lines, the one saying the Microsoft account cannot be used followed by `fix`."""
    problem = summary.account_problem
    return [with_fix(error, fix) if problem and error == problem else error for error in summary.errors]


def left_out(count: int) -> str:
    return (
        f"{count} actions or occurrences were left out (at most 800 actions and 800 series occurrences "
        "per period): shorten the period to sync them"
    )


def contacts_left_out(count: int) -> str:
    return f"{count} contacts were left out (at most 2000 contacts are synced): shorten the sync list"


def occurrence_off_rule(original_utc: datetime) -> str:
    """Why a series is left out: Outlook has an occurrence (its original start, in UTC) where the CRM's
    reading of the rule has none (a time zone whose rules Microsoft 365 does not give out), so syncing
    it would cancel real ones."""
    when = original_utc.strftime("%Y-%m-%d %H:%M UTC")
    return (
        f"Outlook has an occurrence on {when} that its rule, as the CRM reads it, does not give "
        "(a custom time zone?); the series is left as it is"
    )


def calendar_replaced(name: str) -> str:
    """The calendar of that name is not the one the last syncs wrote to (deleted and made again, or
    another one chosen): the CRM's items are written to it afresh, nothing is deleted from the CRM."""
    return (
        f"The calendar {name} is not the one synced before: the CRM's actions are written to it again "
        "(nothing was deleted from the CRM)"
    )


# --- deletions to confirm -------------------------------------------------------------------------

DELETION_KINDS = {"action": "Action", "series": "Series", "occurrence": "Occurrence of a series"}
DELETION_REASONS = {"deleted": "deleted in Microsoft 365", "cancelled": "cancelled by the organiser"}
DELETION_QUESTION = "It was deleted in Microsoft 365. Delete it from the CRM too? (Kept, it is written back.)"
CANCELLED_QUESTION = (
    "The organiser cancelled this meeting (Outlook keeps it, marked cancelled). Delete it from the CRM "
    "too? (Kept, the CRM keeps it and this is not asked again.)"
)


def deletion_title(index: int, total: int) -> str:
    return f"Deleted in Microsoft 365 — {index} of {total}"


def cancelled_title(index: int, total: int) -> str:
    """The deletion dialog's title for a meeting its organiser cancelled."""
    return f"Cancelled by the organiser — {index} of {total}"


def deletion_item(kind: str, title: str, start: datetime | None, owner: str, tz: tzinfo) -> str:
    """What the deletion dialog says of the item: its kind, title, date and owner."""
    when = start.astimezone(tz).strftime("%a %d %b %Y %H:%M") if start is not None else "no date"
    return f"{DELETION_KINDS.get(kind, kind)} “{title}”\n{when} · owner {owner}"


def deletion_keys(remaining: int) -> str:
    """The dialog's key line; the bulk keys say how many items they would delete."""
    rest = f"all {remaining} remaining" if remaining > 1 else "this last one"
    return f"y delete · n keep · ctrl+y / Y delete {rest} · escape keep {rest}"


def deletion_listed(
    kind: str, title: str, start: datetime | None, tz: tzinfo, reason: str, deleted: bool
) -> str:
    """One line of `tui-sync sync`'s report per item deleted (or cancelled) in Microsoft 365."""
    when = start.astimezone(tz).strftime("%a %d %b %Y %H:%M") if start is not None else "no date"
    fate = "deleted from the CRM" if deleted else "kept in the CRM (--yes deletes it)"
    return (
        f"{DELETION_KINDS.get(kind, kind)} “{title}” {when}: {DELETION_REASONS.get(reason, reason)}, {fate}"
    )


MASS_DELETION_TITLE = "Many deletions"
MASS_DELETION_KEYS = "y  go on and ask about each one    n / escape  stop the sync, nothing is written"


def mass_deletion_warning(deletions: int, linked: int) -> str:
    return (
        f"This sync would delete {deletions} items of the {linked} synced ones. Check first that the "
        "calendar in the preferences and the Microsoft 365 account are the ones synced before, and that "
        "the items are really gone from Outlook: going on asks about each one deleted in Microsoft 365."
    )


def mass_deletion_refused(deletions: int, linked: int, headless: bool) -> str:
    """A sync stopped by the mass-deletion check. Headless (no one to ask item by item), the way on is
    `--yes`, which deletes every one of them: say so, and what to check before."""
    stopped = f"Sync stopped before writing anything: it would delete {deletions} of {linked} synced items"
    if not headless:
        return stopped
    return (
        f"{stopped}. Check first that the calendar (`tui-sync user list`) and the Microsoft 365 account "
        "(`tui-sync test --user CODE`) are the ones synced before and that the items are really gone "
        "from Outlook, or sync in the terminal application to decide item by item; --yes deletes all "
        f"{deletions}, asking about none"
    )


# --- one run per user at a time: the lease --------------------------------------------------------


def sync_busy(code: str, holder: str, since: str) -> str:
    """Another live run holds the user: who, where (`holder`) and since when."""
    return f"{code} is being synchronised elsewhere ({holder}) since {since}; try again when it has finished"


LEASE_SINCE_UNKNOWN = "an unknown time"


def lease_holder(viewer: str | None, host: str, pid: int) -> str:
    """Who holds a user's sync lease, in the busy message: the CRM user who started it, the machine, the
    process."""
    by = f"by {viewer} " if viewer else ""
    return f"{by}on {host}, pid {pid}"


def lease_taken_over(code: str, host: str, pid: int) -> str:
    """Logged when a run takes over the lease of a run whose process is gone."""
    return f"{code}: took over the sync lease of pid {pid} on {host}, which is no longer running"


def lease_lost(code: str) -> str:
    return (
        f"The sync of {code} stopped: it could not renew its lease in time and another run took the user "
        "over; sync again once that run has finished"
    )
