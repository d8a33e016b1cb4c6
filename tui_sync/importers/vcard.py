"""Contacts as vCard, in (3.0 and 4.0, most of 2.1) and out (3.0), with vobject.

Read: UID, N (last;first;…;civility), FN (when there is no N: its last word is the last name, the rest
the first name, as in RFC 2426's own samples "Frank Dawson"), ORG (its first unit),
TITLE, EMAIL (the preferred or work one, else the first), TEL (work or voice → phone, cell → mobile; with
no work number, the first other non-fax number is the phone), ADR (the work one, else the first: street
lines, extended address and PO box become up to three address lines), NOTE, PHOTO inline as base64 in
either form — 3.0 `PHOTO;ENCODING=b;TYPE=JPEG:…` (2.1 `ENCODING=BASE64`) or 4.0
`PHOTO:data:image/jpeg;base64,…`. A PHOTO given by URL is left out: an import reads no network.
vCard 2.1 values in quoted-printable (Outlook 2003/2007, Android), soft line breaks included, are read.
Whatever else a card holds that the CRM has no field for (a second e-mail, a fax, a URL, the region…)
is reported by kind, never dropped without a word.

Written: vCard 3.0, because it is the version every address book imports (Outlook desktop does not
read 4.0 `data:` photos, and vobject writes 3.0 natively), with UID, N, FN, ORG, TITLE, EMAIL,
TEL;TYPE=WORK, TEL;TYPE=CELL, ADR;TYPE=WORK, NOTE and PHOTO;ENCODING=b.

vobject cannot read a 4.0 `data:` photo (it splits the value at the comma), so PHOTO lines are taken out
of each card and read here; the rest goes through vobject.
"""

from __future__ import annotations

import base64
import binascii
import quopri
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import vobject
from vobject.base import ParseError, parseLine

from tui_sync import texts
from tui_sync.domain.models import Contact, InvalidValue, check_note, photo_type
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
    split_value,
)
from tui_sync.importers.uids import export_uid


@dataclass(frozen=True)
class _Card:
    """One BEGIN:VCARD … END:VCARD block: its logical (unfolded) lines with their file line numbers."""

    number: int
    first_line: int
    lines: tuple[tuple[int, str], ...]

    @property
    def where(self) -> str:
        return texts.imports.at_record(self.number, self.first_line)


# Properties that say nothing about the person (versions, stamps, the producer, display hints): read
# and left without a word. Everything else the CRM has no place for is reported by kind.
_TECHNICAL = {
    "VERSION", "PRODID", "REV", "UID", "LABEL", "SOURCE", "NAME", "PROFILE", "CLASS", "SORT-STRING",
    "KIND", "MAILER", "CLIENTPIDMAP", "XML",
}  # fmt: skip
_PROFILE_LINES = {"PROFILE"}  # vobject refuses a PROFILE inside BEGIN:VCARD (Lotus Notes writes one)


def looks_like_vcard(text: str) -> bool:
    first = next((line for line in text.splitlines() if line.strip()), "")
    return first.strip().upper() == "BEGIN:VCARD"


def read_vcards(data: bytes | str, source: str = "contacts.vcf") -> list[Contact]:
    """Every contact of a vCard file, or BadInput naming every bad record and line."""
    found = read_vcard_file(data, source)
    if found.refused:
        raise refuse_file(source, list(found.refused))
    return [r.contact for r in found.records]


def read_vcard_file(data: bytes | str, source: str = "contacts.vcf") -> ContactsRead:
    """The contacts of a vCard file with their UIDs, the cards refused (where, why) and what the CRM
    has no place for (a fax number, a second e-mail…)."""
    text = decode_text(data, source)
    records: list[ContactRecord] = []
    refused: list[Refusal] = []
    skipped: list[Skip] = []
    for card in _split_cards(text, source):
        try:
            contact, uid, skips = _read_card(card)
        except _CardRefused as error:
            refused.append(Refusal(error.where, error.reason))
            continue
        records.append(ContactRecord(contact, uid, card.where, skipped=tuple(skips)))
        skipped.extend(skips)
    return ContactsRead(tuple(records), tuple(refused), tuple(skipped))


class _CardRefused(Exception):
    def __init__(self, where: str, reason: str) -> None:
        super().__init__(reason)
        self.where = where
        self.reason = reason


