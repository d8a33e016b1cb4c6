"""`tui-sync demo [--keep DIR] [--latency-ms N]`: the terminal application on a throw-away CRM seeded
with a small French company, wired to the fake Microsoft 365 running in this same process.

The handler is a plain function (the demo runs its own event loops: the fake's thread, the seeding, the
App) and opens no database of the machine: everything lives in the demo folder. The demo package (and
with it Textual, aiohttp and the fake) is imported only when the command runs.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from tui_sync import texts
from tui_sync.commands import Context, number_in


def register(subparsers: argparse._SubParsersAction) -> None:
    demo = subparsers.add_parser(
        "demo",
        help="try tui-sync on a throw-away CRM and a built-in fake Microsoft 365",
        description=texts.help.DEMO_DESCRIPTION,
        epilog=texts.help.DEMO_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    demo.add_argument(
        "--keep",
        metavar="DIR",
        type=Path,
        help="keep the demo in DIR (created and seeded if new or empty, reopened as it was otherwise)",
    )
    demo.add_argument(
        "--latency-ms",
        metavar="N",
        type=number_in(int, 0, 10_000),
        default=0,
        help="milliseconds the fake Microsoft 365 waits before each Graph answer (default 0)",
    )
    demo.set_defaults(handler=run, needs_store=False, own_logging=True)


def run(ctx: Context, args: argparse.Namespace) -> int:
    from tui_sync.demo import run_demo

    return run_demo(args.keep, args.latency_ms)
