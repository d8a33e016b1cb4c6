"""Every sentence a user reads, in one place, so the TUI and the CLI say the same thing and a French
translation is one file away. Functions for messages with values; constants for fixed ones.

Sections: configuration, store and administration, import/export, Microsoft sign-in and Test,
sync, dialogs.
"""

from __future__ import annotations

# --- configuration -------------------------------------------------------------------------------

CONFIG_UNKNOWN_KEY = "unknown key"
CONFIG_NOT_JSON = "a table given as a variable must be JSON (or use one variable per key, joined by __)"


def config_problem(where: str, key: str, problem: str) -> str:
    """One bad setting: `where` is the file or the variable ("" when said before), `key` the dotted key."""
    return ": ".join(part for part in (where, key, problem) if part)


def config_file_missing(path: object, given_by: str) -> str:
    return f"config file {path} (given by {given_by}) does not exist"


def config_unreadable(path: object, reason: str) -> str:
    return f"config file {path} cannot be read: {reason}"


def config_syntax(path: object, detail: str) -> str:
    return f"config file {path}: TOML syntax error: {detail}"


def config_in_file(path: object) -> str:
    return f"config file {path}"


def config_in_env(variable: str) -> str:
    return f"environment variable {variable}"


def config_bad_timezone(name: object) -> str:
    return f"{name!r} is not an IANA time zone name (e.g. Europe/Paris)"


def config_out_of_range(low: int, high: int, got: object) -> str:
    return f"must be between {low} and {high} (got {got!r})"


def config_not_one_of(choices: tuple[str, ...], got: object) -> str:
    return f"must be one of {' | '.join(choices)} (got {got!r})"


def config_wrong_type(expected: str, got: object) -> str:
    return f"must be {expected} (got {got!r})"


# --- store and administration --------------------------------------------------------------------

ADMIN_FULL_NAME = "Administrator"
TUI_NOT_YET = "tui-sync: the terminal interface arrives in a later release; the commands below work today."
NOT_CONNECTED = "not connected"
CONNECTED = "connected"
NEVER = "never"


def unknown_user(code: str) -> str:
    return f"no user {code} in the CRM (see: tui-sync user list)"


def user_exists(code: str) -> str:
    return f"user {code} already exists"


def not_found(kind: str, item_id: object) -> str:
    return f"no {kind} with id {item_id}"


def action_type_exists(label: str) -> str:
    return f"action type {label!r} already exists"


def unknown_action_type(label: str) -> str:
    return f"no action type {label!r} (see the action types in Administration)"


def own_rights(code: str) -> str:
    return f"{code} always sees and syncs their own agenda: rights are for another user"


def sync_list_limit(code: str, current: int, adding: int, limit: int) -> str:
    return (
        f"the contacts-to-sync list of {code} is limited to {limit} contacts: it has {current}, "
        f"adding {adding} would make {current + adding}; nothing was added"
    )


def sync_busy(code: str, holder: str, until: str) -> str:
    return f"{code} is being synchronised elsewhere ({holder}) until {until}; try again later"


def database_too_new(path: object, version: int, known: int) -> str:
    return (
        f"database {path} was written by a newer tui-sync (schema {version}, this one knows {known}); "
        "upgrade tui-sync"
    )


def database_unusable(path: object, reason: str) -> str:
    return f"database {path} cannot be used: {reason}"


def nothing_to_change(options: str) -> str:
    return f"nothing to change: give at least one of {options}"


def bad_option(option: str, problem: str) -> str:
    return f"{option}: {problem}"


def microsoft_settings_saved(client_id: str, tenant: str) -> str:
    return f"Microsoft application saved: client ID {client_id}, tenant {tenant}"


def user_added(code: str, full_name: str, admin: bool) -> str:
    return f"user {code} ({full_name}) added" + (" as an administrator" if admin else "")


def user_updated(code: str) -> str:
    return f"user {code} updated"


def rights_saved(viewer: str, target: str, visible: bool, agenda: bool) -> str:
    def yes_no(flag: bool) -> str:
        return "yes" if flag else "no"

    return f"{viewer} on {target}: visible {yes_no(visible)}, agenda {yes_no(agenda)}"


def sync_list_count(code: str, count: int, limit: int) -> str:
    return f"contacts to sync for {code}: {count} / {limit}"


# --- import / export -----------------------------------------------------------------------------

# --- Microsoft sign-in, Graph and Test (SPEC §4) -------------------------------------------------

# --- sync (SPEC §6) ------------------------------------------------------------------------------

# --- dialogs -------------------------------------------------------------------------------------