def _logical_lines(text: str) -> list[tuple[int, str]]:
    """The file's logical lines with their first line number: folded lines joined (RFC 6350 §3.2), and
    vCard 2.1 quoted-printable values continued by a soft line break (`=` at the end of a line, what
    Outlook 2003/2007 and Android write; RFC 2045 §6.7 rule 5) joined without it, so that vobject
    decodes the whole value. Linear in the file's size."""
    found: list[tuple[int, list[str]]] = []
    soft_break = False
    for number, raw in enumerate(text.splitlines(), start=1):
        if soft_break and found:
            found[-1][1][-1] = found[-1][1][-1][:-1]  # a soft line break is `=` + line end: nothing
            found[-1][1].append(raw)
        elif raw[:1] in (" ", "\t") and found:
            found[-1][1].append(raw[1:])
        elif raw.strip():
            found.append((number, [raw]))
        else:
            soft_break = False
            continue
        head = found[-1][1][0].split(":", 1)[0].upper()
        soft_break = "QUOTED-PRINTABLE" in head and found[-1][1][-1].endswith("=")
    return [(number, "".join(parts)) for number, parts in found]


def _split_cards(text: str, source: str) -> list[_Card]:
    cards: list[_Card] = []
    current: list[tuple[int, str]] | None = None
    start = 0
    for number, line in _logical_lines(text):
        upper = line.strip().upper()
        if current is None:
            if upper != "BEGIN:VCARD":
                raise bad_record(
                    source,
                    texts.imports.at_line(number),
                    texts.imports.expected_begin_vcard(_show(line.strip())),
                )
            current, start = [], number
        elif upper == "END:VCARD":
            cards.append(_Card(len(cards) + 1, start, tuple(current)))
            current = None
        elif upper == "BEGIN:VCARD":
            where = texts.imports.at_record(len(cards) + 1, start)
            raise bad_record(source, where, texts.imports.vcard_not_ended(number))
        else:
            current.append((number, line))
    if current is not None:
        raise bad_record(source, texts.imports.at_record(len(cards) + 1, start), texts.imports.NO_END_VCARD)
    if not cards:
        raise BadInput(texts.imports.no_vcard(source))
    return cards


def _show(text: str) -> str:
    return repr(text if len(text) <= 40 else text[:37] + "...")


def _name_of(line: str) -> str:
    """A content line's property name, without its group (`item1.ADR` → ADR)."""
    return line.split(":", 1)[0].split(";", 1)[0].strip().rsplit(".", 1)[-1].upper()


def _read_card(card: _Card) -> tuple[Contact, str, list[Skip]]:
    """The contact of one card, its UID and what it holds that the CRM has no place for; _CardRefused
    names the line at fault when one is."""
    kept: list[tuple[int, str]] = []
    photo: bytes | None = None
    skips: list[Skip] = []
    for line_no, line in card.lines:
        name = _name_of(line)
        where = texts.imports.at_line(line_no)
        if name == "PHOTO":
            if photo is None:
                photo = _read_photo(line, where)
                if photo is None:
                    skips.append(Skip(texts.imports.SKIP_PHOTO_URL, where))
            else:
                skips.append(Skip(texts.imports.SKIP_SECOND_PHOTO, where))
            continue
        if name in _PROFILE_LINES:
            continue
        _check_quoted_printable(line, where)
        try:
            parseLine(line)
        except ParseError:
            raise _CardRefused(where, texts.imports.not_vcard_line(_show(line))) from None
        kept.append((line_no, line))
    text = "\r\n".join(["BEGIN:VCARD", *(line for _, line in kept), "END:VCARD"]) + "\r\n"
    try:
        vcard = vobject.readOne(text, allowQP=True)
    except Exception as error:  # vobject raises assorted types for assorted garbage
        raise _CardRefused(_vobject_where(error, card, kept), texts.imports.invalid_vcard(error)) from None
    try:
        contact, skips_here = _contact(vcard, photo, _Places(card, kept))
    except InvalidValue as error:
        raise _CardRefused(card.where, texts.domain.invalid_value(error)) from None
    except (AttributeError, TypeError, ValueError, LookupError) as error:
        raise _CardRefused(card.where, texts.imports.invalid_vcard(error)) from None
    uids = _lines(vcard, "uid")
    uid = one_line(_text(uids[0].value)) if uids else ""
    return contact, uid, skips + skips_here


