"""``/me``, mailbox settings, time zones, calendars and the master category list.

Calendar names are unique per mailbox (409 ``ErrorFolderExists``); the default ``Calendar`` cannot be
deleted. Category ``displayName`` is unique (case-insensitive) and immutable; only ``color`` changes.
"""

from __future__ import annotations

import uuid
from typing import Any

from .errors import GraphError, not_found, unknown_property, validation_failed
from .mailbox import KIND_CALENDAR, Calendar, Category, Mailbox, new_change_key, new_id, parse_id
from .odata import apply_select, compile_filter, page_size, paginate, parse_select
from .properties import v_enum, v_string
from .routing import ID, GraphRequest, GraphResponse, Router
from .timezones import WINDOWS_TO_IANA

COLORS = ("none", *(f"preset{n}" for n in range(25)))
CALENDAR_COLORS = (
    "auto",
    "lightBlue",
    "lightGreen",
    "lightOrange",
    "lightGray",
    "lightYellow",
    "lightTeal",
    "lightPink",
    "lightBrown",
    "lightRed",
    "maxColor",
)


def _context(request: GraphRequest, tail: str) -> str:
    return f"{request.base_url}/$metadata#users('{request.box.upn}')/{tail}"


def _collection(
    request: GraphRequest,
    items: list[dict[str, Any]],
    tail: str,
    known: list[str],
    type_name: str,
    default_page: int = 10,
) -> GraphResponse:
    predicate = compile_filter(request.param("$filter"))
    if predicate is not None:
        items = [item for item in items if predicate(item)]
    select = parse_select(request.param("$select"), known, type_name)
    size = page_size(request.query_lower, request.prefs, default_page)
    page = paginate(items, request.query, size, request.base_url, request.path)
    body: dict[str, Any] = {
        "@odata.context": _context(request, tail),
        "value": [apply_select(item, select) for item in page.items],
    }
    if page.next_link:
        body["@odata.nextLink"] = page.next_link
    return GraphResponse(200, body)


# ----------------------------------------------------------------------------------------------- user


def _user(box: Mailbox) -> dict[str, Any]:
    given, _, surname = box.display_name.partition(" ")
    return {
        "businessPhones": [],
        "displayName": box.display_name,
        "givenName": given or None,
        "jobTitle": None,
        "mail": box.upn,
        "mobilePhone": None,
        "officeLocation": None,
        "preferredLanguage": "en-US",
        "surname": surname or None,
        "userPrincipalName": box.upn,
        "id": box.oid,
    }


def get_me(request: GraphRequest) -> GraphResponse:
    user = _user(request.box)
    select = parse_select(request.param("$select"), list(user), "microsoft.graph.user")
    body = {"@odata.context": f"{request.base_url}/$metadata#users/$entity", **apply_select(user, select)}
    return GraphResponse(200, body)


def get_mailbox_settings(request: GraphRequest) -> GraphResponse:
    box = request.box
    return GraphResponse(
        200,
        {
            "@odata.context": _context(request, "mailboxSettings"),
            "timeZone": box.time_zone,
            "dateFormat": "dd/MM/yyyy",
            "timeFormat": "HH:mm",
            "language": {"locale": "en-US", "displayName": "English (United States)"},
        },
    )


def supported_time_zones(request: GraphRequest, standard: str | None = None) -> GraphResponse:
    if standard and "iana" in standard.lower():
        zones = [{"alias": iana, "displayName": iana} for iana in sorted(set(WINDOWS_TO_IANA.values()))]
    else:
        zones = [{"alias": name, "displayName": name} for name in WINDOWS_TO_IANA]
    return GraphResponse(
        200,
        {
            "@odata.context": f"{request.base_url}/$metadata#Collection(microsoft.graph.timeZoneInformation)",
            "value": zones,
        },
    )


# ------------------------------------------------------------------------------------------ calendars


