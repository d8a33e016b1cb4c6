"""In-memory mailboxes: calendars, events, categories, contacts and photos, per user.

Why it looks like this:

* **Immutable ids.** Every id is base64 of a fixed tag, a kind byte and a random UUID; an occurrence id
  also carries its original start, so it is stable (derived from the master id + original start),
  survives edits and can be checked for well-formedness (``ErrorInvalidIdMalformed``) without a lookup.
* **changeKeys** are new random values on every write; ``@odata.etag`` is ``W/"<changeKey>"``.
* **Series** keep their exceptions as the list of PATCH bodies applied to each occurrence, so that a later
  change of the master's subject still reaches the fields an exception did not override (as Outlook).
* The whole state serialises to JSON (``to_json``/``from_json``) for ``--state-dir``.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import os
import struct
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from .errors import malformed_id, utc_now
from .limits import UploadWindow

_TAG = b"\x00\x1f\xa4"  # makes our ids look alike and lets us tell a malformed one from an unknown one
KIND_EVENT = b"E"
KIND_OCCURRENCE = b"O"
KIND_CALENDAR = b"C"
KIND_CONTACT = b"P"
KIND_FOLDER = b"F"


def new_id(kind: bytes) -> str:
    return base64.urlsafe_b64encode(_TAG + kind + uuid.uuid4().bytes).decode()


def occurrence_id(master_id: str, original_start: datetime) -> str:
    """The id of one occurrence: the master's UUID + the original start (seconds since the epoch)."""
    raw = base64.urlsafe_b64decode(master_id)
    epoch = int(original_start.timestamp())
    return base64.urlsafe_b64encode(_TAG + KIND_OCCURRENCE + raw[4:20] + struct.pack(">q", epoch)).decode()


def parse_id(text: str) -> tuple[bytes, bytes, int | None]:
    """``(kind, uuid bytes, original start epoch or None)``; raises ``ErrorInvalidIdMalformed``."""
    try:
        raw = base64.urlsafe_b64decode(text.encode("ascii"))
    except (binascii.Error, ValueError, UnicodeEncodeError) as exc:
        raise malformed_id() from exc
    if raw[:3] != _TAG or len(raw) not in (20, 28):
        raise malformed_id()
    kind = raw[3:4]
    epoch = struct.unpack(">q", raw[20:28])[0] if len(raw) == 28 else None
    if (kind == KIND_OCCURRENCE) != (epoch is not None):
        raise malformed_id()
    return kind, raw[4:20], epoch


def master_id_of(occurrence: str) -> tuple[str, datetime]:
    """The series master id and original start (UTC) encoded in an occurrence id."""
    kind, raw_uuid, epoch = parse_id(occurrence)
    if kind != KIND_OCCURRENCE or epoch is None:
        raise malformed_id()
    master = base64.urlsafe_b64encode(_TAG + KIND_EVENT + raw_uuid).decode()
    return master, datetime.fromtimestamp(epoch, UTC)


def new_change_key() -> str:
    return base64.b64encode(os.urandom(16)).decode()


def derived_change_key(*parts: str) -> str:
    """A changeKey that changes whenever any of ``parts`` does (occurrences follow their master)."""
    digest = hashlib.sha256("|".join(parts).encode()).digest()[:16]
    return base64.b64encode(digest).decode()


