"""Every sentence a user reads, in one place, so the TUI and the CLI say the same thing and a French
translation is one file away. Functions for messages with values; constants for fixed ones.

Sections: configuration, store and administration, import/export, Microsoft sign-in and Test,
sync, dialogs.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from datetime import date, datetime

    from tui_sync.domain.models import InvalidValue

# --- configuration -------------------------------------------------------------------------------

CONFIG_UNKNOWN_KEY = "unknown key"
CONFIG_NOT_JSON = "a table given as a variable must be JSON (or use one variable per key, joined by __)"
# What a setting must be (the `expected` of config_wrong_type).
CONFIG_WHOLE_NUMBER = "a whole number"
CONFIG_TEXT = "text"
CONFIG_FILE_PATH = "a file path"
CONFIG_TABLE = "a table"
CONFIG_TRUE_OR_FALSE = "true or false"
CONFIG_URL = "an http(s):// URL"


def config_problem(where: str, key: str, problem: str) -> str:
    """One bad setting: `where` is the file or the variable ("" when said before), `key` the dotted key."""
    return ": ".join(part for part in (where, key, problem) if part)


def config_file_missing(path: object, given_by: str) -> str:
    return f"config file {path} (given by {given_by}) does not exist"


def config_unreadable(path: object, reason: str) -> str:
    return f"config file {path} cannot be read: {reason}"


def config_syntax(path: object, detail: str) -> str:
    return f"config file {path}: TOML syntax error: {detail}"


def config_in_file(path: object) -> str:
    return f"config file {path}"


def config_in_env(variable: str) -> str:
    return f"environment variable {variable}"


def config_bad_timezone(name: object) -> str:
    return f"{name!r} is not an IANA time zone name (e.g. Europe/Paris)"


def config_out_of_range(low: float, high: float, got: object) -> str:
    return f"must be between {low} and {high} (got {got!r})"


def config_not_one_of(choices: tuple[str, ...], got: object) -> str:
    return f"must be one of {' | '.join(choices)} (got {got!r})"


def not_a_number(text: str, whole: bool = False) -> str:
    return f"not a {'whole ' if whole else ''}number: {text!r}"


def config_wrong_type(expected: str, got: object) -> str:
    return f"must be {expected} (got {got!r})"


# --- store and administration --------------------------------------------------------------------

ADMIN_FULL_NAME = "Administrator"
NOT_CONNECTED = "not connected"
CONNECTED = "connected"
NEVER = "never"
INTERRUPTED = "interrupted"


def usage_error(command: str, problem: str, help_command: str) -> str:
    """A command line argparse refused: which command, what is wrong, where to look."""
    where = f"{command}: " if command else ""
    return f"{where}{problem} (see: {help_command})"


def unrecognized_arguments(extra: Iterable[str]) -> str:
    """Words left over on a command line, in argparse's wording (argparse words the other usage errors)."""
    return f"unrecognized arguments: {' '.join(extra)}"


def unknown_user(code: str) -> str:
    return f"no user {code} in the CRM (see: tui-sync user list)"


def user_exists(code: str) -> str:
    return f"user {code} already exists"


def not_found(kind: str, item_id: object) -> str:
    return f"no {kind} with id {item_id}"


def action_type_exists(label: str) -> str:
    return f"action type {label!r} already exists"


def unknown_action_type(label: str) -> str:
    return f"no action type {label!r} (see the action types in Administration)"


def own_rights(code: str) -> str:
    return f"{code} always sees and syncs their own agenda: rights are for another user"


def sync_list_limit(code: str, current: int, adding: int, limit: int) -> str:
    return (
        f"the contacts-to-sync list of {code} is limited to {limit} contacts: it has {current}, "
        f"adding {adding} would make {current + adding}; nothing was added"
    )


def sync_busy(code: str, holder: str, since: str) -> str:
    """Another live run holds the user: who, where (`holder`) and since when."""
    return f"{code} is being synchronised elsewhere ({holder}) since {since}; try again when it has finished"


def database_too_new(path: object, version: int, known: int) -> str:
    return (
        f"database {path} was written by a newer tui-sync (schema {version}, this one knows {known}); "
        "upgrade tui-sync"
    )


def database_unusable(path: object, reason: str) -> str:
    return f"database {path} cannot be used: {reason}"


def database_busy(path: object) -> str:
    return f"database {path} is busy: another tui-sync kept it locked; try again in a moment"


def nothing_to_change(options: str) -> str:
    return f"nothing to change: give at least one of {options}"


def bad_option(option: str, problem: str) -> str:
    return f"{option}: {problem}"


def microsoft_settings_saved(client_id: str, tenant: str) -> str:
    return f"Microsoft application saved: client ID {client_id}, tenant {tenant}"


def user_added(code: str, full_name: str, admin: bool) -> str:
    return f"user {code} ({full_name}) added" + (" as an administrator" if admin else "")


def user_updated(code: str) -> str:
    return f"user {code} updated"


def rights_saved(viewer: str, target: str, visible: bool, agenda: bool) -> str:
    def yes_no(flag: bool) -> str:
        return "yes" if flag else "no"

    return f"{viewer} on {target}: visible {yes_no(visible)}, agenda {yes_no(agenda)}"


def sync_list_count(code: str, count: int, limit: int) -> str:
    return f"contacts to sync for {code}: {count} / {limit}"


def sync_list_entry(contact_id: int, name: str) -> str:
    return f"{contact_id:>8}  {name}"


def last_admin(code: str) -> str:
    return f"{code} is the last administrator: make another user an administrator first"


def admin_only(code: str) -> str:
    return f"Administration is for administrators: {code} is not one (ask ADM to make you one)"


def microsoft_settings_text(client_id: str, tenant: str) -> str:
    return f"client ID: {client_id or '(not set)'}\ntenant: {tenant}"


def user_text(user: dict) -> str:
    """`user list` without --json: a few lines per user, from the same dict the JSON prints."""

    def yes_no(flag: bool) -> str:
        return "yes" if flag else "no"

    def when(value: datetime | None) -> str:
        return value.strftime("%Y-%m-%d %H:%M") if value else NEVER

    p = user["prefs"]
    rights = ", ".join(
        f"{r['target']} ({'/'.join(k for k in ('visible', 'agenda') if r[k]) or 'none'})"
        for r in user["rights"]
    )
    return "\n".join(
        [
            f"{user['code']}  {user['full_name']}" + ("  (administrator)" if user["admin"] else ""),
            f"  {p['interface']}, login {p['login_email'] or '-'}, calendar {p['calendar_name'] or '-'}, "
            f"period {p['months_before']} month(s) before / {p['months_after']} after",
            f"  automatic {yes_no(p['automatic'])}, at startup {yes_no(p['at_startup'])}, "
            f"series {yes_no(p['series'])}",
            f"  Microsoft 365: {'● ' + CONNECTED if user['connected'] else '○ ' + NOT_CONNECTED}, "
            f"last agenda sync {when(user['last_agenda_sync'])}, "
            f"last contacts sync {when(user['last_contacts_sync'])}",
            f"  rights on others: {rights or 'none'}",
        ]
    )


# --- import / export -----------------------------------------------------------------------------


def record_refused(source: str, where: str, reason: str) -> str:
    """`contacts.csv line 7: email 'x@' is not an e-mail address`."""
    return f"{source} {where}: {reason}"


def not_utf8(source: str, line: int) -> str:
    return f"{source} line {line}: the file is not UTF-8 text"


def empty_file(source: str, what: str) -> str:
    return f"{source}: no {what} found in the file"


def invalid_value(error: InvalidValue, field_name: str | None = None) -> str:
    """A domain refusal as a reason: `email 'x@' is not an e-mail address`, `end: must be after …`."""
    name = field_name or error.field
    sep = " " if error.problem.startswith("'") else ": "
    return f"{name}{sep}{error.problem}"


def _changes(new: int, updated: int, unchanged: int) -> str:
    return f"{new} new, {updated} updated, {unchanged} unchanged"


def imported_contacts(new: int, updated: int, unchanged: int, with_photo: int) -> str:
    """`Imported contacts: 3 new, 0 updated, 0 unchanged (1 with photo)`."""
    return f"Imported contacts: {_changes(new, updated, unchanged)} ({with_photo} with photo)"


def imported_agenda(
    user: str,
    new: int,
    updated: int,
    unchanged: int,
    actions: int,
    series: int,
    exceptions: int,
    cancelled: int,
) -> str:
    """What an agenda import did (new/updated/unchanged: actions and series), then what the file held."""
    return (
        f"Imported into {user}'s agenda: {_changes(new, updated, unchanged)} "
        f"({actions} action{'s' if actions != 1 else ''}, {series} series, "
        f"{exceptions} exception{'s' if exceptions != 1 else ''}, "
        f"{cancelled} cancelled occurrence{'s' if cancelled != 1 else ''})"
    )


