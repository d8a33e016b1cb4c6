"""Contacts as CSV, in and out.

The file has a header row naming its columns; these are the names (any order, any subset, case and
surrounding blanks ignored; an unknown name is refused so that a typo never silently drops a column):

    civility, last_name, first_name, company, job_title, email, phone, mobile,
    address1, address2, address3, postal_code, city, country, note, photo

An export from Outlook ("First Name", "E-mail Address", "Business Phone", …) or Google Contacts
("Given Name" or "First Name", "E-mail 1 - Value", "Phone 1 - Label" / "Phone 1 - Value", …) is read
by its own column names (FOREIGN_COLUMNS); its columns the CRM has no field for (Home Phone, Birthday,
Business State…) are reported with each row's count instead of being refused.

`photo` is the JPEG or PNG image in base64 (empty: no photo). `note` may span several lines (quoted, as
every spreadsheet writes it). Each row needs a last name, a first name or a company.

Reading accepts `;` or `,` as the delimiter (whichever the header row uses: spreadsheets in French
locales write `;`) and UTF-8 with or without a byte-order mark. Writing uses `,`, CRLF line ends
(RFC 4180) and every column, in the order above, without a byte-order mark.
"""

from __future__ import annotations

import base64
import binascii
import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass

from tui_sync import texts
from tui_sync.domain.models import Contact, InvalidValue, check_note
from tui_sync.errors import BadInput
from tui_sync.importers.common import (
    ContactRecord,
    ContactsRead,
    Refusal,
    Skip,
    bad_record,
    clean,
    decode_text,
    one_line,
    refuse_file,
)

COLUMNS = (
    "civility",
    "last_name",
    "first_name",
    "company",
    "job_title",
    "email",
    "phone",
    "mobile",
    "address1",
    "address2",
    "address3",
    "postal_code",
    "city",
    "country",
    "note",
    "photo",
)
# Outlook's contact export (its column names as Outlook writes them: First Name, E-mail Address, Business
# Phone…) and Google Contacts' (Given Name / First Name, E-mail 1 - Value, Phone 1 - Label/Value…), by
# lower-case name → our field. Their other columns are read and reported as not kept when not empty.
FOREIGN_COLUMNS: dict[str, str] = {
    # Outlook
    "title": "civility",
    "first name": "first_name",
    "last name": "last_name",
    "company": "company",
    "job title": "job_title",
    "e-mail address": "email",
    "business phone": "phone",
    "mobile phone": "mobile",
    "business street": "address1",
    "business street 2": "address2",
    "business street 3": "address3",
    "business postal code": "postal_code",
    "business city": "city",
    "business country/region": "country",
    "business country": "country",
    "notes": "note",
    # Google Contacts (older and current exports)
    "given name": "first_name",
    "family name": "last_name",
    "name prefix": "civility",
    "organization 1 - name": "company",
    "organization 1 - title": "job_title",
    "organization name": "company",
    "organization title": "job_title",
    "e-mail 1 - value": "email",
    "address 1 - street": "address1",
    "address 1 - postal code": "postal_code",
    "address 1 - city": "city",
    "address 1 - country": "country",
    **{f"phone {n} - {part}": f"phone-{key}:{n}" for n in range(1, 10) for part, key in
       (("type", "label"), ("label", "label"), ("value", "value"))},
}  # fmt: skip
_MAX_FIELD = 64 * 1024 * 1024  # a base64 photo is far larger than csv's default 128 KiB cell limit

# Which column names the user's fix when the domain refuses a field.
_FIELD_COLUMN = {"address_lines": "address1", "last_name": "last_name"}


def sniff_delimiter(header_line: str) -> str:
    """`;` or `,`: the one the header row uses more (a header never quotes these names)."""
    return ";" if header_line.count(";") > header_line.count(",") else ","


