"""The Test checks (the Test button and `tui-sync test`): every setting, one line each.

Each check says exactly what is wrong and how to fix it, and the checks go on after a
failure where they still can (a missing calendar name does not hide a sign-in problem). Reading the
account costs three Graph requests (`/me`, the calendars, the categories); `create_categories`
creates the missing categories with the colour nearest to the action type's.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from tui_sync import texts
from tui_sync.domain.models import ActionType, User
from tui_sync.microsoft import mapping
from tui_sync.microsoft.auth import Authenticator, TokenProvider, email_mismatch
from tui_sync.microsoft.calendar import find_calendar
from tui_sync.microsoft.errors import (
    AccountNotAccessible,
    ConnectionFailed,
    MicrosoftError,
    NotConfigured,
    ReconnectNeeded,
)
from tui_sync.microsoft.graph import GraphClient

if TYPE_CHECKING:
    from tui_sync.config import Settings

Level = Literal["ok", "warning", "error"]
GraphFactory = Callable[[TokenProvider], GraphClient]
OnResult = Callable[["CheckResult"], None]
# The `check` of the warning that action types have no Outlook category: the TUI offers to create them.
CATEGORIES_MISSING = "categories-missing"
# The `check` of the error that the account cannot be used: each front end adds its own way to fix it.
ACCOUNT_NOT_ACCESSIBLE = "account-not-accessible"


@dataclass(frozen=True)
class CheckResult:
    """One line of the Test results; `ok` is False only for errors (warnings do not fail the Test).
    `check` names the few results a front end acts on (CATEGORIES_MISSING: offer to create them)."""

    ok: bool
    level: Level
    message: str
    check: str = ""

    @classmethod
    def passed(cls, message: str) -> CheckResult:
        return cls(True, "ok", message)

    @classmethod
    def warning(cls, message: str, check: str = "") -> CheckResult:
        return cls(True, "warning", message, check)

    @classmethod
    def failed(cls, message: str, check: str = "") -> CheckResult:
        return cls(False, "error", message, check)

    @classmethod
    def of(cls, error: MicrosoftError) -> CheckResult:
        """The error line for a failure; an unusable account is marked for the front end's advice."""
        check = ACCOUNT_NOT_ACCESSIBLE if isinstance(error, AccountNotAccessible) else ""
        return cls.failed(error.message, check)


class _Results(list[CheckResult]):
    """The lines earned so far; each one is also handed to the caller as soon as it is known (the TUI
    shows the checks as they run)."""

    def __init__(self, on_result: OnResult | None) -> None:
        super().__init__()
        self._on_result = on_result

    def append(self, result: CheckResult) -> None:
        super().append(result)
        if self._on_result is not None:
            self._on_result(result)


async def run_checks(
    user: User,
    action_types: list[ActionType],
    settings: Settings,
    auth: Authenticator,
    graph_factory: GraphFactory | None = None,
    *,
    create_categories: bool = False,
    on_result: OnResult | None = None,
) -> list[CheckResult]:
    """Run every check for the CRM user `user`.

    `action_types` are the CRM's (each needs its Outlook category); `graph_factory(token_provider)`
    builds the Graph client (default: from `settings.microsoft`); `on_result` gets each line as soon as
    it is known.
    """
    results = _Results(on_result)
    calendar_name = user.prefs.calendar_name.strip()
    if not calendar_name:
        results.append(CheckResult.failed(texts.microsoft.CALENDAR_NAME_NOT_SET))
    provider = auth.token_provider(user.home_account_id, user.code)
    try:
        await _signed_in_token(auth, user, provider)
    except MicrosoftError as error:
        results.append(CheckResult.of(error))
        return list(results)
    factory = graph_factory or (
        lambda tokens: GraphClient.from_settings(settings.microsoft, tokens, user.code)
    )
    async with factory(provider) as graph:
        try:
            await _account_checks(graph, user, action_types, calendar_name, create_categories, results)
        except ReconnectNeeded:
            results.append(CheckResult.of(AccountNotAccessible(texts.microsoft.REASON_TOKEN_REFUSED)))
        except MicrosoftError as error:
            results.append(CheckResult.of(error))
    return list(results)


async def _signed_in_token(auth: Authenticator, user: User, provider: TokenProvider) -> None:
    """Get a token, or raise AccountNotAccessible with its reason.

    A failed silent sign-in can mean a wrong client ID (MSAL finds no tokens for an unknown app), so
    the client ID is then asked about before blaming the connection."""
    if not auth.client_id:
        raise NotConfigured()
    try:
        await provider()
    except (AccountNotAccessible, ConnectionFailed):
        raise
    except ReconnectNeeded as error:
        await auth.check_client(user.code)  # raises UnknownClient when the ID is the problem
        reason = texts.microsoft.REASON_NOT_CONNECTED if not user.home_account_id else _reason(error)
        raise AccountNotAccessible(reason) from None


def _reason(error: ReconnectNeeded) -> str:
    reason = getattr(error, "reason", "")
    if reason and reason != texts.microsoft.REASON_NOT_CONNECTED:
        return texts.microsoft.reason_token_refused(reason)
    return texts.microsoft.REASON_NOT_CONNECTED


async def _account_checks(
    graph: GraphClient,
    user: User,
    action_types: list[ActionType],
    calendar_name: str,
    create: bool,
    results: list[CheckResult],
) -> None:
    """The checks that read the mailbox, appended to `results` as they pass (so a failure half-way
    keeps the lines already earned)."""
    me = await graph.get("/me", {"$select": "userPrincipalName,mail,displayName"}) or {}
    username = str(me.get("userPrincipalName") or me.get("mail") or "")
    results.append(CheckResult.passed(texts.microsoft.signed_in_as(username)))
    mismatch = email_mismatch(username, user.prefs.login_email)
    if mismatch is not None:
        results.append(CheckResult.warning(mismatch))
    if calendar_name:
        if await find_calendar(graph, calendar_name) is None:
            results.append(CheckResult.failed(texts.microsoft.calendar_not_found(calendar_name)))
        else:
            results.append(CheckResult.passed(texts.microsoft.calendar_found(calendar_name)))
    results.append(await _categories(graph, action_types, create))


async def _categories(graph: GraphClient, action_types: list[ActionType], create: bool) -> CheckResult:
    """Every action type needs an Outlook category of the same label (categories are matched by name)."""
    existing = await graph.get_all("/me/outlook/masterCategories")
    names = {str(c.get("displayName") or "").casefold() for c in existing}
    missing = [t for t in action_types if t.label.casefold() not in names]
    if not missing:
        return CheckResult.passed(texts.microsoft.CATEGORIES_OK)
    if not create:
        return CheckResult.warning(
            texts.microsoft.missing_categories([t.label for t in missing]), CATEGORIES_MISSING
        )
    for action_type in missing:
        await graph.post("/me/outlook/masterCategories", mapping.category_for(action_type))
    return CheckResult.passed(texts.microsoft.categories_created([t.label for t in missing]))
