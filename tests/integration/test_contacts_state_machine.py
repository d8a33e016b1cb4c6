"""A hypothesis state machine for the contacts sync: random CRM edits, list changes, Outlook edits and
deletions, Resets, throttling, 503s and cut connections, with syncs in between.

After every sync that completed without error it checks what the contacts sync promises
(the CRM is the master, notes come back, at most 2000 contacts):
- Outlook holds exactly the sync list's contacts, once each, with the CRM's one-way fields and photo,
  and every one of them is linked;
- the note agrees on both sides, and is the one the three-way rule and the policy say (when the last
  agreed note is known; after a Reset or a cut run, it is one of the two sides' notes);
- nothing one-way ever came back into the CRM, and the Outlook user's own contacts are untouched;
- what only Outlook holds on a synced contact (its department, birthday, nickname, home address, IM
  addresses, the business address's state, a second email or phone…) is still there, whatever the CRM
  changed meanwhile (a photo removed, which re-creates the contact, included), until the Outlook user
  changes that property or deletes the contact.
At the end, with the faults off, one more sync converges and the sync after it is quiet.

It runs in two modes: over HTTPS against the threaded fake (`ContactsMachine`, with the throttling,
503 and cut-connection rules), and in memory (`MemoryContactsMachine`: the same engine through the
`AddressBook` port served in-process by the fake's model, `tests/in_memory.py`), which has no HTTP to
fault and so leaves those rules out, and runs about ten times more examples in the same time.
"""

from __future__ import annotations

import asyncio
import shutil
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    precondition,
    rule,
    run_state_machine_as_test,
)

from tests.in_loop_sqlite import sqlite_in_loop
from tests.in_memory import InMemoryAddressBook, InProcessGraph, MemoryFake
from tests.integration.conftest import ThreadedFake
from tests.integration.test_sync_contacts import CODE, TZ, Clock, ContactsWorld, jpeg, png
from tui_sync.domain.content import contact_fields
from tui_sync.domain.models import Contact, User
from tui_sync.errors import UserError
from tui_sync.microsoft import mapping
from tui_sync.store import Store
from tui_sync.sync import fingerprints
from tui_sync.sync.contacts import ContactsSync
from tui_sync.sync.events import ContactsSummary

MAX_CONTACTS = 6
NOTES = st.sampled_from(["", "call back", "vip", "line 1\nline 2", "met at the fair", "from the phone"])
PHOTOS = st.sampled_from([None, jpeg(1), jpeg(2), png(3)])
CRM_CHANGES = st.fixed_dictionaries(
    {},
    optional={
        "first_name": st.sampled_from(["", "Léa", "Émile"]),
        "company": st.sampled_from(["", "Contoso", "Fabrikam"]),
        "job_title": st.sampled_from(["", "Buyer", "CEO"]),
        "email": st.sampled_from(["", "a@contoso.test", "b@fabrikam.test"]),
        "mobile": st.sampled_from(["", "+33 6 00 00 00 00"]),
        "address_lines": st.sampled_from([(), ("1 rue A",), ("1 rue A", "Bât B")]),
        "city": st.sampled_from(["", "Paris", "Lyon"]),
        "photo": PHOTOS,
        "note": NOTES,
    },
)
OUTLOOK_FIELDS = st.sampled_from(
    [
        {"jobTitle": "Intern"},
        {"surname": "Changed", "displayName": "CHANGED"},
        {"mobilePhone": "0000"},
        {"businessAddress": {"city": "Nowhere"}},
        {"emailAddresses": [{"address": "other@x.test", "name": "x"}]},
        {"homePhones": ["+1 555"]},  # not ours: left as it is
    ]
)

