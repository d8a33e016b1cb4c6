"""Contacts (``/me/contacts``) and their photos.

Photos: ``PUT``/``PATCH …/photo/$value`` with an ``image/*`` body stores it (200, empty body, as the
docs say); more than 4 MB is refused with 413; ``GET …/photo/$value`` returns the bytes or 404
``ErrorItemNotFound`` "The photo wasn't found.". ``DELETE`` of a *contact* photo is not supported by
Graph (``profilephoto-delete.md``: "supports only user or group photos, not Outlook contact"), so the
fake answers 405 there too.
"""

from __future__ import annotations

import copy
import hashlib
from typing import Any

from .errors import GraphError, format_graph_instant, not_found, unknown_property
from .mailbox import KIND_CONTACT, Contact, Mailbox, Photo, new_id, parse_id, touch
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
    expanded_ext,
    merge_ext,
    parse_expand,
    v_any,
    v_ext_props,
    v_list_of,
    v_string,
    v_strings,
)
from .routing import ID, GraphRequest, GraphResponse, Router

CONTACT_TYPE = "microsoft.graph.contact"
MAX_PHOTO = 4 * 1024 * 1024

STRINGS = (
    "assistantName",
    "businessHomePage",
    "companyName",
    "department",
    "displayName",
    "fileAs",
    "generation",
    "givenName",
    "initials",
    "jobTitle",
    "manager",
    "middleName",
    "mobilePhone",
    "nickName",
    "officeLocation",
    "personalNotes",
    "profession",
    "spouseName",
    "surname",
    "title",
    "yomiCompanyName",
    "yomiGivenName",
    "yomiSurname",
    "birthday",
)
LISTS = ("businessPhones", "homePhones", "imAddresses", "categories", "children")
ADDRESSES = ("businessAddress", "homeAddress", "otherAddress")
IGNORED = {
    "id",
    "changeKey",
    "createdDateTime",
    "lastModifiedDateTime",
    "parentFolderId",
    "photo",
    "extensions",
}
FIELDS: dict[str, Any] = {
    **dict.fromkeys(STRINGS, v_string),
    **dict.fromkeys(LISTS, v_strings),
    **dict.fromkeys(ADDRESSES, PHYSICAL_ADDRESS),
    "emailAddresses": v_list_of(EMAIL_ADDRESS, "microsoft.graph.emailAddress"),
    "multiValueExtendedProperties": v_any,
}
SELECTABLE = [*FIELDS, *IGNORED, "singleValueExtendedProperties"]


def _validate(body: dict[str, Any]) -> tuple[dict[str, Any], list[dict[str, str]]]:
    fields: dict[str, Any] = {}
    ext: list[dict[str, str]] = []
    for key, value in body.items():
        if key.startswith("@"):
            continue
        if key in FIELDS:
            fields[key] = FIELDS[key](value, key)
        elif key == "singleValueExtendedProperties":
            ext = v_ext_props(value, key)
        elif key not in IGNORED:
            raise unknown_property(key, "Microsoft.OutlookServices.Contact")
    return fields, ext


def _display_name(fields: dict[str, Any]) -> str:
    parts = [fields.get("givenName"), fields.get("middleName"), fields.get("surname")]
    return " ".join(part for part in parts if part)


def render(contact: Contact, full_ext: bool = False, expand: Any = None) -> dict[str, Any]:
    fields = contact.fields
    item: dict[str, Any] = {
        "@odata.etag": f'W/"{contact.change_key}"',
        "id": contact.id,
        "createdDateTime": format_graph_instant(contact.created),
        "lastModifiedDateTime": format_graph_instant(contact.modified),
        "changeKey": contact.change_key,
        "categories": fields.get("categories", []),
        "parentFolderId": contact.folder_id,
    }
    for key in STRINGS:
        item[key] = fields.get(key)
    if not item["displayName"]:
        item["displayName"] = _display_name(fields)
    for key in LISTS:
        item[key] = fields.get(key, [])
    item["emailAddresses"] = fields.get("emailAddresses", [])
    for key in ADDRESSES:
        item[key] = fields.get(key) or {}
    if full_ext:
        item["singleValueExtendedProperties"] = list(contact.ext.values())
    elif expand is not None:
        expanded = expanded_ext(contact.ext, expand)
        if expanded:
            item["singleValueExtendedProperties"] = expanded
    return item


def _find(box: Mailbox, raw: str) -> Contact:
    kind, _, _ = parse_id(raw)
    contact = box.contacts.get(raw)
    if contact is None or kind != KIND_CONTACT:
        raise not_found()
    return contact


def _one(request: GraphRequest, status: int, contact: Contact) -> GraphResponse:
    expand = parse_expand(request.param("$expand"), CONTACT_TYPE)
    select = parse_select(request.param("$select"), SELECTABLE, CONTACT_TYPE)
    item = render(contact, expand=expand)
    context = (
        f"{request.base_url}/$metadata#users('{request.box.upn}')/contacts{context_select(select)}/$entity"
    )
    if select is not None and expand is not None:
        select = [*select, "singleValueExtendedProperties"]
    return GraphResponse(status, {"@odata.context": context, **apply_select(item, select)})


