"""`tui-sync fake-graph [...]`: the fake Microsoft 365 (sign-in + Graph) on loopback, for tests, the demo
and the benchmark. Its own parser reads every argument, so this command declares none (its `--help` is
the fake's) and opens no database; the fake runs its own event loop, so the handler is a plain function.
The fake itself is imported by the handler, so no other command pays for loading it.
"""

from __future__ import annotations

import argparse

from tui_sync.commands import Context


def register(subparsers: argparse._SubParsersAction) -> None:
    fake = subparsers.add_parser(
        "fake-graph",
        add_help=False,
        help="run the fake Microsoft 365 on loopback (see: tui-sync fake-graph --help)",
    )
    fake.set_defaults(handler=run_fake_graph, needs_store=False, passthrough=True)


def run_fake_graph(ctx: Context, args: argparse.Namespace) -> int:
    from fake_microsoft365 import server  # aiohttp's server and trustme: only when the fake runs

    return server.main(list(args.passthrough_args))
