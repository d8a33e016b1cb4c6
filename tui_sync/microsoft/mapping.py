"""CRM items ⇄ Microsoft Graph JSON, as pure functions (no I/O), field by field.

Events (single actions, series masters, occurrences), recurrence patterns and ranges, categories,
contacts, and the CRM-id stamp that lets us find our items again after a reset. A Microsoft item is read
into an Action/Series/Contact with the functions below; the sync engine fingerprints that CRM form
(`tui_sync.sync.fingerprints`) exactly like a CRM item, and the updates here compare the same canonical
form (`tui_sync.domain.content`), so "same content" means the same thing everywhere.

Time zones live in `tui_sync.microsoft.timezones`; the sync engine owns exceptions and cancellations
(it compares a master's expansion with the instances Graph returns) and uses `event_update` to
turn an occurrence into an exception.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Collection, Iterable, Mapping
from datetime import UTC, date, datetime, timedelta, tzinfo
from typing import Any

import html2text

from tui_sync import texts
from tui_sync.domain.content import (
    WITH_DAY_OF_MONTH,
    WITH_DAYS,
    all_day_dates,
    canonical_days,
    contact_fields,
    flat_fields,
    item_form,
    normalise_newlines,
    pattern_parts,
    range_parts,
    tidy_text,
)
from tui_sync.domain.models import (
    FALLBACK_ACTION_TYPE,
    MAX_REMINDER_MINUTES,
    Action,
    ActionType,
    Contact,
    DatabaseIdentity,
    InvalidValue,
    Recurrence,
    Series,
)
from tui_sync.errors import UnreadableItem, UserError
from tui_sync.microsoft.timezones import (
    UnknownTimeZone,
    graph_date,
    graph_datetime,
    graph_zone,
    is_custom_zone,
    midnight,
    parse_graph_datetime,
    read_date,
    read_datetime,
    windows_zone,
)

Json = dict[str, Any]


# --- the CRM-id stamp and transactionId ------------------------------------------------------------------

STAMP_GUID = "62fe7c35-3799-4fec-b4b3-f8d707837696"
"""Our property set: generated once for tui-sync, never to change (items stamped with it are ours)."""

STAMP_PROPERTY_ID = f"String {{{STAMP_GUID}}} Name tuiSyncCrmId"
"""The single-value extended property holding the CRM key of an item we created."""

STAMP_EXPAND = f"singleValueExtendedProperties($filter=id eq '{STAMP_PROPERTY_ID}')"
"""The `$expand` value that makes Graph return our stamp with each item."""

_TRANSACTION_NAMESPACE = uuid.UUID(STAMP_GUID)


def _odata_string(value: str) -> str:
    """An OData string literal: single quotes doubled."""
    return "'" + value.replace("'", "''") + "'"


def stamp_value(crm_key: str, owner: DatabaseIdentity) -> str:
    """The stamp's value: the CRM database's id and the CRM key (`<database id>/action:42`), so an item
    is claimed only by the database that created it, never by another CRM syncing the same mailbox."""
    if not crm_key:
        raise ValueError(texts.microsoft.EMPTY_STAMP)
    return f"{owner.database_id}/{crm_key}"


def stamp(crm_key: str, owner: DatabaseIdentity) -> list[Json]:
    """The `singleValueExtendedProperties` value to put in a create (POST) body."""
    return [{"id": STAMP_PROPERTY_ID, "value": stamp_value(crm_key, owner)}]


def stamp_filter(crm_key: str, owner: DatabaseIdentity) -> str:
    """The `$filter` value that finds the items stamped with `crm_key` by `owner`."""
    return (
        "singleValueExtendedProperties/Any(ep: ep/id eq "
        f"{_odata_string(STAMP_PROPERTY_ID)} and ep/value eq {_odata_string(stamp_value(crm_key, owner))})"
    )


def _raw_stamp(item: Mapping[str, Any]) -> str | None:
    """The value of an item's CRM-id stamp, whoever wrote it. Graph may echo the property id with a
    different letter case, so ids are compared case-blind."""
    wanted = STAMP_PROPERTY_ID.casefold()
    for prop in item.get("singleValueExtendedProperties") or ():
        if isinstance(prop, Mapping) and str(prop.get("id", "")).casefold() == wanted:
            value = prop.get("value")
            return value if isinstance(value, str) and value else None
    return None


def read_stamp(item: Mapping[str, Any], owner: DatabaseIdentity) -> str | None:
    """The CRM key stamped on a Graph item (read with `$expand=STAMP_EXPAND`) if `owner` stamped it,
    else None (not stamped, or another CRM database's item).

    A stamp without a database id (`action:42`, written before stamps named their database) is the
    owner's only if it synced before then (`legacy_stamps`): upgrading re-creates nothing, and a CRM
    created since cannot take those items over.
    """
    value = _raw_stamp(item)
    if value is None:
        return None
    database, slash, key = value.rpartition("/")
    if slash:
        return key if database == owner.database_id and key else None
    return value if owner.legacy_stamps else None


def stamped_by_another(item: Mapping[str, Any], owner: DatabaseIdentity) -> bool:
    """Whether another CRM database stamped the item: `owner` may copy it but never re-stamps it (the
    other CRM would lose it, and both would re-stamp it at every sync)."""
    return _raw_stamp(item) is not None and read_stamp(item, owner) is None


def transaction_id(user: str, crm_key: str, owner: DatabaseIdentity, generation: int | str = 0) -> str:
    """The event `transactionId` for creating `crm_key` of `owner`'s database in `user`'s mailbox: a
    UUID5, so a retried POST carries the same one and Graph creates nothing twice, while another CRM
    database's item of the same key is another creation (Graph would otherwise answer its POST with the
    first one's event). Graph documents no length limit; a 36-character UUID is the form its own examples
    use. Pass a new `generation` when the same CRM item must really be created again (e.g. put back
    after a deletion in Outlook), so it is not mistaken for the old POST."""
    name = f"{user}\x1f{stamp_value(crm_key, owner)}\x1f{generation}"
    return str(uuid.uuid5(_TRANSACTION_NAMESPACE, name))


# --- categories --------------------------------------------------------------------------------------------

PRESET_COLOURS: Mapping[str, tuple[str, str]] = {
    "preset0": ("Red", "#F07D88"),
    "preset1": ("Orange", "#FF8C00"),
    "preset2": ("Brown", "#FECB6F"),
    "preset3": ("Yellow", "#FFF100"),
    "preset4": ("Green", "#5FBE7D"),
    "preset5": ("Teal", "#33BAB1"),
    "preset6": ("Olive", "#A3B367"),
    "preset7": ("Blue", "#55ABE5"),
    "preset8": ("Purple", "#A895E2"),
    "preset9": ("Cranberry", "#E48BB5"),
    "preset10": ("Steel", "#B9C0CB"),
    "preset11": ("DarkSteel", "#4C596E"),
    "preset12": ("Gray", "#ABABAB"),
    "preset13": ("DarkGray", "#666666"),
    "preset14": ("Black", "#474747"),
    "preset15": ("DarkRed", "#910A19"),
    "preset16": ("DarkOrange", "#CE4B28"),
    "preset17": ("DarkBrown", "#996E36"),
    "preset18": ("DarkYellow", "#B0A923"),
    "preset19": ("DarkGreen", "#026802"),
    "preset20": ("DarkTeal", "#1C6367"),
    "preset21": ("DarkOlive", "#5C6A22"),
    "preset22": ("DarkBlue", "#254069"),
    "preset23": ("DarkPurple", "#562685"),
    "preset24": ("DarkCranberry", "#80275D"),
}
"""Graph's category colour constants → (Outlook's name, the RGB desktop Outlook paints it).

