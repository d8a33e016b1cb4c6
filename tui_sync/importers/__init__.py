"""CSV, vCard and iCalendar in and out of the CRM's domain types, and the `--json` form.

Pure converters: text or bytes in, domain objects out (and back); no files, no database. Each reader
refuses a whole file at its first bad record with a `BadInput` whose one line names the record or line
and the reason, because an import is one transaction. The CLI (`tui_sync.commands.transfer`) does the
reading of files and the storing.

    read_contacts(data, name)        CSV or vCard, chosen by the file name's extension, else by content
    read_contacts_csv / write_contacts_csv     see contacts_csv for the column names
    read_vcards / write_vcards                 vCard 3.0 / 4.0 in, 3.0 out
    read_calendar / write_calendar             iCalendar: actions, series, exceptions, cancellations
    contacts_json / agenda_json                the `--json` objects
"""

from __future__ import annotations

from pathlib import PurePath

from tui_sync import messages
from tui_sync.domain.models import Contact
from tui_sync.errors import BadInput
from tui_sync.importers.common import decode_text
from tui_sync.importers.contacts_csv import COLUMNS, looks_like_csv, read_contacts_csv, write_contacts_csv
from tui_sync.importers.icalendar_io import AgendaImport, read_calendar, write_calendar
from tui_sync.importers.json_out import agenda_json, contacts_json
from tui_sync.importers.vcard import looks_like_vcard, read_vcards, write_vcards

CSV_SUFFIXES = (".csv",)
VCARD_SUFFIXES = (".vcf", ".vcard")


def read_contacts(data: bytes | str, name: str) -> list[Contact]:
    """The contacts of a CSV or vCard file: by `name`'s extension, else by what the text looks like."""
    suffix = PurePath(name).suffix.lower()
    source = PurePath(name).name or name
    if suffix in CSV_SUFFIXES:
        return read_contacts_csv(data, source)
    if suffix in VCARD_SUFFIXES:
        return read_vcards(data, source)
    text = decode_text(data, source)
    if looks_like_vcard(text):
        return read_vcards(text, source)
    if looks_like_csv(text):
        return read_contacts_csv(text, source)
    raise BadInput(messages.unknown_contacts_format(source))


__all__ = [
    "COLUMNS",
    "AgendaImport",
    "agenda_json",
    "contacts_json",
    "read_calendar",
    "read_contacts",
    "read_contacts_csv",
    "read_vcards",
    "write_calendar",
    "write_contacts_csv",
    "write_vcards",
]
