"""`tui-sync import` on real exports (tests/data/real, see its SOURCES.md) and on the mistakes a newcomer
makes: importing a file twice or our own export back adds nothing twice; nothing is dropped without a
word (what the CRM has no place for is counted by kind, `--json` lists it); Outlook's and Android's
vCard 2.1 and Outlook's and Google's CSV columns are read; a TZID is never read in the wrong zone; a
refusal names the line at fault and lists every bad record, and `--skip-invalid` imports the others."""

from __future__ import annotations

import asyncio
import json
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from tui_sync.domain.models import Contact
from tui_sync.services.transfer import ALL_TIME
from tui_sync.store import Store

DATA = Path(__file__).resolve().parents[1] / "data"
REAL = DATA / "real"
PARIS = ZoneInfo("Europe/Paris")


def stored(database: Path, what: str, *args: str) -> list:
    async def load() -> list:
        store = await Store.open(database, PARIS)
        try:
            return await getattr(store, what)(*args)
        finally:
            await store.close()

    return asyncio.run(load())


@pytest.fixture
def crm(run_cli):
    assert run_cli("user", "add", "CARINE", "Carine Dupont").exit_code == 0
    return run_cli


def agenda_counts(crm) -> tuple[int, int]:
    return (
        len(stored(crm.database, "single_actions", "CARINE", ALL_TIME)),
        len(stored(crm.database, "series_of", "CARINE")),
    )


# --- a file imported twice, our own export imported back ------------------------------------------


def test_the_same_ics_twice_and_our_own_export_add_nothing(crm, tmp_path: Path) -> None:
    first = crm("import", "agenda", str(DATA / "agenda.ics"), "--user", "CARINE")
    assert first.stdout.startswith("Imported into CARINE's agenda: 6 new, 0 updated, 0 unchanged")
    again = crm("import", "agenda", str(DATA / "agenda.ics"), "--user", "CARINE")
    assert again.exit_code == 0
    assert again.stdout.startswith("Imported into CARINE's agenda: 0 new, 0 updated, 6 unchanged")
    assert agenda_counts(crm) == (4, 2)

    crm("agenda", "add", "--user", "CARINE", "--title", "Made in the CRM", "--start", "2024-05-02 10:00")
    exported = tmp_path / "mine.ics"
    assert crm("export", "agenda", "--user", "CARINE", str(exported)).exit_code == 0
    back = crm("import", "agenda", str(exported), "--user", "CARINE")
    assert back.stdout.startswith("Imported into CARINE's agenda: 0 new, 0 updated, 7 unchanged")
    assert agenda_counts(crm) == (5, 2)

    # the file changed: the item it names is updated, not copied
    changed = exported.read_text(encoding="utf-8").replace("SUMMARY:Made in the CRM", "SUMMARY:Renamed")
    exported.write_text(changed, encoding="utf-8")
    updated = crm("import", "agenda", str(exported), "--user", "CARINE")
    assert updated.stdout.startswith("Imported into CARINE's agenda: 0 new, 1 updated, 6 unchanged")
    titles = [a.title for a in stored(crm.database, "single_actions", "CARINE", ALL_TIME)]
    assert "Renamed" in titles and "Made in the CRM" not in titles and len(titles) == 5


def test_an_edited_series_in_the_file_is_rewritten_not_copied(crm, tmp_path: Path) -> None:
    crm("import", "agenda", str(DATA / "agenda.ics"), "--user", "CARINE")
    text = (DATA / "agenda.ics").read_text(encoding="utf-8")
    # the weekly series loses its cancelled occurrence and gets another title
    edited = text.replace("SUMMARY:Réunion d'équipe\n", "SUMMARY:Réunion hebdo\n").replace(
        "EXDATE;TZID=Romance Standard Time:20240401T090000\n", ""
    )
    assert edited != text
    path = tmp_path / "edited.ics"
    path.write_text(edited, encoding="utf-8")
    result = crm("import", "agenda", str(path), "--user", "CARINE")
    assert result.stdout.startswith("Imported into CARINE's agenda: 0 new, 1 updated, 5 unchanged")
    weekly = next(s for s in stored(crm.database, "series_of", "CARINE") if s.title == "Réunion hebdo")
    assert weekly.cancelled == frozenset()
    assert agenda_counts(crm) == (4, 2)