The names are Graph's (outlookcategory.md); the RGB values are Outlook desktop's, as published in the
community tables of Outlook category colours. Other Outlook clients shade them a little differently,
which does not change which preset is nearest.
"""


def _oklab(colour: str) -> tuple[float, float, float]:
    """Oklab coordinates of a #RRGGBB colour: distances there follow what the eye sees (Björn Ottosson's
    space, which unlike CIELAB keeps blues blue: navy is nearer dark blue than dark purple)."""

    def linear(channel: int) -> float:
        c = channel / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (linear(int(colour[i : i + 2], 16)) for i in (1, 3, 5))
    lo = (0.4122214708 * r + 0.5363325363 * g + 0.0514459929 * b) ** (1 / 3)
    mi = (0.2119034982 * r + 0.6806995451 * g + 0.1073969566 * b) ** (1 / 3)
    sh = (0.0883024619 * r + 0.2817188376 * g + 0.6299787005 * b) ** (1 / 3)
    return (
        0.2104542553 * lo + 0.7936177850 * mi - 0.0040720468 * sh,
        1.9779984951 * lo - 2.4285922050 * mi + 0.4505937099 * sh,
        0.0259040371 * lo + 0.7827717662 * mi - 0.8086757660 * sh,
    )


_GREY_CHROMA = 0.03  # below this an Oklab colour reads as a grey


def _chroma(lab: tuple[float, float, float]) -> float:
    return (lab[1] ** 2 + lab[2] ** 2) ** 0.5


def nearest_preset(colour: str) -> str:
    """The Outlook preset (`presetN`) closest to a #RRGGBB colour in Oklab (ties go to the lower N).

    A grey (black, white and the shades between) only ever gets a grey preset: Outlook's palette has
    dark tinted colours (DarkBlue) nearer to pure black by lightness than its own Black is.
    """
    target = _oklab(ActionType("_", colour).colour)  # validates the colour with the domain's rule
    candidates = list(PRESET_COLOURS)
    if _chroma(target) < _GREY_CHROMA:
        candidates = [p for p in candidates if _chroma(_oklab(PRESET_COLOURS[p][1])) < _GREY_CHROMA]

    def distance(preset: str) -> float:
        return sum((a - b) ** 2 for a, b in zip(_oklab(PRESET_COLOURS[preset][1]), target, strict=True))

    return min(candidates, key=distance)


def category_for(action_type: ActionType) -> Json:
    """The master category to create for an action type: same label, nearest preset colour."""
    return {"displayName": action_type.label, "color": nearest_preset(action_type.colour)}


def _category_name(action_type: str, category_labels: Collection[str]) -> str:
    """The category to put on an event: the Outlook category spelled like the action type (case-blind),
    else the action type's own label."""
    if action_type in category_labels:
        return action_type
    folded = action_type.casefold()
    return next((c for c in category_labels if c.casefold() == folded), action_type)


