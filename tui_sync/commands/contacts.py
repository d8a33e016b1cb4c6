"""`tui-sync contacts sync-list CODE [--add ID…] [--remove ID…] [--json]`: a user's contacts to sync.

Removals are applied before additions, in one transaction: swapping contacts in a full list works, and a
refused addition (unknown id, the 2001st contact) leaves the list exactly as it was.
"""

from __future__ import annotations

import argparse

from tui_sync import messages
from tui_sync.commands import Context, add_json_flag
from tui_sync.domain.models import MAX_CONTACTS_TO_SYNC


def register(subparsers: argparse._SubParsersAction) -> None:
    contacts = subparsers.add_parser("contacts", help="the CRM contacts and the lists of contacts to sync")
    commands = contacts.add_subparsers(title="contacts commands", metavar="COMMAND", required=True)

    sync_list = commands.add_parser("sync-list", help="show or change a user's contacts to sync")
    sync_list.add_argument("code", metavar="CODE", help="the CRM user")
    sync_list.add_argument("--add", type=int, nargs="+", action="extend", default=[], metavar="ID")
    sync_list.add_argument("--remove", type=int, nargs="+", action="extend", default=[], metavar="ID")
    add_json_flag(sync_list)
    sync_list.set_defaults(handler=edit_sync_list)


async def edit_sync_list(ctx: Context, args: argparse.Namespace) -> int:
    store = ctx.store
    async with store.transaction():
        user = await store.get_user(args.code)
        if args.remove:
            await store.remove_from_sync_list(user.code, args.remove)
        if args.add:
            await store.add_to_sync_list(user.code, args.add)
        listed = await store.contacts_by_ids(await store.sync_list(user.code))
    if args.json:
        ctx.print_json(
            {
                "user": user.code,
                "count": len(listed),
                "limit": MAX_CONTACTS_TO_SYNC,
                "contacts": [{"id": c.id, "name": c.display_name} for c in listed],
            }
        )
        return 0
    ctx.print(messages.sync_list_count(user.code, len(listed), MAX_CONTACTS_TO_SYNC))
    for contact in listed:
        ctx.print(messages.sync_list_entry(contact.id or 0, contact.display_name))
    return 0
