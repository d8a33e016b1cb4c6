"""How the terminal application says to fix an unusable Microsoft account, and words a failure that is
not one of our errors.

The engine's errors say what is wrong and carry their data (`AccountNotAccessible.reason`); what the
user should do is the front end's to say: here, press Connect when the user is simply not connected,
else check the ADM settings and press Connect (the command line names its own commands instead).
"""

from __future__ import annotations

from tui_sync import texts
from tui_sync.domain.models import InvalidValue
from tui_sync.errors import UserError
from tui_sync.microsoft.checks import ACCOUNT_NOT_ACCESSIBLE, CheckResult
from tui_sync.microsoft.errors import AccountNotAccessible

FIX = texts.microsoft.CONNECT_FIX_TUI


def explain(error: UserError) -> str:
    """The error's one line as the TUI shows it."""
    return advised(error.message) if isinstance(error, AccountNotAccessible) else error.message


def advised(line: str) -> str:
    """An unusable-account line and what to do: press Connect when the user is simply not connected,
    else check the ADM settings first."""
    fix = texts.microsoft.CONNECT_ONLY_TUI if texts.microsoft.needs_connect_only(line) else FIX
    return texts.microsoft.with_fix(line, fix)


def said(error: BaseException) -> str:
    """A failure that is not a UserError, in one line: a domain refusal worded, else the error's own
    text (or its kind, when it has none)."""
    if isinstance(error, InvalidValue):
        return texts.domain.refusal(error)
    return str(error) or type(error).__name__


def check_text(result: CheckResult) -> str:
    """A Test line as the TUI shows it."""
    return advised(result.message) if result.check == ACCOUNT_NOT_ACCESSIBLE else result.message