# What only Outlook holds: name → (the PATCH that sets it, given the contact's fields; how to read it
# back; the Graph property it lives in, which an Outlook edit of that property may take away).
OUTLOOK_ONLY: dict[str, tuple[Any, Any, str]] = {
    "department": (lambda f: {"department": "Achats"}, lambda f: f.get("department"), "department"),
    "birthday": (lambda f: {"birthday": "1980-05-17T11:59:00Z"}, lambda f: f.get("birthday"), "birthday"),
    "nickName": (lambda f: {"nickName": "Milou"}, lambda f: f.get("nickName"), "nickName"),
    "homeAddress": (
        lambda f: {"homeAddress": {"street": "3 rue Neuve", "city": "Lyon"}},
        lambda f: f.get("homeAddress"),
        "homeAddress",
    ),
    "imAddresses": (lambda f: {"imAddresses": ["im@x.test"]}, lambda f: f.get("imAddresses"), "imAddresses"),
    "state": (
        lambda f: {"businessAddress": {**(f.get("businessAddress") or {}), "state": "Rhône"}},
        lambda f: (f.get("businessAddress") or {}).get("state"),
        "businessAddress",
    ),
    "second email": (
        lambda f: {"emailAddresses": [*f["emailAddresses"][:1], {"address": "home@x.test", "name": "h"}]},
        lambda f: [e["address"] for e in f.get("emailAddresses", [])[1:]],
        "emailAddresses",
    ),
}


def _fp(note: str) -> str:
    return fingerprints.note_fingerprint(note)


