"""The command line's own words, read in a shell: usage and option problems, `--from-json` input, the
text renderings of `user list`, `contacts list`, `agenda list` and `admin show`, the demo and the
benchmark.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from tui_sync.texts.microsoft import CONNECTED, NOT_CONNECTED
from tui_sync.texts.sync import NEVER

if TYPE_CHECKING:
    from datetime import date, datetime

    from tui_sync.domain.models import Rights, User


# --- usage and options ----------------------------------------------------------------------------


def usage_error(command: str, problem: str, help_command: str) -> str:
    """A command line argparse refused: which command, what is wrong, where to look."""
    where = f"{command}: " if command else ""
    return f"{where}{problem} (see: {help_command})"


def unrecognized_arguments(extra: Iterable[str]) -> str:
    """Words left over on a command line, in argparse's wording (argparse words the other usage errors)."""
    return f"unrecognized arguments: {' '.join(extra)}"


def nothing_to_change(options: str) -> str:
    return f"nothing to change: give at least one of {options}"


def bad_option(option: str, problem: str) -> str:
    return f"{option}: {problem}"


FROM_AND_TO_TOGETHER = "--from and --to go together: give both days, or neither to use the preferences"
VERSION_UNKNOWN = "(version unknown: not installed)"


# --- --from-json ----------------------------------------------------------------------------------

JSON_TEXT = "must be text"
JSON_LIST_OF_TEXT = "must be a list of text lines"
JSON_TRUE_OR_FALSE = "must be true or false"
JSON_WHOLE_NUMBER_OR_NULL = "must be a whole number of minutes, or null for none"
JSON_NOT_UTF8 = "not UTF-8 text"
JSON_NOT_AN_OBJECT = "must hold one JSON object ({...})"
JSON_TOO_DEEP = "not JSON this command can read (nested too deeply)"


def json_input_problem(source: str, problem: str) -> str:
    where = "stdin" if source == "-" else source
    return f"--from-json {where}: {problem}; nothing was changed"


def json_syntax(line: int, column: int, problem: str) -> str:
    return f"not JSON (line {line}, column {column}: {problem})"


def json_unknown_keys(keys: list[str], known: list[str]) -> str:
    return f"unknown key(s) {', '.join(keys)}; the keys are: {', '.join(known)}"


# --- tui-sync admin and user ----------------------------------------------------------------------


def microsoft_settings_text(client_id: str, tenant: str) -> str:
    return f"client ID: {client_id or '(not set)'}\ntenant: {tenant}"


def machine_files_text(config_file: object, database: object, token_cache: object, log_file: object) -> str:
    """`admin show`: where this machine's files are (what to back up, what to look at)."""
    config = config_file if config_file is not None else "(none: defaults and TUI_SYNC_* variables)"
    return f"config file: {config}\ndatabase: {database}\ntoken cache: {token_cache}\nlog file: {log_file}"


def user_text(user: User, rights: Sequence[Rights]) -> str:
    """`user list` without --json: a few lines per user, what the JSON prints."""

    def yes_no(flag: bool) -> str:
        return "yes" if flag else "no"

    def when(value: datetime | None) -> str:
        return value.strftime("%Y-%m-%d %H:%M") if value else NEVER

    p = user.prefs

    def granted(r: Rights) -> str:
        return "/".join(k for k, on in (("visible", r.visible), ("agenda", r.agenda)) if on) or "none"

    on_others = ", ".join(f"{r.target} ({granted(r)})" for r in rights)
    connected = user.home_account_id is not None
    return "\n".join(
        [
            f"{user.code}  {user.full_name}" + ("  (administrator)" if user.is_admin else ""),
            f"  {p.interface}, login {p.login_email or '-'}, calendar {p.calendar_name or '-'}, "
            f"period {p.months_before} month(s) before / {p.months_after} after",
            f"  automatic {yes_no(p.automatic)}, at startup {yes_no(p.at_startup)}, "
            f"series {yes_no(p.series)}",
            f"  Microsoft 365: {'● ' + CONNECTED if connected else '○ ' + NOT_CONNECTED}, "
            f"last agenda sync {when(user.last_agenda_sync)}, "
            f"last contacts sync {when(user.last_contacts_sync)}",
            f"  rights on others: {on_others or 'none'}",
        ]
    )


# --- tui-sync contacts ----------------------------------------------------------------------------


