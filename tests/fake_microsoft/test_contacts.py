"""Contacts and contact photos."""

from __future__ import annotations

import hashlib

from .conftest import CRM_PROP, Admin, Graph

JPEG = b"\xff\xd8\xff\xe0" + b"fake jpeg bytes" * 100


def contact_body(n: int = 1, **extra):
    return {
        "givenName": "Jean",
        "surname": f"DUPONT{n}",
        "displayName": f"DUPONT{n} Jean",
        "title": "M.",
        "companyName": "ACME",
        "jobTitle": "Buyer",
        "emailAddresses": [{"address": f"jean{n}@acme.test", "name": f"Jean DUPONT{n}"}],
        "businessPhones": ["+33 1 23 45 67 89"],
        "mobilePhone": "+33 6 00 00 00 00",
        "businessAddress": {
            "street": "1 rue X\nBât. B",
            "city": "Paris",
            "postalCode": "75001",
            "countryOrRegion": "France",
        },
        "personalNotes": "likes coffee",
        **extra,
    }


async def test_contact_crud(graph: Graph) -> None:
    created = await graph.post("/me/contacts", contact_body())
    assert created.status == 201, created.body
    contact = created.body
    assert contact["displayName"] == "DUPONT1 Jean"
    assert contact["emailAddresses"] == [{"address": "jean1@acme.test", "name": "Jean DUPONT1"}]
    assert contact["businessAddress"]["city"] == "Paris"
    assert contact["@odata.etag"] == f'W/"{contact["changeKey"]}"'
    assert contact["parentFolderId"]
    assert (await graph.get(f"/me/contacts/{contact['id']}")).body["personalNotes"] == "likes coffee"

    patched = await graph.patch(f"/me/contacts/{contact['id']}", {"personalNotes": "tea now"})
    assert patched.status == 200
    assert patched.body["personalNotes"] == "tea now"
    assert patched.body["surname"] == "DUPONT1"
    assert patched.body["changeKey"] != contact["changeKey"]
    stale = await graph.patch(
        f"/me/contacts/{contact['id']}", {"personalNotes": "x"}, headers={"If-Match": contact["@odata.etag"]}
    )
    assert (stale.status, stale.code) == (412, "ErrorIrresolvableConflict")

    assert (await graph.delete(f"/me/contacts/{contact['id']}")).status == 204
    gone = await graph.get(f"/me/contacts/{contact['id']}")
    assert (gone.status, gone.code) == (404, "ErrorItemNotFound")
    bad = await graph.post("/me/contacts", contact_body(nickname="JJ"))
    assert (bad.status, bad.code) == (400, "RequestBodyRead")
    bad_email = await graph.post("/me/contacts", contact_body(emailAddresses=["jean@acme.test"]))
    assert bad_email.status == 400


async def test_contact_list_select_top_paging_filter(graph: Graph) -> None:
    for n in range(25):
        stamp = [{"id": CRM_PROP, "value": f"C-{n}"}]
        await graph.post("/me/contacts", contact_body(n, singleValueExtendedProperties=stamp))
    first = await graph.get("/me/contacts", params={"$select": "displayName,personalNotes", "$top": "10"})
    assert len(first.body["value"]) == 10
    assert set(first.body["value"][0]) == {"@odata.etag", "id", "displayName", "personalNotes"}
    names = [c["displayName"] for c in first.body["value"]]
    link = first.body["@odata.nextLink"]
    while link:
        page = await graph.get(link)
        names += [c["displayName"] for c in page.body["value"]]
        link = page.body.get("@odata.nextLink")
    assert sorted(names) == sorted(f"DUPONT{n} Jean" for n in range(25))

    everything = await graph.get("/me/contacts", params={"$top": "1000"})
    assert len(everything.body["value"]) == 25 and "@odata.nextLink" not in everything.body
    assert len((await graph.get("/me/contacts")).body["value"]) == 10  # default page

    flt = f"singleValueExtendedProperties/Any(ep: ep/id eq '{CRM_PROP}' and ep/value eq 'C-7')"
    expand = f"singleValueExtendedProperties($filter=id eq '{CRM_PROP}')"
    found = await graph.get("/me/contacts", params={"$filter": flt, "$expand": expand, "$select": "surname"})
    assert [(c["surname"], c["singleValueExtendedProperties"]) for c in found.body["value"]] == [
        ("DUPONT7", [{"id": CRM_PROP, "value": "C-7"}])
    ]
    assert (await graph.get("/me/contacts", params={"$filter": "surname gt 'A'"})).status == 400
    assert (await graph.get("/me/contacts", params={"$select": "nope"})).status == 400


async def test_contact_photos(graph: Graph, admin: Admin) -> None:
    contact = (await graph.post("/me/contacts", contact_body())).body
    url = f"/me/contacts/{contact['id']}/photo/$value"
    missing = await graph.get(url)
    assert (missing.status, missing.code) == (404, "ErrorItemNotFound")
    assert missing.body["error"]["message"] == "The photo wasn't found."

    put = await graph.call("PUT", url, data=JPEG, headers={"Content-Type": "image/jpeg"})
    assert put.status == 200
    got = await graph.get(url)
    assert got.status == 200
    assert got.body == JPEG
    assert got.headers["Content-Type"] == "image/jpeg"
    meta = await graph.get(f"/me/contacts/{contact['id']}/photo")
    assert meta.body["@odata.mediaContentType"] == "image/jpeg"

    too_big = await graph.call(
        "PUT", url, data=b"\xff" * (4 * 1024 * 1024 + 1), headers={"Content-Type": "image/jpeg"}
    )
    assert too_big.status == 413
    assert (await graph.get(url)).body == JPEG
    # Graph cannot delete a contact's photo
    assert (await graph.delete(url)).status == 405

    state = (await admin.call("GET", "/state")).body
    photo = state["mailboxes"][0]["contacts"][0]["photo"]
    assert photo == {
        "content_type": "image/jpeg",
        "size": len(JPEG),
        "sha256": hashlib.sha256(JPEG).hexdigest(),
    }
