"""Automatic mode: one CRM action's add / change / move / duplicate / delete is pushed to
Microsoft 365 at once. Series are never pushed this way (they need a manual sync), and a push never
deletes anything from the CRM: whatever it cannot settle is left for the next manual sync."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from tui_sync.domain.models import User
from tui_sync.errors import NotFound
from tui_sync.microsoft import mapping
from tui_sync.microsoft.calendar import OutlookCalendar, Write
from tui_sync.store import Store
from tui_sync.sync.agenda_parts import action_link
from tui_sync.sync.kinds import ACTION


async def push_action(
    store: Store, calendar: OutlookCalendar, user: User, action_id: int, tz: ZoneInfo
) -> str:
    """Push one action; returns what was done: created, updated, deleted or nothing."""
    key = str(action_id)
    link = (await store.links(user.code, ACTION)).get(key)
    try:
        action = await store.get_action(action_id)
    except NotFound:
        action = None
    if action is None:
        if link is None:
            return "nothing"
        result = await calendar.write_one(Write.delete(f"del:{key}", link.remote_id))
        if result.ok or result.gone:
            await store.delete_links(user.code, ACTION, [key])
            return "deleted"
        raise NotFound(result.error)
    if action.series_id is not None:
        return "nothing"
    labels = [t.label for t in await store.list_action_types()]
    if link is not None:
        # Only what differs from the event as it is now, so what only Outlook holds stays: one GET more.
        current = (await calendar.get_events([link.remote_id]))[link.remote_id]
        if current is None or current.get("isCancelled") is True:
            return "nothing"  # deleted (or cancelled by its organiser) meanwhile: the next sync asks
        body = mapping.event_update(action, current, tz, labels)
        result = await calendar.write_one(Write.patch(f"upd:{key}", link.remote_id, body))
        done = "updated"
    else:
        body = mapping.action_to_event(action, tz)
        calendar_id = await calendar.find_calendar(user.prefs.calendar_name)
        stamp_key = f"{ACTION}:{key}"
        owner = await store.database_identity()
        body["singleValueExtendedProperties"] = mapping.stamp(stamp_key, owner)
        body["transactionId"] = mapping.transaction_id(user.code, stamp_key, owner)
        result = await calendar.write_one(Write.create(f"new:{key}", calendar_id, body))
        done = "created"
    if not result.ok:
        return "nothing"  # e.g. deleted in Outlook meanwhile: the next manual sync asks the user
    await store.save_links([action_link(user.code, ACTION, key, action, result.body, tz, labels)])
    return done
