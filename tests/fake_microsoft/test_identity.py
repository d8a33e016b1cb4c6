"""Sign-in: the endpoints MSAL calls, their JSON, and a real MSAL device flow + silent refresh."""

from __future__ import annotations

import asyncio
import base64
import json
import time
import uuid
from typing import Any

import aiohttp
import msal
import pytest
import requests

from fake_microsoft365 import FakeServer

from .conftest import UPN, Admin

CLIENT_ID = "6731de76-14a6-49ae-97bc-6eba6914391e"
SCOPES = ["User.Read", "Calendars.ReadWrite", "Contacts.ReadWrite", "MailboxSettings.ReadWrite"]
DEVICE_GRANT = "urn:ietf:params:oauth:grant-type:device_code"


async def _post_form(
    http: aiohttp.ClientSession, url: str, form: dict[str, str]
) -> tuple[int, dict[str, Any]]:
    async with http.post(url, data=form) as resp:
        return resp.status, await resp.json()


async def _device_flow(
    http: aiohttp.ClientSession, fake: FakeServer, tenant: str = "common"
) -> dict[str, Any]:
    status, body = await _post_form(
        http,
        f"{fake.authority_host}/{tenant}/oauth2/v2.0/devicecode",
        {"client_id": CLIENT_ID, "scope": " ".join([*SCOPES, "offline_access", "openid", "profile"])},
    )
    assert status == 200, body
    return body


async def _poll(
    http: aiohttp.ClientSession, fake: FakeServer, device_code: str
) -> tuple[int, dict[str, Any]]:
    return await _post_form(
        http,
        f"{fake.authority_host}/common/oauth2/v2.0/token",
        {"grant_type": DEVICE_GRANT, "client_id": CLIENT_ID, "device_code": device_code, "client_info": "1"},
    )


def _decode(part: str) -> dict[str, Any]:
    return json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))


@pytest.mark.parametrize("tenant", ["common", "organizations", "0b8e7b14-2f5a-4d77-9d52-1b6d3b2f9f10"])
async def test_openid_configuration_for_any_tenant(
    http: aiohttp.ClientSession, fake: FakeServer, tenant: str
) -> None:
    async with http.get(f"{fake.authority_host}/{tenant}/v2.0/.well-known/openid-configuration") as resp:
        assert resp.status == 200
        config = await resp.json()
    base = f"{fake.authority_host}/{tenant}/oauth2/v2.0"
    assert config["token_endpoint"] == f"{base}/token"
    assert config["device_authorization_endpoint"] == f"{base}/devicecode"
    assert config["authorization_endpoint"] == f"{base}/authorize"
    assert config["issuer"].startswith(fake.authority_host)


async def test_device_code_response_reads_like_entra(http: aiohttp.ClientSession, fake: FakeServer) -> None:
    flow = await _device_flow(http, fake)
    assert set(flow) >= {"user_code", "device_code", "verification_uri", "expires_in", "interval", "message"}
    assert flow["interval"] == 1  # as the fixture asks (Microsoft's default is 5: test_fidelity.py)
    assert flow["expires_in"] == 900
    assert flow["message"] == (
        f"To sign in, use a web browser to open the page {flow['verification_uri']} and enter the code "
        f"{flow['user_code']} to authenticate."
    )


async def test_device_flow_pending_then_approved(
    http: aiohttp.ClientSession, fake: FakeServer, admin: Admin
) -> None:
    flow = await _device_flow(http, fake)
    status, body = await _poll(http, fake, flow["device_code"])
    assert (status, body["error"]) == (400, "authorization_pending")
    assert body["error_codes"] == [70016]
    assert body["error_description"].startswith("AADSTS70016")

    pending = (await admin.call("GET", "/device")).body["pending"]
    assert [item["user_code"] for item in pending] == [flow["user_code"]]
    reply = await admin.call("POST", "/device/approve", {"user_code": flow["user_code"], "upn": UPN})
    assert reply.status == 200

    status, token = await _poll(http, fake, flow["device_code"])
    assert status == 200, token
    assert token["token_type"] == "Bearer"
    assert token["expires_in"] > 300
    assert set(token) >= {"scope", "access_token", "refresh_token", "id_token", "client_info"}
    assert "offline_access" not in token["scope"].split()
    assert "User.Read" in token["scope"].split()
    claims = _decode(token["id_token"].split(".")[1])
    assert claims["aud"] == CLIENT_ID
    assert claims["preferred_username"] == UPN
    assert {"exp", "sub", "oid", "tid"} <= set(claims)
    info = _decode(token["client_info"])
    assert info == {"uid": claims["oid"], "utid": claims["tid"]}

    # the mailbox exists and the token works on Graph
    async with http.get(
        f"{fake.graph_url}/me", headers={"Authorization": f"Bearer {token['access_token']}"}
    ) as resp:
        assert resp.status == 200
        assert (await resp.json())["userPrincipalName"] == UPN

    # a device code is redeemed only once
    status, body = await _poll(http, fake, flow["device_code"])
    assert body["error"] == "invalid_grant"


async def test_device_flow_declined_expired_and_bad_code(
    http: aiohttp.ClientSession, fake: FakeServer, admin: Admin
) -> None:
    declined = await _device_flow(http, fake)
    assert (await admin.call("POST", "/device/decline", {"user_code": declined["user_code"]})).status == 200
    assert (await _poll(http, fake, declined["device_code"]))[1]["error"] == "authorization_declined"

    expired = await _device_flow(http, fake)
    assert (await admin.call("POST", "/device/expire", {"user_code": expired["user_code"]})).status == 200
    assert (await _poll(http, fake, expired["device_code"]))[1]["error"] == "expired_token"

    assert (await _poll(http, fake, "not-a-device-code"))[1]["error"] == "bad_verification_code"
    assert (await admin.call("POST", "/device/approve", {"user_code": "NOPE", "upn": UPN})).status == 404