def _check_quoted_printable(line: str, where: str) -> None:
    """A quoted-printable value must decode in its CHARSET (UTF-8 when none is given): checked here,
    line by line, so that a refusal names the line rather than the card."""
    head, _, value = split_value(line)
    params = [p.strip().strip('"') for p in head.split(";")[1:]]
    if not any(p.upper() in ("ENCODING=QUOTED-PRINTABLE", "QUOTED-PRINTABLE") for p in params):
        return
    charset = next((p.split("=", 1)[1] for p in params if p.upper().startswith("CHARSET=")), "utf-8")
    try:
        quopri.decodestring(value.encode("utf-8", "replace")).decode(charset)
    except (UnicodeDecodeError, LookupError):
        raise _CardRefused(where, texts.imports.quoted_printable_not_text(charset)) from None


def _vobject_where(error: Exception, card: _Card, kept: list[tuple[int, str]]) -> str:
    """The file line vobject's complaint is about (its line numbers count in the card we gave it, whose
    line 1 is BEGIN:VCARD), else the card."""
    number = getattr(error, "lineNumber", None)
    if isinstance(number, int) and 2 <= number <= len(kept) + 1:
        return texts.imports.at_line(kept[number - 2][0])
    return card.where


def _read_photo(line: str, where: str) -> bytes | None:
    """The bytes of an inline PHOTO line, None for a photo given by URL."""
    head, _, value = split_value(line)
    params = [p.strip().strip('"').lower() for p in head.split(";")[1:]]
    value = value.strip()
    encoded: str | None = None
    if any(p in ("encoding=b", "encoding=base64", "base64") for p in params):
        encoded = value
    elif value.lower().startswith("data:"):
        meta, sep, payload = value[5:].partition(",")
        if not sep or not meta.lower().endswith(";base64"):
            raise _CardRefused(where, texts.imports.PHOTO_URI_NOT_BASE64)
        encoded = payload
    if encoded is None:
        return None
    try:
        return base64.b64decode("".join(encoded.split()), validate=True)
    except (binascii.Error, ValueError):
        raise _CardRefused(where, texts.imports.PHOTO_BAD_BASE64) from None


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


@dataclass(frozen=True)
class _Places:
    """Where a card's properties are in the file: vobject numbers the lines of the card we gave it
    (line 1 is BEGIN:VCARD, then the kept lines in order)."""

    card: _Card
    kept: list[tuple[int, str]]

    def of(self, line: vobject.base.ContentLine) -> str:
        number = getattr(line, "lineNumber", None)
        if isinstance(number, int) and 2 <= number <= len(self.kept) + 1:
            return texts.imports.at_line(self.kept[number - 2][0])
        return self.card.where


# What the CRM has no field for, by property, in a user's words; X- properties other than these are a
# program's own display hints and are left without a word.
_UNKEPT = {
    "URL": texts.imports.SKIP_URL,
    "BDAY": texts.imports.SKIP_BIRTHDAY,
    "ANNIVERSARY": texts.imports.SKIP_ANNIVERSARY,
    "X-ANNIVERSARY": texts.imports.SKIP_ANNIVERSARY,
    "X-MS-ANNIVERSARY": texts.imports.SKIP_ANNIVERSARY,
    "NICKNAME": texts.imports.SKIP_NICKNAME,
    "ROLE": texts.imports.SKIP_ROLE,
    "GEO": texts.imports.SKIP_GEO,
    "IMPP": texts.imports.SKIP_IM,
    "X-AIM": texts.imports.SKIP_IM,
    "X-ICQ": texts.imports.SKIP_IM,
    "X-JABBER": texts.imports.SKIP_IM,
    "X-MSN": texts.imports.SKIP_IM,
    "X-YAHOO": texts.imports.SKIP_IM,
    "X-SKYPE": texts.imports.SKIP_IM,
    "X-GOOGLE-TALK": texts.imports.SKIP_IM,
    "X-MS-IMADDRESS": texts.imports.SKIP_IM,
    "RELATED": texts.imports.SKIP_RELATED,
    "GENDER": texts.imports.SKIP_GENDER,
    "LANG": texts.imports.SKIP_LANG,
    "MEMBER": texts.imports.SKIP_MEMBER,
    "CATEGORIES": texts.imports.SKIP_CATEGORY,
    "FBURL": texts.imports.SKIP_CALENDAR_URL,
    "CALURI": texts.imports.SKIP_CALENDAR_URL,
    "CALADRURI": texts.imports.SKIP_CALENDAR_URL,
}
_USED = {"N", "FN", "ORG", "TITLE", "EMAIL", "TEL", "ADR", "NOTE", "PHOTO", "BEGIN", "END"}


