"""What every importer shares: decoding the bytes a user gave us, and turning any problem with one
record into the single line a user reads (`BadInput`, exit 2).

Every reader in this package refuses a whole file at its first bad record rather than skipping it:
an import is one transaction, so a half-read file must never reach the database.
"""

from __future__ import annotations

from tui_sync.domain.models import InvalidValue
from tui_sync.errors import BadInput

# --- messages (import / export) -------------------------------------------------------------------
# User-facing sentences of this package, kept here until they are merged into tui_sync/messages.py.


def msg_record(source: str, where: str, reason: str) -> str:
    """`contacts.csv line 7: email 'x@' is not an e-mail address`."""
    return f"{source} {where}: {reason}"


def msg_not_utf8(source: str, line: int) -> str:
    return f"{source} line {line}: the file is not UTF-8 text"


def msg_empty(source: str, what: str) -> str:
    return f"{source}: no {what} found in the file"


def msg_invalid_value(error: InvalidValue, field_name: str | None = None) -> str:
    """A domain refusal as a reason: `email 'x@' is not an e-mail address`, `end: must be after …`."""
    name = field_name or error.field
    sep = " " if error.problem.startswith("'") else ": "
    return f"{name}{sep}{error.problem}"


def msg_imported_contacts(count: int, with_photo: int) -> str:
    noun = "contact" if count == 1 else "contacts"
    return f"Imported {count} {noun} ({with_photo} with photo)"


def msg_imported_agenda(user: str, actions: int, series: int, exceptions: int, cancelled: int) -> str:
    return (
        f"Imported into {user}'s agenda: {actions} action{'s' if actions != 1 else ''}, "
        f"{series} series ({exceptions} exception{'s' if exceptions != 1 else ''}, "
        f"{cancelled} cancelled occurrence{'s' if cancelled != 1 else ''})"
    )


def msg_unknown_categories(count: int, labels: list[str], fallback: str) -> str:
    shown = ", ".join(repr(label) for label in labels)
    noun = "event has a category" if count == 1 else "events have categories"
    return f"warning: {count} {noun} with no matching action type ({shown}): imported as {fallback!r}"


def msg_orphan_exceptions(count: int) -> str:
    noun = "modified occurrence has" if count == 1 else "modified occurrences have"
    return f"warning: {count} {noun} no series in the file: imported as single actions"


def msg_skipped_cancelled(count: int) -> str:
    noun = "cancelled event was" if count == 1 else "cancelled events were"
    return f"warning: {count} {noun} not imported"


def msg_exported(count: int, what: str, target: str) -> str:
    return f"Exported {count} {what} to {target}"


def msg_unknown_contacts_format(source: str) -> str:
    return f"{source}: not a contacts file (expected CSV with a header row, or vCard)"


def msg_unknown_export_format(source: str) -> str:
    return f"{source}: unknown export format (use a .vcf, .vcard or .csv file name, or --json)"


def msg_cannot_read(path: object, reason: str) -> str:
    return f"{path}: cannot read the file ({reason})"


def msg_cannot_write(path: object, reason: str) -> str:
    return f"{path}: cannot write the file ({reason})"


def msg_file_or_json(path: object) -> str:
    return f"{path}: give a FILE or --json, not both (--json prints to stdout)"


def msg_not_calendar(source: str, detail: str) -> str:
    return f"{source}: not an iCalendar file ({detail})"


def msg_not_ics(source: str) -> str:
    return f"{source}: an agenda exports to an .ics file (or --json)"


# --- helpers --------------------------------------------------------------------------------------


def decode_text(data: bytes | str, source: str) -> str:
    """UTF-8 text, with or without a byte-order mark; a non-UTF-8 file names the line where it breaks."""
    if isinstance(data, str):
        return data.removeprefix("\ufeff")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise BadInput(msg_not_utf8(source, data[: error.start].count(b"\n") + 1)) from None


def bad_record(source: str, where: str, reason: str) -> BadInput:
    """The one-line refusal of a file because of one record."""
    return BadInput(msg_record(source, where, reason))


def clean(value: str) -> str:
    """A field as we store it: no surrounding blanks, line breaks as `\\n` whatever the file used."""
    return value.replace("\r\n", "\n").replace("\r", "\n").strip()


def one_line(value: str) -> str:
    """A single-line field (a name, a phone, an address line): line breaks inside become spaces."""
    return clean(value).replace("\n", " ")