class ContactsMachine(RuleBasedStateMachine):
    """The world, a model of what each side last agreed on, and who touched each contact last."""

    fake: ThreadedFake | MemoryFake  # set by the test before the machine runs
    world_type: type[ContactsWorld] = ContactsWorld
    scratch: str | None = None  # where each example's CRM database goes (None: the system's temp dir)

    def __init__(self) -> None:
        super().__init__()
        self.loop = asyncio.new_event_loop()
        self.fake.reset()
        self.directory = Path(tempfile.mkdtemp(prefix="tui-sync-contacts-sm-", dir=self.scratch))
        self.world = self.run(self.world_type.open(self.fake, self.directory))  # type: ignore[arg-type]
        self.policy = "newest"
        self.ids: list[int] = []  # CRM contacts that exist
        self.base: dict[str, str] = {}  # CRM key → the note both sides agreed on at the last sync
        self.one_way: dict[int, tuple[dict[str, str], str]] = {}  # CRM contact → its one-way content
        self.own: dict[str, str] = {}  # the Outlook user's own contacts: id → note
        self.step = 0
        self.crm_touch: dict[str, int] = {}
        self.outlook_touch: dict[str, int] = {}
        self.extras: dict[str, dict[str, Any]] = {}  # CRM key → what only Outlook holds: name → value

    def run(self, coroutine: Any) -> Any:
        return self.loop.run_until_complete(coroutine)

    def teardown(self) -> None:
        try:
            self.fake.faults(throttle_rate=0.0, error_503_rate=0.0, drop_after=None)
            self._sync()  # faults off: this one must converge
            self.run(self.world.assert_quiet())
        finally:
            self.run(self.world.close())
            self.loop.close()
            shutil.rmtree(self.directory, ignore_errors=True)

    # --- set-up -------------------------------------------------------------------------------------

    @initialize(policy=st.sampled_from(["newest", "crm", "office"]))
    def choose_policy(self, policy: str) -> None:
        self.policy = policy

    @initialize(
        contacts=st.lists(
            st.tuples(st.sampled_from(["Martin", "Durand", "Petit"]), CRM_CHANGES), min_size=1, max_size=3
        )
    )
    def start_synced(self, contacts: list[tuple[str, dict[str, Any]]]) -> None:
        """Every history starts from a few contacts already synced: the rules that change a synced
        contact (most of them) then act from the first step, instead of waiting for an add and a sync
        that a short history rarely draws in that order."""
        for name, changes in contacts:
            self.add_contact(name, changes)
        self._sync()

    # --- the CRM ------------------------------------------------------------------------------------

    @precondition(lambda self: len(self.ids) < MAX_CONTACTS)
    @rule(name=st.sampled_from(["Martin", "Durand", "Petit"]), changes=CRM_CHANGES)
    def add_contact(self, name: str, changes: dict[str, Any]) -> None:
        contact = self.run(self.world.add(name, **changes))
        self.ids.append(contact.id)  # type: ignore[arg-type]
        self._remember(contact)

    @precondition(lambda self: self.ids)
    @rule(index=st.integers(0, 99), changes=CRM_CHANGES)
    def edit_in_crm(self, index: int, changes: dict[str, Any]) -> None:
        contact_id = self.ids[index % len(self.ids)]
        contact = self.run(self.world.store.get_contact(contact_id))
        self._remember(self.run(self.world.edit(contact, **changes)))
        if changes.get("email") == "":  # the CRM clears its email: Outlook's others go with it
            self.extras.get(str(contact_id), {}).pop("second email", None)

    @precondition(lambda self: self.ids)
    @rule(index=st.integers(0, 99), note=NOTES)
    def edit_note_in_crm(self, index: int, note: str) -> None:
        """The note alone, as `edit_note_in_outlook` on the other side: a note edit that another field
        does not carry along."""
        self.edit_in_crm(index, {"note": note})

    @precondition(lambda self: self.ids)
    @rule(index=st.integers(0, 99))
    def toggle_in_list(self, index: int) -> None:
        contact_id = self.ids[index % len(self.ids)]
        if contact_id in self.run(self.world.store.sync_list(CODE)):
            self.run(self.world.store.remove_from_sync_list(CODE, [contact_id]))
        else:
            self.run(self.world.store.add_to_sync_list(CODE, [contact_id]))

    @precondition(lambda self: self.ids)
    @rule(index=st.integers(0, 99))
    def delete_in_crm(self, index: int) -> None:
        contact_id = self.ids.pop(index % len(self.ids))
        self.run(self.world.store.delete_contact(contact_id))
        self.one_way.pop(contact_id, None)

    @rule()
    def reset(self) -> None:
        """Preferences → Reset: the links are forgotten; the next sync must re-link, not duplicate."""
        self.run(self.world.store.clear_links(CODE, ["contact"]))
        self.base.clear()

    # --- Outlook ------------------------------------------------------------------------------------

    @rule(index=st.integers(0, 99), note=NOTES)
    def edit_note_in_outlook(self, index: int, note: str) -> None:
        self._outlook_touch(index, {"personalNotes": note})

    @rule(index=st.integers(0, 99), change=OUTLOOK_FIELDS)
    def edit_field_in_outlook(self, index: int, change: dict[str, Any]) -> None:
        self._outlook_touch(index, change)

    @rule(index=st.integers(0, 99), name=st.sampled_from(sorted(OUTLOOK_ONLY)))
    def set_outlook_only_field(self, index: int, name: str) -> None:
        """The Outlook user fills in something the CRM does not map: no CRM update may take it away."""
        found = self._pick(index)
        if found is None:
            return
        key, held = found
        if len(self._held()[key]) > 1:
            return  # a duplicate left by a cut run: which copy stays is the next sync's business
        set_it, read_it, _ = OUTLOOK_ONLY[name]
        if name == "second email":
            crm = self.run(self.world.store.contacts_by_ids([int(key)]))
            if not crm or not crm[0].email or not held["fields"].get("emailAddresses"):
                return  # a second email needs a first one, which the CRM must not clear
        self.world.outlook.patch(held["id"], set_it(held["fields"]))
        fields = next(c for c in self.world.mailbox() if c["id"] == held["id"])["fields"]
        self.extras.setdefault(key, {})[name] = read_it(fields)
        # Outlook dates a change of the whole contact (lastModifiedDateTime): for the `newest` policy,
        # a note edited in Outlook earlier is now as recent as this.
        self.outlook_touch[key] = self._tick()

    @rule(index=st.integers(0, 99), photo=st.sampled_from([jpeg("phone"), png("phone")]))
    def set_photo_in_outlook(self, index: int, photo: bytes) -> None:
        self._outlook_touch(index, photo=photo)

    @rule(index=st.integers(0, 99))
    def delete_in_outlook(self, index: int) -> None:
        found = self._pick(index)
        if found is not None:
            key, held = found
            self.world.outlook.delete(held["id"])
            self.outlook_touch[key] = self._tick()
            self.extras.pop(key, None)  # re-created from the CRM: what only Outlook held is gone

    @rule(note=NOTES)
    def outlook_users_own_contact(self, note: str) -> None:
        created = self.world.outlook.create({"givenName": "Own", "surname": "Friend", "personalNotes": note})
        self.own[created["id"]] = note

    # --- Microsoft 365 pushing back, and syncs ---------------------------------------------------------

    @rule(throttle=st.sampled_from([0.0, 0.1, 0.25]), unavailable=st.sampled_from([0.0, 0.05, 0.1]))
    def set_faults(self, throttle: float, unavailable: float) -> None:
        self.fake.faults(throttle_rate=throttle, error_503_rate=unavailable, retry_after=0.01)

    @rule()
    def sync(self) -> None:
        self._sync()

    @rule(after=st.integers(0, 4))
    def sync_cut_short(self, after: int) -> None:
        """A sync whose connection drops after `after` requests (it may still finish: idempotent
        requests are retried). Whatever it did, the next complete sync must converge."""
        self.fake.faults(drop_after=after)
        try:
            self._sync(may_fail=True)
        finally:
            self.fake.faults(drop_after=None)

    # --- the model ----------------------------------------------------------------------------------

    def _tick(self) -> int:
        self.step += 1
        return self.step

    def _remember(self, contact: Contact) -> None:
        self.one_way[contact.id] = (contact_fields(contact), fingerprints.photo_digest(contact.photo))  # type: ignore[index]
        self.crm_touch[str(contact.id)] = self._tick()

    def _held(self) -> dict[str, list[dict[str, Any]]]:
        """Our contacts in Outlook by CRM key (more than one after a cut run, before it is mended)."""
        found: dict[str, list[dict[str, Any]]] = {}
        for contact in self.world.mailbox():
            value = next((e["value"] for e in contact["ext"] if e["id"].lower() == _STAMP_ID), "")
            stamp = value.rpartition("/")[2]  # `<CRM database id>/contact:N`
            if stamp.startswith("contact:"):
                found.setdefault(stamp.removeprefix("contact:"), []).append(contact)
        return found

    def _pick(self, index: int) -> tuple[str, dict[str, Any]] | None:
        held = sorted((key, c) for key, items in self._held().items() for c in items)
        return held[index % len(held)] if held else None

    def _outlook_touch(
        self, index: int, change: dict[str, Any] | None = None, photo: bytes | None = None
    ) -> None:
        found = self._pick(index)
        if found is None:
            return
        key, held = found
        if change is not None:
            self.world.outlook.patch(held["id"], change)
            for name, (_, _, prop) in OUTLOOK_ONLY.items():
                if prop in change:  # the Outlook user replaced that property themselves
                    self.extras.get(key, {}).pop(name, None)
        if photo is not None:
            self.world.outlook.put_photo(
                held["id"], photo, "image/png" if photo.startswith(b"\x89") else "image/jpeg"
            )
        self.outlook_touch[key] = self._tick()

    def _forget_leaving(self) -> None:
        """A contact off the sync list (taken off, or deleted in the CRM) is deleted from Outlook by the
        sync about to run, and what only Outlook held on it goes with it. Forgotten here, not when it
        left the list: until this sync its Outlook copy is still there for the Outlook user to fill in,
        and it may come back on the list before the sync, in which case nothing is deleted."""
        listed = {str(i) for i in self.run(self.world.store.sync_list(CODE))}
        for key in set(self.extras) - listed:
            del self.extras[key]

    def _expected_notes(self) -> dict[str, set[str]]:
        """For each contact of the list: the note(s) a correct sync may leave on both sides."""
        ids = self.run(self.world.store.sync_list(CODE))
        contacts = self.run(self.world.store.contacts_by_ids(ids))
        held = self._held()
        expected: dict[str, set[str]] = {}
        for contact in contacts:
            key = str(contact.id)
            crm_note = contact.note
            outlook = [mapping.graph_note(c["fields"]) for c in held.get(key, [])]
            if not outlook:
                expected[key] = {_fp(crm_note)}  # created (or re-created) from the CRM
            elif key not in self.base or len(outlook) > 1:
                expected[key] = {_fp(crm_note), *map(_fp, outlook)}  # no agreed note to compare with
            else:
                expected[key] = {_fp(self._three_way(key, crm_note, outlook[0]))}
        return expected

    def _three_way(self, key: str, crm_note: str, outlook_note: str) -> str:
        base = _fp(self.base[key])
        crm_changed, outlook_changed = _fp(crm_note) != base, _fp(outlook_note) != base
        if crm_changed and outlook_changed and _fp(crm_note) != _fp(outlook_note):
            if self.policy == "crm":
                return crm_note
            if self.policy == "office":
                return outlook_note
            return crm_note if self.crm_touch.get(key, 0) > self.outlook_touch.get(key, 0) else outlook_note
        return outlook_note if outlook_changed else crm_note

    def _sync(self, may_fail: bool = False) -> None:
        self._forget_leaving()
        expected = self._expected_notes()
        try:
            self.run(self.world.sync(self.policy))
        except UserError:
            assert may_fail
            self.base.clear()  # what the cut run recorded is unknown: compare loosely next time
            return
        assert self.world.engine is not None
        if self.world.engine.errors:  # Microsoft 365 still busy after every retry: loosely next time
            self.base.clear()
            return
        self._check(expected)

    def _check(self, expected: dict[str, set[str]]) -> None:
        self.run(self.world.assert_agrees())
        stamped = self.world.stamped()
        contacts = {str(c.id): c for c in self.run(self.world.store.contacts_by_ids(self.ids))}
        for contact_id, (fields, photo) in self.one_way.items():  # nothing one-way came back
            stored = contacts[str(contact_id)]
            assert (contact_fields(stored), fingerprints.photo_digest(stored.photo)) == (
                fields,
                photo,
            )
        for key, notes in expected.items():
            assert _fp(mapping.graph_note(stamped[key]["fields"])) in notes
        own = {c["id"]: c for c in self.world.mailbox() if c["id"] in self.own}
        assert {i: mapping.graph_note(c["fields"]) for i, c in own.items()} == self.own
        for key, extras in self.extras.items():  # what only Outlook held is still there
            if key in stamped:
                fields = stamped[key]["fields"]
                found = {name: OUTLOOK_ONLY[name][1](fields) for name in extras}
                assert found == extras, f"contact {key} lost what only Outlook held: {found} != {extras}"
        self.base = {key: mapping.graph_note(held["fields"]) for key, held in stamped.items()}


