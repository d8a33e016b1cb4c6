"""Bearer tokens, /me, calendars, categories and the shape of Graph errors."""

from __future__ import annotations

from fake_microsoft365 import FakeServer

from .conftest import UPN, Admin, Graph

EXPIRED = "Access token has expired or is not yet valid."


def _assert_graph_error(reply, status: int, code: str) -> None:
    assert reply.status == status, reply.body
    error = reply.body["error"]
    assert error["code"] == code
    assert isinstance(error["message"], str) and error["message"]
    assert {"request-id", "date"} <= set(error["innerError"])


async def test_tokens_missing_unknown_expired(graph: Graph, admin: Admin) -> None:
    missing = await graph.call("GET", "/me", headers={"Authorization": ""})
    _assert_graph_error(missing, 401, "InvalidAuthenticationToken")

    graph_unknown = Graph(graph.http, graph.fake, "not-a-token")
    unknown = await graph_unknown.get("/me")
    _assert_graph_error(unknown, 401, "InvalidAuthenticationToken")
    assert unknown.body["error"]["message"] == EXPIRED
    assert "WWW-Authenticate" in unknown.headers

    short = Graph(graph.http, graph.fake, await admin.token(UPN, expires_in=0))
    expired = await short.get("/me")
    assert expired.body["error"]["message"] == EXPIRED

    assert (await graph.get("/me")).status == 200
    await admin.faults(expire_tokens=True)
    reply = await graph.get("/me")
    _assert_graph_error(reply, 401, "InvalidAuthenticationToken")
    assert reply.body["error"]["message"] == EXPIRED
    assert (await Graph(graph.http, graph.fake, await admin.token(UPN)).get("/me")).status == 200


async def test_me_and_select(graph: Graph) -> None:
    me = await graph.get("/me")
    assert me.status == 200
    assert me.body["userPrincipalName"] == UPN
    assert me.body["mail"] == UPN
    assert {"id", "displayName", "givenName", "surname"} <= set(me.body)
    selected = await graph.get("/me", params={"$select": "displayName"})
    assert set(selected.body) == {"@odata.context", "id", "displayName"}
    bad = await graph.get("/me", params={"$select": "nope"})
    assert bad.status == 400
    # /users/{upn} is the same mailbox; someone else's is forbidden
    assert (await graph.get(f"/users/{UPN}")).body["id"] == me.body["id"]
    assert (await graph.get("/users/other@contoso.test/calendars")).status == 403


async def test_calendars_list_filter_create_duplicate(graph: Graph) -> None:
    listed = await graph.get("/me/calendars")
    assert listed.status == 200
    [default] = listed.body["value"]
    assert default["name"] == "Calendar"
    assert default["isDefaultCalendar"] is True
    assert default["@odata.etag"] == f'W/"{default["changeKey"]}"'

    created = await graph.post("/me/calendars", {"name": "CRM"})
    assert created.status == 201
    assert created.body["name"] == "CRM"
    assert created.body["isDefaultCalendar"] is False

    duplicate = await graph.post("/me/calendars", {"name": "crm"})
    _assert_graph_error(duplicate, 409, "ErrorFolderExists")

    found = await graph.get("/me/calendars", params={"$filter": "name eq 'CRM'", "$select": "name"})
    assert [(c["id"], set(c)) for c in found.body["value"]] == [
        (created.body["id"], {"id", "name", "@odata.etag"})
    ]
    quoted = await graph.post("/me/calendars", {"name": "Carine's"})
    found = await graph.get("/me/calendars", params={"$filter": "name eq 'Carine''s'"})
    assert [c["id"] for c in found.body["value"]] == [quoted.body["id"]]
    assert (await graph.get("/me/calendars", params={"$filter": "name eq 'Nope'"})).body["value"] == []

    assert (await graph.get(f"/me/calendars/{created.body['id']}")).body["name"] == "CRM"
    assert (await graph.get("/me/calendar")).body["id"] == default["id"]
    _assert_graph_error(await graph.post("/me/calendars", {"name": "X", "bogus": 1}), 400, "RequestBodyRead")
    assert (await graph.delete(f"/me/calendars/{quoted.body['id']}")).status == 204
    _assert_graph_error(await graph.delete(f"/me/calendars/{default['id']}"), 400, "ErrorCannotDeleteObject")


