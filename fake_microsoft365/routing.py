"""Transport-free Graph requests and responses, and the route table.

Graph routes are plain functions of a :class:`GraphRequest` returning a :class:`GraphResponse`. The HTTP
front (``graph.py``) and ``$batch`` both build a ``GraphRequest`` and run the very same route, which
keeps a sub-request of a batch indistinguishable from a direct call, as on the real service.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .errors import GraphError, error_body
from .odata import parse_prefer

if TYPE_CHECKING:
    from .mailbox import Mailbox


@dataclass
class GraphRequest:
    """One Graph call on a mailbox. ``path`` is below ``/v1.0`` (``/me/events/…``), already decoded."""

    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]  # lower-case names
    body: bytes
    box: Mailbox
    base_url: str  # https://127.0.0.1:PORT/v1.0
    prefs: dict[str, str] = field(init=False)
    query_lower: dict[str, str] = field(init=False)

    def __post_init__(self) -> None:
        self.prefs = parse_prefer([self.headers["prefer"]]) if "prefer" in self.headers else {}
        self.query_lower = {key.lower(): value for key, value in self.query.items()}

    def param(self, name: str) -> str | None:
        """A query parameter, case-insensitively (``$top``, ``startDateTime``…)."""
        return self.query_lower.get(name.lower())

    def json(self) -> Any:
        """The body as JSON, or Graph's 400 for a body that is not JSON."""
        if not self.body:
            raise GraphError(400, "BadRequest", "Empty Payload. JSON content expected.")
        try:
            return json.loads(self.body)
        except (ValueError, UnicodeDecodeError) as exc:
            raise GraphError(
                400,
                "BadRequest",
                "Unable to read JSON request payload. Please ensure Content-Type header is set and payload "
                "is of valid JSON format.",
            ) from exc

    def json_object(self) -> dict[str, Any]:
        body = self.json()
        if not isinstance(body, dict):
            raise GraphError(400, "RequestBodyRead", "A JSON object was expected in the request body.")
        return body


@dataclass
class GraphResponse:
    """A status, a JSON-able or bytes body, and headers."""

    status: int
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)

    @property
    def content_type(self) -> str | None:
        if self.body is None:
            return None
        if isinstance(self.body, bytes):
            return self.headers.get("Content-Type", "application/octet-stream")
        return "application/json"


Handler = Callable[..., GraphResponse]


class Router:
    """Case-insensitive regex routes, tried in order (Graph paths are case-insensitive)."""

    def __init__(self) -> None:
        self._routes: list[tuple[str, re.Pattern[str], Handler]] = []

    def add(self, method: str, pattern: str, handler: Handler) -> None:
        self._routes.append((method, re.compile(pattern + r"/?", re.IGNORECASE), handler))

    def route(self, method: str, pattern: str) -> Callable[[Handler], Handler]:
        def decorate(handler: Handler) -> Handler:
            self.add(method, pattern, handler)
            return handler

        return decorate

    def dispatch(self, request: GraphRequest) -> GraphResponse:
        path_matched = False
        for method, pattern, handler in self._routes:
            match = pattern.fullmatch(request.path)
            if match is None:
                continue
            path_matched = True
            if method == request.method:
                return handler(request, *match.groups())
        if path_matched:
            raise GraphError(
                405, "Request_BadRequest", "Specified HTTP method is not allowed for the request."
            )
        segment = request.path.rstrip("/").rsplit("/", 1)[-1]
        raise GraphError(400, "BadRequest", f"Resource not found for the segment '{segment}'.")


# Route patterns share these pieces.
ID = r"([^/]+)"
CAL = r"/me/(?:calendar|calendars/([^/]+))"  # captures None for the default calendar


def error_response(error: GraphError, request_headers: dict[str, str] | None = None) -> GraphResponse:
    """A GraphError as the response Graph sends (echoing the caller's ``client-request-id``)."""
    client_request_id = (request_headers or {}).get("client-request-id")
    body = error_body(error.code, error.message, client_request_id)
    return GraphResponse(error.status, body, dict(error.headers))
