"""Small things an import of contacts must get right, end to end through `tui-sync import contacts` on
a real SQLite file: control characters never reach a field, a file with no records is said to be empty,
and what the CRM has no place for is reported for what this import added or changed, not again for
contacts a re-import left as they were."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

HEADER = "last_name,first_name,company,email"


def contacts(run_cli) -> list[dict]:
    result = run_cli("contacts", "list", "--json")
    assert result.exit_code == 0
    return json.loads(result.stdout)["contacts"]


@pytest.mark.parametrize(
    "name, text",
    [
        ("people.csv", f"{HEADER}\nMartin\x00,Jean\x07,Acme\x1b,jm@acme.example\n"),
        (
            "people.vcf",
            "BEGIN:VCARD\r\nVERSION:3.0\r\nN:Martin\x00;Jean\x07;;;\r\nORG:Acme\x1b\r\nEND:VCARD\r\n",
        ),
    ],
    ids=["csv", "vcard"],
)
def test_control_characters_are_left_out_of_every_field(
    run_cli, tmp_path: Path, name: str, text: str
) -> None:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    result = run_cli("import", "contacts", str(path))
    assert result.exit_code == 0, result.stderr
    [stored] = contacts(run_cli)
    assert (stored["last_name"], stored["first_name"], stored["company"]) == ("Martin", "Jean", "Acme")


def test_a_note_keeps_its_tabs_and_line_breaks(run_cli, tmp_path: Path) -> None:
    path = tmp_path / "people.csv"
    path.write_text('last_name,note\nMartin,"a\tb\r\nc\x00"\n', encoding="utf-8")
    assert run_cli("import", "contacts", str(path)).exit_code == 0
    assert contacts(run_cli)[0]["note"] == "a\tb\nc"


@pytest.mark.parametrize(
    "text", [f"{HEADER}\n", f"\ufeff{HEADER}\r\n\r\n\r\n"], ids=["header only", "bom and blank lines"]
)
def test_a_csv_with_only_its_header_is_refused_as_an_empty_vcard_is(
    run_cli, db_dump, tmp_path: Path, text: str
) -> None:
    path = tmp_path / "people.csv"
    path.write_text(text, encoding="utf-8")
    empty_vcard = tmp_path / "people.vcf"
    empty_vcard.write_text("", encoding="utf-8")
    run_cli("user", "add", "CARINE", "Carine Dupont")
    before = db_dump(run_cli.database)
    result = run_cli("import", "contacts", str(path))
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr == (
        "tui-sync: people.csv: no contacts in the file (it has a header row and nothing under it)\n"
    )
    assert run_cli("import", "contacts", str(empty_vcard)).exit_code == result.exit_code
    assert db_dump(run_cli.database) == before


FAXED = (
    "BEGIN:VCARD\r\nVERSION:3.0\r\nUID:{uid}\r\nN:{last};Jean;;;\r\n"
    "TEL;TYPE=WORK,FAX:+33 1 00 00 00 0{n}\r\nEND:VCARD\r\n"
)


def test_a_reimport_reports_what_it_left_out_only_for_contacts_it_added_or_changed(
    run_cli, tmp_path: Path
) -> None:
    path = tmp_path / "people.vcf"
    cards = [FAXED.format(uid=f"u{n}", last=last, n=n) for n, last in enumerate(("Martin", "Durand"))]
    path.write_text("".join(cards), encoding="utf-8")
    first = run_cli("import", "contacts", str(path))
    assert first.stdout.splitlines() == [
        "Imported contacts: 2 new, 0 updated, 0 unchanged (0 with photo)",
        "Skipped (the CRM has no place for them): 2 × fax number",
    ]
    again = run_cli("import", "contacts", str(path))
    assert (again.exit_code, again.stdout) == (
        0,
        "Imported contacts: 0 new, 0 updated, 2 unchanged (0 with photo)\n",
    )
    path.write_text(cards[0] + FAXED.format(uid="u1", last="Durand-Roy", n=1), encoding="utf-8")
    changed = run_cli("import", "contacts", str(path))
    assert changed.stdout.splitlines() == [
        "Imported contacts: 0 new, 1 updated, 1 unchanged (0 with photo)",
        "Skipped (the CRM has no place for them): 1 × fax number",
    ]
    assert sorted(c["last_name"] for c in contacts(run_cli)) == ["Durand-Roy", "Martin"]
