"""`tui-sync connect|test|disconnect --user CODE`: the Microsoft 365 connection of a CRM user.

`connect` is the device-code sign-in for a plain terminal: it prints the URL and the code, waits, says
who signed in (warning when it is not the user's login e-mail); Ctrl-C cancels with one line. `test`
prints the Test checks one line each, as they finish, and exits 1 if one fails. `disconnect` is the
Reset button. What each does (which account's tokens go, which links are forgotten) is the account
service's; this module parses and prints.
"""

from __future__ import annotations

import argparse
import asyncio
from typing import TYPE_CHECKING

from tui_sync import texts
from tui_sync.commands import Context

if TYPE_CHECKING:  # the services and MSAL load when a handler runs, not for every `tui-sync` start
    from tui_sync.microsoft.auth import DeviceCode
    from tui_sync.microsoft.checks import CheckResult
    from tui_sync.services import Services


def register(subparsers: argparse._SubParsersAction) -> None:
    connect = subparsers.add_parser("connect", help="sign a CRM user in to Microsoft 365 (device code)")
    connect.add_argument("--user", required=True, metavar="CODE", help="the CRM user to connect")
    connect.set_defaults(handler=connect_user)

    test = subparsers.add_parser("test", help="check the user's Microsoft 365 settings, one line each")
    test.add_argument("--user", required=True, metavar="CODE", help="the CRM user to check")
    test.add_argument(
        "--create-categories",
        action="store_true",
        help="create the missing Outlook categories, with the colour nearest to the action type's",
    )
    test.set_defaults(handler=test_user)

    disconnect = subparsers.add_parser(
        "disconnect", help="Reset: remove the user's Microsoft 365 tokens and sync links"
    )
    disconnect.add_argument("--user", required=True, metavar="CODE", help="the CRM user to disconnect")
    disconnect.set_defaults(handler=disconnect_user)


async def _services_for(ctx: Context, code: str) -> tuple[Services, str]:
    """The services, and the user's code as the CRM spells it (UnknownUser if there is no such user);
    from then on the advice for an unusable account names the user's own `tui-sync connect` line."""
    user = await ctx.services.people.get_user(code)
    ctx.fix = texts.microsoft.connect_fix_cli(user.code)
    return ctx.services, user.code


async def connect_user(ctx: Context, args: argparse.Namespace) -> int:
    from tui_sync.microsoft.errors import SignInCancelled

    services, code = await _services_for(ctx, args.user)

    def show(shown: DeviceCode) -> None:
        minutes = max(1, round(shown.seconds_left() / 60))
        ctx.print(texts.microsoft.device_code_instructions(shown.verification_uri, shown.user_code, minutes))
        ctx.print(texts.microsoft.waiting_for_sign_in())
        ctx.out.flush()

    try:
        signed = await services.accounts.connect(code, show)
    except asyncio.CancelledError:  # Ctrl-C: asyncio.run cancels us; say so in one line
        raise SignInCancelled() from None
    ctx.print(texts.microsoft.signed_in_as(signed.username))
    if signed.warning:
        ctx.print(signed.warning)
    return 0


async def test_user(ctx: Context, args: argparse.Namespace) -> int:
    from tui_sync.microsoft.checks import ACCOUNT_NOT_ACCESSIBLE, CATEGORIES_MISSING

    services, code = await _services_for(ctx, args.user)

    def show(result: CheckResult) -> None:
        text = result.message
        if result.check == CATEGORIES_MISSING:
            text += " " + texts.microsoft.create_categories_cli(code)
        elif result.check == ACCOUNT_NOT_ACCESSIBLE:
            only_connect = texts.microsoft.needs_connect_only(text)  # no account here: signing in is all
            fix = texts.microsoft.connect_only_cli(code) if only_connect else ctx.fix
            text = texts.microsoft.with_fix(text, fix)
        ctx.print(texts.microsoft.check_line(result.level, text))
        ctx.out.flush()

    results = await services.accounts.test(code, create_categories=args.create_categories, on_result=show)
    return 0 if all(result.ok for result in results) else 1


async def disconnect_user(ctx: Context, args: argparse.Namespace) -> int:
    services, code = await _services_for(ctx, args.user)
    done = await services.accounts.reset(code)
    ctx.print(done.message)
    ctx.print(texts.microsoft.RESET_WHAT_FOLLOWS)
    return 0
