"""`tui-sync test`: each Test message, provoked for real against the fake Microsoft 365, one line
per check, exit 1 when a check fails; `--create-categories` creates what is missing."""

from __future__ import annotations

import pytest
import requests

from tests.threaded_fake import UNKNOWN_CLIENT_ID, UPN, AutoApprover, ThreadedFake, prepare_cli
from tui_sync import texts
from tui_sync.domain.models import DEFAULT_ACTION_TYPES
from tui_sync.microsoft import mapping

FIX = texts.microsoft.connect_fix_cli("CARINE")
CONNECT_ONLY = "run: tui-sync connect --user CARINE"  # a user who never connected has only to connect
LABELS = [t.label for t in DEFAULT_ACTION_TYPES]


def ok(message: str) -> str:
    return f"{texts.microsoft.TEST_MARKS['ok']} {message}"


def warn(message: str) -> str:
    return f"{texts.microsoft.TEST_MARKS['warning']} {message}"


def fail(message: str) -> str:
    return f"{texts.microsoft.TEST_MARKS['error']} {message}"


def connect(cli, fake: ThreadedFake) -> None:
    with AutoApprover(fake):
        assert cli("connect", "--user", "CARINE").exit_code == 0


def categories(fake: ThreadedFake) -> dict[str, str]:
    """The mailbox's Outlook categories, read straight from the fake (not through our client)."""
    response = requests.get(
        f"{fake.graph_url}/me/outlook/masterCategories",
        headers={"Authorization": f"Bearer {fake.token(UPN)}"},
        verify=fake.ca_file,
        timeout=10,
    )
    return {c["displayName"]: c["color"] for c in response.json()["value"]}


def test_everything_right(run_cli, fake: ThreadedFake, monkeypatch: pytest.MonkeyPatch) -> None:
    cli = prepare_cli(run_cli, fake, monkeypatch)
    connect(cli, fake)
    assert cli("test", "--user", "CARINE", "--create-categories").exit_code == 0

    result = cli("test", "--user", "CARINE")

    assert result.exit_code == 0, result.stdout
    assert result.stdout.splitlines() == [
        ok(texts.microsoft.signed_in_as(UPN)),
        ok(texts.microsoft.calendar_found("Calendar")),
        ok(texts.microsoft.CATEGORIES_OK),
    ]


def test_missing_categories_warn_then_are_created(run_cli, fake: ThreadedFake, monkeypatch) -> None:
    cli = prepare_cli(run_cli, fake, monkeypatch)
    connect(cli, fake)

    result = cli("test", "--user", "CARINE")
    assert result.exit_code == 0  # a warning is not a failure
    hint = texts.microsoft.create_categories_cli("CARINE")
    assert result.stdout.splitlines()[-1] == warn(f"{texts.microsoft.missing_categories(LABELS)} {hint}")
    assert not set(LABELS) & set(categories(fake))

    created = cli("test", "--user", "CARINE", "--create-categories")
    assert created.exit_code == 0
    assert created.stdout.splitlines()[-1] == ok(texts.microsoft.categories_created(LABELS))
    made = categories(fake)
    for action_type in DEFAULT_ACTION_TYPES:
        assert made[action_type.label] == mapping.category_for(action_type)["color"]


def test_no_client_id(run_cli, fake: ThreadedFake, monkeypatch) -> None:
    cli = prepare_cli(run_cli, fake, monkeypatch, client_id="")
    result = cli("test", "--user", "CARINE")
    assert result.exit_code == 1
    assert result.stdout.splitlines() == [
        fail(texts.microsoft.account_not_accessible(texts.microsoft.REASON_NO_CLIENT_ID, FIX))
    ]


def test_unknown_client_id(run_cli, fake: ThreadedFake, monkeypatch) -> None:
    """Connected with the right application, then the ADM types a client ID Microsoft does not know."""
    cli = prepare_cli(run_cli, fake, monkeypatch)
    connect(cli, fake)
    cli("admin", "client-id", UNKNOWN_CLIENT_ID)
    result = cli("test", "--user", "CARINE")
    assert result.exit_code == 1
    reason = texts.microsoft.reason_wrong_client_id(UNKNOWN_CLIENT_ID)
    assert result.stdout.splitlines() == [fail(texts.microsoft.account_not_accessible(reason, FIX))]


def test_not_connected(run_cli, fake: ThreadedFake, monkeypatch) -> None:
    cli = prepare_cli(run_cli, fake, monkeypatch)
    result = cli("test", "--user", "CARINE")
    assert result.exit_code == 1
    assert result.stdout.splitlines() == [
        fail(texts.microsoft.account_not_accessible(texts.microsoft.REASON_NOT_CONNECTED, CONNECT_ONLY))
    ]


def test_token_refused(run_cli, fake: ThreadedFake, monkeypatch) -> None:
    """The refresh token was revoked (password change, admin) and the access token has expired."""
    cli = prepare_cli(run_cli, fake, monkeypatch)
    connect(cli, fake)
    fake.revoke(UPN)
    fake.faults(expire_tokens=True)
    result = cli("test", "--user", "CARINE")
    assert result.exit_code == 1
    [line] = result.stdout.splitlines()
    assert line.startswith(
        fail(f"{texts.microsoft.ACCOUNT_NOT_ACCESSIBLE} ({texts.microsoft.REASON_TOKEN_REFUSED}")
    )
    assert line.endswith(f"): {FIX}")


def test_calendar_name_not_set(run_cli, fake: ThreadedFake, monkeypatch) -> None:
    cli = prepare_cli(run_cli, fake, monkeypatch, calendar="")
    connect(cli, fake)
    result = cli("test", "--user", "CARINE")
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert lines[0] == fail(texts.microsoft.CALENDAR_NAME_NOT_SET)
    assert lines[1] == ok(texts.microsoft.signed_in_as(UPN))  # the other checks still ran


def test_calendar_not_found(run_cli, fake: ThreadedFake, monkeypatch) -> None:
    cli = prepare_cli(run_cli, fake, monkeypatch, calendar="Agenda CRM")
    connect(cli, fake)
    result = cli("test", "--user", "CARINE")
    assert result.exit_code == 1
    assert (
        fail("No calendar named Agenda CRM was found on the Office 365 account") in result.stdout.splitlines()
    )


def test_calendar_found_whatever_its_case(run_cli, fake: ThreadedFake, monkeypatch) -> None:
    cli = prepare_cli(run_cli, fake, monkeypatch, calendar="calendar")
    connect(cli, fake)
    result = cli("test", "--user", "CARINE")
    assert ok(texts.microsoft.calendar_found("calendar")) in result.stdout.splitlines()


def test_signed_in_as_another_address(run_cli, fake: ThreadedFake, monkeypatch) -> None:
    cli = prepare_cli(run_cli, fake, monkeypatch, email="carine.dupont@contoso.test")
    connect(cli, fake)
    result = cli("test", "--user", "CARINE")
    assert (
        warn(texts.microsoft.email_mismatch(UPN, "carine.dupont@contoso.test")) in result.stdout.splitlines()
    )


def test_unknown_user(run_cli, fake: ThreadedFake, monkeypatch) -> None:
    cli = prepare_cli(run_cli, fake, monkeypatch)
    result = cli("test", "--user", "NOBODY")
    assert result.exit_code == 2 and result.stdout == ""
    assert result.stderr == f"tui-sync: {texts.errors.unknown_user('NOBODY')}\n"