@pytest.mark.parametrize("sample", ["contacts.vcf", "contacts.csv"])
def test_the_same_contacts_twice_and_our_own_export_add_nothing(crm, tmp_path: Path, sample: str) -> None:
    crm("import", "contacts", str(DATA / sample))
    again = crm("import", "contacts", str(DATA / sample))
    assert again.stdout.startswith("Imported contacts: 0 new, 0 updated, 3 unchanged")
    assert len(stored(crm.database, "list_contacts")) == 3
    for name in ("mine.vcf", "mine.csv"):
        assert crm("export", "contacts", str(tmp_path / name)).exit_code == 0
        back = crm("import", "contacts", str(tmp_path / name))
        assert back.stdout.startswith("Imported contacts: 0 new, 0 updated, 3 unchanged"), name
    assert len(stored(crm.database, "list_contacts")) == 3


def test_a_changed_card_updates_its_contact(crm, tmp_path: Path) -> None:
    crm("import", "contacts", str(REAL / "rfc2426-example.vcf"))
    text = (REAL / "rfc2426-example.vcf").read_text(encoding="utf-8")
    path = tmp_path / "moved.vcf"
    path.write_text(text.replace("Mountain View", "Palo Alto"), encoding="utf-8")
    result = crm("import", "contacts", str(path))
    assert result.stdout.startswith("Imported contacts: 0 new, 1 updated, 1 unchanged")
    cities = sorted(c.city for c in stored(crm.database, "list_contacts"))
    assert cities == ["Palo Alto", "Raleigh"]


# --- nothing lost without a word ------------------------------------------------------------------


def test_rfc2426_cards_with_fn_and_no_n_keep_their_names(crm) -> None:
    result = crm("import", "contacts", str(REAL / "rfc2426-example.vcf"))
    assert result.exit_code == 0
    people = {(c.last_name, c.first_name, c.company) for c in stored(crm.database, "list_contacts")}
    assert people == {
        ("Dawson", "Frank", "Lotus Development Corporation"),
        ("Howes", "Tim", "Netscape Communications Corp."),
    }
    # their fax numbers, second e-mail, URL and region are said, by kind
    assert result.stdout.splitlines()[1] == (
        "Skipped (the CRM has no place for them): 2 × fax number, 2 × region/state, "
        "1 × e-mail address beyond the first, 1 × web address (URL)"
    )


def test_tasks_journal_entries_and_free_busy_are_reported_not_dropped(crm) -> None:
    result = crm("import", "agenda", str(REAL / "issue_1050_all_components.ics"), "--user", "CARINE")
    assert result.exit_code == 0
    assert result.stdout.splitlines()[1] == (
        "Skipped (the CRM has no place for them): 1 × task (VTODO), 1 × journal entry (VJOURNAL)"
    )
    free_busy = crm("import", "agenda", str(REAL / "issue_1633_freebusy_with_dates.ics"), "--user", "CARINE")
    assert "1 × free/busy block (VFREEBUSY)" in free_busy.stdout


def test_json_lists_what_was_skipped_and_refused(crm) -> None:
    result = crm("import", "contacts", str(REAL / "John_Doe_ANDROID.vcf"), "--skip-invalid", "--json")
    assert result.exit_code == 0 and result.stderr == ""
    document = json.loads(result.stdout)
    assert (document["new"], document["updated"], document["unchanged"]) == (2, 0, 0)
    assert document["skipped_by_kind"] == {"category": 2, "phone number beyond the phone and mobile": 2}
    assert {"kind": "category", "where": "line 5"} not in document["skipped"]  # a refused card's
    assert [r["where"] for r in document["refused"]] == [
        "record 1 (line 1)",
        "record 2 (line 6)",
        "line 52",
        "line 82",
    ]


