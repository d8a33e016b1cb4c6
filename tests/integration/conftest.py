"""Integration tests share the session's fake Microsoft 365 (tests/conftest.py); these names are kept
importable from here for the tests that import them."""

from tests.threaded_fake import (
    CLIENT_ID,
    UNKNOWN_CLIENT_ID,
    UPN,
    AutoApprover,
    ThreadedFake,
    point_at,
    prepare_cli,
)

__all__ = ["CLIENT_ID", "UNKNOWN_CLIENT_ID", "UPN", "AutoApprover", "ThreadedFake", "point_at", "prepare_cli"]
