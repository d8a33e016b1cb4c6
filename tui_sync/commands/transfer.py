"""`tui-sync import contacts|agenda FILE` and `tui-sync export contacts|agenda [FILE] [--json]`.

An import reads and checks the whole file before it touches the database, then writes every record in
one transaction: a bad record means nothing imported (exit 2, one line naming the record). An export
writes the file named (its extension picks the format), or with no FILE the vCard / iCalendar text on
stdout, or with `--json` one JSON object on stdout.
"""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, datetime
from pathlib import Path

from tui_sync import messages
from tui_sync.commands import Context, add_json_flag
from tui_sync.domain.models import FALLBACK_ACTION_TYPE
from tui_sync.domain.period import Period
from tui_sync.errors import BadInput, UserError

# Every single action, whatever its date (the store compares UTC text, so stay within 4-digit years).
ALL_TIME = Period(datetime(1900, 1, 1, tzinfo=UTC), datetime(3000, 1, 1, tzinfo=UTC))


def register(subparsers: argparse._SubParsersAction) -> None:
    importer = subparsers.add_parser("import", help="read contacts or an agenda from a file into the CRM")
    imports = importer.add_subparsers(title="import commands", metavar="WHAT", required=True)
    contacts = imports.add_parser(
        "contacts", help="a CSV file (columns: see README) or a vCard 3.0/4.0 file, photos included"
    )
    contacts.add_argument("file", metavar="FILE", type=Path, help=".csv, .vcf or .vcard (else: by content)")
    contacts.set_defaults(handler=import_contacts)
    agenda = imports.add_parser("agenda", help="an iCalendar (.ics) file into a user's agenda")
    agenda.add_argument("file", metavar="FILE", type=Path)
    agenda.add_argument("--user", required=True, metavar="CODE", help="whose agenda receives the events")
    agenda.set_defaults(handler=import_agenda)

    exporter = subparsers.add_parser("export", help="write the CRM's contacts or a user's agenda out")
    exports = exporter.add_subparsers(title="export commands", metavar="WHAT", required=True)
    contacts_out = exports.add_parser(
        "contacts", help="to FILE.vcf (vCard 3.0) or FILE.csv; no FILE: vCard on stdout"
    )
    contacts_out.add_argument("file", metavar="FILE", type=Path, nargs="?")
    add_json_flag(contacts_out)
    contacts_out.set_defaults(handler=export_contacts)
    agenda_out = exports.add_parser("agenda", help="to FILE.ics; no FILE: iCalendar on stdout")
    agenda_out.add_argument("--user", required=True, metavar="CODE", help="whose agenda")
    agenda_out.add_argument("file", metavar="FILE", type=Path, nargs="?")
    add_json_flag(agenda_out)
    agenda_out.set_defaults(handler=export_agenda)


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as error:
        raise BadInput(messages.cannot_read(path, error.strerror or str(error))) from None


def _write(path: Path, data: bytes) -> None:
    try:
        path.write_bytes(data)
    except OSError as error:
        raise UserError(messages.cannot_write(path, error.strerror or str(error))) from None


def _warn(text: str) -> None:
    sys.stderr.write(f"tui-sync: {text}\n")


# The readers and writers (icalendar, vobject) load in the handler that uses them: only an import or
# an export pays for them, not every `tui-sync` start.


async def import_contacts(ctx: Context, args: argparse.Namespace) -> int:
    from tui_sync.importers import read_contacts

    contacts = read_contacts(_read(args.file), str(args.file))
    store = ctx.store
    async with store.transaction():
        for contact in contacts:
            await store.add_contact(contact)
    ctx.print(messages.imported_contacts(len(contacts), sum(1 for c in contacts if c.photo)))
    return 0


async def import_agenda(ctx: Context, args: argparse.Namespace) -> int:
    from tui_sync.importers import read_calendar

    data = _read(args.file)
    store = ctx.store
    user = await store.get_user(args.user)
    labels = [t.label for t in await store.list_action_types()]
    found = read_calendar(data, user.code, ctx.tz, labels, args.file.name or str(args.file))
    async with store.transaction():
        for action in found.actions:
            await store.add_action(action)
        for series in found.series:
            await store.add_series(series)
    ctx.print(
        messages.imported_agenda(
            user.code,
            len(found.actions),
            len(found.series),
            sum(len(s.exceptions) for s in found.series),
            sum(len(s.cancelled) for s in found.series),
        )
    )
    if found.unknown_category_events:
        unknown = list(found.unknown_categories)
        _warn(messages.unknown_categories(found.unknown_category_events, unknown, FALLBACK_ACTION_TYPE))
    if found.orphan_exceptions:
        _warn(messages.orphan_exceptions(found.orphan_exceptions))
    if found.skipped_cancelled:
        _warn(messages.skipped_cancelled(found.skipped_cancelled))
    return 0


def _one_target(args: argparse.Namespace) -> None:
    if args.json and args.file is not None:
        raise BadInput(messages.file_or_json(args.file))


async def export_contacts(ctx: Context, args: argparse.Namespace) -> int:
    from tui_sync.importers import contacts_json, write_contacts_csv, write_vcards

    _one_target(args)
    suffix = args.file.suffix.lower() if args.file is not None else ""
    if args.file is not None and suffix not in (".vcf", ".vcard", ".csv"):
        raise BadInput(messages.unknown_export_format(str(args.file)))
    contacts = await ctx.store.list_contacts()
    if args.json:
        ctx.print(contacts_json(contacts))
        return 0
    text = write_contacts_csv(contacts) if suffix == ".csv" else write_vcards(contacts)
    if args.file is None:
        ctx.out.write(text)
        return 0
    _write(args.file, text.encode("utf-8"))
    ctx.print(messages.exported_contacts(len(contacts), str(args.file)))
    return 0


async def export_agenda(ctx: Context, args: argparse.Namespace) -> int:
    from tui_sync.importers import agenda_json, write_calendar

    _one_target(args)
    if args.file is not None and args.file.suffix.lower() != ".ics":
        raise BadInput(messages.not_ics(str(args.file)))
    store = ctx.store
    user = await store.get_user(args.user)
    actions = await store.single_actions(user.code, ALL_TIME)
    series = await store.series_of(user.code)
    if args.json:
        ctx.print(agenda_json(user.code, actions, series))
        return 0
    data = write_calendar(actions, series, ctx.tz, now=ctx.now())
    if args.file is None:
        ctx.out.write(data.decode("utf-8"))
        return 0
    _write(args.file, data)
    ctx.print(messages.exported_agenda(user.code, len(actions), len(series), str(args.file)))
    return 0
