"""The CRM-id stamp (single-value extended property) and the event transactionId."""

from __future__ import annotations

import uuid

import pytest

from tui_sync.microsoft.mapping import (
    STAMP_EXPAND,
    STAMP_GUID,
    STAMP_PROPERTY_ID,
    read_stamp,
    stamp,
    stamp_filter,
    transaction_id,
)


def test_the_stamp_is_a_named_string_property_in_our_own_property_set() -> None:
    assert str(uuid.UUID(STAMP_GUID)) == STAMP_GUID
    assert STAMP_PROPERTY_ID == "String {62fe7c35-3799-4fec-b4b3-f8d707837696} Name tuiSyncCrmId"
    assert stamp("action:42") == [{"id": STAMP_PROPERTY_ID, "value": "action:42"}]


def test_an_empty_key_is_never_stamped() -> None:
    with pytest.raises(ValueError, match="must not be empty"):
        stamp("")


def test_the_stamp_is_read_back_from_an_expanded_item() -> None:
    item = {
        "id": "AAMk1",
        "singleValueExtendedProperties": [
            {"id": "String {00020329-0000-0000-c000-000000000046} Name Other", "value": "x"},
            # Graph may echo the GUID in upper case
            {"id": STAMP_PROPERTY_ID.upper().replace("TUISYNCCRMID", "tuiSyncCrmId"), "value": "contact:7"},
        ],
    }
    assert read_stamp(item) == "contact:7"
    assert read_stamp({"id": "AAMk2"}) is None
    assert read_stamp({"singleValueExtendedProperties": []}) is None


def test_the_expand_and_filter_values_follow_graphs_syntax() -> None:
    assert f"singleValueExtendedProperties($filter=id eq '{STAMP_PROPERTY_ID}')" == STAMP_EXPAND
    assert stamp_filter("series:3") == (
        f"singleValueExtendedProperties/Any(ep: ep/id eq '{STAMP_PROPERTY_ID}' and ep/value eq 'series:3')"
    )


def test_quotes_in_a_key_are_doubled_in_the_filter() -> None:
    assert stamp_filter("a'b").endswith("ep/value eq 'a''b')")


def test_the_transaction_id_is_a_deterministic_uuid_per_user_item_and_generation() -> None:
    first = transaction_id("CARINE", "action:42")
    assert first == transaction_id("CARINE", "action:42")
    assert uuid.UUID(first).version == 5 and len(first) == 36
    others = {
        transaction_id("PAUL", "action:42"),
        transaction_id("CARINE", "action:43"),
        transaction_id("CARINE", "action:42", generation=1),
    }
    assert first not in others and len(others) == 3
