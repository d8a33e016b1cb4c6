"""Automatic mode: one CRM action's add / change / move / duplicate / delete is pushed to the
remote at once. Series are never pushed this way (they need a manual sync), and a push never
deletes anything from the CRM: whatever it cannot settle is left for the next manual sync."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from tui_sync.domain.models import DatabaseIdentity, User
from tui_sync.domain.remote import Reading
from tui_sync.errors import NotFound, RemoteWriteFailed
from tui_sync.store import Store
from tui_sync.sync.agenda_parts import action_link
from tui_sync.sync.kinds import ACTION
from tui_sync.sync.ports import Calendar


async def push_action(store: Store, calendar: Calendar, user: User, action_id: int, tz: ZoneInfo) -> str:
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
        reading = Reading(tz, (), user.code, DatabaseIdentity(""))  # a deletion reads nothing
        result = await calendar.write_one(calendar.delete_event(link.remote_id), reading)
        if result.ok or result.gone:
            await store.delete_links(user.code, ACTION, [key])
            return "deleted"
        raise RemoteWriteFailed(result.error)  # the remote's own error, not a missing CRM id
    if action.series_id is not None:
        return "nothing"
    labels = tuple(t.label for t in await store.list_action_types())
    reading = Reading(tz, labels, user.code, await store.database_identity())
    if link is not None:
        # Only what differs from the event as it is now, so what only the remote holds stays: one GET more.
        current = (await calendar.get_events([link.remote_id], reading))[link.remote_id]
        if current is None or current.cancelled:
            return "nothing"  # deleted (or cancelled by its organiser) meanwhile: the next sync asks
        result = await calendar.write_one(calendar.update_event(action, current, reading), reading)
        done = "updated"
    else:
        calendar_id = await calendar.find_calendar(user.prefs.calendar_name)
        write = calendar.create_event(calendar_id, action, f"{ACTION}:{key}", reading)
        result = await calendar.write_one(write, reading)
        done = "created"
    if not result.ok:
        return "nothing"  # e.g. deleted remotely meanwhile: the next manual sync asks the user
    await store.save_links([action_link(user.code, ACTION, key, action, result.answer, tz)])
    return done