# --- Outlook's own formats ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "sample, who",
    [
        ("outlook-2003.vcf", ("Doe", "John", "Company, The", "jdoe@hotmail.com")),
        ("outlook-2007.vcf", ("Angstadt", "Michael", "TheCompany", "mike.angstadt@gmail.com")),
        ("John_Doe_MS_OUTLOOK.vcf", ("Doe", "John", "IBM", "john.doe@ibm.cm")),
    ],
)
def test_outlook_vcard_21_with_quoted_printable_is_read(crm, sample: str, who: tuple[str, ...]) -> None:
    result = crm("import", "contacts", str(REAL / sample))
    assert result.exit_code == 0, result.stderr
    (contact,) = stored(crm.database, "list_contacts")
    assert (contact.last_name, contact.first_name, contact.company, contact.email) == who
    if sample == "outlook-2003.vcf":  # a note in quoted-printable with soft line breaks
        assert contact.note == "This is the note field!!\nSecond line\n\nThird line is empty"


# Outlook's contact export writes these column names (and many more: the ones the CRM has no field
# for are reported); Google Contacts' export its own. The rows are ours.
OUTLOOK_HEADER = (
    '"Title","First Name","Middle Name","Last Name","Suffix","Company","Department","Job Title",'
    '"Business Street","Business City","Business State","Business Postal Code","Business Country/Region",'
    '"Business Fax","Business Phone","Mobile Phone","E-mail Address","E-mail 2 Address","Notes"'
)
OUTLOOK_ROW = (
    '"M.","Jean","","Dupont","","ACME","Ventes","Directeur","12 rue de la Paix","Paris","Île-de-France",'
    '"75002","France","+33 1 00 00 00 01","+33 1 00 00 00 00","+33 6 00 00 00 00",'
    '"jean.dupont@acme.example","","Client depuis 2019"'
)
GOOGLE_HEADER = (
    "Name,Given Name,Family Name,Organization 1 - Name,Organization 1 - Title,E-mail 1 - Type,"
    "E-mail 1 - Value,Phone 1 - Type,Phone 1 - Value,Phone 2 - Type,Phone 2 - Value,Address 1 - City,Notes"
)
GOOGLE_ROW = (
    "Jean Dupont,Jean,Dupont,ACME,Directeur,* Work,jean.dupont@acme.example,Mobile,+33 6 00 00 00 00,"
    "Work,+33 1 00 00 00 00,Paris,Client depuis 2019"
)


@pytest.mark.parametrize(
    "header, row, skipped",
    [
        (
            OUTLOOK_HEADER,
            OUTLOOK_ROW,
            "1 × column 'Department', 1 × column 'Business State', 1 × column 'Business Fax'",
        ),
        (GOOGLE_HEADER, GOOGLE_ROW, "1 × column 'Name', 1 × column 'E-mail 1 - Type'"),
    ],
    ids=["outlook", "google"],
)
def test_outlook_and_google_csv_columns_are_read(crm, tmp_path: Path, header, row, skipped) -> None:
    path = tmp_path / "export.csv"
    path.write_text(f"{header}\r\n{row}\r\n", encoding="utf-8")
    result = crm("import", "contacts", str(path))
    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines()[1] == f"Skipped (the CRM has no place for them): {skipped}"
    (contact,) = stored(crm.database, "list_contacts")
    assert (contact.last_name, contact.first_name, contact.company, contact.job_title) == (
        "Dupont",
        "Jean",
        "ACME",
        "Directeur",
    )
    assert (contact.email, contact.phone, contact.mobile, contact.city, contact.note) == (
        "jean.dupont@acme.example",
        "+33 1 00 00 00 00",
        "+33 6 00 00 00 00",
        "Paris",
        "Client depuis 2019",
    )


# --- time-zone ids --------------------------------------------------------------------------------


