"""JSON batching (``POST /v1.0/$batch``), as ``concepts/json-batching.md`` describes it.

* At most 20 sub-requests; a malformed batch (bad JSON, missing ``id``/``method``/``url``, duplicate ids —
  ids are not case-sensitive, so ``a`` and ``A`` are duplicates —
  a ``body`` without ``Content-Type``, an unknown or cyclic ``dependsOn``, absolute urls) is a 400 for the
  whole batch. Otherwise the batch is 200 and each sub-request has its own status.
* Bodies: JSON for ``application/json``, base64 for anything else (photos), both ways.
* ``dependsOn``: a sub-request waits for the ones it names; if any of them failed it gets 424.
* Like Outlook, at most 4 sub-requests of one batch run at once, and each one takes a concurrency slot of
  its mailbox and rolls the random faults on its own (so a sub-response may be a 429 with Retry-After).
* Responses come back in an arbitrary (seeded) order — a client must match them by ``id``.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import json
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, unquote, urlsplit

from .errors import GraphError, error_body
from .faults import retry_after_text
from .routing import GraphRequest, GraphResponse, error_response

if TYPE_CHECKING:
    from .graph import GraphService

MAX_REQUESTS = 20
PARALLEL = 4
METHODS = {"GET", "POST", "PATCH", "PUT", "DELETE"}


def _bad(message: str) -> GraphError:
    return GraphError(400, "BadRequest", message)


def _is_json(content_type: str) -> bool:
    return content_type.split(";")[0].strip().lower() in {"application/json", "text/json"}


def _validate(body: Any) -> list[dict[str, Any]]:
    if not isinstance(body, dict) or not isinstance(body.get("requests"), list):
        raise _bad("Invalid batch payload format.")
    requests = body["requests"]
    if not requests:
        raise _bad("Invalid batch payload format: the batch has no requests.")
    if len(requests) > MAX_REQUESTS:
        raise _bad(f"Invalid batch payload format: more than {MAX_REQUESTS} requests in the batch.")
    seen: set[str] = set()
    for sub in requests:
        if not isinstance(sub, dict):
            raise _bad("Invalid batch payload format.")
        sub_id, method, url = sub.get("id"), sub.get("method"), sub.get("url")
        if not isinstance(sub_id, str) or not sub_id:
            raise _bad("Invalid batch payload format: every request needs a string id.")
        if sub_id.casefold() in seen:  # ids are not case-sensitive (concepts/json-batching)
            raise _bad(f"Invalid batch payload format: duplicate request id '{sub_id}'.")
        seen.add(sub_id.casefold())
        if not isinstance(method, str) or method.upper() not in METHODS:
            raise _bad(f"Invalid batch payload format: bad method for request '{sub_id}'.")
        if not isinstance(url, str) or not url or "://" in url:
            raise _bad(f"Invalid batch payload format: request '{sub_id}' needs a relative url.")
        headers = sub.get("headers") or {}
        if not isinstance(headers, dict):
            raise _bad(f"Invalid batch payload format: bad headers for request '{sub_id}'.")
        if (
            "body" in sub
            and sub["body"] is not None
            and not any(k.lower() == "content-type" for k in headers)
        ):
            raise _bad(
                f"Invalid batch payload format: request '{sub_id}' has a body but no Content-Type header."
            )
        depends = sub.get("dependsOn") or []
        if not isinstance(depends, list) or not all(isinstance(dep, str) for dep in depends):
            raise _bad(f"Invalid batch payload format: bad dependsOn for request '{sub_id}'.")
    ids = {sub["id"] for sub in requests}
    graph = {sub["id"]: list(sub.get("dependsOn") or []) for sub in requests}
    for sub_id, depends in graph.items():
        for dep in depends:
            if dep not in ids:
                raise _bad(f"Invalid batch payload format: request '{sub_id}' depends on unknown '{dep}'.")
    _check_acyclic(graph)
    return requests


def _check_acyclic(graph: dict[str, list[str]]) -> None:
    state: dict[str, int] = {}

    def visit(node: str) -> None:
        if state.get(node) == 2:
            return
        if state.get(node) == 1:
            raise _bad("Invalid batch payload format: dependsOn has a cycle.")
        state[node] = 1
        for dep in graph[node]:
            visit(dep)
        state[node] = 2

    for node in graph:
        visit(node)


def _sub_request(outer: GraphRequest, sub: dict[str, Any]) -> GraphRequest:
    headers = {str(k).lower(): str(v) for k, v in (sub.get("headers") or {}).items()}
    raw_body = sub.get("body")
    body = b""
    if raw_body is not None:
        if _is_json(headers.get("content-type", "")):
            body = json.dumps(raw_body).encode()
        elif isinstance(raw_body, str):
            try:
                body = base64.b64decode(raw_body, validate=True)
            except (binascii.Error, ValueError) as exc:
                raise GraphError(400, "BadRequest", "The body of a non-JSON request must be base64.") from exc
        else:
            raise GraphError(400, "BadRequest", "The body of a non-JSON request must be a base64 string.")
    url = sub["url"] if sub["url"].startswith("/") else "/" + sub["url"]
    parts = urlsplit(url)
    path = unquote(parts.path)
    if path.lower().startswith("/v1.0/"):
        path = path[len("/v1.0") :]
    return GraphRequest(
        method=sub["method"].upper(),
        path=path,
        query=dict(parse_qsl(parts.query, keep_blank_values=True)),
        headers=headers,
        body=body,
        box=outer.box,
        base_url=outer.base_url,
    )


def _sub_response(sub_id: str, response: GraphResponse) -> dict[str, Any]:
    headers = dict(response.headers)
    out: dict[str, Any] = {"id": sub_id, "status": response.status, "headers": headers}
    if response.body is None:
        return out
    if isinstance(response.body, bytes):
        headers.setdefault("Content-Type", "application/octet-stream")
        out["body"] = base64.b64encode(response.body).decode()
    else:
        headers["Content-Type"] = "application/json; odata.metadata=minimal; odata.streaming=true"
        out["body"] = response.body
    return out


def _failed_dependency(
    message: str = "The request failed because a request it depends on failed.",
) -> GraphResponse:
    return GraphResponse(424, error_body("FailedDependency", message))


async def run_batch(service: GraphService, outer: GraphRequest, log: list[dict[str, Any]]) -> GraphResponse:
    """Run a batch; ``log`` receives one ``{"method", "url", "status"}`` per sub-request, in request order."""
    requests = _validate(outer.json())
    statuses: dict[str, int] = {}
    results: list[dict[str, Any]] = []
    if service.faults.batch_401:
        service.faults.batch_401 -= 1
        for sub in requests:
            response = error_response(service.refused_token(), outer.headers)
            statuses[sub["id"]] = 401
            results.append(_sub_response(sub["id"], response))
    elif service.faults.batch_424:
        for sub in requests:
            response = _failed_dependency("The batch failed as a whole; retry the requests.")
            response.headers["Retry-After"] = retry_after_text(service.faults.retry_after)
            statuses[sub["id"]] = 424
            results.append(_sub_response(sub["id"], response))
    else:
        finished = {sub["id"]: asyncio.Event() for sub in requests}
        gate = asyncio.Semaphore(PARALLEL)

        async def run_one(
            sub: dict[str, Any], execute: Callable[[GraphRequest], Awaitable[GraphResponse]]
        ) -> None:
            try:
                for dep in sub.get("dependsOn") or []:
                    await finished[dep].wait()
                if any(not 200 <= statuses[dep] < 300 for dep in sub.get("dependsOn") or []):
                    response = _failed_dependency()
                else:
                    async with gate:
                        try:
                            request = _sub_request(outer, sub)
                        except GraphError as exc:
                            response = GraphResponse(exc.status, error_body(exc.code, exc.message))
                        else:
                            response = await execute(request)
                statuses[sub["id"]] = response.status
                results.append(_sub_response(sub["id"], response))
            finally:
                finished[sub["id"]].set()

        await asyncio.gather(*(run_one(sub, service.execute) for sub in requests))
        service.faults.rng.shuffle(results)
    log.extend(
        {"method": sub["method"].upper(), "url": sub["url"], "status": statuses[sub["id"]]}
        for sub in requests
    )
    return GraphResponse(200, {"responses": results})
