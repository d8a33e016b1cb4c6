"""The action form: title, owner, type, start and end (YYYY-MM-DD and HH:MM), all day, reminder, private,
location, note and, for a series, how it repeats (daily, weekly on days, monthly on a day or on "the 2nd
Tuesday", yearly), every how many, and until when (a date, a count, or never).

The form only collects text: `save` (the agenda service, through the screen) reads it and either saves
or refuses it with one line per bad field, shown in place while everything typed stays. ctrl+s saves;
escape cancels, asking first if something changed.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from datetime import date
from typing import Any, Literal

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Checkbox, Input, Label, Select, Static

from tui_sync import texts
from tui_sync.domain.models import WEEKDAYS, Action, ActionType, Series
from tui_sync.errors import UserError
from tui_sync.services.agenda import ENDS, ActionDraft, DraftRefused, Ends, Repeat
from tui_sync.ui.dialogs.confirm import ConfirmDialog
from tui_sync.ui.widgets.ticks import TickBox

RepeatMode = Literal["none", "choose", "series"]


class ActionForm(ModalScreen[Action | Series | None]):
    """Edits an ActionDraft. `repeat`: "none" hides the recurrence (a single action, one occurrence),
    "choose" offers it (a new action may become a series), "series" edits a series' rule.
    Dismissed with whatever `save` returned, or None when cancelled."""

    BINDINGS = [
        Binding("ctrl+s", "save", texts.tui_agenda.UI_FORM_SAVE, id="action-form.save"),
        Binding("escape", "cancel", texts.tui_agenda.UI_FORM_CANCEL, id="action-form.cancel"),
    ]
    DEFAULT_CSS = """
    ActionForm { align: center middle; }
    ActionForm > Vertical { width: 78; height: auto; max-height: 24; border: thick $primary;
                            background: $surface; padding: 0 1; }
    ActionForm .heading { text-style: bold; }
    ActionForm Horizontal { height: 1; }
    ActionForm .label { width: 9; }
    ActionForm .gap { width: auto; padding: 0 1; }
    ActionForm #title, ActionForm #location, ActionForm #note { width: 1fr; }
    ActionForm .day { width: 12; }
    ActionForm .time { width: 7; margin-left: 1; }
    ActionForm #owner { width: 14; }
    ActionForm #type { width: 22; }
    ActionForm #reminder-minutes { width: 7; }
    ActionForm #repeat { width: 34; }
    ActionForm #interval { width: 5; }
    ActionForm #ends { width: 18; }
    ActionForm #ends-value { width: 12; margin-left: 1; }
    ActionForm Checkbox { margin-left: 1; }
    ActionForm .weekday { margin-left: 0; margin-right: 1; }
    ActionForm #errors { color: $error; height: auto; }
    ActionForm .hint { color: $text-muted; }
    """

    def __init__(
        self,
        heading: str,
        draft: ActionDraft,
        *,
        owners: Sequence[str],
        types: Sequence[ActionType],
        save: Callable[[ActionDraft], Awaitable[Action | Series]],
        repeat: RepeatMode = "choose",
        focus: str = "title",
    ) -> None:
        super().__init__()
        self.heading = heading
        self.initial = draft
        self.owners = list(dict.fromkeys([draft.owner, *owners]))
        self.types = [t.label for t in types] or [draft.action_type]
        if draft.action_type not in self.types:
            self.types.append(draft.action_type)
        self.save = save
        self.repeat_mode = repeat
        self.first_focus = focus

    # --- layout --------------------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        d = self.initial
        with Vertical():
            yield Static(self.heading, classes="heading", markup=False)
            with Horizontal():
                yield Label(texts.tui_agenda.UI_FORM_TITLE, classes="label")
                yield Input(d.title, id="title", select_on_focus=False, max_length=255, compact=True)
            with Horizontal():
                yield Label(texts.tui_agenda.UI_FORM_OWNER, classes="label")
                yield Select(
                    [(o, o) for o in self.owners], value=d.owner, id="owner", allow_blank=False, compact=True
                )
                yield Label(texts.tui_agenda.UI_FORM_TYPE, classes="gap")
                yield Select(
                    [(t, t) for t in self.types],
                    value=d.action_type,
                    id="type",
                    allow_blank=False,
                    compact=True,
                )
            with Horizontal():
                yield Label(texts.tui_agenda.UI_FORM_START, classes="label")
                yield Input(
                    d.start_day,
                    id="start-day",
                    classes="day",
                    max_length=10,
                    placeholder=texts.tui.UI_DATE_HINT,
                    compact=True,
                )
                yield Input(
                    d.start_time,
                    id="start-time",
                    classes="time",
                    max_length=5,
                    placeholder=texts.tui.UI_TIME_HINT,
                    compact=True,
                )
                yield Label(texts.tui_agenda.UI_FORM_END, classes="gap")
                yield Input(
                    d.end_day,
                    id="end-day",
                    classes="day",
                    max_length=10,
                    placeholder=texts.tui.UI_DATE_HINT,
                    compact=True,
                )
                yield Input(
                    d.end_time,
                    id="end-time",
                    classes="time",
                    max_length=5,
                    placeholder=texts.tui.UI_TIME_HINT,
                    compact=True,
                )
                yield TickBox(texts.tui_agenda.UI_FORM_ALL_DAY, d.all_day, id="all-day", compact=True)
            with Horizontal():
                yield Label("", classes="label")
                yield TickBox(texts.tui_agenda.UI_FORM_REMINDER, d.reminder_on, id="reminder", compact=True)
                yield Input(
                    d.reminder_minutes, id="reminder-minutes", max_length=5, restrict=r"[0-9]*", compact=True
                )
                yield Label(texts.tui_agenda.UI_FORM_MINUTES, classes="gap")
                yield TickBox(texts.tui_agenda.UI_FORM_PRIVATE, d.private, id="private", compact=True)
            with Horizontal():
                yield Label(texts.tui_agenda.UI_FORM_LOCATION, classes="label")
                yield Input(d.location, id="location", select_on_focus=False, max_length=255, compact=True)
            with Horizontal():
                yield Label(texts.tui_agenda.UI_FORM_NOTE, classes="label")
                yield Input(d.note, id="note", select_on_focus=False, compact=True)
            if self.repeat_mode != "none":
                yield from self._recurrence(d)
            yield Static(id="errors", markup=False)
            yield Static(texts.tui_agenda.UI_FORM_KEYS, classes="hint", markup=False)

    def _recurrence(self, d: ActionDraft) -> ComposeResult:
        labels = texts.tui_agenda.repeat_labels(_safe_day(d.start_day))
        choices = [(text, value) for value, text in labels.items() if value or self.repeat_mode == "choose"]
        with Horizontal():
            yield Label(texts.tui_agenda.UI_FORM_REPEAT, classes="label")
            yield Select(
                choices,
                value=d.repeat if d.repeat or self.repeat_mode == "choose" else "daily",
                id="repeat",
                allow_blank=False,
                compact=True,
            )
            yield Label(texts.tui_agenda.UI_FORM_EVERY, classes="gap")
            yield Input(d.interval, id="interval", max_length=3, restrict=r"[0-9]*", compact=True)
        with Horizontal(id="weekdays"):
            yield Label(texts.tui_agenda.UI_FORM_DAYS, classes="label")
            for day, short in zip(WEEKDAYS, texts.tui_agenda.UI_WEEKDAYS_SHORT, strict=True):
                yield TickBox(short, day in d.days, id=f"day-{day}", classes="weekday", compact=True)
        with Horizontal():
            yield Label(texts.tui_agenda.UI_FORM_ENDS, classes="label")
            ends = [(texts.tui_agenda.UI_ENDS[e], e) for e in ENDS]
            yield Select(ends, value=d.ends, id="ends", allow_blank=False, compact=True)
            value = d.until if d.ends == "date" else d.count
            yield Input(value, id="ends-value", max_length=10, compact=True)

    def on_mount(self) -> None:
        self.query_one("#owner", Select).disabled = len(self.owners) == 1
        wanted = {"start": "#start-day"}.get(self.first_focus, "#title")
        self.query_one(wanted, Input).focus()
        self._follow()

    # --- what the widgets say ------------------------------------------------------------------------

    def _value(self, selector: str) -> Any:
        return self.query_one(selector).value  # type: ignore[attr-defined]

    def draft(self) -> ActionDraft:
        """The form as typed (nothing checked: the service does that)."""
        repeat: Repeat = ""
        ends: Ends = "never"
        days: tuple[str, ...] = ()
        interval, until, count = "1", "", ""
        if self.repeat_mode != "none":
            repeat = self._value("#repeat")
            interval = self._value("#interval")
            days = tuple(day for day in WEEKDAYS if self._value(f"#day-{day}"))
            ends = self._value("#ends")
            until = self._value("#ends-value") if ends == "date" else ""
            count = self._value("#ends-value") if ends == "count" else ""
        return ActionDraft(
            owner=self._value("#owner"),
            title=self._value("#title"),
            start_day=self._value("#start-day"),
            start_time=self._value("#start-time"),
            end_day=self._value("#end-day"),
            end_time=self._value("#end-time"),
            all_day=self._value("#all-day"),
            action_type=self._value("#type"),
            private=self._value("#private"),
            reminder_on=self._value("#reminder"),
            reminder_minutes=self._value("#reminder-minutes"),
            location=self._value("#location"),
            note=self._value("#note"),
            repeat=repeat,
            interval=interval,
            days=days,
            ends=ends,
            until=until,
            count=count,
        )

    def changed(self) -> bool:
        """Whether anything differs from what the form opened with (escape then asks first)."""
        return _comparable(self.draft()) != _comparable(self.initial)

    @on(Checkbox.Changed)
    @on(Select.Changed)
    def _follow(self) -> None:
        """Times are greyed out for an all-day action; the weekday boxes count for a weekly rule only;
        the value after Ends for a date or a count only."""
        all_day = bool(self._value("#all-day"))
        for selector in ("#start-time", "#end-time"):
            self.query_one(selector, Input).disabled = all_day
        self.query_one("#reminder-minutes", Input).disabled = not self._value("#reminder")
        if self.repeat_mode == "none":
            return
        repeat = self._value("#repeat")
        self.query_one("#interval", Input).disabled = not repeat
        self.query_one("#ends", Select).disabled = not repeat
        for day in WEEKDAYS:
            self.query_one(f"#day-{day}", Checkbox).disabled = repeat != "weekly"
        ends_value = self.query_one("#ends-value", Input)
        ends = self._value("#ends")
        ends_value.disabled = not repeat or ends == "never"
        ends_value.placeholder = {"date": "YYYY-MM-DD", "count": "times"}.get(ends, "")
        if repeat == "weekly" and not any(self._value(f"#day-{d}") for d in WEEKDAYS):
            start = _safe_day(self._value("#start-day"))
            self.query_one(f"#day-{WEEKDAYS[start.weekday()]}", Checkbox).value = True

    @on(Input.Changed, "#start-day")
    def _start_day_changed(self, event: Input.Changed) -> None:
        """The monthly and yearly choices name the start day ("on day 30", "on the last Mon")."""
        if self.repeat_mode == "none" or not self.is_mounted:
            return
        try:
            day = date.fromisoformat(event.value.strip())
        except ValueError:
            return
        select = self.query_one("#repeat", Select)
        current = select.value
        labels = texts.tui_agenda.repeat_labels(day)
        select.set_options([(t, v) for v, t in labels.items() if v or self.repeat_mode == "choose"])
        select.value = current

    # --- save and cancel ---------------------------------------------------------------------------

    async def action_save(self) -> None:
        errors = self.query_one("#errors", Static)
        try:
            result = await self.save(self.draft())
        except DraftRefused as refused:
            errors.update("\n".join(texts.tui_agenda.agenda_field_problem(f, p) for f, p in refused.problems))
            return
        except UserError as error:
            errors.update(error.message)
            return
        self.dismiss(result)

    @work(group="action-form-cancel", exit_on_error=False)
    async def action_cancel(self) -> None:
        if self.changed() and not await self.app.push_screen_wait(
            ConfirmDialog(texts.tui_agenda.UI_FORM_DISCARD, texts.tui_agenda.UI_FORM_DISCARD_DETAILS)
        ):
            return
        self.dismiss(None)


def _comparable(draft: ActionDraft) -> dict[str, object]:
    """A draft as the form shows it: the value after Ends is one field, a date or a count."""
    shown = dict(draft.__dict__)
    shown["ends_value"] = {"date": draft.until, "count": draft.count}.get(draft.ends, "")
    del shown["until"], shown["count"]
    return shown


def _safe_day(text: str) -> date:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        return date.today()
