"""Property validators shared by events and contacts, extended properties, bodies and ``$expand``.

Graph deserialises a request body against the entity type before doing anything: an unknown property or
a value of the wrong type is a 400 ``RequestBodyRead`` and nothing is written. The validators here
reproduce that, so a client bug shows up against the fake exactly as it would against Microsoft.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from datetime import UTC, datetime, tzinfo
from typing import Any

from .errors import GraphError, bad_body, unknown_property
from .odata import compile_filter
from .timezones import resolve

Validator = Callable[[Any, str], Any]


def _type_error(value: Any, type_name: str, name: str) -> GraphError:
    if isinstance(value, (dict, list)):
        node = "StartObject" if isinstance(value, dict) else "StartArray"
        return bad_body(
            f"An unexpected '{node}' node was found when reading from the JSON reader for property "
            f"'{name}'. A '{type_name}' value was expected."
        )
    return bad_body(f"Cannot convert the literal '{value}' to the expected type '{type_name}'.")


def v_string(value: Any, name: str) -> str | None:
    if value is None or isinstance(value, str):
        return value
    raise _type_error(value, "Edm.String", name)


def v_bool(value: Any, name: str) -> bool:
    if isinstance(value, bool):
        return value
    raise _type_error(value, "Edm.Boolean", name)


def v_int(value: Any, name: str) -> int:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    raise _type_error(value, "Edm.Int32", name)


def v_strings(value: Any, name: str) -> list[str]:
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise _type_error(value, "Collection(Edm.String)", name)
    return list(value)


def v_enum(*allowed: str) -> Validator:
    def check(value: Any, name: str) -> str:
        if isinstance(value, str):
            for candidate in allowed:
                if candidate.lower() == value.lower():
                    return candidate
        raise bad_body(f"Requested value '{value}' was not found.")

    return check


def v_object(type_name: str, keys: dict[str, Validator]) -> Validator:
    """A complex type with known keys (unknown keys are refused, like Graph)."""

    def check(value: Any, name: str) -> dict[str, Any] | None:
        if value is None:
            return None
        if not isinstance(value, dict):
            raise _type_error(value, type_name, name)
        out: dict[str, Any] = {}
        for key, item in value.items():
            if key.startswith("@odata."):
                continue
            validator = keys.get(key)
            if validator is None:
                raise unknown_property(key, type_name)
            out[key] = validator(item, key)
        return out

    return check


def v_list_of(item_validator: Validator, type_name: str) -> Validator:
    def check(value: Any, name: str) -> list[Any]:
        if value is None:
            return []
        if not isinstance(value, list):
            raise _type_error(value, f"Collection({type_name})", name)
        return [item_validator(item, name) for item in value]

    return check


def v_any(value: Any, name: str) -> Any:
    return value


EMAIL_ADDRESS = v_object("microsoft.graph.emailAddress", {"name": v_string, "address": v_string})
PHYSICAL_ADDRESS = v_object(
    "microsoft.graph.physicalAddress",
    {
        "street": v_string,
        "city": v_string,
        "state": v_string,
        "countryOrRegion": v_string,
        "postalCode": v_string,
    },
)

# ------------------------------------------------------------------------------ extended properties

_EXT_ID = re.compile(
    r"(?P<type>String|Integer|Boolean|SystemTime|Double|Currency|Binary|Long|Short|Float|CLSID)\s+"
    r"(?:\{(?P<guid>[0-9a-fA-F-]{36})\}\s+(?:Name\s+(?P<name>\S.*)|Id\s+(?P<propid>0x[0-9a-fA-F]+))"
    r"|(?P<tag>0x[0-9a-fA-F]+))",
    re.IGNORECASE,
)


def normalize_ext_id(raw: Any) -> str:
    """Graph's canonical spelling of an extended property id (GUID lower-case, type capitalised)."""
    match = _EXT_ID.fullmatch(raw.strip()) if isinstance(raw, str) else None
    if match is None:
        raise GraphError(400, "ErrorInvalidProperty", f"The extended property id '{raw}' is not valid.")
    kind = match.group("type").capitalize()
    if match.group("tag"):
        return f"{kind} {match.group('tag')}"
    guid = match.group("guid").lower()
    if match.group("name"):
        return f"{kind} {{{guid}}} Name {match.group('name')}"
    return f"{kind} {{{guid}}} Id {match.group('propid')}"


def v_ext_props(value: Any, name: str) -> list[dict[str, str]]:
    if not isinstance(value, list):
        raise _type_error(value, "Collection(microsoft.graph.singleValueLegacyExtendedProperty)", name)
    out = []
    for item in value:
        if not isinstance(item, dict):
            raise _type_error(item, "microsoft.graph.singleValueLegacyExtendedProperty", name)
        for key in item:
            if key not in {"id", "value"} and not key.startswith("@odata."):
                raise unknown_property(key, "microsoft.graph.singleValueLegacyExtendedProperty")
        value_ = item.get("value")
        if value_ is not None and not isinstance(value_, str):
            raise _type_error(value_, "Edm.String", "value")
        out.append({"id": normalize_ext_id(item.get("id")), "value": value_ or ""})
    return out


def merge_ext(store: dict[str, dict[str, str]], items: list[dict[str, str]]) -> None:
    for item in items:
        store[item["id"].lower()] = item


