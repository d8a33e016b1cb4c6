"""Contacts as vCard, in (3.0 and 4.0, most of 2.1) and out (3.0), with vobject.

Read: N (last;first;…;civility), FN (the name when there is no N and no ORG), ORG (its first unit),
TITLE, EMAIL (the preferred or work one, else the first), TEL (work or voice → phone, cell → mobile; with
no work number, the first other non-fax number is the phone), ADR (the work one, else the first: street
lines, extended address and PO box become up to three address lines), NOTE, PHOTO inline as base64 in
either form — 3.0 `PHOTO;ENCODING=b;TYPE=JPEG:…` (2.1 `ENCODING=BASE64`) or 4.0
`PHOTO:data:image/jpeg;base64,…`. A PHOTO given by URL is left out: an import reads no network.

Written: vCard 3.0, because it is the version every address book imports (Outlook desktop does not
read 4.0 `data:` photos, and vobject writes 3.0 natively), with N, FN, ORG, TITLE, EMAIL, TEL;TYPE=WORK,
TEL;TYPE=CELL, ADR;TYPE=WORK, NOTE and PHOTO;ENCODING=b.

vobject cannot read a 4.0 `data:` photo (it splits the value at the comma), so PHOTO lines are taken out
of each card and read here; the rest goes through vobject.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Iterable
from dataclasses import dataclass

import vobject
from vobject.base import ParseError, parseLine

from tui_sync import messages
from tui_sync.domain.models import Contact, InvalidValue, photo_type
from tui_sync.errors import BadInput
from tui_sync.importers.common import (
    bad_record,
    clean,
    decode_text,
    one_line,
)


@dataclass(frozen=True)
class _Card:
    """One BEGIN:VCARD … END:VCARD block: its logical (unfolded) lines with their file line numbers."""

    number: int
    first_line: int
    lines: tuple[tuple[int, str], ...]

    @property
    def where(self) -> str:
        return messages.at_record(self.number, self.first_line)


def looks_like_vcard(text: str) -> bool:
    first = next((line for line in text.splitlines() if line.strip()), "")
    return first.strip().upper() == "BEGIN:VCARD"


def read_vcards(data: bytes | str, source: str = "contacts.vcf") -> list[Contact]:
    """Every contact of a vCard file, or BadInput naming the first bad record and line."""
    text = decode_text(data, source)
    return [_read_card(card, source) for card in _split_cards(text, source)]


def _split_cards(text: str, source: str) -> list[_Card]:
    cards: list[_Card] = []
    current: list[tuple[int, str]] | None = None
    start = 0
    for number, raw in enumerate(text.splitlines(), start=1):
        if current is not None and raw[:1] in (" ", "\t") and current:
            line_no, previous = current[-1]
            current[-1] = (line_no, previous + raw[1:])  # unfold (RFC 6350 §3.2)
            continue
        stripped = raw.strip()
        upper = stripped.upper()
        if current is None:
            if not stripped:
                continue
            if upper != "BEGIN:VCARD":
                raise bad_record(
                    source, messages.at_line(number), messages.expected_begin_vcard(_show(stripped))
                )
            current, start = [], number
        elif upper == "END:VCARD":
            cards.append(_Card(len(cards) + 1, start, tuple(current)))
            current = None
        elif upper == "BEGIN:VCARD":
            where = messages.at_record(len(cards) + 1, start)
            raise bad_record(source, where, messages.vcard_not_ended(number))
        elif stripped:
            current.append((number, raw))
    if current is not None:
        raise bad_record(source, messages.at_record(len(cards) + 1, start), messages.NO_END_VCARD)
    if not cards:
        raise BadInput(messages.no_vcard(source))
    return cards


def _show(text: str) -> str:
    return repr(text if len(text) <= 40 else text[:37] + "...")


def _read_card(card: _Card, source: str) -> Contact:
    kept: list[str] = []
    photo: bytes | None = None
    for line_no, line in card.lines:
        name = line.split(":", 1)[0].split(";", 1)[0].strip().upper()
        if name == "PHOTO":
            if photo is None:
                photo = _read_photo(line, source, line_no)
            continue
        try:
            parseLine(line)
        except ParseError:
            raise bad_record(
                source, messages.at_line(line_no), messages.not_vcard_line(_show(line))
            ) from None
        kept.append(line)
    try:
        vcard = vobject.readOne("\r\n".join(["BEGIN:VCARD", *kept, "END:VCARD"]) + "\r\n")
    except Exception as error:  # vobject raises assorted types for assorted garbage
        raise bad_record(source, card.where, messages.invalid_vcard(error)) from None
    try:
        return _contact(vcard, photo)
    except InvalidValue as error:
        raise bad_record(source, card.where, messages.invalid_value(error)) from None
    except (AttributeError, TypeError, ValueError) as error:
        raise bad_record(source, card.where, messages.invalid_vcard(error)) from None


def _read_photo(line: str, source: str, line_no: int) -> bytes | None:
    """The bytes of an inline PHOTO line, None for a photo given by URL."""
    head, value = _split_value(line)
    params = [p.strip().strip('"').lower() for p in head.split(";")[1:]]
    value = value.strip()
    encoded: str | None = None
    if any(p in ("encoding=b", "encoding=base64", "base64") for p in params):
        encoded = value
    elif value.lower().startswith("data:"):
        meta, sep, payload = value[5:].partition(",")
        if not sep or not meta.lower().endswith(";base64"):
            raise bad_record(source, messages.at_line(line_no), messages.PHOTO_URI_NOT_BASE64)
        encoded = payload
    if encoded is None:
        return None
    try:
        return base64.b64decode("".join(encoded.split()), validate=True)
    except (binascii.Error, ValueError):
        raise bad_record(source, messages.at_line(line_no), messages.PHOTO_BAD_BASE64) from None


def _split_value(line: str) -> tuple[str, str]:
    """`NAME;PARAMS` and the value: split at the first colon outside a quoted parameter value."""
    quoted = False
    for i, char in enumerate(line):
        if char == '"':
            quoted = not quoted
        elif char == ":" and not quoted:
            return line[:i], line[i + 1 :]
    return line, ""


def _text(value: object) -> str:
    """A vobject value or component as text: a comma-separated list comes back as a list."""
    if isinstance(value, list | tuple):
        return ", ".join(str(v) for v in value if v)
    return "" if value is None else str(value)


def _types(line: vobject.base.ContentLine) -> set[str]:
    """TYPE values in any spelling: TYPE=WORK,VOICE / TYPE="work,voice" / TYPE=a;TYPE=b / 2.1 bare."""
    found: set[str] = set()
    for value in [*line.params.get("TYPE", []), *line.singletonparams]:
        found.update(v.strip().strip('"').lower() for v in str(value).split(","))
    if "PREF" in line.params:
        found.add("pref")
    return found


def _lines(vcard: vobject.base.Component, name: str) -> list[vobject.base.ContentLine]:
    return list(vcard.contents.get(name.lower(), []))


def _pick(lines: list[vobject.base.ContentLine], *wanted: str) -> vobject.base.ContentLine | None:
    for kind in wanted:
        for line in lines:
            if kind in _types(line):
                return line
    return lines[0] if lines else None


def _contact(vcard: vobject.base.Component, photo: bytes | None) -> Contact:
    last = first = civility = ""
    names = _lines(vcard, "n")
    if names:
        n = names[0].value
        last, first, civility = (
            one_line(_text(n.family)),
            one_line(_text(n.given)),
            one_line(_text(n.prefix)),
        )
    orgs = _lines(vcard, "org")
    org = orgs[0].value if orgs else ""
    company = one_line(_text(org[0] if isinstance(org, list) and org else org))  # the first unit
    if not (last or first or company):
        full = _lines(vcard, "fn")
        last = one_line(_text(full[0].value)) if full else ""
    email = _pick(_lines(vcard, "email"), "pref", "work")
    phone, mobile = _phones(_lines(vcard, "tel"))
    address = _pick(_lines(vcard, "adr"), "work")
    lines, postal_code, city, country = _address(address)
    titles = _lines(vcard, "title")
    notes = [clean(_text(line.value)) for line in _lines(vcard, "note")]
    return Contact(
        last_name=last,
        first_name=first,
        civility=civility,
        company=company,
        job_title=one_line(_text(titles[0].value)) if titles else "",
        email=one_line(_text(email.value)) if email else "",
        phone=phone,
        mobile=mobile,
        address_lines=lines,
        postal_code=postal_code,
        city=city,
        country=country,
        photo=photo,
        note="\n".join(n for n in notes if n),
    )


def _phones(tels: list[vobject.base.ContentLine]) -> tuple[str, str]:
    def number(line: vobject.base.ContentLine) -> str:
        value = one_line(_text(line.value))
        return value[4:] if value.lower().startswith("tel:") else value

    mobile = next((number(t) for t in tels if "cell" in _types(t)), "")
    others = [t for t in tels if not _types(t) & {"cell", "fax", "pager"}]
    work = next((t for t in others if "work" in _types(t)), None)
    plain = next((t for t in others if _types(t) <= {"voice", "pref"}), None)
    chosen = work or plain or (others[0] if others else None)
    return (number(chosen) if chosen else ""), mobile


def _address(line: vobject.base.ContentLine | None) -> tuple[tuple[str, ...], str, str, str]:
    if line is None:
        return (), "", "", ""
    adr = line.value
    street = clean(_text(adr.street)).split("\n")
    lines = [one_line(part) for part in (*street, _text(adr.extended), _text(adr.box))]
    lines = [part for part in lines if part]
    if len(lines) > 3:  # Contact holds three lines: the rest joins the third
        lines = [*lines[:2], ", ".join(lines[2:])]
    return tuple(lines), one_line(_text(adr.code)), one_line(_text(adr.city)), one_line(_text(adr.country))


def write_vcards(contacts: Iterable[Contact]) -> str:
    """Every contact as a vCard 3.0 card (CRLF line ends, long lines folded by vobject)."""
    return "".join(_card(c).serialize() for c in contacts)


def _card(c: Contact) -> vobject.base.Component:
    card = vobject.vCard()
    card.add("n").value = vobject.vcard.Name(family=c.last_name, given=c.first_name, prefix=c.civility)
    card.add("fn").value = " ".join(p for p in (c.first_name, c.last_name) if p) or c.company
    if c.company:
        card.add("org").value = [c.company]
    if c.job_title:
        card.add("title").value = c.job_title
    if c.email:
        line = card.add("email")
        line.value = c.email
        line.type_param = ["INTERNET", "WORK"]
    for number, kinds in ((c.phone, ["WORK", "VOICE"]), (c.mobile, ["CELL"])):
        if number:
            line = card.add("tel")
            line.value = number
            line.type_param = kinds
    if c.address_lines or c.postal_code or c.city or c.country:
        line = card.add("adr")
        line.value = vobject.vcard.Address(
            street="\n".join(c.address_lines), city=c.city, code=c.postal_code, country=c.country
        )
        line.type_param = "WORK"
    if c.note:
        card.add("note").value = c.note
    if c.photo:
        line = card.add("photo")
        line.value = c.photo
        line.encoding_param = "b"
        line.type_param = "PNG" if photo_type(c.photo) == "image/png" else "JPEG"
    return card
