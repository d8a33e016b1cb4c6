"""`tui-sync user add|set|grant|list`: everything the Administration and Preferences screens set.

`user list --json` prints every sync preference under the names `SyncPrefs` uses, so a script can
read a user back and replay it with `user add` / `user set`.
"""

from __future__ import annotations

import argparse
from dataclasses import asdict
from typing import Any

from tui_sync import texts
from tui_sync.commands import Context, add_json_flag, switch
from tui_sync.domain.models import InvalidValue, Rights, User
from tui_sync.errors import BadInput

# SyncPrefs field → the option that sets it (dest, option), so a refused value names the option typed.
_PREF_OPTIONS = {
    "interface": "--interface",
    "login_email": "--email",
    "calendar_name": "--calendar",
    "months_before": "--months-before",
    "months_after": "--months-after",
    "automatic": "--automatic",
    "at_startup": "--startup",
    "series": "--series",
}
_ADD_NAMES = {"code": "CODE", "full_name": "FULL_NAME"}
_SET_NAMES = {"code": "CODE", "full_name": "--name"}
INTERFACES = ("Office 365",)


def register(subparsers: argparse._SubParsersAction) -> None:
    user = subparsers.add_parser("user", help="CRM users, their sync preferences and rights")
    commands = user.add_subparsers(title="user commands", metavar="COMMAND", required=True)

    add = commands.add_parser("add", help="add a CRM user (preference options as for `user set`)")
    add.add_argument("code", metavar="CODE", help="short code, e.g. CARINE (letters, digits, _)")
    add.add_argument("full_name", metavar="FULL_NAME", help='e.g. "Carine Dupont"')
    add.add_argument("--admin", action="store_true", default=None, help="an administrator (like ADM)")
    _add_pref_options(add)
    add.set_defaults(handler=add_user)

    set_ = commands.add_parser("set", help="change a user's name, admin flag or sync preferences")
    set_.add_argument("code", metavar="CODE")
    set_.add_argument("--name", dest="full_name", help="the full name")
    switch(set_, "admin", "an administrator or not")
    _add_pref_options(set_)
    set_.set_defaults(handler=set_user)

    grant = commands.add_parser("grant", help="what VIEWER may do with TARGET's data")
    grant.add_argument("viewer", metavar="VIEWER")
    grant.add_argument("target", metavar="TARGET")
    switch(grant, "visible", "VIEWER sees TARGET's data")
    switch(grant, "agenda", "VIEWER may see and sync TARGET's agenda")
    grant.set_defaults(handler=grant_rights)

    list_ = commands.add_parser("list", help="every user with preferences, rights, connection, last syncs")
    add_json_flag(list_)
    list_.set_defaults(handler=list_users)


def _add_pref_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--interface", choices=INTERFACES, help="interface type (only Office 365)")
    parser.add_argument("--email", dest="login_email", metavar="E", help="Microsoft login e-mail")
    parser.add_argument("--calendar", dest="calendar_name", metavar="NAME", help="Outlook calendar to sync")
    parser.add_argument("--months-before", type=int, metavar="N", help="sync period: months before today")
    parser.add_argument("--months-after", type=int, metavar="N", help="sync period: months after today")
    switch(parser, "automatic", "push every CRM action change to Microsoft 365 at once")
    parser.add_argument(
        "--startup",
        dest="at_startup",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="sync Microsoft 365 → CRM when the user opens tui-sync",
    )
    switch(parser, "series", "sync recurring events")


def _option_error(error: InvalidValue, names: dict[str, str]) -> BadInput:
    option = _PREF_OPTIONS.get(error.field) or names.get(error.field) or error.field
    return BadInput(texts.cli.bad_option(option, texts.domain.problem(error.reason)))


def _prefs_given(args: argparse.Namespace) -> dict[str, Any]:
    """The preferences typed on the command line, by SyncPrefs field (those not given stay as they are)."""
    return {f: getattr(args, f) for f in _PREF_OPTIONS if getattr(args, f, None) is not None}


async def add_user(ctx: Context, args: argparse.Namespace) -> int:
    try:
        added = await ctx.services.people.add_user(
            args.code, args.full_name, is_admin=bool(args.admin), **_prefs_given(args)
        )
    except InvalidValue as error:
        raise _option_error(error, _ADD_NAMES) from None
    ctx.print(texts.changes.user_added(added.code, added.full_name, added.is_admin))
    return 0


async def set_user(ctx: Context, args: argparse.Namespace) -> int:
    prefs = _prefs_given(args)
    if not prefs and args.full_name is None and args.admin is None:
        raise BadInput(texts.cli.nothing_to_change(", ".join(["--name", "--admin", *_PREF_OPTIONS.values()])))
    try:
        updated = await ctx.services.people.update_user(
            args.code, full_name=args.full_name, is_admin=args.admin, **prefs
        )
    except InvalidValue as error:
        raise _option_error(error, _SET_NAMES) from None
    ctx.print(texts.changes.user_updated(updated.code))
    return 0


async def grant_rights(ctx: Context, args: argparse.Namespace) -> int:
    wanted = await ctx.services.people.set_rights(
        args.viewer, args.target, visible=args.visible, agenda=args.agenda
    )
    ctx.print(texts.changes.rights_saved(wanted.viewer, wanted.target, wanted.visible, wanted.agenda))
    return 0


def user_json(user: User, rights: list[Rights]) -> dict[str, Any]:
    """A user as `user list --json` prints it: identity, every preference, connection, syncs, rights."""
    return {
        "code": user.code,
        "full_name": user.full_name,
        "admin": user.is_admin,
        "prefs": asdict(user.prefs),
        "connected": user.home_account_id is not None,
        "home_account_id": user.home_account_id,
        "last_agenda_sync": user.last_agenda_sync,
        "last_contacts_sync": user.last_contacts_sync,
        "rights": [{"target": r.target, "visible": r.visible, "agenda": r.agenda} for r in rights],
    }


async def list_users(ctx: Context, args: argparse.Namespace) -> int:
    listed = await ctx.services.people.users_with_rights()
    if args.json:
        ctx.print_json({"users": [user_json(u, rights) for u, rights in listed]})
        return 0
    for user, rights in listed:
        ctx.print(texts.cli.user_text(user, rights))
    return 0
