"""The terminal application's frame, read on screen: the command palette, Home, the Sync wizard,
the confirm dialogs, Administration, Preferences and the device-code dialog.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from tui_sync.texts.microsoft import CONNECT_FIX_TUI, CONNECTED, NOT_CONNECTED, RESET_WHAT_FOLLOWS
from tui_sync.texts.sync import NEVER, SYNC_CANCELLED, RunSummary, advised_errors, error_lines, summary_lines

if TYPE_CHECKING:
    from datetime import datetime


# --- the application's frame: keys, screens, the palette ------------------------------------------

SYNC_ALREADY_RUNNING = "A sync is already running: wait for it to end (or cancel it in the Sync wizard)."
QUIT_DURING_SYNC = "A sync is running. Quit anyway?"
QUIT_DURING_SYNC_DETAILS = (
    "The sync is cancelled cleanly: what it wrote is recorded, the rest waits for the next sync."
)
UNEXPECTED_FAILURE = "Something went wrong"
PICK_USER_TITLE = "Who are you? Pick your CRM user (enter)"
UI_KEY_HELP = "Help"
UI_SCREEN_HOME = "Home"
UI_SCREEN_WIZARD = "Sync wizard"
UI_SCREEN_CONTACTS = "Contacts"
UI_SCREEN_AGENDA = "Agenda"
UI_PALETTE_CONTACTS = "The CRM contacts and your contacts to sync"
UI_PALETTE_AGENDA = "The actions of the agendas you may see, by day"
UI_PALETTE_NEW_ACTION = "Add an action to the agenda"
UI_SCREEN_PREFERENCES = "Preferences"
UI_SCREEN_ADMIN = "Admin"
UI_SYNC_NOW = "Sync now"
UI_QUIT = "Quit"
UI_PALETTE_HOME = "The users you see, their connection and last syncs"
UI_PALETTE_PREFS = "Your Microsoft 365 connection and sync preferences"
UI_PALETTE_ADMIN = "The Microsoft application, users and rights (administrators)"
UI_PALETTE_WIZARD = "Choose users, what and when to sync, then run it"
UI_PALETTE_SYNC_NOW = "Sync your agenda and contacts over your sync period now"
UI_PALETTE_CONNECT = "Sign in to Microsoft 365 with a device code"
UI_PALETTE_TEST = "Check your Microsoft 365 settings"
UI_PALETTE_HELP = "Show the keys of this screen"
UI_PALETTE_QUIT = "Quit tui-sync (a running sync is cancelled cleanly)"
UI_PALETTE_THEME = "Change the colours"
# The palette's commands (ctrl+p), by the names the user guide gives; each one's line is UI_PALETTE_*.
UI_PALETTE_NAMES = {
    "home": "Home",
    "preferences": "Preferences",
    "admin": "Administration",
    "wizard": "Sync wizard",
    "contacts": "Contacts",
    "agenda": "Agenda",
    "sync_now": "Sync now",
    "new_action": "New action",
    "connect": "Connect",
    "test": "Test",
    "help": "Help",
    "quit": "Quit",
    "theme": "Theme",
}
# How a date or a time is typed, shown in an empty field.
UI_DATE_HINT = "YYYY-MM-DD"
UI_TIME_HINT = "HH:MM"


# --- the confirm dialogs' buttons -----------------------------------------------------------------

UI_YES = "Yes"
UI_NO = "No"
UI_DELETE = "Delete"
UI_KEEP = "Keep"
UI_DELETE_ALL = "Delete all remaining"
UI_KEEP_ALL = "Keep all remaining"
UI_CONTINUE = "Continue"
UI_STOP_SYNC = "Stop the sync"


# --- Home -----------------------------------------------------------------------------------------


def relative_time(when: datetime | None, now: datetime) -> str:
    """ "3 min ago", "2 h ago", "yesterday", "5 days ago", else the date; "never" when None."""
    if when is None:
        return NEVER
    seconds = (now - when).total_seconds()
    if seconds < 60:
        return "just now"
    if seconds < 3600:
        return f"{int(seconds // 60)} min ago"
    if seconds < 86400:
        return f"{int(seconds // 3600)} h ago"
    days = int(seconds // 86400)
    if days == 1:
        return "yesterday"
    if days < 30:
        return f"{days} days ago"
    return when.strftime("%d %b %Y")


def run_result(ok: bool | None, errors: int) -> str:
    """The result of a user's last run: ok, N errors, or unfinished (the run died or still runs)."""
    if ok is None:
        return "unfinished"
    return "ok" if ok else f"{errors} error" + ("s" if errors != 1 else "")


