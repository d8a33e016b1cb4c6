"""Contacts CSV and vCard: the sample files read as expected, every format round-trips (samples and
hypothesis), and each malformed file is refused with one line naming the line or record."""

from __future__ import annotations

import base64
from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.strategies import contacts as any_contact
from tui_sync.domain.models import Contact
from tui_sync.errors import BadInput
from tui_sync.importers import (
    COLUMNS,
    read_contacts,
    read_contacts_csv,
    read_vcards,
    write_contacts_csv,
    write_vcards,
)

DATA = Path(__file__).resolve().parents[1] / "data"
HEADER = ",".join(COLUMNS)


# The photos embedded in the sample files: an 8x8 grey baseline JPEG and a 2x2 PNG.
JPEG = base64.b64decode(
    "/9j/4AAQSkZJRgABAQAAAQABAAD/2wBDAAEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEB"
    "AQEBAQEBAQEBAQEBAQH/wAALCAAIAAgBAREA/8QAFAABAAAAAAAAAAAAAAAAAAAAAP/EABQQAQAAAAAAAAAAAAAAAAAAAAD/2gAI"
    "AQEAAD8AP//Z"
)
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAIAAAACCAIAAAD91JpzAAAAEElEQVR4nGNQWOAARAwQCgAbjgQBYGw5mAAAAABJRU5ErkJggg=="
)


DUPONT = Contact(
    civility="M.",
    last_name="Dupont",
    first_name="Jean",
    company="ACME SARL",
    job_title="Directeur commercial",
    email="jean.dupont@acme.example",
    phone="+33 1 23 45 67 89",
    mobile="+33 6 12 34 56 78",
    address_lines=("12 rue de la Paix", "Bâtiment B"),
    postal_code="75002",
    city="Paris",
    country="France",
    note="Rencontré au salon 2024.\nPréfère être appelé le matin.",
    photo=PNG,
)
MARTIN = Contact(
    civility="Mme",
    last_name="Martin",
    first_name="Élodie",
    company="Boulangerie Martin",
    job_title="Gérante",
    email="elodie@martin.example",
    phone="04 78 00 00 00",
    address_lines=("3, place Bellecour",),
    postal_code="69002",
    city="Lyon",
    country="France",
)
LEFEVRE = Contact(
    last_name="",
    company="Transports Lefèvre",
    email="contact@lefevre.example",
    phone="02 40 00 00 00",
    address_lines=("ZI Nord", "Allée 4", "Quai 12"),
    postal_code="44000",
    city="Nantes",
    country="France",
    note="Client depuis 2019",
)


def canonical(contact: Contact) -> Contact:
    """A contact as an import gives it back: fields stripped, single-line fields on one line."""

    def one(text: str) -> str:
        return text.strip().replace("\n", " ")

    return replace(
        contact,
        **{
            name: one(getattr(contact, name))
            for name in (
                "civility",
                "last_name",
                "first_name",
                "company",
                "job_title",
                "email",
                "phone",
                "mobile",
                "postal_code",
                "city",
                "country",
            )
        },
        address_lines=tuple(one(line) for line in contact.address_lines if one(line)),
        note=contact.note.strip(),
    )


# --- the sample files -----------------------------------------------------------------------------


def test_sample_csv_reads_every_column() -> None:
    """Semicolons, a byte-order mark, a quoted multi-line note and a base64 PNG photo."""
    found = read_contacts_csv((DATA / "contacts.csv").read_bytes())
    assert found == [DUPONT, MARTIN, LEFEVRE]
    assert PNG.startswith(b"\x89PNG")


def test_sample_vcard_reads_3_0_and_4_0_cards() -> None:
    found = read_vcards((DATA / "contacts.vcf").read_bytes())
    # 3.0: ENCODING=b JPEG photo folded over lines, work ADR chosen over home, extended address kept,
    # the fax number left out, escaped comma in NOTE.
    assert found[0] == replace(
        DUPONT, photo=JPEG, note="Rencontré au salon 2024.\nPréfère être appelé le matin, avant 10h."
    )
    assert JPEG.startswith(b"\xff\xd8\xff") and JPEG.endswith(b"\xff\xd9")
    # 4.0: data: URI PNG photo, TEL as tel: URIs with a quoted TYPE list, the PREF work e-mail.
    assert found[1] == replace(MARTIN, phone="+33-4-78-00-00-00", mobile="+33-6-98-76-54-32", photo=PNG)
    # Empty N with ORG: a company contact; street lines then the extended address.
    assert found[2] == LEFEVRE


@pytest.mark.parametrize("sample", ["contacts.csv", "contacts.vcf"])
@pytest.mark.parametrize("write", [write_contacts_csv, write_vcards], ids=["to-csv", "to-vcard"])
def test_samples_round_trip_through_both_formats(sample: str, write) -> None:
    """import → export (either format) → re-import gives the same contacts."""
    first = read_contacts((DATA / sample).read_bytes(), sample)
    text = write(first)
    again = read_contacts(text, "out.csv" if write is write_contacts_csv else "out.vcf")
    assert again == first