def _action_type_of(categories: object, known_type_labels: Iterable[str]) -> str:
    """The first of an event's categories that names a CRM action type (exact, else case-blind), else
    the fallback type: a category that is not an action type says nothing about the action's type."""
    known = list(known_type_labels)
    by_fold = {label.casefold(): label for label in reversed(known)}
    for category in categories if isinstance(categories, list) else ():
        if not isinstance(category, str):
            continue
        if category in known:
            return category
        if category.casefold() in by_fold:
            return by_fold[category.casefold()]
    return FALLBACK_ACTION_TYPE


# --- text bodies -------------------------------------------------------------------------------------------

_MD_UNESCAPE = re.compile(r"\\([\\`*_{}\[\]()#+\-.!])")
_MD_LINK = re.compile(r"(?<!\\)\[((?:\\.|[^\\\]])*)\]\(((?:\\.|[^\\)])*)\)")
_MD_HEADING = re.compile(r"^#{1,6} ", re.MULTILINE)


def html_to_text(html: str) -> str:
    """Readable plain text from an Outlook HTML body (html2text, then its Markdown undone).

    Outlook wraps each line in a <div>, so divs and paragraphs become single line breaks; links read
    "text (url)"; lists keep their bullets; images and styles vanish; no-break spaces become spaces.
    html2text escapes every Markdown character it finds in the text (`escape_snob`), so the markup it
    adds itself (links, headings) can be told from the user's own brackets and hashes, then every escape
    is removed.
    """
    converter = html2text.HTML2Text()
    converter.body_width = 0
    converter.ignore_images = True
    converter.ignore_emphasis = True
    converter.ignore_tables = False
    converter.escape_snob = True
    converter.unicode_snob = True
    converter.single_line_break = True
    converter.use_automatic_links = False
    text = converter.handle(html)

    def link(match: re.Match[str]) -> str:
        label = _MD_UNESCAPE.sub(r"\1", match.group(1)).strip()
        target = _MD_UNESCAPE.sub(r"\1", match.group(2)).split(' "', 1)[0].strip().removeprefix("mailto:")
        if not label or label == target or target.startswith("#"):
            return _escape_again(label or target)
        return _escape_again(f"{label} ({target})")

    text = _MD_LINK.sub(link, text)
    text = _MD_HEADING.sub("", text)
    text = _MD_UNESCAPE.sub(r"\1", text)
    return tidy_text(text.replace("\xa0", " "))  # Outlook pads with &nbsp; where a space is meant


