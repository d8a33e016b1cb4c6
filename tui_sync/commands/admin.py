"""`tui-sync admin …`: the folder-level Microsoft application settings (Administration, Authentication).

The CLI has no login: whoever runs it operates the machine, so the ADM-only settings are simply set
(validated and stored by the people service, as the Administration screen does).
"""

from __future__ import annotations

import argparse

from tui_sync import texts
from tui_sync.commands import Context, add_json_flag


def register(subparsers: argparse._SubParsersAction) -> None:
    admin = subparsers.add_parser("admin", help="the Microsoft application settings (ADM)")
    commands = admin.add_subparsers(title="admin commands", metavar="COMMAND", required=True)

    client_id = commands.add_parser("client-id", help="set the Azure application (client) ID and tenant")
    client_id.add_argument("client_id", metavar="GUID", help="the application (client) ID from Azure")
    client_id.add_argument("--tenant", help="common (default), organizations, or a tenant name or id")
    client_id.set_defaults(handler=set_client_id)

    show = commands.add_parser(
        "show", help="show the Microsoft application settings and where this machine keeps its files"
    )
    add_json_flag(show)
    show.set_defaults(handler=show_settings)


async def set_client_id(ctx: Context, args: argparse.Namespace) -> int:
    wanted = await ctx.services.people.save_microsoft_settings(args.client_id, args.tenant)
    ctx.print(texts.changes.microsoft_settings_saved(wanted.client_id, wanted.tenant))
    return 0


async def show_settings(ctx: Context, args: argparse.Namespace) -> int:
    current = await ctx.services.people.microsoft_settings()
    files = {
        "config_file": ctx.settings.config_file,
        "database": ctx.settings.database,
        "token_cache": ctx.settings.microsoft.token_cache,
        "log_file": ctx.settings.log_path,
    }
    if args.json:
        ctx.print_json({"client_id": current.client_id, "tenant": current.tenant, **files})
    else:
        ctx.print(texts.cli.microsoft_settings_text(current.client_id, current.tenant))
        ctx.print(texts.cli.machine_files_text(**files))
    return 0
