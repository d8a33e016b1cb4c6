"""`tui-sync bench [--server-ms 20] [--network-ms 20] [--scale 1.0] [--json] [--output FILE]`: what a sync
costs against the physical limit and against the per-item way (see `tui_sync.bench`).

The handler is a plain function (the bench runs its own event loops: the fake's thread and the cases)
and opens no database of the machine: every case gets a fresh CRM in a temporary folder. The bench
module (and with it aiohttp, MSAL, Textual and the fake) is imported only when the command runs.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from tui_sync import texts
from tui_sync.commands import Context, add_json_flag, number_in
from tui_sync.errors import BadInput


def register(subparsers: argparse._SubParsersAction) -> None:
    bench = subparsers.add_parser(
        "bench", help="measure what a sync costs against the physical limit and the per-item way"
    )
    bench.add_argument(
        "--server-ms",
        metavar="MS",
        type=number_in(float, 0, 10_000),
        default=20.0,
        help="server time of each request or sub-request, 4 at a time per mailbox (default 20)",
    )
    bench.add_argument(
        "--network-ms",
        metavar="MS",
        type=number_in(float, 0, 10_000),
        default=20.0,
        help="network time of each HTTP request (default 20)",
    )
    bench.add_argument(
        "--scale",
        type=number_in(float, 0.01, 1.0),
        default=1.0,
        help="share of the limits each case carries (default 1.0)",
    )
    bench.add_argument(
        "--output",
        metavar="FILE",
        type=Path,
        default=Path("BENCHMARKS.md"),
        help="where the report is written (default ./BENCHMARKS.md)",
    )
    add_json_flag(bench)
    bench.set_defaults(handler=run, needs_store=False, own_logging=True)


def run(ctx: Context, args: argparse.Namespace) -> int:
    if not args.server_ms and not args.network_ms:
        raise BadInput(texts.cli.BENCH_NO_TIME)
    from tui_sync import bench

    options = bench.Options(server_ms=args.server_ms, network_ms=args.network_ms, scale=args.scale)

    def say(line: str) -> None:
        print(f"tui-sync bench: {line}", file=sys.stderr, flush=True)

    data = bench.run_bench(options, say=say, output=args.output)
    if args.json:
        ctx.print_json(data)
    else:
        ctx.print(bench.tables(data, options))
    return 0
