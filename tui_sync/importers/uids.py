"""The UID an item made in the CRM gets in an export, and how an import recognises it.

`tui-sync-<kind>-<id>-<stamp>@tui-sync`, where the stamp is a hash of the kind, the id and the moment
the item was created: importing our own export back into the same CRM finds the item again (same id,
same creation time), while the export of another CRM database, whose item 17 is another item created at
another moment, does not take over this CRM's item 17. An item that was imported with a UID of its own
is exported with that UID instead (the store keeps it), so a calendar or address book that sent it
recognises it too.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Literal

Kind = Literal["action", "series", "contact"]
_OWN = re.compile(r"^tui-sync-(action|series|contact)-(\d+)-([0-9a-f]{12})@tui-sync$")


def _stamp(kind: Kind, item_id: int, created_at: datetime) -> str:
    text = f"{kind}-{item_id}-{created_at.astimezone(UTC).isoformat()}"
    return hashlib.sha256(text.encode()).hexdigest()[:12]


def own_uid(kind: Kind, item_id: int, created_at: datetime) -> str:
    """The UID of a CRM item (with its id and creation time) in our exports."""
    return f"tui-sync-{kind}-{item_id}-{_stamp(kind, item_id, created_at)}@tui-sync"


def own_id(kind: Kind, uid: str) -> int | None:
    """The item id an export of ours put in `uid`, None for any other UID (check it with is_own_uid)."""
    match = _OWN.match(uid)
    return int(match.group(2)) if match and match.group(1) == kind else None


def is_own_uid(kind: Kind, uid: str, item_id: int, created_at: datetime | None) -> bool:
    """True when `uid` is the one our export gives this item."""
    return created_at is not None and uid == own_uid(kind, item_id, created_at)


def export_uid(
    kind: Kind, item_id: int | None, created_at: datetime | None, n: int, kept: Mapping[int, str]
) -> str:
    """The UID an item is exported with: the one it was imported with (`kept`: by item id), else ours;
    an item not in the CRM (no id) gets a placeholder numbered `n` in the file."""
    if item_id is not None and item_id in kept:
        return kept[item_id]
    if item_id is not None and created_at is not None:
        return own_uid(kind, item_id, created_at)
    if item_id is not None:  # an item built outside the store: its id alone (never matched on import)
        return f"tui-sync-{kind}-{item_id}@tui-sync"
    return f"tui-sync-{kind}-new-{n}@tui-sync"
