"""`tui-sync import …` / `tui-sync export …` end to end on a real SQLite file: the sample files go in,
come out again (files, stdout, --json) and read back equal; a bad file changes nothing and says why in
one line with exit code 2."""

from __future__ import annotations

import asyncio
import base64
import json
import shutil
from dataclasses import replace
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from tui_sync.domain.models import Action, Contact, Series
from tui_sync.importers import read_calendar, read_contacts, read_vcards
from tui_sync.services.transfer import ALL_TIME
from tui_sync.store import Store

DATA = Path(__file__).resolve().parents[1] / "data"
PARIS = ZoneInfo("Europe/Paris")
TYPES = ("Tâche", "Rendez-vous", "Appel", "Réunion")


def bare(item: Contact | Action | Series) -> Contact | Action | Series:
    """Without what the store adds (ids, timestamps, series links), to compare with a file's content."""
    if isinstance(item, Series):
        item = replace(item, exceptions=tuple(bare(e) for e in item.exceptions))  # type: ignore[misc]
    if isinstance(item, Action):
        item = replace(item, series_id=None)
    return replace(item, id=None, created_at=None, updated_at=None)


def by_start(actions: tuple[Action, ...] | list[Action]) -> list[Action]:
    """The store lists actions by start; a file holds them in its own order."""
    return sorted(actions, key=lambda a: a.start)


def stored(database: Path, what: str, *args: str) -> list:
    """Read the database the CLI wrote, through the store."""

    async def load() -> list:
        store = await Store.open(database, PARIS)
        try:
            return await getattr(store, what)(*args)
        finally:
            await store.close()

    return asyncio.run(load())


@pytest.fixture
def crm(run_cli):
    """A CRM with the user CARINE (and so a database file to compare before / after)."""
    assert run_cli("user", "add", "CARINE", "Carine Dupont").exit_code == 0
    return run_cli


# --- contacts -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "sample, summary",
    [
        ("contacts.csv", "Imported contacts: 3 new, 0 updated, 0 unchanged (1 with photo)"),
        (
            "contacts.vcf",
            "Imported contacts: 3 new, 0 updated, 0 unchanged (2 with photo)\n"
            "Skipped (the CRM has no place for them): 1 × department (second unit of ORG), "
            "1 × fax number, 1 × address beyond the first, 1 × region/state, "
            "1 × e-mail address beyond the first",
        ),
    ],
)
def test_import_then_export_contacts_gives_them_back(crm, tmp_path: Path, sample: str, summary: str) -> None:
    expected = read_contacts((DATA / sample).read_bytes(), sample)
    result = crm("import", "contacts", str(DATA / sample))
    assert (result.exit_code, result.stdout, result.stderr) == (0, summary + "\n", "")
    in_store = [bare(c) for c in stored(crm.database, "list_contacts")]
    assert len(in_store) == 3 and set(in_store) == set(expected)

    for name in ("out.vcf", "out.csv"):
        exported = crm("export", "contacts", str(tmp_path / name))
        assert (exported.exit_code, exported.stdout) == (0, f"Exported 3 contacts to {tmp_path / name}\n")
        again = read_contacts((tmp_path / name).read_bytes(), name)
        assert set(again) == set(expected)

    on_stdout = crm("export", "contacts")
    assert on_stdout.exit_code == 0
    assert set(read_vcards(on_stdout.stdout)) == set(expected)


def test_export_contacts_json_is_one_object_with_base64_photos(crm) -> None:
    crm("import", "contacts", str(DATA / "contacts.vcf"))
    result = crm("export", "contacts", "--json")
    assert result.exit_code == 0
    document = json.loads(result.stdout)  # the whole of stdout is one JSON object
    assert list(document) == ["contacts"]
    by_name = {c["last_name"] or c["company"]: c for c in document["contacts"]}
    dupont = by_name["Dupont"]
    assert base64.b64decode(dupont["photo"]).startswith(b"\xff\xd8\xff")
    assert dupont["address_lines"] == ["12 rue de la Paix", "Bâtiment B"]
    assert isinstance(dupont["id"], int) and dupont["created_at"].endswith("+01:00")
    assert by_name["Transports Lefèvre"]["photo"] is None