def startup_sync_status(user: str) -> str:
    return f"At startup: Microsoft 365 → CRM for {user}…"


UI_HOME_SYNC = "Sync…"
UI_HOME_CONNECT = "Connect"
UI_HOME_TEST = "Test"
UI_HOME_RELOAD = "Reload"
UI_COL_USER = "User"
UI_COL_NAME = "Name"
UI_COL_AGENDA = "Last agenda sync"
UI_COL_CONTACTS = "Last contacts sync"


def home_whoami(code: str, full_name: str) -> str:
    return f"Signed in as {code} ({full_name}) · ● connected  ○ not connected"


def home_detail(
    code: str,
    connected: bool,
    username: str | None,
    agenda: str,
    contacts: str,
    actions: int,
    listed: int,
    limit: int = 2000,
) -> str:
    """The selected row of Home, in full: the account, then what each sync weighs and when it ran."""
    account = CONNECTED if connected else NOT_CONNECTED
    if connected and username:
        account = f"connected as {username}"
    return (
        f"{code}: {account}\n"
        f"agenda: {actions} in the period, synced {agenda} · contacts: {listed} of {limit} to sync, "
        f"synced {contacts}"
    )


# --- the Sync wizard ------------------------------------------------------------------------------

CANCEL_SYNC_QUESTION = "Cancel the running sync?"
CANCEL_SYNC_DETAILS = (
    "What was written so far is recorded; the next sync finishes the rest, without duplicates."
)


def wizard_running(user: str, index: int, total: int) -> str:
    return f"Syncing {user}" + (f" ({index} of {total})" if total > 1 else "")


UI_WIZARD_START = "Start"
UI_WIZARD_BACK = "Back"
UI_WIZARD_WHO = "Users to sync (space marks, several run one after the other):"
UI_WIZARD_AGENDA = "Agenda (both ways)"
UI_WIZARD_CONTACTS = "Contacts (CRM → Microsoft 365)"
UI_WIZARD_FROM = "From"
UI_WIZARD_TO = "to"
UI_WIZARD_PERIOD_HINT = "Left as shown, each user's own period applies (Preferences: months before/after)."
UI_WIZARD_START_BUTTON = "Start (ctrl+s)"
UI_WIZARD_CANCEL_HINT = "escape cancels the sync (it asks first)"
UI_WIZARD_SUMMARY_HINT = "escape: back to the wizard"
WIZARD_NO_USER = "Mark at least one user to sync (space)"
WIZARD_NOTHING_CHOSEN = "Choose the agenda, the contacts, or both"
WIZARD_NOT_CONNECTED = "not connected to Microsoft 365 (Preferences → Connect)"
WIZARD_NO_RIGHT = "no right to sync this user (ask an administrator)"


def wizard_last_syncs(agenda: str, contacts: str) -> str:
    return f"agenda {agenda} · contacts {contacts}"


def wizard_user_done(user: str, ok: bool) -> str:
    return f"✓ {user} done" if ok else f"✗ {user} finished with errors"


