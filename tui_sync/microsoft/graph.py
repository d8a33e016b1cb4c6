"""The Microsoft Graph client: one aiohttp session per run, retries that obey Microsoft, `$batch`.

Why this shape (facts from Microsoft's Graph docs: throttling-limits, json-batching):
- Outlook allows 4 concurrent requests per app and mailbox (a fifth is refused with 429), so a client
  serves one mailbox and counts the mailbox's slots itself (`MailboxSlots`, `max_in_flight` of them): a
  plain request holds one. Writes go in `$batch` requests of at most `batch_size` (20) sub-requests,
  which is where a sync spends its requests. Outlook runs 4 sub-requests of a parallel batch at once,
  so such a batch holds all the slots, and each HTTP request pays a network round trip during which
  the slots idle. So more than one batch's worth goes as *serial* batches (each sub-request `dependsOn`
  the one before: Outlook runs them one at a time), each holding one slot, in four lanes: the slots
  stay busy through the round trips and the client's own work. A batch is all serial or all parallel,
  as Graph's batching accepts (json-batching: "sequencing requests with the dependsOn property"). The
  work is cut into a multiple of 4 batches of equal size, so the four lanes finish together.
- Graph refuses a request over 4 MB with 413 ("4MB limit on the total size of each REST request":
  learn.microsoft.com/graph/api/profilephoto-update), and a `$batch` is one request: base64 photos
  make it large fast. So batches are filled by bytes as well as by count, and a request too big for any
  batch (a photo of 3 MB and more) goes alone as a plain request, its photo as raw bytes. Outlook also
  limits the upload volume per mailbox (150 MB per 5 minutes): `UploadBudget` waits for room.
- Throttling is obeyed, not fought: 429/503/504 wait for `Retry-After` (a float) or, without one, an
  exponential backoff with jitter and a cap. Inside a batch each sub-request is throttled on its own, so
  only the throttled sub-requests are sent again. A whole batch failing with 424 is retried like that.
- A 401 gets a forced refresh of the token it refused, at most `TOKEN_REFRESHES` times per request (a
  token can be revoked or expire early, and again while a request waits its turn behind others), then
  the user is told to reconnect; sub-requests of a `$batch` answered 401 too (only they are sent
  again). The token is taken at the moment of sending, after any wait for a slot or upload room, so a
  request never leaves with a token that expired while it queued. A dropped
  connection is retried only where repeating the request cannot do harm
  (GET, PUT, PATCH, DELETE, and a POST whose body carries a `transactionId`).
- Every request asks for immutable ids and text bodies (`Prefer`), so ids survive folder moves and notes
  need no HTML parsing in the common case.
- In a serial batch a failed sub-request makes the ones after it fail with 424 (they never ran): they
  are sent again at once, without spending an attempt; a 424 on the first one is the whole batch refused.
- `requests` and `sub_requests` count what was sent, retries included: the engine reports them.
"""

from __future__ import annotations

import asyncio
import base64
import functools
import itertools
import json
import logging
import math
import random
import ssl
import time
from collections.abc import AsyncIterator, Callable, Coroutine, Mapping, Sequence
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, urlencode, urlsplit

from tui_sync import texts
from tui_sync.concurrency import first_error
from tui_sync.microsoft.auth import TokenProvider, trust_ca_file
from tui_sync.microsoft.budget import UPLOAD_METHODS, UploadBudget
from tui_sync.microsoft.errors import (
    ConnectionFailed,
    ConnectionLost,
    GraphError,
    MicrosoftError,
    UnreadableAnswer,
    graph_error,
)
from tui_sync.microsoft.slots import MailboxSlots

if TYPE_CHECKING:  # aiohttp is imported when a client opens its session: the commands that never
    import aiohttp  # reach Graph (`user list`) do not pay for loading it

log = logging.getLogger(__name__)