# --- agenda ---------------------------------------------------------------------------------------


def test_import_then_export_agenda_gives_it_back(crm, tmp_path: Path) -> None:
    expected = read_calendar((DATA / "agenda.ics").read_bytes(), "CARINE", PARIS, TYPES)
    result = crm("import", "agenda", str(DATA / "agenda.ics"), "--user", "carine")
    assert result.exit_code == 0
    assert result.stdout == (
        "Imported into CARINE's agenda: 6 new, 0 updated, 0 unchanged "
        "(4 actions, 2 series, 1 exception, 1 cancelled occurrence)\n"
    )
    assert result.stderr == (
        "tui-sync: warning: 1 event has a category with no matching action type ('Salon'): "
        "imported as 'Tâche'\n"
    )
    # what the database holds
    singles = stored(crm.database, "single_actions", "CARINE", ALL_TIME)
    assert [bare(a) for a in singles] == by_start(expected.actions)
    assert [bare(s) for s in stored(crm.database, "series_of", "CARINE")] == list(expected.series)

    # out to a file and back
    exported = crm("export", "agenda", "--user", "CARINE", str(tmp_path / "out.ics"))
    assert (exported.exit_code, exported.stdout) == (
        0,
        f"Exported 4 actions and 2 series of CARINE to {tmp_path / 'out.ics'}\n",
    )
    again = read_calendar((tmp_path / "out.ics").read_bytes(), "CARINE", PARIS, TYPES)
    assert (by_start(again.actions), again.series) == (by_start(expected.actions), expected.series)
    text = (tmp_path / "out.ics").read_text(encoding="utf-8")
    # each item keeps the UID it came with, so that the calendar it came from recognises it
    sample = (DATA / "agenda.ics").read_text(encoding="utf-8")
    uids = {line for line in sample.splitlines() if line.startswith("UID:")}
    assert uids == {line for line in text.splitlines() if line.startswith("UID:")}

    # to stdout
    on_stdout = crm("export", "agenda", "--user", "CARINE")
    assert on_stdout.exit_code == 0 and on_stdout.stdout.startswith("BEGIN:VCALENDAR")
    back = read_calendar(on_stdout.stdout, "CARINE", PARIS, TYPES)
    assert (by_start(back.actions), back.series) == (by_start(expected.actions), expected.series)


def test_export_agenda_json(crm) -> None:
    crm("import", "agenda", str(DATA / "agenda.ics"), "--user", "CARINE")
    result = crm("export", "agenda", "--user", "CARINE", "--json")
    assert result.exit_code == 0
    document = json.loads(result.stdout)
    assert document["user"] == "CARINE"
    assert [a["title"] for a in document["actions"]] == [
        "Appel fournisseur",
        "Visite client Lyon",
        "Rendez-vous médical",
        "Salon professionnel",
    ]
    weekly = next(s for s in document["series"] if s["title"] == "Réunion d'équipe")
    assert weekly["start"] == "2024-03-04T09:00:00+01:00"
    assert weekly["recurrence"]["pattern"] == "weekly"
    assert weekly["recurrence"]["days_of_week"] == ["monday"]
    assert weekly["recurrence"]["end_date"] == "2024-06-24"
    assert weekly["cancelled"] == ["2024-04-01T09:00:00+02:00"]
    assert [e["original_start"] for e in weekly["exceptions"]] == ["2024-04-08T09:00:00+02:00"]


def test_export_of_an_empty_agenda(crm) -> None:
    result = crm("export", "agenda", "--user", "CARINE", "--json")
    assert json.loads(result.stdout) == {"user": "CARINE", "actions": [], "series": []}


# --- refusals: one line, exit 2, nothing changed --------------------------------------------------

GOOD_ROW = "M.,Dupont,Jean,ACME,,jean@acme.example,,,,,,,,,,"
HEADER = (
    "civility,last_name,first_name,company,job_title,email,phone,mobile,"
    "address1,address2,address3,postal_code,city,country,note,photo"
)
EVENT = "BEGIN:VEVENT\r\nUID:{uid}\r\nSUMMARY:{title}\r\n{body}\r\nEND:VEVENT\r\n"


