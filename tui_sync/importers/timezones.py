"""The zone a TZID names when the file has no VTIMEZONE for it (icalendar found none either).

Tried in order: an IANA name (`Europe/Paris`, and IANA's own backward links such as `US/Eastern`), a
Windows zone name (`Romance Standard Time`, CLDR's windowsZones table as `tzlocal` ships it), and the
old `US-Eastern` / `US-Pacific` ids some calendar programs wrote, which are IANA's `US/…` links with a
hyphen. Anything else is unknown: the caller refuses it, naming the id, rather than guess a zone.
"""

from __future__ import annotations

from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from tzlocal.windows_tz import win_tz


def zone_of_tzid(tzid: str) -> ZoneInfo | None:
    """The zone of `tzid`, None when it names none we know."""
    name = tzid.strip().strip('"')
    candidates = [name, win_tz.get(name, "")]
    if name.upper().startswith("US-"):
        candidates.append("US/" + name[3:].replace(" ", "_"))
    for candidate in candidates:
        if not candidate or candidate.startswith("/") or ".." in candidate:
            continue
        try:
            return ZoneInfo(candidate)
        except (ZoneInfoNotFoundError, ValueError):
            continue
    return None