def wizard_summary(summaries: Iterable[RunSummary], cancelled: bool) -> str:
    """The summary that stays after a run: each user's lines and errors (the items failing for one
    reason on one line, as the command line says them), and a cancellation."""
    blocks = []
    for summary in summaries:
        lines = [f"— {summary.user} —", *summary_lines(summary)]
        errors = error_lines(advised_errors(summary, CONNECT_FIX_TUI))  # grouped as the CLI prints them
        lines += [f"✗ {error}" for error in errors]
        blocks.append("\n".join(lines))
    if cancelled:
        blocks.append(SYNC_CANCELLED)
    return "\n\n".join(blocks) or SYNC_CANCELLED


# --- Administration -------------------------------------------------------------------------------

UI_ADMIN_TAB_AUTH = "Authentication"
UI_ADMIN_TAB_USERS = "Users"
UI_ADMIN_TAB_RIGHTS = "Rights"
UI_ADMIN_SAVE = "Save"
UI_ADMIN_NEXT_TAB = "Next tab"
UI_ADMIN_BACK = "Home"
UI_ADMIN_ADD = "Add"
UI_ADMIN_RENAME = "Rename"
UI_ADMIN_TOGGLE_ADMIN = "Admin on/off"
UI_ADMIN_VISIBLE = "Visible"
UI_ADMIN_AGENDA = "Agenda"
UI_ADMIN_CANCEL = "Cancel"
UI_ADMIN_CLIENT_ID = "Application (client) ID"
UI_ADMIN_TENANT = "Tenant"
UI_ADMIN_CODE = "Code"
UI_ADMIN_FULL_NAME = "Full name"
UI_ADMIN_IS_ADMIN = "Administrator"
UI_ADMIN_COL_ADMIN = "Admin"
UI_ADMIN_YES = "yes"
UI_ADMIN_SELF = "self"
UI_ADMIN_CODE_HINT = "A-Z 0-9 _"
UI_ADMIN_CLIENT_ID_HINT = "1b2c3d4e-…"
UI_ADMIN_AUTH_HINT = (
    "The application registered for tui-sync in Microsoft Entra (Azure portal → App registrations): "
    "its application (client) ID is a GUID. Tenant: common (any account), organizations, or your "
    "tenant's name or ID. The next sign-in uses what you save here."
)
UI_ADMIN_SAVE_BUTTON = "Save (ctrl+s)"
UI_ADMIN_UNSAVED = "Not saved yet: ctrl+s saves"
UI_ADMIN_USERS_HINT = "n add · r / enter rename · space administrator on/off · ● connected ○ not"
UI_ADMIN_RIGHTS_HINT = (
    "Rows: who sees · columns: whose data · V visible · A agenda (may sync it)\n"
    "v / a on a cell turns that right on or off (saved at once)"
)
UI_ADMIN_ADD_TITLE = "New CRM user"
UI_ADMIN_FORM_KEYS = "ctrl+s save · escape cancel"
UI_ADMIN_DENIED_HINT = "f2: back to Home"
UI_ADMIN_DROP_OWN_FLAG = "Remove your own administrator flag?"
UI_ADMIN_DROP_OWN_FLAG_DETAILS = (
    "You will no longer see Administration; another administrator can give the flag back."
)


def admin_rename_title(code: str) -> str:
    return f"Rename {code}"


def admin_invalid(label: str, problem: str) -> str:
    """A value the domain refused, named by the field the user sees."""
    return f"{label}: {problem}"


def admin_flag_changed(code: str, is_admin: bool) -> str:
    return f"{code} is now an administrator" if is_admin else f"{code} is no longer an administrator"


# --- Preferences → Synchronisation ----------------------------------------------------------------