async def test_ids_malformed_and_not_found(graph: Graph, calendar_id: str) -> None:
    _assert_graph_error(await graph.get("/me/events/garbage!"), 400, "ErrorInvalidIdMalformed")
    _assert_graph_error(await graph.get("/me/contacts/AAAA"), 400, "ErrorInvalidIdMalformed")
    created = await graph.post(
        f"/me/calendars/{calendar_id}/events",
        {
            "subject": "x",
            "start": {"dateTime": "2024-01-01T10:00:00", "timeZone": "UTC"},
            "end": {"dateTime": "2024-01-01T11:00:00", "timeZone": "UTC"},
        },
    )
    event_id = created.body["id"]
    assert (await graph.delete(f"/me/events/{event_id}")).status == 204
    _assert_graph_error(await graph.get(f"/me/events/{event_id}"), 404, "ErrorItemNotFound")
    _assert_graph_error(
        await graph.patch(f"/me/events/{event_id}", {"subject": "y"}), 404, "ErrorItemNotFound"
    )
    _assert_graph_error(await graph.delete(f"/me/events/{event_id}"), 404, "ErrorItemNotFound")
    # a calendar id is not an event id
    _assert_graph_error(await graph.get(f"/me/events/{calendar_id}"), 404, "ErrorItemNotFound")


async def test_categories(graph: Graph) -> None:
    assert (await graph.get("/me/outlook/masterCategories")).body["value"] == []
    created = await graph.post(
        "/me/outlook/masterCategories", {"displayName": "Rendez-vous", "color": "preset9"}
    )
    assert created.status == 201
    assert set(created.body) >= {"id", "displayName", "color"}
    assert created.body["color"] == "preset9"

    duplicate = await graph.post(
        "/me/outlook/masterCategories", {"displayName": "rendez-VOUS", "color": "preset1"}
    )
    assert duplicate.status == 409
    assert duplicate.body["error"]["code"].startswith("ErrorDuplicate")

    bad_color = await graph.post("/me/outlook/masterCategories", {"displayName": "Appel", "color": "pink"})
    _assert_graph_error(bad_color, 400, "RequestBodyRead")

    cat_id = created.body["id"]
    recolored = await graph.patch(f"/me/outlook/masterCategories/{cat_id}", {"color": "preset4"})
    assert (recolored.status, recolored.body["color"]) == (200, "preset4")
    renamed = await graph.patch(f"/me/outlook/masterCategories/{cat_id}", {"displayName": "Other"})
    assert renamed.status == 400
    listed = await graph.get("/me/outlook/masterCategories")
    assert [(c["displayName"], c["color"]) for c in listed.body["value"]] == [("Rendez-vous", "preset4")]
    assert (await graph.delete(f"/me/outlook/masterCategories/{cat_id}")).status == 204
    assert (await graph.get(f"/me/outlook/masterCategories/{cat_id}")).status == 404


async def test_many_categories_come_in_one_page(graph: Graph) -> None:
    for n in range(15):
        await graph.post("/me/outlook/masterCategories", {"displayName": f"Cat {n}", "color": "none"})
    listed = await graph.get("/me/outlook/masterCategories")
    assert len(listed.body["value"]) == 15
    assert "@odata.nextLink" not in listed.body


async def test_unknown_route_and_method(graph: Graph) -> None:
    assert (await graph.get("/me/nothing-here")).status == 400
    assert (await graph.call("PUT", "/me/events")).status == 405


async def test_mailbox_settings_and_time_zones(graph: Graph) -> None:
    assert (await graph.get("/me/mailboxSettings")).body["timeZone"] == "UTC"
    zones = (await graph.get("/me/outlook/supportedTimeZones")).body["value"]
    assert {"alias": "Romance Standard Time", "displayName": "Romance Standard Time"} in zones
    iana = await graph.get(
        "/me/outlook/supportedTimeZones(TimeZoneStandard=microsoft.graph.timeZoneStandard'Iana')"
    )
    assert any(zone["alias"] == "Europe/Paris" for zone in iana.body["value"])


async def test_new_mailbox_per_user(fake: FakeServer, graph: Graph, admin: Admin) -> None:
    other = Graph(graph.http, fake, await admin.token("bob@contoso.test"))
    await graph.post("/me/calendars", {"name": "Only Carine"})
    names = [c["name"] for c in (await other.get("/me/calendars")).body["value"]]
    assert names == ["Calendar"]
