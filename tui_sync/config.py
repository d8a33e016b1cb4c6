"""Machine-level settings: a TOML file overridden by `TUI_SYNC_*` environment variables.

Frozen dataclasses hold the values, each key with its default and its check (`key`). The variables
follow pydantic-settings' convention (the `TUI_SYNC_` prefix, any case, `__` between nested keys, a whole
table as JSON), but neither pydantic nor pydantic-settings is used: building their models cost every
command, `tui-sync user list` included, a tenth of a second before it did anything. `load_settings`
composes the sources explicitly (file, then environment on top) instead of reading globals, so the CLI,
the TUI and the tests can each hand in their own file and environment. Any problem becomes one
`ConfigError` line naming the file (or variable), the key and the problem.
"""

from __future__ import annotations

import json
import os
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import Field, dataclass, field, fields, is_dataclass, replace
from pathlib import Path
from typing import Any, get_type_hints
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import platformdirs
import tzlocal

from tui_sync import messages
from tui_sync.errors import ConfigError

APP_NAME = "tui-sync"
ENV_PREFIX = "TUI_SYNC_"
ENV_NESTING = "__"
CONFIG_ENV = "TUI_SYNC_CONFIG"
CONFIG_NAME = "config.toml"
CONFLICT_POLICIES = ("newest", "crm", "office")
TABLES = ("microsoft", "sync", "keys")  # the settings that are tables (a variable gives them as JSON)
LOG_LEVELS = ("info", "debug")
Check = Callable[[Any], Any]
# Keys holding paths: a relative path in a config file is relative to that file's folder.
PATH_KEYS = (("database",), ("log_file",), ("microsoft", "ca_file"), ("microsoft", "token_cache"))


def data_dir() -> Path:
    """Where tui-sync keeps its database and token cache by default (platformdirs' user data dir)."""
    return platformdirs.user_data_path(APP_NAME)


def machine_timezone() -> str:
    """The machine's IANA zone name (tzlocal); UTC when the machine does not say or says nonsense."""
    try:
        name = tzlocal.get_localzone_name()
        if name:
            ZoneInfo(name)
            return name
    except (ZoneInfoNotFoundError, ValueError, OSError, LookupError):
        pass
    return "UTC"


def _expand(value: str | Path) -> Path:
    return Path(os.path.expanduser(str(value).strip()))


def _not_a_folder(path: Path) -> Path:
    """A setting naming a file we write (the token cache, the log) that names a folder is refused
    when the config is read, instead of failing deep inside the first write."""
    if path.is_dir():
        raise ValueError(messages.config_is_a_folder(path))
    return path


class InvalidSettings(Exception):
    """Every problem found in the values given, as (key path, problem), e.g. (("microsoft",
    "batch_size"), "must be between 1 and 20 (got 50)")."""

    def __init__(self, problems: list[tuple[tuple[str, ...], str]]) -> None:
        super().__init__("; ".join(f"{'.'.join(loc)}: {problem}" for loc, problem in problems))
        self.problems = problems


def key(check: Check | None = None) -> dict[str, Any]:
    """The metadata marking a dataclass field as a key of the config, with the check that turns what
    was given (already of the field's type) into the value kept, raising ValueError with the problem."""
    return {"setting": True, "check": check}


def _settings_fields(cls: type) -> list[Field[Any]]:
    return [f for f in fields(cls) if f.metadata.get("setting")]


def _as_type(kind: Any, value: Any) -> Any:
    """`value` as the field's type (the coercions a TOML file and text variables need), or ValueError
    saying what the key must be."""
    if isinstance(kind, type) and is_dataclass(kind):
        if isinstance(value, kind):
            return value
        if isinstance(value, Mapping):
            return _from_table(kind, value)
        raise ValueError(messages.config_wrong_type(messages.CONFIG_TABLE, value))
    if kind is str:
        if isinstance(value, str):
            return value
        raise ValueError(messages.config_wrong_type(messages.CONFIG_TEXT, value))
    if kind is Path:
        if isinstance(value, str | Path):
            return value
        raise ValueError(messages.config_wrong_type(messages.CONFIG_FILE_PATH, value))
    if kind is int:
        if isinstance(value, float) and value.is_integer():
            return int(value)
        if isinstance(value, str) and value.strip().lstrip("+-").isdigit():  # from a variable
            return int(value)
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        raise ValueError(messages.config_wrong_type(messages.CONFIG_WHOLE_NUMBER, value))
    if isinstance(value, Mapping) and all(isinstance(v, str) for v in value.values()):  # dict[str, str]
        return dict(value)
    raise ValueError(messages.config_wrong_type(messages.CONFIG_TABLE, value))


_TYPES: dict[str, Any] = {}  # the field types of each settings class, resolved once