def _calendar(box: Mailbox, cal: Calendar) -> dict[str, Any]:
    return {
        "@odata.etag": f'W/"{cal.change_key}"',
        "id": cal.id,
        "name": cal.name,
        "color": cal.color,
        "hexColor": "",
        "isDefaultCalendar": cal.is_default,
        "changeKey": cal.change_key,
        "canShare": True,
        "canViewPrivateItems": True,
        "canEdit": True,
        "allowedOnlineMeetingProviders": ["teamsForBusiness"],
        "defaultOnlineMeetingProvider": "teamsForBusiness",
        "isTallyingResponses": True,
        "isRemovable": not cal.is_default,
        "owner": {"name": box.display_name, "address": box.upn},
    }


CALENDAR_PROPS = list(_calendar(Mailbox("a", "b", "c"), Calendar("x", "y", "z")))


def _find_calendar(box: Mailbox, raw: str | None) -> Calendar:
    if raw is None:
        return box.default_calendar
    parse_id(raw)
    cal = box.calendars.get(raw)
    if cal is None:
        raise not_found()
    return cal


def _check_name(box: Mailbox, name: Any, exclude: str | None = None) -> str:
    if not isinstance(name, str) or not name.strip():
        raise validation_failed("The calendar name is required.")
    if any(cal.name.lower() == name.lower() and cal.id != exclude for cal in box.calendars.values()):
        raise GraphError(409, "ErrorFolderExists", "A folder with the specified name already exists.")
    return name


def _calendar_body(request: GraphRequest) -> dict[str, Any]:
    body = request.json_object()
    for key in body:
        if key not in {"name", "color", "hexColor"} and not key.startswith("@"):
            raise unknown_property(key, "Microsoft.OutlookServices.Calendar")
    if "color" in body:
        body["color"] = v_enum(*CALENDAR_COLORS)(body["color"], "color")
    return body


def list_calendars(request: GraphRequest) -> GraphResponse:
    box = request.box
    items = [_calendar(box, cal) for cal in box.calendars.values()]
    return _collection(request, items, "calendars", CALENDAR_PROPS, "microsoft.graph.calendar")


def create_calendar(request: GraphRequest) -> GraphResponse:
    box = request.box
    body = _calendar_body(request)
    name = _check_name(box, body.get("name"))
    cal = Calendar(
        id=new_id(KIND_CALENDAR), name=name, change_key=new_change_key(), color=body.get("color", "auto")
    )
    box.calendars[cal.id] = cal
    return GraphResponse(
        201, {"@odata.context": _context(request, "calendars/$entity"), **_calendar(box, cal)}
    )


def get_calendar(request: GraphRequest, raw: str | None = None) -> GraphResponse:
    box = request.box
    cal = _find_calendar(box, raw)
    select = parse_select(request.param("$select"), CALENDAR_PROPS, "microsoft.graph.calendar")
    item = apply_select(_calendar(box, cal), select)
    return GraphResponse(200, {"@odata.context": _context(request, "calendars/$entity"), **item})


def update_calendar(request: GraphRequest, raw: str | None = None) -> GraphResponse:
    box = request.box
    cal = _find_calendar(box, raw)
    body = _calendar_body(request)
    if "name" in body:
        cal.name = _check_name(box, body["name"], exclude=cal.id)
    if "color" in body:
        cal.color = body["color"]
    cal.change_key = new_change_key()
    return GraphResponse(
        200, {"@odata.context": _context(request, "calendars/$entity"), **_calendar(box, cal)}
    )


def delete_calendar(request: GraphRequest, raw: str) -> GraphResponse:
    box = request.box
    cal = _find_calendar(box, raw)
    if cal.is_default:
        raise GraphError(400, "ErrorCannotDeleteObject", "The default calendar cannot be deleted.")
    del box.calendars[cal.id]
    for event_id in [eid for eid, event in box.events.items() if event.calendar_id == cal.id]:
        event = box.events.pop(event_id)
        if event.transaction_id:
            box.transactions.pop(event.transaction_id, None)
    return GraphResponse(204)


# ------------------------------------------------------------------------------------------ categories


def _category(cat: Category) -> dict[str, Any]:
    return {"id": cat.id, "displayName": cat.display_name, "color": cat.color}


