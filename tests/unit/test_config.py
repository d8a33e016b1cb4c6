"""Machine configuration: where it is read from, what overrides what, and one-line refusals."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from zoneinfo import ZoneInfo

import platformdirs
import pytest

from tui_sync.config import Settings, find_config_file, load_settings, machine_timezone
from tui_sync.errors import BadInput, ConfigError

EXAMPLE = Path(__file__).resolve().parents[2] / "config.example.toml"


@pytest.fixture(autouse=True)
def _isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No config of the developer's machine: cwd and the user dirs are empty folders in tmp_path."""
    work = tmp_path / "cwd"
    work.mkdir()
    monkeypatch.chdir(work)
    for xdg in ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_STATE_HOME"):
        monkeypatch.setenv(xdg, str(tmp_path / xdg.lower()))


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def refusal(config: Path | None, env: dict[str, str] | None = None) -> str:
    with pytest.raises(ConfigError) as caught:
        load_settings(config, env or {})
    message = str(caught.value)
    assert "\n" not in message
    assert isinstance(caught.value, BadInput) and caught.value.exit_code == 2
    return message


def test_defaults_come_from_the_user_dirs_and_the_machine(tmp_path: Path) -> None:
    settings = load_settings(None, {})
    data = tmp_path / "xdg_data_home" / "tui-sync"
    assert settings.database == data / "crm.sqlite3"
    assert settings.microsoft.token_cache == data / "token-cache.json"
    assert settings.timezone == machine_timezone()
    assert settings.tz == ZoneInfo(machine_timezone())
    assert settings.log_path == tmp_path / "xdg_state_home" / "tui-sync" / "log" / "tui-sync.log"
    assert settings.microsoft.graph_url == "https://graph.microsoft.com/v1.0"
    assert settings.microsoft.authority_host == "https://login.microsoftonline.com"
    assert settings.microsoft.ca_path is None
    assert (settings.microsoft.max_in_flight, settings.microsoft.batch_size) == (4, 20)
    assert settings.sync.conflict == "newest"
    assert settings.config_file is None


def test_machine_timezone_is_an_iana_name() -> None:
    ZoneInfo(machine_timezone())


def test_every_key_of_the_file_is_read(tmp_path: Path) -> None:
    config = write(
        tmp_path / "c.toml",
        'database = "/srv/crm.sqlite3"\ntimezone = "America/New_York"\nlog_file = "/var/log/t.log"\n'
        '[microsoft]\ngraph_url = "https://127.0.0.1:8443/v1.0/"\nauthority_host = "https://127.0.0.1:8443"\n'
        'ca_file = "/tmp/ca.pem"\ntoken_cache = "/srv/tokens.json"\nmax_in_flight = 2\nbatch_size = 5\n'
        '[sync]\nconflict = "office"\n',
    )
    s = load_settings(config, {})
    assert (s.database, s.timezone, s.log_path) == (
        Path("/srv/crm.sqlite3"),
        "America/New_York",
        Path("/var/log/t.log"),
    )
    assert s.microsoft.graph_url == "https://127.0.0.1:8443/v1.0"  # trailing slash dropped
    assert s.microsoft.authority_host == "https://127.0.0.1:8443"
    assert s.microsoft.ca_path == Path("/tmp/ca.pem")
    assert s.microsoft.token_cache == Path("/srv/tokens.json")
    assert (s.microsoft.max_in_flight, s.microsoft.batch_size, s.sync.conflict) == (2, 5, "office")
    assert s.config_file == config


def test_relative_paths_in_a_file_are_relative_to_its_folder_and_tilde_is_home(tmp_path: Path) -> None:
    config = write(
        tmp_path / "etc" / "c.toml", 'database = "data/crm.sqlite3"\n[microsoft]\ntoken_cache = "~/t.json"\n'
    )
    s = load_settings(config, {})
    assert s.database == tmp_path / "etc" / "data" / "crm.sqlite3"
    assert s.microsoft.token_cache == Path.home() / "t.json"


def test_environment_overrides_the_file_with_nested_keys(tmp_path: Path) -> None:
    config = write(
        tmp_path / "c.toml", 'timezone = "Europe/Paris"\n[microsoft]\nbatch_size = 5\nmax_in_flight = 2\n'
    )
    env = {
        "TUI_SYNC_TIMEZONE": "Asia/Tokyo",
        "TUI_SYNC_MICROSOFT__BATCH_SIZE": "7",
        "tui_sync_microsoft__graph_url": "https://example.test/v1.0",
        "TUI_SYNC_SYNC__CONFLICT": "crm",
        "TUI_SYNC_DATABASE": "/x/crm.sqlite3",
        "TUI_SYNC_SOMETHING_ELSE": "ignored",
    }
    s = load_settings(config, env)
    assert s.timezone == "Asia/Tokyo"
    assert (s.microsoft.batch_size, s.microsoft.max_in_flight) == (7, 2)
    assert s.microsoft.graph_url == "https://example.test/v1.0"
    assert s.sync.conflict == "crm"
    assert s.database == Path("/x/crm.sqlite3")


def test_lookup_order_config_option_then_variable_then_cwd_then_user_dir(tmp_path: Path) -> None:
    user_dir = write(tmp_path / "xdg_config_home" / "tui-sync" / "config.toml", "")
    assert find_config_file(None, {}) == user_dir
    cwd = write(Path.cwd() / "config.toml", "")
    assert find_config_file(None, {}) == cwd
    from_env = write(tmp_path / "env.toml", "")
    assert find_config_file(None, {"TUI_SYNC_CONFIG": str(from_env)}) == from_env
    given = write(tmp_path / "given.toml", "")
    assert find_config_file(given, {"TUI_SYNC_CONFIG": str(from_env)}) == given