async def test_unknown_and_malformed_client_ids(
    http: aiohttp.ClientSession, fake: FakeServer, admin: Admin
) -> None:
    url = f"{fake.authority_host}/common/oauth2/v2.0/devicecode"
    status, body = await _post_form(
        http, url, {"client_id": "00000000-0000-0000-0000-000000000000", "scope": "x"}
    )
    assert (status, body["error"]) == (400, "invalid_client")
    assert "AADSTS700016" in body["error_description"]

    status, body = await _post_form(http, url, {"client_id": "not-a-guid", "scope": "x"})
    assert body["error"] == "invalid_client"
    assert "AADSTS700038" in body["error_description"]

    other = str(uuid.uuid4())
    await admin.call("POST", "/apps", {"unknown_client_ids": [other]})
    assert (await _post_form(http, url, {"client_id": other, "scope": "x"}))[1]["error"] == "invalid_client"
    await admin.call("POST", "/apps", {"unknown_client_ids": [], "known_client_ids": [CLIENT_ID]})
    assert (await _post_form(http, url, {"client_id": str(uuid.uuid4()), "scope": "x"}))[1][
        "error"
    ] == "invalid_client"
    assert "user_code" in (await _post_form(http, url, {"client_id": CLIENT_ID, "scope": "x"}))[1]


async def test_refresh_rotates_and_revocation_is_invalid_grant(
    http: aiohttp.ClientSession, fake: FakeServer, admin: Admin
) -> None:
    flow = await _device_flow(http, fake)
    await admin.call("POST", "/device/approve", {"user_code": flow["user_code"], "upn": UPN})
    first = (await _poll(http, fake, flow["device_code"]))[1]
    url = f"{fake.authority_host}/organizations/oauth2/v2.0/token"
    form = {
        "grant_type": "refresh_token",
        "client_id": CLIENT_ID,
        "refresh_token": first["refresh_token"],
        "scope": "User.Read offline_access",
        "client_info": "1",
    }
    status, second = await _post_form(http, url, form)
    assert status == 200
    assert second["access_token"] != first["access_token"]
    assert second["refresh_token"] != first["refresh_token"]

    assert (await admin.call("POST", "/revoke", {"upn": UPN})).body["revoked"] >= 2
    status, body = await _post_form(http, url, {**form, "refresh_token": second["refresh_token"]})
    assert (status, body["error"]) == (400, "invalid_grant")
    # the access token lives on until it expires, as in Entra
    async with http.get(
        f"{fake.graph_url}/me", headers={"Authorization": f"Bearer {second['access_token']}"}
    ) as r:
        assert r.status == 200


async def test_msal_device_flow_and_silent_refresh(
    http: aiohttp.ClientSession, fake: FakeServer, admin: Admin
) -> None:
    session = requests.Session()
    session.verify = fake.ca_file
    session.trust_env = False  # else REQUESTS_CA_BUNDLE would replace our CA
    # MSAL discovers the authority in its constructor: a blocking call, so off the event loop it goes
    app = await asyncio.to_thread(
        msal.PublicClientApplication,
        CLIENT_ID,
        authority=f"{fake.authority_host}/common",
        http_client=session,
        instance_discovery=False,
    )
    flow = await asyncio.to_thread(app.initiate_device_flow, scopes=SCOPES)
    assert "user_code" in flow, flow
    flow["expires_at"] = time.time() + 15  # never let a failing test poll for 15 minutes
    signing_in = asyncio.create_task(asyncio.to_thread(app.acquire_token_by_device_flow, flow))
    await asyncio.sleep(0.2)  # MSAL is polling in its thread and gets authorization_pending
    assert not signing_in.done()
    assert (
        await admin.call("POST", "/device/approve", {"user_code": flow["user_code"], "upn": UPN})
    ).status == 200
    result = await asyncio.wait_for(signing_in, 10)
    assert "access_token" in result, result
    assert result["id_token_claims"]["preferred_username"] == UPN

    accounts = await asyncio.to_thread(app.get_accounts)
    assert [account["username"] for account in accounts] == [UPN]
    silent = await asyncio.to_thread(app.acquire_token_silent, SCOPES, accounts[0], force_refresh=True)
    assert silent and "access_token" in silent, silent
    assert silent["access_token"] != result["access_token"]
    headers = {"Authorization": f"Bearer {silent['access_token']}"}
    async with http.get(f"{fake.graph_url}/me", headers=headers) as resp:
        assert resp.status == 200
    session.close()


async def test_devicelogin_page_signs_in(http: aiohttp.ClientSession, fake: FakeServer) -> None:
    flow = await _device_flow(http, fake)
    assert flow["verification_uri"] == f"{fake.authority_host}/devicelogin"
    async with http.get(flow["verification_uri"]) as resp:
        assert resp.status == 200 and "user_code" in await resp.text()
    form = {"user_code": flow["user_code"].lower(), "upn": "web@contoso.test", "action": "approve"}
    async with http.post(flow["verification_uri"], data=form) as resp:
        assert "Signed in as web@contoso.test" in await resp.text()
    status, token = await _poll(http, fake, flow["device_code"])
    assert status == 200
    assert _decode(token["id_token"].split(".")[1])["preferred_username"] == "web@contoso.test"
