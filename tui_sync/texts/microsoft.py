"""Microsoft 365 as the user meets it, in the TUI and the CLI alike: signing in with a device code,
the Test lines (✓ ! ✗), what Graph answered when it said no, and how each front end says to fix it.
"""

from __future__ import annotations

# --- the connection -------------------------------------------------------------------------------

NOT_CONNECTED = "not connected"
CONNECTED = "connected"
THIS_USER = "this user"  # stands for the user's code when the caller did not give it
NO_ACCOUNT_RETURNED = "the service returned no account"


# --- signing in with a device code, and Reset -----------------------------------------------------


def device_code_instructions(url: str, code: str, minutes: int) -> str:
    return f"To sign in, open {url} in a browser and enter the code {code} (valid {minutes} min)."


def waiting_for_sign_in(ctrl_c: bool = True) -> str:
    return "Waiting for the sign-in…" + (" (Ctrl-C cancels)" if ctrl_c else "")


SIGN_IN_CANCELLED = "Sign-in cancelled; nothing was changed."
SIGN_IN_DECLINED = "The sign-in was declined on the Microsoft page; nothing was changed."
SIGN_IN_EXPIRED = "The sign-in code expired before it was used; start again."
SIGN_IN_CODE_UNKNOWN = (
    "Microsoft no longer recognises this sign-in (its device code is unknown to the service); "
    "nothing was changed: start the sign-in again."
)


def sign_in_failed(detail: str) -> str:
    return f"The Microsoft sign-in failed: {detail}"


def sign_in_service(authority: str) -> str:
    """What cannot_reach names when the sign-in service is unreachable."""
    return f"the Microsoft sign-in service at {authority}"


def signed_in_as(username: str) -> str:
    return f"Signed in to Microsoft 365 as {username}"


def email_mismatch(signed_in: str, expected: str) -> str:
    return (
        f"Warning: signed in as {signed_in}, but the login e-mail set for this user is {expected}; "
        "if that is the wrong account, Reset and connect again"
    )


def disconnected(user_code: str, tokens_removed: bool, links_cleared: int | None) -> str:
    """What Reset did: the account's tokens, and the CRM ⇄ Microsoft links (None: not touched)."""
    tokens = "its Microsoft 365 tokens were removed" if tokens_removed else "it had no Microsoft 365 tokens"
    links = "" if links_cleared is None else f"; {links_cleared} sync links cleared"
    return f"{user_code} disconnected: {tokens} from this machine{links}"


RESET_WHAT_FOLLOWS = (
    "The next sync finds the items tui-sync created in Microsoft 365 by their CRM stamp: no duplicates."
)


# --- an account that cannot be used, and how each front end says to fix it ------------------------

ACCOUNT_NOT_ACCESSIBLE = "User account information is not accessible"
REASON_NO_CLIENT_ID = "no application (client) ID is set"
REASON_NOT_CONNECTED = "not connected to Microsoft 365"
REASON_TOKEN_REFUSED = "Microsoft 365 refused the sign-in"


def reason_token_refused(reason: str) -> str:
    return f"{REASON_TOKEN_REFUSED}: {reason}"


def reason_wrong_client_id(client_id: str) -> str:
    return f"the application (client) ID {client_id} is not known to Microsoft"


def account_not_accessible(reason: str, fix: str = "") -> str:
    """The Test line for every sign-in problem: what went wrong, and how to fix it when the front end
    that shows it says so (see `with_fix`)."""
    line = f"{ACCOUNT_NOT_ACCESSIBLE} ({reason})"
    return with_fix(line, fix) if fix else line


def needs_connect_only(line: str) -> bool:
    """Whether an unusable-account line says the user is simply not connected: the front ends then say
    to connect, not to check the ADM settings first."""
    return line == account_not_accessible(REASON_NOT_CONNECTED)


def reconnect_needed(user_code: str, reason: str) -> str:
    """A connection that worked once and no longer does (revoked, expired): the user must sign in again."""
    return (
        f"The Microsoft 365 connection of {user_code} no longer works ({reason}): reconnect "
        f"(Preferences → Connect, or: tui-sync connect --user {user_code})"
    )


def never_connected(user_code: str) -> str:
    """A user who never signed in on this machine: not "no longer works", there was nothing to lose."""
    return (
        f"{user_code} is not connected to Microsoft 365 yet: run tui-sync connect --user {user_code} "
        "(in the terminal application: Preferences → Connect)"
    )


def with_fix(line: str, fix: str) -> str:
    """A problem's line followed by the front end's way to fix it (a button, or a command)."""
    return f"{line}: {fix}"


CONNECT_FIX_TUI = "check the ADM settings, then press Connect"
CONNECT_FIX_CLI = "check the ADM settings (tui-sync admin client-id), then run tui-sync connect"


