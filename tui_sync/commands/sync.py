"""`tui-sync sync`: a headless sync (cron). Deletions made in Microsoft 365 reach the CRM only with
`--yes`; without it they are kept and written back, and reported. Exit 0 when the sync completed."""

from __future__ import annotations

import argparse
import sys

from tui_sync import texts
from tui_sync.commands import Context, add_json_flag
from tui_sync.domain.period import Period, parse_day
from tui_sync.errors import BadInput
from tui_sync.sync.events import AnswerAll, Progress, Summary, What


def register(subparsers: argparse._SubParsersAction) -> None:
    sync = subparsers.add_parser("sync", help="sync a user's agenda and/or contacts with Microsoft 365")
    sync.add_argument("--user", required=True, metavar="CODE", help="whose agenda / contacts to sync")
    sync.add_argument(
        "--as", dest="viewer", metavar="CODE", help="sync on behalf of this user (rights apply)"
    )
    sync.add_argument("--agenda", action="store_true", help="the agenda, both ways")
    sync.add_argument("--contacts", action="store_true", help="the contacts to sync, CRM → Microsoft 365")
    sync.add_argument(
        "--from", dest="start", metavar="YYYY-MM-DD", help="first day (default: the preferences)"
    )
    sync.add_argument("--to", dest="end", metavar="YYYY-MM-DD", help="last day (default: the preferences)")
    sync.add_argument("--yes", action="store_true", help="apply deletions made in Microsoft 365 to the CRM")
    add_json_flag(sync)
    sync.set_defaults(handler=run_sync)


def _period(ctx: Context, args: argparse.Namespace) -> Period | None:
    if args.start is None and args.end is None:
        return None
    if args.start is None or args.end is None:
        raise BadInput(texts.cli.FROM_AND_TO_TOGETHER)
    return Period.from_dates(parse_day(args.start, "--from"), parse_day(args.end, "--to"), ctx.tz)


def _show_progress(event: Progress) -> None:
    """Live progress on one terminal line (only on a terminal: cron logs get the summary alone)."""
    if sys.stderr.isatty():
        sys.stderr.write("\r\033[K" + texts.sync.progress_line(event))
        sys.stderr.flush()


def _end_progress() -> None:
    if sys.stderr.isatty():
        sys.stderr.write("\r\033[K")
        sys.stderr.flush()


async def run_sync(ctx: Context, args: argparse.Namespace) -> int:
    kinds: tuple[What, ...] = ("agenda", "contacts")
    what = [w for w in kinds if getattr(args, w)] or list(kinds)
    period = _period(ctx, args)
    confirmer = AnswerAll(yes=args.yes)
    summary = await ctx.services.sync.run(
        args.viewer or args.user,
        args.user,
        what,
        period=period,
        confirmer=confirmer,
        on_event=_show_progress,
    )
    _end_progress()
    if args.json:
        ctx.print_json(summary.to_json() | {"errors": texts.sync.advised_errors(summary, ctx.fix)})
    else:
        _print_summary(ctx, summary, confirmer)
    return 0 if summary.ok else 1


def _print_summary(ctx: Context, summary: Summary, confirmer: AnswerAll) -> None:
    """Each item deleted (or cancelled by its organiser) in Microsoft 365 and what became of it, then
    the counts."""
    for r in confirmer.answered:
        ctx.print(texts.sync.deletion_listed(r.kind, r.title, r.start, ctx.tz, r.reason, confirmer.yes))
    for line in texts.sync.summary_lines(summary):
        ctx.print(line)
    for error in texts.sync.error_lines(texts.sync.advised_errors(summary, ctx.fix)):
        print(f"tui-sync: {error}", file=sys.stderr)