def looks_like_csv(text: str) -> bool:
    """True when the first non-blank line is a header row made only of our column names, or names an
    Outlook or Google export uses."""
    first = next((line for line in text.splitlines() if line.strip()), "")
    names = [n.strip().strip('"').lower() for n in first.split(sniff_delimiter(first))]
    return bool(names) and (all(n in COLUMNS for n in names) or any(n in FOREIGN_COLUMNS for n in names))


def read_contacts_csv(data: bytes | str, source: str = "contacts.csv") -> list[Contact]:
    """Every contact of a CSV file, or BadInput naming every bad line."""
    found = read_csv_file(data, source)
    if found.refused:
        raise refuse_file(source, list(found.refused))
    return [r.contact for r in found.records]


def read_csv_file(data: bytes | str, source: str = "contacts.csv") -> ContactsRead:
    """The contacts of a CSV file (ours, or an Outlook or Google export), the rows refused (line, why)
    and the non-empty cells of columns the CRM has no field for."""
    text = decode_text(data, source)
    first = next((line for line in text.splitlines() if line.strip()), None)
    if first is None:
        raise BadInput(texts.imports.no_header_row(source))
    csv.field_size_limit(max(csv.field_size_limit(), _MAX_FIELD))
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=sniff_delimiter(first), strict=True)
    header: _Header | None = None
    records: list[ContactRecord] = []
    refused: list[Refusal] = []
    skipped: list[Skip] = []
    line = 1
    try:
        for row in reader:
            if not row or (len(row) == 1 and not row[0].strip()):
                line = reader.line_num + 1
                continue
            if header is None:
                header = _read_header(row, source, line)
            else:
                where = texts.imports.at_line(line)
                try:
                    contact, skips = _read_row(header, row, where)
                except _RowRefused as error:
                    refused.append(Refusal(where, error.reason))
                else:
                    records.append(ContactRecord(contact, "", where, header.given, tuple(skips)))
                    skipped.extend(skips)
            line = reader.line_num + 1
    except csv.Error as error:  # the rest of the file cannot be told apart into rows
        refused.append(Refusal(texts.imports.at_line(line), texts.imports.not_csv(error)))
    if header is None:
        raise BadInput(texts.imports.no_header_row(source))
    if not records and not refused:  # as an empty .vcf: a file with nothing to import is a mistake
        raise BadInput(texts.imports.no_contacts(source))
    return ContactsRead(tuple(records), tuple(refused), tuple(skipped))


@dataclass(frozen=True)
class _Header:
    """The columns of a file: each one's field (None: a column the CRM has no field for)."""

    names: tuple[str, ...]
    fields: tuple[str | None, ...]
    foreign: bool  # an Outlook or Google export: several columns may feed one field

    @property
    def given(self) -> frozenset[str]:
        """The Contact fields this file has columns for (a re-import leaves the others as they are)."""
        found: set[str] = set()
        for name in self.fields:
            if name is None:
                continue
            if name.startswith("address"):
                found.add("address_lines")
            elif name.startswith("phone-"):
                found.update(("phone", "mobile"))
            else:
                found.add(name)
        return frozenset(found)


class _RowRefused(Exception):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def _read_header(row: list[str], source: str, line: int) -> _Header:
    names = [name.strip() for name in row]
    folded = [name.lower() for name in names]
    duplicates = sorted({n for n in folded if folded.count(n) > 1})
    if duplicates:
        raise bad_record(source, texts.imports.at_line(line), texts.imports.duplicate_column(duplicates[0]))
    if all(n in COLUMNS for n in folded):
        return _Header(tuple(folded), tuple(folded), foreign=False)
    if any(n in FOREIGN_COLUMNS for n in folded):
        return _Header(tuple(names), tuple(FOREIGN_COLUMNS.get(n) for n in folded), foreign=True)
    unknown = next(n for n in folded if n not in COLUMNS)
    raise bad_record(source, texts.imports.at_line(line), texts.imports.unknown_column(unknown, COLUMNS))