def event_file(tmp_path: Path, start_line: str) -> Path:
    path = tmp_path / "zone.ics"
    path.write_text(
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:test\r\nBEGIN:VEVENT\r\nUID:z1\r\nSUMMARY:Call\r\n"
        f"{start_line}\r\nDURATION:PT1H\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n",
        encoding="utf-8",
    )
    return path


def test_an_old_us_zone_id_is_read_in_its_zone(crm, tmp_path: Path) -> None:
    path = event_file(tmp_path, "DTSTART;TZID=US-Eastern:20240115T090000")
    assert crm("import", "agenda", str(path), "--user", "CARINE").exit_code == 0
    (action,) = stored(crm.database, "single_actions", "CARINE", ALL_TIME)
    assert action.start == datetime(2024, 1, 15, 15, 0, tzinfo=PARIS)  # 09:00 in New York


def test_an_unknown_zone_id_refuses_the_file_naming_it(crm, db_dump) -> None:
    before = db_dump(crm.database)
    result = crm("import", "agenda", str(REAL / "issue_722_missing_VTIMEZONE_custom.ics"), "--user", "CARINE")
    assert result.exit_code == 2
    assert result.stderr == (
        "tui-sync: issue_722_missing_VTIMEZONE_custom.ics line 3 (event 1): time zone 'CUSTOM_tzid' is not "
        "defined in the file (no VTIMEZONE) and is not a zone name we know: add its VTIMEZONE or use an "
        "IANA name such as Europe/Paris\n"
    )
    assert db_dump(crm.database) == before


def test_a_file_vtimezone_is_used(crm) -> None:
    # DTSTART;TZID=custom_America/New_York:20140829T080000, a zone the file defines (VTIMEZONE)
    result = crm("import", "agenda", str(REAL / "america_new_york.ics"), "--user", "CARINE")
    assert result.exit_code == 0
    (action,) = stored(crm.database, "single_actions", "CARINE", ALL_TIME)
    assert action.start == datetime(2014, 8, 29, 8, 0, tzinfo=ZoneInfo("America/New_York"))


# --- errors that point at the cause ---------------------------------------------------------------


def test_lotus_notes_card_with_profile_is_read(crm) -> None:
    result = crm("import", "contacts", str(REAL / "John_Doe_LOTUS_NOTES.vcf"))
    assert result.exit_code == 0, result.stderr
    (contact,) = stored(crm.database, "list_contacts")
    assert (contact.last_name, contact.first_name, contact.company) == ("Doe", "John", "IBM")


def test_every_bad_record_is_listed_and_nothing_imported(crm, db_dump) -> None:
    before = db_dump(crm.database)
    result = crm("import", "contacts", str(REAL / "John_Doe_ANDROID.vcf"))
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr.splitlines() == [
        "tui-sync: John_Doe_ANDROID.vcf: 4 records cannot be imported, so nothing was imported "
        "(--skip-invalid imports the others):",
        "John_Doe_ANDROID.vcf record 1 (line 1): last_name: a contact needs a name or a company",
        "John_Doe_ANDROID.vcf record 2 (line 6): last_name: a contact needs a name or a company",
        "John_Doe_ANDROID.vcf line 52: PHOTO is not valid base64",
        "John_Doe_ANDROID.vcf line 82: the quoted-printable value is not UTF-8 text",
    ]
    assert db_dump(crm.database) == before


def test_skip_invalid_imports_the_others_and_lists_them(crm) -> None:
    result = crm("import", "contacts", str(REAL / "John_Doe_ANDROID.vcf"), "--skip-invalid")
    assert result.exit_code == 0
    assert result.stdout.startswith("Imported contacts: 2 new, 0 updated, 0 unchanged")
    assert result.stderr.splitlines()[0] == (
        "tui-sync: not imported: John_Doe_ANDROID.vcf record 1 (line 1): last_name: a contact needs a name "
        "or a company"
    )
    assert len(result.stderr.splitlines()) == 4
    assert len(stored(crm.database, "list_contacts")) == 2


