"""`tui-sync contacts list|add|edit|delete`: headless CRUD on the CRM contacts, with the form's rules."""

from __future__ import annotations

from pathlib import Path

import pytest

from tui_sync.demo.images import avatar_png

PNG = avatar_png((0x4A, 0x90, 0xD9))
# A JPEG's first segments as a decoder reads them (SOI, then a baseline frame header for 16x16 YCbCr).
JPEG_HEAD = bytes.fromhex("ffd8ffc0001108001000100301220002110103110100")


def test_add_list_edit_delete(run_cli, tmp_path: Path) -> None:
    photo = tmp_path / "anne.png"
    photo.write_bytes(PNG)
    added = run_cli(
        "contacts", "add", "--last-name", "Dupont", "--first-name", "Sébastien", "--company", "Contoso",
        "--email", "seb@contoso.com", "--city", "Orléans", "--address", "1 rue de la Paix",
        "--address", "Bât. B", "--postal-code", "45000", "--note", "met at the fair", "--photo", str(photo),
    )  # fmt: skip
    assert added.exit_code == 0 and added.stderr == ""
    dupont = int(added.stdout)
    martin = int(run_cli("contacts", "add", "--last-name", "Martin", "--first-name", "Zoé").stdout)

    listed = run_cli("contacts", "list")
    assert listed.exit_code == 0
    assert [line.split() for line in listed.stdout.splitlines()] == [
        [str(dupont), "DUPONT", "Sébastien", "Contoso", "seb@contoso.com", "Orléans"],
        [str(martin), "MARTIN", "Zoé"],
    ]
    # the Contacts screen's filter: every word, case and accents ignored, across fields
    found = run_cli("contacts", "list", "--filter", "SEBASTIEN orleans")
    assert [line.split()[0] for line in found.stdout.splitlines()] == [str(dupont)]
    assert run_cli("contacts", "list", "--filter", "zoe").stdout.split()[0] == str(martin)
    assert run_cli("contacts", "list", "--filter", "nobody").stdout == ""

    shown = run_cli("contacts", "list", "--filter", "contoso", "--json")
    assert shown.stdout.count("\n") == 1
    [contact] = shown.json()["contacts"]
    assert "photo" not in contact
    assert {k: v for k, v in contact.items() if k not in ("created_at", "updated_at")} == {
        "id": dupont,
        "last_name": "Dupont",
        "first_name": "Sébastien",
        "civility": "",
        "company": "Contoso",
        "job_title": "",
        "email": "seb@contoso.com",
        "phone": "",
        "mobile": "",
        "address_lines": ["1 rue de la Paix", "Bât. B"],
        "postal_code": "45000",
        "city": "Orléans",
        "country": "",
        "note": "met at the fair",
        "has_photo": True,
    }

    edited = run_cli("contacts", "edit", str(dupont), "--city", "Lyon", "--company", "", "--no-photo")
    assert (edited.exit_code, edited.stdout) == (0, "Contact DUPONT Sébastien saved\n")
    after = run_cli("contacts", "list", "--json").json()["contacts"][0]
    assert (after["city"], after["company"], after["has_photo"]) == ("Lyon", "", False)
    assert (after["email"], after["address_lines"]) == ("seb@contoso.com", ["1 rue de la Paix", "Bât. B"])
    run_cli("contacts", "edit", str(dupont), "--address", "2 quai Nord", "--photo", str(photo))
    after = run_cli("contacts", "list", "--json").json()["contacts"][0]
    assert (after["address_lines"], after["has_photo"]) == (["2 quai Nord"], True)

    run_cli("user", "add", "CARINE", "Carine")
    run_cli("contacts", "sync-list", "CARINE", "--add", str(dupont), str(martin))
    gone = run_cli("contacts", "delete", str(dupont), "--yes")
    assert gone.exit_code == 0
    assert gone.stdout.splitlines() == [
        "Contact DUPONT Sébastien deleted",
        "It was on the contacts to sync of CARINE: each one's next sync deletes its Microsoft 365 copy",
    ]
    assert run_cli("contacts", "sync-list", "CARINE", "--json").json()["count"] == 1
    assert run_cli("contacts", "delete", str(martin), "--yes").stdout.splitlines()[1:] == [
        "It was on the contacts to sync of CARINE: each one's next sync deletes its Microsoft 365 copy"
    ]
    assert run_cli("contacts", "list", "--json").json() == {"contacts": []}


