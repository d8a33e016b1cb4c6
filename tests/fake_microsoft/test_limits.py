"""Graph's size limits: 413 for a request over 4 MB (a `$batch` counts whole), and Outlook's upload
volume per mailbox (150 MB per 5 minutes by default), enforced with 429 and a Retry-After."""

from __future__ import annotations

import asyncio
import base64

from .conftest import Admin, Graph
from .test_contacts import contact_body

JSON = {"Content-Type": "application/json"}
JPEG = b"\xff\xd8\xff\xe0" + b"\x01" * 1_600_000 + b"\xff\xd9"


async def test_a_request_over_4_mb_is_refused_with_413_and_nothing_done(graph: Graph, admin: Admin) -> None:
    ids = [(await graph.post("/me/contacts", contact_body(n))).body["id"] for n in (1, 2)]
    photos = [
        {
            "id": str(n),
            "method": "PUT",
            "url": f"/me/contacts/{cid}/photo/$value",
            "headers": {"Content-Type": "image/jpeg"},
            "body": base64.b64encode(JPEG).decode(),
        }
        for n, cid in enumerate(ids)
    ]  # two 1.6 MB photos: 4.3 MB of base64 in one request
    refused = await graph.post("/$batch", {"requests": photos})
    assert refused.status == 413
    assert refused.body["error"]["code"] == "BadRequest"
    assert refused.body["error"]["message"] == "The maximum request length supported is 4MB."
    assert set(refused.body["error"]["innerError"]) >= {"request-id", "date"}
    assert (await graph.get(f"/me/contacts/{ids[0]}/photo/$value")).status == 404

    one = await graph.post("/$batch", {"requests": photos[:1]})
    assert one.status == 200 and one.body["responses"][0]["status"] == 200

    huge_note = await graph.post("/me/contacts", contact_body(3, personalNotes="x" * (4 * 1024 * 1024)))
    assert (huge_note.status, huge_note.code) == (413, "BadRequest")
    log = await admin.requests()
    assert [(e["status"], e["bytes"] > 4 * 1024 * 1024) for e in log if e["method"] != "GET"][-3:] == [
        (413, True),
        (200, False),
        (413, True),
    ]


async def test_the_upload_volume_per_mailbox_is_enforced_with_429_and_retry_after(
    graph: Graph, admin: Admin
) -> None:
    await admin.faults(upload_limit_bytes=3000, upload_window_s=0.5)
    cid = (await graph.post("/me/contacts", contact_body(1))).body["id"]  # ~500 bytes uploaded
    note = {"personalNotes": "n" * 1500}
    assert (await graph.patch(f"/me/contacts/{cid}", note)).status == 200
    throttled = await graph.patch(f"/me/contacts/{cid}", note)
    assert (throttled.status, throttled.code) == (429, "TooManyRequests")
    wait = float(throttled.headers["Retry-After"])
    assert 0 < wait <= 0.5
    assert (await graph.get(f"/me/contacts/{cid}")).status == 200  # reading is not uploading

    batch = [
        {
            "id": str(n),
            "method": "PATCH",
            "url": f"/me/contacts/{cid}",
            "headers": {"Content-Type": "application/json"},
            "body": note,
        }
        for n in range(2)
    ]
    # nothing waited yet: each sub-request counts on its own, both are refused
    answers = (await graph.post("/$batch", {"requests": batch})).body["responses"]
    assert sorted(a["status"] for a in answers) == [429, 429]

    await asyncio.sleep(wait)
    answers = (await graph.post("/$batch", {"requests": batch})).body["responses"]
    assert sorted(a["status"] for a in answers) == [200, 429]  # room for one of them