def _check_fields(instance: Any) -> None:
    """Validate and normalise every key of a settings dataclass (its `__post_init__`); InvalidSettings
    lists every problem, nested tables' with their full key path."""
    cls = type(instance)
    types = _TYPES.get(cls.__name__) or _TYPES.setdefault(cls.__name__, get_type_hints(cls))
    problems: list[tuple[tuple[str, ...], str]] = []
    for f in _settings_fields(cls):
        try:
            value = _as_type(types[f.name], getattr(instance, f.name))
            check = f.metadata["check"]
            object.__setattr__(instance, f.name, check(value) if check else value)
        except InvalidSettings as nested:
            problems += [((f.name, *loc), problem) for loc, problem in nested.problems]
        except ValueError as error:
            problems.append(((f.name,), str(error)))
    if problems:
        raise InvalidSettings(problems)


def _from_table(cls: type, table: Mapping[str, Any]) -> Any:
    """The settings dataclass `cls` from a TOML table (or the environment's): unknown keys refused."""
    names = {f.name for f in _settings_fields(cls)}
    unknown = [((str(key),), messages.CONFIG_UNKNOWN_KEY) for key in table if key not in names]
    try:
        built = cls(**{k: v for k, v in table.items() if k in names})
    except InvalidSettings as invalid:
        raise InvalidSettings(unknown + invalid.problems) from None
    if unknown:
        raise InvalidSettings(unknown)
    return built


def _url(value: str) -> str:
    value = value.strip()
    if not value.startswith(("https://", "http://")):
        raise ValueError(messages.config_wrong_type(messages.CONFIG_URL, value))
    return value.rstrip("/")


def _optional_path(value: str) -> str:
    return str(_expand(value)) if value.strip() else ""


def _one_of(choices: tuple[str, ...]) -> Check:
    def check(value: str) -> str:
        if value.strip().lower() not in choices:
            raise ValueError(messages.config_not_one_of(choices, value))
        return value.strip().lower()

    return check


def _between(low: int, high: int) -> Check:
    def check(value: int) -> int:
        if not low <= value <= high:
            raise ValueError(messages.config_out_of_range(low, high, value))
        return value

    return check


def _database(value: str | Path) -> Path:
    if not str(value).strip():
        raise ValueError(messages.config_wrong_type(messages.CONFIG_FILE_PATH, str(value)))
    return _expand(value)


def _zone(value: str) -> str:
    try:
        ZoneInfo(value.strip())
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(messages.config_bad_timezone(value)) from None
    return value.strip()


def _file_to_write(value: str | Path) -> Path:
    return _not_a_folder(_expand(value))


def _optional_file_to_write(value: str) -> str:
    return str(_file_to_write(value)) if value.strip() else ""


def _user_code(value: str) -> str:
    return value.strip().upper()


@dataclass(frozen=True)
class MicrosoftConfig:
    """`[microsoft]`: where Graph and the sign-in authority are, and how hard to use them."""

    graph_url: str = field(default="https://graph.microsoft.com/v1.0", metadata=key(_url))
    authority_host: str = field(default="https://login.microsoftonline.com", metadata=key(_url))
    ca_file: str = field(default="", metadata=key(_optional_path))
    token_cache: Path = field(
        default_factory=lambda: data_dir() / "token-cache.json", metadata=key(_file_to_write)
    )
    max_in_flight: int = field(default=4, metadata=key(_between(1, 4)))
    batch_size: int = field(default=20, metadata=key(_between(1, 20)))

    def __post_init__(self) -> None:
        _check_fields(self)

    @property
    def ca_path(self) -> Path | None:
        """The extra CA bundle to trust, or None for the system's."""
        return Path(self.ca_file) if self.ca_file else None


@dataclass(frozen=True)
class SyncConfig:
    """`[sync]`: the conflict policy: who wins when both sides changed one item."""

    conflict: str = field(default="newest", metadata=key(_one_of(CONFLICT_POLICIES)))

    def __post_init__(self) -> None:
        _check_fields(self)


@dataclass(frozen=True)
class Settings:
    """Everything machine-level, validated. Build it with `load_settings`; `Settings()` gives defaults.
    `given` names the keys the file or the environment set (the others are defaults)."""

    database: Path = field(default_factory=lambda: data_dir() / "crm.sqlite3", metadata=key(_database))
    timezone: str = field(default_factory=machine_timezone, metadata=key(_zone))
    log_file: str = field(default="", metadata=key(_optional_file_to_write))
    # "debug" adds the sign-in and HTTP libraries' records to the log
    log_level: str = field(default="info", metadata=key(_one_of(LOG_LEVELS)))
    # the CRM user the terminal application opens as (else --user / the login name)
    user: str = field(default="", metadata=key(_user_code))
    microsoft: MicrosoftConfig = field(default_factory=MicrosoftConfig, metadata=key())
    sync: SyncConfig = field(default_factory=SyncConfig, metadata=key())
    # [keys]: binding id = key(s), e.g. "sync.start" = "f5" (the terminal application's remapping)
    keys: dict[str, str] = field(default_factory=dict, metadata=key())
    config_file: Path | None = field(default=None, repr=False, compare=False)
    given: frozenset[str] = field(default=frozenset(), repr=False, compare=False)

    def __post_init__(self) -> None:
        _check_fields(self)

    @property
    def database_is_default(self) -> bool:
        """Whether the database is the default one in the user data dir, whose folder is created on
        first use; a path the user gave must have its folder already (a typo must not start a new CRM)."""
        return "database" not in self.given

    @property
    def tz(self) -> ZoneInfo:
        """The CRM's time zone: every datetime the user sees is in it."""
        return ZoneInfo(self.timezone)

    @property
    def log_path(self) -> Path:
        """The log file: `log_file`, or tui-sync.log in the user log dir when it is empty."""
        return Path(self.log_file) if self.log_file else platformdirs.user_log_path(APP_NAME) / "tui-sync.log"