def stable_guid(*parts: str) -> str:
    """A GUID derived from names, so the same user gets the same object id across restarts."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, "tui-sync-fake:" + ":".join(parts)))


# ------------------------------------------------------------------------------------------------ data


@dataclass
class Calendar:
    id: str
    name: str
    change_key: str
    is_default: bool = False
    color: str = "auto"


@dataclass
class Category:
    id: str
    display_name: str
    color: str


@dataclass
class Photo:
    content_type: str
    data: bytes


@dataclass
class Event:
    """One stored event (single instance or series master). ``fields`` holds plain Graph properties."""

    id: str
    calendar_id: str
    fields: dict[str, Any]
    body: dict[str, str]
    start: datetime  # aware UTC; for all-day events: midnight in start_tz
    end: datetime
    start_tz: str
    end_tz: str
    all_day: bool
    ext: dict[str, dict[str, str]]  # lower-case id → {"id", "value"}
    ical_uid: str
    created: datetime
    modified: datetime
    change_key: str
    recurrence: dict[str, Any] | None = None
    transaction_id: str | None = None
    # series only: original start epoch → list of normalised patches / the set of cancelled ones
    exceptions: dict[int, list[dict[str, Any]]] = field(default_factory=dict)
    exception_keys: dict[int, tuple[str, datetime]] = field(default_factory=dict)
    cancelled: set[int] = field(default_factory=set)
    series_key: str = ""  # renewed by master edits only; occurrences derive their changeKey from it
    # a legacy custom zone of desktop Outlook, shown as the zones' name (its rules stay start_tz's)
    custom_zone: str = ""


@dataclass
class Contact:
    id: str
    folder_id: str
    fields: dict[str, Any]
    ext: dict[str, dict[str, str]]
    created: datetime
    modified: datetime
    change_key: str
    photo: Photo | None = None


@dataclass
class Mailbox:
    """One user's mailbox. ``in_flight`` counts the Graph requests being served (Outlook allows 4);
    ``uploads`` the bytes uploaded lately (Outlook allows 150 MB per 5 minutes: limits.py)."""

    upn: str
    oid: str
    display_name: str
    time_zone: str = "UTC"
    calendars: dict[str, Calendar] = field(default_factory=dict)
    events: dict[str, Event] = field(default_factory=dict)
    categories: dict[str, Category] = field(default_factory=dict)
    contacts: dict[str, Contact] = field(default_factory=dict)
    transactions: dict[str, str] = field(default_factory=dict)
    contact_folder_id: str = field(default_factory=lambda: new_id(KIND_FOLDER))
    in_flight: int = 0
    uploads: UploadWindow = field(default_factory=UploadWindow)  # Outlook's upload volume limit

    @property
    def default_calendar(self) -> Calendar:
        return next(cal for cal in self.calendars.values() if cal.is_default)


def new_mailbox(upn: str, display_name: str | None = None) -> Mailbox:
    """A fresh mailbox with its default calendar named ``Calendar`` (as Exchange creates it)."""
    local = upn.split("@", 1)[0]
    name = display_name or " ".join(part.capitalize() for part in local.replace("_", ".").split(".") if part)
    box = Mailbox(upn=upn, oid=stable_guid("user", upn.lower()), display_name=name or upn)
    calendar = Calendar(
        id=new_id(KIND_CALENDAR), name="Calendar", change_key=new_change_key(), is_default=True
    )
    box.calendars[calendar.id] = calendar
    return box


class FakeState:
    """All mailboxes, keyed by lower-case UPN."""

    def __init__(self) -> None:
        self.mailboxes: dict[str, Mailbox] = {}

    def get(self, upn: str) -> Mailbox | None:
        return self.mailboxes.get(upn.lower())

    def ensure(self, upn: str, display_name: str | None = None) -> Mailbox:
        box = self.mailboxes.get(upn.lower())
        if box is None:
            box = new_mailbox(upn, display_name)
            self.mailboxes[upn.lower()] = box
        return box

    def reset(self) -> None:
        self.mailboxes.clear()

    # --------------------------------------------------------------------------------- serialisation

    def to_json(self) -> dict[str, Any]:
        return {"mailboxes": [_mailbox_to_json(box) for box in self.mailboxes.values()]}

    def load_json(self, data: dict[str, Any]) -> None:
        self.mailboxes = {}
        for raw in data.get("mailboxes", []):
            box = _mailbox_from_json(raw)
            self.mailboxes[box.upn.lower()] = box

    def summary(self) -> dict[str, Any]:
        """What ``GET /_fake/state`` shows: everything, photos as sizes and hashes."""
        data = self.to_json()
        for box in data["mailboxes"]:
            for contact in box["contacts"]:
                photo = contact.pop("photo", None)
                if photo:
                    raw = base64.b64decode(photo["data"])
                    contact["photo"] = {
                        "content_type": photo["content_type"],
                        "size": len(raw),
                        "sha256": hashlib.sha256(raw).hexdigest(),
                    }
                else:
                    contact["photo"] = None
        return data


def _dt(value: datetime) -> str:
    return value.astimezone(UTC).isoformat()


def _parse_dt(value: str) -> datetime:
    return datetime.fromisoformat(value).astimezone(UTC)


def _event_to_json(event: Event) -> dict[str, Any]:
    return {
        "id": event.id,
        "calendar_id": event.calendar_id,
        "fields": event.fields,
        "body": event.body,
        "start": _dt(event.start),
        "end": _dt(event.end),
        "start_tz": event.start_tz,
        "end_tz": event.end_tz,
        "all_day": event.all_day,
        "ext": list(event.ext.values()),
        "ical_uid": event.ical_uid,
        "created": _dt(event.created),
        "modified": _dt(event.modified),
        "change_key": event.change_key,
        "recurrence": event.recurrence,
        "transaction_id": event.transaction_id,
        "exceptions": [
            {
                "original_start": epoch,
                "patches": patches,
                "change_key": event.exception_keys.get(epoch, (event.change_key, event.modified))[0],
                "modified": _dt(event.exception_keys.get(epoch, (event.change_key, event.modified))[1]),
            }
            for epoch, patches in event.exceptions.items()
        ],
        "cancelled": sorted(event.cancelled),
        "series_key": event.series_key,
        "custom_zone": event.custom_zone,
    }


def _event_from_json(raw: dict[str, Any]) -> Event:
    event = Event(
        id=raw["id"],
        calendar_id=raw["calendar_id"],
        fields=raw["fields"],
        body=raw["body"],
        start=_parse_dt(raw["start"]),
        end=_parse_dt(raw["end"]),
        start_tz=raw["start_tz"],
        end_tz=raw["end_tz"],
        all_day=raw["all_day"],
        ext={item["id"].lower(): item for item in raw["ext"]},
        ical_uid=raw["ical_uid"],
        created=_parse_dt(raw["created"]),
        modified=_parse_dt(raw["modified"]),
        change_key=raw["change_key"],
        recurrence=raw["recurrence"],
        transaction_id=raw.get("transaction_id"),
        cancelled=set(raw.get("cancelled", [])),
        series_key=raw.get("series_key", ""),
        custom_zone=raw.get("custom_zone", ""),
    )
    for item in raw.get("exceptions", []):
        event.exceptions[item["original_start"]] = item["patches"]
        event.exception_keys[item["original_start"]] = (item["change_key"], _parse_dt(item["modified"]))
    return event


def _mailbox_to_json(box: Mailbox) -> dict[str, Any]:
    return {
        "upn": box.upn,
        "oid": box.oid,
        "display_name": box.display_name,
        "time_zone": box.time_zone,
        "contact_folder_id": box.contact_folder_id,
        "calendars": [vars(cal) for cal in box.calendars.values()],
        "categories": [vars(cat) for cat in box.categories.values()],
        "events": [_event_to_json(event) for event in box.events.values()],
        "contacts": [
            {
                "id": contact.id,
                "folder_id": contact.folder_id,
                "fields": contact.fields,
                "ext": list(contact.ext.values()),
                "created": _dt(contact.created),
                "modified": _dt(contact.modified),
                "change_key": contact.change_key,
                "photo": (
                    {
                        "content_type": contact.photo.content_type,
                        "data": base64.b64encode(contact.photo.data).decode(),
                    }
                    if contact.photo
                    else None
                ),
            }
            for contact in box.contacts.values()
        ],
        "transactions": box.transactions,
    }


def _mailbox_from_json(raw: dict[str, Any]) -> Mailbox:
    box = Mailbox(
        upn=raw["upn"],
        oid=raw["oid"],
        display_name=raw["display_name"],
        time_zone=raw.get("time_zone", "UTC"),
        contact_folder_id=raw["contact_folder_id"],
        transactions=dict(raw.get("transactions", {})),
    )
    box.calendars = {cal["id"]: Calendar(**cal) for cal in raw["calendars"]}
    box.categories = {cat["id"]: Category(**cat) for cat in raw["categories"]}
    box.events = {event["id"]: _event_from_json(event) for event in raw["events"]}
    for item in raw["contacts"]:
        photo = item.get("photo")
        box.contacts[item["id"]] = Contact(
            id=item["id"],
            folder_id=item["folder_id"],
            fields=item["fields"],
            ext={ext["id"].lower(): ext for ext in item["ext"]},
            created=_parse_dt(item["created"]),
            modified=_parse_dt(item["modified"]),
            change_key=item["change_key"],
            photo=Photo(photo["content_type"], base64.b64decode(photo["data"])) if photo else None,
        )
    return box


def touch() -> tuple[str, datetime]:
    """A fresh (changeKey, lastModifiedDateTime) pair for a write."""
    return new_change_key(), utc_now()