_STAMP_ID = mapping.STAMP_PROPERTY_ID.lower()


# A real SQLite file, on tmpfs where there is one: with the mailbox in memory, the store's writes are
# what is left to wait for (the HTTPS machine keeps the system's temp dir, as before).
SCRATCH = "/dev/shm" if Path("/dev/shm").is_dir() else None


class MemoryOutlook:
    """The Outlook user's edits, on the in-process mailbox."""

    def __init__(self, graph: InProcessGraph) -> None:
        self.graph = graph

    def patch(self, contact_id: str, body: dict[str, Any]) -> dict[str, Any]:
        return self._ok(self.graph.send("PATCH", f"/me/contacts/{contact_id}", body=body).json(), contact_id)

    def create(self, body: dict[str, Any]) -> dict[str, Any]:
        return self._ok(self.graph.send("POST", "/me/contacts", body=body).json(), "new")

    def delete(self, contact_id: str) -> None:
        assert self.graph.send("DELETE", f"/me/contacts/{contact_id}").status == 204

    def put_photo(self, contact_id: str, data: bytes, content_type: str = "image/jpeg") -> None:
        assert self.graph.send("PUT", f"/me/contacts/{contact_id}/photo/$value", body=data).ok

    def close(self) -> None:
        """Nothing to close in memory."""

    @staticmethod
    def _ok(answer: Any, what: str) -> dict[str, Any]:
        assert isinstance(answer, dict) and "id" in answer, (what, answer)
        return answer


