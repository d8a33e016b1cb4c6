"""`tui-sync connect|test|disconnect --user CODE`: the Microsoft 365 connection of a CRM user (SPEC §4, §8).

`connect` is the device-code sign-in for a plain terminal: it prints the URL and the code, waits, says
who signed in (warning when it is not the user's login e-mail) and stores the account's
`home_account_id`; Ctrl-C cancels with one line. `test` prints the Test checks one line each and exits 1
if one fails. `disconnect` is the Reset button: the account's tokens leave this machine and the user's
sync links are forgotten (the CRM-id stamps let the next sync find its items again, without duplicates).
"""

from __future__ import annotations

import argparse
import asyncio

from tui_sync import messages
from tui_sync.commands import Context
from tui_sync.domain.models import User
from tui_sync.microsoft.auth import Authenticator, DeviceCode
from tui_sync.microsoft.checks import CheckResult, run_checks
from tui_sync.microsoft.errors import SignInCancelled
from tui_sync.sync import agenda, contacts

# Every kind of link a sync writes, so Reset forgets them all.
LINK_KINDS = (agenda.ACTION, agenda.SERIES, agenda.OCCURRENCE, contacts.KIND)
MARKS = {"ok": "✓", "warning": "!", "error": "✗"}


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


async def _authenticator(ctx: Context, user: User) -> Authenticator:
    app = await ctx.store.get_microsoft_settings()
    return Authenticator.from_settings(ctx.settings.microsoft, app, fix=messages.connect_fix_cli(user.code))


async def _shared(ctx: Context, user: User, home_account_id: str | None) -> bool:
    """Whether another CRM user is connected with the same Microsoft account (keep its tokens then)."""
    others = [u for u in await ctx.store.list_users() if u.code != user.code]
    return any(home_account_id and u.home_account_id == home_account_id for u in others)


async def connect_user(ctx: Context, args: argparse.Namespace) -> int:
    user = await ctx.store.get_user(args.user)
    auth = await _authenticator(ctx, user)

    def show(code: DeviceCode) -> None:
        minutes = max(1, round(code.seconds_left() / 60))
        ctx.print(messages.device_code_instructions(code.verification_uri, code.user_code, minutes))
        ctx.print(messages.waiting_for_sign_in())
        ctx.out.flush()

    try:
        signed = await auth.sign_in(show, user_code=user.code, expected_email=user.prefs.login_email)
    except asyncio.CancelledError:  # Ctrl-C: asyncio.run cancels us; say so in one line
        raise SignInCancelled() from None
    previous = user.home_account_id
    await ctx.store.set_home_account(user.code, signed.home_account_id)
    if previous and previous != signed.home_account_id and not await _shared(ctx, user, previous):
        auth.reset(previous)  # one Microsoft account per CRM user: the old one's tokens go
    ctx.print(messages.signed_in_as(signed.username))
    if signed.warning:
        ctx.print(signed.warning)
    return 0


async def test_user(ctx: Context, args: argparse.Namespace) -> int:
    user = await ctx.store.get_user(args.user)
    auth = await _authenticator(ctx, user)
    results = await run_checks(
        ctx.store, ctx.settings, user.code, auth, create_categories=args.create_categories
    )
    for result in results:
        ctx.print(format_result(result))
    return 0 if all(result.ok for result in results) else 1


def format_result(result: CheckResult) -> str:
    """One Test line: a mark (✓ ok, ! warning, ✗ error) and the message."""
    return f"{MARKS[result.level]} {result.message}"


async def disconnect_user(ctx: Context, args: argparse.Namespace) -> int:
    user = await ctx.store.get_user(args.user)
    auth = await _authenticator(ctx, user)
    removed = False
    if user.home_account_id and not await _shared(ctx, user, user.home_account_id):
        removed = auth.reset(user.home_account_id)
    async with ctx.store.transaction():
        cleared = await ctx.store.clear_links(user.code, LINK_KINDS)
        await ctx.store.set_home_account(user.code, None)
    ctx.print(messages.disconnected(user.code, removed, cleared))
    ctx.print(messages.RESET_WHAT_FOLLOWS)
    return 0
