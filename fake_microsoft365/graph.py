"""The Graph front: ``/v1.0/...`` over HTTP — bearer tokens, Outlook throttling, faults, the request log.

A request goes: dropped connection? → network time (no slot held) → size (over 4 MB: 413) → bearer
token → (``$batch`` → batch.py) → random 429/503 → one of the mailbox's 4 concurrency slots (else 429)
→ the mailbox's upload volume (else 429, limits.py) → latency (server time) → the route (events.py,
contacts.py, calendars.py).
Sub-requests of a batch take the same path from the random faults on, so they are throttled one by one.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
import uuid
from collections import deque
from collections.abc import Iterator
from typing import Any
from urllib.parse import unquote

from aiohttp import web

from . import calendars, contacts, events
from .batch import run_batch
from .errors import GraphError
from .faults import Faults, throttled
from .identity import Identity
from .limits import UPLOAD_METHODS, check_request_size
from .mailbox import FakeState
from .routing import GraphRequest, GraphResponse, Router, error_response

log = logging.getLogger(__name__)

JSON_TYPE = (
    "application/json;odata.metadata=minimal;odata.streaming=true;IEEE754Compatible=false;charset=utf-8"
)
EXPIRED = "Access token has expired or is not yet valid."
MAX_LOG = 50_000
GARBLED = b'{"value": [{"id": "AAMkAGI2T'  # an answer cut short: not JSON


def build_router() -> Router:
    router = Router()
    calendars.register(router)
    events.register(router)
    contacts.register(router)
    return router


class GraphService:
    """Everything behind ``/v1.0``; shared by the HTTP handler and ``$batch``."""

    def __init__(
        self, state: FakeState, identity: Identity, faults: Faults, *, max_concurrent: int = 4
    ) -> None:
        self.state = state
        self.identity = identity
        self.faults = faults
        self.max_concurrent = max_concurrent
        self.router = build_router()
        self.requests: deque[dict[str, Any]] = deque(maxlen=MAX_LOG)
        # Per mailbox, since the log was cleared: the most requests and sub-requests served at once
        # (slots held), and the most HTTP requests open at once (a `$batch` counts one).
        self.peak_in_flight: dict[str, int] = {}
        self.peak_open: dict[str, int] = {}
        self._open: dict[str, int] = {}

    def clear_log(self) -> None:
        """Forget the request log and the peaks."""
        self.requests.clear()
        self.peak_in_flight.clear()
        self.peak_open.clear()

    @contextlib.contextmanager
    def _opened(self, upn: str) -> Iterator[None]:
        """Count an HTTP request to this mailbox while it is served."""
        self._open[upn] = self._open.get(upn, 0) + 1
        self.peak_open[upn] = max(self.peak_open.get(upn, 0), self._open[upn])
        try:
            yield
        finally:
            self._open[upn] -= 1

    # ------------------------------------------------------------------------------------- pipeline

    def run(self, request: GraphRequest) -> GraphResponse:
        """Route a request and turn failures into Graph error responses."""
        try:
            self._rewrite_users(request)
            response = self.router.dispatch(request)
        except GraphError as exc:
            response = error_response(exc, request.headers)
        except Exception:  # a bug in the fake must still answer like a server, not hang the client
            log.exception("fake Graph failed on %s %s", request.method, request.path)
            response = error_response(
                GraphError(500, "generalException", "General exception while processing.")
            )
        if "idtype" in request.prefs:
            applied = response.headers.get("Preference-Applied")
            pref = f'IdType="{request.prefs["idtype"]}"'
            response.headers["Preference-Applied"] = f"{applied}, {pref}" if applied else pref
        return response

    @staticmethod
    def _rewrite_users(request: GraphRequest) -> None:
        """``/users/{upn or id}/…`` is ``/me/…`` for the signed-in user; anyone else is forbidden."""
        if not request.path.lower().startswith("/users/"):
            return
        _, _, rest = request.path.partition("/users/")
        who, _, tail = rest.partition("/")
        box = request.box
        if unquote(who).lower() not in {box.upn.lower(), box.oid.lower()}:
            raise GraphError(403, "ErrorAccessDenied", "Access is denied. Check credentials and try again.")
        request.path = "/me" + (f"/{tail}" if tail else "")

    async def execute(self, request: GraphRequest) -> GraphResponse:
        """One request or sub-request: random faults, a concurrency slot, latency, then the route."""
        failure = self.faults.random_failure() or self.faults.failed_write(request.method)
        if failure is not None:
            return error_response(failure, request.headers)
        box = request.box
        if box.in_flight >= self.max_concurrent:
            return error_response(throttled(self.faults.retry_after), request.headers)
        if request.method in UPLOAD_METHODS:
            limit, window = self.faults.upload_limit_bytes, self.faults.upload_window_s
            wait = box.uploads.admit(len(request.body), limit, window)
            if wait is not None:
                return error_response(throttled(wait), request.headers)
        box.in_flight += 1
        self.peak_in_flight[box.upn] = max(self.peak_in_flight.get(box.upn, 0), box.in_flight)
        try:
            if self.faults.latency_ms:
                await asyncio.sleep(self.faults.latency_ms / 1000)
            return self.run(request)
        finally:
            box.in_flight -= 1

    # ----------------------------------------------------------------------------------------- HTTP

    def authenticate(self, request: web.Request) -> Any:
        header = request.headers.get("Authorization", "")
        scheme, _, token = header.partition(" ")
        message = EXPIRED
        if scheme.lower() != "bearer" or not token.strip():
            message = "Access token is empty."
        else:
            upn = self.identity.authenticate(token.strip())
            box = self.state.get(upn) if upn else None
            if box is not None:
                return box
        raise self.refused_token(message)

    @staticmethod
    def refused_token(message: str = EXPIRED) -> GraphError:
        """Graph's 401 for a token it does not take."""
        return GraphError(
            401,
            "InvalidAuthenticationToken",
            message,
            {
                "WWW-Authenticate": 'Bearer realm="", authorization_uri="https://login.microsoftonline.com/common/'
                'oauth2/authorize", client_id="00000003-0000-0000-c000-000000000000"'
            },
        )

    async def handle(self, request: web.Request) -> web.StreamResponse:
        started = time.perf_counter()
        entry: dict[str, Any] = {
            "method": request.method,
            "path": request.path,
            "query": request.query_string,
            "status": 0,
            "sub_requests": [],
            "ms": 0.0,
        }
        self.requests.append(entry)
        if self.faults.should_drop():
            entry["dropped"] = True
            if request.transport is not None:
                request.transport.abort()  # no response at all; aiohttp ignores the write that follows
            return web.Response(status=500)
        if self.faults.network_ms:  # the round trip: paid per HTTP request, holding no mailbox slot
            await asyncio.sleep(self.faults.network_ms / 1000)
        headers: dict[str, str] = {}
        for key, value in request.headers.items():  # repeated headers (two Prefer lines) are one list
            name = key.lower()
            headers[name] = f"{headers[name]}, {value}" if name in headers else value
        try:
            body = await request.read() if request.body_exists else b""
            entry["bytes"] = len(body)
            check_request_size(body)
            box = self.authenticate(request)
            greq = GraphRequest(
                method=request.method,
                path=request.path[len("/v1.0") :] or "/",
                query=dict(request.query),
                headers=headers,
                body=body,
                box=box,
                base_url=f"{request.scheme}://{request.host}/v1.0",
            )
            entry["upn"] = box.upn
            with self._opened(box.upn):
                if greq.path.lower().rstrip("/") == "/$batch":
                    if request.method != "POST":
                        raise GraphError(
                            405, "Request_BadRequest", "Specified HTTP method is not allowed for the request."
                        )
                    response = await run_batch(self, greq, entry["sub_requests"])
                else:
                    response = await self.execute(greq)
        except GraphError as exc:
            response = error_response(exc, headers)
        entry["status"] = response.status
        entry["ms"] = round((time.perf_counter() - started) * 1000, 3)
        if self.faults.take_garble():  # what was done stays done; the answer never arrives whole
            entry["garbled"] = True
            return web.Response(status=200, body=GARBLED, content_type="application/json")
        return to_http(response, headers)


def to_http(response: GraphResponse, request_headers: dict[str, str]) -> web.Response:
    request_id = str(uuid.uuid4())
    headers = {
        "request-id": request_id,
        "client-request-id": request_headers.get("client-request-id", request_id),
        **response.headers,
    }
    if response.body is None:
        headers.pop("Content-Type", None)
        return web.Response(status=response.status, headers=headers)
    if isinstance(response.body, bytes):
        headers.setdefault("Content-Type", "application/octet-stream")
        return web.Response(status=response.status, body=response.body, headers=headers)
    headers["Content-Type"] = JSON_TYPE
    return web.Response(status=response.status, body=json.dumps(response.body).encode(), headers=headers)