def contact_list_line(contact_id: int, name: str, company: str, email: str, city: str) -> str:
    """`contacts list`: the id, then NAME First and the company, e-mail and city that are set."""
    return "  ".join([f"{contact_id:>8}", name, *(part for part in (company, email, city) if part)])


def contact_cli_what(name: str) -> str:
    """The contact `contacts delete` is about, in its refusal without --yes."""
    return f"contact {name}"


def contact_deleted_from_lists(codes: list[str]) -> str:
    """A deleted contact that was on users' contacts-to-sync lists: its Microsoft copy goes next sync."""
    whose = ", ".join(codes)
    return f"It was on the contacts to sync of {whose}: each one's next sync deletes its Microsoft 365 copy"


def sync_list_count(code: str, count: int, limit: int) -> str:
    return f"contacts to sync for {code}: {count} / {limit}"


def sync_list_entry(contact_id: int, name: str) -> str:
    return f"{contact_id:>8}  {name}"


def cli_delete_needs_yes(what: str) -> str:
    """`agenda delete` / `contacts delete` without --yes: what would go, and that nothing did."""
    return f"--yes: give it to delete {what}; nothing was deleted"


# --- tui-sync agenda ------------------------------------------------------------------------------

AGENDA_CLI_REQUIRED = "required (as an option, or in the --from-json object)"
AGENDA_CLI_TO_BEFORE_FROM = "must be on or after --from"
AGENDA_CLI_END_OR_MINUTES = "give --end or --minutes, not both"
AGENDA_CLI_REMINDER_OR_NOT = "give --reminder or --no-reminder, not both"
AGENDA_CLI_EDIT_OPTIONS = (
    "--title, --start, --end, --minutes, --all-day, --type, --location, --note, --private, --reminder, "
    "--no-reminder"
)


def agenda_cli_bad_id(typed: str) -> str:
    return f"{typed!r} is not an id: N for an action, SN for a series (as agenda list shows them)"


def agenda_cli_occurrence(action_id: int, series_id: int) -> str:
    """`agenda edit|delete N` on an occurrence edited on its own: what the command line can do instead."""
    return (
        f"action {action_id} is an occurrence of the series S{series_id}: give S{series_id} to change or "
        "delete the whole series; one occurrence alone is changed in the terminal application"
    )


def agenda_cli_line(ident: str, day: date, when: str, action_type: str, title: str, marks: str) -> str:
    """One action of `tui-sync agenda list`: id (S<series> for an occurrence), day, time, type, title,
    marks (R series, E edited occurrence, P private)."""
    return f"{ident:>6}  {day.isoformat()}  {when:<11}  {action_type:<12}  {title}  {marks}".rstrip()


def agenda_cli_empty(code: str, first: date, last: date) -> str:
    return f"No actions for {code} from {first.isoformat()} to {last.isoformat()}"


def agenda_cli_unknown_type(label: str, labels: list[str]) -> str:
    return f"no action type {label!r}; the types are: {', '.join(labels)}"


def agenda_cli_saved(ident: str, title: str) -> str:
    what = "series" if ident.startswith("S") else "action"
    return f"Saved {what} {ident}: {title} (the next sync sends it to Microsoft 365)"


def agenda_cli_what(ident: str, owner: str, start: datetime, title: str) -> str:
    what = "series" if ident.startswith("S") else "action"
    return f"{what} {ident} of {owner} on {start.strftime('%Y-%m-%d %H:%M')}: {title}"


def agenda_cli_deleted(what: str) -> str:
    return f"Deleted {what} (the next sync deletes it in Microsoft 365)"


# --- tui-sync demo and bench ----------------------------------------------------------------------


def demo_preparing(folder: object, fresh: bool) -> str:
    what = "Seeding a demo company and its Microsoft 365 (a few seconds)" if fresh else "Opening the demo"
    return f"{what} in {folder} …"


def demo_kept(folder: object) -> str:
    return f"The demo is kept in {folder}: tui-sync demo --keep {folder} opens it again."


def demo_not_a_folder(folder: object) -> str:
    return f"--keep {folder}: not a folder"


def demo_folder_not_empty(folder: object) -> str:
    return f"--keep {folder}: the folder holds other files and no demo; give a new or empty folder"


BENCH_NO_TIME = (
    "at least one of --server-ms and --network-ms must be above 0: with neither, the floor every "
    "case is held against is 0 s"
)
