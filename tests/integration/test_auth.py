"""Sign-in against the fake Microsoft 365 with the real MSAL over real HTTPS: device flow, silent
refresh, revocation, Reset, the token cache file, and the errors a user reads."""

from __future__ import annotations

import asyncio
import json
import logging
import os
import stat
import time
from pathlib import Path

import pytest

from tests.integration.conftest import CLIENT_ID, UNKNOWN_CLIENT_ID, UPN, ThreadedFake
from tui_sync import texts
from tui_sync.microsoft.auth import Authenticator, DeviceCode
from tui_sync.microsoft.errors import (
    ConnectionFailed,
    NotConfigured,
    NotConnected,
    ReconnectNeeded,
    SignInCancelled,
    SignInFailed,
    UnknownClient,
)
from tui_sync.microsoft.graph import GraphClient


def make_auth(fake: ThreadedFake, tmp_path: Path, client_id: str = CLIENT_ID) -> Authenticator:
    return Authenticator(
        client_id=client_id,
        tenant="common",
        authority_host=fake.authority_host,
        token_cache=tmp_path / "cache" / "token-cache.json",
        ca_file=fake.ca_file,
    )


def approver(fake: ThreadedFake, seen: list[DeviceCode], upn: str = UPN):
    """An on_code callback that records the code and signs `upn` in through the fake's admin API."""

    async def on_code(code: DeviceCode) -> None:
        seen.append(code)
        await asyncio.to_thread(fake.approve, code.user_code, upn)

    return on_code


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


async def test_sign_in_refresh_revoke_and_reset(fake: ThreadedFake, tmp_path: Path) -> None:
    auth = make_auth(fake, tmp_path)
    seen: list[DeviceCode] = []
    signed = await auth.sign_in(
        approver(fake, seen), user_code="CARINE", expected_email="Carine@Contoso.test"
    )

    assert signed.username == UPN and signed.warning is None and signed.home_account_id
    assert seen[0].user_code and seen[0].verification_uri.startswith("https://")
    assert 0 < seen[0].seconds_left() <= 900
    assert auth.is_connected(signed.home_account_id)
    assert auth.username(signed.home_account_id) == UPN
    cache_file = auth.cache_path
    assert mode(cache_file) == 0o600

    provider = auth.token_provider(signed.home_account_id, "CARINE")
    first = await provider()
    async with GraphClient(fake.graph_url, provider, ca_file=fake.ca_file, user_code="CARINE") as graph:
        assert (await graph.get("/me"))["userPrincipalName"] == UPN

        # The fake expires every access token: the client gets a 401, refreshes silently, goes on.
        fake.faults(expire_tokens=True)
        fake.clear_requests()
        assert (await graph.get("/me"))["userPrincipalName"] == UPN
        assert [r["status"] for r in fake.requests()] == [401, 200]
        second = await provider()
        assert second != first

        # Revoked refresh token + expired access token: the user is told to reconnect.
        fake.revoke(UPN)
        fake.faults(expire_tokens=True)
        with pytest.raises(ReconnectNeeded) as caught:
            await graph.get("/me")
    message = str(caught.value)
    assert "reconnect" in message and "tui-sync connect --user CARINE" in message
    assert first not in message and second not in message

    content = cache_file.read_text()
    assert second in content  # the cache did hold the tokens …
    assert auth.reset(signed.home_account_id) is True
    content = cache_file.read_text()
    kept = json.loads(content)
    for kind in ("AccessToken", "RefreshToken", "IdToken", "Account"):
        assert not kept.get(kind), kind
    assert first not in content and second not in content  # … and holds none after Reset
    assert mode(cache_file) == 0o600
    assert not auth.is_connected(signed.home_account_id)
    with pytest.raises(NotConnected):
        await auth.get_token(signed.home_account_id, user_code="CARINE")
    assert auth.reset(signed.home_account_id) is False


async def test_silent_token_survives_a_new_process(fake: ThreadedFake, tmp_path: Path) -> None:
    """A second Authenticator on the same cache file (the next run) gets a token without signing in."""
    signed = await make_auth(fake, tmp_path).sign_in(approver(fake, []))
    later = make_auth(fake, tmp_path)
    token = await later.get_token(signed.home_account_id)
    async with GraphClient(
        fake.graph_url, later.token_provider(signed.home_account_id), ca_file=fake.ca_file
    ) as g:
        assert (await g.get("/me"))["userPrincipalName"] == UPN
    assert token


async def test_other_address_than_the_login_email_warns(fake: ThreadedFake, tmp_path: Path) -> None:
    signed = await make_auth(fake, tmp_path).sign_in(
        approver(fake, [], upn="someone.else@contoso.test"), expected_email=UPN
    )
    assert signed.username == "someone.else@contoso.test"
    assert signed.warning == texts.microsoft.email_mismatch("someone.else@contoso.test", UPN)


async def test_two_users_share_the_cache_with_their_own_accounts(fake: ThreadedFake, tmp_path: Path) -> None:
    auth = make_auth(fake, tmp_path)
    carine = await auth.sign_in(approver(fake, []))
    paul = await auth.sign_in(approver(fake, [], upn="paul@contoso.test"))
    assert carine.home_account_id != paul.home_account_id
    assert auth.reset(paul.home_account_id)
    assert auth.is_connected(carine.home_account_id) and not auth.is_connected(paul.home_account_id)
    assert await auth.get_token(carine.home_account_id)


