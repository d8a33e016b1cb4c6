"""Events: create, read, update, delete, series (occurrences, exceptions, cancellations), calendarView.

Outlook behaviours reproduced here, each because a sync client trips on them:

* responses give ``start``/``end`` in UTC with 7 fractional digits unless ``Prefer: outlook.timezone``;
  all-day events are floating dates, shown at midnight in whatever zone was asked for;
* ``body`` comes back as HTML with a full wrapper unless ``Prefer: outlook.body-content-type="text"``;
* a repeated POST with a known ``transactionId`` returns the existing event and creates nothing;
* calendarView and instances return occurrences and exceptions, never masters; cancelled occurrences are
  simply absent; PATCH on an occurrence turns it into an ``exception``, DELETE cancels it;
* changing a series' times or pattern drops its exceptions and cancellations (as Outlook does);
* ``If-Match`` with a stale changeKey → 412 ``ErrorIrresolvableConflict``;
* ``location`` and ``locations`` always correspond: setting ``location`` replaces every location,
  setting ``locations`` names them all in ``location`` (api-reference/v1.0/resources/event.md);
* a meeting its organiser cancelled stays in an attendee's calendar with ``isCancelled: true``
  (resources/event.md); only the admin API can do that to an event (``cancel_for_attendee``).
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta, tzinfo
from typing import Any

from . import recurrence as rec
from .errors import (
    GraphError,
    format_graph_instant,
    format_local,
    not_found,
    unknown_property,
    validation_failed,
)
from .mailbox import (
    KIND_EVENT,
    KIND_OCCURRENCE,
    Event,
    Mailbox,
    derived_change_key,
    master_id_of,
    new_id,
    occurrence_id,
    parse_id,
    touch,
)
from .odata import (
    apply_select,
    compile_filter,
    context_select,
    order_by,
    page_size,
    paginate,
    parse_select,
)
from .properties import (
    EMAIL_ADDRESS,
    PHYSICAL_ADDRESS,
    V_BODY,
    V_DATETIMETZ,
    body_preview,
    expanded_ext,
    merge_ext,
    normalize_body,
    parse_expand,
    parse_local_datetime,
    parse_window_bound,
    render_body,
    to_instant,
    v_any,
    v_bool,
    v_enum,
    v_ext_props,
    v_int,
    v_list_of,
    v_object,
    v_string,
    v_strings,
    zone_of,
)
from .routing import CAL, ID, GraphRequest, GraphResponse, Router
from .timezones import lookup

EVENT_TYPE = "microsoft.graph.event"

LOCATION = v_object(
    "microsoft.graph.location",
    {
        "displayName": v_string,
        "locationEmailAddress": v_string,
        "address": PHYSICAL_ADDRESS,
        "coordinates": v_any,
        "locationUri": v_string,
        "locationType": v_enum(
            "default",
            "conferenceRoom",
            "homeAddress",
            "businessAddress",
            "geoCoordinates",
            "streetAddress",
            "hotel",
            "restaurant",
            "localBusiness",
            "postalAddress",
        ),
        "uniqueId": v_string,
        "uniqueIdType": v_enum("unknown", "locationStore", "directory", "private", "bing"),
    },
)
ATTENDEE = v_object(
    "microsoft.graph.attendee",
    {
        "emailAddress": EMAIL_ADDRESS,
        "type": v_enum("required", "optional", "resource"),
        "status": v_any,
        "proposedNewTime": v_any,
    },
)

# Plain properties: stored as given (after validation) and returned as stored.
PLAIN: dict[str, Callable[[Any, str], Any]] = {
    "subject": v_string,
    "location": LOCATION,
    "locations": v_list_of(LOCATION, "microsoft.graph.location"),
    "categories": v_strings,
    "sensitivity": v_enum("normal", "personal", "private", "confidential"),
    "showAs": v_enum("free", "tentative", "busy", "oof", "workingElsewhere", "unknown"),
    "importance": v_enum("low", "normal", "high"),
    "isReminderOn": v_bool,
    "reminderMinutesBeforeStart": v_int,
    "responseRequested": v_bool,
    "allowNewTimeProposals": v_bool,
    "hideAttendees": v_bool,
    "isOnlineMeeting": v_bool,
    "onlineMeetingProvider": v_enum("unknown", "teamsForBusiness", "skypeForBusiness", "skypeForConsumer"),
    "attendees": v_list_of(ATTENDEE, "microsoft.graph.attendee"),
    "organizer": v_object("microsoft.graph.recipient", {"emailAddress": EMAIL_ADDRESS}),
    "multiValueExtendedProperties": v_any,
}
# Accepted in a body and ignored (read-only or computed by the server), as Graph tolerates them.
IGNORED = {
    "id",
    "changeKey",
    "createdDateTime",
    "lastModifiedDateTime",
    "type",
    "seriesMasterId",
    "iCalUId",
    "webLink",
    "bodyPreview",
    "hasAttachments",
    "isOrganizer",
    "responseStatus",
    "originalStart",
    "onlineMeeting",
    "onlineMeetingUrl",
    "isCancelled",
    "isDraft",
    "originalStartTimeZone",
    "originalEndTimeZone",
    "uid",
    "occurrenceId",
    "cancelledOccurrences",
    "exceptionOccurrences",
}
# Set only through the admin API (``cancel_for_attendee``): what an attendee's copy of a meeting
# its organiser cancelled says. A client cannot write them (they are read-only in Graph).
ATTENDEE_COPY = {"isCancelled", "isOrganizer"}
SPECIAL = {"body", "start", "end", "isAllDay", "recurrence", "transactionId", "singleValueExtendedProperties"}
# In the beta API only: v1.0 refuses to $select them (a body may carry them: they are ignored).
BETA_ONLY = {"cancelledOccurrences", "exceptionOccurrences"}
SELECTABLE = [
    *PLAIN,
    *SPECIAL,
    *(IGNORED - BETA_ONLY),
    "@odata.etag",
]
DEFAULTS: dict[str, Any] = {
    "subject": "",
    "location": None,
    "locations": [],
    "categories": [],
    "sensitivity": "normal",
    "showAs": "busy",
    "importance": "normal",
    "isReminderOn": True,
    "reminderMinutesBeforeStart": 15,
    "responseRequested": True,
    "allowNewTimeProposals": True,
    "hideAttendees": False,
    "isOnlineMeeting": False,
    "onlineMeetingProvider": "unknown",
    "attendees": [],
}


# ------------------------------------------------------------------------------------------ validation


def validate_patch(body: dict[str, Any], *, creating: bool) -> dict[str, Any]:
    """A request body → a normalised patch (plain fields checked; special ones parsed later)."""
    patch: dict[str, Any] = {}
    for key, value in body.items():
        if key.startswith("@"):
            continue
        if key in PLAIN:
            patch[key] = PLAIN[key](value, key)
        elif key == "body":
            patch[key] = normalize_body(V_BODY(value, key))
        elif key in {"start", "end"}:
            parsed = V_DATETIMETZ(value, key)
            if not parsed or "dateTime" not in parsed:
                raise validation_failed(f"The {key} time is missing its dateTime.")
            moment = parse_local_datetime(parsed["dateTime"], key)
            tz_name = parsed.get("timeZone") or "UTC"
            zone_of(tz_name)
            patch[key] = {"local": moment.isoformat(), "timeZone": tz_name}
        elif key == "isAllDay":
            patch[key] = v_bool(value, key)
        elif key == "recurrence":
            if value is not None and not isinstance(value, dict):
                raise validation_failed("The recurrence is not valid.")
            patch[key] = value
        elif key == "transactionId":
            patch[key] = v_string(value, key)
        elif key == "singleValueExtendedProperties":
            patch[key] = v_ext_props(value, key)
        elif key in IGNORED:
            continue
        else:
            raise unknown_property(key, "Microsoft.OutlookServices.Event")
    if creating and ("start" not in patch or "end" not in patch):
        raise GraphError(
            400, "ErrorInvalidRequest", "Your request can't be completed. Start and End are required."
        )
    return patch


def _correspond_locations(fields: dict[str, Any], patch: dict[str, Any]) -> None:
    """Keep ``location`` and ``locations`` in step after a write that set only one of them."""
    if "location" in patch and "locations" not in patch:
        location = patch["location"]
        fields["locations"] = [location] if location and location.get("displayName") else []
    elif "locations" in patch and "location" not in patch:
        names = [str(item.get("displayName") or "") for item in patch["locations"] if item]
        fields["location"] = {"displayName": "; ".join(name for name in names if name)}


def _instant(spec: dict[str, Any]) -> tuple[datetime, tzinfo]:
    zone = zone_of(spec["timeZone"])
    return to_instant(datetime.fromisoformat(spec["local"]), zone), zone


def apply_patch(event: Event, patch: dict[str, Any], *, allow_recurrence: bool = True) -> bool:
    """Apply a normalised patch in place; True when times or recurrence changed."""
    timing_changed = False
    for key, value in patch.items():
        if key in PLAIN or key in ATTENDEE_COPY:
            event.fields[key] = value
        elif key == "body":
            event.body = value
        elif key == "singleValueExtendedProperties":
            merge_ext(event.ext, value)
    _correspond_locations(event.fields, patch)
    if {"start", "end", "recurrence"} & patch.keys():
        event.custom_zone = ""  # the zones given replace a legacy custom one
    if "start" in patch:
        event.start, _ = _instant(patch["start"])
        event.start_tz = patch["start"]["timeZone"]
        timing_changed = True
    if "end" in patch:
        event.end, _ = _instant(patch["end"])
        event.end_tz = patch["end"]["timeZone"]
        timing_changed = True
    if "isAllDay" in patch:
        timing_changed = timing_changed or patch["isAllDay"] != event.all_day
        event.all_day = patch["isAllDay"]
    if event.end < event.start:
        raise GraphError(400, "ErrorInvalidRequest", "The end time of the event is before its start time.")
    if event.all_day:
        for moment, tz_name in ((event.start, event.start_tz), (event.end, event.end_tz)):
            local = moment.astimezone(zone_of(tz_name))
            if (local.hour, local.minute, local.second, local.microsecond) != (0, 0, 0, 0):
                raise validation_failed(
                    "If an event is marked as all-day, its start and end times must be set to midnight."
                )
        if event.end == event.start:
            raise validation_failed("An all-day event must last at least one day.")
    if "recurrence" in patch:
        if not allow_recurrence:
            raise GraphError(
                400, "ErrorInvalidRequest", "An occurrence of a series cannot have a recurrence."
            )
        start_local = event.start.astimezone(zone_of(event.start_tz))
        new = rec.normalize(patch["recurrence"], start_local.date(), event.start_tz)
        timing_changed = timing_changed or new != event.recurrence
        event.recurrence = new
    elif event.recurrence is not None and timing_changed:
        # the series follows the master's new start date
        start_local = event.start.astimezone(zone_of(event.start_tz))
        event.recurrence["range"]["startDate"] = start_local.date().isoformat()
    if event.recurrence is not None and timing_changed:
        _align_master(event)
    return timing_changed


def _align_master(event: Event) -> None:
    """Outlook moves a series master onto its first occurrence ("The first occurrence of the meeting may
    be this date or later, depending on the recurrence pattern"), and its range then starts that day
    ("Must be the same value as the start property of the recurring event"; both from
    learn.microsoft.com graph/api/resources/recurrencerange). No occurrence at all is an error."""
    assert event.recurrence is not None
    first = rec.first_occurrence(event.recurrence, event.start)
    if first is None:
        raise validation_failed("The recurrence pattern has no occurrence in its range.")
    duration = event.end - event.start
    event.start, event.end = first, first + duration
    local_day = first.astimezone(rec.recurrence_zone(event.recurrence)).date()
    event.recurrence["range"]["startDate"] = local_day.isoformat()


# ------------------------------------------------------------------------------------------------ views


@dataclass
class View:
    """An event as returned: a stored event, or an occurrence/exception materialised from its master."""

    event: Event
    id: str
    type: str
    change_key: str
    modified: datetime
    master_id: str | None = None
    original_start: datetime | None = None


def single_view(event: Event) -> View:
    kind = "seriesMaster" if event.recurrence else "singleInstance"
    return View(event, event.id, kind, event.change_key, event.modified)


def occurrence_view(master: Event, original: datetime) -> View:
    """Occurrence at ``original`` (UTC); an exception if it has patches. Caller checks it exists."""
    epoch = int(original.timestamp())
    occ = replace(
        master,
        fields=dict(master.fields),  # patches replace values, never mutate them
        ext=dict(master.ext),
        start=original,
        end=_occurrence_end(master, original),
        recurrence=None,
        exceptions={},
        exception_keys={},
        cancelled=set(),
    )
    patches = master.exceptions.get(epoch)
    if patches:
        for patch in patches:
            apply_patch(occ, patch, allow_recurrence=False)
        own_key, own_modified = master.exception_keys[epoch]
        change_key = derived_change_key(master.series_key or master.change_key, own_key)
        modified = max(master.modified, own_modified)
        kind = "exception"
    else:
        change_key = derived_change_key(master.series_key or master.change_key, str(epoch))
        modified = master.modified
        kind = "occurrence"
    occ.ical_uid = f"{master.ical_uid}{original.strftime('%Y%m%d')}"
    return View(occ, occurrence_id(master.id, original), kind, change_key, modified, master.id, original)


def _occurrence_end(master: Event, original: datetime) -> datetime:
    """Timed: same duration. All-day: same number of calendar days, midnight to midnight across DST."""
    if not master.all_day:
        return original + (master.end - master.start)
    start_zone, end_zone = zone_of(master.start_tz), zone_of(master.end_tz)
    days = (master.end.astimezone(end_zone).date() - master.start.astimezone(start_zone).date()).days
    last = original.astimezone(start_zone).date() + timedelta(days=days)
    return datetime.combine(last, datetime.min.time(), tzinfo=end_zone).astimezone(UTC)


def _overlaps(start: datetime, end: datetime, low: datetime, high: datetime) -> bool:
    if start == end:
        return low <= start < high
    return start < high and end > low


def series_views(master: Event, low: datetime, high: datetime) -> list[View]:
    """Occurrences and exceptions of a series that overlap [low, high); cancelled ones are absent."""
    assert master.recurrence is not None
    duration = master.end - master.start
    views = []
    margin = duration + timedelta(hours=3, seconds=1)  # all-day durations vary by an hour across DST
    for original in rec.occurrences(master.recurrence, master.start, low - margin, high):
        epoch = int(original.timestamp())
        if epoch in master.cancelled or epoch in master.exceptions:
            continue
        if _overlaps(original, _occurrence_end(master, original), low, high):
            views.append(occurrence_view(master, original))
    for epoch in master.exceptions:
        view = occurrence_view(master, datetime.fromtimestamp(epoch, UTC))
        if _overlaps(view.event.start, view.event.end, low, high):
            views.append(view)
    return views


def _is_occurrence(master: Event, original: datetime) -> bool:
    if master.recurrence is None or int(original.timestamp()) in master.cancelled:
        return False
    found = rec.occurrences(master.recurrence, master.start, original, original + timedelta(seconds=1))
    return any(moment == original for moment in found)


# ------------------------------------------------------------------------------------------- rendering


@dataclass
class Options:
    """What a request asks about the shape of events: zone, body type, $select, $expand."""

    tz_name: str
    zone: tzinfo
    text_body: bool
    select: list[str] | None
    expand: Callable[[dict[str, str]], bool] | None

    @classmethod
    def of(cls, request: GraphRequest) -> Options:
        tz_name = request.prefs.get("outlook.timezone") or "UTC"
        zone = lookup(tz_name)
        if zone is None:  # Graph ignores a zone it cannot read and answers in UTC
            tz_name, zone = "UTC", UTC
        return cls(
            tz_name=tz_name,
            zone=zone,
            text_body=request.prefs.get("outlook.body-content-type", "").lower() == "text",
            select=parse_select(request.param("$select"), SELECTABLE, EVENT_TYPE),
            expand=parse_expand(request.param("$expand"), EVENT_TYPE),
        )

    def applied(self) -> dict[str, str]:
        prefs = []
        if self.tz_name != "UTC":
            prefs.append(f'outlook.timezone="{self.tz_name}"')
        if self.text_body:
            prefs.append('outlook.body-content-type="text"')
        return {"Preference-Applied": ", ".join(prefs)} if prefs else {}


def _dtz(moment: datetime, event: Event, tz_of_event: str, options: Options) -> dict[str, str]:
    if event.all_day:
        local_date = moment.astimezone(zone_of(tz_of_event)).date()
        return {
            "dateTime": format_local(datetime.combine(local_date, datetime.min.time())),
            "timeZone": options.tz_name,
        }
    return {"dateTime": format_local(moment.astimezone(options.zone)), "timeZone": options.tz_name}


def _location(value: dict[str, Any] | None) -> dict[str, Any]:
    if not value or not value.get("displayName"):
        base = {
            "displayName": "",
            "locationType": "default",
            "uniqueIdType": "unknown",
            "address": {},
            "coordinates": {},
        }
        return {**base, **(value or {})}
    name = value["displayName"]
    return {
        "displayName": name,
        "locationType": "default",
        "uniqueId": name,
        "uniqueIdType": "private",
        **value,
    }


def _recurrence(event: Event) -> dict[str, Any] | None:
    """A master's recurrence as shown: a legacy custom zone names the range's zone by its custom name."""
    if event.recurrence is None or not event.custom_zone:
        return event.recurrence
    shown = copy.deepcopy(event.recurrence)
    shown["range"]["recurrenceTimeZone"] = event.custom_zone
    return shown


def use_custom_zone(box: Mailbox, event_id: str, name: str) -> None:
    """Make a series master look as desktop Outlook leaves one set in a legacy custom time zone: Graph
    names its zones `name` (``tzone://Microsoft/Custom`` or "Customized Time Zone") and gives no rules;
    its occurrences keep their times. An edit in Outlook, so the changeKey moves. (Any other name plays a
    zone Graph knows and a client may not.)"""
    event = box.events.get(event_id)
    if event is None or event.recurrence is None:
        raise not_found()
    event.custom_zone = name
    _series_touched(event)


def render(view: View, box: Mailbox, options: Options, *, full_ext: bool = False) -> dict[str, Any]:
    """Graph JSON of an event view; ``full_ext`` adds every extended property (for ``$filter``)."""
    event = view.event
    fields = event.fields
    item: dict[str, Any] = {
        "@odata.etag": f'W/"{view.change_key}"',
        "id": view.id,
        "createdDateTime": format_graph_instant(event.created),
        "lastModifiedDateTime": format_graph_instant(view.modified),
        "changeKey": view.change_key,
        "categories": fields.get("categories", []),
        "transactionId": event.transaction_id if view.type in {"singleInstance", "seriesMaster"} else None,
        "originalStartTimeZone": event.custom_zone or event.start_tz,
        "originalEndTimeZone": event.custom_zone or event.end_tz,
        "iCalUId": event.ical_uid,
        "reminderMinutesBeforeStart": fields.get("reminderMinutesBeforeStart", 15),
        "isReminderOn": fields.get("isReminderOn", True),
        "hasAttachments": False,
        "subject": fields.get("subject", ""),
        "bodyPreview": body_preview(event.body),
        "importance": fields.get("importance", "normal"),
        "sensitivity": fields.get("sensitivity", "normal"),
        "isAllDay": event.all_day,
        "isCancelled": fields.get("isCancelled", False),
        "isOrganizer": fields.get("isOrganizer", True),
        "responseRequested": fields.get("responseRequested", True),
        "seriesMasterId": view.master_id,
        "showAs": fields.get("showAs", "busy"),
        "type": view.type,
        "webLink": f"https://outlook.office365.com/owa/?itemid={view.id}&exvsurl=1&path=/calendar/item",
        "onlineMeetingUrl": None,
        "isOnlineMeeting": fields.get("isOnlineMeeting", False),
        "onlineMeetingProvider": fields.get("onlineMeetingProvider", "unknown"),
        "allowNewTimeProposals": fields.get("allowNewTimeProposals", True),
        "isDraft": False,
        "hideAttendees": fields.get("hideAttendees", False),
        "responseStatus": {"response": "organizer", "time": "0001-01-01T00:00:00Z"},
        "body": render_body(event.body, options.text_body),
        "start": _dtz(event.start, event, event.start_tz, options),
        "end": _dtz(event.end, event, event.end_tz, options),
        "location": _location(fields.get("location")),
        "locations": fields.get("locations", []),
        "recurrence": _recurrence(event) if view.type == "seriesMaster" else None,
        "attendees": fields.get("attendees", []),
        "organizer": fields.get("organizer")
        or {"emailAddress": {"name": box.display_name, "address": box.upn}},
        "onlineMeeting": None,
    }
    if view.original_start is not None:
        item["originalStart"] = view.original_start.strftime("%Y-%m-%dT%H:%M:%SZ")
    if item["transactionId"] is None:
        del item["transactionId"]
    if full_ext:
        item["singleValueExtendedProperties"] = list(event.ext.values())
    elif options.expand is not None:
        expanded = expanded_ext(event.ext, options.expand)
        if expanded:
            item["singleValueExtendedProperties"] = expanded
    return item


def _finish(item: dict[str, Any], options: Options) -> dict[str, Any]:
    """Drop the filter-only extended properties, apply $expand and $select."""
    if options.expand is None:
        item.pop("singleValueExtendedProperties", None)
    else:
        expanded = [ext for ext in item.get("singleValueExtendedProperties", []) if options.expand(ext)]
        if expanded:
            item["singleValueExtendedProperties"] = [dict(ext) for ext in expanded]
        else:
            item.pop("singleValueExtendedProperties", None)
    if options.select is not None and options.expand is not None:
        return apply_select(item, [*options.select, "singleValueExtendedProperties"])
    return apply_select(item, options.select)


def respond_one(
    status: int, view: View, request: GraphRequest, options: Options | None = None
) -> GraphResponse:
    options = options or Options.of(request)
    item = _finish(render(view, request.box, options, full_ext=True), options)
    events = f"events{context_select(options.select)}"
    context = f"{request.base_url}/$metadata#users('{request.box.upn}')/{events}/$entity"
    return GraphResponse(status, {"@odata.context": context, **item}, options.applied())


def respond_list(
    request: GraphRequest, views: list[View], *, sort: bool, collection: str = "events"
) -> GraphResponse:
    """A page of events; `collection` is what `@odata.context` names (`calendarView`, `events('…')/
    instances`), followed, as Graph writes it, by the `$select`ed properties."""
    options = Options.of(request)
    predicate = compile_filter(request.param("$filter"))
    size = page_size(request.query_lower, request.prefs)
    if predicate is None and not request.param("$orderby"):
        # the common case (calendarView pages): order the views, render only the page asked for
        if sort:
            views = sorted(views, key=lambda view: (view.event.start, view.id))
        page = paginate(views, request.query, size, request.base_url, request.path)
        items = [render(view, request.box, options, full_ext=True) for view in page.items]
    else:
        rendered = [render(view, request.box, options, full_ext=True) for view in views]
        if predicate is not None:
            rendered = [item for item in rendered if predicate(item)]
        if request.param("$orderby"):
            rendered = order_by(rendered, request.param("$orderby"))
        elif sort:
            rendered.sort(key=lambda item: (item["start"]["dateTime"], item["id"]))
        page = paginate(rendered, request.query, size, request.base_url, request.path)
        items = page.items
    body: dict[str, Any] = {
        "@odata.context": f"{request.base_url}/$metadata#users('{request.box.upn}')/"
        f"{collection}{context_select(options.select)}",
        "value": [_finish(item, options) for item in items],
    }
    if page.next_link:
        body["@odata.nextLink"] = page.next_link
    headers = options.applied()
    if "odata.maxpagesize" in request.prefs:
        existing = headers.get("Preference-Applied")
        pref = f"odata.maxpagesize={size}"
        headers["Preference-Applied"] = f"{existing}, {pref}" if existing else pref
    return GraphResponse(200, body, headers)


# ------------------------------------------------------------------------------------------- lookups


def calendar_id(box: Mailbox, raw: str | None) -> str:
    if raw is None:
        return box.default_calendar.id
    parse_id(raw)
    if raw not in box.calendars:
        raise not_found()
    return raw


def find_view(box: Mailbox, event_id: str, calendar: str | None = None) -> View:
    """An event, occurrence or exception by id; 404 if absent, 400 if the id is malformed."""
    kind, _, _ = parse_id(event_id)
    if kind == KIND_EVENT:
        event = box.events.get(event_id)
        if event is None or (calendar is not None and event.calendar_id != calendar):
            raise not_found()
        return single_view(event)
    if kind == KIND_OCCURRENCE:
        master_id, original = master_id_of(event_id)
        master = box.events.get(master_id)
        if master is None or (calendar is not None and master.calendar_id != calendar):
            raise not_found()
        epoch = int(original.timestamp())
        if epoch not in master.exceptions and not _is_occurrence(master, original):
            raise not_found()
        if epoch in master.cancelled:
            raise not_found()
        return occurrence_view(master, original)
    raise not_found()


def check_if_match(request: GraphRequest, view: View) -> None:
    expected = request.headers.get("if-match")
    if not expected or expected.strip() == "*":
        return
    tag = expected.strip()
    if tag.startswith("W/"):
        tag = tag[2:]
    if tag.strip('"') != view.change_key:
        raise GraphError(
            412,
            "ErrorIrresolvableConflict",
            "The send or update operation could not be performed because the change key passed in the "
            "request does not match the current change key for the item.",
        )


def window(request: GraphRequest) -> tuple[datetime, datetime]:
    low = parse_window_bound(request.param("startDateTime"), "startDateTime")
    high = parse_window_bound(request.param("endDateTime"), "endDateTime")
    return low, high


# ------------------------------------------------------------------------------------------- handlers


def create_event(request: GraphRequest, raw_calendar: str | None = None) -> GraphResponse:
    box = request.box
    cal = calendar_id(box, raw_calendar)
    body = request.json_object()
    transaction = body.get("transactionId")
    if isinstance(transaction, str) and transaction in box.transactions:
        existing = box.events.get(box.transactions[transaction])
        if existing is not None:
            return respond_one(201, single_view(existing), request)
    patch = validate_patch(body, creating=True)
    change_key, now = touch()
    event_id = new_id(KIND_EVENT)
    event = Event(
        id=event_id,
        calendar_id=cal,
        fields=dict(DEFAULTS),
        body=normalize_body(None),
        start=now,
        end=now,
        start_tz="UTC",
        end_tz="UTC",
        all_day=False,
        ext={},
        ical_uid="040000008200E00074C5B7101A82E00800000000" + event_id.encode().hex()[-32:].upper(),
        created=now,
        modified=now,
        change_key=change_key,
        series_key=change_key,
        transaction_id=patch.get("transactionId"),
    )
    apply_patch(event, patch)
    box.events[event_id] = event
    if event.transaction_id:
        box.transactions[event.transaction_id] = event_id
    return respond_one(201, single_view(event), request)


def get_event(request: GraphRequest, raw_calendar: str | None, event_id: str) -> GraphResponse:
    cal = calendar_id(request.box, raw_calendar) if raw_calendar else None
    return respond_one(200, find_view(request.box, event_id, cal), request)


def update_event(request: GraphRequest, raw_calendar: str | None, event_id: str) -> GraphResponse:
    box = request.box
    cal = calendar_id(box, raw_calendar) if raw_calendar else None
    view = find_view(box, event_id, cal)
    check_if_match(request, view)
    patch = validate_patch(request.json_object(), creating=False)
    patch.pop("transactionId", None)
    if view.master_id is None:
        event = box.events[view.id]
        trial = replace(
            event, fields=dict(event.fields), ext=dict(event.ext), recurrence=copy.deepcopy(event.recurrence)
        )
        timing_changed = apply_patch(trial, patch)
        if timing_changed:
            trial.exceptions, trial.exception_keys, trial.cancelled = {}, {}, set()
        trial.change_key, trial.modified = touch()
        trial.series_key = trial.change_key
        box.events[event.id] = trial
        return respond_one(200, single_view(trial), request)
    master = box.events[view.master_id]
    assert view.original_start is not None
    trial_view = occurrence_view(master, view.original_start)
    apply_patch(trial_view.event, patch, allow_recurrence=False)  # validates before storing
    _check_crossing(master, view.original_start, trial_view.event.start)
    epoch = int(view.original_start.timestamp())
    master.exceptions.setdefault(epoch, []).append(patch)
    master.exception_keys[epoch] = touch()
    _series_touched(master)
    return respond_one(200, occurrence_view(master, view.original_start), request)


def _check_crossing(master: Event, original: datetime, new_start: datetime) -> None:
    """Outlook refuses to move an occurrence onto or past the day of a neighbouring occurrence."""
    assert master.recurrence is not None
    zone = rec.recurrence_zone(master.recurrence)
    before, after = rec.neighbours(master.recurrence, master.start, original)
    new_day = new_start.astimezone(zone).date()
    if (before is not None and new_day <= before.astimezone(zone).date()) or (
        after is not None and new_day >= after.astimezone(zone).date()
    ):
        raise GraphError(
            400,
            "ErrorOccurrenceCrossingBoundary",
            "An occurrence can't be moved to or beyond the date of an adjacent occurrence.",
        )


def cancel_for_attendee(box: Mailbox, event_id: str) -> None:
    """What an attendee's calendar holds once the organiser cancelled the meeting, or one occurrence of
    it: the item stays, with ``isCancelled: true`` (resources/event.md) and ``isOrganizer: false``; a
    cancelled occurrence becomes an exception. 404 (GraphError) for an unknown id."""
    view = find_view(box, event_id)
    marks = {"isCancelled": True, "isOrganizer": False}
    if view.master_id is None:
        event = box.events[view.id]
        event.fields.update(marks)
        event.change_key, event.modified = touch()
        event.series_key = event.change_key
        return
    master = box.events[view.master_id]
    assert view.original_start is not None
    epoch = int(view.original_start.timestamp())
    master.fields["isOrganizer"] = False
    master.exceptions.setdefault(epoch, []).append(dict(marks))
    master.exception_keys[epoch] = touch()
    _series_touched(master)


def delete_event(request: GraphRequest, raw_calendar: str | None, event_id: str) -> GraphResponse:
    box = request.box
    cal = calendar_id(box, raw_calendar) if raw_calendar else None
    view = find_view(box, event_id, cal)
    check_if_match(request, view)
    if view.master_id is None:
        event = box.events.pop(view.id)
        if event.transaction_id:
            box.transactions.pop(event.transaction_id, None)
    else:
        master = box.events[view.master_id]
        assert view.original_start is not None
        epoch = int(view.original_start.timestamp())
        master.exceptions.pop(epoch, None)
        master.exception_keys.pop(epoch, None)
        master.cancelled.add(epoch)
        _series_touched(master)
    return GraphResponse(204)


def _series_touched(master: Event) -> None:
    """An exception or a cancellation is stored in the master (as in Exchange): its changeKey moves on.

    Plain occurrences derive their changeKey from ``series_key``, which only master edits renew, so editing
    one occurrence does not make every other occurrence look changed.
    """
    if not master.series_key:
        master.series_key = master.change_key
    master.change_key, master.modified = touch()


def list_events(request: GraphRequest, raw_calendar: str | None = None) -> GraphResponse:
    box = request.box
    cal = calendar_id(box, raw_calendar)
    views = [single_view(event) for event in box.events.values() if event.calendar_id == cal]
    return respond_list(request, views, sort=False)


def calendar_view(request: GraphRequest, raw_calendar: str | None = None) -> GraphResponse:
    box = request.box
    cal = calendar_id(box, raw_calendar)
    low, high = window(request)
    views: list[View] = []
    for event in box.events.values():
        if event.calendar_id != cal:
            continue
        if event.recurrence is not None:
            views.extend(series_views(event, low, high))
        elif _overlaps(event.start, event.end, low, high):
            views.append(single_view(event))
    return respond_list(request, views, sort=True, collection="calendarView")


def instances(request: GraphRequest, raw_calendar: str | None, event_id: str) -> GraphResponse:
    box = request.box
    cal = calendar_id(box, raw_calendar) if raw_calendar else None
    view = find_view(box, event_id, cal)
    low, high = window(request)
    collection = f"events('{event_id}')/instances"
    found = series_views(view.event, low, high) if view.type == "seriesMaster" else []
    return respond_list(request, found, sort=True, collection=collection)


def register(router: Router) -> None:
    router.add("GET", r"/me/events", list_events)
    router.add("POST", r"/me/events", create_event)
    router.add("GET", r"/me/calendarView", calendar_view)
    router.add("GET", r"/me/events/" + ID + r"/instances", lambda r, e: instances(r, None, e))
    router.add("GET", r"/me/events/" + ID, lambda r, e: get_event(r, None, e))
    router.add("PATCH", r"/me/events/" + ID, lambda r, e: update_event(r, None, e))
    router.add("DELETE", r"/me/events/" + ID, lambda r, e: delete_event(r, None, e))
    router.add("GET", CAL + r"/events", list_events)
    router.add("POST", CAL + r"/events", create_event)
    router.add("GET", CAL + r"/calendarView", calendar_view)
    router.add("GET", CAL + r"/events/" + ID + r"/instances", instances)
    router.add("GET", CAL + r"/events/" + ID, get_event)
    router.add("PATCH", CAL + r"/events/" + ID, update_event)
    router.add("DELETE", CAL + r"/events/" + ID, delete_event)
