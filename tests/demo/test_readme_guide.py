"""The README is the user guide: its troubleshooting table carries every message the Test, Connect and a
sync print about the Microsoft 365 set-up, and its two set-up commands are the ones CI and the demo test
run.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.demo.test_demo_tmux import PROGRAM, readme_demo_command
from tui_sync import texts

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text(encoding="utf-8")
HOLE = "\x00"  # stands for what a message fills in (a name, a user, a detail)


def troubleshooting() -> str:
    section = README.split("## Troubleshooting", 1)[1].split("\n## ", 1)[0]
    return "\n".join(line for line in section.splitlines() if line.startswith("| "))


FIXED = {
    "CALENDAR_NAME_NOT_SET": texts.microsoft.CALENDAR_NAME_NOT_SET,
    "ACCOUNT_NOT_ACCESSIBLE": texts.microsoft.ACCOUNT_NOT_ACCESSIBLE,
    "SIGN_IN_CANCELLED": texts.microsoft.SIGN_IN_CANCELLED,
    "SIGN_IN_DECLINED": texts.microsoft.SIGN_IN_DECLINED,
    "SIGN_IN_EXPIRED": texts.microsoft.SIGN_IN_EXPIRED,
    # the table gives the fix once, in the first of these rows
    "no client ID": texts.microsoft.account_not_accessible(
        texts.microsoft.REASON_NO_CLIENT_ID, texts.microsoft.CONNECT_FIX_TUI
    ),
    "not connected": texts.microsoft.account_not_accessible(texts.microsoft.REASON_NOT_CONNECTED, "").rstrip(
        ": "
    ),
}
# Messages with parts filled in: every fixed part must be in the table.
FILLED: dict[str, Callable[[], str]] = {
    "wrong client ID": lambda: texts.microsoft.account_not_accessible(
        texts.microsoft.reason_wrong_client_id(HOLE), ""
    ),
    "token refused": lambda: texts.microsoft.account_not_accessible(
        texts.microsoft.reason_token_refused(HOLE), ""
    ),
    "reconnect": lambda: texts.microsoft.reconnect_needed(HOLE, HOLE),
    "never connected": lambda: texts.microsoft.never_connected(HOLE),
    "calendar (Test)": lambda: texts.microsoft.calendar_not_found(HOLE),
    "calendar (sync)": lambda: texts.microsoft.calendar_not_found(HOLE, during_sync=True),
    "categories": lambda: texts.microsoft.missing_categories([HOLE]),
    "e-mail mismatch": lambda: texts.microsoft.email_mismatch(HOLE, HOLE),
    "sign-in failed": lambda: texts.microsoft.sign_in_failed(HOLE),
    "unreachable": lambda: texts.microsoft.cannot_reach(HOLE, HOLE),
    "access denied": lambda: texts.microsoft.graph_access_denied(HOLE),
    "throttled": lambda: texts.microsoft.graph_throttled(7).replace("7", HOLE),
    "sync busy": lambda: texts.sync.sync_busy(HOLE, HOLE, HOLE),
    "calendar replaced": lambda: texts.sync.calendar_replaced(HOLE),
    "answer cut short": lambda: texts.microsoft.graph_unreadable_answer(7).replace("7", HOLE),
    "disk full": lambda: texts.errors.disk_full(HOLE),
    "items failing alike": lambda: texts.sync.error_lines([f"“{HOLE}” could not be synced: {HOLE}"] * 3)[
        0
    ].replace("2", HOLE),
}


@pytest.mark.parametrize("name", FIXED)
def test_every_fixed_message_is_in_the_troubleshooting_table(name: str) -> None:
    assert FIXED[name] in troubleshooting(), name


@pytest.mark.parametrize("name", FILLED)
def test_every_filled_in_message_is_in_the_troubleshooting_table(name: str) -> None:
    table = troubleshooting()
    parts = [p.strip(" ():") for p in FILLED[name]().split(HOLE)]
    missing = [p for p in parts if len(p) > 2 and p not in table]
    assert not missing, (name, missing)


def test_the_set_up_commands_are_those_ci_and_the_demo_test_run() -> None:
    blocks = re.findall(r"```sh\n(.*?)\n```", README, re.S)
    install_and_try, install_and_test = blocks[:2]
    assert install_and_try == "python3 -m venv .venv && .venv/bin/pip install -e . && .venv/bin/tui-sync demo"
    assert install_and_try.endswith(readme_demo_command())
    assert readme_demo_command() == f"{PROGRAM.relative_to(ROOT).as_posix()} demo"  # the tmux test's
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()
    assert ci[-1] == install_and_test


def test_the_entra_registration_lists_what_the_sign_in_needs() -> None:
    section = README.split("## Registering the application in Microsoft Entra", 1)[1].split("\n## ", 1)[0]
    for needed in (
        "New registration",
        "supported account types",
        "Mobile and desktop applications",
        "https://login.microsoftonline.com/common/oauth2/nativeclient",
        "Allow public client flows",
        "User.Read",
        "Calendars.ReadWrite",
        "Contacts.ReadWrite",
        "MailboxSettings.ReadWrite",
        "offline_access",
    ):
        assert needed in section, needed
