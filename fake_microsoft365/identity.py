"""Sign-in as MSAL calls it: OpenID configuration, device code, token (device code + refresh grants).

Decisions (tests and the demo depend on them):

* **Which client ids are known.** Every well-formed GUID is accepted, except the nil GUID
  ``00000000-0000-0000-0000-000000000000`` and any id registered as unknown with
  ``POST /_fake/apps {"unknown_client_ids": [...]}``. ``{"known_client_ids": [...]}`` switches to an allow
  list instead (an empty list switches back to "any GUID"). An unknown id is ``invalid_client`` with
  Entra's AADSTS700016 text; a malformed one is ``invalid_client`` with AADSTS700038.
* **Device flow.** ``interval`` is 5 seconds by default, as Entra answers (learn.microsoft.com
  entra/identity-platform/v2-oauth2-device-code); the demo and the tests ask for less, to stay fast;
  ``expires_in`` 900. A code stays ``authorization_pending`` until ``POST /_fake/device/approve``
  (or the little HTML page at ``/devicelogin``), ``authorization_declined`` after
  ``/_fake/device/decline``, ``expired_token`` after its lifetime or ``/_fake/device/expire``; an unknown
  device code is ``bad_verification_code`` (``/_fake/device/forget`` makes a pending one unknown). A
  code is redeemed once.
* **Tokens.** Access tokens are opaque random strings mapped to (upn, expiry); refresh tokens rotate on
  every use (the old one stays valid, as Entra's do) until ``POST /_fake/revoke``. The ``id_token`` is
  an unsigned JWT (``alg: none``) — MSAL only decodes it.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import html
import json
import secrets
import time
import uuid
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from typing import Any

from aiohttp import web

from .mailbox import FakeState, stable_guid

NIL_GUID = "00000000-0000-0000-0000-000000000000"
DEVICE_GRANT = "urn:ietf:params:oauth:grant-type:device_code"
RESERVED_SCOPES = {"openid", "profile", "offline_access", "email"}
GRAPH_PREFIX = "https://graph.microsoft.com/"
_USER_CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"


class OAuthError(Exception):
    """An OAuth2 error as Entra returns it (HTTP 400 with ``error`` + AADSTS ``error_description``)."""

    def __init__(self, error: str, code: int, description: str, status: int = 400) -> None:
        super().__init__(description)
        self.error, self.code, self.description, self.status = error, code, description, status

    def body(self) -> dict[str, Any]:
        trace, correlation = str(uuid.uuid4()), str(uuid.uuid4())
        stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%SZ")
        return {
            "error": self.error,
            "error_description": f"AADSTS{self.code}: {self.description}\r\nTrace ID: {trace}\r\n"
            f"Correlation ID: {correlation}\r\nTimestamp: {stamp}",
            "error_codes": [self.code],
            "timestamp": stamp,
            "trace_id": trace,
            "correlation_id": correlation,
            "error_uri": f"https://login.microsoftonline.com/error?code={self.code}",
        }


@dataclass
class DeviceFlow:
    device_code: str
    user_code: str
    client_id: str
    scope: str
    expires_at: float
    status: str = "pending"  # pending | approved | declined | redeemed
    upn: str | None = None


@dataclass
class AccessToken:
    upn: str
    client_id: str
    expires_at: float


@dataclass
class RefreshToken:
    upn: str
    client_id: str
    scope: str


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _is_guid(text: str) -> bool:
    try:
        return str(uuid.UUID(text)) == text.lower() and len(text) == 36
    except ValueError:
        return False


class Identity:
    """The fake Entra ID: apps, device flows and tokens. Mailboxes are created on approval."""

    def __init__(
        self,
        state: FakeState,
        *,
        interval: int = 5,
        device_code_ttl: int = 900,
        access_token_ttl: int = 3600,
    ) -> None:
        self.state = state
        self.interval = interval
        self.device_code_ttl = device_code_ttl
        self.access_token_ttl = access_token_ttl
        self.tenant_id = stable_guid("tenant")
        # The demo's "person on the phone": approve every device code as this upn after this delay.
        self.auto_approve_after: float | None = None
        self.auto_approve_upn: str | Callable[[], str] = ""
        self.reset()

    def reset(self) -> None:
        self.unknown_client_ids: set[str] = {NIL_GUID}
        self.known_client_ids: set[str] = set()
        self.flows: dict[str, DeviceFlow] = {}
        self.user_codes: dict[str, str] = {}
        self.access_tokens: dict[str, AccessToken] = {}
        self.refresh_tokens: dict[str, RefreshToken] = {}
        # Put into every access token, refresh token and device code issued: a test then greps every
        # file and stream for it to prove no secret leaked.
        self.secret_canary = ""

    # ------------------------------------------------------------------------------------------- apps

    def configure_apps(self, body: dict[str, Any]) -> None:
        for key in ("unknown_client_ids", "known_client_ids"):
            if key in body:
                ids = body[key]
                if not isinstance(ids, list) or not all(isinstance(item, str) for item in ids):
                    raise ValueError(f"{key} must be a list of strings")
                setattr(self, key, {item.lower() for item in ids})
        if "secret_canary" in body:
            canary = body["secret_canary"]
            if not isinstance(canary, str) or (canary and not canary.isalnum()):
                raise ValueError("secret_canary must be letters and digits")
            self.secret_canary = canary

    def apps_json(self) -> dict[str, Any]:
        return {
            "unknown_client_ids": sorted(self.unknown_client_ids),
            "known_client_ids": sorted(self.known_client_ids),
            "secret_canary": self.secret_canary,
        }

    def check_client(self, client_id: str | None, tenant: str) -> str:
        if not client_id or not _is_guid(client_id):
            raise OAuthError(
                "invalid_client", 700038, f"{client_id or ''} is not a valid application identifier."
            )
        client = client_id.lower()
        if client in self.unknown_client_ids or (
            self.known_client_ids and client not in self.known_client_ids
        ):
            raise OAuthError(
                "invalid_client",
                700016,
                f"Application with identifier '{client_id}' was not found in the directory '{tenant}'. This "
                "can happen if the application has not been installed by the administrator of the tenant or "
                "consented to by any user in the tenant. You may have sent your authentication request to "
                "the wrong tenant.",
            )
        return client

    # ------------------------------------------------------------------------------------ device flow

    def start_device_flow(self, client_id: str | None, scope: str, tenant: str, base: str) -> dict[str, Any]:
        client = self.check_client(client_id, tenant)
        user_code = "".join(secrets.choice(_USER_CODE_ALPHABET) for _ in range(9))
        device_code = "DAQABAAEAAAD" + self.secret_canary + secrets.token_urlsafe(96)
        flow = DeviceFlow(device_code, user_code, client, scope, time.time() + self.device_code_ttl)
        self.flows[device_code] = flow
        self.user_codes[user_code] = device_code
        uri = f"{base}/devicelogin"
        return {
            "user_code": user_code,
            "device_code": device_code,
            "verification_uri": uri,
            "expires_in": self.device_code_ttl,
            "interval": self.interval,
            "message": f"To sign in, use a web browser to open the page {uri} and enter the code {user_code} "
            "to authenticate.",
        }

    def flow_by_user_code(self, user_code: str) -> DeviceFlow:
        device_code = self.user_codes.get(user_code.strip().upper())
        if device_code is None or device_code not in self.flows:
            raise KeyError(user_code)
        return self.flows[device_code]

    def approve(self, user_code: str, upn: str, display_name: str | None = None) -> DeviceFlow:
        flow = self.flow_by_user_code(user_code)
        if flow.status != "pending":
            raise ValueError(f"device code is {flow.status}")
        self.state.ensure(upn, display_name)
        flow.status, flow.upn = "approved", upn
        return flow

    def auto_approve(self, user_code: str) -> None:
        """Approve `user_code` as the auto-approve upn, unless it was used, declined or cancelled."""
        upn = self.auto_approve_upn() if callable(self.auto_approve_upn) else self.auto_approve_upn
        with contextlib.suppress(KeyError, ValueError):
            if upn and self.flow_by_user_code(user_code).expires_at > time.time():
                self.approve(user_code, upn)

    def decline(self, user_code: str) -> None:
        self.flow_by_user_code(user_code).status = "declined"

    def expire(self, user_code: str) -> None:
        self.flow_by_user_code(user_code).expires_at = 0

    def forget(self, user_code: str) -> None:
        """The service no longer knows this device code: its next poll is ``bad_verification_code``."""
        del self.flows[self.flow_by_user_code(user_code).device_code]

    def pending(self) -> list[dict[str, Any]]:
        now = time.time()
        return [
            {
                "user_code": flow.user_code,
                "client_id": flow.client_id,
                "scope": flow.scope,
                "expires_in": int(flow.expires_at - now),
            }
            for flow in self.flows.values()
            if flow.status == "pending" and flow.expires_at > now
        ]

    # ---------------------------------------------------------------------------------------- tokens

    def token(self, form: dict[str, str], tenant: str, base: str) -> dict[str, Any]:
        grant = form.get("grant_type")
        client = self.check_client(form.get("client_id"), tenant)
        if grant == DEVICE_GRANT:
            return self._redeem_device_code(form, client, base)
        if grant == "refresh_token":
            return self._refresh(form, client, base)
        raise OAuthError(
            "unsupported_grant_type", 70003, f"The app requested an unsupported grant type '{grant}'."
        )

    def _redeem_device_code(self, form: dict[str, str], client: str, base: str) -> dict[str, Any]:
        flow = self.flows.get(form.get("device_code", ""))
        if flow is None or flow.client_id != client:
            raise OAuthError(
                "bad_verification_code",
                70000,
                "The provided value for the input parameter 'device_code' is not valid.",
            )
        if flow.status == "declined":
            raise OAuthError("authorization_declined", 70000, "The user declined the authorization request.")
        if flow.status == "redeemed":
            raise OAuthError(
                "invalid_grant", 70000, "The provided authorization grant is invalid or expired."
            )
        if flow.expires_at < time.time():
            raise OAuthError("expired_token", 70019, "Verification code expired.")
        if flow.status == "pending":
            raise OAuthError(
                "authorization_pending",
                70016,
                "OAuth 2.0 device flow error. Authorization is pending. Continue polling.",
            )
        assert flow.upn is not None
        flow.status = "redeemed"
        return self._issue(flow.upn, client, form.get("scope") or flow.scope, base)

    def _refresh(self, form: dict[str, str], client: str, base: str) -> dict[str, Any]:
        grant = self.refresh_tokens.get(form.get("refresh_token", ""))
        if grant is None or grant.client_id != client or self.state.get(grant.upn) is None:
            raise OAuthError(
                "invalid_grant",
                50173,
                "The provided grant has expired due to it being revoked, a fresh auth "
                "token is needed. The user might have changed or reset their password.",
            )
        return self._issue(grant.upn, client, form.get("scope") or grant.scope, base)

    def _issue(self, upn: str, client: str, scope: str, base: str) -> dict[str, Any]:
        box = self.state.ensure(upn)
        access, expires_in = self.issue_access_token(box.upn, client)
        refresh = "0.AAAA" + self.secret_canary + secrets.token_urlsafe(64)
        self.refresh_tokens[refresh] = RefreshToken(box.upn, client, scope)
        now = int(time.time())
        claims = {
            "aud": client,
            "iss": f"{base}/{self.tenant_id}/v2.0",
            "iat": now,
            "nbf": now,
            "exp": now + 3600,
            "name": box.display_name,
            "oid": box.oid,
            "preferred_username": box.upn,
            "sub": _b64url(box.oid.encode())[:43],
            "tid": self.tenant_id,
            "ver": "2.0",
        }
        header = _b64url(json.dumps({"typ": "JWT", "alg": "none"}).encode())
        id_token = f"{header}.{_b64url(json.dumps(claims).encode())}."
        granted = [
            item.removeprefix(GRAPH_PREFIX) for item in scope.split() if item.lower() != "offline_access"
        ]
        return {
            "token_type": "Bearer",
            "scope": " ".join(granted),
            "expires_in": expires_in,
            "ext_expires_in": expires_in,
            "access_token": access,
            "refresh_token": refresh,
            "id_token": id_token,
            "client_info": _b64url(json.dumps({"uid": box.oid, "utid": self.tenant_id}).encode()),
        }

    def issue_access_token(
        self, upn: str, client: str = "fake-admin", ttl: int | None = None
    ) -> tuple[str, int]:
        lifetime = self.access_token_ttl if ttl is None else ttl
        token = "fake." + self.secret_canary + secrets.token_urlsafe(32)
        self.access_tokens[token] = AccessToken(upn, client, time.time() + lifetime)
        return token, lifetime

    def authenticate(self, token: str) -> str | None:
        """The UPN an access token belongs to, or None if unknown or expired."""
        grant = self.access_tokens.get(token)
        if grant is None or grant.expires_at <= time.time():
            return None
        return grant.upn

    def revoke(self, upn: str, access_tokens: bool = False) -> int:
        key = upn.lower()
        gone = [token for token, grant in self.refresh_tokens.items() if grant.upn.lower() == key]
        for token in gone:
            del self.refresh_tokens[token]
        if access_tokens:
            for token in [t for t, grant in self.access_tokens.items() if grant.upn.lower() == key]:
                del self.access_tokens[token]
        return len(gone)

    def expire_access_tokens(self) -> None:
        now = time.time()
        for grant in self.access_tokens.values():
            grant.expires_at = min(grant.expires_at, now - 1)

    # ----------------------------------------------------------------------------------- persistence

    def to_json(self) -> dict[str, Any]:
        return {
            "apps": self.apps_json(),
            "access_tokens": {token: asdict(grant) for token, grant in self.access_tokens.items()},
            "refresh_tokens": {token: asdict(grant) for token, grant in self.refresh_tokens.items()},
        }

    def load_json(self, data: dict[str, Any]) -> None:
        self.configure_apps(data.get("apps", {}))
        self.access_tokens = {t: AccessToken(**g) for t, g in data.get("access_tokens", {}).items()}
        self.refresh_tokens = {t: RefreshToken(**g) for t, g in data.get("refresh_tokens", {}).items()}


# ------------------------------------------------------------------------------------------ HTTP side

IDENTITY_KEY = web.AppKey("identity", Identity)


def _base(request: web.Request) -> str:
    return f"{request.scheme}://{request.host}"


def _oauth_json(body: dict[str, Any], status: int = 200) -> web.Response:
    return web.json_response(body, status=status, headers={"Cache-Control": "no-store, no-cache"})


async def openid_configuration(request: web.Request) -> web.Response:
    identity = request.app[IDENTITY_KEY]
    base, tenant = _base(request), request.match_info["tenant"]
    return _oauth_json(
        {
            "token_endpoint": f"{base}/{tenant}/oauth2/v2.0/token",
            "token_endpoint_auth_methods_supported": [
                "client_secret_post",
                "private_key_jwt",
                "client_secret_basic",
            ],
            "jwks_uri": f"{base}/{tenant}/discovery/v2.0/keys",
            "response_modes_supported": ["query", "fragment", "form_post"],
            "subject_types_supported": ["pairwise"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "response_types_supported": ["code", "id_token", "code id_token", "id_token token"],
            "scopes_supported": ["openid", "profile", "email", "offline_access"],
            "issuer": f"{base}/{identity.tenant_id}/v2.0",
            "request_uri_parameter_supported": False,
            "userinfo_endpoint": f"{base}/oidc/userinfo",
            "authorization_endpoint": f"{base}/{tenant}/oauth2/v2.0/authorize",
            "device_authorization_endpoint": f"{base}/{tenant}/oauth2/v2.0/devicecode",
            "http_logout_supported": True,
            "frontchannel_logout_supported": True,
            "end_session_endpoint": f"{base}/{tenant}/oauth2/v2.0/logout",
            "claims_supported": [
                "sub",
                "iss",
                "aud",
                "exp",
                "iat",
                "nbf",
                "name",
                "oid",
                "preferred_username",
                "tid",
                "ver",
            ],
            "kerberos_endpoint": f"{base}/{tenant}/kerberos",
            "tenant_region_scope": "EU",
            "cloud_instance_name": "microsoftonline.com",
            "cloud_graph_host_name": "graph.windows.net",
            "msgraph_host": "graph.microsoft.com",
            "rbac_url": "https://pas.windows.net",
        }
    )


async def keys(request: web.Request) -> web.Response:
    return _oauth_json({"keys": []})


async def devicecode(request: web.Request) -> web.Response:
    identity = request.app[IDENTITY_KEY]
    form = await request.post()
    client_id = form.get("client_id")
    try:
        body = identity.start_device_flow(
            client_id if isinstance(client_id, str) else None,
            str(form.get("scope", "")),
            request.match_info["tenant"],
            _base(request),
        )
    except OAuthError as exc:
        return _oauth_json(exc.body(), exc.status)
    if identity.auto_approve_after is not None:
        asyncio.get_running_loop().call_later(
            identity.auto_approve_after, identity.auto_approve, body["user_code"]
        )
    return _oauth_json(body)


async def token(request: web.Request) -> web.Response:
    identity = request.app[IDENTITY_KEY]
    form = {key: str(value) for key, value in (await request.post()).items()}
    try:
        body = identity.token(form, request.match_info["tenant"], _base(request))
    except OAuthError as exc:
        return _oauth_json(exc.body(), exc.status)
    return _oauth_json(body)


_PAGE = """<!doctype html><html><head><title>Fake Microsoft sign-in</title></head><body>
<h1>Fake Microsoft 365 &mdash; device sign-in</h1><p>{message}</p>
<form method="post"><label>Code <input name="user_code" value="{code}"></label>
<label>Account <input name="upn" value="demo@contoso.test"></label>
<button name="action" value="approve">Sign in</button> <button name="action" value="decline">Decline</button>
</form></body></html>"""


async def devicelogin_page(request: web.Request) -> web.Response:
    message = "Enter the code shown by the application and the account to sign in as."
    return web.Response(text=_PAGE.format(message=message, code=""), content_type="text/html")


async def devicelogin_submit(request: web.Request) -> web.Response:
    identity = request.app[IDENTITY_KEY]
    form = await request.post()
    code, upn = str(form.get("user_code", "")), str(form.get("upn", "")).strip()
    try:
        if form.get("action") == "decline":
            identity.decline(code)
            message = "Sign-in declined. You can close this window."
        else:
            identity.approve(code, upn or "demo@contoso.test")
            message = f"Signed in as {html.escape(upn)}. You can close this window."
    except (KeyError, ValueError):
        message = "That code is not valid or was already used."
    return web.Response(text=_PAGE.format(message=message, code=html.escape(code)), content_type="text/html")


def add_routes(app: web.Application) -> None:
    app.router.add_get("/{tenant}/v2.0/.well-known/openid-configuration", openid_configuration)
    app.router.add_get("/{tenant}/discovery/v2.0/keys", keys)
    app.router.add_post("/{tenant}/oauth2/v2.0/devicecode", devicecode)
    app.router.add_post("/{tenant}/oauth2/v2.0/token", token)
    app.router.add_get("/devicelogin", devicelogin_page)
    app.router.add_post("/devicelogin", devicelogin_submit)
