"""`--from-json FILE` (`-`: stdin): the fields of an add or an edit read from one JSON object.

The keys are those `--json` prints for the same kind of item, so a listed item can be piped back in
(`tui-sync contacts list --json | jq '.contacts[0]' | tui-sync contacts add --from-json -`); the keys
that only describe an item (its id, its timestamps) are accepted and ignored. Each key is turned into
the option it stands for, and an option also typed on the command line wins: the command then checks
and saves exactly as if everything had been typed, through the same service as the terminal
application. A key we do not know, or a value of the wrong type, is one line naming it.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from tui_sync import texts
from tui_sync.errors import BadInput

# A JSON key's value (and the whole object, for keys read together) → what it sets, {argparse dest:
# value}; raises TypeError naming the type expected when the value has another.
Setter = Callable[[Any, Mapping[str, Any]], dict[str, Any]]


def add_from_json(parser: argparse.ArgumentParser, what: str) -> None:
    parser.add_argument(
        "--from-json",
        metavar="FILE",
        help=f"read the {what}'s fields from one JSON object in FILE (- : stdin), with the keys --json "
        "prints; an option given as well wins",
    )


def text(dest: str) -> Setter:
    def setter(value: Any, _: Mapping[str, Any]) -> dict[str, Any]:
        if not isinstance(value, str):
            raise TypeError(texts.cli.JSON_TEXT)
        return {dest: value}

    return setter


def flag(dest: str) -> Setter:
    def setter(value: Any, _: Mapping[str, Any]) -> dict[str, Any]:
        if not isinstance(value, bool):
            raise TypeError(texts.cli.JSON_TRUE_OR_FALSE)
        return {dest: value}

    return setter


def read_object(source: str) -> dict[str, Any]:
    """The one JSON object in `source` (a file path, or `-` for stdin)."""
    try:
        raw = sys.stdin.read() if source == "-" else Path(source).read_text(encoding="utf-8")
    except OSError as error:
        raise BadInput(texts.cli.json_input_problem(source, error.strerror or str(error))) from None
    except UnicodeDecodeError:
        raise BadInput(texts.cli.json_input_problem(source, texts.cli.JSON_NOT_UTF8)) from None
    try:
        data = json.loads(raw)
    except json.JSONDecodeError as error:
        problem = texts.cli.json_syntax(error.lineno, error.colno, error.msg)
        raise BadInput(texts.cli.json_input_problem(source, problem)) from None
    except RecursionError:  # arrays or objects nested thousands deep: not one item's fields
        raise BadInput(texts.cli.json_input_problem(source, texts.cli.JSON_TOO_DEEP)) from None
    if not isinstance(data, dict):
        raise BadInput(texts.cli.json_input_problem(source, texts.cli.JSON_NOT_AN_OBJECT))
    return data


def apply_json(
    args: argparse.Namespace, setters: Mapping[str, Setter], ignored: frozenset[str] = frozenset()
) -> None:
    """With `--from-json`, set on `args` what the object's keys stand for, unless the option was typed."""
    if not getattr(args, "from_json", None):
        return
    source = args.from_json
    data = read_object(source)
    unknown = sorted(set(data) - set(setters) - ignored)
    if unknown:
        raise BadInput(
            texts.cli.json_input_problem(source, texts.cli.json_unknown_keys(unknown, list(setters)))
        )
    for key, setter in setters.items():
        if key not in data:
            continue
        try:
            values = setter(data[key], data)
        except TypeError as error:
            raise BadInput(texts.cli.json_input_problem(source, f"{key}: {error}")) from None
        for dest, value in values.items():
            typed = getattr(args, dest, None)
            if typed is None or typed is False:  # not given on the command line
                setattr(args, dest, value)
