"""The `tui-sync` command line: argparse subcommands, each error one line and an exit code.

Every command lives in a module of `tui_sync.commands` listed in COMMAND_MODULES; its `register(subparsers)`
adds parsers with `set_defaults(handler=...)`. A handler is `async def handler(ctx, args) -> int` (the
store is open in `ctx.store`), or a plain function for commands that run their own event loop. A parser
that also sets `needs_store=False` gets no store, so such a command never creates a database; one that
sets `passthrough=True` receives the arguments it does not declare, in order, as `args.passthrough_args`
(for `fake-graph`, whose own parser reads them).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import inspect
import io
import logging
import os
import sqlite3
import sys
from collections.abc import Sequence
from pathlib import Path
from types import ModuleType
from typing import Any, NoReturn, TextIO

from tui_sync import texts
from tui_sync.commands import (
    Context,
    Handler,
    admin,
    agenda,
    bench,
    connect,
    contacts,
    demo,
    fake,
    sync,
    transfer,
    users,
)
from tui_sync.commands.help import describe
from tui_sync.config import Settings, load_settings
from tui_sync.domain.models import InvalidValue
from tui_sync.errors import BadInput, UserError
from tui_sync.logs import log_to_file
from tui_sync.store import Store
from tui_sync.store.db import Clock, utc_now

__all__ = ["COMMAND_MODULES", "ArgumentParser", "Context", "UsageError", "build_parser", "main"]

PROG = "tui-sync"
logger = logging.getLogger(__name__)
# The modules whose `register(subparsers)` builds the command line; add yours here (one import).
COMMAND_MODULES: list[ModuleType] = [
    admin,
    users,
    agenda,
    contacts,
    transfer,
    fake,
    sync,
    connect,
    demo,
    bench,
]


class UsageError(BadInput):
    """Arguments argparse refused."""


class _VersionAction(argparse.Action):
    """`--version`: the installed package's version, read from its metadata only when asked (the
    metadata machinery is not free, and every other command starts without it)."""

    def __init__(self, option_strings: Sequence[str], dest: str, **kwargs: Any) -> None:
        super().__init__(option_strings, dest, nargs=0, default=argparse.SUPPRESS, **kwargs)

    def __call__(self, parser: argparse.ArgumentParser, *args: Any, **kwargs: Any) -> NoReturn:
        from importlib.metadata import PackageNotFoundError, version

        try:
            number = version(PROG)
        except PackageNotFoundError:  # run from a source tree that was never installed
            number = texts.cli.VERSION_UNKNOWN
        sys.stdout.write(f"{PROG} {number}\n")
        parser.exit()


def _usage_error(prog: str, problem: str) -> UsageError:
    return UsageError(texts.cli.usage_error(prog.removeprefix(PROG).strip(), problem, f"{prog} --help"))


class ArgumentParser(argparse.ArgumentParser):
    """argparse with one-line errors (raised, not printed) and `--config` on every (sub)command, so it
    may be given before or after the command words."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.add_argument(
            "--config",
            metavar="FILE",
            type=Path,
            default=argparse.SUPPRESS,
            help="the config file (default: $TUI_SYNC_CONFIG, ./config.toml, the user config dir)",
        )
        self.set_defaults(command_prog=self.prog)  # the deepest command parsed wins: for error lines

    def error(self, message: str) -> NoReturn:
        raise _usage_error(self.prog, message)


def build_parser() -> ArgumentParser:
    parser = ArgumentParser(prog=PROG)
    parser.set_defaults(config=None)
    parser.add_argument("--version", action=_VersionAction, help="print the version and exit")
    parser.add_argument(
        "--user",
        dest="app_user",
        metavar="CODE",
        help="open the terminal application as this CRM user (default: TUI_SYNC_USER, the config, "
        "the login name)",
    )
    subparsers = parser.add_subparsers(title="commands", metavar="COMMAND")
    for module in COMMAND_MODULES:
        module.register(subparsers)
    describe(parser)  # each --help: what the command does, and one example
    return parser


def _terminal_application(settings: Settings, user: str | None, err: TextIO) -> int:
    """`tui-sync [--user CODE]`: the Textual application, imported only here (the headless commands
    never load Textual)."""
    from tui_sync.ui import run_tui

    with log_to_file(settings, warn=lambda line: _say(err, line)):
        return run_tui(settings, user)


