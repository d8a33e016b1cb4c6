"""`tui-sync agenda list|add|edit|delete`: a user's single actions from scripts, without the terminal.

Everything a change goes through is the agenda service's, shared with the terminal application's
Agenda screen: the rights (one's own agenda, another's only with the agenda right), the reading of dates
and times, the end after the start, the reminder range. This command only turns options into the
service's form (`ActionDraft`) and names the option a refused field came from. A change is not pushed
to Microsoft 365 here, even for a user with Automatic on: the next sync sends it.

Ids are those `agenda list` shows: N for a single action, SN for a whole series (`edit SN` changes the
series' fields, its rule kept; `delete SN` deletes it). One occurrence alone is edited in the terminal
application. `add`/`edit` read their fields from JSON with `--from-json` and print the result as JSON
with `--json`, the keys being those `agenda list --json` prints.
"""

from __future__ import annotations

import argparse
from collections.abc import Awaitable, Mapping
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any, TypeVar

from tui_sync import texts
from tui_sync.commands import Context, add_json_flag, switch
from tui_sync.commands.json_input import Setter, add_from_json, apply_json, flag, text
from tui_sync.domain.models import Action, InvalidValue, Series
from tui_sync.domain.period import parse_day
from tui_sync.errors import BadInput

if TYPE_CHECKING:  # the service pulls in the Graph client and MSAL, which `--help` never needs
    from tui_sync.services.agenda import ActionDraft, Entry

# A refused form field (or domain field) → the option that set it.
_OPTIONS = {
    "title": "--title",
    "start_day": "--start",
    "start_time": "--start",
    "end_day": "--end",
    "end_time": "--end",
    "end": "--end",
    "reminder_minutes": "--reminder",
    "action_type": "--type",
    "owner": "--user",
}
T = TypeVar("T")
DEFAULT_MINUTES = 60  # a new action lasts an hour unless told otherwise, as in the form
# Keys of `agenda list --json` that describe an item without being one of its fields.
_DESCRIPTIVE_KEYS = frozenset({"id", "series_id", "kind", "day", "marks"})


@dataclass(frozen=True)
class ItemId:
    """An id as `agenda list` shows it: N for a single action, SN for a whole series."""

    number: int
    series: bool = False

    def __str__(self) -> str:
        return f"S{self.number}" if self.series else str(self.number)


def item_id(typed: str) -> ItemId:
    """The argparse type of an ID: `12` or `S12` (any case)."""
    raw = typed.strip()
    series = raw[:1] in ("S", "s")
    digits = raw[1:] if series else raw
    if not digits.isdigit():
        raise argparse.ArgumentTypeError(texts.cli.agenda_cli_bad_id(typed))
    return ItemId(int(digits), series)


def register(subparsers: argparse._SubParsersAction) -> None:
    agenda = subparsers.add_parser("agenda", help="list, add, edit and delete a user's actions")
    commands = agenda.add_subparsers(title="agenda commands", metavar="COMMAND", required=True)

    list_ = commands.add_parser("list", help="a user's actions, one line each")
    list_.add_argument("--user", required=True, metavar="CODE", help="whose agenda")
    _add_viewer(list_)
    list_.add_argument("--from", dest="first", metavar="YYYY-MM-DD", help="first day (default: sync period)")
    list_.add_argument("--to", dest="last", metavar="YYYY-MM-DD", help="last day (default: sync period)")
    add_json_flag(list_)
    list_.set_defaults(handler=list_actions)

    add = commands.add_parser("add", help="add an action; prints its id")
    add.add_argument("--user", metavar="CODE", help="whose agenda (required, here or in --from-json)")
    add.add_argument("--title", metavar="T", help="the action's title (required)")
    add.add_argument(
        "--start", metavar='"YYYY-MM-DD HH:MM"', help="start (required; with --all-day: the day alone)"
    )
    _add_fields(add)
    add.set_defaults(handler=add_action)

    edit = commands.add_parser(
        "edit", help="change an action, or a series' fields (SN); the options not given stay as they are"
    )
    edit.add_argument("item", type=item_id, metavar="ID", help="N: an action, SN: a series (agenda list)")
    edit.add_argument("--title", metavar="T", help="the title")
    edit.add_argument(
        "--start", metavar='"YYYY-MM-DD HH:MM"', help="start (a series: its first one); the duration is kept"
    )
    _add_fields(edit)
    edit.set_defaults(handler=edit_action)

    delete = commands.add_parser("delete", help="delete an action, or a whole series (SN) (with --yes)")
    delete.add_argument("item", type=item_id, metavar="ID", help="N: an action, SN: a series (agenda list)")
    _add_viewer(delete)
    delete.add_argument(
        "--yes", action="store_true", help="really delete it (without: say what, change nothing)"
    )
    delete.set_defaults(handler=delete_action)