def list_contacts(request: GraphRequest) -> GraphResponse:
    box = request.box
    expand = parse_expand(request.param("$expand"), CONTACT_TYPE)
    select = parse_select(request.param("$select"), SELECTABLE, CONTACT_TYPE)
    predicate = compile_filter(request.param("$filter"))
    items = [render(contact, full_ext=True) for contact in box.contacts.values()]
    if predicate is not None:
        items = [item for item in items if predicate(item)]
    items = order_by(items, request.param("$orderby"))
    page = paginate(
        items, request.query, page_size(request.query_lower, request.prefs), request.base_url, request.path
    )
    values = []
    for item in page.items:
        ext = item.pop("singleValueExtendedProperties", [])
        if expand is not None:
            expanded = [dict(e) for e in ext if expand(e)]
            if expanded:
                item["singleValueExtendedProperties"] = expanded
        keep = select if select is None or expand is None else [*select, "singleValueExtendedProperties"]
        values.append(apply_select(item, keep))
    body: dict[str, Any] = {
        "@odata.context": f"{request.base_url}/$metadata#users('{box.upn}')/contacts{context_select(select)}",
        "value": values,
    }
    if page.next_link:
        body["@odata.nextLink"] = page.next_link
    return GraphResponse(200, body)


def create_contact(request: GraphRequest) -> GraphResponse:
    box = request.box
    fields, ext = _validate(request.json_object())
    change_key, now = touch()
    contact = Contact(
        id=new_id(KIND_CONTACT),
        folder_id=box.contact_folder_id,
        fields=fields,
        ext={},
        created=now,
        modified=now,
        change_key=change_key,
    )
    merge_ext(contact.ext, ext)
    box.contacts[contact.id] = contact
    return _one(request, 201, contact)


def get_contact(request: GraphRequest, raw: str) -> GraphResponse:
    return _one(request, 200, _find(request.box, raw))


def update_contact(request: GraphRequest, raw: str) -> GraphResponse:
    contact = _find(request.box, raw)
    expected = request.headers.get("if-match", "").strip()
    if expected and expected != "*" and expected.removeprefix("W/").strip('"') != contact.change_key:
        raise GraphError(
            412,
            "ErrorIrresolvableConflict",
            "The send or update operation could not be performed because the change key passed in the "
            "request does not match the current change key for the item.",
        )
    fields, ext = _validate(request.json_object())
    new_fields = copy.deepcopy(contact.fields)
    new_fields.update(fields)
    contact.fields = new_fields
    merge_ext(contact.ext, ext)
    contact.change_key, contact.modified = touch()
    return _one(request, 200, contact)


def delete_contact(request: GraphRequest, raw: str) -> GraphResponse:
    contact = _find(request.box, raw)
    del request.box.contacts[contact.id]
    return GraphResponse(204)


def _photo_missing() -> GraphError:
    return GraphError(404, "ErrorItemNotFound", "The photo wasn't found.")


def put_photo(request: GraphRequest, raw: str) -> GraphResponse:
    contact = _find(request.box, raw)
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if not content_type.startswith("image/"):
        raise GraphError(
            400, "ErrorInvalidRequest", "The photo must be sent as image/jpeg or image/png bytes."
        )
    if len(request.body) > MAX_PHOTO:
        raise GraphError(413, "ErrorRequestEntityTooLarge", "The photo exceeds the maximum size of 4 MB.")
    if not request.body:
        raise GraphError(400, "ErrorInvalidRequest", "The photo is empty.")
    contact.photo = Photo(content_type, request.body)
    contact.change_key, contact.modified = touch()
    return GraphResponse(200)


def get_photo_value(request: GraphRequest, raw: str) -> GraphResponse:
    contact = _find(request.box, raw)
    if contact.photo is None:
        raise _photo_missing()
    return GraphResponse(200, contact.photo.data, {"Content-Type": contact.photo.content_type})


def get_photo(request: GraphRequest, raw: str) -> GraphResponse:
    contact = _find(request.box, raw)
    if contact.photo is None:
        raise _photo_missing()
    digest = hashlib.sha256(contact.photo.data).hexdigest()[:16]
    context = (
        f"{request.base_url}/$metadata#users('{request.box.upn}')/contacts('{contact.id}')/photo/$entity"
    )
    return GraphResponse(
        200,
        {
            "@odata.context": context,
            "@odata.mediaContentType": contact.photo.content_type,
            "@odata.mediaEtag": f'W/"{digest}"',
            "id": "default",
            "height": 240,
            "width": 240,
        },
    )


def delete_photo(request: GraphRequest, raw: str) -> GraphResponse:
    _find(request.box, raw)
    raise GraphError(
        405,
        "ErrorInvalidRequest",
        "The delete operation supports only user or group photos, not contact photos.",
    )


def register(router: Router) -> None:
    router.add("GET", r"/me/contacts", list_contacts)
    router.add("POST", r"/me/contacts", create_contact)
    router.add("GET", r"/me/contacts/" + ID + r"/photo/\$value", get_photo_value)
    router.add("PUT", r"/me/contacts/" + ID + r"/photo/\$value", put_photo)
    router.add("PATCH", r"/me/contacts/" + ID + r"/photo/\$value", put_photo)
    router.add("DELETE", r"/me/contacts/" + ID + r"/photo/\$value", delete_photo)
    router.add("GET", r"/me/contacts/" + ID + r"/photo", get_photo)
    router.add("GET", r"/me/contacts/" + ID, get_contact)
    router.add("PATCH", r"/me/contacts/" + ID, update_contact)
    router.add("DELETE", r"/me/contacts/" + ID, delete_contact)
