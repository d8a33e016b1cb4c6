"""Secrets blanked out of text that leaves the program (the log file): access, refresh and id tokens,
device codes, client secrets and bearer credentials, whether they appear as JSON (`"refresh_token":
"…"`), a Python dict's repr, a form or query (`device_code=…`) or an `Authorization: Bearer …` header.

OAuth 2.0 names them so on the wire: RFC 6749 §4.1.3/§5.1 (`access_token`, `refresh_token`,
`client_secret`), RFC 8628 §3.2 (`device_code`), RFC 6750 §2.1 (`Bearer`)."""

from __future__ import annotations

import re

MASK = "[redacted]"
SECRET_KEYS = (
    "access_token",
    "refresh_token",
    "id_token",
    "device_code",
    "code",  # an authorization code (RFC 6749 §4.1.3); MSAL also logs the device code under this name
    "client_secret",
    "client_assertion",
    "assertion",
    "password",
    "secret",
)
_KEYS = "|".join(SECRET_KEYS)
# "key": "value" / 'key': 'value' (JSON, a dict's repr)
_QUOTED = re.compile(
    rf"""(?P<head>(?P<q>["'])(?:{_KEYS})(?P=q)\s*:\s*)(?P<v>["'])(?:(?!(?P=v)).)*(?P=v)""", re.I
)
# key=value (a form body, a query string)
_FORM = re.compile(rf"(?P<head>\b(?:{_KEYS})=)[^&\s\"']+", re.I)
# Authorization: Bearer <credential>
_BEARER = re.compile(r"(?P<head>\bBearer\s+)[A-Za-z0-9\-._~+/]+=*", re.I)
# a JSON Web Token (an id token or a Microsoft access token) wherever it appears
_JWT = re.compile(r"\beyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*")


def redact(text: str) -> str:
    """`text` with every secret it holds replaced by [redacted] (the names stay, to tell what it was)."""
    text = _QUOTED.sub(lambda m: f"{m['head']}{m['v']}{MASK}{m['v']}", text)
    text = _FORM.sub(lambda m: m["head"] + MASK, text)
    text = _BEARER.sub(lambda m: m["head"] + MASK, text)
    return _JWT.sub(MASK, text)
