"""What the headless command line loads: never Textual (cron jobs and scripts run where no terminal
application is wanted, and pay for nothing they do not use), and for `--help` not even the Graph client
or the fake server. Each case runs in a fresh interpreter, so nothing an earlier test imported hides it."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

# The sync engines, the Graph client and the CRM ⇄ Graph mapping: only a sync, a push or a Test needs them.
ENGINE = (
    "tui_sync.sync.agenda",
    "tui_sync.sync.contacts",
    "tui_sync.sync.push",
    "tui_sync.microsoft.graph",
    "tui_sync.microsoft.mapping",
    "tui_sync.microsoft.checks",
)

PROBE = """
import json, sys
{body}
loaded = lambda name: name in sys.modules or any(m.startswith(name + ".") for m in sys.modules)
names = (
    "textual", "tui_sync.ui", "tui_sync.services", "aiohttp", "msal", "requests", "fake_microsoft365",
    *{engine!r},
)
print(json.dumps({{"code": code, **{{n: loaded(n) for n in names}}}}), file=sys.stderr)
"""


def probe(body: str, config: str) -> tuple[dict[str, bool], str]:
    """Run `body` (which sets `code`) in a new interpreter; which modules it loaded, and its stdout."""
    env = {**os.environ, "TUI_SYNC_CONFIG": config}
    done = subprocess.run(
        [sys.executable, "-c", PROBE.format(body=body, engine=ENGINE)],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stderr.strip().splitlines()[-1]), done.stdout


def cli(*args: str) -> str:
    return f"import tui_sync.cli\ncode = tui_sync.cli.main({list(args)!r})"


def test_user_list_runs_the_services_without_textual(run_cli) -> None:
    loaded, out = probe(cli("user", "list", "--json"), str(run_cli.config))
    assert loaded["code"] == 0 and '"code": "ADM"' in out
    assert loaded["tui_sync.services"]  # the command went through the services…
    assert not loaded["textual"] and not loaded["tui_sync.ui"]  # …and the services hold no screen


def test_user_list_loads_no_network_stack(run_cli) -> None:
    """A command that never reaches Microsoft 365 starts without the sign-in library (msal and the
    requests it brings), the Graph client's aiohttp or the fake: about a tenth of a second less."""
    loaded, _ = probe(cli("user", "list"), str(run_cli.config))
    assert loaded["code"] == 0
    unwanted = ("aiohttp", "msal", "requests", "textual", "fake_microsoft365")
    assert [name for name in unwanted if loaded[name]] == []


@pytest.mark.parametrize(
    "args",
    [["user", "list"], ["agenda", "list", "--user", "ADM"], ["contacts", "list"], ["admin", "show"]],
)
def test_commands_that_read_the_crm_load_no_sync_engine(run_cli, args: list[str]) -> None:
    """Every command builds the services, sync service included; those that only read the CRM start
    without the engines and the Graph client they would import (about a tenth of a second)."""
    loaded, _ = probe(cli(*args), str(run_cli.config))
    assert loaded["code"] == 0
    assert [name for name in ENGINE if loaded[name]] == []


@pytest.mark.parametrize("args", [["sync", "--help"], ["--help"], ["user", "add", "--help"]])
def test_help_loads_neither_textual_nor_the_network_stack(run_cli, args: list[str]) -> None:
    loaded, out = probe(cli(*args), str(run_cli.config))
    assert loaded["code"] == 0 and "usage: tui-sync" in out
    assert not loaded["textual"] and not loaded["tui_sync.ui"]
    # The handlers import what they need: a --help (or a typo) starts fast.
    assert not loaded["aiohttp"] and not loaded["msal"] and not loaded["fake_microsoft365"]


def test_the_services_never_import_textual(run_cli) -> None:
    body = "import tui_sync.services, tui_sync.commands.connect, tui_sync.commands.users\ncode = 0"
    loaded, _ = probe(body, str(run_cli.config))
    assert loaded["tui_sync.services"] and not loaded["textual"] and not loaded["tui_sync.ui"]
