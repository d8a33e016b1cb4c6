"""The CRM's refusals, read as one line by a screen or a command that ends on one: users, rights,
contacts-to-sync lists and action types that say no, a database file that cannot be used, and a failure
nobody foresaw.
"""

from __future__ import annotations

# --- users and rights -----------------------------------------------------------------------------


def unknown_user(code: str) -> str:
    return f"no user {code} in the CRM (see: tui-sync user list)"


def user_exists(code: str) -> str:
    return f"user {code} already exists"


def own_rights(code: str) -> str:
    return f"{code} always sees and syncs their own agenda: rights are for another user"


def last_admin(code: str) -> str:
    return f"{code} is the last administrator: make another user an administrator first"


def admin_only(code: str) -> str:
    return f"Administration is for administrators: {code} is not one (ask ADM to make you one)"


def not_allowed_agenda(viewer: str, target: str) -> str:
    return f"{viewer} may not sync {target}'s agenda: ask an administrator for the agenda right"


def not_allowed_contacts(viewer: str, target: str) -> str:
    return f"{viewer} may not sync {target}'s contacts: only {target} or an administrator can"


def sync_list_not_yours(viewer: str, owner: str) -> str:
    return f"{viewer} may not change the contacts to sync of {owner}: only {owner} or an administrator can"


def push_not_owned(user: str, action_id: int, owner: str) -> str:
    """An Automatic push asked to send another owner's action to `user`'s Outlook: refused."""
    return f"action {action_id} belongs to {owner}: it is not sent to the Outlook calendar of {user}"


# --- CRM items ------------------------------------------------------------------------------------


def not_found(kind: str, item_id: object) -> str:
    return f"no {kind} with id {item_id}"


def action_type_exists(label: str) -> str:
    return f"action type {label!r} already exists"


def unknown_action_type(label: str) -> str:
    return f"no action type {label!r} (see the action types in Administration)"


def sync_list_limit(code: str, current: int, adding: int, limit: int) -> str:
    return (
        f"the contacts-to-sync list of {code} is limited to {limit} contacts: it has {current}, "
        f"adding {adding} would make {current + adding}; nothing was added"
    )


# --- the database file ----------------------------------------------------------------------------


def database_too_new(path: object, version: int, known: int) -> str:
    return (
        f"database {path} was written by a newer tui-sync (schema {version}, this one knows {known}); "
        "upgrade tui-sync"
    )


def database_unusable(path: object, reason: str) -> str:
    return f"database {path} cannot be used: {reason}"


def database_busy(path: object) -> str:
    return f"database {path} is busy: another tui-sync kept it locked; try again in a moment"


def database_is_folder(path: object) -> str:
    return f"database {path} is a folder: the database setting must name a file (e.g. {path}/crm.sqlite3)"


def database_folder_missing(path: object) -> str:
    return (
        f"database {path}: its folder does not exist; create it, or correct the database setting "
        "(only the default location is created by itself)"
    )


def database_read_only(path: object, blocked: object) -> str:
    return (
        f"database {path} is read-only ({blocked} cannot be written): nothing was changed; "
        "fix its permissions"
    )


def database_not_ours(path: object, tables: list[str]) -> str:
    shown = ", ".join(tables[:5]) + (", …" if len(tables) > 5 else "")
    return (
        f"database {path} is another program's SQLite file (tables: {shown}), not a tui-sync database; "
        "it was left untouched: point the database setting at another file"
    )


def disk_full(path: object) -> str:
    """SQLite found no room to write: what was under way was undone whole."""
    return (
        f"The disk holding {path} is full: this sync could not be recorded and was undone where it "
        "stopped; free some space and sync again (nothing is written twice)"
    )


REASON_NO_ROW_ID = "SQLite gave the new row no id"


# --- a failure nobody foresaw ---------------------------------------------------------------------


def unexpected_error(kind: str, detail: str, log: object | None) -> str:
    """A failure tui-sync did not foresee (a bug): what it was, and where its details are."""
    lines = detail.strip().splitlines()
    where = f"; the details are in {log}" if log is not None else ""
    return f"unexpected error ({kind}: {lines[0] if lines else 'no detail'}){where}"