async def _run_async(handler: Handler, ctx: Context, args: argparse.Namespace, needs_store: bool) -> int:
    if not needs_store:
        return await handler(ctx, args)  # type: ignore[misc]
    ctx.store_ = await Store.open(
        ctx.settings.database, ctx.tz, now=ctx.now, create_folder=ctx.settings.database_is_default
    )
    try:
        return await handler(ctx, args)  # type: ignore[misc]
    finally:
        await ctx.store_.close()
        ctx.store_ = None


def _say(err: TextIO, line: str) -> None:
    """One error line on stderr. On a terminal it first clears the line the cursor is on: a progress
    line, or the `^C` the terminal echoed, would otherwise run into it."""
    clear = "\r\033[K" if err.isatty() else ""
    err.write(f"{clear}{PROG}: {line}\n")


def _unexpected(error: Exception, err: TextIO, settings: Settings | None) -> int:
    """Anything no handler turned into a UserError: one line, and the traceback in the log file
    (never in front of the user). A database failing mid-command (disk full, read-only, corrupt) is
    named as such."""
    written = False
    if settings is not None:
        with log_to_file(settings) as written:  # a log that cannot be written was said when the run began
            logger.error("unexpected error", exc_info=error)
    if isinstance(error, sqlite3.Error) and settings is not None:
        _say(err, texts.errors.database_unusable(settings.database, str(error)))
    else:
        log = settings.log_path if settings is not None and written else None
        _say(err, texts.errors.unexpected_error(type(error).__name__, str(error), log))
    return 1


def _stdout_gone() -> int:
    """stdout's reader has gone: point stdout at /dev/null so that Python's own flush at exit does not
    complain again (the recipe of the `signal` module's documentation), and exit 1 without a word."""
    with contextlib.suppress(OSError, ValueError, io.UnsupportedOperation):
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    return 1


def main(argv: Sequence[str] | None = None, *, now: Clock | None = None) -> int:
    """Run one command; returns the exit code (0 ok, 1 failed, 2 bad input). `now` fixes the clock."""
    try:
        code = _run(argv, now)
        sys.stdout.flush()  # here, not at exit: a reader that went away is then ours to handle
    except BrokenPipeError:  # whoever read stdout stopped (`tui-sync user list | head -1`): not a failure
        return _stdout_gone()
    return code


def _run(argv: Sequence[str] | None, now: Clock | None) -> int:
    out, err = sys.stdout, sys.stderr
    parser = build_parser()
    try:
        args, extra = parser.parse_known_args(sys.argv[1:] if argv is None else list(argv))
        if extra and not getattr(args, "passthrough", False):
            raise _usage_error(args.command_prog, texts.cli.unrecognized_arguments(extra))
        args.passthrough_args = extra
    except UserError as error:
        _say(err, error.message)
        return error.exit_code
    except SystemExit as done:  # --help, --version
        return done.code if isinstance(done.code, int) else 0
    handler: Handler | None = getattr(args, "handler", None)
    settings: Settings | None = None
    ctx: Context | None = None
    try:
        settings = load_settings(args.config, os.environ)
        if handler is None:
            return _terminal_application(settings, args.app_user, err)
        ctx = Context(settings=settings, out=out, now=now or utc_now)
        if getattr(args, "own_logging", False):  # the demo logs into its own folder, nowhere else
            return handler(ctx, args)  # type: ignore[return-value]
        with log_to_file(settings, warn=lambda line: _say(err, line)):
            if inspect.iscoroutinefunction(handler):
                return asyncio.run(_run_async(handler, ctx, args, getattr(args, "needs_store", True)))
            return handler(ctx, args)  # type: ignore[return-value]
    except UserError as error:
        _say(err, error.message if ctx is None else ctx.explain(error))
        return error.exit_code
    except InvalidValue as error:
        _say(err, texts.domain.refusal(error))
        return BadInput.exit_code
    except KeyboardInterrupt:
        _say(err, texts.sync.INTERRUPTED)
        return 130
    except SystemExit as done:  # a command that parses its own arguments (fake-graph --help)
        return done.code if isinstance(done.code, int) else 0
    except BrokenPipeError:
        raise
    except Exception as error:
        return _unexpected(error, err, settings)
