"""`tui-sync admin client-id|show`: the folder-level Microsoft application settings."""

from __future__ import annotations

import pytest

GUID = "1b2c3d4e-1111-2222-3333-444455556666"


def settings(run_cli) -> dict[str, str]:
    """The Microsoft application settings `admin show --json` prints (besides the machine's files)."""
    shown = run_cli("admin", "show", "--json").json()
    return {key: shown[key] for key in ("client_id", "tenant")}


def test_client_id_and_tenant_are_saved_and_shown(run_cli) -> None:
    assert settings(run_cli) == {"client_id": "", "tenant": "common"}
    result = run_cli("admin", "client-id", GUID.upper(), "--tenant", "contoso.onmicrosoft.com")
    assert result.exit_code == 0 and GUID in result.stdout
    assert settings(run_cli) == {"client_id": GUID, "tenant": "contoso.onmicrosoft.com"}
    text = run_cli("admin", "show").stdout
    assert f"client ID: {GUID}" in text and "tenant: contoso.onmicrosoft.com" in text


def test_a_new_client_id_keeps_the_tenant_unless_given(run_cli) -> None:
    run_cli("admin", "client-id", GUID, "--tenant", "organizations")
    other = "00000000-0000-0000-0000-0000000000aa"
    assert run_cli("admin", "client-id", other).exit_code == 0
    assert settings(run_cli) == {"client_id": other, "tenant": "organizations"}


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["not-a-guid"], "client_id: 'not-a-guid' is not a GUID"),
        ([GUID[:-1]], "is not a GUID"),
        ([GUID, "--tenant", "contoso tenant"], "tenant: 'contoso tenant' is not a tenant"),
        ([GUID, "--tenant", "x" * 101], "is not a tenant"),
    ],
)
def test_bad_values_are_one_line_exit_2_and_change_nothing(run_cli, db_dump, args, expected) -> None:
    run_cli("admin", "client-id", GUID)
    before = db_dump(run_cli.database)
    result = run_cli("admin", "client-id", *args)
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr.startswith("tui-sync: ") and result.stderr.count("\n") == 1
    assert expected in result.stderr
    assert db_dump(run_cli.database) == before
