"""The admin API under ``/_fake`` (JSON in and out, no token): for tests, the demo and the benchmark.

* ``POST /_fake/device/approve`` ``{"user_code", "upn", "display_name"?}`` → ``{"ok", "upn"}``;
  creates the mailbox.
* ``POST /_fake/device/decline`` ``{"user_code"}`` → ``{"ok"}``.
* ``POST /_fake/device/expire`` ``{"user_code"}`` → ``{"ok"}``: the next poll gets ``expired_token``.
* ``POST /_fake/device/forget`` ``{"user_code"}`` → ``{"ok"}``: the next poll gets ``bad_verification_code``.
* ``GET /_fake/device`` → ``{"pending": [{"user_code", "client_id", "scope", "expires_in"}]}``.
* ``POST /_fake/token`` ``{"upn", "expires_in"?}`` → ``{"access_token", "token_type", "expires_in",
  "upn"}``: act as that user without the device flow (creates the mailbox).
* ``POST /_fake/revoke`` ``{"upn", "access_tokens"?: false}`` → ``{"revoked": n}``: refresh tokens die
  (``invalid_grant``), access tokens too if asked.
* ``GET/POST /_fake/apps`` ``{"unknown_client_ids"?: [...], "known_client_ids"?: [...],
  "secret_canary"?: "ABC"}`` → the settings; the canary goes into every token and device code issued.
* ``GET/POST /_fake/faults`` any subset of the faults (see faults.py) and ``seed`` → the current faults.
* ``POST /_fake/mailboxes`` ``{"upn", "display_name"?, "time_zone"?}`` → ``{"upn", "id"}``.
* ``POST /_fake/events/cancel`` ``{"upn", "event_id"}`` → ``{"ok"}``: the organiser cancelled that
  meeting (an event, a series master or one occurrence): the user's copy stays, ``isCancelled: true``.
* ``POST /_fake/events/custom-zone`` ``{"upn", "event_id", "name"?}`` → ``{"ok"}``: the series master
  now looks set in a zone Graph names but does not define, as desktop Outlook leaves a legacy custom zone
  (``name``: ``tzone://Microsoft/Custom``, the default, or ``Customized Time Zone``; any other name plays
  a zone newer than the client's tables); Graph itself cannot create one. 404 if no such master.
* ``GET /_fake/state`` → ``{"mailboxes": [...]}``: everything, photos as size + sha256.
* ``POST /_fake/reset`` → ``{"ok"}``: mailboxes, tokens, device codes, log, faults and apps forgotten.
* ``GET /_fake/requests`` → ``{"requests": [{"method", "path", "query", "bytes", "status", "sub_requests":
  [{"method", "url", "status"}], "ms", "upn"}], "peak": {upn: {"in_flight", "open"}}}``, oldest first;
  ``peak`` says, per mailbox, the most requests and sub-requests it served at once (its slots) and the
  most HTTP requests open at once (a ``$batch`` counts one). ``DELETE`` clears the log and the peaks.

Admin errors are ``{"error": "<message>"}`` with 400 (bad body) or 404 (unknown user code).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from aiohttp import web

from .errors import GraphError
from .events import cancel_for_attendee, use_custom_zone
from .faults import Faults
from .graph import GraphService
from .identity import Identity
from .limits import UPLOAD_LIMIT_BYTES, UPLOAD_WINDOW_SECONDS
from .mailbox import FakeState

SERVICE_KEY = web.AppKey("graph_service", GraphService)


def _error(message: str, status: int = 400) -> web.Response:
    return web.json_response({"error": message}, status=status)


async def _body(request: web.Request) -> dict[str, Any]:
    if not request.body_exists:
        return {}
    try:
        body = json.loads(await request.read())
    except ValueError as exc:
        raise web.HTTPBadRequest(
            text=json.dumps({"error": "body is not JSON"}), content_type="application/json"
        ) from exc
    if not isinstance(body, dict):
        raise web.HTTPBadRequest(
            text=json.dumps({"error": "body must be a JSON object"}), content_type="application/json"
        )
    return body


def _text(body: dict[str, Any], key: str) -> str:
    value = body.get(key)
    if not isinstance(value, str) or not value.strip():
        raise web.HTTPBadRequest(
            text=json.dumps({"error": f"{key} is required"}), content_type="application/json"
        )
    return value.strip()


def _parts(request: web.Request) -> tuple[GraphService, Identity, FakeState, Faults]:
    service = request.app[SERVICE_KEY]
    return service, service.identity, service.state, service.faults


async def approve(request: web.Request) -> web.Response:
    _, identity, _, _ = _parts(request)
    body = await _body(request)
    code, upn = _text(body, "user_code"), _text(body, "upn")
    try:
        identity.approve(code, upn, body.get("display_name"))
    except KeyError:
        return _error(f"unknown user_code {code!r}", 404)
    except ValueError as exc:
        return _error(str(exc))
    return web.json_response({"ok": True, "upn": upn})


async def _on_device_code(request: web.Request, act: Callable[[str], None]) -> web.Response:
    """Apply `act` to the pending device code named by the body's `user_code` (404 if unknown)."""
    code = _text(await _body(request), "user_code")
    try:
        act(code)
    except KeyError:
        return _error(f"unknown user_code {code!r}", 404)
    return web.json_response({"ok": True})


async def decline(request: web.Request) -> web.Response:
    return await _on_device_code(request, _parts(request)[1].decline)


async def expire(request: web.Request) -> web.Response:
    return await _on_device_code(request, _parts(request)[1].expire)


