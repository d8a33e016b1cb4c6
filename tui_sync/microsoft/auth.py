"""Signing in to Microsoft 365: MSAL public client, device-code flow, silent refresh, token cache.

Why this shape:
- The device-code flow works over SSH: the user reads a URL and a code and signs in on any device. MSAL
  is synchronous, so every MSAL call runs in a thread (`asyncio.to_thread`) and the polling loop is ours,
  on the event loop: cancelling the awaiting task (Ctrl-C, the dialog's Cancel) or `cancel_sign_in()`
  stops it at once, and the flow's `expires_at` is set to 0 so MSAL itself would stop too.
- The token cache is one file per machine (msal-extensions, with its lock file), readable by its owner
  only; each CRM user keeps the `home_account_id` of *their* Microsoft account (in the store), so one
  cache serves every user of the machine. Reset and the connection dot work on the cache alone, without
  the network.
- A private or test authority (the fake Microsoft 365) needs `instance_discovery=False` and its own CA.
  Where `REQUESTS_CA_BUNDLE` is set, `requests` would use it instead of our CA (requests' trust_env), so with
  a CA file MSAL gets a `requests.Session` that trusts exactly that file and ignores the environment.
- msal, msal-extensions and requests are imported where they are first used, not with this module: the
  commands that never sign in (`tui-sync user list`, `--help`) start without paying for them.
- Tokens never leave this module except as the return value of `get_token`: nothing here logs them or
  puts them in an error message.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import inspect
import logging
import os
import ssl
import stat
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol
from urllib.parse import urlparse

from tui_sync import texts
from tui_sync.microsoft.errors import (
    ConnectionFailed,
    MicrosoftError,
    NotConfigured,
    NotConnected,
    SignInCancelled,
    SignInFailed,
    UnknownClient,
)
from tui_sync.private import private_file

if TYPE_CHECKING:
    import msal
    import requests
    from msal_extensions import PersistedTokenCache

log = logging.getLogger(__name__)

SCOPES = ("User.Read", "Calendars.ReadWrite", "Contacts.ReadWrite", "MailboxSettings.ReadWrite")
MICROSOFT_AUTHORITY_HOSTS = frozenset(
    {"login.microsoftonline.com", "login.microsoftonline.us", "login.partner.microsoftonline.cn"}
)
HTTP_TIMEOUT = 30.0  # seconds for one call to the sign-in service
TOKEN_MARGIN = 120.0  # refresh an access token this long before it expires
MIN_POLL_INTERVAL = 0.25  # seconds between device-flow polls, whatever interval the server says
_CLIENT_ERRORS = frozenset({"invalid_client", "unauthorized_client"})
_RECONNECT_ERRORS = frozenset({"invalid_grant", "interaction_required", "consent_required", "login_required"})
_PENDING = frozenset({"authorization_pending", "slow_down"})


@dataclass(frozen=True)
class DeviceCode:
    """What the user needs to sign in: open `verification_uri`, type `user_code` before `expires_at`
    (a `time.time()` instant). `message` is Microsoft's own sentence saying the same."""

    verification_uri: str
    user_code: str
    expires_at: float
    message: str

    def seconds_left(self, now: float | None = None) -> int:
        return max(0, int(self.expires_at - (time.time() if now is None else now)))


@dataclass(frozen=True)
class SignedIn:
    """The Microsoft account a sign-in produced; `warning` is set when it is not the expected e-mail."""

    username: str
    home_account_id: str
    warning: str | None = None


OnDeviceCode = Callable[[DeviceCode], Awaitable[None] | None]


class TokenProvider(Protocol):
    """What the Graph client calls before each request: a valid access token. `refused` is a token
    Graph has just refused (401): the provider then returns another one, refreshing if need be."""

    async def __call__(self, refused: str | None = None) -> str: ...