def test_a_contact_on_no_list_is_just_deleted(run_cli) -> None:
    cid = run_cli("contacts", "add", "--last-name", "", "--company", "Fabrikam").stdout.strip()
    assert run_cli("contacts", "delete", cid, "--yes").stdout == "Contact Fabrikam deleted\n"


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["add", "--last-name", "X", "--email", "x@"], "tui-sync: --email 'x@' is not an e-mail address\n"),
        (["add", "--last-name", " "], "tui-sync: --last-name: a contact needs a name or a company\n"),
        (
            ["add", "--last-name", "X", *["--address", "l"] * 4],
            "--address: at most 3 address lines\n",
        ),
        (["add", "--last-name", "X", "--photo", "missing.png"], "--photo: cannot read "),
        (["add", "--last-name", "X", "--photo", "{big}"], "tui-sync: --photo: is 4.0 MB; Microsoft 365"),
        (
            ["add", "--last-name", "X", "--photo", "{text}"],
            "--photo: must be a JPEG or PNG image\n",
        ),
        (
            ["add", "--last-name", "X", "--photo", "{fake}"],
            "fake.png starts like a PNG image but cannot be read as one (damaged or cut short)\n",
        ),
        (
            ["edit", "{id}", "--photo", "{cut}"],
            "cut.jpg starts like a JPEG image but cannot be read as one (damaged or cut short)\n",
        ),
        (["edit", "{id}", "--email", "bad"], "tui-sync: --email 'bad' is not an e-mail address\n"),
        (["edit", "{id}", "--last-name", ""], "tui-sync: --last-name: a contact needs a name or a company\n"),
        (["edit", "{id}", "--photo", "{big}"], "tui-sync: --photo: is 4.0 MB"),
        (["edit", "{id}"], "tui-sync: nothing to change: give at least one of --last-name"),
        (["edit", "424242", "--city", "Lyon"], "tui-sync: no contact with id 424242\n"),
        (["delete", "424242", "--yes"], "tui-sync: no contact with id 424242\n"),
        (["delete", "{id}"], "tui-sync: --yes: give it to delete contact "),
        (["add", "--city", "Lyon"], "--last-name: a contact needs a name or a company"),
    ],
)
def test_bad_input_is_one_line_exit_2_nothing_changed(
    run_cli, db_dump, tmp_path: Path, args: list[str], expected: str
) -> None:
    big = tmp_path / "big.jpg"
    big.write_bytes(JPEG_HEAD + b"\x00" * (4 * 1024 * 1024))
    text = tmp_path / "photo.png"
    text.write_text("not an image")
    small = tmp_path / "small.png"
    small.write_bytes(PNG)
    cid = run_cli("contacts", "add", "--last-name", "Kept", "--photo", str(small)).stdout
    fake = tmp_path / "fake.png"
    fake.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 64)  # the signature and nothing a viewer can draw
    cut = tmp_path / "cut.jpg"
    cut.write_bytes(JPEG_HEAD[:12])  # the frame header cut short
    values = {
        "{big}": str(big),
        "{text}": str(text),
        "{fake}": str(fake),
        "{cut}": str(cut),
        "{id}": cid.strip(),
    }
    before = db_dump(run_cli.database)
    result = run_cli("contacts", *[values.get(a, a) for a in args])
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr.count("\n") == 1 and expected in result.stderr, result.stderr
    assert db_dump(run_cli.database) == before
