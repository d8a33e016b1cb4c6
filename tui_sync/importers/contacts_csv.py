"""Contacts as CSV, in and out.

The file has a header row naming its columns; these are the names (any order, any subset, case and
surrounding blanks ignored; an unknown name is refused so that a typo never silently drops a column):

    civility, last_name, first_name, company, job_title, email, phone, mobile,
    address1, address2, address3, postal_code, city, country, note, photo

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

from tui_sync import messages
from tui_sync.domain.models import Contact, InvalidValue
from tui_sync.errors import BadInput
from tui_sync.importers.common import (
    bad_record,
    clean,
    decode_text,
    one_line,
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
_MAX_FIELD = 64 * 1024 * 1024  # a base64 photo is far larger than csv's default 128 KiB cell limit

# Which column names the user's fix when the domain refuses a field.
_FIELD_COLUMN = {"address_lines": "address1", "last_name": "last_name"}


def sniff_delimiter(header_line: str) -> str:
    """`;` or `,`: the one the header row uses more (a header never quotes these names)."""
    return ";" if header_line.count(";") > header_line.count(",") else ","


def looks_like_csv(text: str) -> bool:
    """True when the first non-blank line is a header row made only of our column names."""
    first = next((line for line in text.splitlines() if line.strip()), "")
    names = [n.strip().strip('"').lower() for n in first.split(sniff_delimiter(first))]
    return bool(names) and all(n in COLUMNS for n in names)


def read_contacts_csv(data: bytes | str, source: str = "contacts.csv") -> list[Contact]:
    """Every contact of a CSV file, or BadInput naming the first bad line."""
    text = decode_text(data, source)
    first = next((line for line in text.splitlines() if line.strip()), None)
    if first is None:
        raise BadInput(messages.no_header_row(source))
    csv.field_size_limit(max(csv.field_size_limit(), _MAX_FIELD))
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=sniff_delimiter(first), strict=True)
    header: list[str] | None = None
    contacts: list[Contact] = []
    line = 1
    try:
        for row in reader:
            if not row or (len(row) == 1 and not row[0].strip()):
                line = reader.line_num + 1
                continue
            if header is None:
                header = _read_header(row, source, line)
            else:
                contacts.append(_read_row(header, row, source, line))
            line = reader.line_num + 1
    except csv.Error as error:
        raise bad_record(source, messages.at_line(line), messages.not_csv(error)) from None
    if header is None:
        raise BadInput(messages.no_header_row(source))
    return contacts


def _read_header(row: list[str], source: str, line: int) -> list[str]:
    names = [name.strip().lower() for name in row]
    for name in names:
        if name not in COLUMNS:
            raise bad_record(source, messages.at_line(line), messages.unknown_column(name, COLUMNS))
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise bad_record(source, messages.at_line(line), messages.duplicate_column(duplicates[0]))
    return names


def _read_row(header: list[str], row: list[str], source: str, line: int) -> Contact:
    where = messages.at_line(line)
    if len(row) != len(header):
        raise bad_record(source, where, messages.wrong_field_count(len(header), len(row)))
    values = {
        name: clean(value) if name == "note" else one_line(value)
        for name, value in zip(header, row, strict=True)
    }
    photo = _decode_photo(values.get("photo", ""), source, where)
    try:
        return Contact(
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
        raise bad_record(
            source, where, messages.invalid_value(error, _FIELD_COLUMN.get(error.field))
        ) from None


def _decode_photo(text: str, source: str, where: str) -> bytes | None:
    if not text:
        return None
    try:
        return base64.b64decode("".join(text.split()), validate=True)
    except (binascii.Error, ValueError):
        raise bad_record(source, where, messages.PHOTO_NOT_BASE64) from None


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