class MemoryContactsWorld(ContactsWorld):
    """`ContactsWorld` with the mailbox in memory: the engine runs on `InMemoryAddressBook`."""

    @classmethod
    async def open(cls, fake: MemoryFake, directory: Path) -> MemoryContactsWorld:  # type: ignore[override]
        clock = Clock()
        store = await Store.open(directory / "crm.sqlite3", TZ, now=clock)
        user = await store.add_user(User(CODE, "Carine Dupont"))
        return cls(fake, store, user, fake.token(), MemoryOutlook(fake.graph), clock)  # type: ignore[arg-type]

    async def sync(self, policy: str = "newest") -> ContactsSummary:
        assert isinstance(self.fake, MemoryFake)
        self.engine = ContactsSync(
            store=self.store,
            address_book=InMemoryAddressBook(self.fake.graph),
            user=self.user,
            policy=policy,  # type: ignore[arg-type]
            on_event=self.progress.append,
            now=datetime.now(UTC),
        )
        return await self.engine.run()


class MemoryContactsMachine(ContactsMachine):
    """The machine in memory: no HTTP, so no HTTP faults (throttling, 503s, cut connections)."""

    world_type = MemoryContactsWorld
    scratch = SCRATCH

    def set_faults(self, throttle: float, unavailable: float) -> None:
        """Not a rule here: there is no HTTP to throttle in memory."""

    def sync_cut_short(self, after: int) -> None:
        """Not a rule here: there is no connection to cut in memory."""