# --- CSV dialects ---------------------------------------------------------------------------------


def test_csv_comma_without_bom_and_a_subset_of_columns_in_any_order() -> None:
    text = " Email , LAST_NAME,first_name\r\nana@x.example,Diaz,Ana\r\n\r\n,Smith,\r\n"
    assert read_contacts_csv(text) == [
        Contact(last_name="Diaz", first_name="Ana", email="ana@x.example"),
        Contact(last_name="Smith"),
    ]


def test_csv_semicolon_with_bom_as_bytes() -> None:
    data = '\ufefflast_name;company;note\n« Zoé »;Café, Bar & Co;"a;b"\n'.encode()
    assert read_contacts_csv(data) == [Contact(last_name="« Zoé »", company="Café, Bar & Co", note="a;b")]


def test_csv_written_has_the_documented_header_and_crlf() -> None:
    text = write_contacts_csv([MARTIN])
    assert text.splitlines()[0] == HEADER
    assert text.endswith("\r\n") and text.count("\r\n") == 2


def test_a_csv_with_only_a_header_is_refused_as_empty() -> None:
    """As an empty .vcf: a file with nothing to import is a mistake worth saying (the wrong file)."""
    with pytest.raises(BadInput, match=r"^people.csv: no contacts in the file"):
        read_contacts_csv(HEADER + "\n", "people.csv")


# --- detection ------------------------------------------------------------------------------------


def test_format_by_content_when_the_extension_says_nothing() -> None:
    vcard = (DATA / "contacts.vcf").read_bytes()
    csv = (DATA / "contacts.csv").read_bytes()
    assert read_contacts(vcard, "export.txt") == read_vcards(vcard)
    assert read_contacts(csv, "export") == read_contacts_csv(csv)
    with pytest.raises(BadInput) as refused:
        read_contacts(b"hello world\n", "notes.txt")
    assert str(refused.value) == "notes.txt: not a contacts file (expected CSV with a header row, or vCard)"


# --- malformed files ------------------------------------------------------------------------------

CSV_ROW = "M.,Dupont,Jean,ACME,,jean@acme.example,,,,,,,,,,"
BAD_CSV = {
    "short row": (
        f"{HEADER}\n{CSV_ROW}\n{CSV_ROW[:-1]}\n",
        "contacts.csv line 3: expected 16 fields as in the header, found 15",
    ),
    "bad e-mail": (
        f"{HEADER}\n" + "\n".join([CSV_ROW] * 5) + "\n,Durand,,,,x@,,,,,,,,,,\n",
        "contacts.csv line 7: email 'x@' is not an e-mail address",
    ),
    "line counted after a multi-line note": (
        f'{HEADER}\n,A,,,,,,,,,,,,,"one\ntwo\nthree",\n,B,,,,nope,,,,,,,,,,\n',
        "contacts.csv line 5: email 'nope' is not an e-mail address",
    ),
    "no name": (
        f"{HEADER}\nM.,,,,Boss,,,,,,,,Paris,,,\n",
        "contacts.csv line 2: last_name: a contact needs a name or a company",
    ),
    "unknown column": (
        "last_name,emial\nDupont,x\n",
        "contacts.csv line 1: unknown column 'emial' (columns: " + ", ".join(COLUMNS) + ")",
    ),
    "duplicate column": ("last_name,city,city\nA,B,C\n", "contacts.csv line 1: column 'city' appears twice"),
    "photo not base64": ("last_name,photo\nA,***\n", "contacts.csv line 2: photo is not base64 data"),
    "photo not an image": (
        "last_name,photo\nA," + base64.b64encode(b"GIF89a....").decode() + "\n",
        "contacts.csv line 2: photo: must be a JPEG or PNG image",
    ),
    "unterminated quote": ('last_name,note\nA,"never closed\n', "contacts.csv line 2: not valid CSV"),
    "empty file": ("\n\n", "contacts.csv: no header row found in the file"),
}


@pytest.mark.parametrize("text, message", BAD_CSV.values(), ids=BAD_CSV.keys())
def test_malformed_csv_is_one_line_naming_the_line(text: str, message: str) -> None:
    with pytest.raises(BadInput) as refused:
        read_contacts_csv(text.encode())
    assert str(refused.value).startswith(message)
    assert "\n" not in str(refused.value)
    assert refused.value.exit_code == 2


def test_csv_not_utf8_names_the_line() -> None:
    data = f"{HEADER}\n,Dupont,,,,,,,,,,,,,,\n,Lef\xe8vre,,,,,,,,,,,,,,\n".encode("latin-1")
    with pytest.raises(BadInput, match=r"^contacts.csv line 3: the file is not UTF-8 text$"):
        read_contacts_csv(data)