async def test_unknown_client_id_is_not_accessible(fake: ThreadedFake, tmp_path: Path) -> None:
    auth = make_auth(fake, tmp_path, UNKNOWN_CLIENT_ID)
    with pytest.raises(UnknownClient) as caught:
        await auth.sign_in(approver(fake, []))
    # what is wrong, and no front end's advice: the TUI and the CLI each add their own
    assert caught.value.reason == texts.microsoft.reason_wrong_client_id(UNKNOWN_CLIENT_ID)
    assert str(caught.value) == texts.microsoft.account_not_accessible(caught.value.reason)
    with pytest.raises(UnknownClient):
        await auth.check_client()


async def test_no_client_id_is_not_accessible(fake: ThreadedFake, tmp_path: Path) -> None:
    auth = make_auth(fake, tmp_path, "")
    with pytest.raises(NotConfigured) as caught:
        await auth.sign_in(approver(fake, []))
    assert str(caught.value).startswith(texts.microsoft.ACCOUNT_NOT_ACCESSIBLE)
    with pytest.raises(NotConfigured):
        await auth.get_token("some.account")


async def test_declined_sign_in(fake: ThreadedFake, tmp_path: Path) -> None:
    async def decline(code: DeviceCode) -> None:
        await asyncio.to_thread(fake.decline, code.user_code)

    with pytest.raises(SignInFailed) as caught:
        await make_auth(fake, tmp_path).sign_in(decline)
    assert str(caught.value) == texts.microsoft.SIGN_IN_DECLINED


async def test_an_unknown_device_code_is_not_called_expired(fake: ThreadedFake, tmp_path: Path) -> None:
    async def lost(code: DeviceCode) -> None:
        await asyncio.to_thread(fake.forget, code.user_code)

    with pytest.raises(SignInFailed) as caught:
        await make_auth(fake, tmp_path).sign_in(lost)
    assert str(caught.value) == texts.microsoft.SIGN_IN_CODE_UNKNOWN != texts.microsoft.SIGN_IN_EXPIRED


async def test_cancel_stops_the_wait_at_once(fake: ThreadedFake, tmp_path: Path) -> None:
    auth = make_auth(fake, tmp_path)

    cancelled: list[float] = []

    def cancel() -> None:
        cancelled.append(time.monotonic())
        auth.cancel_sign_in()

    def on_code(code: DeviceCode) -> None:
        asyncio.get_running_loop().call_later(0.05, cancel)

    with pytest.raises(SignInCancelled) as caught:
        await auth.sign_in(on_code)
    # MSAL polls once a second at least: cancel does not wait for the next poll (counted from the
    # cancel itself, so the sign-in's start-up on a loaded machine does not count)
    assert time.monotonic() - cancelled[0] < 0.9
    assert str(caught.value) == texts.microsoft.SIGN_IN_CANCELLED
    assert not json.loads(auth.cache_path.read_text() or "{}").get("RefreshToken")


async def test_cancelling_the_task_stops_the_sign_in(fake: ThreadedFake, tmp_path: Path) -> None:
    auth = make_auth(fake, tmp_path)
    shown = asyncio.Event()
    task = asyncio.create_task(auth.sign_in(lambda code: shown.set()))
    await asyncio.wait_for(shown.wait(), 5)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task


async def test_cache_file_is_tightened_to_owner_only(tmp_path: Path, fake: ThreadedFake) -> None:
    cache = tmp_path / "cache" / "token-cache.json"
    cache.parent.mkdir()
    cache.write_text("")
    os.chmod(cache, 0o644)
    make_auth(fake, tmp_path)
    assert mode(cache) == 0o600


async def test_new_cache_folder_is_private(tmp_path: Path, fake: ThreadedFake) -> None:
    auth = make_auth(fake, tmp_path)
    assert mode(auth.cache_path) == 0o600
    assert mode(auth.cache_path.parent) == 0o700


async def test_unreachable_sign_in_service(tmp_path: Path, fake: ThreadedFake) -> None:
    auth = Authenticator(
        client_id=CLIENT_ID,
        authority_host="https://127.0.0.1:9",  # discard port: nothing listens
        token_cache=tmp_path / "token-cache.json",
        ca_file=fake.ca_file,
    )
    with pytest.raises(ConnectionFailed) as caught:
        await auth.sign_in(approver(fake, []))
    assert str(caught.value).startswith(
        "Cannot reach the Microsoft sign-in service at https://127.0.0.1:9/common"
    )


async def test_tokens_never_reach_the_logs(
    fake: ThreadedFake, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    auth = make_auth(fake, tmp_path)
    signed = await auth.sign_in(approver(fake, []))
    tokens = [await auth.get_token(signed.home_account_id)]
    tokens.append(await auth.get_token(signed.home_account_id, refused=tokens[0]))
    refresh = json.loads(auth.cache_path.read_text())["RefreshToken"]
    tokens += [entry["secret"] for entry in refresh.values()]
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert logged  # MSAL and tui-sync did log …
    for token in tokens:
        assert token not in logged  # … but never a token


async def test_pending_sign_in_is_polled_until_approved(fake: ThreadedFake, tmp_path: Path) -> None:
    """The user signs in a moment after the code is shown: polls say `authorization_pending` first.
    (The test fake says `interval: 0`, which must neither spin MSAL nor make us wait a whole second.)"""

    approved: list[float] = []

    def approve(user_code: str) -> None:
        fake.approve(user_code, UPN)
        approved.append(time.monotonic())

    def on_code(code: DeviceCode) -> None:
        asyncio.get_running_loop().call_later(0.3, approve, code.user_code)

    signed = await make_auth(fake, tmp_path).sign_in(on_code)
    assert signed.username == UPN
    # signed in at the next poll after the approval, well before a second has passed (counted from
    # the approval, so the sign-in's start-up on a loaded machine does not count)
    assert time.monotonic() - approved[0] < 0.9