def test_contacts_sync_state_machine(fake: ThreadedFake) -> None:
    ContactsMachine.fake = fake
    run_state_machine_as_test(
        ContactsMachine,
        settings=settings(
            max_examples=15,
            stateful_step_count=8,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
        ),
    )


@pytest.mark.slow
def test_contacts_sync_state_machine_long(fake: ThreadedFake) -> None:
    ContactsMachine.fake = fake
    run_state_machine_as_test(
        ContactsMachine,
        settings=settings(
            max_examples=200,
            stateful_step_count=25,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
        ),
    )


def test_contacts_sync_state_machine_in_memory() -> None:
    """Four times the HTTPS machine's examples, in about half its time (the default run's budget)."""
    MemoryContactsMachine.fake = MemoryFake()
    with sqlite_in_loop():
        run_state_machine_as_test(
            MemoryContactsMachine,
            settings=settings(
                max_examples=60,
                stateful_step_count=8,
                deadline=None,
                suppress_health_check=[HealthCheck.too_slow],
            ),
        )


@pytest.mark.slow
def test_contacts_sync_state_machine_in_memory_long() -> None:
    """Ten times the long HTTPS machine's examples."""
    MemoryContactsMachine.fake = MemoryFake()
    with sqlite_in_loop():
        run_state_machine_as_test(
            MemoryContactsMachine,
            settings=settings(
                max_examples=2000,
                stateful_step_count=25,
                deadline=None,
                suppress_health_check=[HealthCheck.too_slow],
            ),
        )


def test_a_birthday_set_on_a_contact_leaving_the_list_goes_with_it() -> None:
    """Found by the machine, in its model: a contact taken off the sync list is deleted from Outlook at
    the next sync, and what only Outlook held on it goes with it. The model forgot the Outlook-only
    fields when the contact left the list, but the Outlook copy still existed until that sync, so the
    Outlook user could fill in a birthday there, which the model then expected back once the contact
    returned to the list (re-created from the CRM, without it). The shrunk steps, replayed."""
    MemoryContactsMachine.fake = MemoryFake()
    machine = MemoryContactsMachine()
    try:
        machine.add_contact("Martin", {})
        machine.sync()
        machine.toggle_in_list(0)  # off the list: deleted from Outlook at the next sync
        machine.set_outlook_only_field(0, "birthday")  # on the copy still there
        machine.sync()
        machine.toggle_in_list(0)  # back on: re-created from the CRM
        machine.sync()
    finally:
        machine.teardown()


def test_an_outlook_only_field_dates_the_whole_outlook_contact() -> None:
    """Found by the machine, in its model: Outlook edits the note, the CRM edits it later, then the
    Outlook user fills in a birthday. Outlook dates the whole contact (lastModifiedDateTime), so under
    the `newest` policy Outlook's note is the newer one; the model had kept the birthday out of its
    clock and expected the CRM's note. The shrunk steps, replayed."""
    MemoryContactsMachine.fake = MemoryFake()
    machine = MemoryContactsMachine()
    try:
        machine.choose_policy("newest")
        machine.start_synced([("Martin", {})])
        machine.edit_note_in_outlook(0, "vip")
        machine.edit_in_crm(0, {"note": "call back"})
        machine.set_outlook_only_field(0, "birthday")
    finally:
        machine.teardown()