DEFAULT_PREFER = ('IdType="ImmutableId"', 'outlook.body-content-type="text"')
RETRY_STATUSES = frozenset({429, 503, 504})
TOKEN_REFRESHES = 2  # forced refreshes per request before a 401 asks the user to reconnect
IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "PUT", "PATCH", "DELETE"})
MAX_REQUEST_BYTES = 4 * 1024 * 1024  # Graph's limit per request (see above)
BATCH_BODY_LIMIT = MAX_REQUEST_BYTES - 64 * 1024  # a `$batch` body, leaving room for the headers
_BATCH_ENVELOPE = len(json.dumps({"requests": []}))
_SAFE_URL = "/:@!$&'()*+,;=-._~%?"
_MISSING = object()

# A batch's settled results; a coroutine function, as each call runs as a task of its own.
Finished = Callable[[list[tuple[int, "Response"]]], Coroutine[Any, Any, None]]


@dataclass(frozen=True)
class RetryPolicy:
    """How long to keep trying. `Retry-After` is obeyed as given (up to `max_retry_after`); without
    one the wait is `backoff_base * 2**(attempt-1)`, capped, with jitter so clients do not retry in step."""

    max_attempts: int = 6
    backoff_base: float = 1.0
    backoff_cap: float = 60.0
    max_retry_after: float = 300.0

    def delay(self, attempt: int, retry_after: str | None) -> float:
        """Seconds to wait before attempt `attempt + 1`."""
        seconds = parse_retry_after(retry_after)
        if seconds is not None:
            return min(seconds, self.max_retry_after)
        ceiling = min(self.backoff_cap, self.backoff_base * 2 ** (attempt - 1))
        return ceiling / 2 + random.uniform(0, ceiling / 2)


def parse_retry_after(value: str | None) -> float | None:
    """`Retry-After` as seconds: a (possibly decimal) number, or an HTTP date; None if absent/garbled."""
    if value is None or not str(value).strip():
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        return max(0.0, parsedate_to_datetime(str(value)).timestamp() - time.time())
    except (TypeError, ValueError, IndexError, OverflowError):
        return None


def merge_prefer(*values: str | None) -> str:
    """Several `Prefer` preferences in one header, comma-separated (RFC 7240), without duplicates."""
    seen: list[str] = []
    for value in values:
        for part in (value or "").split(","):
            part = part.strip()
            if part and part not in seen:
                seen.append(part)
    return ", ".join(seen)


def quote_url(url: str) -> str:
    """Percent-encode what must be (spaces, non-ASCII), leaving an already encoded URL unchanged."""
    return quote(url, safe=_SAFE_URL)


def with_params(url: str, params: Mapping[str, Any] | None) -> str:
    """`url` plus its query parameters, spaces as %20 (`$filter=name eq 'X'`), `$` kept readable."""
    if not params:
        return url
    query = urlencode({k: _param(v) for k, v in params.items()}, quote_via=quote, safe="$'(),:/@")
    return url + ("&" if "?" in url else "?") + query


