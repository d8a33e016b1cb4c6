"""What a sync uploads stays inside Graph's limits: no request over 4 MB (batches filled by bytes as well
as by count, a photo too big for any batch sent alone as raw bytes, an item over 4 MB reported on its own)
and Outlook's upload volume per mailbox (paced, not failed)."""

from __future__ import annotations

import time
from typing import Any

from tests.integration.test_sync_contacts import ContactsWorld, jpeg, sha, world
from tui_sync.microsoft.budget import UploadBudget
from tui_sync.microsoft.graph import GraphClient, Request, RetryPolicy

__all__ = ["world"]  # the fixture, imported to be used here

MiB = 1024 * 1024
LIMIT = 4 * MiB


def uploads(log: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [e for e in log if e["method"] != "GET"]


async def test_twenty_photos_of_one_mib_never_make_a_request_over_4_mb(world: ContactsWorld) -> None:
    photos = {n: jpeg(n, size=MiB) for n in range(20)}
    contacts = {n: await world.add(f"Name{n}", photo=photos[n]) for n in photos}
    world.fake.clear_requests()

    summary = await world.sync()

    assert world.engine is not None and world.engine.errors == []
    assert summary.microsoft.created == 20
    log = uploads(world.fake.requests())
    assert max(e["bytes"] for e in log) <= LIMIT
    assert all(e["status"] == 200 for e in log)
    held = world.stamped()
    assert {n: held[str(c.id)]["photo"]["sha256"] for n, c in contacts.items()} == {
        n: sha(p) for n, p in photos.items()
    }
    assert len(log) == 11  # 1 batch of creations, 10 of photos (2 of 1.4 MB in base64 each)
    await world.assert_agrees()


async def test_a_photo_too_big_for_any_batch_goes_alone_as_raw_bytes(world: ContactsWorld) -> None:
    big = jpeg("big", size=int(3.5 * MiB))
    contact = await world.add("Martin", photo=big)
    small = await world.add("Durand", photo=jpeg("small"))
    world.fake.clear_requests()

    await world.sync()

    held = world.stamped()
    assert held[str(contact.id)]["photo"]["sha256"] == sha(big)
    assert held[str(small.id)]["photo"]["sha256"] == sha(jpeg("small"))
    [alone] = [e for e in world.fake.requests() if e["method"] == "PUT"]
    assert alone["path"].endswith("/photo/$value") and alone["bytes"] == len(big) and alone["status"] == 200
    await world.assert_agrees()


async def test_a_contact_over_4_mb_fails_on_its_own_with_a_clear_line(world: ContactsWorld) -> None:
    huge = await world.add("Martin", note="x" * (5 * MiB))
    others = [await world.add(name) for name in ("Durand", "Petit")]

    await world.sync()

    assert world.engine is not None
    [error] = world.engine.errors
    assert "4 MB" in error and "note" in error and "Traceback" not in error
    held = world.stamped()
    assert str(huge.id) not in held and {str(c.id) for c in others} <= set(held)


async def test_the_upload_volume_limit_slows_the_sync_down_but_never_fails_it(world: ContactsWorld) -> None:
    world.fake.faults(upload_limit_bytes=MiB, upload_window_s=1.0)  # Outlook: 150 MB per 5 minutes
    photos = {n: jpeg(n, size=300 * 1024) for n in range(8)}  # 2.4 MB: at least two windows
    contacts = {n: await world.add(f"Name{n}", photo=photos[n]) for n in photos}
    started = time.monotonic()

    summary = await world.sync()

    assert world.engine is not None and world.engine.errors == []
    assert summary.microsoft.created == 8
    assert time.monotonic() - started >= 1.0
    held = world.stamped()
    assert {n: held[str(c.id)]["photo"]["sha256"] for n, c in contacts.items()} == {
        n: sha(p) for n, p in photos.items()
    }


async def test_a_client_that_knows_the_upload_limit_waits_for_room_instead_of_being_refused(
    world: ContactsWorld,
) -> None:
    # The client counts an upload when it sends it, the fake when it arrives: on a loaded machine the
    # two clocks drift apart by more than the client's margin of a tenth of its window. The fake's
    # window is kept well inside the client's, so what is checked is the waiting, not the machine.
    world.fake.faults(upload_limit_bytes=MiB, upload_window_s=0.5)
    ids = [world.outlook.create({"surname": f"Name{n}"})["id"] for n in range(6)]
    world.fake.clear_requests()
    photos = [jpeg(n, size=300 * 1024) for n in range(6)]  # 1.8 MB: the second MB waits a window

    async def provide(refused: str | None = None) -> str:
        return world.token

    budget = UploadBudget(limit=MiB, window=1.0)
    retry = RetryPolicy(max_attempts=2, backoff_base=0.01)
    started = time.monotonic()
    async with GraphClient(
        world.fake.graph_url, provide, ca_file=world.fake.ca_file, retry=retry, upload_budget=budget
    ) as graph:
        requests = [
            Request("PUT", f"/me/contacts/{cid}/photo/$value", photo, content_type="image/jpeg")
            for cid, photo in zip(ids, photos, strict=True)
        ]
        answers = await graph.batch(requests)

    assert [a.status for a in answers] == [200] * 6
    assert time.monotonic() - started >= 1.0 and budget.waited > 0
    statuses = [s["status"] for e in world.fake.requests() for s in e["sub_requests"]]
    assert statuses == [200] * 6  # never refused: no 429
    assert graph.retries == 0
