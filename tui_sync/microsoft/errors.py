"""Failures of Microsoft sign-in and Graph, as the exceptions the rest of tui-sync catches.

Every one is a :class:`~tui_sync.errors.UserError`, so its `str()` is the one line the CLI prints or the
TUI shows, worded in `tui_sync.texts`. Graph failures are told apart by Graph's `error.code` (and the
HTTP status when the code says nothing), as Microsoft's Graph docs (errors) advise; sign-in failures
by MSAL's `error`. No message ever carries a token: they are built from status, codes and the services'
own descriptions.
"""

from __future__ import annotations

from typing import Any

from tui_sync import texts
from tui_sync.errors import UserError


class MicrosoftError(UserError):
    """Anything that went wrong talking to Microsoft 365 (sign-in or Graph)."""


class ReconnectNeeded(MicrosoftError):
    """The user must sign in again (Connect): no account, a revoked or expired refresh token, or Graph
    refusing the token even after a refresh. Caught as one kind by the sync and the connection dot."""


class AccountNotAccessible(MicrosoftError):
    """The user's Microsoft account cannot be used, for `reason`. The line says what is wrong, not what
    to do: each front end adds its own way to fix it (a button in the TUI, a command in the CLI)."""

    def __init__(self, reason: str) -> None:
        super().__init__(texts.microsoft.account_not_accessible(reason))
        self.reason = reason


class NotConfigured(AccountNotAccessible):
    """The ADM has not set the application (client) ID: nothing can be signed in."""

    def __init__(self) -> None:
        super().__init__(texts.microsoft.REASON_NO_CLIENT_ID)


class UnknownClient(AccountNotAccessible):
    """Microsoft does not know the configured client ID (`invalid_client`, `unauthorized_client`)."""

    def __init__(self, client_id: str) -> None:
        super().__init__(texts.microsoft.reason_wrong_client_id(client_id))
        self.client_id = client_id


class NotConnected(ReconnectNeeded):
    """No usable Microsoft account for this CRM user in the token cache, or its refresh was refused."""

    def __init__(self, user_code: str, reason: str = texts.microsoft.REASON_NOT_CONNECTED) -> None:
        super().__init__(texts.microsoft.reconnect_needed(user_code, reason))
        self.user_code = user_code
        self.reason = reason


class NeverConnected(NotConnected):
    """The CRM user has never signed in on this machine: no Microsoft account is remembered for them."""

    def __init__(self, user_code: str) -> None:
        ReconnectNeeded.__init__(self, texts.microsoft.never_connected(user_code))
        self.user_code = user_code
        self.reason = texts.microsoft.REASON_NOT_CONNECTED


class SignInFailed(MicrosoftError):
    """The device-code sign-in did not complete (declined, expired, or refused by the service)."""


class SignInCancelled(SignInFailed):
    """The user cancelled the sign-in (Ctrl-C, the dialog's Cancel): nothing was changed."""

    exit_code = 130  # the shell's code for "interrupted by Ctrl-C"

    def __init__(self) -> None:
        super().__init__(texts.microsoft.SIGN_IN_CANCELLED)


class ConnectionFailed(MicrosoftError):
    """The sign-in service or Graph could not be reached (DNS, refused, TLS, timeout)."""


class CalendarNotFound(MicrosoftError):
    """The calendar named in the user's preferences does not exist in the mailbox."""

    def __init__(self, name: str, during_sync: bool = True) -> None:
        super().__init__(texts.microsoft.calendar_not_found(name, during_sync))
        self.name = name


class GraphError(MicrosoftError):
    """Graph answered an error: HTTP `status`, Graph `code` and Graph's own `graph_message`."""

    def __init__(self, status: int, code: str, graph_message: str, text: str | None = None) -> None:
        super().__init__(text or texts.microsoft.graph_failed(status, code, graph_message))
        self.status = status
        self.code = code
        self.graph_message = graph_message


class ItemGone(GraphError):
    """The Outlook item is gone (404 `ErrorItemNotFound` / `itemNotFound`): the sync treats it as deleted.
    Not a `tui_sync.errors.NotFound`, which is a CRM id the user gave that the CRM does not have: a gone
    Outlook item is news from the mailbox, never the user's mistake."""


class Conflict(GraphError):
    """The item changed since we read it (409, 412 `ErrorIrresolvableConflict`): read again and redo."""


class AccessDenied(GraphError):
    """403: the application lacks a permission (scope) or the mailbox refuses it."""

    def __init__(self, status: int, code: str, graph_message: str) -> None:
        super().__init__(status, code, graph_message, texts.microsoft.graph_access_denied(graph_message))


class Throttled(GraphError):
    """429/503/504 still returned after every retry: Microsoft 365 is busy, try again later."""

    def __init__(self, status: int, code: str, graph_message: str, attempts: int) -> None:
        super().__init__(status, code, graph_message, texts.microsoft.graph_throttled(attempts))
        self.attempts = attempts


class TooLarge(GraphError):
    """413: the request is over Graph's 4 MB limit per request (a huge note); that item cannot go."""

    def __init__(self, status: int, code: str, graph_message: str) -> None:
        super().__init__(status, code, graph_message, texts.microsoft.graph_request_too_large(graph_message))


class AuthExpired(GraphError, ReconnectNeeded):
    """401 even after a fresh token: the user must reconnect."""

    def __init__(self, user_code: str, status: int, code: str, graph_message: str) -> None:
        super().__init__(
            status, code, graph_message, texts.microsoft.reconnect_needed(user_code, graph_message)
        )
        self.user_code = user_code


class ConnectionLost(ConnectionFailed):
    """A non-idempotent request lost its connection: it may or may not have taken effect, so it is not
    retried blindly (the CRM-id stamp lets the next sync find what it created)."""


class UnreadableAnswer(ConnectionLost):
    """A success (2xx) whose body is not the JSON it must be (cut short by a proxy or a dropped stream):
    read as nothing, it would pass for an empty calendar or a missing one. Like a lost connection, what
    it answered may have taken effect; the next sync finds it by the CRM-id stamp."""


_NOT_FOUND_CODES = {"ErrorItemNotFound", "itemNotFound", "ResourceNotFound", "ErrorFolderNotFound"}
_CONFLICT_CODES = {"ErrorIrresolvableConflict", "ErrorVersionConflict", "conflict"}


def graph_error_fields(status: int, body: Any) -> tuple[str, str]:
    """Graph's `error.code` and `error.message` from a response body (anything: dict, text, None)."""
    error = body.get("error") if isinstance(body, dict) else None
    if isinstance(error, dict):
        return str(error.get("code") or f"HTTP{status}"), str(error.get("message") or "")
    return f"HTTP{status}", ""


def graph_error(status: int, body: Any, *, user_code: str = "", attempts: int = 1) -> GraphError:
    """The exception for a Graph error response, chosen by `error.code` first, then by status."""
    code, message = graph_error_fields(status, body)
    if code in _NOT_FOUND_CODES or status == 404:
        return ItemGone(status, code, message)
    if code in _CONFLICT_CODES or status in (409, 412):
        return Conflict(status, code, message)
    if status == 401:
        return AuthExpired(user_code or texts.microsoft.THIS_USER, status, code, message)
    if status == 403:
        return AccessDenied(status, code, message)
    if status == 413:
        return TooLarge(status, code, message)
    if status in (429, 503, 504) or code in ("TooManyRequests", "ApplicationThrottled"):
        return Throttled(status, code, message, attempts)
    return GraphError(status, code, message)
