"""Every key of config.toml given wrong, through a real command: one line naming the file and the key,
exit 2, no database created. The keys are read from the settings model, so a new key is covered the day
it is added: each one given a value of the wrong type, each table given a key it does not have, and the
keys whose values are checked given a value of the right type that is still wrong."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from pydantic import BaseModel

from tui_sync.config import Settings

# A value of the right type that the setting still refuses (the keys that check their values).
WRONG_VALUES: dict[str, Any] = {
    "timezone": "Mars/Olympus",
    "database": "",
    "microsoft.graph_url": "graph.microsoft.com/v1.0",
    "microsoft.authority_host": "ftp://login.example",
    "microsoft.max_in_flight": 9,
    "microsoft.batch_size": 0,
    "sync.conflict": "latest",
}


def keys(model: type[BaseModel], prefix: str = "") -> Iterator[tuple[str, bool]]:
    """(dotted key, is a table) of every setting."""
    for name, field in model.model_fields.items():
        annotation = field.annotation
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            yield prefix + name, True
            yield from keys(annotation, f"{prefix}{name}.")
        else:
            yield prefix + name, annotation is dict or getattr(annotation, "__origin__", None) is dict


def toml(settings: dict[str, Any]) -> str:
    """A config file for {dotted key: value} (values written as JSON, which TOML reads for these)."""
    top = [f"{k} = {json.dumps(v)}" for k, v in settings.items() if "." not in k]
    tables: dict[str, list[str]] = {}
    for key, value in settings.items():
        if "." in key:
            table, name = key.split(".", 1)
            tables.setdefault(table, []).append(f"{name} = {json.dumps(value)}")
    return "\n".join(top + [f"[{t}]\n" + "\n".join(lines) for t, lines in tables.items()]) + "\n"


def refused(run_cli, settings: dict[str, Any]) -> str:
    base = {"log_file": str(run_cli.config.parent / "log.txt"), "database": str(run_cli.database)}
    run_cli.config.write_text(toml({**base, **settings}), encoding="utf-8")
    result = run_cli("user", "list")
    assert (result.exit_code, result.stdout) == (2, ""), result
    assert result.stderr.count("\n") == 1, result.stderr
    assert result.stderr.startswith(f"tui-sync: config file {run_cli.config}: "), result.stderr
    assert not run_cli.database.exists()
    return result.stderr


KEYS = list(keys(Settings))


@pytest.mark.parametrize("key", [k for k, _ in KEYS])
def test_a_value_of_the_wrong_type(run_cli, key: str) -> None:
    assert f": {key}: must be " in refused(run_cli, {key: [1, 2]})


@pytest.mark.parametrize("table", ["", *[k + "." for k, is_table in KEYS if is_table and k != "keys"]])
def test_a_key_that_does_not_exist(run_cli, table: str) -> None:
    assert f": {table}colour: unknown key" in refused(run_cli, {f"{table}colour": "blue"})


@pytest.mark.parametrize(("key", "value"), list(WRONG_VALUES.items()))
def test_a_value_the_key_refuses(run_cli, key: str, value: Any) -> None:
    assert f": {key}: " in refused(run_cli, {key: value})


def test_the_keys_are_all_there() -> None:
    names = {k for k, _ in KEYS}
    assert {"database", "timezone", "microsoft.ca_file", "sync.conflict", "keys"} <= names
    assert set(WRONG_VALUES) <= names


def test_a_table_given_as_a_value(run_cli) -> None:
    run_cli.config.write_text(f'database = {json.dumps(str(run_cli.database))}\nmicrosoft = "fast"\n')
    result = run_cli("user", "list")
    assert result.exit_code == 2 and ": microsoft: must be a table" in result.stderr
    assert not Path(run_cli.database).exists()


@pytest.mark.parametrize("key", ["log_file", "microsoft.token_cache"])
def test_a_file_setting_naming_a_folder(run_cli, key: str) -> None:
    folder = run_cli.config.parent / "a-folder"
    folder.mkdir()
    assert f": {key}: {folder} is a folder" in refused(run_cli, {key: str(folder)})
