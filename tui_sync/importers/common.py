"""What every importer shares: decoding the bytes a user gave us, and turning any problem with one
record into the single line a user reads (`BadInput`, exit 2).

Every reader in this package refuses a whole file at its first bad record rather than skipping it:
an import is one transaction, so a half-read file must never reach the database.
"""

from __future__ import annotations

from tui_sync import messages
from tui_sync.errors import BadInput


def decode_text(data: bytes | str, source: str) -> str:
    """UTF-8 text, with or without a byte-order mark; a non-UTF-8 file names the line where it breaks."""
    if isinstance(data, str):
        return data.removeprefix("\ufeff")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise BadInput(messages.not_utf8(source, data[: error.start].count(b"\n") + 1)) from None


def bad_record(source: str, where: str, reason: str) -> BadInput:
    """The one-line refusal of a file because of one record."""
    return BadInput(messages.record_refused(source, where, reason))


def clean(value: str) -> str:
    """A field as we store it: no surrounding blanks, line breaks as `\\n` whatever the file used."""
    return value.replace("\r\n", "\n").replace("\r", "\n").strip()


def one_line(value: str) -> str:
    """A single-line field (a name, a phone, an address line): line breaks inside become spaces."""
    return clean(value).replace("\n", " ")
