"""The CRM-id stamp (single-value extended property) and the event transactionId."""

from __future__ import annotations

import uuid

import pytest

from tui_sync.domain.models import DatabaseIdentity
from tui_sync.microsoft.mapping import (
    STAMP_EXPAND,
    STAMP_GUID,
    STAMP_PROPERTY_ID,
    read_stamp,
    stamp,
    stamp_filter,
    transaction_id,
)

OURS = DatabaseIdentity("5f0c2a9e41d84b7c9a3e6d1f2b8c7a40")


def test_the_stamp_is_a_named_string_property_in_our_own_property_set() -> None:
    assert str(uuid.UUID(STAMP_GUID)) == STAMP_GUID
    assert STAMP_PROPERTY_ID == "String {62fe7c35-3799-4fec-b4b3-f8d707837696} Name tuiSyncCrmId"
    assert stamp("action:42", OURS) == [{"id": STAMP_PROPERTY_ID, "value": f"{OURS.database_id}/action:42"}]


def test_an_empty_key_is_never_stamped() -> None:
    with pytest.raises(ValueError, match="must not be empty"):
        stamp("", OURS)


def test_the_stamp_is_read_back_from_an_expanded_item() -> None:
    item = {
        "id": "AAMk1",
        "singleValueExtendedProperties": [
            {"id": "String {00020329-0000-0000-c000-000000000046} Name Other", "value": "x"},
            # Graph may echo the GUID in upper case
            {
                "id": STAMP_PROPERTY_ID.upper().replace("TUISYNCCRMID", "tuiSyncCrmId"),
                "value": f"{OURS.database_id}/contact:7",
            },
        ],
    }
    assert read_stamp(item, OURS) == "contact:7"
    assert read_stamp({"id": "AAMk2"}, OURS) is None
    assert read_stamp({"singleValueExtendedProperties": []}, OURS) is None


def _stamped(value: str) -> dict[str, object]:
    return {"singleValueExtendedProperties": [{"id": STAMP_PROPERTY_ID, "value": value}]}


def test_another_crm_databases_stamp_is_not_ours() -> None:
    other = DatabaseIdentity("0123456789abcdef0123456789abcdef", legacy_stamps=True)
    assert read_stamp(_stamped(f"{OURS.database_id}/action:42"), other) is None
    assert read_stamp(_stamped(f"{other.database_id}/action:42"), other) == "action:42"


def test_a_stamp_from_before_stamps_named_their_database_is_ours_only_if_we_synced_then() -> None:
    bare = _stamped("action:42")
    assert read_stamp(bare, DatabaseIdentity(OURS.database_id, legacy_stamps=True)) == "action:42"
    assert read_stamp(bare, OURS) is None  # a CRM created since cannot take it over


def test_the_expand_and_filter_values_follow_graphs_syntax() -> None:
    assert f"singleValueExtendedProperties($filter=id eq '{STAMP_PROPERTY_ID}')" == STAMP_EXPAND
    assert stamp_filter("series:3", OURS) == (
        f"singleValueExtendedProperties/Any(ep: ep/id eq '{STAMP_PROPERTY_ID}' "
        f"and ep/value eq '{OURS.database_id}/series:3')"
    )


def test_quotes_in_a_key_are_doubled_in_the_filter() -> None:
    assert stamp_filter("a'b", OURS).endswith(f"ep/value eq '{OURS.database_id}/a''b')")


def test_the_transaction_id_is_a_deterministic_uuid_per_user_item_and_generation() -> None:
    first = transaction_id("CARINE", "action:42", OURS)
    assert first == transaction_id("CARINE", "action:42", OURS)
    assert uuid.UUID(first).version == 5 and len(first) == 36
    others = {
        transaction_id("PAUL", "action:42", OURS),
        transaction_id("CARINE", "action:43", OURS),
        transaction_id("CARINE", "action:42", OURS, generation=1),
        transaction_id("CARINE", "action:42", DatabaseIdentity("0123456789abcdef0123456789abcdef")),
    }
    assert first not in others and len(others) == 4
