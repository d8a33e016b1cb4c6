"""The errors a user can see. Each carries the one line to print and the exit code; everything that
reaches the CLI or the TUI as a failure is one of these (or a domain InvalidValue), never a traceback."""

from __future__ import annotations


class UserError(Exception):
    """A failure explained in one line (`str(error)`), exit code 1 unless said otherwise."""

    exit_code = 1

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class BadInput(UserError):
    """The user gave something we cannot take (argument, file, config): exit 2, nothing changed."""

    exit_code = 2


class ConfigError(BadInput):
    """The machine configuration (file or TUI_SYNC_* variable) is unusable: the program cannot start."""


class UnknownUser(BadInput):
    """A CRM user code that is not in the database (a typo on the command line, a deleted user)."""


class NotFound(BadInput):
    """A CRM item (action, series, contact, action type) asked for by an id that does not exist. The
    one NotFound: an Outlook item gone from the mailbox is `microsoft.errors.ItemGone`, which a sync
    reads as a deletion, not as a wrong id."""


class AlreadyExists(BadInput):
    """Adding something whose key (user code, action type label) is already taken."""


class LimitReached(BadInput):
    """A sync limit would be passed (e.g. the 2001st contact to sync): refused, nothing changed."""


class SyncBusy(UserError):
    """Another process holds the user's sync lease: one writer per user at a time."""


class LeaseLost(SyncBusy):
    """A running sync could not renew its lease before it expired and another run took the user over:
    it stops, so that there is still one writer per user."""


class StoreError(UserError):
    """The database cannot be used as it is (written by a newer tui-sync, not a tui-sync database)."""


class UnreadableItem(UserError):
    """A remote item the CRM cannot represent (missing field, value outside the CRM's rules, unknown
    time zone). The sync reports it and leaves that item alone."""


class RemoteWriteFailed(UserError):
    """A write the remote answered with an error (its own line, as the provider worded it)."""
