"""`tui-sync contacts sync-list CODE [--add ID…] [--remove ID…] [--json]`: a user's contacts to sync.

The rules (removals before additions, all or nothing, at most 2000 contacts) are the contacts service's,
shared with the terminal application's Contacts screen; this command only parses and prints.
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
    user = await ctx.services.people.get_user(args.code)
    listed = await ctx.services.contacts.edit_sync_list(user.code, add=args.add, remove=args.remove)
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
