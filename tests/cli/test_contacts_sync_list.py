"""`tui-sync contacts sync-list`: show and edit a user's contacts to sync, at most 2000."""

from __future__ import annotations

import asyncio
from pathlib import Path
from zoneinfo import ZoneInfo

from tui_sync.domain.models import Contact
from tui_sync.store import Store


def add_contacts(database: Path, names: list[str]) -> list[int]:
    """Contacts straight into the store (the importers' job in real life)."""

    async def add() -> list[int]:
        store = await Store.open(database, ZoneInfo("Europe/Paris"))
        try:
            async with store.transaction():
                return [(await store.add_contact(Contact(name, "Jean"))).id for name in names]  # type: ignore[misc]
        finally:
            await store.close()

    return asyncio.run(add())


def test_add_remove_and_show_in_order(run_cli) -> None:
    run_cli("user", "add", "CARINE", "Carine")
    a, b, c = add_contacts(run_cli.database, ["Alpha", "Bravo", "Charlie"])
    result = run_cli("contacts", "sync-list", "carine", "--add", str(c), str(a), "--add", str(b), "--json")
    assert result.exit_code == 0 and result.stdout.count("\n") == 1
    assert result.json() == {
        "user": "CARINE",
        "count": 3,
        "limit": 2000,
        "contacts": [
            {"id": c, "name": "CHARLIE Jean"},
            {"id": a, "name": "ALPHA Jean"},
            {"id": b, "name": "BRAVO Jean"},
        ],
    }
    result = run_cli("contacts", "sync-list", "CARINE", "--remove", str(a))
    assert result.stdout.splitlines()[0] == "contacts to sync for CARINE: 2 / 2000"
    assert [line.split()[0] for line in result.stdout.splitlines()[1:]] == [str(c), str(b)]
    shown = run_cli("contacts", "sync-list", "CARINE", "--json").json()
    assert [x["id"] for x in shown["contacts"]] == [c, b]


def test_the_2001st_contact_is_refused_exit_2_nothing_added(run_cli, db_dump) -> None:
    run_cli("user", "list")
    ids = add_contacts(run_cli.database, [f"N{i:04}" for i in range(2001)])
    assert run_cli("contacts", "sync-list", "ADM", "--add", *map(str, ids[:1999])).exit_code == 0
    before = db_dump(run_cli.database)
    result = run_cli("contacts", "sync-list", "ADM", "--add", str(ids[1999]), str(ids[2000]))
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr == (
        "tui-sync: the contacts-to-sync list of ADM is limited to 2000 contacts: it has 1999, "
        "adding 2 would make 2001; nothing was added\n"
    )
    assert db_dump(run_cli.database) == before
    # removing one makes room, in the same command
    swap = run_cli(
        "contacts", "sync-list", "ADM", "--remove", str(ids[0]), "--add", str(ids[1999]), str(ids[2000])
    )
    assert swap.exit_code == 0 and swap.stdout.startswith("contacts to sync for ADM: 2000 / 2000")


def test_unknown_contact_or_user_is_one_line_exit_2_nothing_changed(run_cli, db_dump) -> None:
    run_cli("user", "list")
    [known] = add_contacts(run_cli.database, ["Known"])
    run_cli("contacts", "sync-list", "ADM", "--add", str(known))
    before = db_dump(run_cli.database)
    for args, expected in (
        (["ADM", "--remove", str(known), "--add", "424242"], "no contact with id 424242"),
        (["NOBODY"], "no user NOBODY"),
    ):
        result = run_cli("contacts", "sync-list", *args)
        assert (result.exit_code, result.stdout) == (2, "")
        assert result.stderr.count("\n") == 1 and expected in result.stderr
        assert db_dump(run_cli.database) == before
