"""Every argument of every command, given wrong: one line on stderr naming it, exit 2, nothing written.

The cases are read from the argparse definitions themselves (`cli.build_parser()`), so a new command or
option is covered the day it is added: for each leaf command, each required argument left out, each
typed or choice-bound option given a value of the wrong kind, each option that takes a value given
none, and an option the command does not have."""

from __future__ import annotations

import argparse
from collections.abc import Iterator

import pytest

from tui_sync import cli

Leaf = tuple[tuple[str, ...], argparse.ArgumentParser]


def leaves(parser: argparse.ArgumentParser, words: tuple[str, ...] = ()) -> Iterator[Leaf]:
    """(command words, parser) of every command that runs something."""
    groups = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    if not groups:
        yield words, parser
        return
    for name, child in groups[0].choices.items():
        yield from leaves(child, (*words, name))


WRONG = "wrong-kind-of-value"


def _arguments(parser: argparse.ArgumentParser) -> list[argparse.Action]:
    """The command's own arguments (not --help, --version, --config or the sub-command)."""
    return [
        a
        for a in parser._actions
        if a.dest not in ("help", "version", "config") and not isinstance(a, argparse._SubParsersAction)
    ]


def _checked(action: argparse.Action) -> bool:
    """Whether argparse itself refuses some values: choices, or a type that raises on WRONG (not a
    plain text or path, which any word is)."""
    if action.choices:
        return True
    if action.type is None:
        return False
    try:
        action.type(WRONG)
    except (ValueError, TypeError, argparse.ArgumentTypeError):
        return True
    return False


def _placeholder(action: argparse.Action) -> list[str]:
    """A value argparse accepts for `action` (the command is never run with it)."""
    value = str(next(iter(action.choices))) if action.choices else "1" if _checked(action) else "X"
    return [value] * (action.nargs if isinstance(action.nargs, int) else 1)


def _argv(
    parser: argparse.ArgumentParser,
    without: argparse.Action | None = None,
    wrong: argparse.Action | None = None,
) -> list[str]:
    """Every required argument with an accepted value, but `without` left out and `wrong` given WRONG."""
    argv: list[str] = []
    for action in _arguments(parser):
        if action is without:
            continue
        values = _placeholder(action)
        if action is wrong:
            values[-1] = WRONG
        if not action.option_strings:
            if action.nargs not in ("?", "*") or action is wrong:
                argv += values
        elif action.required or action is wrong:
            argv += [action.option_strings[0], *values]
    return argv


def _name(action: argparse.Action) -> str:
    return action.option_strings[0] if action.option_strings else (action.metavar or action.dest)


def cases() -> Iterator[tuple[str, list[str], str]]:
    """(id, argv, a word the error line must contain)."""
    for words, parser in leaves(cli.build_parser()):
        command = " ".join(words)
        if parser.get_default("passthrough"):
            continue  # fake-graph: its own parser reads what ours does not declare (tested below)
        for action in _arguments(parser):
            name = _name(action)
            if action.required or (not action.option_strings and action.nargs not in ("?", "*")):
                yield f"{command}: {name} missing", [*words, *_argv(parser, without=action)], "required"
            if action.option_strings and action.nargs != 0:
                yield f"{command}: {name} without value", [*words, *_argv(parser), name], "expected"
            if _checked(action):
                yield f"{command}: {name} wrong", [*words, *_argv(parser, wrong=action)], WRONG
        yield f"{command}: unknown option", [*words, *_argv(parser), "--no-such-option"], "--no-such-option"


CASES = list(cases())


@pytest.mark.parametrize(("argv", "named"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_a_wrong_argument_is_one_line_exit_2_and_writes_nothing(run_cli, argv: list[str], named: str) -> None:
    result = run_cli(*argv)
    assert result.exit_code == 2, (argv, result)
    assert result.stdout == ""
    assert result.stderr.startswith("tui-sync: ") and result.stderr.count("\n") == 1, result.stderr
    assert named in result.stderr and "--help" in result.stderr, result.stderr
    assert not run_cli.database.exists()


def test_the_cases_cover_every_command() -> None:
    commands = {" ".join(words) for words, _ in leaves(cli.build_parser())}
    covered = {case_id.split(":")[0] for case_id, _, _ in CASES}
    assert commands - covered == {"fake-graph"}
    assert len(CASES) > 100


@pytest.mark.parametrize("argv", [["--port", "many"], ["--no-such-option"], ["--port"]])
def test_fake_graph_refuses_its_own_arguments_in_one_line(run_cli, argv: list[str]) -> None:
    result = run_cli("fake-graph", *argv)
    assert result.exit_code == 2 and result.stdout == ""
    assert result.stderr.startswith("tui-sync") and result.stderr.count("\n") == 1, result.stderr
