"""Machine-level settings: a TOML file overridden by `TUI_SYNC_*` environment variables.

Modelled on posting's config: a pydantic-settings `Settings` with an env prefix and `__` nesting. The
sources are composed explicitly by `load_settings` (file, then environment on top) instead of being
read from globals, so the CLI, the TUI and the tests can each hand in their own file and environment.
Any problem becomes one `ConfigError` line naming the file (or variable), the key and the problem.
"""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import platformdirs
import tzlocal
from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, ValidationError, field_validator
from pydantic_settings import (
    BaseSettings,
    EnvSettingsSource,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    SettingsError,
)

from tui_sync import texts
from tui_sync.errors import ConfigError

APP_NAME = "tui-sync"
ENV_PREFIX = "TUI_SYNC_"
ENV_NESTING = "__"
CONFIG_ENV = "TUI_SYNC_CONFIG"
CONFIG_NAME = "config.toml"
CONFLICT_POLICIES = ("newest", "crm", "office")
LOG_LEVELS = ("info", "debug")
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


def _check_range(value: int, low: int, high: int) -> int:
    if not low <= value <= high:
        raise ValueError(texts.config.config_out_of_range(low, high, value))
    return value


def _check_url(value: str) -> str:
    value = value.strip()
    if not value.startswith(("https://", "http://")):
        raise ValueError(texts.config.config_wrong_type(texts.config.CONFIG_URL, value))
    return value.rstrip("/")


def _expand(value: str | Path) -> Path:
    return Path(os.path.expanduser(str(value).strip()))


def _not_a_folder(path: Path) -> Path:
    """A setting naming a file we write (the token cache, the log) that names a folder is refused
    when the config is read, instead of failing deep inside the first write."""
    if path.is_dir():
        raise ValueError(texts.config.config_is_a_folder(path))
    return path


class MicrosoftConfig(BaseModel):
    """`[microsoft]`: where Graph and the sign-in authority are, and how hard to use them."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    graph_url: str = "https://graph.microsoft.com/v1.0"
    authority_host: str = "https://login.microsoftonline.com"
    ca_file: str = ""
    token_cache: Path = Field(default_factory=lambda: data_dir() / "token-cache.json")
    max_in_flight: int = 4
    batch_size: int = 20

    _urls = field_validator("graph_url", "authority_host")(_check_url)

    @field_validator("ca_file")
    @classmethod
    def _ca(cls, value: str) -> str:
        return str(_expand(value)) if value.strip() else ""

    @field_validator("token_cache")
    @classmethod
    def _cache(cls, value: Path) -> Path:
        return _not_a_folder(_expand(value))

    @field_validator("max_in_flight")
    @classmethod
    def _in_flight(cls, value: int) -> int:
        return _check_range(value, 1, 4)

    @field_validator("batch_size")
    @classmethod
    def _batch(cls, value: int) -> int:
        return _check_range(value, 1, 20)

    @property
    def ca_path(self) -> Path | None:
        """The extra CA bundle to trust, or None for the system's."""
        return Path(self.ca_file) if self.ca_file else None


class SyncConfig(BaseModel):
    """`[sync]`: the conflict policy: who wins when both sides changed one item."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    conflict: str = "newest"

    @field_validator("conflict")
    @classmethod
    def _policy(cls, value: str) -> str:
        if value not in CONFLICT_POLICIES:
            raise ValueError(texts.config.config_not_one_of(CONFLICT_POLICIES, value))
        return value


class Settings(BaseSettings):
    """Everything machine-level, validated. Build it with `load_settings`; `Settings()` gives defaults."""

    model_config = SettingsConfigDict(
        env_prefix=ENV_PREFIX, env_nested_delimiter=ENV_NESTING, extra="forbid", frozen=True
    )

    database: Path = Field(default_factory=lambda: data_dir() / "crm.sqlite3")
    timezone: str = Field(default_factory=machine_timezone)
    log_file: str = ""
    log_level: str = "info"  # "debug" also records the sign-in and HTTP libraries' messages
    user: str = ""  # the CRM user the terminal application opens as (else --user / the login name)
    microsoft: MicrosoftConfig = Field(default_factory=MicrosoftConfig)
    sync: SyncConfig = Field(default_factory=SyncConfig)
    # [keys]: binding id = key(s), e.g. "sync.start" = "f5" (the terminal application's remapping)
    keys: dict[str, str] = Field(default_factory=dict)

    _config_file: Path | None = PrivateAttr(default=None)

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        """Only the values handed in: `load_settings` has already merged the file and the environment."""
        return (init_settings,)

    @field_validator("database", mode="before")
    @classmethod
    def _database(cls, value: object) -> object:
        if isinstance(value, str | Path) and not str(value).strip():
            raise ValueError(texts.config.config_wrong_type(texts.config.CONFIG_FILE_PATH, str(value)))
        return _expand(value) if isinstance(value, str | Path) else value

    @field_validator("timezone")
    @classmethod
    def _zone(cls, value: str) -> str:
        try:
            ZoneInfo(value.strip())
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(texts.config.config_bad_timezone(value)) from None
        return value.strip()

    @field_validator("user")
    @classmethod
    def _user(cls, value: str) -> str:
        return value.strip().upper()

    @field_validator("log_level")
    @classmethod
    def _log_level(cls, value: str) -> str:
        if value.strip().lower() not in LOG_LEVELS:
            raise ValueError(texts.config.config_not_one_of(LOG_LEVELS, value))
        return value.strip().lower()

    @field_validator("log_file")
    @classmethod
    def _log(cls, value: str) -> str:
        return str(_not_a_folder(_expand(value))) if value.strip() else ""

    @property
    def database_is_default(self) -> bool:
        """Whether the database is the default one in the user data dir, whose folder is created on
        first use; a path the user gave must have its folder already (a typo must not start a new CRM)."""
        return "database" not in self.model_fields_set

    @property
    def tz(self) -> ZoneInfo:
        """The CRM's time zone: every datetime the user sees is in it."""
        return ZoneInfo(self.timezone)

    @property
    def log_path(self) -> Path:
        """The log file: `log_file`, or tui-sync.log in the user log dir when it is empty."""
        return Path(self.log_file) if self.log_file else platformdirs.user_log_path(APP_NAME) / "tui-sync.log"

    @property
    def config_file(self) -> Path | None:
        """The config file these settings were read from (None: defaults and environment only)."""
        return self._config_file