def unknown_categories(count: int, labels: list[str], fallback: str) -> str:
    shown = ", ".join(repr(label) for label in labels)
    noun = "event has a category" if count == 1 else "events have categories"
    return f"warning: {count} {noun} with no matching action type ({shown}): imported as {fallback!r}"


def orphan_exceptions(count: int) -> str:
    noun = "modified occurrence has" if count == 1 else "modified occurrences have"
    return f"warning: {count} {noun} no series in the file: imported as single actions"


def exported(count: int, what: str, target: str) -> str:
    return f"Exported {count} {what} to {target}"


def exported_contacts(count: int, target: str) -> str:
    return exported(count, "contacts" if count != 1 else "contact", target)


def exported_agenda(user: str, actions: int, series: int, target: str) -> str:
    return exported(actions, f"actions and {series} series of {user}", target)


def unknown_contacts_format(source: str) -> str:
    return f"{source}: not a contacts file (expected CSV with a header row, or vCard)"


def unknown_export_format(source: str) -> str:
    return f"{source}: unknown export format (use a .vcf, .vcard or .csv file name, or --json)"


def cannot_read(path: object, reason: str) -> str:
    return f"{path}: cannot read the file ({reason})"


def cannot_write(path: object, reason: str) -> str:
    return f"{path}: cannot write the file ({reason})"


def file_or_json(path: object) -> str:
    return f"{path}: give a FILE or --json, not both (--json prints to stdout)"


def not_calendar(source: str, detail: str) -> str:
    return f"{source}: not an iCalendar file ({detail})"


def not_ics(source: str) -> str:
    return f"{source}: an agenda exports to an .ics file (or --json)"


# Where in a file a refused record is (`where` of record_refused).


def at_line(number: int) -> str:
    return f"line {number}"


def at_record(number: int, first_line: int) -> str:
    return f"record {number} (line {first_line})"


# Why a CSV or vCard record is refused (`reason` of record_refused).


def no_header_row(source: str) -> str:
    return empty_file(source, "header row")


def no_vcard(source: str) -> str:
    return empty_file(source, "vCard")


def not_csv(error: object) -> str:
    return f"not valid CSV ({error})"


def unknown_column(name: str, columns: Iterable[str]) -> str:
    return f"unknown column {name!r} (columns: {', '.join(columns)})"


def duplicate_column(name: str) -> str:
    return f"column {name!r} appears twice"


def wrong_field_count(expected: int, found: int) -> str:
    return f"expected {expected} fields as in the header, found {found}"


PHOTO_NOT_BASE64 = "photo is not base64 data"


def expected_begin_vcard(shown: str) -> str:
    return f"expected BEGIN:VCARD, found {shown}"


def vcard_not_ended(next_begin_line: int) -> str:
    return f"no END:VCARD before the next BEGIN:VCARD on line {next_begin_line}"


NO_END_VCARD = "no END:VCARD"


def not_vcard_line(shown: str) -> str:
    return f"not a vCard line: {shown}"


def invalid_vcard(error: object) -> str:
    return f"not a valid vCard ({error})"


PHOTO_URI_NOT_BASE64 = "PHOTO data URI is not base64"
PHOTO_BAD_BASE64 = "PHOTO is not valid base64"

# Why an iCalendar event is refused.


def at_event(line: int, name: str) -> str:
    """Where an event is: the line of the property at fault, and the event's title or number."""
    return f"line {line} (event {name})"


def no_vcalendar(source: str) -> str:
    return not_calendar(source, "expected BEGIN:VCALENDAR")


def not_ical_line(shown: str) -> str:
    return f"not an iCalendar line: {shown!r}"


def ical_line_problem(problem: str) -> str:
    return f"not an iCalendar line ({problem})"


def invalid_date_property(prop: str, shown: str) -> str:
    return f"{prop} {shown!r} is not a valid date or date-time"


def invalid_property(prop: str, shown: str, problem: str) -> str:
    return f"{prop} {shown!r} is not valid ({problem})"


def repeated_property(prop: str) -> str:
    return f"{prop} appears more than once"


def extra_rule_unsupported(prop: str) -> str:
    return f"{prop} is not supported (Outlook has no extra or excluding rules)"


EDITED_OCCURRENCE_WITH_RRULE = "an edited occurrence (RECURRENCE-ID) cannot have its own RRULE"
THISANDFUTURE_UNSUPPORTED = "RANGE=THISANDFUTURE is not supported"
RULE_WITHOUT_OCCURRENCE = "the rule gives no occurrence"
NO_DTSTART = "no DTSTART"
DTEND_AND_DURATION = "DTEND and DURATION cannot both be given"
DTEND_KIND_MISMATCH = "DTEND must be a date when DTSTART is a date, a date-time otherwise"


def shared_uid(uid: str) -> str:
    return f"two recurring events share the UID {uid!r}"


def not_date_or_datetime(value: object, prop: str = "") -> str:
    """A DTSTART, RECURRENCE-ID (named) or EXDATE (not named: the line says it) that is neither."""
    named = f"{prop} " if prop else ""
    return f"{named}{value!r} is not a date or a date-time"


def not_duration(value: object) -> str:
    return f"{value!r} is not a duration"


def bad_trigger(value: object) -> str:
    return f"TRIGGER {value!r} is neither a duration nor a date-time"


# Why a recurrence rule (RRULE) is refused: Outlook's vocabulary is smaller than RFC 5545's.


def rrule_inexpressible(rule: str, why: str) -> str:
    """`why` is one of the RRULE_* constants or rrule_* reasons below."""
    return f"RRULE {rule} cannot be expressed in Outlook ({why})"


def rrule_unsupported_part(part: str) -> str:
    return f"RRULE {part} is not supported (Outlook has no such rule)"


RRULE_NO_FREQ = "RRULE has no FREQ"
RRULE_UNTIL_AND_COUNT = "RRULE has both UNTIL and COUNT"


def rrule_bad_wkst(wkst: str) -> str:
    return f"RRULE WKST={wkst} is not a day"


def rrule_not_numbers(part: str) -> str:
    return f"RRULE {part} is not a list of numbers"


def rrule_not_number(part: str) -> str:
    return f"RRULE {part} is not a number"


def rrule_bad_byday(item: object) -> str:
    return f"RRULE BYDAY {item!r} is not a day"


def rrule_bad_until(until: object) -> str:
    return f"RRULE UNTIL {until!r} is not a date"


RRULE_ONE_OF_EACH = "one month, one day of the month and one BYSETPOS at most"
RRULE_PLAIN_DAYS_ONLY = "a daily or weekly rule takes only plain days"
RRULE_DAYS_WITH_DAY_INTERVAL = "days of the week with an interval of days"
RRULE_BYMONTH_IN_MONTHLY = "BYMONTH in a monthly rule"
RRULE_ONE_NUMBERED_WEEKDAY = "one numbered weekday at most, like 2TU or -1FR"
RRULE_BYDAY_WITH_BYMONTHDAY = "BYDAY together with BYMONTHDAY"
RRULE_NUMBERED_WEEKDAY_OF_YEAR = "a numbered weekday of the year"
RRULE_EVERY_SUCH_WEEKDAY = "every such weekday of the month or year"
RRULE_BYSETPOS_WITHOUT_BYDAY = "BYSETPOS without BYDAY"


def rrule_freq(freq: str) -> str:
    return f"FREQ={freq}: Outlook repeats daily, weekly, monthly or yearly"


def rrule_position(position: int) -> str:
    return f"position {position}: Outlook knows first to fourth and last"


def rrule_monthday(day: int) -> str:
    return f"BYMONTHDAY={day}: Outlook counts days from the start of the month"


def series_on_other_day(pattern: str, start: datetime, zone: str, crm_zone: str) -> str:
    """A monthly or yearly series whose first start is another day in the CRM's zone than in its own."""
    return (
        f"this {pattern} series starts on {start:%Y-%m-%d %H:%M} in {zone}, another "
        f"day in the CRM's time zone {crm_zone}: Outlook's rule cannot follow it"
    )


# --- Microsoft sign-in, Graph and Test -------------------------------------------------------

