"""The CRM data as one JSON object for `--json` (scripts read it): ISO 8601 datetimes with their offset,
dates as YYYY-MM-DD, photos as base64 (null: none), every field of the domain types under its own name.

    {"contacts": [{...}, ...]}
    {"user": "CARINE", "actions": [{...}, ...], "series": [{..., "recurrence": {...},
      "exceptions": [{...}], "cancelled": ["2024-04-01T09:00:00+02:00", ...]}, ...]}
"""

from __future__ import annotations

import base64
import json
from collections.abc import Iterable
from dataclasses import asdict
from datetime import date, datetime
from typing import Any

from tui_sync.domain.models import Action, Contact, Series


def _plain(value: Any) -> Any:
    """A value JSON can hold: datetimes and dates in ISO form, tuples as lists, bytes in base64."""
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, bytes):
        return base64.b64encode(value).decode("ascii")
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    return value


def contact_dict(contact: Contact) -> dict[str, Any]:
    return _plain(asdict(contact))


def action_dict(action: Action) -> dict[str, Any]:
    return _plain(asdict(action))


def series_dict(series: Series) -> dict[str, Any]:
    found = _plain({k: v for k, v in asdict(series).items() if k not in ("exceptions", "cancelled")})
    found["exceptions"] = [action_dict(e) for e in sorted(series.exceptions, key=_original)]
    found["cancelled"] = [c.isoformat() for c in sorted(series.cancelled)]
    return found


def _original(action: Action) -> datetime:
    return action.original_start or action.start


def contacts_json(contacts: Iterable[Contact]) -> str:
    """`{"contacts": [...]}` on one line."""
    return json.dumps({"contacts": [contact_dict(c) for c in contacts]}, ensure_ascii=False)


def agenda_json(user: str, actions: Iterable[Action], series: Iterable[Series]) -> str:
    """`{"user": CODE, "actions": [...], "series": [...]}` on one line."""
    return json.dumps(
        {
            "user": user,
            "actions": [action_dict(a) for a in actions],
            "series": [series_dict(s) for s in series],
        },
        ensure_ascii=False,
    )
