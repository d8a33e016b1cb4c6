"""Graph-style errors and the timestamp formats Graph uses.

Every failure of a Graph route is raised as :class:`GraphError` and turned into the body Graph sends,
``{"error": {"code", "message", "innerError": {"request-id", "date", "client-request-id"}}}``, so that
the client under test can only rely on what the real service gives it: the HTTP status and ``code``.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any


class GraphError(Exception):
    """A Graph failure: HTTP status, Graph ``code``, human message and optional extra headers."""

    def __init__(self, status: int, code: str, message: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(f"{status} {code}: {message}")
        self.status = status
        self.code = code
        self.message = message
        self.headers = headers or {}


def error_body(code: str, message: str, client_request_id: str | None = None) -> dict[str, Any]:
    """The JSON body of a Graph error, with the ``innerError`` Graph always adds."""
    inner = {"date": utc_now().strftime("%Y-%m-%dT%H:%M:%S"), "request-id": str(uuid.uuid4())}
    inner["client-request-id"] = client_request_id or inner["request-id"]
    return {"error": {"code": code, "message": message, "innerError": inner}}


def utc_now() -> datetime:
    """Now, aware, in UTC (one place so tests could patch it)."""
    return datetime.now(UTC)


def format_graph_instant(moment: datetime) -> str:
    """``createdDateTime`` style: ``2017-10-21T20:33:43.2375645Z`` (7 fractional digits, Z)."""
    return moment.astimezone(UTC).replace(tzinfo=None).isoformat(timespec="microseconds") + "0Z"


def format_local(moment: datetime) -> str:
    """``dateTimeTimeZone.dateTime`` style: naive local time padded to 7 fractional digits."""
    return moment.replace(tzinfo=None).isoformat(timespec="microseconds") + "0"


def not_found() -> GraphError:
    return GraphError(404, "ErrorItemNotFound", "The specified object was not found in the store.")


def malformed_id() -> GraphError:
    return GraphError(400, "ErrorInvalidIdMalformed", "Id is malformed.")


def bad_body(message: str) -> GraphError:
    """What Graph answers when a request body does not deserialize into the entity type."""
    return GraphError(400, "RequestBodyRead", message)


def unknown_property(name: str, type_name: str) -> GraphError:
    return bad_body(
        f"The property '{name}' does not exist on type '{type_name}'. Make sure to only use property "
        "names that are defined by the type or mark the type as open type."
    )


def validation_failed(message: str = "At least one property failed validation.") -> GraphError:
    return GraphError(400, "ErrorPropertyValidationFailure", message)