def test_the_file_found_is_the_one_read(tmp_path: Path) -> None:
    write(Path.cwd() / "config.toml", 'timezone = "Asia/Tokyo"\n')
    assert load_settings(None, {}).timezone == "Asia/Tokyo"


@pytest.mark.parametrize("given_by", ["--config", "TUI_SYNC_CONFIG"])
def test_a_named_file_that_does_not_exist_is_refused(tmp_path: Path, given_by: str) -> None:
    missing = tmp_path / "nope.toml"
    env = {"TUI_SYNC_CONFIG": str(missing)}
    message = refusal(missing) if given_by == "--config" else refusal(None, env)
    assert str(missing) in message and given_by in message


@pytest.mark.parametrize(
    ("text", "key", "problem"),
    [
        ("timezone = \n", "", r"TOML syntax error: .*line 1"),
        ('timezone = "Europe/Paris"\n[microsoft\n', "", r"TOML syntax error: .*line 2"),
        ("colour = 1\n", "colour", "unknown key"),
        ("[microsoft]\nbatch = 3\n", "microsoft.batch", "unknown key"),
        ("[display]\nx = 1\n", "display", "unknown key"),
        ('timezone = "Mars/Olympus"\n', "timezone", "not an IANA time zone"),
        ('timezone = "../../etc/passwd"\n', "timezone", "not an IANA time zone"),
        ("timezone = 3\n", "timezone", "must be text"),
        ("database = 5\n", "database", "must be a file path"),
        ('database = ""\n', "database", "must be a file path"),
        ('[microsoft]\nbatch_size = "many"\n', "microsoft.batch_size", "must be a whole number"),
        ("[microsoft]\nbatch_size = 21\n", "microsoft.batch_size", r"between 1 and 20 \(got 21\)"),
        ("[microsoft]\nbatch_size = 0\n", "microsoft.batch_size", "between 1 and 20"),
        ("[microsoft]\nmax_in_flight = 5\n", "microsoft.max_in_flight", r"between 1 and 4 \(got 5\)"),
        ("[microsoft]\nmax_in_flight = 1.5\n", "microsoft.max_in_flight", "must be a whole number"),
        ('[microsoft]\ngraph_url = "graph.microsoft.com"\n', "microsoft.graph_url", "http"),
        ('[sync]\nconflict = "latest"\n', "sync.conflict", "newest | crm | office"),
        ("microsoft = 4\n", "microsoft", "must be a table"),
    ],
)
def test_a_bad_file_is_one_line_naming_file_key_and_problem(
    tmp_path: Path, text: str, key: str, problem: str
) -> None:
    config = write(tmp_path / "bad.toml", text)
    message = refusal(config)
    assert message.startswith(f"config file {config}")
    assert f": {key}: " in message if key else True
    assert re.search(problem, message), message


def test_several_problems_stay_on_one_line(tmp_path: Path) -> None:
    config = write(tmp_path / "bad.toml", 'foo = 1\n[microsoft]\nbatch_size = 99\n[sync]\nconflict = "x"\n')
    message = refusal(config)
    assert "foo: unknown key" in message and "microsoft.batch_size" in message and "sync.conflict" in message


def test_a_bad_variable_is_named_instead_of_the_file(tmp_path: Path) -> None:
    config = write(tmp_path / "c.toml", "[microsoft]\nbatch_size = 5\n")
    message = refusal(config, {"TUI_SYNC_MICROSOFT__BATCH_SIZE": "50"})
    assert message.startswith("environment variable TUI_SYNC_MICROSOFT__BATCH_SIZE: microsoft.batch_size")
    assert "(got 50)" in message
    assert "TUI_SYNC_TIMEZONE" in refusal(None, {"TUI_SYNC_TIMEZONE": "Nowhere/Special"})


def test_a_table_variable_that_is_not_json_is_refused() -> None:
    assert refusal(None, {"TUI_SYNC_MICROSOFT": "{batch_size: 3"}).startswith(
        "environment variable TUI_SYNC_MICROSOFT"
    )


def test_an_unreadable_file_is_refused(tmp_path: Path) -> None:
    binary = tmp_path / "latin1.toml"
    binary.write_bytes(b'timezone = "\xe9"\n')
    assert "cannot be read" in refusal(binary)


def test_the_example_documents_every_key_with_its_default(tmp_path: Path) -> None:
    """config.example.toml: every key, commented out with its default; uncommented, it loads the
    defaults (placeholders filled in as the machine would)."""
    text = EXAMPLE.read_text(encoding="utf-8")
    uncommented = re.sub(r"(?m)^# (\w+ = .*)$", r"\1", text)
    uncommented = uncommented.replace("<user data dir>", platformdirs.user_data_dir())
    uncommented = uncommented.replace("<machine zone>", machine_timezone())
    data = tomllib.loads(uncommented)
    keys = {k for k, v in data.items() if not isinstance(v, dict)}
    keys |= {f"{table}.{k}" for table, values in data.items() if isinstance(values, dict) for k in values}
    defaults = Settings()
    fields = {k for k in Settings.model_fields if k not in ("microsoft", "sync", "keys")}
    fields |= {f"{t}.{k}" for t in ("microsoft", "sync") for k in type(getattr(defaults, t)).model_fields}
    assert keys == fields
    assert data["keys"] == {}  # the [keys] table: examples only (binding ids are quoted keys)
    loaded = load_settings(write(tmp_path / "example.toml", uncommented), {})
    assert loaded.model_dump() == defaults.model_dump()
