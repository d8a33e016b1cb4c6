"""What each command's `--help` says it does, with one example (the table is `texts.help.HELP`):
`describe(parser)` fills in the description and the example of every (sub)command that does not give
its own.
"""

from __future__ import annotations

import argparse
import textwrap

from tui_sync import texts

WIDTH = 78  # the raw formatter keeps our lines: fill them for an 80-column terminal


def describe(parser: argparse.ArgumentParser) -> None:
    """Give `parser` and its subcommands the description and example of the table they lack."""
    known = texts.help.HELP.get(parser.prog)
    if known and parser.epilog is None:
        what, example = known
        parser.description = textwrap.fill(parser.description or what, WIDTH)
        parser.epilog = f"{texts.help.EXAMPLE}\n  {example}"
        parser.formatter_class = argparse.RawDescriptionHelpFormatter
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for sub in action.choices.values():
                describe(sub)