# --- every real file: an import or one clear refusal ----------------------------------------------

REAL_FILES = sorted(p.name for p in REAL.iterdir() if p.suffix in (".vcf", ".ics"))


@pytest.mark.parametrize("name", REAL_FILES)
def test_every_real_file_imports_or_is_refused_in_clear_lines(crm, db_dump, name: str) -> None:
    what = (
        ["agenda", str(REAL / name), "--user", "CARINE"]
        if name.endswith(".ics")
        else ["contacts", str(REAL / name)]
    )
    before = db_dump(crm.database)
    result = crm("import", *what)
    assert "Traceback" not in result.stderr
    if result.exit_code == 2:
        assert result.stdout == "" and result.stderr.startswith(f"tui-sync: {name}")
        assert db_dump(crm.database) == before  # all or nothing
    else:
        assert result.exit_code == 0, result.stderr
        assert result.stdout.startswith("Imported")


def test_contact_fields_of_a_merged_csv_row_keep_what_the_file_has_no_column_for(crm, tmp_path: Path) -> None:
    crm("import", "contacts", str(DATA / "contacts.vcf"))
    dupont = next(c for c in stored(crm.database, "list_contacts") if c.last_name == "Dupont")
    path = tmp_path / "phones.csv"
    path.write_text(f"last_name,first_name,company,phone\nDupont,Jean,{dupont.company},+33 9 99 99 99 99\n")
    result = crm("import", "contacts", str(path))
    assert result.stdout.startswith("Imported contacts: 0 new, 1 updated, 0 unchanged")
    after: Contact = next(c for c in stored(crm.database, "list_contacts") if c.last_name == "Dupont")
    assert after.phone == "+33 9 99 99 99 99"
    assert (after.email, after.photo, after.note) == (dupont.email, dupont.photo, dupont.note)


# --- one rule for titles and notes, in the form and in an import ----------------------------------


def test_the_agenda_command_refuses_a_note_over_4_mb(crm, db_dump) -> None:
    before = db_dump(crm.database)
    huge = "x" * (4 * 1024 * 1024)
    result = crm(
        "agenda", "add", "--user", "CARINE", "--title", "Big", "--start", "2024-05-02 10:00", "--note", huge
    )
    assert result.exit_code == 2 and "note" in result.stderr and "4 MB" in result.stderr
    assert db_dump(crm.database) == before


def test_an_import_gives_untitled_events_a_placeholder_and_says_so(crm, tmp_path: Path) -> None:
    path = tmp_path / "untitled.ics"
    path.write_text(
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:test\r\nBEGIN:VEVENT\r\nUID:u1\r\n"
        "DTSTART:20240102T090000\r\nDURATION:PT1H\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n",
        encoding="utf-8",
    )
    result = crm("import", "agenda", str(path), "--user", "CARINE")
    assert result.exit_code == 0
    assert result.stderr == (
        "tui-sync: warning: 1 event has no title: imported as '(no title)' (edit them in the agenda)\n"
    )
    (action,) = stored(crm.database, "single_actions", "CARINE", ALL_TIME)
    assert action.title == "(no title)"


def test_the_contacts_command_and_an_import_refuse_a_note_over_4_mb(crm, db_dump, tmp_path: Path) -> None:
    before = db_dump(crm.database)
    huge = "x" * (4 * 1024 * 1024)
    added = crm("contacts", "add", "--last-name", "Dupont", "--note", huge)
    assert added.exit_code == 2 and "note" in added.stderr and "4 MB" in added.stderr
    path = tmp_path / "big.csv"
    path.write_text(f'last_name,note\nDupont,"{huge}"\n', encoding="utf-8")
    imported = crm("import", "contacts", str(path))
    assert imported.exit_code == 2 and imported.stderr.startswith("tui-sync: big.csv line 2: note: is 4.0 MB")
    assert db_dump(crm.database) == before
