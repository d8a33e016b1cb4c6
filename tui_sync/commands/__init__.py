"""The subcommands of `tui-sync`, one module per group, and what their handlers get.

A command module exposes `register(subparsers)`: it adds its parsers and gives each leaf
`set_defaults(handler=<async def handler(ctx: Context, args) -> int>)`. Add `needs_store=False` for a
command that must not open (or create) the database; a plain (non-async) handler runs outside any event
loop, for commands that start their own; `passthrough=True` hands the arguments the parser does not
declare to the handler, in order, as `args.passthrough_args`. Then add the module to
`tui_sync.cli.COMMAND_MODULES`.
A handler parses and prints: what a command does lives in `ctx.services` (the same services the
terminal application calls), so the CLI and the TUI cannot drift apart.
Errors: raise `tui_sync.errors.UserError`/`BadInput` (or let a domain `InvalidValue` through): the CLI
prints its one line and exits with its code.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO
from zoneinfo import ZoneInfo

from tui_sync import texts
from tui_sync.config import Settings
from tui_sync.errors import UserError
from tui_sync.microsoft.errors import AccountNotAccessible
from tui_sync.store import Store
from tui_sync.store.db import Clock, utc_now

if TYPE_CHECKING:  # imported when first used: the services pull in aiohttp and MSAL, which
    from tui_sync.services import Services  # `--help` and the store-only commands never need


@dataclass
class Context:
    """What a handler gets: the settings, the open store, where to write, and the clock."""

    settings: Settings
    out: TextIO
    now: Clock = utc_now
    store_: Store | None = None
    services_: Services | None = None
    # How the command line says to fix an unusable Microsoft account (the connect commands name the user).
    fix: str = texts.microsoft.CONNECT_FIX_CLI

    @property
    def store(self) -> Store:
        if self.store_ is None:
            raise RuntimeError("this command was registered with needs_store=False")
        return self.store_

    @property
    def services(self) -> Services:
        """The services on the open store, built on first use."""
        if self.services_ is None or self.services_.store is not self.store:
            from tui_sync.services import Services

            self.services_ = Services.build(self.store, self.settings, clock=self.now)
        return self.services_

    def explain(self, error: UserError) -> str:
        """The error's line as the command line prints it: an unusable Microsoft account is followed by
        the CLI's way to fix it (`tui-sync admin client-id`, `tui-sync connect`)."""
        return (
            texts.microsoft.with_fix(error.message, self.fix)
            if isinstance(error, AccountNotAccessible)
            else error.message
        )

    @property
    def tz(self) -> ZoneInfo:
        return self.settings.tz

    def today(self) -> date:
        """Today in the CRM's time zone."""
        return self.now().astimezone(self.tz).date()

    def local_now(self) -> datetime:
        return self.now().astimezone(self.tz)

    def print(self, text: str = "") -> None:
        self.out.write(text + "\n")

    def print_json(self, value: Any) -> None:
        """One JSON object on one line: the whole of stdout for a --json command."""
        self.out.write(json.dumps(value, ensure_ascii=False, default=_json_default) + "\n")


Handler = Callable[[Context, argparse.Namespace], Awaitable[int] | int]


def _json_default(value: object) -> object:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Path):
        return str(value)
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


def number_in(kind: Callable[[str], float], low: float, high: float) -> Callable[[str], float]:
    """An argparse `type` for a number (`int` or `float`) between `low` and `high`: a bad one is the
    usual one-line usage error naming the option."""

    def parse(text: str) -> float:
        try:
            value = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(texts.config.not_a_number(text, whole=kind is int)) from None
        if not low <= value <= high:
            raise argparse.ArgumentTypeError(texts.config.config_out_of_range(low, high, value))
        return value

    return parse


def add_json_flag(parser: argparse.ArgumentParser) -> None:
    """The `--json` option every listing command has: one JSON object on stdout and nothing else."""
    parser.add_argument("--json", action="store_true", help="print one JSON object instead of text")


def switch(parser: argparse.ArgumentParser, name: str, help_text: str) -> None:
    """A `--name / --no-name` option that is None when not given (so "unchanged" can be told apart)."""
    parser.add_argument(f"--{name}", action=argparse.BooleanOptionalAction, default=None, help=help_text)