def open_token_cache(path: Path) -> PersistedTokenCache:
    """The machine's token cache at `path`: folder created 0700, file created (or tightened to) 0600,
    so only its owner can read the refresh tokens, whatever the umask or an earlier copy said."""
    path = private_file(path)
    if stat.S_IMODE(path.stat().st_mode) & 0o077:
        os.chmod(path, 0o600)
    from msal_extensions import FilePersistence, PersistedTokenCache

    return PersistedTokenCache(FilePersistence(str(path)))


def _credential_types() -> type[msal.TokenCache.CredentialType]:
    """The kinds of entry in MSAL's token cache (msal is imported on first use)."""
    import msal

    return msal.TokenCache.CredentialType


def trust_ca_file(context: ssl.SSLContext, ca_file: str | Path) -> None:
    """Make `context` trust the config's `ca_file`; a file that is missing or holds no PEM certificate
    is ConnectionFailed naming it (the sign-in and Graph would otherwise fail deep in their libraries)."""
    try:
        context.load_verify_locations(cafile=str(ca_file))
    except FileNotFoundError:
        raise ConnectionFailed(texts.config.ca_file_unusable(ca_file, texts.config.CA_FILE_MISSING)) from None
    except ssl.SSLError:
        raise ConnectionFailed(texts.config.ca_file_unusable(ca_file, texts.config.CA_FILE_NOT_PEM)) from None
    except OSError as error:
        raise ConnectionFailed(texts.config.ca_file_unusable(ca_file, error.strerror or str(error))) from None


def http_session(ca_file: str | Path | None) -> requests.Session:
    """The HTTP client MSAL uses. With a CA file, trust exactly it and ignore `REQUESTS_CA_BUNDLE` and
    proxies from the environment (a private endpoint); without, behave like plain `requests`."""
    import requests

    session = requests.Session()
    if ca_file:
        trust_ca_file(ssl.create_default_context(), ca_file)  # refused here, in one line, if unusable
        session.verify = str(ca_file)
        session.trust_env = False
    adapter = requests.adapters.HTTPAdapter(max_retries=1)
    session.mount("https://", adapter)
    session.mount("http://", adapter)
    session.request = functools.partial(session.request, timeout=HTTP_TIMEOUT)  # type: ignore[method-assign]
    return session


def _first_line(text: object, limit: int = 240) -> str:
    line = str(text or "").strip().splitlines()[0] if str(text or "").strip() else ""
    return line if len(line) <= limit else line[: limit - 1] + "…"


def email_mismatch(username: str, expected: str) -> str | None:
    """The warning when the signed-in account is not the login e-mail set for the user (e-mail
    addresses compare case-blind), None when it is or either is unknown: one rule for Connect and Test."""
    expected = expected.strip()
    if expected and username and expected.casefold() != username.casefold():
        return texts.microsoft.email_mismatch(username, expected)
    return None