CARD = "BEGIN:VCARD\r\nVERSION:3.0\r\nN:Doe;Jane;;;\r\nFN:Jane Doe\r\nEND:VCARD\r\n"
BAD_VCARD = {
    "garbage before": ("hello\r\n" + CARD, "contacts.vcf line 1: expected BEGIN:VCARD, found 'hello'"),
    "garbage between": (CARD + "oops\r\n" + CARD, "contacts.vcf line 6: expected BEGIN:VCARD, found 'oops'"),
    "bad content line": (
        CARD + "BEGIN:VCARD\r\nVERSION:3.0\r\nN;;;:x\r\nEND:VCARD\r\n",
        "contacts.vcf line 8: not a vCard line: 'N;;;:x'",
    ),
    "no END": (CARD + "BEGIN:VCARD\r\nN:A;B\r\n", "contacts.vcf record 2 (line 6): no END:VCARD"),
    "nested BEGIN": (
        "BEGIN:VCARD\r\nN:A\r\n" + CARD,
        "contacts.vcf record 1 (line 1): no END:VCARD before the next BEGIN:VCARD on line 3",
    ),
    "bad e-mail": (
        CARD + "BEGIN:VCARD\r\nVERSION:4.0\r\nFN:X\r\nEMAIL:x@\r\nEND:VCARD\r\n",
        "contacts.vcf record 2 (line 6): email 'x@' is not an e-mail address",
    ),
    "no name at all": (
        "BEGIN:VCARD\r\nVERSION:3.0\r\nTEL:1\r\nEND:VCARD\r\n",
        "contacts.vcf record 1 (line 1): last_name: a contact needs a name or a company",
    ),
    "photo not base64": (
        "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:X\r\nPHOTO;ENCODING=b;TYPE=JPEG:@@@\r\nEND:VCARD\r\n",
        "contacts.vcf line 4: PHOTO is not valid base64",
    ),
    "data URI not base64": (
        "BEGIN:VCARD\r\nVERSION:4.0\r\nFN:X\r\nPHOTO:data:image/png,rawbytes\r\nEND:VCARD\r\n",
        "contacts.vcf line 4: PHOTO data URI is not base64",
    ),
    "photo not an image": (
        "BEGIN:VCARD\r\nVERSION:4.0\r\nFN:X\r\nPHOTO:data:image/gif;base64,R0lGODlhAQABAAAAACw=\r\nEND:VCARD\r\n",
        "contacts.vcf record 1 (line 1): photo: must be a JPEG or PNG image",
    ),
    "empty": ("\r\n", "contacts.vcf: no vCard found in the file"),
}


@pytest.mark.parametrize("text, message", BAD_VCARD.values(), ids=BAD_VCARD.keys())
def test_malformed_vcard_is_one_line_naming_the_record(text: str, message: str) -> None:
    with pytest.raises(BadInput) as refused:
        read_vcards(text.encode())
    assert str(refused.value) == message


def test_vcard_photo_by_url_is_left_out_and_2_1_types_are_read() -> None:
    text = (
        "BEGIN:VCARD\r\nVERSION:2.1\r\nN:Doe;John\r\nTEL;WORK;VOICE:111\r\nTEL;CELL:222\r\n"
        "PHOTO;VALUE=URL;TYPE=JPEG:http://example.com/john.jpg\r\nEND:VCARD\r\n"
    )
    assert read_vcards(text) == [Contact(last_name="Doe", first_name="John", phone="111", mobile="222")]


def test_vcard_written_is_3_0_with_an_inline_photo() -> None:
    text = write_vcards([replace(DUPONT, photo=JPEG)])
    assert "VERSION:3.0\r\n" in text
    assert f"PHOTO;ENCODING=b;TYPE=JPEG:{base64.b64encode(JPEG).decode()}\r\n" in text
    assert "N:Dupont;Jean;;M.;\r\n" in text and "TEL;TYPE=CELL:+33 6 12 34 56 78\r\n" in text


# --- properties -----------------------------------------------------------------------------------

many_contacts = st.lists(any_contact(), min_size=1, max_size=4)


@settings(max_examples=150, deadline=None)
@given(many_contacts)
def test_any_contacts_round_trip_through_csv(contacts: list[Contact]) -> None:
    expected = [canonical(c) for c in contacts]
    assert read_contacts_csv(write_contacts_csv(contacts)) == expected
    assert read_contacts_csv(write_contacts_csv(expected)) == expected


@settings(max_examples=150, deadline=None)
@given(many_contacts)
def test_any_contacts_round_trip_through_vcard(contacts: list[Contact]) -> None:
    expected = [canonical(c) for c in contacts]
    assert read_vcards(write_vcards(contacts)) == expected
    assert read_vcards(write_vcards(expected)) == expected