CALENDAR_NAME_NOT_SET = "Calendar name is not set"
CALENDAR_NAME_NOT_SET_FR = "Nom du calendrier non renseigné"  # the sheet's wording of the same check
ACCOUNT_NOT_ACCESSIBLE = "User account information is not accessible"
REASON_NO_CLIENT_ID = "no application (client) ID is set"
REASON_NOT_CONNECTED = "not connected to Microsoft 365"
REASON_TOKEN_REFUSED = "Microsoft 365 refused the sign-in"
CONNECT_FIX_TUI = "check the ADM settings, then press Connect"
CONNECT_FIX_CLI = "check the ADM settings (tui-sync admin client-id), then run tui-sync connect"
SIGN_IN_CANCELLED = "Sign-in cancelled; nothing was changed."
SIGN_IN_DECLINED = "The sign-in was declined on the Microsoft page; nothing was changed."
SIGN_IN_EXPIRED = "The sign-in code expired before it was used; start again."
CATEGORIES_OK = "Every action type has an Outlook category"


THIS_USER = "this user"  # stands for the user's code when the caller did not give it
NO_ACCOUNT_RETURNED = "the service returned no account"
# Why a server could not be reached (the `detail` of cannot_reach).
UNTRUSTED_CERTIFICATE_SIGN_IN = "the server's certificate is not trusted (check ca_file in the config)"
UNTRUSTED_CERTIFICATE_GRAPH = "the server's certificate is not trusted (check ca_file)"
NO_ANSWER_IN_TIME = "no answer in time"
CONNECTION_REFUSED = "connection refused or host unknown"
CONNECTION_FAILED = "the connection failed"


def sign_in_service(authority: str) -> str:
    """What cannot_reach names when the sign-in service is unreachable."""
    return f"the Microsoft sign-in service at {authority}"


def reason_token_refused(reason: str) -> str:
    return f"{REASON_TOKEN_REFUSED}: {reason}"


def connect_fix_cli(user_code: str) -> str:
    return f"check the ADM settings (tui-sync admin client-id), then run: tui-sync connect --user {user_code}"


def reason_wrong_client_id(client_id: str) -> str:
    return f"the application (client) ID {client_id} is not known to Microsoft"


def account_not_accessible(reason: str, fix: str = "") -> str:
    """The Test line for every sign-in problem: what went wrong, and how to fix it when the front end
    that shows it says so (see `with_fix`)."""
    line = f"{ACCOUNT_NOT_ACCESSIBLE} ({reason})"
    return with_fix(line, fix) if fix else line


def reconnect_needed(user_code: str, reason: str) -> str:
    """A connection that worked once and no longer does (revoked, expired): the user must sign in again."""
    return (
        f"The Microsoft 365 connection of {user_code} no longer works ({reason}): reconnect "
        f"(Preferences → Connect, or: tui-sync connect --user {user_code})"
    )


def calendar_not_found(name: str, during_sync: bool = False) -> str:
    where = "on the server" if during_sync else "on the Office 365 account"
    return f"No calendar named {name} was found {where}"


def calendar_found(name: str) -> str:
    return f"Calendar {name} found"


def signed_in_as(username: str) -> str:
    return f"Signed in to Microsoft 365 as {username}"


def email_mismatch(signed_in: str, expected: str) -> str:
    return (
        f"Warning: signed in as {signed_in}, but the login e-mail set for this user is {expected}; "
        "if that is the wrong account, Reset and connect again"
    )


def device_code_instructions(url: str, code: str, minutes: int) -> str:
    return f"To sign in, open {url} in a browser and enter the code {code} (valid {minutes} min)."


def waiting_for_sign_in(ctrl_c: bool = True) -> str:
    return "Waiting for the sign-in…" + (" (Ctrl-C cancels)" if ctrl_c else "")


def sign_in_failed(detail: str) -> str:
    return f"The Microsoft sign-in failed: {detail}"


def missing_categories(labels: list[str]) -> str:
    """The Test's warning; each front end says how it creates them (the TUI: ctrl+g; the CLI: the
    command, `create_categories_cli`)."""
    return "Warning: no Outlook category for the action types " + ", ".join(labels)


def categories_created(labels: list[str]) -> str:
    return "Outlook categories created: " + ", ".join(labels)


def disconnected(user_code: str, tokens_removed: bool, links_cleared: int | None) -> str:
    """What Reset did: the account's tokens, and the CRM ⇄ Microsoft links (None: not touched)."""
    tokens = "its Microsoft 365 tokens were removed" if tokens_removed else "it had no Microsoft 365 tokens"
    links = "" if links_cleared is None else f"; {links_cleared} sync links cleared"
    return f"{user_code} disconnected: {tokens} from this machine{links}"


RESET_WHAT_FOLLOWS = (
    "The next sync finds the items tui-sync created in Microsoft 365 by their CRM stamp: no duplicates."
)


def cannot_reach(what: str, detail: str) -> str:
    return f"Cannot reach {what}: {detail}"


def graph_failed(status: int, code: str, detail: str) -> str:
    """An error Graph answered that none of the specific messages covers: its code says what it was."""
    return f"Microsoft 365 answered {status} {code}: {detail}"


def graph_throttled(attempts: int) -> str:
    return f"Microsoft 365 is throttling the requests (still busy after {attempts} attempts); try again later"


def graph_access_denied(detail: str) -> str:
    return f"Microsoft 365 refused access ({detail}): check the application's API permissions, then reconnect"


def graph_foreign_link(url: str) -> str:
    """A paging link to another server than Graph's: never followed, it would receive the token."""
    return f"Microsoft 365 sent a link to another server ({url}); it was not followed"


def graph_connection_lost(method: str, path: str) -> str:
    return (
        f"The connection to Microsoft 365 dropped during {method} {path}; it was not retried because it "
        "may already have taken effect — run the sync again (it creates no duplicates)"
    )


def unreadable_item(kind: str, item_id: object, problem: str) -> str:
    """A Graph event, series or contact that cannot become a CRM item; `problem` says why."""
    return f"Microsoft 365 {kind} {item_id or '(no id)'} cannot be read: {problem}"


EMPTY_STAMP = "the CRM key to stamp on a Microsoft 365 item must not be empty"
NO_RECURRENCE = "it has no recurrence"  # a series master without its pattern, as unreadable_item's problem


def no_windows_zone(name: str) -> str:
    return (
        f"the time zone {name!r} has no Microsoft 365 (Windows) equivalent: "
        "set `timezone` to another IANA name (e.g. Europe/Paris)"
    )


def unknown_graph_zone(name: object) -> str:
    return f"Microsoft 365 sent a time zone tui-sync does not know: {name!r}"


def bad_graph_datetime(value: object) -> str:
    return f"Microsoft 365 sent a date/time tui-sync cannot read: {value!r}"


# --- sync ----------------------------------------------------------------------------------------


FROM_AND_TO_TOGETHER = "--from and --to go together: give both days, or neither to use the preferences"

PHASES = {
    "connecting": "Connecting",
    "reading": "Reading both sides",
    "planning": "Comparing",
    "confirming": "Waiting for your answers",
    "writing": "Writing",
    "recording": "Recording",
    "done": "Done",
}


def progress_line(event: Any) -> str:
    """One line of live progress: phase, counts, requests so far."""
    counts = f" {event.done}/{event.total}" if event.total else ""
    phase = PHASES.get(event.phase, event.phase)
    return f"{event.what.capitalize()}: {phase}{counts} · {event.requests} requests"


def _sides(counts: Any) -> str:
    return f"+{counts.created} created, ~{counts.updated} updated, -{counts.deleted} deleted"


def summary_lines(summary: Any) -> list[str]:
    """The end-of-sync report, as the CLI prints it and the wizard shows it."""
    lines = []
    if summary.agenda is not None:
        a = summary.agenda
        lines.append(f"Agenda → Microsoft 365: {_sides(a.microsoft)}")
        lines.append(f"Agenda → CRM: {_sides(a.crm)}")
        lines.append(
            f"Conflicts: {a.conflicts} · kept deletions: {a.kept} · left out by limits: {a.left_out}"
        )
    if summary.contacts is not None:
        c = summary.contacts
        lines.append(f"Contacts → Microsoft 365: {_sides(c.microsoft)}")
        lines.append(f"Contact notes → CRM: ~{c.crm.updated} updated · left out by limits: {c.left_out}")
    lines.extend(summary.notices)
    state = "completed" if summary.ok else f"finished with {len(summary.errors)} error(s)"
    lines.append(f"Sync of {summary.user} {state} in {summary.seconds:.1f} s, {summary.requests} requests")
    return lines


def item_failed(title: str, reason: str) -> str:
    return f"“{title}” could not be synced: {reason}"


def left_out(count: int) -> str:
    return (
        f"{count} actions or occurrences were left out (at most 800 actions and 800 series occurrences "
        "per period): shorten the period to sync them"
    )


def contacts_left_out(count: int) -> str:
    return f"{count} contacts were left out (at most 2000 contacts are synced): shorten the sync list"


