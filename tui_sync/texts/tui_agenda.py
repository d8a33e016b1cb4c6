"""The terminal application's Agenda screen and action form: columns, keys, the form's labels and
the lines saying what was saved, moved or deleted.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from datetime import date


UI_AGENDA_NEW = "New"
UI_AGENDA_EDIT = "Edit"
UI_AGENDA_DUPLICATE = "Duplicate"
UI_AGENDA_DELETE = "Delete"
UI_AGENDA_MOVE = "Move"
UI_AGENDA_EARLIER = "A day earlier"
UI_AGENDA_LATER = "A day later"
UI_AGENDA_DAY_BEFORE = "Day before"
UI_AGENDA_DAY_AFTER = "Day after"
UI_AGENDA_WEEK_BEFORE = "Week before"
UI_AGENDA_WEEK_AFTER = "Week after"
UI_AGENDA_PERIOD_START = "Period start"
UI_AGENDA_PERIOD_END = "Period end"
UI_AGENDA_TODAY = "Today"
UI_AGENDA_OWNERS = "Agendas"
UI_AGENDA_SYNC = "Sync"
UI_AGENDA_COL_TIME = "Time"
UI_AGENDA_COL_TYPE = "Type"
UI_AGENDA_COL_TITLE = "Title"
UI_AGENDA_COL_OWNER = "Owner"
UI_AGENDA_COL_MARKS = "Marks"
UI_AGENDA_ALL_DAY = "all day"
UI_AGENDA_NO_ACTIONS = "—"
UI_AGENDA_TODAY_MARK = "today"
UI_AGENDA_LEGEND = "R series · E edited occurrence · P private · ←→ day · PgUp/PgDn week · t today"
UI_AGENDA_MARKS = {"occurrence": "R", "exception": "E", "private": "P"}
UI_WEEKDAYS_SHORT = ("Mo", "Tu", "We", "Th", "Fr", "Sa", "Su")
UI_OWNERS_TITLE = "Agendas to show (space marks, enter shows them, escape keeps these)"
AGENDA_OWNERS_NONE = "Mark at least one agenda (space)"
UI_SCOPE_QUESTION = "This action is an occurrence of a series."
UI_SCOPE_OCCURRENCE = "This occurrence"
UI_SCOPE_SERIES = "The whole series"
UI_SCOPE_KEYS = "o this occurrence · s the whole series · escape cancel"
UI_FORM_NEW = "New action"
UI_FORM_EDIT = "Edit action"
UI_FORM_DUPLICATE = "Duplicate action (a new copy)"
UI_FORM_MOVE = "Move action"
UI_FORM_OCCURRENCE = "Edit this occurrence only"
UI_FORM_SERIES = "Edit the whole series"
UI_FORM_TITLE = "Title"
UI_FORM_OWNER = "Owner"
UI_FORM_TYPE = "Type"
UI_FORM_START = "Start"
UI_FORM_END = "End"
UI_FORM_ALL_DAY = "All day"
UI_FORM_REMINDER = "Reminder"
UI_FORM_MINUTES = "min before"
UI_FORM_PRIVATE = "Private"
UI_FORM_LOCATION = "Location"
UI_FORM_NOTE = "Note"
UI_FORM_REPEAT = "Repeats"
UI_FORM_EVERY = "every"
UI_FORM_DAYS = "On"
UI_FORM_ENDS = "Ends"
UI_FORM_SAVE = "Save"
UI_FORM_CANCEL = "Cancel"
UI_FORM_KEYS = "ctrl+s save · escape cancel · tab next field · YYYY-MM-DD and HH:MM"
UI_FORM_DISCARD = "Discard the changes to this action?"
UI_FORM_DISCARD_DETAILS = "Nothing is saved; the agenda stays as it was."
UI_ENDS = {"never": "Never", "date": "On date", "count": "After N times"}
AGENDA_PUSH_PENDING = "Automatic: sending to Microsoft 365…"
AGENDA_PUSH_DONE = "Automatic: ✓ sent to Microsoft 365"
AGENDA_PUSH_FAILED = "Automatic: ✗ not sent; the next sync settles it"
AGENDA_SERIES_NOT_PUSHED = "Series changes reach Microsoft 365 at the next sync"
# The form's field names (ActionDraft / InvalidValue field → the label the user sees).
AGENDA_FIELDS = {
    "title": UI_FORM_TITLE,
    "start_day": "Start day",
    "start_time": "Start time",
    "end_day": UI_FORM_END,
    "end_time": "End time",
    "reminder_minutes": "Reminder",
    "interval": "Repeat every",
    "days": "Repeat on",
    "until": "Ends on",
    "count": "Ends after",
    "repeat": UI_FORM_REPEAT,
    "end": UI_FORM_END,
    "action_type": UI_FORM_TYPE,
    "owner": UI_FORM_OWNER,
}


def agenda_field_problem(field_name: str, problem: str) -> str:
    """One line of a refused form: the field as the form names it, then what is wrong."""
    return f"{AGENDA_FIELDS.get(field_name, field_name)}: {problem}"


def agenda_day(day: date) -> str:
    """A day header of the agenda: "Mon 30 Nov 2026"."""
    return day.strftime("%a %d %b %Y")


def agenda_heading(owners: list[str], first: date, last: date) -> str:
    return f"{', '.join(owners)} · {first.strftime('%a %d %b')} – {last.strftime('%a %d %b %Y')}"


def repeat_labels(day: date) -> dict[str, str]:
    """The recurrence choices, worded for the form's start day (monthly "on day 30 (or last day)", "on the
    last Mon")."""
    index = ("1st", "2nd", "3rd", "4th", "last")[min((day.day - 1) // 7, 4)]
    return {
        "": "Does not repeat",
        "daily": "Daily",
        "weekly": "Weekly on days",
        # as Outlook does, a day a month lacks falls on its last day
        "monthly": f"Monthly on day {day.day}" + (" (or last day)" if day.day > 28 else ""),
        "monthly_nth": f"Monthly on the {index} {day.strftime('%a')}",
        "yearly": f"Yearly on {day.strftime('%d %b')}"
        + (" (or 28 Feb)" if (day.month, day.day) == (2, 29) else ""),
    }


def agenda_saved(title: str) -> str:
    return f"Saved: {title}"


def agenda_deleted(title: str) -> str:
    return f"Deleted: {title}"


def agenda_moved(title: str, day: date) -> str:
    return f"Moved: {title} → {agenda_day(day)}"


def agenda_delete_question(title: str) -> str:
    return f"Delete “{title}”?"


def agenda_delete_details(automatic: bool, series: bool) -> str:
    if series:
        return "The whole series goes, with its edited occurrences; Microsoft 365 follows at the next sync."
    if automatic:
        return "Automatic is on: it is deleted from Microsoft 365 at once too."
    return "Microsoft 365 follows at the next sync."


def agenda_cancel_question(title: str, day: date) -> str:
    return f"Delete the occurrence of “{title}” on {agenda_day(day)}?"


def agenda_push_failed(owner: str, problem: str) -> str:
    return f"Automatic ({owner}): not sent to Microsoft 365 ({problem}); the next sync settles it"
