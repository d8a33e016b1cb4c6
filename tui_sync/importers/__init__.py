"""CSV, vCard and iCalendar in and out of the CRM's domain types, and the `--json` form.

Pure converters: text or bytes in, domain objects out (and back); no files, no database. Each reader
goes through the whole file and reports every record it refuses (where, why) and what it read but could
not keep (by kind), beside the records it read; `read_contacts`, `read_vcards` and `read_contacts_csv`
refuse the file listing them (`BadInput`). The CLI (`tui_sync.commands.transfer`) does the
reading of files and the storing.

    read_contacts(data, name)        CSV or vCard, chosen by the file name's extension, else by content
    read_contacts_csv / write_contacts_csv     see contacts_csv for the column names
    read_vcards / write_vcards                 vCard 3.0 / 4.0 in, 3.0 out
    read_calendar / write_calendar             iCalendar: actions, series, exceptions, cancellations
    contacts_json / agenda_json                the `--json` objects
"""

from __future__ import annotations

from pathlib import PurePath

from tui_sync import texts
from tui_sync.domain.models import Contact
from tui_sync.errors import BadInput
from tui_sync.importers.common import (
    ContactRecord,
    ContactsRead,
    Refusal,
    Skip,
    decode_text,
    refuse_file,
    skipped_by_kind,
)
from tui_sync.importers.contacts_csv import (
    COLUMNS,
    looks_like_csv,
    read_contacts_csv,
    read_csv_file,
    write_contacts_csv,
)
from tui_sync.importers.icalendar_io import AgendaImport, read_calendar, read_calendar_file, write_calendar
from tui_sync.importers.json_out import agenda_json, contacts_json
from tui_sync.importers.vcard import looks_like_vcard, read_vcard_file, read_vcards, write_vcards

CSV_SUFFIXES = (".csv",)
VCARD_SUFFIXES = (".vcf", ".vcard")


def read_contacts(data: bytes | str, name: str) -> list[Contact]:
    """The contacts of a CSV or vCard file (see read_contacts_file), or BadInput listing every record
    refused."""
    found = read_contacts_file(data, name)
    if found.refused:
        raise refuse_file(PurePath(name).name or name, list(found.refused))
    return [r.contact for r in found.records]


def read_contacts_file(data: bytes | str, name: str) -> ContactsRead:
    """What a CSV or vCard file holds (by `name`'s extension, else by what the text looks like): the
    contacts, the records refused and what was not kept."""
    suffix = PurePath(name).suffix.lower()
    source = PurePath(name).name or name
    if suffix in CSV_SUFFIXES:
        return read_csv_file(data, source)
    if suffix in VCARD_SUFFIXES:
        return read_vcard_file(data, source)
    text = decode_text(data, source)
    if looks_like_vcard(text):
        return read_vcard_file(text, source)
    if looks_like_csv(text):
        return read_csv_file(text, source)
    raise BadInput(texts.imports.unknown_contacts_format(source))


__all__ = [
    "COLUMNS",
    "AgendaImport",
    "ContactRecord",
    "ContactsRead",
    "Refusal",
    "Skip",
    "agenda_json",
    "contacts_json",
    "read_calendar",
    "read_calendar_file",
    "read_contacts",
    "read_contacts_csv",
    "read_contacts_file",
    "read_vcards",
    "refuse_file",
    "skipped_by_kind",
    "write_calendar",
    "write_contacts_csv",
    "write_vcards",
]