def not_allowed_agenda(viewer: str, target: str) -> str:
    return f"{viewer} may not sync {target}'s agenda: ask an administrator for the agenda right"


def not_allowed_contacts(viewer: str, target: str) -> str:
    return f"{viewer} may not sync {target}'s contacts: only {target} or an administrator can"


def mass_deletion_warning(deletions: int, linked: int) -> str:
    return (
        f"This sync would delete {deletions} items of the {linked} synced ones. Check first that the "
        "calendar in the preferences and the Microsoft 365 account are the ones synced before, and that "
        "the items are really gone from Outlook: going on asks about each one deleted in Microsoft 365."
    )


def mass_deletion_refused(deletions: int, linked: int, headless: bool) -> str:
    """A sync stopped by the mass-deletion check. Headless (no one to ask item by item), the way on is
    `--yes`, which deletes every one of them: say so, and what to check before."""
    stopped = f"Sync stopped before writing anything: it would delete {deletions} of {linked} synced items"
    if not headless:
        return stopped
    return (
        f"{stopped}. Check first that the calendar (`tui-sync user list`) and the Microsoft 365 account "
        "(`tui-sync test --user CODE`) are the ones synced before and that the items are really gone "
        "from Outlook, or sync in the terminal application to decide item by item; --yes deletes all "
        f"{deletions}, asking about none"
    )


# --- dialogs -------------------------------------------------------------------------------------


# --- the terminal application ------------------------------------------------------------------------

UI_YES = "Yes"
UI_NO = "No"
UI_DELETE = "Delete"
UI_KEEP = "Keep"
UI_DELETE_ALL = "Delete all remaining"
UI_KEEP_ALL = "Keep all remaining"
UI_CONTINUE = "Continue"
UI_STOP_SYNC = "Stop the sync"
DELETION_QUESTION = "It was deleted in Microsoft 365. Delete it from the CRM too? (Kept, it is written back.)"
MASS_DELETION_TITLE = "Many deletions"
MASS_DELETION_KEYS = "y  go on and ask about each one    n / escape  stop the sync, nothing is written"
DELETION_KINDS = {"action": "Action", "series": "Series", "occurrence": "Occurrence of a series"}
SYNC_ALREADY_RUNNING = "A sync is already running: wait for it to end (or cancel it in the Sync wizard)."
SYNC_CANCELLED = "Sync cancelled: what was written is recorded, nothing is half-done; sync again to finish."
QUIT_DURING_SYNC = "A sync is running. Quit anyway?"
QUIT_DURING_SYNC_DETAILS = (
    "The sync is cancelled cleanly: what it wrote is recorded, the rest waits for the next sync."
)
CANCEL_SYNC_QUESTION = "Cancel the running sync?"
CANCEL_SYNC_DETAILS = (
    "What was written so far is recorded; the next sync finishes the rest, without duplicates."
)
UNEXPECTED_FAILURE = "Something went wrong"
PICK_USER_TITLE = "Who are you? Pick your CRM user (enter)"


def deletion_title(index: int, total: int) -> str:
    return f"Deleted in Microsoft 365 — {index} of {total}"


def deletion_item(kind: str, title: str, start: datetime | None, owner: str, tz: Any) -> str:
    """What the deletion dialog says of the item: its kind, title, date and owner."""
    when = start.astimezone(tz).strftime("%a %d %b %Y %H:%M") if start is not None else "no date"
    return f"{DELETION_KINDS.get(kind, kind)} “{title}”\n{when} · owner {owner}"


def deletion_keys(remaining: int) -> str:
    """The dialog's key line; the bulk keys say how many items they would delete."""
    rest = f"all {remaining} remaining" if remaining > 1 else "this last one"
    return f"y delete · n keep · ctrl+y / Y delete {rest} · escape keep {rest}"