def _escape_again(text: str) -> str:
    """Re-escape a rewritten link so the final unescape pass leaves it exactly as written."""
    return re.sub(r"([\\`*_{}\[\]()#+\-.!])", r"\\\1", text)


def body_text(body: object) -> str:
    """The plain text of a Graph `itemBody`: HTML converted, text kept (with LF line endings)."""
    if not isinstance(body, Mapping):
        return ""
    content = body.get("content")
    if not isinstance(content, str):
        return ""
    if str(body.get("contentType", "text")).casefold() == "html":
        return html_to_text(content)
    return normalise_newlines(content)


# --- events ------------------------------------------------------------------------------------------------


def _boundaries(start: datetime, end: datetime, all_day: bool, tz: tzinfo) -> tuple[Json, Json]:
    """`start`/`end` for Graph. All-day: midnight dates in `tz` (the end day exclusive, at least one
    day); otherwise wall times in `tz`."""
    if not all_day:
        return graph_datetime(start, tz), graph_datetime(end, tz)
    first, last = all_day_dates(start, end, tz)
    return graph_date(first, tz), graph_date(last, tz)


def _template_json(item: Action | Series, category_labels: Collection[str]) -> Json:
    """The content an action and a series template share, as Graph event properties."""
    return {
        "subject": item.title,
        "location": {"displayName": item.location},
        "sensitivity": "private" if item.private else "normal",
        "isReminderOn": item.reminder_on,
        "reminderMinutesBeforeStart": item.reminder_minutes,
        "categories": [_category_name(item.action_type, category_labels)],
        "body": {"contentType": "text", "content": item.note},
    }


def action_to_event(action: Action, tz: tzinfo, category_labels: Collection[str] = ()) -> Json:
    """The Graph event body (POST or PATCH) of a CRM action, times in the CRM zone `tz`.

    `category_labels` are the user's Outlook master categories, if known: the action type is then sent
    with the spelling Outlook already has. The CRM-id stamp and the transactionId are added by the caller
    on creation (`stamp`, `transaction_id`): they are not content.
    """
    start, end = _boundaries(action.start, action.end, action.all_day, tz)
    return {
        **_template_json(action, category_labels),
        "start": start,
        "end": end,
        "isAllDay": action.all_day,
    }


def _read_boundaries(event: Mapping[str, Any], tz: tzinfo) -> tuple[datetime, datetime, bool]:
    if event.get("isAllDay"):
        first, last = read_date(event.get("start")), read_date(event.get("end"))
        last = max(last, first + timedelta(days=1))
        return midnight(first, tz), midnight(last, tz), True
    start = read_datetime(event.get("start"), tz)
    end = read_datetime(event.get("end"), tz)
    return start, max(start, end), False


def _template_fields(event: Mapping[str, Any], known_type_labels: Iterable[str]) -> dict[str, Any]:
    """The content an event shares with the CRM's action template, read leniently: a missing field reads
    as its Outlook default, a reminder outside the CRM's range is brought into it."""
    location = event.get("location")
    minutes = event.get("reminderMinutesBeforeStart")
    minutes = minutes if isinstance(minutes, int) and not isinstance(minutes, bool) else 15
    return {
        "title": event.get("subject") or "",
        "location": (location.get("displayName") or "") if isinstance(location, Mapping) else "",
        "private": str(event.get("sensitivity") or "normal").casefold() != "normal",
        "reminder_on": bool(event.get("isReminderOn")),
        "reminder_minutes": min(max(minutes, 0), MAX_REMINDER_MINUTES),
        "action_type": _action_type_of(event.get("categories"), known_type_labels),
        "note": body_text(event.get("body")),
    }


def event_to_action(
    event: Mapping[str, Any], tz: tzinfo, known_type_labels: Iterable[str], owner: str
) -> Action:
    """The CRM action of a Graph event (single instance, occurrence or exception), times in `tz`.

    Sensitivity personal/confidential read as private; the action type is the first category naming a
    CRM action type, else `Tâche`; an HTML body becomes plain text; all-day events are midnight to
    midnight in `tz`. The series link (series_id, original_start) is the caller's to add: see
    `original_start`. Raises UnreadableItem naming the event and the problem.
    """
    try:
        start, end, all_day = _read_boundaries(event, tz)
        return Action(
            owner=owner,
            start=start,
            end=end,
            all_day=all_day,
            **_template_fields(event, known_type_labels),
        )
    except (UserError, InvalidValue, TypeError, ValueError) as exc:
        raise UnreadableItem(texts.microsoft.unreadable_item("event", event.get("id"), _why(exc))) from None