def _add_viewer(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--as", dest="viewer", metavar="CODE", help="act on behalf of this user (default: the owner)"
    )


def _add_fields(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--end", metavar='"YYYY-MM-DD HH:MM"', help="end (all day: the last day)")
    parser.add_argument("--minutes", type=int, metavar="N", help="end N minutes after the start")
    switch(parser, "all-day", "an all-day action (--start and --end give days)")
    parser.add_argument("--type", dest="action_type", metavar="LABEL", help="the action type")
    parser.add_argument("--location", metavar="L", help="where")
    parser.add_argument("--note", metavar="N", help="the note")
    switch(parser, "private", "private (shown as such in Outlook)")
    parser.add_argument("--reminder", type=int, metavar="MIN", help="a reminder MIN minutes before")
    parser.add_argument("--no-reminder", action="store_true", help="no reminder")
    _add_viewer(parser)
    add_from_json(parser, "action")
    add_json_flag(parser)


# --- list ----------------------------------------------------------------------------------------------


def _marks(kind: str, private: bool) -> str:
    """R for an occurrence of a series, E for one edited on its own, P for private."""
    marks = texts.tui_agenda.UI_AGENDA_MARKS
    found = [marks[kind]] if kind in marks else []
    return "".join(found + ([marks["private"]] if private else []))


def _entry_json(ctx: Context, entry: Entry) -> dict[str, Any]:
    return _item_json(ctx, entry.action, entry.kind)


def _item_json(ctx: Context, item: Action | Series, kind: str) -> dict[str, Any]:
    """An action or an occurrence (as `agenda list --json` prints them), or a whole series (kind
    "series", as `agenda edit SN --json` prints it)."""
    return {
        "id": item.id if kind == "single" else None,
        "series_id": item.id if isinstance(item, Series) else item.series_id,
        "kind": kind,
        "day": item.start.astimezone(ctx.tz).date(),
        "start": item.start.astimezone(ctx.tz),
        "end": item.end.astimezone(ctx.tz),
        "all_day": item.all_day,
        "type": item.action_type,
        "title": item.title,
        "location": item.location,
        "private": item.private,
        "reminder_minutes": item.reminder_minutes if item.reminder_on else None,
        "note": item.note,
        "marks": _marks(kind, item.private),
    }


# --- --from-json -----------------------------------------------------------------------------------------


def _moment_setter(dest: str) -> Setter:
    """`start` / `end` as --json prints them (ISO 8601 with the offset) → the option's local text. An
    all-day item's `end` is the midnight after its last day, and --end takes that last day."""

    def setter(value: Any, data: Mapping[str, Any]) -> dict[str, Any]:
        if not isinstance(value, str):
            raise TypeError(texts.cli.JSON_TEXT)
        try:
            when = datetime.fromisoformat(value.strip())
        except ValueError:
            return {dest: value}  # not ISO: read as typed, the form then names what is wrong
        if data.get("all_day") is True:
            last = when.date() - timedelta(days=1) if dest == "end" and when.time() == time() else when.date()
            return {dest: last.isoformat()}
        return {dest: when.strftime("%Y-%m-%d %H:%M")}

    return setter


def _reminder(value: Any, _: Mapping[str, Any]) -> dict[str, Any]:
    if value is None:
        return {"no_reminder": True}
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(texts.cli.JSON_WHOLE_NUMBER_OR_NULL)
    return {"reminder": value}


_SETTERS: dict[str, Setter] = {
    "title": text("title"),
    "start": _moment_setter("start"),
    "end": _moment_setter("end"),
    "all_day": flag("all_day"),
    "type": text("action_type"),
    "location": text("location"),
    "note": text("note"),
    "private": flag("private"),
    "reminder_minutes": _reminder,
}


async def list_actions(ctx: Context, args: argparse.Namespace) -> int:
    agenda = ctx.services.agenda
    owner = (await ctx.services.people.get_user(args.user)).code
    viewer = (await ctx.services.people.get_user(args.viewer)).code if args.viewer else owner
    await agenda.check(viewer, owner)
    if args.first is None and args.last is None:
        period = await agenda.period(owner)
        first, last = period.first_day, period.last_day
    elif args.first is None or args.last is None:
        raise BadInput(texts.cli.FROM_AND_TO_TOGETHER)
    else:
        first, last = parse_day(args.first, "--from"), parse_day(args.last, "--to")
        if last < first:
            raise BadInput(texts.cli.bad_option("--to", texts.cli.AGENDA_CLI_TO_BEFORE_FROM))
    entries: dict[str, Entry] = {}  # an action over several days is listed once, on its first day
    for day in await agenda.days(viewer, [owner], first, last):
        for entry in day.entries:
            entries.setdefault(entry.key, entry)
    if args.json:
        ctx.print_json({"user": owner, "actions": [_entry_json(ctx, e) for e in entries.values()]})
        return 0
    if not entries:
        ctx.print(texts.cli.agenda_cli_empty(owner, first, last))
    for entry in entries.values():
        action = entry.action
        start, end = action.start.astimezone(ctx.tz), action.end.astimezone(ctx.tz)
        when = (
            texts.tui_agenda.UI_AGENDA_ALL_DAY
            if action.all_day
            else f"{start.strftime('%H:%M')}-{end.strftime('%H:%M')}"
        )
        ident = str(action.id) if entry.kind == "single" else f"S{action.series_id}"
        ctx.print(
            texts.cli.agenda_cli_line(
                ident,
                start.date(),
                when,
                action.action_type,
                action.title,
                _marks(entry.kind, action.private),
            )
        )
    return 0


# --- add / edit ------------------------------------------------------------------------------------------


def _moment(text: str) -> tuple[str, str]:
    """ "YYYY-MM-DD HH:MM" (or "YYYY-MM-DDTHH:MM", or a day alone) as the form's day and time fields."""
    day, _, clock = text.strip().replace("T", " ", 1).partition(" ")
    return day, clock.strip()


def _later(day: str, clock: str, minutes: int) -> tuple[str, str] | None:
    """The day and time `minutes` after the given ones, or None when they do not read (the service then
    says which field is wrong)."""
    try:
        hours, mins = clock.split(":")
        when = datetime.combine(date.fromisoformat(day), time(int(hours), int(mins)))
    except ValueError:
        return None
    later = when + timedelta(minutes=minutes)
    return later.date().isoformat(), later.strftime("%H:%M")


def _option_error(field_name: str, problem: str) -> BadInput:
    return BadInput(texts.cli.bad_option(_OPTIONS.get(field_name, field_name), problem))


def _apply(draft: ActionDraft, args: argparse.Namespace, duration: int, types: list[str]) -> ActionDraft:
    """The form `draft` with the options given written over it. With a new --start and no --end the
    action keeps `duration` minutes (--minutes sets it); an all-day action without --end lasts the day."""
    if args.minutes is not None and args.minutes < 1:
        raise _option_error("--minutes", texts.domain.agenda_not_a_number(1, 60 * 24 * 366))
    if args.minutes is not None and args.end is not None:
        raise _option_error("--minutes", texts.cli.AGENDA_CLI_END_OR_MINUTES)
    if args.reminder is not None and args.no_reminder:
        raise _option_error("--reminder", texts.cli.AGENDA_CLI_REMINDER_OR_NOT)
    changes: dict[str, Any] = {}
    if args.title is not None:
        changes["title"] = args.title
    if args.all_day is not None:
        changes["all_day"] = args.all_day
    all_day = changes.get("all_day", draft.all_day)
    start_day, start_time = draft.start_day, draft.start_time
    if args.start is not None:
        start_day, start_time = _moment(args.start)
        if all_day:
            start_time = start_time or "00:00"
        changes.update(start_day=start_day, start_time=start_time)
    if args.end is not None:
        end_day, end_time = _moment(args.end)
        changes.update(end_day=end_day, end_time=end_time or ("00:00" if all_day else ""))
    elif all_day and (args.start is not None or args.all_day):
        changes.update(end_day=start_day, end_time="00:00")
    elif args.start is not None or args.minutes is not None:
        later = _later(start_day, start_time, args.minutes or duration)
        end_day, end_time = later or (start_day, start_time)
        changes.update(end_day=end_day, end_time=end_time)
    if args.action_type is not None:
        label = next((t for t in types if t.casefold() == args.action_type.strip().casefold()), None)
        if label is None:
            raise _option_error("action_type", texts.cli.agenda_cli_unknown_type(args.action_type, types))
        changes["action_type"] = label
    for name in ("location", "note", "private"):
        if getattr(args, name) is not None:
            changes[name] = getattr(args, name)
    if args.reminder is not None:
        changes.update(reminder_on=True, reminder_minutes=str(args.reminder))
    if args.no_reminder:
        changes["reminder_on"] = False
    return replace(draft, **changes)


async def _save(
    ctx: Context, viewer: str, draft: ActionDraft, action_id: int | None, end_given: bool
) -> Action:
    """The service's save of a single action, each refused option named once."""
    return await _refusing(ctx.services.agenda.save_action(viewer, draft, action_id), end_given)


async def _save_series(
    ctx: Context, viewer: str, draft: ActionDraft, series_id: int, end_given: bool
) -> Series:
    """The service's save of a series' fields (its rule as it was), each refused option named once."""
    return await _refusing(ctx.services.agenda.save_series(viewer, draft, series_id), end_given)


async def _refusing(saving: Awaitable[T], end_given: bool) -> T:
    """`saving` awaited, a refusal turned into one line per option. An end worked out from a refused
    --start is not reported on its own: fixing --start fixes it."""
    from tui_sync.services.agenda import DraftRefused

    try:
        return await saving
    except DraftRefused as refused:
        found: dict[str, str] = {}
        for name, problem in refused.problems:
            found.setdefault(_OPTIONS.get(name, name), problem)
        if "--start" in found and not end_given:
            found.pop("--end", None)
        raise BadInput("\n".join(texts.cli.bad_option(o, p) for o, p in found.items())) from None
    except InvalidValue as error:
        raise _option_error(error.field, texts.domain.problem(error.reason)) from None


async def add_action(ctx: Context, args: argparse.Namespace) -> int:
    apply_json(args, {**_SETTERS, "user": text("user")}, _DESCRIPTIVE_KEYS)
    for option, value in (("--user", args.user), ("--start", args.start)):
        if value is None:
            raise BadInput(texts.cli.bad_option(option, texts.cli.AGENDA_CLI_REQUIRED))
    agenda = ctx.services.agenda
    owner = (await ctx.services.people.get_user(args.user)).code
    viewer = (await ctx.services.people.get_user(args.viewer)).code if args.viewer else owner
    await agenda.check(viewer, owner)
    types = [t.label for t in await agenda.action_types()]
    draft = await agenda.new_draft(owner)
    saved = await _save(ctx, viewer, _apply(draft, args, DEFAULT_MINUTES, types), None, args.end is not None)
    if args.json:
        ctx.print_json(_item_json(ctx, saved, "single"))
    else:
        ctx.print(str(saved.id))
    return 0


async def _acting(ctx: Context, args: argparse.Namespace) -> str:
    """Who acts on the item: --as, else its owner (an unknown id is one line naming it)."""
    if args.viewer:
        return (await ctx.services.people.get_user(args.viewer)).code
    if args.item.series:
        return await ctx.services.agenda.series_owner_of(args.item.number)
    return await ctx.services.agenda.owner_of(args.item.number)


async def _single(ctx: Context, viewer: str, item: ItemId) -> Action:
    """The single action `item` names; an occurrence of a series is refused, saying what to do."""
    current = await ctx.services.agenda.get_action(viewer, item.number)
    if current.series_id is not None:
        raise BadInput(texts.cli.agenda_cli_occurrence(item.number, current.series_id))
    return current


async def edit_action(ctx: Context, args: argparse.Namespace) -> int:
    agenda = ctx.services.agenda
    apply_json(args, _SETTERS, _DESCRIPTIVE_KEYS | {"user"})
    given = [args.title, args.start, args.end, args.minutes, args.all_day, args.action_type, args.location]
    given += [args.note, args.private, args.reminder, args.no_reminder or None]
    if all(value is None for value in given):
        raise BadInput(texts.cli.nothing_to_change(texts.cli.AGENDA_CLI_EDIT_OPTIONS))
    viewer = await _acting(ctx, args)
    types = [t.label for t in await agenda.action_types()]
    current: Action | Series
    if args.item.series:
        current = await agenda.get_series(viewer, args.item.number)
    else:
        current = await _single(ctx, viewer, args.item)
    duration = int((current.end - current.start).total_seconds() // 60)
    draft = _apply(agenda.draft_of(current), args, duration, types)
    if isinstance(current, Series):
        saved: Action | Series = await _save_series(
            ctx, viewer, draft, args.item.number, args.end is not None
        )
    else:
        saved = await _save(ctx, viewer, draft, args.item.number, args.end is not None)
    if args.json:
        ctx.print_json(_item_json(ctx, saved, "series" if isinstance(saved, Series) else "single"))
    else:
        ctx.print(texts.cli.agenda_cli_saved(str(args.item), saved.title))
    return 0


async def delete_action(ctx: Context, args: argparse.Namespace) -> int:
    agenda = ctx.services.agenda
    viewer = await _acting(ctx, args)
    current = (
        await agenda.get_series(viewer, args.item.number)
        if args.item.series
        else await _single(ctx, viewer, args.item)
    )
    what = texts.cli.agenda_cli_what(
        str(args.item), current.owner, current.start.astimezone(ctx.tz), current.title
    )
    if not args.yes:
        raise BadInput(texts.cli.cli_delete_needs_yes(what))
    if args.item.series:
        await agenda.delete_series(viewer, args.item.number)
    else:
        await agenda.delete_action(viewer, args.item.number)
    ctx.print(texts.cli.agenda_cli_deleted(what))
    return 0