def _read_row(header: _Header, row: list[str], where: str) -> tuple[Contact, list[Skip]]:
    if len(row) != len(header.names):
        raise _RowRefused(texts.imports.wrong_field_count(len(header.names), len(row)))
    values: dict[str, str] = {}
    skips: list[Skip] = []
    phones: dict[str, dict[str, str]] = {}  # Google's numbered phones: number → label and value
    for name, field_name, raw in zip(header.names, header.fields, row, strict=True):
        value = clean(raw) if field_name == "note" else one_line(raw)
        if not value:
            continue
        if field_name is None:
            skips.append(Skip(texts.imports.skip_column(name), where))
        elif field_name.startswith(("phone-label:", "phone-value:")):
            part, number = field_name.split(":", 1)
            phones.setdefault(number, {})[part] = value
        elif field_name in values:  # an Outlook/Google file with two columns for one field
            skips.append(Skip(texts.imports.skip_column(name), where))
        else:
            values[field_name] = value
    skips.extend(_google_phones(phones, values, where))
    photo = _decode_photo(values.get("photo", ""))
    try:
        check_note(values.get("note", ""))
        contact = Contact(
            civility=values.get("civility", ""),
            last_name=values.get("last_name", ""),
            first_name=values.get("first_name", ""),
            company=values.get("company", ""),
            job_title=values.get("job_title", ""),
            email=values.get("email", ""),
            phone=values.get("phone", ""),
            mobile=values.get("mobile", ""),
            address_lines=tuple(values.get(f"address{i}", "") for i in (1, 2, 3)),
            postal_code=values.get("postal_code", ""),
            city=values.get("city", ""),
            country=values.get("country", ""),
            note=values.get("note", ""),
            photo=photo,
        )
    except InvalidValue as error:
        column = _FIELD_COLUMN.get(error.field) if not header.foreign else None
        raise _RowRefused(texts.domain.invalid_value(error, column)) from None
    return contact, skips


def _google_phones(phones: dict[str, dict[str, str]], values: dict[str, str], where: str) -> list[Skip]:
    """Google's "Phone N - Label/Value" pairs: the first mobile is the mobile, the first other number
    the phone; faxes, pagers and the other numbers are reported."""
    skips: list[Skip] = []
    for _, phone in sorted(phones.items(), key=lambda kv: int(kv[0]) if kv[0].isdigit() else 0):
        number = phone.get("phone-value", "").split(" ::: ")[0].strip()
        label = phone.get("phone-label", "").lower()
        if not number:
            continue
        if "fax" in label:
            skips.append(Skip(texts.imports.SKIP_FAX, where))
        elif "pager" in label:
            skips.append(Skip(texts.imports.SKIP_PAGER, where))
        elif "mobile" in label and "mobile" not in values:
            values["mobile"] = number
        elif "mobile" not in label and "phone" not in values:
            values["phone"] = number
        else:
            skips.append(Skip(texts.imports.SKIP_OTHER_PHONE, where))
    return skips


def _decode_photo(text: str) -> bytes | None:
    if not text:
        return None
    try:
        return base64.b64decode("".join(text.split()), validate=True)
    except (binascii.Error, ValueError):
        raise _RowRefused(texts.imports.PHOTO_NOT_BASE64) from None


def write_contacts_csv(contacts: Iterable[Contact]) -> str:
    """Every contact as one CSV row under the full header (see the module docstring)."""
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for c in contacts:
        lines = (*c.address_lines, "", "", "")[:3]
        writer.writerow(
            (
                c.civility,
                c.last_name,
                c.first_name,
                c.company,
                c.job_title,
                c.email,
                c.phone,
                c.mobile,
                *lines,
                c.postal_code,
                c.city,
                c.country,
                c.note,
                base64.b64encode(c.photo).decode("ascii") if c.photo else "",
            )
        )
    return out.getvalue()