def original_start(event: Mapping[str, Any], tz: tzinfo) -> datetime | None:
    """Where the recurrence put an occurrence or exception (`originalStart`, UTC), in `tz`; None for
    other events."""
    value = event.get("originalStart")
    if not isinstance(value, str) or not value:
        return None
    moment = parse_graph_datetime(value)
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).astimezone(tz)


def last_modified(item: Mapping[str, Any]) -> datetime | None:
    """`lastModifiedDateTime` as an aware datetime (for the `newest` conflict policy), or None."""
    value = item.get("lastModifiedDateTime")
    if not isinstance(value, str) or not value:
        return None
    moment = parse_graph_datetime(value)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _why(exc: BaseException) -> str:
    if isinstance(exc, InvalidValue):
        return texts.domain.refusal(exc)
    return str(exc) or type(exc).__name__


# --- recurrence and series ---------------------------------------------------------------------------------


def recurrence_json(recurrence: Recurrence, zone_name: str) -> Json:
    """Graph's `patternedRecurrence` for a rule: only the properties the pattern and range use (Graph
    refuses unsupported values in any property it is given), `recurrenceTimeZone` = `zone_name`."""
    r = recurrence
    pattern: Json = {"type": r.pattern, "interval": r.interval, "firstDayOfWeek": r.first_day_of_week}
    pattern.update((_GRAPH_NAMES[name], value) for name, value in pattern_parts(r).items())
    rng: Json = {"type": r.range_type, "startDate": r.start_date.isoformat(), "recurrenceTimeZone": zone_name}
    rng.update((_GRAPH_NAMES[name], value) for name, value in range_parts(r).items())
    return {"pattern": pattern, "range": rng}


# The Graph names of the optional rule fields (`pattern_parts`, `range_parts`): recurrencePattern and
# recurrenceRange, learn.microsoft.com graph/api/resources/recurrencepattern and recurrencerange.
_GRAPH_NAMES = {
    "days": "daysOfWeek",
    "day_of_month": "dayOfMonth",
    "month": "month",
    "index": "index",
    "end_date": "endDate",
    "count": "numberOfOccurrences",
}


def read_recurrence(value: Mapping[str, Any]) -> tuple[Recurrence, str | None]:
    """The CRM rule of a Graph `patternedRecurrence`, and its `recurrenceTimeZone` (if any).

    Graph answers with every property filled (`dayOfMonth: 0`, `index: "first"`, `endDate: "0001-01-01"`
    …) whatever the pattern, so only those the pattern and range type use are read.
    """
    pattern = value.get("pattern") or {}
    rng = value.get("range") or {}
    kind = pattern.get("type")
    fields: dict[str, Any] = {
        "pattern": kind,
        "start_date": date.fromisoformat(rng["startDate"]),
        "interval": int(pattern.get("interval") or 1),
        "first_day_of_week": str(pattern.get("firstDayOfWeek") or "sunday").casefold(),
    }
    if kind in WITH_DAYS:
        fields["days_of_week"] = canonical_days(pattern.get("daysOfWeek") or ())
    if kind in WITH_DAY_OF_MONTH:
        fields["day_of_month"] = int(pattern.get("dayOfMonth") or 0)
    if isinstance(kind, str) and kind.endswith("Yearly"):
        fields["month"] = int(pattern.get("month") or 0)
    if isinstance(kind, str) and kind.startswith("relative"):
        fields["index"] = str(pattern.get("index") or "first").casefold()
    range_type = rng.get("type") or "noEnd"
    fields["range_type"] = range_type
    if range_type == "endDate":
        fields["end_date"] = date.fromisoformat(rng["endDate"])
    elif range_type == "numbered":
        fields["count"] = int(rng.get("numberOfOccurrences") or 0)
    zone = rng.get("recurrenceTimeZone")
    return Recurrence(**fields), zone if isinstance(zone, str) and zone else None


def _rule_zone(zone: tzinfo | None, tz: tzinfo) -> tzinfo:
    """The zone a series' rule runs in: `zone` (the series start's own zone, in which the CRM expands it,
    see `domain.recurrence`; or Outlook's `recurrenceTimeZone`) when it has a Windows name other than the
    CRM zone's, else the CRM zone `tz`."""
    if zone is None or zone is tz:
        return tz
    try:
        return tz if windows_zone(zone) == windows_zone(tz) else zone
    except UnknownTimeZone:
        return tz