UI_PREFS_SUBTITLE = "Preferences → Synchronisation"
UI_PREFS_USER = "User"
UI_PREFS_ACCOUNT = "Microsoft 365"
UI_PREFS_INTERFACE = "Interface"
UI_PREFS_EMAIL = "Login e-mail"
UI_PREFS_CALENDAR = "Calendar"
UI_PREFS_BEFORE = "Months before"
UI_PREFS_AFTER = "after"
UI_PREFS_AUTOMATIC = "Automatic"
UI_PREFS_AT_STARTUP = "At startup"
UI_PREFS_SERIES = "Series actions"
UI_PREFS_SAVE = "Save"
UI_PREFS_BACK = "Back"
UI_PREFS_CONNECT = "Connect"
UI_PREFS_TEST = "Test"
UI_PREFS_RESET = "Reset"
UI_PREFS_RESET_CALENDAR = "Reset calendar"
UI_PREFS_CREATE_CATEGORIES = "Categories"
UI_PREFS_EMAIL_HINT = "name@company.com"
UI_PREFS_CALENDAR_HINT = "e.g. Calendar"
# The field names a refused value is reported under (InvalidValue.field → the form's label).
UI_PREFS_FIELDS = {
    "login_email": UI_PREFS_EMAIL,
    "months_before": UI_PREFS_BEFORE,
    "months_after": "Months after",
    "calendar_name": UI_PREFS_CALENDAR,
}
PREFS_REVERTED = "Changes discarded: the saved preferences are shown again"
PREFS_SAVE_FIRST = "Save (ctrl+s) or discard (escape) the changes before picking another user"
PREFS_TEST_USES_SAVED = "! Test checks the saved preferences: save first (ctrl+s) to test the changes"
PREFS_CREATE_CATEGORIES_OFFER = "ctrl+g creates the missing categories (with the nearest colour)"
RESET_DETAILS = (
    "Its Microsoft 365 tokens leave this machine (Connect again afterwards) and every link between "
    "its CRM items and Microsoft 365 items is forgotten. " + RESET_WHAT_FOLLOWS
)
RESET_CALENDAR_DETAILS = (
    "Every link between its CRM actions and Microsoft 365 events is forgotten (do it after choosing "
    "another calendar); the connection and the contacts stay. " + RESET_WHAT_FOLLOWS
)


def prefs_title(code: str, full_name: str) -> str:
    return f"{code} — {full_name}"


def prefs_connection(working: bool, username: str | None) -> str:
    """The connection line: the dot says it without colour, the words say who."""
    if working:
        return f"● {CONNECTED}" + (f" as {username}" if username else "")
    return f"○ {NOT_CONNECTED} (ctrl+o connects)"


def prefs_saved(code: str) -> str:
    return f"Preferences of {code} saved"


def reset_question(code: str) -> str:
    return f"Reset the Microsoft 365 account of {code}?"


def reset_calendar_question(code: str) -> str:
    return f"Reset the calendar links of {code}?"


def calendar_links_cleared(code: str, count: int) -> str:
    return f"{code}: calendar reset, {count} agenda sync links cleared"


def testing_user(code: str) -> str:
    return f"Testing the settings of {code}…"


# --- the device-code dialog -----------------------------------------------------------------------

UI_DEVICE_COPY = "Copy code"
UI_DEVICE_CANCEL = "Cancel"
DEVICE_OPEN = "On any device (phone, computer), open this address:"
DEVICE_ENTER = "and enter this code:"
DEVICE_ASKING = "Asking Microsoft for a sign-in code…"
DEVICE_EXPIRED = "The code has expired: escape, then Connect again"
DEVICE_COPIED = "Code copied to the clipboard (if your terminal allows it); it stays shown here"
DEVICE_KEYS = "c copy the code · escape cancel the sign-in"


def device_title(code: str) -> str:
    return f"Connect {code} to Microsoft 365"


def device_expires_in(seconds: int) -> str:
    minutes, rest = divmod(max(0, seconds), 60)
    return f"The code expires in {minutes}:{rest:02d}"


def demo_auto_approve(seconds: float) -> str:
    """The device-code dialog's line in the demo: nobody needs a phone, the fake signs in by itself."""
    return f"Demo: the fake Microsoft 365 signs in by itself in {seconds:g} s."
