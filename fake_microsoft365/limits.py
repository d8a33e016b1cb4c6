"""Graph's size limits: 4 MB per request, and Outlook's upload volume per mailbox over time.

* **Request size**: "4MB limit on the total size of each REST request" (learn.microsoft.com
  graph/api/profilephoto-update). A ``$batch`` is one request: its whole JSON body counts, base64 photos
  included. Graph answers 413 with ``{"error": {"code": "BadRequest", "message": "The maximum request
  length supported is 4MB."}}`` (as reported from the service in github.com/O365/python-o365 issue 472
  and microsoftgraph/microsoft-graph-docs-contrib issue 3816).
* **Upload volume**: Outlook allows 150 MB of upload (PATCH, POST and PUT) per app and mailbox in any 5
  minutes (learn.microsoft.com graph/throttling-limits, "Outlook service limits"); sub-requests of a
  ``$batch`` count one by one, each by its own body. Beyond it a request gets 429 ``TooManyRequests``
  with a ``Retry-After`` saying when that much fits again. A single upload larger than the whole budget
  passes once nothing else is in the window (else it could never pass).
"""

from __future__ import annotations

import time
from collections import deque
from dataclasses import dataclass, field

from .errors import GraphError

MAX_REQUEST_BYTES = 4 * 1024 * 1024
UPLOAD_LIMIT_BYTES = 150 * 1024 * 1024
UPLOAD_WINDOW_SECONDS = 300.0
UPLOAD_METHODS = frozenset({"POST", "PATCH", "PUT"})


def check_request_size(body: bytes) -> None:
    """Graph's 413 for a request body over 4 MB."""
    if len(body) > MAX_REQUEST_BYTES:
        raise GraphError(413, "BadRequest", "The maximum request length supported is 4MB.")


@dataclass
class UploadWindow:
    """The uploads of one mailbox in the last ``window`` seconds: (when, bytes), oldest first."""

    sent: deque[tuple[float, int]] = field(default_factory=deque)
    total: int = 0

    def admit(self, size: int, limit: int, window: float, now: float | None = None) -> float | None:
        """Count an upload of ``size`` bytes and return None; or, when it does not fit, count nothing and
        return the seconds until it would (the 429's Retry-After)."""
        now = time.monotonic() if now is None else now
        while self.sent and self.sent[0][0] <= now - window:
            self.total -= self.sent.popleft()[1]
        if self.sent and self.total + size > limit:
            return self._wait(size, limit, window, now)
        self.sent.append((now, size))
        self.total += size
        return None

    def _wait(self, size: int, limit: int, window: float, now: float) -> float:
        """Seconds until enough of the window has expired for ``size`` more bytes to fit."""
        remaining = self.total
        for when, sent in self.sent:
            remaining -= sent
            if remaining + size <= limit or remaining == 0:
                return max(0.001, when + window - now)
        return window  # not reached: the loop ends with remaining == 0