def series_to_event(series: Series, tz: tzinfo, category_labels: Collection[str] = ()) -> Json:
    """The Graph body (POST or PATCH) of a series master: the template, the first occurrence's start and
    end, and the rule. Exceptions and cancellations are written occurrence by occurrence by the engine."""
    zone = tz if series.all_day else _rule_zone(series.start.tzinfo, tz)
    start, end = _boundaries(series.start, series.end, series.all_day, zone)
    recurrence = recurrence_json(series.recurrence, windows_zone(zone))
    # The range "startDate … Must be the same value as the start property of the recurring event"
    # (learn.microsoft.com graph/api/resources/recurrencerange): the start's day in the rule's zone.
    recurrence["range"]["startDate"] = series.start.astimezone(zone).date().isoformat()
    return {
        **_template_json(series, category_labels),
        "start": start,
        "end": end,
        "isAllDay": series.all_day,
        "recurrence": recurrence,
    }


def event_to_series(
    master_event: Mapping[str, Any], tz: tzinfo, known_type_labels: Iterable[str], owner: str
) -> Series:
    """The CRM series of a Graph series master (no exceptions, no cancellations: the engine rebuilds
    them from the instances). A timed series keeps its start in the rule's zone when Outlook's
    `recurrenceTimeZone` is not the CRM zone, so the CRM expands it exactly as Outlook does (a 09:00
    Pacific meeting stays 09:00 Pacific across both countries' DST changes); otherwise times are in `tz`.
    A legacy custom zone of desktop Outlook (`is_custom_zone`) has no rules we can read: its series is
    read in `tz` (the start and end Graph gives are exact instants all the same).
    Raises UnreadableItem naming the event and the problem."""
    try:
        value = master_event.get("recurrence")
        if not isinstance(value, Mapping):
            raise ValueError(texts.microsoft.NO_RECURRENCE)
        recurrence, zone_name = read_recurrence(value)
        zone = tz
        if zone_name and not is_custom_zone(zone_name) and not master_event.get("isAllDay"):
            zone = _rule_zone(graph_zone(zone_name), tz)
        start, end, all_day = _read_boundaries(master_event, zone)
        return Series(
            owner=owner,
            start=start,
            end=end,
            all_day=all_day,
            recurrence=recurrence,
            **_template_fields(master_event, known_type_labels),
        )
    except (UserError, InvalidValue, KeyError, TypeError, ValueError) as exc:
        raise UnreadableItem(
            texts.microsoft.unreadable_item("series", master_event.get("id"), _why(exc))
        ) from None


# --- contacts ----------------------------------------------------------------------------------------------


def contact_to_graph(contact: Contact) -> Json:
    """The Graph contact body (POST or PATCH) of a CRM contact: every synced field, empty ones sent
    empty so that a PATCH clears what the CRM cleared. The photo goes separately (`/photo/$value`)."""
    return {
        "givenName": contact.first_name,
        "surname": contact.last_name,
        "displayName": contact.display_name,
        "title": contact.civility,
        "jobTitle": contact.job_title,
        "companyName": contact.company,
        "emailAddresses": (
            [{"address": contact.email, "name": contact.display_name}] if contact.email else []
        ),
        "businessPhones": [contact.phone] if contact.phone else [],
        "mobilePhone": contact.mobile,
        "businessAddress": {
            "street": "\n".join(contact.address_lines),
            "postalCode": contact.postal_code,
            "city": contact.city,
            "countryOrRegion": contact.country,
        },
        "personalNotes": contact.note,
    }


def _text(value: object) -> str:
    return normalise_newlines(value) if isinstance(value, str) else ""


def _first(values: object, key: str | None = None) -> str:
    """The first entry of a Graph list (or its `key`), '' if none."""
    if not isinstance(values, list) or not values:
        return ""
    head = values[0]
    if key is not None:
        head = head.get(key) if isinstance(head, Mapping) else None
    return _text(head)