def relative_time(when: datetime | None, now: datetime) -> str:
    """ "3 min ago", "2 h ago", "yesterday", "5 days ago", else the date; "never" when None."""
    if when is None:
        return NEVER
    seconds = (now - when).total_seconds()
    if seconds < 60:
        return "just now"
    if seconds < 3600:
        return f"{int(seconds // 60)} min ago"
    if seconds < 86400:
        return f"{int(seconds // 3600)} h ago"
    days = int(seconds // 86400)
    if days == 1:
        return "yesterday"
    if days < 30:
        return f"{days} days ago"
    return when.strftime("%d %b %Y")


def run_result(ok: bool | None, errors: int) -> str:
    """The result of a user's last run: ok, N errors, or unfinished (the run died or still runs)."""
    if ok is None:
        return "unfinished"
    return "ok" if ok else f"{errors} error" + ("s" if errors != 1 else "")


def wizard_running(user: str, index: int, total: int) -> str:
    return f"Syncing {user}" + (f" ({index} of {total})" if total > 1 else "")


def startup_sync_status(user: str) -> str:
    return f"At startup: Microsoft 365 → CRM for {user}…"


def sync_run_over(count: int, errors: int, cancelled: bool) -> str:
    if cancelled:
        return SYNC_CANCELLED
    if errors:
        return f"Sync finished with {errors} error(s): see the Sync wizard's summary"
    return "Sync completed" + (f" for {count} users" if count > 1 else "")


UI_KEY_HELP = "Help"
UI_SCREEN_HOME = "Home"
UI_SCREEN_WIZARD = "Sync wizard"
UI_SCREEN_CONTACTS = "Contacts"
UI_SCREEN_AGENDA = "Agenda"
UI_PALETTE_CONTACTS = "The CRM contacts and your contacts to sync"
UI_PALETTE_AGENDA = "The actions of the agendas you may see, by day"
UI_PALETTE_NEW_ACTION = "Add an action to the agenda"
UI_SCREEN_PREFERENCES = "Preferences"
UI_SCREEN_ADMIN = "Admin"
UI_SYNC_NOW = "Sync now"
UI_QUIT = "Quit"
UI_PALETTE_HOME = "The users you see, their connection and last syncs"
UI_PALETTE_PREFS = "Your Microsoft 365 connection and sync preferences"
UI_PALETTE_ADMIN = "The Microsoft application, users and rights (administrators)"
UI_PALETTE_WIZARD = "Choose users, what and when to sync, then run it"
UI_PALETTE_SYNC_NOW = "Sync your agenda and contacts over your sync period now"
UI_PALETTE_CONNECT = "Sign in to Microsoft 365 with a device code"
UI_PALETTE_TEST = "Check your Microsoft 365 settings"
UI_PALETTE_HELP = "Show the keys of this screen"
UI_PALETTE_QUIT = "Quit tui-sync (a running sync is cancelled cleanly)"
UI_PALETTE_THEME = "Change the colours"
UI_HOME_SYNC = "Sync…"
UI_HOME_CONNECT = "Connect"
UI_HOME_TEST = "Test"
UI_HOME_RELOAD = "Reload"
UI_COL_USER = "User"
UI_COL_NAME = "Name"
UI_COL_AGENDA = "Last agenda sync"
UI_COL_CONTACTS = "Last contacts sync"


def home_whoami(code: str, full_name: str) -> str:
    return f"Signed in as {code} ({full_name}) · ● connected  ○ not connected"


def home_detail(
    code: str,
    connected: bool,
    username: str | None,
    agenda: str,
    contacts: str,
    actions: int,
    listed: int,
    limit: int = 2000,
) -> str:
    """The selected row of Home, in full: the account, then what each sync weighs and when it ran."""
    account = CONNECTED if connected else NOT_CONNECTED
    if connected and username:
        account = f"connected as {username}"
    return (
        f"{code}: {account}\n"
        f"agenda: {actions} in the period, synced {agenda} · contacts: {listed} of {limit} to sync, "
        f"synced {contacts}"
    )


UI_WIZARD_START = "Start"
UI_WIZARD_BACK = "Back"
UI_WIZARD_WHO = "Users to sync (space marks, several run one after the other):"
UI_WIZARD_AGENDA = "Agenda (both ways)"
UI_WIZARD_CONTACTS = "Contacts (CRM → Microsoft 365)"
UI_WIZARD_FROM = "From"
UI_WIZARD_TO = "to"
UI_WIZARD_PERIOD_HINT = "Left as shown, each user's own period applies (Preferences: months before/after)."
UI_WIZARD_START_BUTTON = "Start (ctrl+s)"
UI_WIZARD_CANCEL_HINT = "escape cancels the sync (it asks first)"
UI_WIZARD_SUMMARY_HINT = "escape: back to the wizard"
WIZARD_NO_USER = "Mark at least one user to sync (space)"
WIZARD_NOTHING_CHOSEN = "Choose the agenda, the contacts, or both"
WIZARD_NOT_CONNECTED = "not connected to Microsoft 365 (Preferences → Connect)"
WIZARD_NO_RIGHT = "no right to sync this user (ask an administrator)"


def wizard_last_syncs(agenda: str, contacts: str) -> str:
    return f"agenda {agenda} · contacts {contacts}"


def wizard_user_done(user: str, ok: bool) -> str:
    return f"✓ {user} done" if ok else f"✗ {user} finished with errors"


def wizard_summary(summaries: Iterable[Any], cancelled: bool) -> str:
    """The summary that stays after a run: each user's lines and errors (the items failing for one
    reason on one line, as the command line says them), and a cancellation."""
    blocks = []
    for summary in summaries:
        lines = [f"— {summary.user} —", *summary_lines(summary)]
        errors = error_lines(advised_errors(summary, CONNECT_FIX_TUI))  # grouped as the CLI prints them
        lines += [f"✗ {error}" for error in errors]
        blocks.append("\n".join(lines))
    if cancelled:
        blocks.append(SYNC_CANCELLED)
    return "\n\n".join(blocks) or SYNC_CANCELLED


def keymap_unknown_id(binding_id: str, known: list[str]) -> str:
    return f"[keys]: {binding_id!r} is not a key binding id (known: {', '.join(known)})"


def keymap_bad_key(binding_id: str, key: str) -> str:
    return f"[keys]: {binding_id} = {key!r} is not a key name (e.g. f5, ctrl+s, Y, question_mark)"


# --- the terminal application: Administration screen (tui_sync/ui/screens/admin.py) ---------------

UI_ADMIN_TAB_AUTH = "Authentication"
UI_ADMIN_TAB_USERS = "Users"
UI_ADMIN_TAB_RIGHTS = "Rights"
UI_ADMIN_SAVE = "Save"
UI_ADMIN_NEXT_TAB = "Next tab"
UI_ADMIN_BACK = "Home"
UI_ADMIN_ADD = "Add"
UI_ADMIN_RENAME = "Rename"
UI_ADMIN_TOGGLE_ADMIN = "Admin on/off"
UI_ADMIN_VISIBLE = "Visible"
UI_ADMIN_AGENDA = "Agenda"
UI_ADMIN_CANCEL = "Cancel"
UI_ADMIN_CLIENT_ID = "Application (client) ID"
UI_ADMIN_TENANT = "Tenant"
UI_ADMIN_CODE = "Code"
UI_ADMIN_FULL_NAME = "Full name"
UI_ADMIN_IS_ADMIN = "Administrator"
UI_ADMIN_COL_ADMIN = "Admin"
UI_ADMIN_YES = "yes"
UI_ADMIN_SELF = "self"
UI_ADMIN_AUTH_HINT = (
    "The application registered for tui-sync in Microsoft Entra (Azure portal → App registrations): "
    "its application (client) ID is a GUID. Tenant: common (any account), organizations, or your "
    "tenant's name or ID. The next sign-in uses what you save here."
)
UI_ADMIN_SAVE_BUTTON = "Save (ctrl+s)"
UI_ADMIN_UNSAVED = "Not saved yet: ctrl+s saves"
UI_ADMIN_USERS_HINT = "n add · r / enter rename · space administrator on/off · ● connected ○ not"
UI_ADMIN_RIGHTS_HINT = (
    "Rows: who sees · columns: whose data · V visible · A agenda (may sync it)\n"
    "v / a on a cell turns that right on or off (saved at once)"
)
UI_ADMIN_ADD_TITLE = "New CRM user"
UI_ADMIN_FORM_KEYS = "ctrl+s save · escape cancel"
UI_ADMIN_DENIED_HINT = "f2: back to Home"
UI_ADMIN_DROP_OWN_FLAG = "Remove your own administrator flag?"
UI_ADMIN_DROP_OWN_FLAG_DETAILS = (
    "You will no longer see Administration; another administrator can give the flag back."
)


def admin_rename_title(code: str) -> str:
    return f"Rename {code}"


def admin_invalid(label: str, problem: str) -> str:
    """A value the domain refused, named by the field the user sees."""
    return f"{label}: {problem}"


def admin_flag_changed(code: str, is_admin: bool) -> str:
    return f"{code} is now an administrator" if is_admin else f"{code} is no longer an administrator"


# --- the terminal application: Preferences → Synchronisation and the device-code dialog ---------------

UI_PREFS_SUBTITLE = "Preferences → Synchronisation"
UI_PREFS_USER = "User"
UI_PREFS_ACCOUNT = "Microsoft 365"
UI_PREFS_INTERFACE = "Interface"
UI_PREFS_EMAIL = "Login e-mail"
UI_PREFS_CALENDAR = "Calendar"
UI_PREFS_BEFORE = "Months before"
UI_PREFS_AFTER = "after"
UI_PREFS_AUTOMATIC = "Automatic"
UI_PREFS_AT_STARTUP = "At startup"
UI_PREFS_SERIES = "Series actions"
UI_PREFS_SAVE = "Save"
UI_PREFS_BACK = "Back"
UI_PREFS_CONNECT = "Connect"
UI_PREFS_TEST = "Test"
UI_PREFS_RESET = "Reset"
UI_PREFS_RESET_CALENDAR = "Reset calendar"
UI_PREFS_CREATE_CATEGORIES = "Categories"
UI_PREFS_EMAIL_HINT = "name@company.com"
UI_PREFS_CALENDAR_HINT = "e.g. Calendar"
# The field names a refused value is reported under (InvalidValue.field → the form's label).
UI_PREFS_FIELDS = {
    "login_email": UI_PREFS_EMAIL,
    "months_before": UI_PREFS_BEFORE,
    "months_after": "Months after",
    "calendar_name": UI_PREFS_CALENDAR,
}
PREFS_REVERTED = "Changes discarded: the saved preferences are shown again"
PREFS_SAVE_FIRST = "Save (ctrl+s) or discard (escape) the changes before picking another user"
PREFS_TEST_USES_SAVED = "! Test checks the saved preferences: save first (ctrl+s) to test the changes"
PREFS_CREATE_CATEGORIES_OFFER = "ctrl+g creates the missing categories (with the nearest colour)"
TEST_MARKS = {"ok": "✓", "warning": "!", "error": "✗"}
RESET_DETAILS = (
    "Its Microsoft 365 tokens leave this machine (Connect again afterwards) and every link between "
    "its CRM items and Microsoft 365 items is forgotten. " + RESET_WHAT_FOLLOWS
)
RESET_CALENDAR_DETAILS = (
    "Every link between its CRM actions and Microsoft 365 events is forgotten (do it after choosing "
    "another calendar); the connection and the contacts stay. " + RESET_WHAT_FOLLOWS
)
UI_DEVICE_COPY = "Copy code"
UI_DEVICE_CANCEL = "Cancel"
DEVICE_OPEN = "On any device (phone, computer), open this address:"
DEVICE_ENTER = "and enter this code:"
DEVICE_ASKING = "Asking Microsoft for a sign-in code…"
DEVICE_EXPIRED = "The code has expired: escape, then Connect again"
DEVICE_COPIED = "Code copied to the clipboard (if your terminal allows it); it stays shown here"
DEVICE_KEYS = "c copy the code · escape cancel the sign-in"


def months_not_a_number(maximum: int) -> str:
    """The problem of an empty months field (the field takes digits only)."""
    return f"must be a whole number between 0 and {maximum}"


def prefs_title(code: str, full_name: str) -> str:
    return f"{code} — {full_name}"


def prefs_connection(working: bool, username: str | None) -> str:
    """The connection line: the dot says it without colour, the words say who."""
    if working:
        return f"● {CONNECTED}" + (f" as {username}" if username else "")
    return f"○ {NOT_CONNECTED} (ctrl+o connects)"


def prefs_saved(code: str) -> str:
    return f"Preferences of {code} saved"


def reset_question(code: str) -> str:
    return f"Reset the Microsoft 365 account of {code}?"


def reset_calendar_question(code: str) -> str:
    return f"Reset the calendar links of {code}?"


def calendar_links_cleared(code: str, count: int) -> str:
    return f"{code}: calendar reset, {count} agenda sync links cleared"


def testing_user(code: str) -> str:
    return f"Testing the settings of {code}…"


def check_line(level: str, message: str) -> str:
    """One Test line: a mark (✓ ok, ! warning, ✗ error) then the message; the CLI prints the same."""
    return f"{TEST_MARKS[level]} {message}"


def device_title(code: str) -> str:
    return f"Connect {code} to Microsoft 365"


def device_expires_in(seconds: int) -> str:
    minutes, rest = divmod(max(0, seconds), 60)
    return f"The code expires in {minutes}:{rest:02d}"


# --- the terminal application: Agenda screen and action form (tui_sync/ui/screens/agenda.py,
# --- tui_sync/ui/dialogs/action_form.py, tui_sync/services/agenda.py) ----------------------------------

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
AGENDA_TITLE_REQUIRED = "required: type a title"
AGENDA_END_BEFORE_START = "must be after the start"
AGENDA_UNTIL_BEFORE_START = "must be on or after the start day"
AGENDA_NO_DAY = "mark at least one day of the week"
AGENDA_NO_REPEAT = "choose how the series repeats"
AGENDA_USE_OCCURRENCE = "This action belongs to a series: edit this occurrence or the whole series"
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


def agenda_not_a_date(text: str) -> str:
    return f"{text!r} is not a date (YYYY-MM-DD)" if text else "type a date (YYYY-MM-DD)"


def agenda_not_a_time(text: str) -> str:
    return f"{text!r} is not a time (HH:MM, 00:00–23:59)" if text else "type a time (HH:MM)"


def agenda_not_a_number(low: int, high: int) -> str:
    return f"must be a whole number from {low} to {high}"


def agenda_day(day: Any) -> str:
    """A day header of the agenda: "Mon 30 Nov 2026"."""
    return day.strftime("%a %d %b %Y")


def agenda_heading(owners: list[str], first: Any, last: Any) -> str:
    return f"{', '.join(owners)} · {first.strftime('%a %d %b')} – {last.strftime('%a %d %b %Y')}"


def repeat_labels(day: Any) -> dict[str, str]:
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


def agenda_moved(title: str, day: Any) -> str:
    return f"Moved: {title} → {agenda_day(day)}"


def agenda_delete_question(title: str) -> str:
    return f"Delete “{title}”?"


def agenda_delete_details(automatic: bool, series: bool) -> str:
    if series:
        return "The whole series goes, with its edited occurrences; Microsoft 365 follows at the next sync."
    if automatic:
        return "Automatic is on: it is deleted from Microsoft 365 at once too."
    return "Microsoft 365 follows at the next sync."


def agenda_cancel_question(title: str, day: Any) -> str:
    return f"Delete the occurrence of “{title}” on {agenda_day(day)}?"


def agenda_push_failed(owner: str, problem: str) -> str:
    return f"Automatic ({owner}): not sent to Microsoft 365 ({problem}); the next sync settles it"


# --- the terminal application: Contacts screen and contact form (tui_sync/ui/screens/contacts.py) ----

UI_CONTACTS_FILTER_HINT = "Filter: name, company, e-mail, phone, city"
UI_CONTACTS_TO_LIST = "Into the list"
UI_CONTACTS_TO_FILTER = "Filter"
UI_CONTACTS_MARK = "Mark"
UI_CONTACTS_ADD = "Add"
UI_CONTACTS_REMOVE = "Remove"
UI_CONTACTS_ADD_FILTERED = "Add all filtered"
UI_CONTACTS_NEW = "New"
UI_CONTACTS_EDIT = "Edit"
UI_CONTACTS_DELETE = "Delete contact"
UI_CONTACTS_OWNER = "Whose list"
UI_CONTACT_SAVE = "Save"
UI_CONTACT_CANCEL = "Cancel"
UI_CONTACT_REMOVE_PHOTO = "Remove photo"
CONTACTS_NO_MATCH = "No contact matches: backspace widens the filter"
CONTACTS_NONE_YET = "No contact in the CRM yet: ctrl+n creates one"
CONTACTS_LIST_EMPTY = "Nothing to sync yet: + adds the highlighted contact"
CONTACTS_NOTHING_SELECTED = "Highlight a contact (down, then the arrows) or mark some with space"
CONTACTS_NOTHING_TO_ADD = "Every contact chosen is already in the list"
CONTACTS_NOTHING_TO_REMOVE = "None of the contacts chosen is in the list"
CONTACTS_OWNER_ADMIN_ONLY = "Only an administrator can open another user's list"
CONTACTS_PICK_OWNER = "Whose contacts to sync? (enter opens, escape goes back)"
CONTACTS_STATE_LEGEND = "✓ synced  ~ pending  + not yet in Outlook"
CONTACT_FORM_NEW = "New contact"
CONTACT_FORM_KEYS = "ctrl+s save · escape cancel · ctrl+r removes the photo"
CONTACT_DISCARD = "Discard the changes to this contact?"
CONTACT_DISCARD_DETAILS = "Nothing was saved yet; escape again or n goes back to the form."
CONTACT_PHOTO_HINT = "JPEG/PNG file, ≤ 4 MB"
CONTACT_NO_PHOTO = "no photo"
CONTACT_PHOTO_REMOVED = "photo removed when saved"
# The form's labels, by Contact field (InvalidValue.field names the field a refusal is about).
CONTACT_FIELDS = {
    "last_name": "Last name",
    "first_name": "First name",
    "civility": "Civility",
    "company": "Company",
    "job_title": "Job title",
    "email": "E-mail",
    "phone": "Phone",
    "mobile": "Mobile",
    "address1": "Address",
    "address2": "Address 2",
    "address3": "Address 3",
    "address_lines": "Address",
    "postal_code": "Postal code",
    "city": "City",
    "country": "Country",
    "photo": "Photo file",
    "note": "Note",
}
# What Outlook holds of a contact, by OutlookState.state (and whether it is in the list).
CONTACT_STATE_GLYPHS = {"synced": "✓", "pending": "~", "never": "+"}


def contacts_owner_line(code: str, full_name: str, count: int, limit: int, marked: int, admin: bool) -> str:
    """The line above the lists: whose list, its count against the limit, the marks."""
    text = f"Contacts to sync of {code} ({full_name}): {count} / {limit}"
    if marked:
        text += f" · {marked} marked"
    if admin:
        text += " · f8 another user's list"
    return text


def contacts_list_title(count: int, limit: int) -> str:
    return f"To sync: {count} / {limit}"


def contacts_more(count: int) -> str:
    return f"… {count} more, keep typing"


def contacts_added(count: int, code: str) -> str:
    noun = "contact" if count == 1 else "contacts"
    them = "it" if count == 1 else "them"
    return f"{count} {noun} added to {code}'s list: the next sync sends {them} to Microsoft 365"


def contacts_removed(count: int, code: str) -> str:
    """Taking a contact off the list keeps it in the CRM; its Outlook copy goes at the next sync."""
    if count == 1:
        return f"1 contact off {code}'s list: the next sync deletes its Microsoft 365 copy"
    return f"{count} contacts off {code}'s list: the next sync deletes their Microsoft 365 copies"


def contacts_add_filtered_question(count: int, code: str) -> str:
    return f"Add the {count} filtered contacts to the list of {code}?"


def contacts_add_filtered_details(count: int, listed: int, limit: int) -> str:
    return f"The list would hold {listed + count} of at most {limit}; the next sync sends them all."


def contact_delete_question(name: str) -> str:
    return f"Delete the contact {name} from the CRM?"


CONTACT_DELETE_DETAILS = (
    "It leaves every contacts-to-sync list, and each user's next sync deletes its Microsoft 365 copy."
)


def contact_deleted(name: str) -> str:
    return f"Contact {name} deleted"


def contact_saved(name: str) -> str:
    return f"Contact {name} saved"


def contact_form_title(name: str) -> str:
    return f"Contact {name}"


def contact_has_photo(size: int) -> str:
    return f"has a photo ({max(1, round(size / 1024))} KB)"


def contact_refused(label: str, problem: str) -> str:
    """A form value the domain refused: the field's label, then why."""
    return f"{label}: {problem}"


def photo_unreadable(path: str, reason: str) -> str:
    return f"cannot read {path}: {reason}"


def sync_list_not_yours(viewer: str, owner: str) -> str:
    return f"{viewer} may not change the contacts to sync of {owner}: only {owner} or an administrator can"


def contact_outlook_state(state: str, listed: bool, last_synced: str) -> str:
    """The detail pane's Outlook line: synced / pending / never, and what the next sync does."""
    if state == "synced":
        return f"Outlook: ✓ synced {last_synced}"
    if state == "pending" and listed:
        return f"Outlook: ~ pending, changed since the sync of {last_synced}"
    if state == "pending":
        return "Outlook: ~ pending, off the list: the next sync deletes its copy"
    if listed:
        return "Outlook: + never synced, the next sync creates it"
    return "Outlook: never synced (not in the list)"


def contact_detail(contact: Any, outlook: str, in_list: bool) -> tuple[str, str]:
    """The detail pane's two columns: who (names, company, e-mail, phones, note) and where (address,
    photo, list, Outlook)."""
    name = " ".join(p for p in (contact.civility, contact.last_name.upper(), contact.first_name) if p)
    work = " · ".join(p for p in (contact.company, contact.job_title) if p)
    phones = " · ".join(
        p
        for p in (contact.phone and f"tel {contact.phone}", contact.mobile and f"mobile {contact.mobile}")
        if p
    )
    note = " ".join(contact.note.split())
    left = [name or contact.company, work, contact.email, phones, f"Note: {note}" if note else "No note"]
    town = " ".join(p for p in (contact.postal_code, contact.city) if p)
    place = ", ".join(p for p in (*contact.address_lines, town, contact.country) if p)
    photo = contact_has_photo(len(contact.photo)) if contact.photo else CONTACT_NO_PHOTO
    listed = "in the list" if in_list else "not in the list"
    right = [place or "No address", f"Photo: {photo} · {listed}", outlook]
    return "\n".join(line for line in left if line), "\n".join(right)


# --- tui-sync demo ------------------------------------------------------------------------------


def demo_preparing(folder: object, fresh: bool) -> str:
    what = "Seeding a demo company and its Microsoft 365 (a few seconds)" if fresh else "Opening the demo"
    return f"{what} in {folder} …"


def demo_kept(folder: object) -> str:
    return f"The demo is kept in {folder}: tui-sync demo --keep {folder} opens it again."


def demo_not_a_folder(folder: object) -> str:
    return f"--keep {folder}: not a folder"


def demo_folder_not_empty(folder: object) -> str:
    return f"--keep {folder}: the folder holds other files and no demo; give a new or empty folder"


def demo_auto_approve(seconds: float) -> str:
    """The device-code dialog's line in the demo: nobody needs a phone, the fake signs in by itself."""
    return f"Demo: the fake Microsoft 365 signs in by itself in {seconds:g} s."


# --- sync leases (tui_sync/store/runs.py, tui_sync/sync/service.py) ---------------------------------

LEASE_SINCE_UNKNOWN = "an unknown time"


def lease_holder(viewer: str | None, host: str, pid: int) -> str:
    """Who holds a user's sync lease, in the busy message: the CRM user who started it, the machine, the
    process."""
    by = f"by {viewer} " if viewer else ""
    return f"{by}on {host}, pid {pid}"


def lease_taken_over(code: str, host: str, pid: int) -> str:
    """Logged when a run takes over the lease of a run whose process is gone."""
    return f"{code}: took over the sync lease of pid {pid} on {host}, which is no longer running"


def lease_lost(code: str) -> str:
    return (
        f"The sync of {code} stopped: it could not renew its lease in time and another run took the user "
        "over; sync again once that run has finished"
    )


# --- tui-sync contacts list|add|edit|delete (tui_sync/commands/contacts.py) --------------------------


def contact_list_line(contact_id: int, name: str, company: str, email: str, city: str) -> str:
    """`contacts list`: the id, then NAME First and the company, e-mail and city that are set."""
    return "  ".join([f"{contact_id:>8}", name, *(part for part in (company, email, city) if part)])


def contact_deleted_from_lists(codes: list[str]) -> str:
    """A deleted contact that was on users' contacts-to-sync lists: its Microsoft copy goes next sync."""
    whose = ", ".join(codes)
    return f"It was on the contacts to sync of {whose}: each one's next sync deletes its Microsoft 365 copy"


# --- tui-sync agenda list|add|edit|delete (tui_sync/commands/agenda.py) ----------------------------------

AGENDA_CLI_TO_BEFORE_FROM = "must be on or after --from"
AGENDA_CLI_END_OR_MINUTES = "give --end or --minutes, not both"
AGENDA_CLI_REMINDER_OR_NOT = "give --reminder or --no-reminder, not both"
AGENDA_CLI_EDIT_OPTIONS = (
    "--title, --start, --end, --minutes, --all-day, --type, --location, --note, --private, --reminder, "
    "--no-reminder"
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


def cli_delete_needs_yes(what: str) -> str:
    """`agenda delete` / `contacts delete` without --yes: what would go, and that nothing did."""
    return f"--yes: give it to delete {what}; nothing was deleted"


def agenda_cli_deleted(what: str) -> str:
    return f"Deleted {what} (the next sync deletes it in Microsoft 365)"


# --- Meetings cancelled by their organiser (asked like deletions); what a headless sync did with them ---

DELETION_REASONS = {"deleted": "deleted in Microsoft 365", "cancelled": "cancelled by the organiser"}
CANCELLED_QUESTION = (
    "The organiser cancelled this meeting (Outlook keeps it, marked cancelled). Delete it from the CRM "
    "too? (Kept, the CRM keeps it and this is not asked again.)"
)


def cancelled_title(index: int, total: int) -> str:
    """The deletion dialog's title for a meeting its organiser cancelled."""
    return f"Cancelled by the organiser — {index} of {total}"


def deletion_listed(
    kind: str, title: str, start: datetime | None, tz: Any, reason: str, deleted: bool
) -> str:
    """One line of `tui-sync sync`'s report per item deleted (or cancelled) in Microsoft 365."""
    when = start.astimezone(tz).strftime("%a %d %b %Y %H:%M") if start is not None else "no date"
    fate = "deleted from the CRM" if deleted else "kept in the CRM (--yes deletes it)"
    return (
        f"{DELETION_KINDS.get(kind, kind)} “{title}” {when}: {DELETION_REASONS.get(reason, reason)}, {fate}"
    )


# --- reliability and security: rights on every entry point, crashes, faults ---------------------------


def push_not_owned(user: str, action_id: int, owner: str) -> str:
    """An Automatic push asked to send another owner's action to `user`'s Outlook: refused."""
    return f"action {action_id} belongs to {owner}: it is not sent to the Outlook calendar of {user}"


# --- The command line and the database: files that are not ours, bad configs and arguments, --version ---


def database_is_folder(path: object) -> str:
    return f"database {path} is a folder: the database setting must name a file (e.g. {path}/crm.sqlite3)"


def database_folder_missing(path: object) -> str:
    return (
        f"database {path}: its folder does not exist; create it, or correct the database setting "
        "(only the default location is created by itself)"
    )


def database_read_only(path: object, blocked: object) -> str:
    return (
        f"database {path} is read-only ({blocked} cannot be written): nothing was changed; "
        "fix its permissions"
    )


def database_not_ours(path: object, tables: list[str]) -> str:
    shown = ", ".join(tables[:5]) + (", …" if len(tables) > 5 else "")
    return (
        f"database {path} is another program's SQLite file (tables: {shown}), not a tui-sync database; "
        "it was left untouched: point the database setting at another file"
    )


def unexpected_error(kind: str, detail: str, log: object | None) -> str:
    """A failure tui-sync did not foresee (a bug): what it was, and where its details are."""
    lines = detail.strip().splitlines()
    where = f"; the details are in {log}" if log is not None else ""
    return f"unexpected error ({kind}: {lines[0] if lines else 'no detail'}){where}"


CA_FILE_MISSING = "it does not exist"
CA_FILE_NOT_PEM = "it holds no PEM certificate"


def ca_file_unusable(path: object, problem: str) -> str:
    return f"the ca_file of the config, {path}, cannot be used: {problem} (correct or remove ca_file)"


def create_categories_cli(user_code: str) -> str:
    """How `tui-sync test` says to create the missing categories: a command that runs as printed."""
    return f"(create them with: tui-sync test --user {user_code} --create-categories)"


def never_connected(user_code: str) -> str:
    """A user who never signed in on this machine: not "no longer works", there was nothing to lose."""
    return (
        f"{user_code} is not connected to Microsoft 365 yet: run tui-sync connect --user {user_code} "
        "(in the terminal application: Preferences → Connect)"
    )


VERSION_UNKNOWN = "(version unknown: not installed)"


def machine_files_text(config_file: object, database: object, token_cache: object, log_file: object) -> str:
    """`admin show`: where this machine's files are (what to back up, what to look at)."""
    config = config_file if config_file is not None else "(none: defaults and TUI_SYNC_* variables)"
    return f"config file: {config}\ndatabase: {database}\ntoken cache: {token_cache}\nlog file: {log_file}"


def config_is_a_folder(path: object) -> str:
    return f"{path} is a folder: name a file in it"


AGENDA_CLI_REQUIRED = "required (as an option, or in the --from-json object)"


def agenda_cli_bad_id(typed: str) -> str:
    return f"{typed!r} is not an id: N for an action, SN for a series (as agenda list shows them)"


def agenda_cli_occurrence(action_id: int, series_id: int) -> str:
    """`agenda edit|delete N` on an occurrence edited on its own: what the command line can do instead."""
    return (
        f"action {action_id} is an occurrence of the series S{series_id}: give S{series_id} to change or "
        "delete the whole series; one occurrence alone is changed in the terminal application"
    )


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


# --- Fidelity to Microsoft 365: request size, upload volume, sign-in codes (writes) ------------------


def graph_request_too_large(detail: str) -> str:
    """Graph's 413: one item's request is over Microsoft 365's 4 MB limit (a very long note or body)."""
    suffix = f" ({detail})" if detail else ""
    return f"too large for Microsoft 365, which takes at most 4 MB per item: shorten its note{suffix}"


SIGN_IN_CODE_UNKNOWN = (
    "Microsoft no longer recognises this sign-in (its device code is unknown to the service); "
    "nothing was changed: start the sign-in again."
)


# --- series as Outlook means them: short months, first occurrences, custom zones ------------------------


def occurrence_off_rule(original_utc: datetime) -> str:
    """Why a series is left out: Outlook has an occurrence (its original start, in UTC) where the CRM's
    reading of the rule has none (a time zone whose rules Microsoft 365 does not give out), so syncing
    it would cancel real ones."""
    when = original_utc.strftime("%Y-%m-%d %H:%M UTC")
    return (
        f"Outlook has an occurrence on {when} that its rule, as the CRM reads it, does not give "
        "(a custom time zone?); the series is left as it is"
    )


# --- imports: every problem listed, what was not kept counted by kind, re-imports matched -------------
# (tui_sync/importers, tui_sync/services/transfer.py, tui_sync/commands/transfer.py)


def records_refused(source: str, count: int) -> str:
    """The first line of a file refused for several records; each record's own line follows."""
    return (
        f"{source}: {count} records cannot be imported, so nothing was imported "
        "(--skip-invalid imports the others):"
    )


# What a record holds that the CRM has no field for (the kinds of "skipped: …").
SKIP_SECOND_EMAIL = "e-mail address beyond the first"
SKIP_FAX = "fax number"
SKIP_PAGER = "pager number"
SKIP_OTHER_PHONE = "phone number beyond the phone and mobile"
SKIP_SECOND_ADDRESS = "address beyond the first"
SKIP_REGION = "region/state"
SKIP_DEPARTMENT = "department (second unit of ORG)"
SKIP_URL = "web address (URL)"
SKIP_BIRTHDAY = "birthday"
SKIP_ANNIVERSARY = "anniversary"
SKIP_NICKNAME = "nickname"
SKIP_ROLE = "role"
SKIP_GEO = "geographic position"
SKIP_IM = "instant-messaging address"
SKIP_RELATED = "related person"
SKIP_GENDER = "gender"
SKIP_LANG = "language"
SKIP_MEMBER = "group member"
SKIP_CATEGORY = "category"
SKIP_CALENDAR_URL = "calendar or free/busy address"
SKIP_PHOTO_URL = "photo given by URL (an import reads no network)"
SKIP_SECOND_PHOTO = "photo beyond the first"


def skip_property(name: str) -> str:
    """A vCard property the CRM has no field for and no name of its own here: its name."""
    return f"{name} property"


def skip_column(name: str) -> str:
    """A CSV column the CRM has no field for (Outlook's and Google's exports have many)."""
    return f"column {name!r}"


SKIP_VTODO = "task (VTODO)"
SKIP_VJOURNAL = "journal entry (VJOURNAL)"
SKIP_VFREEBUSY = "free/busy block (VFREEBUSY)"
SKIP_CANCELLED_EVENT = "cancelled event (STATUS:CANCELLED)"
# The title an imported action gets when its event has none: the action form refuses a blank title.
UNTITLED_ACTION = "(no title)"


def unknown_tzid(tzid: str) -> str:
    """A TZID with no VTIMEZONE in the file and no zone of that name (IANA, Windows, US-…)."""
    return (
        f"time zone {tzid!r} is not defined in the file (no VTIMEZONE) and is not a zone name we know: "
        "add its VTIMEZONE or use an IANA name such as Europe/Paris"
    )


def rrule_day_skips_months(day: int) -> str:
    """A plain RFC 5545 monthly/yearly day past the 28th: RFC skips the short months, Outlook does not."""
    run = ",".join(str(d) for d in range(28, day + 1))
    return (
        f"day {day} skips the months shorter than that in iCalendar, while Outlook moves those "
        f"occurrences to the month's last day; write BYMONTHDAY={run};BYSETPOS=-1 for Outlook's meaning"
    )


def import_skipped(by_kind: dict[str, int]) -> str:
    """`Not kept (the CRM has no field for them): 2 fax number, 1 web address (URL)`."""
    counted = ", ".join(f"{count} × {kind}" for kind, count in by_kind.items())
    return f"Skipped (the CRM has no place for them): {counted}"


def record_left_out(line: str) -> str:
    """A record --skip-invalid left out: its refusal line."""
    return f"not imported: {line}"


def untitled_events(count: int, placeholder: str) -> str:
    noun = "event has" if count == 1 else "events have"
    return f"warning: {count} {noun} no title: imported as {placeholder!r} (edit them in the agenda)"


def quoted_printable_not_text(charset: str) -> str:
    return f"the quoted-printable value is not {charset} text"


def calendar_replaced(name: str) -> str:
    """The calendar of that name is not the one the last syncs wrote to (deleted and made again, or
    another one chosen): the CRM's items are written to it afresh, nothing is deleted from the CRM."""
    return (
        f"The calendar {name} is not the one synced before: the CRM's actions are written to it again "
        "(nothing was deleted from the CRM)"
    )


def error_lines(errors: list[str]) -> list[str]:
    """A run's errors as the command line prints them: the items that failed for one same reason (a
    throttling storm, a failed batch) make one line naming the first and counting the others."""
    marker = "” could not be synced: "
    by_reason: dict[str, list[str]] = {}
    order: list[str] = []
    for error in errors:
        title, found, reason = error.partition(marker)
        if not found or not title.startswith("“"):
            order.append(error)
            continue
        if reason not in by_reason:
            by_reason[reason] = []
            order.append(marker + reason)
        by_reason[reason].append(title[1:])
    lines = []
    for entry in order:
        titles = by_reason.get(entry.removeprefix(marker)) if entry.startswith(marker) else None
        if titles is None:
            lines.append(entry)
        elif len(titles) == 1:
            lines.append(item_failed(titles[0], entry.removeprefix(marker)))
        else:
            others = len(titles) - 1
            lines.append(
                f"“{titles[0]}” and {others} other item{'s' if others > 1 else ''} could not be synced: "
                + entry.removeprefix(marker)
            )
    return lines


def disk_full(path: object) -> str:
    """SQLite found no room to write: what was under way was undone whole."""
    return (
        f"The disk holding {path} is full: this sync could not be recorded and was undone where it "
        "stopped; free some space and sync again (nothing is written twice)"
    )


def graph_unreadable_answer(status: int) -> str:
    return (
        f"Microsoft 365 answered {status} but its answer could not be read (it was cut short); the sync "
        "stopped there — run it again (it creates no duplicates)"
    )


# --- Types and contracts: the checks the type checker asked for ---
REASON_NO_ROW_ID = "SQLite gave the new row no id"


# --- Polish: small defects in imports, logging, the sync summary and the demo ---
def no_contacts(source: str) -> str:
    """A CSV with its header row and no row under it: refused as an empty .vcf is."""
    return f"{source}: no contacts in the file (it has a header row and nothing under it)"


def photo_damaged(path: str, mime: str) -> str:
    """A photo file that starts like a JPEG or PNG but whose header does not decode."""
    kind = "PNG" if mime == "image/png" else "JPEG"
    return f"{path} starts like a {kind} image but cannot be read as one (damaged or cut short)"


# --- Benchmark: the pull case at the floor ---
BENCH_NO_TIME = (
    "at least one of --server-ms and --network-ms must be above 0: with neither, the floor every "
    "case is held against is 0 s"
)


def log_not_written(path: object, reason: str) -> str:
    """The log file cannot be opened: said once when a run begins; the run goes on without a log."""
    return f"warning: cannot write the log file {path} ({reason}): this run keeps no log"


# --- Advice at the edge: the engine says what is wrong, each front end how to fix it ---------------


def with_fix(line: str, fix: str) -> str:
    """A problem's line followed by the front end's way to fix it (a button, or a command)."""
    return f"{line}: {fix}"


def advised_errors(summary: Any, fix: str) -> list[str]:
    """A run's error lines, the one saying the Microsoft account cannot be used followed by `fix`."""
    problem = summary.account_problem
    return [with_fix(error, fix) if problem and error == problem else error for error in summary.errors]