def ics(*events: tuple[str, str]) -> str:
    body = "".join(
        EVENT.format(uid=f"e{i}", title=title, body=text) for i, (title, text) in enumerate(events)
    )
    return f"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:test\r\n{body}END:VCALENDAR\r\n"


GOOD_EVENT = ("Fine", "DTSTART:20240101T090000\r\nDTEND:20240101T100000")
BAD_FILES = {
    "bad CSV row": (
        "contacts",
        "people.csv",
        f"{HEADER}\n{GOOD_ROW}\n{GOOD_ROW}\n{GOOD_ROW[:-3]}\n",
        "people.csv line 4: expected 16 fields as in the header, found 13",
    ),
    "bad e-mail": (
        "contacts",
        "people.csv",
        f"{HEADER}\n{GOOD_ROW}\n,Durand,,,,x@,,,,,,,,,,\n",
        "people.csv line 3: email 'x@' is not an e-mail address",
    ),
    "vCard garbage": (
        "contacts",
        "people.vcf",
        "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Ok\r\nN:Ok;;;;\r\nEND:VCARD\r\n\x00\x01garbage\r\n",
        "people.vcf line 6: expected BEGIN:VCARD, found '\\x00\\x01garbage'",
    ),
    "ICS with a bad date": (
        "agenda",
        "agenda.ics",
        ics(GOOD_EVENT, ("Broken", "DTSTART:20240230T250000\r\nDTEND:20240301T100000")),
        "agenda.ics line 13 (event 'Broken'): DTSTART '20240230T250000' is not a valid date or date-time",
    ),
    "unsupported RRULE": (
        "agenda",
        "agenda.ics",
        ics(GOOD_EVENT, ("Every 5th Monday", "DTSTART:20240101T090000\r\nRRULE:FREQ=MONTHLY;BYDAY=5MO")),
        "agenda.ics line 14 (event 'Every 5th Monday'): RRULE FREQ=MONTHLY;BYDAY=5MO cannot be expressed "
        "in Outlook (position 5: Outlook knows first to fourth and last)",
    ),
}


@pytest.mark.parametrize("what, name, text, message", BAD_FILES.values(), ids=BAD_FILES.keys())
def test_a_bad_file_imports_nothing(crm, db_dump, tmp_path: Path, what, name, text, message) -> None:
    crm("import", "contacts", str(DATA / "contacts.csv"))  # something already there, left untouched
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    before = db_dump(crm.database)
    args = ["import", what, str(path)] + (["--user", "CARINE"] if what == "agenda" else [])
    result = crm(*args)
    assert (result.exit_code, result.stdout, result.stderr) == (2, "", f"tui-sync: {message}\n")
    assert db_dump(crm.database) == before


@pytest.mark.parametrize(
    "args, message",
    [
        (
            ["import", "contacts", "missing.csv"],
            "missing.csv: cannot read the file (No such file or directory)",
        ),
        (["import", "agenda", "{data}/agenda.ics", "--user", "NOBODY"], "NOBODY"),
        (["export", "contacts", "out.txt"], "out.txt: unknown export format"),
        (["export", "contacts", "out.csv", "--json"], "give a FILE or --json, not both"),
        (["export", "agenda", "--user", "CARINE", "out.vcf"], "out.vcf: an agenda exports to an .ics file"),
    ],
)
def test_bad_arguments_are_one_line_exit_2(crm, db_dump, args: list[str], message: str) -> None:
    before = db_dump(crm.database)
    result = crm(*[a.format(data=DATA) for a in args])
    assert result.exit_code == 2
    assert result.stderr.startswith("tui-sync: ") and message in result.stderr
    assert result.stderr.count("\n") == 1 and result.stdout == ""
    assert db_dump(crm.database) == before


def test_contacts_format_by_content_when_the_extension_is_unknown(crm, tmp_path: Path) -> None:
    path = tmp_path / "export.txt"
    shutil.copy(DATA / "contacts.vcf", path)
    result = crm("import", "contacts", str(path))
    assert result.exit_code == 0
    assert result.stdout.startswith("Imported contacts: 3 new, 0 updated, 0 unchanged (2 with photo)\n")