def graph_contact_fields(item: Mapping[str, Any]) -> dict[str, str]:
    """The one-way fields Outlook holds for a contact, in `contact_fields`' shape (missing = empty,
    CRLF = LF, outer spaces trimmed), so an edit made in Outlook shows as a difference."""
    address = item.get("businessAddress")
    address = address if isinstance(address, Mapping) else {}
    return flat_fields(
        {
            "givenName": _text(item.get("givenName")),
            "surname": _text(item.get("surname")),
            "displayName": _text(item.get("displayName")),
            "title": _text(item.get("title")),
            "jobTitle": _text(item.get("jobTitle")),
            "companyName": _text(item.get("companyName")),
            "email": _first(item.get("emailAddresses"), "address"),
            "businessPhone": _first(item.get("businessPhones")),
            "mobilePhone": _text(item.get("mobilePhone")),
            "street": _text(address.get("street")),
            "postalCode": _text(address.get("postalCode")),
            "city": _text(address.get("city")),
            "countryOrRegion": _text(address.get("countryOrRegion")),
        }
    )


def graph_note(item: Mapping[str, Any]) -> str:
    """A Graph contact's `personalNotes` as CRM text (LF line endings; '' when absent)."""
    return _text(item.get("personalNotes"))


def graph_to_contact(item: Mapping[str, Any], photo: bytes | None = None) -> Contact:
    """The CRM contact a Graph contact stands for (e.g. to re-create a CRM contact from Microsoft 365);
    `photo` is what `/photo/$value` returned. Raises UnreadableItem when the CRM's rules refuse it."""
    address = item.get("businessAddress")
    address = address if isinstance(address, Mapping) else {}
    try:
        return Contact(
            last_name=_text(item.get("surname")),
            first_name=_text(item.get("givenName")),
            civility=_text(item.get("title")),
            company=_text(item.get("companyName")),
            job_title=_text(item.get("jobTitle")),
            email=_first(item.get("emailAddresses"), "address"),
            phone=_first(item.get("businessPhones")),
            mobile=_text(item.get("mobilePhone")),
            address_lines=tuple(_text(address.get("street")).split("\n")),
            postal_code=_text(address.get("postalCode")),
            city=_text(address.get("city")),
            country=_text(address.get("countryOrRegion")),
            photo=photo,
            note=graph_note(item),
        )
    except InvalidValue as exc:
        raise UnreadableItem(
            texts.microsoft.unreadable_item("contact", item.get("id"), texts.domain.refusal(exc))
        ) from None


# --- updates that keep what only Outlook holds -------------------------------------------------------------
#
# Graph keeps every property a PATCH leaves out ("Existing properties that are not included in the
# request body will maintain their previous values", api-reference/v1.0/api/event-update.md and
# contact-update.md), but replaces whole each property it is given: `categories` and every collection,
# `businessAddress` (a complex value), and `location`, which also replaces every entry of `locations`
# (resources/event.md). So an update sends only the properties whose CRM reading differs from what the
# mailbox holds now, and merges the CRM's value into Outlook's where the CRM maps only part of one.

_EVENT_PARTS: Mapping[str, tuple[str, ...]] = {
    "title": ("subject",),
    "location": ("location",),
    "private": ("sensitivity",),
    "reminder_on": ("isReminderOn", "reminderMinutesBeforeStart"),
    "reminder_minutes": ("isReminderOn", "reminderMinutesBeforeStart"),
    "action_type": ("categories",),
    "note": ("body",),
    "all_day": ("start", "end", "isAllDay"),
    "start": ("start", "end", "isAllDay"),
    "end": ("start", "end", "isAllDay"),
}
_SERIES_TIMING = ("start", "end", "isAllDay", "recurrence")  # a series' times and rule go together


def with_type_category(categories: object, action_type: str, known_type_labels: Iterable[str]) -> list[str]:
    """An event's categories with `action_type` in place of the category that named its old type (the
    first naming a CRM action type, the one `event_to_action` reads), or first when none did; the
    categories the CRM does not know stay as they are."""
    current = [c for c in categories if isinstance(c, str)] if isinstance(categories, list) else []
    known = {label.casefold() for label in known_type_labels}
    at = next((i for i, c in enumerate(current) if c.casefold() in known), None)
    if at is None:
        current.insert(0, action_type)
    else:
        current[at] = action_type
    wanted = action_type.casefold()
    first = next(i for i, c in enumerate(current) if c.casefold() == wanted)
    return [c for i, c in enumerate(current) if i == first or c.casefold() != wanted]