def _find_category(box: Mailbox, raw: str) -> Category:
    try:
        uuid.UUID(raw)
    except ValueError as exc:
        raise GraphError(400, "ErrorInvalidIdMalformed", "Id is malformed.") from exc
    cat = box.categories.get(raw.lower())
    if cat is None:
        raise not_found()
    return cat


def _category_body(request: GraphRequest) -> dict[str, Any]:
    body = request.json_object()
    for key in body:
        if key not in {"displayName", "color", "id"} and not key.startswith("@"):
            raise unknown_property(key, "Microsoft.OutlookServices.OutlookCategory")
    if "color" in body:
        body["color"] = v_enum(*COLORS)(body["color"], "color")
    if "displayName" in body:
        v_string(body["displayName"], "displayName")
    return body


def list_categories(request: GraphRequest) -> GraphResponse:
    items = [_category(cat) for cat in request.box.categories.values()]
    # Outlook returns the whole master list in one response
    return _collection(
        request,
        items,
        "outlook/masterCategories",
        ["id", "displayName", "color"],
        "microsoft.graph.outlookCategory",
        default_page=1000,
    )


def create_category(request: GraphRequest) -> GraphResponse:
    box = request.box
    body = _category_body(request)
    name = body.get("displayName")
    if not name or not name.strip():
        raise validation_failed("The displayName of a category is required.")
    if any(cat.display_name.lower() == name.lower() for cat in box.categories.values()):
        raise GraphError(409, "ErrorDuplicateItem", f"A category named '{name}' already exists.")
    cat = Category(id=str(uuid.uuid4()), display_name=name, color=body.get("color", "none"))
    box.categories[cat.id] = cat
    return GraphResponse(
        201, {"@odata.context": _context(request, "outlook/masterCategories/$entity"), **_category(cat)}
    )


def get_category(request: GraphRequest, raw: str) -> GraphResponse:
    cat = _find_category(request.box, raw)
    return GraphResponse(
        200, {"@odata.context": _context(request, "outlook/masterCategories/$entity"), **_category(cat)}
    )


def update_category(request: GraphRequest, raw: str) -> GraphResponse:
    cat = _find_category(request.box, raw)
    body = _category_body(request)
    if "displayName" in body and body["displayName"] != cat.display_name:
        raise GraphError(400, "ErrorInvalidRequest", "The displayName of a category cannot be changed.")
    if "color" in body:
        cat.color = body["color"]
    return GraphResponse(
        200, {"@odata.context": _context(request, "outlook/masterCategories/$entity"), **_category(cat)}
    )


def delete_category(request: GraphRequest, raw: str) -> GraphResponse:
    cat = _find_category(request.box, raw)
    del request.box.categories[cat.id]
    return GraphResponse(204)


def register(router: Router) -> None:
    router.add("GET", r"/me", get_me)
    router.add("GET", r"/me/mailboxSettings", get_mailbox_settings)
    router.add("GET", r"/me/outlook/supportedTimeZones", supported_time_zones)
    router.add(
        "GET",
        r"/me/outlook/supportedTimeZones\(TimeZoneStandard=(?:microsoft\.graph\.timeZoneStandard)?'([^']*)'\)",
        supported_time_zones,
    )
    router.add("GET", r"/me/calendars", list_calendars)
    router.add("POST", r"/me/calendars", create_calendar)
    router.add("GET", r"/me/calendar", get_calendar)
    router.add("PATCH", r"/me/calendar", update_calendar)
    router.add("GET", r"/me/calendars/" + ID, get_calendar)
    router.add("PATCH", r"/me/calendars/" + ID, update_calendar)
    router.add("DELETE", r"/me/calendars/" + ID, delete_calendar)
    router.add("GET", r"/me/outlook/masterCategories", list_categories)
    router.add("POST", r"/me/outlook/masterCategories", create_category)
    router.add("GET", r"/me/outlook/masterCategories/" + ID, get_category)
    router.add("PATCH", r"/me/outlook/masterCategories/" + ID, update_category)
    router.add("DELETE", r"/me/outlook/masterCategories/" + ID, delete_category)