def parse_expand(text: str | None, type_name: str) -> Callable[[dict[str, str]], bool] | None:
    """``$expand=singleValueExtendedProperties($filter=id eq '…')`` → a filter on extended properties.

    Returns None when extended properties are not expanded. Other navigation properties are refused.
    """
    if not text:
        return None
    match = re.fullmatch(
        r"\s*singleValueExtendedProperties\s*(?:\(\s*\$filter\s*=\s*(.*)\)\s*)?",
        text,
        re.IGNORECASE | re.DOTALL,
    )
    if match is None:
        raise GraphError(
            400,
            "BadRequest",
            f"Parsing OData Select and Expand failed: Could not find a property named '{text}' on type "
            f"'{type_name}'.",
        )
    predicate = compile_filter(match.group(1))
    return predicate or (lambda item: True)


def expanded_ext(ext: dict[str, dict[str, str]], predicate: Callable[[dict[str, str]], bool]) -> list[Any]:
    return [dict(item) for item in ext.values() if predicate(item)]


# ---------------------------------------------------------------------------------------------- bodies

V_BODY = v_object("microsoft.graph.itemBody", {"contentType": v_enum("text", "html"), "content": v_string})
_HTML_WRAPPER = (
    '<html>\r\n<head>\r\n<meta http-equiv="Content-Type" content="text/html; charset=utf-8">\r\n'
    "</head>\r\n<body>\r\n{}\r\n</body>\r\n</html>\r\n"
)


def normalize_body(value: dict[str, Any] | None) -> dict[str, str]:
    value = value or {}
    return {"contentType": value.get("contentType") or "text", "content": value.get("content") or ""}


def html_to_text(content: str) -> str:
    """Crude, as Exchange's own conversion: block ends become new lines, tags go, entities decode."""
    content = re.sub(r"(?is)<(head|style|script)\b.*?</\1>", "", content)
    content = re.sub(r"(?i)<br\s*/?>", "\n", content)
    content = re.sub(r"(?i)</(p|div|li|tr|h[1-6])>", "\n", content)
    content = re.sub(r"<[^>]+>", "", content)
    content = html.unescape(content).replace("\r\n", "\n")
    return re.sub(r"\n{3,}", "\n\n", content).strip()


def text_to_html(content: str) -> str:
    lines = html.escape(content).replace("\r\n", "\n").split("\n")
    return _HTML_WRAPPER.format("<div>" + "<br>\r\n".join(lines) + "</div>" if content else "")


def render_body(body: dict[str, str], want_text: bool) -> dict[str, str]:
    """HTML with Exchange's wrapper by default; plain text with ``outlook.body-content-type="text"``."""
    kind, content = body["contentType"], body["content"]
    if not content:
        return {"contentType": "text" if want_text else "html", "content": ""}
    if want_text:
        return {"contentType": "text", "content": html_to_text(content) if kind == "html" else content}
    if kind == "html":
        if "<html" not in content.lower():
            content = _HTML_WRAPPER.format(content)
        return {"contentType": "html", "content": content}
    return {"contentType": "html", "content": text_to_html(content)}


def body_preview(body: dict[str, str]) -> str:
    text = html_to_text(body["content"]) if body["contentType"] == "html" else body["content"]
    return " ".join(text.split())[:255]


# ------------------------------------------------------------------------------------------ date times


def parse_local_datetime(value: Any, name: str) -> datetime:
    """``2019-03-15T12:00:00`` (fractions up to 7 digits) → naive datetime (or aware if an offset)."""
    if not isinstance(value, str):
        raise _type_error(value, "Edm.String", name)
    text = value.strip()
    match = re.fullmatch(r"(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2})?)(\.\d+)?(Z|[+-]\d{2}:\d{2})?", text)
    if match is None:
        raise bad_body(f"Cannot convert the literal '{value}' to the expected type 'Edm.DateTime'.")
    fraction = (match.group(2) or "")[:7]
    micro = fraction[:7].ljust(7, "0")[1:7] if fraction else ""
    iso = match.group(1) + (f".{micro}" if micro else "") + (match.group(3) or "")
    try:
        return datetime.fromisoformat(iso)
    except ValueError as exc:
        raise bad_body(f"Cannot convert the literal '{value}' to the expected type 'Edm.DateTime'.") from exc


def to_instant(local: datetime, zone: tzinfo) -> datetime:
    if local.tzinfo is not None:
        return local.astimezone(UTC)
    return local.replace(tzinfo=zone).astimezone(UTC)


V_DATETIMETZ = v_object("microsoft.graph.dateTimeTimeZone", {"dateTime": v_any, "timeZone": v_string})


def parse_window_bound(value: str | None, name: str) -> datetime:
    """A ``startDateTime``/``endDateTime`` query value: its own offset, else UTC."""
    if not value:
        raise GraphError(
            400,
            "ErrorInvalidParameter",
            "This request requires a time window specified by the query string parameters StartDateTime "
            "and EndDateTime.",
        )
    try:
        moment = parse_local_datetime(value.replace(" ", "+"), name)
    except GraphError as exc:
        raise GraphError(
            400, "ErrorInvalidParameter", f"The value '{value}' of parameter '{name}' is invalid."
        ) from exc
    return to_instant(moment, UTC)


def zone_of(name: str) -> tzinfo:
    return resolve(name)