def event_update(
    item: Action | Series, current: Mapping[str, Any], tz: tzinfo, known_type_labels: Iterable[str]
) -> Json:
    """The PATCH body that makes Outlook's `current` event (a single event, a series master, or an
    occurrence to turn into an exception) hold `item`, with only the properties whose CRM reading
    differs. What only Outlook holds survives: several locations, categories that are no action type,
    an HTML body, a personal or confidential sensitivity, attendees, `showAs`… Raises UnreadableItem
    like `event_to_action` when `current` cannot be read."""
    labels = list(known_type_labels)
    held: Action | Series
    if isinstance(item, Series):
        full = series_to_event(item, tz)
        held = event_to_series(current, tz, labels, owner=item.owner)
    else:
        full = action_to_event(item, tz)
        held = event_to_action(current, tz, labels, owner=item.owner)
    wanted, now = item_form(item, tz), item_form(held, tz)
    changed = [part for part in wanted if wanted[part] != now.get(part)]
    names: list[str] = []
    for part in changed:
        if isinstance(item, Series) and part in ("all_day", "start", "end", "recurrence"):
            names += _SERIES_TIMING
        else:
            names += _EVENT_PARTS.get(part, ())
    body = {name: full[name] for name in dict.fromkeys(names)}
    if "categories" in body:
        body["categories"] = with_type_category(current.get("categories"), item.action_type, labels)
    return body


_CONTACT_SCALARS = ("givenName", "surname", "displayName", "title", "jobTitle", "companyName", "mobilePhone")
_CONTACT_ADDRESS = ("street", "postalCode", "city", "countryOrRegion")

CONTACT_WRITABLE = (
    "assistantName,birthday,businessAddress,businessHomePage,businessPhones,categories,children,"
    "companyName,department,displayName,emailAddresses,fileAs,generation,givenName,homeAddress,homePhones,"
    "imAddresses,initials,jobTitle,manager,middleName,mobilePhone,nickName,officeLocation,otherAddress,"
    "personalNotes,profession,spouseName,surname,title,yomiCompanyName,yomiGivenName,yomiSurname"
)
"""Every writable property of an Outlook contact (api-reference/v1.0/resources/contact.md): what a
contact re-created in its own place must carry over."""


def _first_replaced(current: object, ours: list[Any]) -> list[Any]:
    """`ours` (one entry) in place of Outlook's first entry, the others kept. A CRM that cleared it
    clears the whole list: otherwise Outlook's second entry would read as the CRM's at the next sync."""
    rest = list(current[1:]) if isinstance(current, list) else []
    return [*ours, *rest] if ours else []


def contact_update(contact: Contact, current: Mapping[str, Any], *, note: bool) -> Json:
    """The PATCH body that makes Outlook's `current` contact hold the CRM's one-way fields (and its note
    when `note`), with only the properties whose value differs: the CRM's email and business phone
    replace Outlook's first ones, the others stay; the business address keeps its state and whatever
    else the CRM does not map; birthday, department, nickname, home address, IM addresses… are never
    sent."""
    wanted, held = contact_fields(contact), graph_contact_fields(current)
    full = contact_to_graph(contact)
    body: Json = {key: full[key] for key in _CONTACT_SCALARS if wanted[key] != held[key]}
    if wanted["email"] != held["email"]:
        body["emailAddresses"] = _first_replaced(current.get("emailAddresses"), full["emailAddresses"])
    if wanted["businessPhone"] != held["businessPhone"]:
        body["businessPhones"] = _first_replaced(current.get("businessPhones"), full["businessPhones"])
    if any(wanted[key] != held[key] for key in _CONTACT_ADDRESS):
        address = current.get("businessAddress")
        body["businessAddress"] = {
            **(address if isinstance(address, Mapping) else {}),
            **full["businessAddress"],
        }
    if note:
        body["personalNotes"] = full["personalNotes"]
    if body:
        # "later updates to other properties may cause an automatically generated value to overwrite
        # the displayName … always include it … in an update" (api-reference/v1.0/api/contact-update.md)
        body["displayName"] = full["displayName"]
    return body


def recreated_contact(contact: Contact, current: Mapping[str, Any]) -> Json:
    """The POST body of a contact re-created in place of Outlook's `current` one (read with
    `$select=CONTACT_WRITABLE`): everything Outlook held, with the CRM's fields merged in as
    `contact_update` would. The CRM-id stamp is the caller's to add."""
    kept = {key: value for key in CONTACT_WRITABLE.split(",") if (value := current.get(key)) is not None}
    return {**kept, **contact_update(contact, current, note=True)}
