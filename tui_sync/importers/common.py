"""What every importer shares: decoding the bytes a user gave us, unfolding content lines, and what a
reader reports besides the records it read: the records it refused (where and why) and what it read
but could not keep (by kind: a fax number, a VTODO…), so that nothing is lost without a word.

A reader goes through the whole file and collects every refused record instead of stopping at the
first: the import then refuses the whole file listing all of them (an import is one transaction, a
half-read file never reaches the database), or with `--skip-invalid` imports the others and lists the
refused ones. A file that is not of the kind at all (not UTF-8, no header row, not iCalendar) is refused
at once with a `BadInput`.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from tui_sync import texts
from tui_sync.domain.models import Contact
from tui_sync.errors import BadInput


@dataclass(frozen=True)
class Refusal:
    """A record the CRM cannot take: where it is in the file (`line 7`, `record 2 (line 12)`) and why."""

    where: str
    reason: str


@dataclass(frozen=True)
class Skip:
    """Something read from a record but not kept, because the CRM has no place for it: its `kind` in a
    user's words ("fax number", "task (VTODO)") and where it is."""

    kind: str
    where: str


@dataclass(frozen=True)
class ContactRecord:
    """A contact read from a file, with the card's UID ("" when it has none: a CSV row, a card without
    UID) and where it is (for the list of what an import changed)."""

    contact: Contact
    uid: str
    where: str
    given: frozenset[str] | None = None  # the Contact fields the file has columns for; None: all
    skipped: tuple[Skip, ...] = ()  # what this record holds that the CRM has no place for


@dataclass(frozen=True)
class ContactsRead:
    """What a contacts file holds: the contacts read, the records refused, and what was not kept."""

    records: tuple[ContactRecord, ...] = ()
    refused: tuple[Refusal, ...] = ()
    skipped: tuple[Skip, ...] = ()


def skipped_by_kind(skips: Iterable[Skip]) -> dict[str, int]:
    """How many of each kind, most frequent first (ties in the order first met)."""
    counts = Counter(s.kind for s in skips)
    return dict(sorted(counts.items(), key=lambda kv: -kv[1]))


def refuse_file(source: str, refused: list[Refusal]) -> BadInput:
    """The refusal of a whole file: its one bad record as one line, or every bad record, one per line
    after a first line that says nothing was imported and how to import the rest."""
    lines = [texts.imports.record_refused(source, r.where, r.reason) for r in refused]
    if len(lines) == 1:
        return BadInput(lines[0])
    return BadInput("\n".join([texts.imports.records_refused(source, len(lines)), *lines]))


def decode_text(data: bytes | str, source: str) -> str:
    """UTF-8 text, with or without a byte-order mark; a non-UTF-8 file names the line where it breaks."""
    if isinstance(data, str):
        return data.removeprefix("\ufeff")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise BadInput(texts.imports.not_utf8(source, data[: error.start].count(b"\n") + 1)) from None


def unfold(text: str) -> list[tuple[int, str]]:
    """The logical lines of a vCard or iCalendar text, each with the file line it starts on: a line
    starting with a space or a tab continues the previous one (RFC 5545 §3.1, RFC 6350 §3.2). Blank
    lines are left out. Linear in the file's size: the pieces of a folded line are joined once, at the
    end (joining them one by one made a long folded DESCRIPTION take time in its length squared)."""
    found: list[tuple[int, list[str]]] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        if raw[:1] in (" ", "\t") and found:
            found[-1][1].append(raw[1:])
        elif raw.strip():
            found.append((number, [raw]))
    return [(number, "".join(parts)) for number, parts in found]


def split_value(line: str) -> tuple[str, str, str]:
    """`NAME;PARAMS`, the colon and the value of a content line: split at the first colon outside a
    quoted parameter value (no colon: the line, "", "")."""
    quoted = False
    for i, char in enumerate(line):
        if char == '"':
            quoted = not quoted
        elif char == ":" and not quoted:
            return line[:i], ":", line[i + 1 :]
    return line, "", ""


def bad_record(source: str, where: str, reason: str) -> BadInput:
    """The one-line refusal of a file because of one record."""
    return BadInput(texts.imports.record_refused(source, where, reason))


# The control characters no field may hold (C0 but tab and line feed, DEL, C1): a NUL or a form feed in a
# name is damage from the program that wrote the file, never something its author meant to keep.
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def clean(value: str) -> str:
    """A field as we store it: no surrounding blanks, line breaks as `\\n` whatever the file used, and
    no control characters (every reader, CSV, vCard and iCalendar, goes through here)."""
    return _CONTROL.sub("", value.replace("\r\n", "\n").replace("\r", "\n")).strip()


def one_line(value: str) -> str:
    """A single-line field (a name, a phone, an address line): line breaks inside become spaces."""
    return clean(value).replace("\n", " ")