def connect_fix_cli(user_code: str) -> str:
    return f"check the ADM settings (tui-sync admin client-id), then run: tui-sync connect --user {user_code}"


# A user with no Microsoft account on this machine (never connected, or Reset) only has to sign in: the
# ADM settings were already checked (a missing or unknown client ID is its own line).
CONNECT_ONLY_TUI = "press Connect to sign in"


def connect_only_cli(user_code: str) -> str:
    return f"run: tui-sync connect --user {user_code}"


# --- the Test lines -------------------------------------------------------------------------------

TEST_MARKS = {"ok": "✓", "warning": "!", "error": "✗"}


def check_line(level: str, message: str) -> str:
    """One Test line: a mark (✓ ok, ! warning, ✗ error) then the message; the CLI prints the same."""
    return f"{TEST_MARKS[level]} {message}"


CALENDAR_NAME_NOT_SET = "Calendar name is not set"


def calendar_not_found(name: str, during_sync: bool = False) -> str:
    where = "on the server" if during_sync else "on the Office 365 account"
    return f"No calendar named {name} was found {where}"


def calendar_found(name: str) -> str:
    return f"Calendar {name} found"


CATEGORIES_OK = "Every action type has an Outlook category"


def missing_categories(labels: list[str]) -> str:
    """The Test's warning; each front end says how it creates them (the TUI: ctrl+g; the CLI: the
    command, `create_categories_cli`)."""
    return "Warning: no Outlook category for the action types " + ", ".join(labels)


def categories_created(labels: list[str]) -> str:
    return "Outlook categories created: " + ", ".join(labels)


def create_categories_cli(user_code: str) -> str:
    """How `tui-sync test` says to create the missing categories: a command that runs as printed."""
    return f"(create them with: tui-sync test --user {user_code} --create-categories)"


# --- reaching Microsoft 365, and what Graph answered ----------------------------------------------

# Why a server could not be reached (the `detail` of cannot_reach).
UNTRUSTED_CERTIFICATE_SIGN_IN = "the server's certificate is not trusted (check ca_file in the config)"
UNTRUSTED_CERTIFICATE_GRAPH = "the server's certificate is not trusted (check ca_file)"
NO_ANSWER_IN_TIME = "no answer in time"
CONNECTION_REFUSED = "connection refused or host unknown"
CONNECTION_FAILED = "the connection failed"


def cannot_reach(what: str, detail: str) -> str:
    return f"Cannot reach {what}: {detail}"


def graph_failed(status: int, code: str, detail: str) -> str:
    """An error Graph answered that none of the specific messages covers: its code says what it was."""
    return f"Microsoft 365 answered {status} {code}: {detail}"


def graph_throttled(attempts: int) -> str:
    return f"Microsoft 365 is throttling the requests (still busy after {attempts} attempts); try again later"


def graph_access_denied(detail: str) -> str:
    return f"Microsoft 365 refused access ({detail}): check the application's API permissions, then reconnect"


def graph_foreign_link(url: str) -> str:
    """A paging link to another server than Graph's: never followed, it would receive the token."""
    return f"Microsoft 365 sent a link to another server ({url}); it was not followed"


def graph_connection_lost(method: str, path: str) -> str:
    return (
        f"The connection to Microsoft 365 dropped during {method} {path}; it was not retried because it "
        "may already have taken effect — run the sync again (it creates no duplicates)"
    )


def graph_unreadable_answer(status: int) -> str:
    return (
        f"Microsoft 365 answered {status} but its answer could not be read (it was cut short); the sync "
        "stopped there — run it again (it creates no duplicates)"
    )


def graph_request_too_large(detail: str) -> str:
    """Graph's 413: one item's request is over Microsoft 365's 4 MB limit (a very long note or body)."""
    suffix = f" ({detail})" if detail else ""
    return f"too large for Microsoft 365, which takes at most 4 MB per item: shorten its note{suffix}"


# --- what Microsoft 365 sent that the CRM cannot read ---------------------------------------------


def unreadable_item(kind: str, item_id: object, problem: str) -> str:
    """A Graph event, series or contact that cannot become a CRM item; `problem` says why."""
    return f"Microsoft 365 {kind} {item_id or '(no id)'} cannot be read: {problem}"


EMPTY_STAMP = "the CRM key to stamp on a Microsoft 365 item must not be empty"
NO_RECURRENCE = "it has no recurrence"  # a series master without its pattern, as unreadable_item's problem


def no_windows_zone(name: str) -> str:
    return (
        f"the time zone {name!r} has no Microsoft 365 (Windows) equivalent: "
        "set `timezone` to another IANA name (e.g. Europe/Paris)"
    )


def unknown_graph_zone(name: object) -> str:
    return f"Microsoft 365 sent a time zone tui-sync does not know: {name!r}"


def bad_graph_datetime(value: object) -> str:
    return f"Microsoft 365 sent a date/time tui-sync cannot read: {value!r}"
