"""`tui-sync sync --as VIEWER`: a sync on behalf of someone else needs the agenda right for the agenda
and the administrator flag for the contacts; refused in one line (exit 1), the database unchanged."""

from __future__ import annotations

import pytest


@pytest.fixture
def cli(run_cli):
    for code in ("CARINE", "FLORENT"):
        assert run_cli("user", "add", code, code.title(), "--calendar", "Calendar").exit_code == 0
    return run_cli


@pytest.mark.parametrize(
    ("granted", "what"),
    [
        (False, "--agenda"),
        (False, "--contacts"),
        (True, "--contacts"),  # the agenda right is not the contacts right
        (False, None),
    ],
)
def test_sync_as_someone_without_the_right_is_refused(cli, db_dump, granted: bool, what: str | None) -> None:
    if granted:
        assert cli("user", "grant", "FLORENT", "CARINE", "--agenda").exit_code == 0
    before = db_dump(cli.database)
    result = cli("sync", "--user", "CARINE", "--as", "FLORENT", *([what] if what else []), "--json")
    assert result.exit_code == 1 and result.stdout == ""
    assert result.stderr.count("\n") == 1 and "FLORENT may not" in result.stderr, result.stderr
    assert db_dump(cli.database) == before