class Authenticator:
    """Sign-in for one Microsoft application (client ID + tenant) on one machine's token cache.
    Build one per run and share it."""

    def __init__(
        self,
        *,
        client_id: str,
        tenant: str = "common",
        authority_host: str = "https://login.microsoftonline.com",
        token_cache: Path,
        ca_file: str | Path | None = None,
    ) -> None:
        self.client_id = client_id
        self.tenant = tenant or "common"
        self.authority_host = authority_host.rstrip("/")
        self.ca_file = str(ca_file) if ca_file else None
        self._cache = open_token_cache(token_cache)
        self.cache_path = Path(token_cache).expanduser()
        self._app: msal.PublicClientApplication | None = None
        self._app_lock = asyncio.Lock()
        self._tokens: dict[str, tuple[str, float]] = {}  # account → access token, monotonic expiry
        self._token_locks: dict[str, asyncio.Lock] = {}
        self._cancel: asyncio.Event | None = None
        self._flow: dict[str, Any] | None = None

    @classmethod
    def from_settings(cls, config: Any, app: Any) -> Authenticator:
        """From the machine config's `[microsoft]` section and the ADM's `MicrosoftSettings`."""
        return cls(
            client_id=app.client_id,
            tenant=app.tenant,
            authority_host=config.authority_host,
            token_cache=config.token_cache,
            ca_file=config.ca_file or None,
        )

    @property
    def authority(self) -> str:
        return f"{self.authority_host}/{self.tenant}"

    # --- the MSAL application ---------------------------------------------------------------------

    async def _application(self) -> msal.PublicClientApplication:
        """The MSAL app, built on first use in a thread: building it fetches the authority's
        openid-configuration, which is network I/O and can fail."""
        if not self.client_id:
            raise NotConfigured()
        async with self._app_lock:
            if self._app is None:
                self._app = await asyncio.to_thread(self._build_application)
            return self._app

    def _build_application(self) -> msal.PublicClientApplication:
        import msal
        import requests

        host = urlparse(self.authority_host).hostname or ""
        try:
            return msal.PublicClientApplication(
                self.client_id,
                authority=self.authority,
                token_cache=self._cache,
                http_client=http_session(self.ca_file),
                instance_discovery=host in MICROSOFT_AUTHORITY_HOSTS,
            )
        except requests.RequestException as error:
            raise self._unreachable(error) from None
        except ValueError as error:  # MSAL: "Unable to get authority configuration for …"
            raise ConnectionFailed(
                texts.microsoft.cannot_reach(
                    texts.microsoft.sign_in_service(self.authority), _first_line(error)
                )
            ) from None

    def _unreachable(self, error: BaseException) -> ConnectionFailed:
        import requests

        detail = type(error).__name__
        if isinstance(error, requests.exceptions.SSLError):
            detail = texts.microsoft.UNTRUSTED_CERTIFICATE_SIGN_IN
        elif isinstance(error, requests.Timeout):
            detail = texts.microsoft.NO_ANSWER_IN_TIME
        elif isinstance(error, requests.ConnectionError):
            detail = texts.microsoft.CONNECTION_REFUSED
        return ConnectionFailed(
            texts.microsoft.cannot_reach(texts.microsoft.sign_in_service(self.authority), detail)
        )

    async def _call(self, function: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        """Run one blocking MSAL call in a thread, turning network failures into our error."""
        import requests

        try:
            return await asyncio.to_thread(function, *args, **kwargs)
        except requests.RequestException as error:
            raise self._unreachable(error) from None

    def _service_error(self, result: dict[str, Any], user_code: str) -> MicrosoftError:
        """Our exception for an MSAL error dict (`error`, `error_description`)."""
        error = str(result.get("error") or "")
        description = _first_line(result.get("error_description")) or error
        if error in _CLIENT_ERRORS:
            return UnknownClient(self.client_id)
        if error in _RECONNECT_ERRORS:
            return NotConnected(user_code, description)
        if error == "authorization_declined":
            return SignInFailed(texts.microsoft.SIGN_IN_DECLINED)
        if error == "expired_token":
            return SignInFailed(texts.microsoft.SIGN_IN_EXPIRED)
        if error == "bad_verification_code":  # "The device_code sent to the /token endpoint wasn't
            return SignInFailed(texts.microsoft.SIGN_IN_CODE_UNKNOWN)  # recognized" (v2-oauth2-device-code)
        return SignInFailed(texts.microsoft.sign_in_failed(description))

    # --- device-code sign-in ----------------------------------------------------------------------

    async def sign_in(
        self, on_code: OnDeviceCode, *, user_code: str = "", expected_email: str = ""
    ) -> SignedIn:
        """Run the device-code flow: hand the URL and code to `on_code` (sync or async), wait for the
        user to sign in, and return who did. Cancelled by cancelling the task or `cancel_sign_in()`."""
        app = await self._application()
        flow = await self._call(app.initiate_device_flow, scopes=list(SCOPES))
        if "user_code" not in flow:
            raise self._service_error(flow, user_code)
        self._flow, self._cancel = flow, asyncio.Event()
        code = DeviceCode(
            verification_uri=str(flow.get("verification_uri") or flow.get("verification_url") or ""),
            user_code=str(flow["user_code"]),
            expires_at=float(flow.get("expires_at") or time.time() + int(flow.get("expires_in", 900))),
            message=str(flow.get("message") or ""),
        )
        try:
            shown = on_code(code)
            if inspect.isawaitable(shown):
                await shown
            result = await self._poll(app, flow, self._cancel, user_code)
        finally:
            flow["expires_at"] = 0  # should a poll still be running in its thread, MSAL stops after it
            self._flow = self._cancel = None
        claims = result.get("id_token_claims") or {}
        username = str(claims.get("preferred_username") or claims.get("email") or "")
        accounts = await self._call(app.get_accounts, username=username or None)
        return self._signed_in(accounts, result, expected_email)

    async def _poll(
        self, app: msal.PublicClientApplication, flow: dict[str, Any], cancel: asyncio.Event, user_code: str
    ) -> dict[str, Any]:
        """Ask the token endpoint once per interval until the user signed in, refused, or gave up.

        The waiting is ours (cancellable); MSAL is asked for one poll at a time. MSAL's own loop only
        looks at its exit condition between seconds of `interval`, so it is never handed less than 1."""
        interval = float(flow.get("interval") or 0)
        while True:
            if cancel.is_set():
                raise SignInCancelled()
            flow["interval"] = max(1, int(flow.get("interval") or 0))
            result = await self._call(app.acquire_token_by_device_flow, flow, exit_condition=lambda _f: True)
            if "access_token" in result:
                return result
            if result.get("error") not in _PENDING:
                raise self._service_error(result, user_code)
            if result.get("error") == "slow_down":
                interval += 5  # RFC 8628 §3.5
            remaining = float(flow.get("expires_at") or 0) - time.time()
            if cancel.is_set():
                raise SignInCancelled()
            if remaining <= 0:
                raise SignInFailed(texts.microsoft.SIGN_IN_EXPIRED)
            with contextlib.suppress(TimeoutError):
                wait = max(MIN_POLL_INTERVAL, interval)
                await asyncio.wait_for(cancel.wait(), timeout=min(wait, remaining))

    def cancel_sign_in(self) -> None:
        """Stop a running `sign_in` (it raises SignInCancelled); harmless when none runs."""
        if self._flow is not None:
            self._flow["expires_at"] = 0
        if self._cancel is not None:
            self._cancel.set()

    def _signed_in(self, accounts: list[dict[str, Any]], result: dict[str, Any], expected: str) -> SignedIn:
        """Who signed in: the cached account matching the id token's `oid` (else its username)."""
        claims = result.get("id_token_claims") or {}
        username = str(claims.get("preferred_username") or claims.get("email") or "")
        account = next((a for a in accounts if a.get("local_account_id") == claims.get("oid")), None)
        account = account or (accounts[0] if accounts else None)
        if account is None:
            raise SignInFailed(texts.microsoft.sign_in_failed(texts.microsoft.NO_ACCOUNT_RETURNED))
        home = str(account["home_account_id"])
        username = username or str(account.get("username") or "")
        self._remember(home, result)
        log.info("signed in to Microsoft 365 as %s", username)
        return SignedIn(username=username, home_account_id=home, warning=email_mismatch(username, expected))

    # --- tokens -----------------------------------------------------------------------------------

    def _remember(self, home_account_id: str, result: dict[str, Any]) -> None:
        expires = time.monotonic() + float(result.get("expires_in") or 0)
        self._tokens[home_account_id] = (str(result["access_token"]), expires)

    def _account(self, app: msal.PublicClientApplication, home_account_id: str) -> dict[str, Any] | None:
        return next((a for a in app.get_accounts() if a.get("home_account_id") == home_account_id), None)

    async def get_token(
        self, home_account_id: str | None, *, user_code: str = "", refused: str | None = None
    ) -> str:
        """A valid access token for the account, refreshed silently with the refresh token when needed,
        or when it is the `refused` one (Graph said 401: revoked or expired early). Concurrent callers
        share one refresh. NotConnected when the user must sign in again."""
        if not self.client_id:
            raise NotConfigured()
        if not home_account_id:
            raise NotConnected(user_code or texts.microsoft.THIS_USER)
        lock = self._token_locks.setdefault(home_account_id, asyncio.Lock())
        async with lock:
            cached = self._tokens.get(home_account_id)
            if cached and cached[0] != refused and cached[1] - time.monotonic() > TOKEN_MARGIN:
                return cached[0]  # still fresh, or another request already replaced the refused one
            force_refresh = refused is not None and (cached is None or cached[0] == refused)
            app = await self._application()
            account = await self._call(self._account, app, home_account_id)
            if account is None:
                raise NotConnected(user_code or texts.microsoft.THIS_USER)
            result = await self._call(
                app.acquire_token_silent_with_error, list(SCOPES), account, force_refresh=force_refresh
            )
            if not result:
                raise NotConnected(user_code or texts.microsoft.THIS_USER)
            if "access_token" not in result:
                raise self._service_error(result, user_code or texts.microsoft.THIS_USER)
            self._remember(home_account_id, result)
            return str(result["access_token"])

    def token_provider(self, home_account_id: str | None, user_code: str = "") -> TokenProvider:
        """The callable a GraphClient takes, bound to one user's account."""

        async def provide(refused: str | None = None) -> str:
            return await self.get_token(home_account_id, user_code=user_code, refused=refused)

        return provide

    async def check_client(self, user_code: str = "") -> None:
        """Ask the sign-in service whether it knows our client ID (starting a device flow that is then
        abandoned: it has no effect). Raises NotConfigured, UnknownClient or ConnectionFailed."""
        app = await self._application()
        flow = await self._call(app.initiate_device_flow, scopes=list(SCOPES))
        if "user_code" not in flow:
            raise self._service_error(flow, user_code)

    # --- the cache alone (no network) -------------------------------------------------------------

    def _entries(self, home_account_id: str) -> list[tuple[str, dict[str, Any]]]:
        kinds = _credential_types()
        every = (
            kinds.ACCESS_TOKEN,
            kinds.ACCESS_TOKEN_EXTENDED,
            kinds.REFRESH_TOKEN,
            kinds.ID_TOKEN,
            kinds.ACCOUNT,
        )
        query = {"home_account_id": home_account_id}
        return [(kind, item) for kind in every for item in self._cache.search(kind, query=query)]

    def is_connected(self, home_account_id: str | None) -> bool:
        """Whether the cache holds a refresh token for the account (the green dot); no network."""
        if not home_account_id:
            return False
        kind = _credential_types().REFRESH_TOKEN
        return any(True for _ in self._cache.search(kind, query={"home_account_id": home_account_id}))

    def username(self, home_account_id: str | None) -> str | None:
        """The e-mail of the cached account, if any."""
        if not home_account_id:
            return None
        kind = _credential_types().ACCOUNT
        for account in self._cache.search(kind, query={"home_account_id": home_account_id}):
            return str(account.get("username") or "") or None
        return None

    def reset(self, home_account_id: str | None) -> bool:
        """Remove every token, id token and account record of the account from the cache, whatever
        client ID obtained them (the ADM may have changed it since). True if anything was removed."""
        if not home_account_id:
            return False
        self._tokens.pop(home_account_id, None)
        entries = self._entries(home_account_id)
        for kind, item in entries:
            self._cache.modify(kind, item)  # no new values: the entry is removed and the file rewritten
        if entries:
            log.info("removed %d token cache entries of a Microsoft account", len(entries))
        return bool(entries)