async def forget(request: web.Request) -> web.Response:
    return await _on_device_code(request, _parts(request)[1].forget)


async def pending(request: web.Request) -> web.Response:
    _, identity, _, _ = _parts(request)
    return web.json_response({"pending": identity.pending()})


async def token(request: web.Request) -> web.Response:
    _, identity, state, _ = _parts(request)
    body = await _body(request)
    upn = _text(body, "upn")
    ttl = body.get("expires_in")
    if ttl is not None and (not isinstance(ttl, int) or isinstance(ttl, bool)):
        return _error("expires_in must be an integer")
    box = state.ensure(upn, body.get("display_name"))
    access, lifetime = identity.issue_access_token(box.upn, ttl=ttl)
    return web.json_response(
        {"access_token": access, "token_type": "Bearer", "expires_in": lifetime, "upn": box.upn}
    )


async def revoke(request: web.Request) -> web.Response:
    _, identity, _, _ = _parts(request)
    body = await _body(request)
    count = identity.revoke(_text(body, "upn"), access_tokens=bool(body.get("access_tokens", False)))
    return web.json_response({"revoked": count})


async def apps(request: web.Request) -> web.Response:
    _, identity, _, _ = _parts(request)
    if request.method == "POST":
        try:
            identity.configure_apps(await _body(request))
        except ValueError as exc:
            return _error(str(exc))
    return web.json_response(identity.apps_json())


async def faults(request: web.Request) -> web.Response:
    _, identity, _, current = _parts(request)
    if request.method == "POST":
        body = await _body(request)
        try:
            current.update(body)
        except ValueError as exc:
            return _error(str(exc))
        if body.get("expire_tokens"):
            identity.expire_access_tokens()
    return web.json_response(current.to_json())


async def mailboxes(request: web.Request) -> web.Response:
    _, _, state, _ = _parts(request)
    body = await _body(request)
    box = state.ensure(_text(body, "upn"), body.get("display_name"))
    if isinstance(body.get("time_zone"), str):
        box.time_zone = body["time_zone"]
    return web.json_response({"upn": box.upn, "id": box.oid})


async def cancel_event(request: web.Request) -> web.Response:
    _, _, state, _ = _parts(request)
    body = await _body(request)
    upn, event_id = _text(body, "upn"), _text(body, "event_id")
    box = state.get(upn)
    if box is None:
        return _error(f"unknown mailbox {upn!r}", 404)
    try:
        cancel_for_attendee(box, event_id)
    except GraphError as exc:
        return _error(f"no event {event_id!r}: {exc.message}", exc.status)
    return web.json_response({"ok": True})


async def custom_zone(request: web.Request) -> web.Response:
    _, _, state, _ = _parts(request)
    body = await _body(request)
    box = state.get(_text(body, "upn"))
    name = _text(body, "name") if "name" in body else "tzone://Microsoft/Custom"
    if box is None:
        return _error("unknown mailbox", 404)
    try:
        use_custom_zone(box, _text(body, "event_id"), name)
    except GraphError:
        return _error("no such series master", 404)
    return web.json_response({"ok": True})


async def state_view(request: web.Request) -> web.Response:
    _, _, state, _ = _parts(request)
    return web.json_response(state.summary())


async def reset(request: web.Request) -> web.Response:
    service, identity, state, current = _parts(request)
    state.reset()
    identity.reset()
    service.clear_log()
    current.update(
        {
            "latency_ms": 0,
            "network_ms": 0,
            "throttle_rate": 0.0,
            "retry_after": 1.0,
            "error_503_rate": 0.0,
            "drop_after": None,
            "batch_424": False,
            "batch_401": 0,
            "delete_500": 0,
            "patch_500": 0,
            "garble": 0,
            "garble_after": 0,
            "upload_limit_bytes": UPLOAD_LIMIT_BYTES,
            "upload_window_s": UPLOAD_WINDOW_SECONDS,
            "seed": 0,
        }
    )
    return web.json_response({"ok": True})


async def requests_log(request: web.Request) -> web.Response:
    service, _, _, _ = _parts(request)
    if request.method == "DELETE":
        service.clear_log()
        return web.json_response({"ok": True})
    peak = {
        upn: {"in_flight": service.peak_in_flight.get(upn, 0), "open": opened}
        for upn, opened in service.peak_open.items()
    }
    return web.json_response({"requests": list(service.requests), "peak": peak})


def add_routes(app: web.Application) -> None:
    app.router.add_post("/_fake/device/approve", approve)
    app.router.add_post("/_fake/device/decline", decline)
    app.router.add_post("/_fake/device/expire", expire)
    app.router.add_post("/_fake/device/forget", forget)
    app.router.add_get("/_fake/device", pending)
    app.router.add_post("/_fake/token", token)
    app.router.add_post("/_fake/revoke", revoke)
    app.router.add_route("GET", "/_fake/apps", apps)
    app.router.add_route("POST", "/_fake/apps", apps)
    app.router.add_route("GET", "/_fake/faults", faults)
    app.router.add_route("POST", "/_fake/faults", faults)
    app.router.add_post("/_fake/mailboxes", mailboxes)
    app.router.add_post("/_fake/events/cancel", cancel_event)
    app.router.add_post("/_fake/events/custom-zone", custom_zone)
    app.router.add_get("/_fake/state", state_view)
    app.router.add_post("/_fake/reset", reset)
    app.router.add_route("GET", "/_fake/requests", requests_log)
    app.router.add_route("DELETE", "/_fake/requests", requests_log)
