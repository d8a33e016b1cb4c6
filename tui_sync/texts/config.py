"""What is wrong with a setting, read by whoever starts tui-sync (the TUI or any command) with a config
file, a TUI_SYNC_* variable, a [keys] binding, a ca_file or a log file it cannot use.
"""

from __future__ import annotations

CONFIG_UNKNOWN_KEY = "unknown key"
CONFIG_NOT_JSON = "a table given as a variable must be JSON (or use one variable per key, joined by __)"
# What a setting must be (the `expected` of config_wrong_type).
CONFIG_WHOLE_NUMBER = "a whole number"
CONFIG_TEXT = "text"
CONFIG_FILE_PATH = "a file path"
CONFIG_TABLE = "a table"
CONFIG_TRUE_OR_FALSE = "true or false"
CONFIG_URL = "an http(s):// URL"


def config_problem(where: str, key: str, problem: str) -> str:
    """One bad setting: `where` is the file or the variable ("" when said before), `key` the dotted key."""
    return ": ".join(part for part in (where, key, problem) if part)


def config_file_missing(path: object, given_by: str) -> str:
    return f"config file {path} (given by {given_by}) does not exist"


def config_unreadable(path: object, reason: str) -> str:
    return f"config file {path} cannot be read: {reason}"


def config_syntax(path: object, detail: str) -> str:
    return f"config file {path}: TOML syntax error: {detail}"


def config_in_file(path: object) -> str:
    return f"config file {path}"


def config_in_env(variable: str) -> str:
    return f"environment variable {variable}"


def config_bad_timezone(name: object) -> str:
    return f"{name!r} is not an IANA time zone name (e.g. Europe/Paris)"


def config_out_of_range(low: float, high: float, got: object) -> str:
    return f"must be between {low} and {high} (got {got!r})"


def config_not_one_of(choices: tuple[str, ...], got: object) -> str:
    return f"must be one of {' | '.join(choices)} (got {got!r})"


def not_a_number(text: str, whole: bool = False) -> str:
    return f"not a {'whole ' if whole else ''}number: {text!r}"


def config_wrong_type(expected: str, got: object) -> str:
    return f"must be {expected} (got {got!r})"


def keymap_unknown_id(binding_id: str, known: list[str]) -> str:
    return f"[keys]: {binding_id!r} is not a key binding id (known: {', '.join(known)})"


def keymap_bad_key(binding_id: str, key: str) -> str:
    return f"[keys]: {binding_id} = {key!r} is not a key name (e.g. f5, ctrl+s, Y, question_mark)"


CA_FILE_MISSING = "it does not exist"
CA_FILE_NOT_PEM = "it holds no PEM certificate"


def ca_file_unusable(path: object, problem: str) -> str:
    return f"the ca_file of the config, {path}, cannot be used: {problem} (correct or remove ca_file)"


def config_is_a_folder(path: object) -> str:
    return f"{path} is a folder: name a file in it"


def log_not_written(path: object, reason: str) -> str:
    """The log file cannot be opened: said once when a run begins; the run goes on without a log."""
    return f"warning: cannot write the log file {path} ({reason}): this run keeps no log"
