"""What a change to the CRM did, worded once for the screen and the command that both make it (the
Admin screen and `tui-sync admin|user`, the Contacts screen and `tui-sync contacts`).
"""

from __future__ import annotations

ADMIN_FULL_NAME = "Administrator"


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


def contact_deleted(name: str) -> str:
    return f"Contact {name} deleted"


def contact_saved(name: str) -> str:
    return f"Contact {name} saved"