def _from_environment(env: Mapping[str, str]) -> dict[str, Any]:
    """The settings the `TUI_SYNC_*` variables give, nested like the file: `TUI_SYNC_MICROSOFT__CA_FILE`
    is `[microsoft] ca_file`, a whole table is JSON (`TUI_SYNC_MICROSOFT='{"batch_size": 5}'`). Names
    are read in any case; a variable naming no setting is ignored (the environment is shared)."""
    data: dict[str, Any] = {}
    for variable, value in sorted(env.items()):
        name = variable.upper()
        if not name.startswith(ENV_PREFIX) or name == CONFIG_ENV:
            continue
        keys = name.removeprefix(ENV_PREFIX).lower().split(ENV_NESTING)
        if keys[0] not in {f.name for f in _settings_fields(Settings)}:
            continue
        given: Any = value
        if len(keys) == 1 and keys[0] in TABLES:
            try:
                given = json.loads(value)
            except ValueError:
                raise ConfigError(
                    messages.config_problem(messages.config_in_env(name), "", messages.CONFIG_NOT_JSON)
                ) from None
        for key in reversed(keys[1:]):
            given = {key: given}
        data = _merge(data, {keys[0]: given})
    return data


def find_config_file(config_path: Path | None, env: Mapping[str, str]) -> Path | None:
    """The file to read: --config, else $TUI_SYNC_CONFIG (both must exist), else ./config.toml, else the
    user config dir's config.toml (both optional)."""
    for given, given_by in ((config_path, "--config"), (env.get(CONFIG_ENV) or None, CONFIG_ENV)):
        if given is not None:
            path = _expand(given)
            if not path.is_file():
                raise ConfigError(messages.config_file_missing(path, given_by))
            return path
    for candidate in (Path.cwd() / CONFIG_NAME, platformdirs.user_config_path(APP_NAME) / CONFIG_NAME):
        if candidate.is_file():
            return candidate
    return None


def _read_file(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as handle:
            data = tomllib.load(handle)
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(messages.config_syntax(path, str(error))) from None
    except (OSError, UnicodeDecodeError) as error:
        raise ConfigError(messages.config_unreadable(path, str(error).splitlines()[0])) from None
    for keys in PATH_KEYS:
        table = data
        for key in keys[:-1]:
            table = table.get(key) if isinstance(table.get(key), dict) else {}
        value = table.get(keys[-1])
        if isinstance(value, str) and value.strip() and not _expand(value).is_absolute():
            table[keys[-1]] = str(path.parent / _expand(value))
    return data


def _merge(base: dict[str, Any], top: Mapping[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in top.items():
        if isinstance(value, Mapping) and isinstance(merged.get(key), dict):
            merged[key] = _merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def _describe(invalid: InvalidSettings, path: Path | None, env: Mapping[str, str]) -> str:
    """One line for all the problems, grouped by where each came from (the file or a variable)."""
    upper_env = {k.upper() for k in env}
    problems: dict[str, list[str]] = {}
    for loc, problem in invalid.problems:
        variable = ENV_PREFIX + ENV_NESTING.join(loc).upper()
        if variable in upper_env:
            where = messages.config_in_env(variable)
        elif path is not None:
            where = messages.config_in_file(path)
        else:
            where = messages.config_in_env(ENV_PREFIX + "*")
        problems.setdefault(where, []).append(messages.config_problem("", ".".join(loc), problem))
    return "; ".join(f"{where}: {', '.join(items)}" for where, items in problems.items())


def load_settings(config_path: Path | None = None, env: Mapping[str, str] = os.environ) -> Settings:
    """The settings for this run: the config file found by `find_config_file`, then `TUI_SYNC_*`
    variables from `env` on top. Raises ConfigError (one line, exit 2) on anything wrong."""
    path = find_config_file(config_path, env)
    file_data = _read_file(path) if path is not None else {}
    given = _merge(file_data, _from_environment(env))
    try:
        settings = _from_table(Settings, given)
    except InvalidSettings as invalid:
        raise ConfigError(_describe(invalid, path, env)) from None
    return replace(settings, config_file=path, given=frozenset(given))