def _contact(
    vcard: vobject.base.Component, photo: bytes | None, places: _Places
) -> tuple[Contact, list[Skip]]:
    skips: list[Skip] = []
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
    units = (
        [one_line(",".join(u) if isinstance(u, list) else str(u)) for u in org]
        if isinstance(org, list)
        else [one_line(_text(org))]
    )
    company = units[0] if units else ""
    if len([u for u in units if u]) > 1:
        skips.append(Skip(texts.imports.SKIP_DEPARTMENT, places.of(orgs[0])))
    if not (last or first):
        last, first = _names_of_fn(vcard, company)
    emails = _lines(vcard, "email")
    email = _pick(emails, "pref", "work")
    skips.extend(Skip(texts.imports.SKIP_SECOND_EMAIL, places.of(e)) for e in emails if e is not email)
    phone, mobile, phone_skips = _phones(_lines(vcard, "tel"), places)
    skips.extend(phone_skips)
    addresses = _lines(vcard, "adr")
    address = _pick(addresses, "work")
    skips.extend(Skip(texts.imports.SKIP_SECOND_ADDRESS, places.of(a)) for a in addresses if a is not address)
    if address is not None and one_line(_text(address.value.region)):
        skips.append(Skip(texts.imports.SKIP_REGION, places.of(address)))
    lines, postal_code, city, country = _address(address)
    titles = _lines(vcard, "title")
    notes = [clean(_text(line.value)) for line in _lines(vcard, "note")]
    for name, found in vcard.contents.items():
        kind = _UNKEPT.get(name.upper())
        if kind is None and name.upper() not in _USED | _TECHNICAL and not name.upper().startswith("X-"):
            kind = texts.imports.skip_property(name.upper())
        if kind is not None:
            skips.extend(Skip(kind, places.of(line)) for line in found)
    note = "\n".join(n for n in notes if n)
    check_note(note)
    contact = Contact(
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
        note=note,
    )
    return contact, skips


def _names_of_fn(vcard: vobject.base.Component, company: str) -> tuple[str, str]:
    """Last and first name from FN when the card has no N (RFC 2426's own sample cards: "Frank Dawson"):
    the last word is the last name, the words before it the first name. An FN that only repeats the
    company names a company, not a person."""
    full = _lines(vcard, "fn")
    text = one_line(_text(full[0].value)) if full else ""
    if not text or text.casefold() == company.casefold():
        return "", ""
    *given, family = text.split()
    return family, " ".join(given)


def _phones(tels: list[vobject.base.ContentLine], places: _Places) -> tuple[str, str, list[Skip]]:
    def number(line: vobject.base.ContentLine) -> str:
        value = one_line(_text(line.value))
        return value[4:] if value.lower().startswith("tel:") else value

    cell = next((t for t in tels if "cell" in _types(t)), None)
    others = [t for t in tels if not _types(t) & {"cell", "fax", "pager"}]
    work = next((t for t in others if "work" in _types(t)), None)
    plain = next((t for t in others if _types(t) <= {"voice", "pref"}), None)
    chosen = work or plain or (others[0] if others else None)
    skips = []
    for t in tels:
        if t is chosen or t is cell:
            continue
        kinds = _types(t)
        kind = (
            texts.imports.SKIP_FAX
            if "fax" in kinds
            else texts.imports.SKIP_PAGER
            if "pager" in kinds
            else texts.imports.SKIP_OTHER_PHONE
        )
        skips.append(Skip(kind, places.of(t)))
    return (number(chosen) if chosen else ""), (number(cell) if cell else ""), skips


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


def write_vcards(contacts: Iterable[Contact], uids: Mapping[int, str] | None = None) -> str:
    """Every contact as a vCard 3.0 card (CRLF line ends, long lines folded by vobject), with the UID
    it was imported with (`uids`, by contact id) or ours, so that importing the file again updates
    those contacts instead of copying them."""
    return "".join(
        _card(c, export_uid("contact", c.id, c.created_at, n, uids or {})).serialize()
        for n, c in enumerate(contacts, start=1)
    )


def _card(c: Contact, uid: str) -> vobject.base.Component:
    card = vobject.vCard()
    card.add("uid").value = uid
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
