"""Faults on demand, for Graph routes only (never sign-in, never ``/_fake``).

* ``latency_ms``: **server time**. Every Graph request (and every ``$batch`` sub-request) waits that long
  while holding one of its mailbox's 4 concurrency slots — so latency is what makes Outlook-style 429s
  appear, and W writes cost at least ``ceil(W / 4) * latency_ms`` however they are sent.
* ``network_ms``: **network time**. Every HTTP request to Graph (a ``$batch`` once, not per sub-request)
  waits that long before it is served, holding no slot: the round trip a client pays per request, which
  batching saves and which requests in flight at once overlap.
* ``throttle_rate`` / ``error_503_rate``: that share of requests (and of sub-requests) gets 429
  ``TooManyRequests`` / 503 ``serviceNotAvailable``, both with ``Retry-After: <retry_after>`` (decimal).
* ``drop_after``: N Graph requests are served, then the next one's connection is closed with no response;
  then the count starts again (so N=3 drops every 4th request, N=0 drops them all). ``null`` turns it off.
* ``expire_tokens``: an action, not a state: every access token issued so far expires now.
* ``batch_401``: the next N ``$batch`` requests answer each sub-request 401 ``InvalidAuthenticationToken``
  (the gateway let the token in, the workload refused it: revoked or expired meanwhile).
* ``garble``: the next N Graph answers (a ``$batch`` counts once) are cut short: status 200 with a JSON
  content type and a body that is not JSON (a dropped proxy, a truncated stream); ``garble_after``
  answers are served whole first.
* ``delete_500``: the next N DELETE requests or sub-requests answer 500 ``generalException`` (a
  server-side failure that is not worth retrying at once); the rest are served as usual.
* ``patch_500``: the same for the next N PATCH requests or sub-requests.
* ``batch_424``: while true, every ``$batch`` answers each sub-request with 424 (a whole-batch failure,
  as Microsoft's Dev Proxy simulates), with ``Retry-After: <retry_after>``.
* ``upload_limit_bytes`` / ``upload_window_s``: Outlook's upload volume limit per mailbox, 150 MB per
  300 s by default (limits.py); tests shrink both to see it enforced in seconds.
* ``seed``: re-seeds the random source so a test run is deterministic.
"""

from __future__ import annotations

import random
from dataclasses import asdict, dataclass, field
from typing import Any

from .errors import GraphError
from .limits import UPLOAD_LIMIT_BYTES, UPLOAD_WINDOW_SECONDS


@dataclass
class Faults:
    latency_ms: float = 0.0
    network_ms: float = 0.0
    throttle_rate: float = 0.0
    retry_after: float = 1.0
    error_503_rate: float = 0.0
    drop_after: int | None = None
    batch_424: bool = False
    batch_401: int = 0
    delete_500: int = 0
    patch_500: int = 0
    garble: int = 0
    garble_after: int = 0
    upload_limit_bytes: int = UPLOAD_LIMIT_BYTES
    upload_window_s: float = UPLOAD_WINDOW_SECONDS
    rng: random.Random = field(default_factory=lambda: random.Random(0), repr=False)
    _served_since_drop: int = field(default=0, repr=False)

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data.pop("rng")
        data.pop("_served_since_drop")
        data["expire_tokens"] = False
        return data

    def update(self, changes: dict[str, Any]) -> None:
        """Apply a ``POST /_fake/faults`` body (any subset); raises ValueError on a bad key or value."""
        for key, value in changes.items():
            if key in {"latency_ms", "network_ms", "retry_after", "upload_window_s"}:
                if not isinstance(value, (int, float)) or isinstance(value, bool) or value < 0:
                    raise ValueError(f"{key} must be a number >= 0")
                setattr(self, key, float(value))
            elif key in {"throttle_rate", "error_503_rate"}:
                if not isinstance(value, (int, float)) or isinstance(value, bool) or not 0 <= value <= 1:
                    raise ValueError(f"{key} must be a number between 0 and 1")
                setattr(self, key, float(value))
            elif key == "drop_after":
                if value is not None and (not isinstance(value, int) or isinstance(value, bool) or value < 0):
                    raise ValueError("drop_after must be null or an integer >= 0")
                self.drop_after = value
                self._served_since_drop = 0
            elif key == "upload_limit_bytes":
                if not isinstance(value, int) or isinstance(value, bool) or value < 1:
                    raise ValueError("upload_limit_bytes must be an integer >= 1")
                self.upload_limit_bytes = value
            elif key in {"batch_401", "delete_500", "patch_500", "garble", "garble_after"}:
                if not isinstance(value, int) or isinstance(value, bool) or value < 0:
                    raise ValueError(f"{key} must be an integer >= 0")
                setattr(self, key, value)
            elif key == "batch_424":
                if not isinstance(value, bool):
                    raise ValueError("batch_424 must be true or false")
                self.batch_424 = value
            elif key == "seed":
                self.rng.seed(value)
            elif key == "expire_tokens":
                if not isinstance(value, bool):
                    raise ValueError("expire_tokens must be true or false")
            else:
                raise ValueError(f"unknown fault {key!r}")

    def failed_write(self, method: str) -> GraphError | None:
        """A 500 for this DELETE or PATCH while some of ``delete_500`` / ``patch_500`` are still to
        come."""
        if method == "DELETE" and self.delete_500 > 0:
            self.delete_500 -= 1
        elif method == "PATCH" and self.patch_500 > 0:
            self.patch_500 -= 1
        else:
            return None
        return GraphError(500, "generalException", "An unspecified error has occurred.")

    def take_garble(self) -> bool:
        """True when this Graph answer must be cut short (one of the ``garble`` still to come)."""
        if self.garble <= 0:
            return False
        if self.garble_after > 0:
            self.garble_after -= 1
            return False
        self.garble -= 1
        return True

    def should_drop(self) -> bool:
        """Count one Graph request; True when this one's connection must be dropped."""
        if self.drop_after is None:
            return False
        if self._served_since_drop >= self.drop_after:
            self._served_since_drop = 0
            return True
        self._served_since_drop += 1
        return False

    def random_failure(self) -> GraphError | None:
        """A 429 or 503 for this request or sub-request, by the configured rates."""
        if self.throttle_rate and self.rng.random() < self.throttle_rate:
            return throttled(self.retry_after)
        if self.error_503_rate and self.rng.random() < self.error_503_rate:
            return GraphError(
                503,
                "serviceNotAvailable",
                "The service is temporarily unavailable. Please retry again later.",
                {"Retry-After": retry_after_text(self.retry_after)},
            )
        return None


def retry_after_text(seconds: float) -> str:
    """Outlook sends decimals such as ``2.128``; keep up to 3 decimals, at least one."""
    text = f"{seconds:.3f}".rstrip("0")
    return text + "0" if text.endswith(".") else text


def throttled(retry_after: float) -> GraphError:
    return GraphError(
        429, "TooManyRequests", "Please retry again later.", {"Retry-After": retry_after_text(retry_after)}
    )
