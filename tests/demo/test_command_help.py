"""Every command's `--help` says what it does, with one example."""

from __future__ import annotations

import argparse
from collections.abc import Iterator

from fake_microsoft365 import server
from tui_sync.cli import build_parser


def parsers(parser: argparse.ArgumentParser) -> Iterator[argparse.ArgumentParser]:
    yield parser
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for sub in action.choices.values():
                yield from parsers(sub)


def test_every_command_says_what_it_does_with_an_example() -> None:
    found = [p for p in parsers(build_parser()) if p.prog != "tui-sync fake-graph"] + [server.parser()]
    assert len(found) > 15
    for parser in found:
        text = parser.format_help()
        assert parser.description, parser.prog
        assert "\nexample:\n  tui-sync" in text, parser.prog
        assert all(len(line) <= 80 for line in parser.description.splitlines()), parser.prog