def _param(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


@dataclass
class Response:
    """A Graph answer (or one sub-response of a batch): status, lower-cased headers, raw content."""

    status: int
    headers: Mapping[str, str] = field(default_factory=dict)
    content: bytes = b""
    _json: Any = field(default=_MISSING, repr=False)
    attempts: int = 1  # how many times it was sent (retries after throttling included)
    token: str = field(default="", repr=False)  # the access token it was sent with (refreshed if refused)

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300

    def json(self) -> Any:
        """The JSON body, None when empty. An error's body that is not JSON is None too (the status
        says enough); a success's is UnreadableAnswer — never taken for an empty answer."""
        if self._json is _MISSING:
            try:
                self._json = json.loads(self.content) if self.content else None
            except ValueError:
                if self.ok:
                    raise UnreadableAnswer(texts.microsoft.graph_unreadable_answer(self.status)) from None
                self._json = None
        return self._json

    def error(self, user_code: str = "") -> GraphError | None:
        """Our exception for this response if it is an error (matched on Graph's `error.code`)."""
        if self.ok:
            return None
        return graph_error(self.status, self.json(), user_code=user_code, attempts=self.attempts)

    def raise_for_error(self, user_code: str = "") -> Response:
        error = self.error(user_code)
        if error is not None:
            raise error
        return self


@dataclass(frozen=True)
class Request:
    """One sub-request of a `$batch`: `url` is relative to the Graph root (`/me/events/AAA`). A JSON
    body is any JSON value; a `bytes` body (a photo) is sent base64-encoded with `content_type`."""

    method: str
    url: str
    body: Any = None
    headers: Mapping[str, str] = field(default_factory=dict)
    content_type: str | None = None
    params: Mapping[str, Any] | None = None

    @property
    def idempotent(self) -> bool:
        return is_idempotent(self.method, self.body)

    def raw_body(self) -> bytes | None:
        """The body as sent in a plain request: the bytes themselves, or the JSON encoded."""
        if isinstance(self.body, bytes | bytearray):
            return bytes(self.body)
        return None if self.body is None else json.dumps(self.body).encode()

    @property
    def upload(self) -> int:
        """Bytes this request uploads, as Outlook counts them against its upload limit."""
        body = self.raw_body() if self.method.upper() in UPLOAD_METHODS else None
        return len(body) if body else 0


def is_idempotent(method: str, body: Any) -> bool:
    """Whether sending the request twice does what sending it once does (safe to retry blindly)."""
    method = method.upper()
    return method in IDEMPOTENT_METHODS or (
        method == "POST" and isinstance(body, Mapping) and bool(body.get("transactionId"))
    )


class GraphClient:
    """Graph for one mailbox during one run. Use as `async with GraphClient(...) as graph:`.

    `token_provider(refused)` returns the bearer token (an `Authenticator.token_provider`), so a
    long run keeps working across token refreshes. `user_code` names the CRM user in "reconnect" errors.
    """

    def __init__(
        self,
        graph_url: str,
        token_provider: TokenProvider,
        *,
        ca_file: str | None = None,
        max_in_flight: int = 4,
        batch_size: int = 20,
        retry: RetryPolicy | None = None,
        user_code: str = "",
        timeout: float = 120.0,
        upload_budget: UploadBudget | None = None,
    ) -> None:
        self.graph_url = graph_url.rstrip("/")
        self._origin = _origin(self.graph_url)
        self._token_provider = token_provider
        self.ca_file = ca_file or None
        self.max_in_flight = max_in_flight
        self.batch_size = max(1, min(20, batch_size))
        self.retry = retry or RetryPolicy()
        self.user_code = user_code
        self._timeout_seconds = timeout
        self._session: aiohttp.ClientSession | None = None
        self._slots = MailboxSlots(max_in_flight)
        self.upload_budget = upload_budget or UploadBudget()
        self.requests = 0  # HTTP requests sent, retries included
        self.sub_requests = 0  # batch sub-requests sent, retries included
        self.retries = 0  # requests or sub-requests sent again after throttling or a dropped connection

    @classmethod
    def from_settings(cls, config: Any, token_provider: TokenProvider, user_code: str = "") -> GraphClient:
        """From the machine config's `[microsoft]` section (graph_url, ca_file, max_in_flight, batch_size)."""
        return cls(
            config.graph_url,
            token_provider,
            ca_file=config.ca_file or None,
            max_in_flight=config.max_in_flight,
            batch_size=config.batch_size,
            user_code=user_code,
        )

    async def __aenter__(self) -> GraphClient:
        self._open()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    def _open(self) -> aiohttp.ClientSession:
        import aiohttp

        if self._session is None or self._session.closed:
            context = ssl.create_default_context()
            if self.ca_file:
                trust_ca_file(context, self.ca_file)
            connector = aiohttp.TCPConnector(ssl=context, limit=self.max_in_flight)
            # Environment proxies are for the real service; a private endpoint (CA file) is reached directly.
            self._session = aiohttp.ClientSession(
                connector=connector,
                timeout=aiohttp.ClientTimeout(total=self._timeout_seconds),
                trust_env=not self.ca_file,
            )
        return self._session

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

    # --- plain requests ---------------------------------------------------------------------------

    async def request(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        json_body: Any = None,
        data: bytes | None = None,
        content_type: str | None = None,
        headers: Mapping[str, str] | None = None,
        raise_for_error: bool = True,
    ) -> Response:
        """Send one request (retried as the module says) and return the answer; a Graph error raises
        our exception unless `raise_for_error` is False."""
        body: bytes | None = data
        extra = dict(headers or {})
        if json_body is not None:
            body = json.dumps(json_body).encode()
            extra.setdefault("Content-Type", "application/json")
        elif data is not None:
            extra.setdefault("Content-Type", content_type or "application/octet-stream")
        url = self._url(path, params)
        upload = len(body) if body and method.upper() in UPLOAD_METHODS else 0
        response = await self._send(
            method.upper(), url, body, extra, is_idempotent(method, json_body), upload=upload
        )
        if raise_for_error:
            response.raise_for_error(self.user_code)
        return response

    async def get(self, path: str, params: Mapping[str, Any] | None = None, **kw: Any) -> Any:
        return (await self.request("GET", path, params=params, **kw)).json()

    async def post(self, path: str, body: Any, **kw: Any) -> Any:
        return (await self.request("POST", path, json_body=body, **kw)).json()

    async def patch(self, path: str, body: Any, **kw: Any) -> Any:
        return (await self.request("PATCH", path, json_body=body, **kw)).json()

    async def put(self, path: str, body: Any, **kw: Any) -> Any:
        return (await self.request("PUT", path, json_body=body, **kw)).json()

    async def delete(self, path: str, **kw: Any) -> None:
        await self.request("DELETE", path, **kw)

    async def pages(
        self, path: str, params: Mapping[str, Any] | None = None, headers: Mapping[str, str] | None = None
    ) -> AsyncIterator[list[Any]]:
        """The `value` of each page, following `@odata.nextLink` to the end."""
        link: str | None = self._url(path, params)
        while link:
            body = (await self.request("GET", link, headers=headers)).json() or {}
            yield list(body.get("value") or [])
            link = body.get("@odata.nextLink")

    async def get_all(
        self, path: str, params: Mapping[str, Any] | None = None, headers: Mapping[str, str] | None = None
    ) -> list[Any]:
        """Every item of a collection, all pages."""
        items: list[Any] = []
        async for page in self.pages(path, params, headers):
            items.extend(page)
        return items

    async def get_bytes(self, path: str) -> bytes | None:
        """Raw content (a photo's `$value`); None when Graph says 404."""
        response = await self.request("GET", path, raise_for_error=False)
        if response.status == 404:
            return None
        response.raise_for_error(self.user_code)
        return response.content

    async def put_bytes(self, path: str, data: bytes, content_type: str) -> None:
        """Upload raw content (a photo: `PUT …/photo/$value` with image/jpeg or image/png)."""
        await self.request("PUT", path, data=data, content_type=content_type)

    # --- the one place requests are sent ----------------------------------------------------------

    def _url(self, path: str, params: Mapping[str, Any] | None = None) -> str:
        """An absolute URL on our Graph host; a `nextLink` elsewhere is refused (it would get our token)."""
        if path.startswith(("https://", "http://")):
            if _origin(path) != self._origin:
                raise MicrosoftError(texts.microsoft.graph_foreign_link(path))
            return with_params(quote_url(path), params)
        return with_params(quote_url(self.graph_url + "/" + path.lstrip("/")), params)

    def _headers(self, token: str, extra: Mapping[str, str]) -> dict[str, str]:
        headers = {"Authorization": f"Bearer {token}", "Accept": "application/json"}
        for name, value in extra.items():
            if name.lower() != "prefer":
                headers[name] = value
        prefer = next((v for k, v in extra.items() if k.lower() == "prefer"), None)
        headers["Prefer"] = merge_prefer(*DEFAULT_PREFER, prefer)
        return headers

    async def _send(
        self,
        method: str,
        url: str,
        body: bytes | None,
        extra: Mapping[str, str],
        idempotent: bool,
        *,
        upload: int = 0,
        slots: int = 1,
    ) -> Response:
        """Send with retries; the final response, with how many attempts it took. `upload` is what
        each attempt uploads as Outlook counts it: the upload budget must have room for it first. Each
        attempt holds `slots` of the mailbox's slots while in flight (a parallel `$batch` all of them)."""
        import aiohttp
        import yarl

        session = self._open()
        attempt, refused, refreshes = 0, None, 0
        while True:
            attempt += 1
            await self.upload_budget.spend(upload)
            try:
                async with self._slots.hold(slots):
                    token = await self._token_provider(refused)
                    self.requests += 1
                    async with session.request(
                        method,
                        yarl.URL(url, encoded=True),
                        data=body,
                        headers=self._headers(token, extra),
                        allow_redirects=False,
                    ) as raw:
                        response = Response(raw.status, _lower(raw.headers), await raw.read())
            except aiohttp.ClientConnectorCertificateError:
                raise ConnectionFailed(
                    texts.microsoft.cannot_reach(self._origin, texts.microsoft.UNTRUSTED_CERTIFICATE_GRAPH)
                ) from None
            except (aiohttp.ClientConnectionError, aiohttp.ClientPayloadError, TimeoutError) as error:
                never_sent = isinstance(error, aiohttp.ClientConnectorError)
                if (idempotent or never_sent) and attempt < self.retry.max_attempts:
                    log.info("Graph %s: %s, retrying", method, type(error).__name__)
                    self.retries += 1
                    await asyncio.sleep(self.retry.delay(attempt, None))
                    continue
                raise self._connection_error(method, url, error, idempotent or never_sent) from None
            if response.status == 401 and refreshes < TOKEN_REFRESHES:
                refused, refreshes = token, refreshes + 1  # revoked or expired early: refresh that one
                continue
            if response.status in RETRY_STATUSES and attempt < self.retry.max_attempts:
                delay = self.retry.delay(attempt, response.headers.get("retry-after"))
                log.info("Graph %s answered %d, retrying in %.2f s", method, response.status, delay)
                self.retries += 1
                await asyncio.sleep(delay)
                continue
            response.attempts = attempt
            response.token = token
            return response

    def _connection_error(
        self, method: str, url: str, error: BaseException, retried: bool
    ) -> ConnectionFailed:
        path = urlsplit(url).path
        if retried:
            detail = (
                texts.microsoft.NO_ANSWER_IN_TIME
                if isinstance(error, TimeoutError)
                else texts.microsoft.CONNECTION_FAILED
            )
            return ConnectionFailed(
                texts.microsoft.cannot_reach(self._origin, f"{detail} ({type(error).__name__})")
            )
        return ConnectionLost(texts.microsoft.graph_connection_lost(method, path))

    # --- $batch -----------------------------------------------------------------------------------

    async def batch(self, requests: Sequence[Request], on_done: Finished | None = None) -> list[Response]:
        """Send `requests` in `$batch` requests (see the module: one parallel batch for up to
        `batch_size` while the mailbox is idle, else serial batches in up to four lanes; a request too
        big for any batch goes alone, as a plain request), retrying throttled sub-requests on their own.
        Returns one Response per request, in order; a failed sub-request is an error Response (see
        `Response.raise_for_error`), not an exception. `on_done`, if given, is awaited with the (index,
        final response) pairs of each batch as soon as that batch is settled, while the others are
        still in flight: how a caller records results without idling the mailbox."""
        results: list[Response | None] = [None] * len(requests)
        chunks, alone = self._pack(requests)
        # Several batches, or a mailbox already busy with another caller's (a parallel batch would wait
        # for all of its slots): serial batches, each taking a slot as one frees up.
        serial = len(chunks) > 1 or not self._slots.idle
        jobs = [(c, functools.partial(self._run_batch, c, requests, results, serial)) for c in chunks]
        jobs += [([i], functools.partial(self._run_alone, i, requests[i], results)) for i in alone]
        queue = iter(jobs)

        async def lane(group: asyncio.TaskGroup) -> None:
            """Takes the jobs in turn; a job's results are handed to `on_done` in a task of their own,
            so the lane sends its next batch at once instead of leaving its slot idle meanwhile."""
            for indices, job in queue:
                await job()
                if on_done is not None:
                    group.create_task(on_done([(i, results[i] or Response(500)) for i in indices]))

        try:
            async with asyncio.TaskGroup() as group:  # a failure (a batch's or on_done's) stops all
                for _ in range(min(len(jobs), self._slots.size)):
                    group.create_task(lane(group))
        except BaseExceptionGroup as failed:
            raise first_error(failed) from None
        return [r if r is not None else Response(500) for r in results]

    async def get_each(
        self, paths: Sequence[str], params: Mapping[str, Any] | None = None
    ) -> list[Response | None]:
        """GET each path in `$batch` requests: one Response per path, in order, None where Graph says
        404 (the item is gone); any other error raises. How a sync checks that a missing item is really
        deleted, and reads what it needs by id."""
        responses = await self.batch([Request("GET", path, params=params) for path in paths])
        return [None if r.status == 404 else r.raise_for_error(self.user_code) for r in responses]

    def _pack(self, requests: Sequence[Request]) -> tuple[list[list[int]], list[int]]:
        """The indices of `requests` grouped, in order, into `$batch` bodies: cut by count into equal
        batches (`batch_chunks`), each cut again where it would pass `BATCH_BODY_LIMIT` bytes or upload
        more than the upload budget allows at once; and those too big for any batch."""
        chunks: list[list[int]] = []
        alone: list[int] = []
        for span in batch_chunks(len(requests), self.batch_size, self._slots.size):
            current: list[int] = []
            size, upload = _BATCH_ENVELOPE, 0
            for index in span:
                request = requests[index]
                entry = len(json.dumps(self._sub_request(index, request)).encode()) + 2  # and its ", "
                if _BATCH_ENVELOPE + entry > BATCH_BODY_LIMIT:
                    alone.append(index)
                    continue
                full = size + entry > BATCH_BODY_LIMIT
                if current and (full or upload + request.upload > self.upload_budget.limit):
                    chunks.append(current)
                    current, size, upload = [], _BATCH_ENVELOPE, 0
                current.append(index)
                size += entry
                upload += request.upload
            if current:
                chunks.append(current)
        return chunks, alone

    async def _run_alone(self, index: int, request: Request, results: list[Response | None]) -> None:
        """A request too big for a `$batch`, as a plain request (a photo as raw bytes, a third smaller
        than in base64). Over 4 MB even so, Graph answers 413: that is its result."""
        body = request.raw_body()
        headers = dict(request.headers)
        if isinstance(request.body, bytes | bytearray):
            headers["Content-Type"] = request.content_type or "application/octet-stream"
        elif body is not None:
            headers.setdefault("Content-Type", "application/json")
        url = self._url(request.url, request.params)
        results[index] = await self._send(
            request.method.upper(), url, body, headers, request.idempotent, upload=request.upload
        )

    async def _run_batch(
        self, pending: list[int], requests: Sequence[Request], results: list[Response | None], serial: bool
    ) -> None:
        """One chunk: send, keep the final answers, send the throttled ones again after their wait and
        those refused with 401 again with a fresh token (up to `TOKEN_REFRESHES` times, then the user is
        asked to reconnect)."""
        attempts = dict.fromkeys(pending, 0)
        refreshes = 0
        while pending:
            payload = {"requests": self._sub_requests(pending, requests, serial)}
            idempotent = all(requests[i].idempotent for i in pending)
            self.sub_requests += len(pending)
            url = self.graph_url + "/$batch"
            body = json.dumps(payload).encode()
            upload = sum(requests[i].upload for i in pending)
            outer = await self._send(
                "POST",
                url,
                body,
                {"Content-Type": "application/json"},
                idempotent,
                upload=upload,
                slots=1 if serial else len(pending),
            )
            answers = _sub_responses(outer)
            if outer.status not in (200, 424) or (outer.status == 200 and answers is None):
                outer.raise_for_error(self.user_code)
                raise graph_error(500, outer.json(), user_code=self.user_code)  # 200 without responses
            answers = answers or {}
            whole = Response(424, dict(outer.headers))  # a whole-batch 424 answers nothing itself
            # In a serial batch, a 424 after a failure only says a sub-request never ran; a 424 on the
            # first one (which depends on nothing) is the whole batch refused.
            batch_refused = serial and (answers.get(str(pending[0])) or whole).status == 424
            again: list[int] = []
            delay = 0.0
            blocked = unauthorized = False
            for i in pending:
                answer = answers.get(str(i)) or whole
                if serial and blocked and answer.status == 424 and not batch_refused:
                    again.append(i)  # never ran: sent again at once, no attempt spent
                    continue
                attempts[i] += 1
                blocked = blocked or not answer.ok
                if answer.status == 401:
                    if refreshes >= TOKEN_REFRESHES:
                        answer.raise_for_error(self.user_code)  # refused even with a fresh token
                    again.append(i)
                    unauthorized = True
                elif answer.status in RETRY_STATUSES | {424} and attempts[i] < self.retry.max_attempts:
                    again.append(i)
                    delay = max(delay, self.retry.delay(attempts[i], answer.headers.get("retry-after")))
                else:
                    answer.attempts = attempts[i]
                    results[i] = answer
            if unauthorized:  # as for a plain request: refresh the token the workload refused
                refreshes += 1
                await self._token_provider(outer.token)
            if again:
                log.info("Graph $batch: %d sub-requests to send again in %.2f s", len(again), delay)
                self.retries += len(again)
                await asyncio.sleep(delay)
            pending = again

    def _sub_requests(self, pending: list[int], requests: Sequence[Request], serial: bool) -> list[dict]:
        """The batch's sub-requests; in a serial batch each depends on the one before."""
        entries = [self._sub_request(i, requests[i]) for i in pending]
        if serial:
            for before, entry in itertools.pairwise(entries):
                entry["dependsOn"] = [before["id"]]
        return entries

    def _sub_request(self, index: int, request: Request) -> dict[str, Any]:
        headers = {k: v for k, v in request.headers.items() if k.lower() != "prefer"}
        prefer = next((v for k, v in request.headers.items() if k.lower() == "prefer"), None)
        headers["Prefer"] = merge_prefer(*DEFAULT_PREFER, prefer)
        entry: dict[str, Any] = {
            "id": str(index),
            "method": request.method.upper(),
            "url": with_params(quote_url("/" + request.url.lstrip("/")), request.params),
        }
        if isinstance(request.body, bytes | bytearray):
            entry["body"] = base64.b64encode(request.body).decode("ascii")
            headers["Content-Type"] = request.content_type or "application/octet-stream"
        elif request.body is not None:
            entry["body"] = request.body
            headers.setdefault("Content-Type", "application/json")
        entry["headers"] = headers
        return entry


def batch_chunks(count: int, batch_size: int, lanes: int) -> list[range]:
    """How `count` requests are cut into `$batch` requests: one batch when they fit in one; else a
    multiple of `lanes` batches of equal size (within one), so that `lanes` serial batches in flight
    finish together instead of one lane running alone at the end."""
    if count <= batch_size:
        return [range(count)] if count else []
    batches = lanes * math.ceil(count / (lanes * batch_size))
    size, extra = divmod(count, batches)
    chunks, start = [], 0
    for n in range(batches):
        end = start + size + (1 if n < extra else 0)
        chunks.append(range(start, end))
        start = end
    return chunks


def _sub_responses(outer: Response) -> dict[str, Response] | None:
    """The sub-responses of a `$batch` answer by id; None when the body has none."""
    body = outer.json()
    if not isinstance(body, dict) or not isinstance(body.get("responses"), list):
        return None
    answers: dict[str, Response] = {}
    for item in body["responses"]:
        if not isinstance(item, dict) or "id" not in item:
            continue
        headers = _lower(item.get("headers") or {})
        content, parsed = _sub_body(item.get("body"), headers.get("content-type", ""))
        answers[str(item["id"])] = Response(int(item.get("status") or 500), headers, content, parsed)
    return answers


def _sub_body(body: Any, content_type: str) -> tuple[bytes, Any]:
    """A sub-response body: JSON stays JSON; a string that is not JSON is base64 (a photo)."""
    if body is None:
        return b"", None
    if isinstance(body, dict | list) or "json" in content_type:
        return json.dumps(body).encode(), body
    if isinstance(body, str):
        try:
            return base64.b64decode(body, validate=True), _MISSING
        except ValueError:
            return body.encode(), _MISSING
    return json.dumps(body).encode(), body


def _lower(headers: Mapping[str, str]) -> dict[str, str]:
    return {str(k).lower(): str(v) for k, v in headers.items()}


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}".lower()