class _MappingEnvSource(EnvSettingsSource):
    """pydantic-settings' environment source, reading a given mapping instead of os.environ."""

    def __init__(self, settings_cls: type[BaseSettings], environ: Mapping[str, str]) -> None:
        self._environ = {k.lower(): v for k, v in environ.items() if k.lower() != CONFIG_ENV.lower()}
        super().__init__(settings_cls, case_sensitive=False)

    def _load_env_vars(self) -> Mapping[str, str | None]:
        return self._environ


def find_config_file(config_path: Path | None, env: Mapping[str, str]) -> Path | None:
    """The file to read: --config, else $TUI_SYNC_CONFIG (both must exist), else ./config.toml, else the
    user config dir's config.toml (both optional)."""
    for given, given_by in ((config_path, "--config"), (env.get(CONFIG_ENV) or None, CONFIG_ENV)):
        if given is not None:
            path = _expand(given)
            if not path.is_file():
                raise ConfigError(texts.config.config_file_missing(path, given_by))
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
        raise ConfigError(texts.config.config_syntax(path, str(error))) from None
    except (OSError, UnicodeDecodeError) as error:
        raise ConfigError(texts.config.config_unreadable(path, str(error).splitlines()[0])) from None
    for keys in PATH_KEYS:
        table = data
        for key in keys[:-1]:
            nested = table.get(key)
            table = nested if isinstance(nested, dict) else {}
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


_TYPE_NAMES = {  # pydantic's error type (its start) → the words for what the setting must be
    "int": texts.config.CONFIG_WHOLE_NUMBER,
    "string": texts.config.CONFIG_TEXT,
    "path": texts.config.CONFIG_FILE_PATH,
    "model": texts.config.CONFIG_TABLE,
    "dict": texts.config.CONFIG_TABLE,
    "bool": texts.config.CONFIG_TRUE_OR_FALSE,
}


def _problem(error: Any) -> str:
    kind: str = error["type"]
    if kind == "extra_forbidden":
        return texts.config.CONFIG_UNKNOWN_KEY
    if kind == "value_error":
        return str(error["ctx"]["error"])
    for prefix, name in _TYPE_NAMES.items():
        if kind.startswith(prefix):
            return texts.config.config_wrong_type(name, error.get("input"))
    return str(error["msg"])


def _describe(error: ValidationError, path: Path | None, env: Mapping[str, str]) -> str:
    """One line for all the problems, grouped by where each came from (the file or a variable)."""
    upper_env = {k.upper() for k in env}
    problems: dict[str, list[str]] = {}
    for item in error.errors():
        loc = [str(part) for part in item["loc"]]
        variable = ENV_PREFIX + ENV_NESTING.join(loc).upper()
        if variable in upper_env:
            where = texts.config.config_in_env(variable)
        elif path is not None:
            where = texts.config.config_in_file(path)
        else:
            where = texts.config.config_in_env(ENV_PREFIX + "*")
        problems.setdefault(where, []).append(texts.config.config_problem("", ".".join(loc), _problem(item)))
    return "; ".join(f"{where}: {', '.join(items)}" for where, items in problems.items())


def load_settings(config_path: Path | None = None, env: Mapping[str, str] = os.environ) -> Settings:
    """The settings for this run: the config file found by `find_config_file`, then `TUI_SYNC_*`
    variables from `env` on top. Raises ConfigError (one line, exit 2) on anything wrong."""
    path = find_config_file(config_path, env)
    file_data = _read_file(path) if path is not None else {}
    try:
        env_data = _MappingEnvSource(Settings, env)()
    except SettingsError as error:  # a nested table given as a variable that is not JSON
        match = re.search(r'field "(\w+)"', str(error))
        variable = ENV_PREFIX + (match.group(1).upper() if match else "*")
        raise ConfigError(
            texts.config.config_problem(
                texts.config.config_in_env(variable), "", texts.config.CONFIG_NOT_JSON
            )
        ) from None
    try:
        settings = Settings(**_merge(file_data, env_data))
    except ValidationError as error:
        raise ConfigError(_describe(error, path, env)) from None
    settings._config_file = path
    return settings
