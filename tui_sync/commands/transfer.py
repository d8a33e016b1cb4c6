"""`tui-sync import contacts|agenda FILE` and `tui-sync export contacts|agenda [FILE] [--json]`.

An import reads and checks the whole file before it touches the database, then writes every record in
one transaction: a bad record means nothing imported (exit 2, one line per bad record), unless
`--skip-invalid` imports the others and lists those. Importing a file again updates what it imported
before (TransferService): the summary says how many items are new, updated and unchanged, and what the
CRM had no place for. An export writes the file named (its extension picks the format), or with no
FILE the vCard / iCalendar text on stdout, or with `--json` one JSON object on stdout.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from tui_sync import texts
from tui_sync.commands import Context, add_json_flag
from tui_sync.domain.models import FALLBACK_ACTION_TYPE
from tui_sync.errors import BadInput, UserError

if TYPE_CHECKING:
    from tui_sync.services.transfer import ImportOutcome


def register(subparsers: argparse._SubParsersAction) -> None:
    importer = subparsers.add_parser("import", help="read contacts or an agenda from a file into the CRM")
    imports = importer.add_subparsers(title="import commands", metavar="WHAT", required=True)
    contacts = imports.add_parser(
        "contacts", help="a CSV file (columns: see README) or a vCard 3.0/4.0 file, photos included"
    )
    contacts.add_argument("file", metavar="FILE", type=Path, help=".csv, .vcf or .vcard (else: by content)")
    _import_options(contacts)
    contacts.set_defaults(handler=import_contacts)
    agenda = imports.add_parser("agenda", help="an iCalendar (.ics) file into a user's agenda")
    agenda.add_argument("file", metavar="FILE", type=Path)
    agenda.add_argument("--user", required=True, metavar="CODE", help="whose agenda receives the events")
    _import_options(agenda)
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


def _import_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--skip-invalid",
        action="store_true",
        help="import the records that can be, list the others (default: a bad record imports nothing)",
    )
    add_json_flag(parser)


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as error:
        raise BadInput(texts.imports.cannot_read(path, error.strerror or str(error))) from None


def _write(path: Path, data: bytes) -> None:
    try:
        path.write_bytes(data)
    except OSError as error:
        raise UserError(texts.imports.cannot_write(path, error.strerror or str(error))) from None


def _warn(text: str) -> None:
    sys.stderr.write(f"tui-sync: {text}\n")


# The readers and writers (icalendar, vobject) load in the handler that uses them: only an import or
# an export pays for them, not every `tui-sync` start.


def _report(
    ctx: Context, args: argparse.Namespace, source: str, outcome: ImportOutcome, summary: str
) -> None:
    """The summary line, then what was not kept (by kind) and the records left out with --skip-invalid
    (one line each, on stderr); with --json one object listing all of it instead."""
    from tui_sync.importers import skipped_by_kind

    if args.json:
        ctx.print_json(
            {
                "new": outcome.new,
                "updated": outcome.updated,
                "unchanged": outcome.unchanged,
                "skipped_by_kind": skipped_by_kind(outcome.skipped),
                "skipped": [{"kind": s.kind, "where": s.where} for s in outcome.skipped],
                "refused": [{"where": r.where, "reason": r.reason} for r in outcome.refused],
            }
        )
        return
    ctx.print(summary)
    if outcome.skipped:
        ctx.print(texts.imports.import_skipped(skipped_by_kind(outcome.skipped)))
    for refusal in outcome.refused:
        _warn(
            texts.imports.record_left_out(texts.imports.record_refused(source, refusal.where, refusal.reason))
        )


async def import_contacts(ctx: Context, args: argparse.Namespace) -> int:
    from tui_sync.services.transfer import TransferService

    outcome = await TransferService(ctx.store).import_contacts(
        _read(args.file), str(args.file), args.skip_invalid
    )
    summary = texts.imports.imported_contacts(
        outcome.new, outcome.updated, outcome.unchanged, outcome.with_photo
    )
    _report(ctx, args, args.file.name or str(args.file), outcome, summary)
    return 0


async def import_agenda(ctx: Context, args: argparse.Namespace) -> int:
    from tui_sync.services.transfer import TransferService

    source = args.file.name or str(args.file)
    outcome = await TransferService(ctx.store).import_agenda(
        _read(args.file), source, args.user, ctx.tz, args.skip_invalid
    )
    found = outcome.agenda
    assert found is not None
    summary = texts.imports.imported_agenda(
        outcome.owner,
        outcome.new,
        outcome.updated,
        outcome.unchanged,
        len(found.actions),
        len(found.series),
        sum(len(s.exceptions) for s in found.series),
        sum(len(s.cancelled) for s in found.series),
    )
    _report(ctx, args, source, outcome, summary)
    if args.json:
        return 0
    if found.unknown_category_events:
        unknown = list(found.unknown_categories)
        _warn(texts.imports.unknown_categories(found.unknown_category_events, unknown, FALLBACK_ACTION_TYPE))
    if found.orphan_exceptions:
        _warn(texts.imports.orphan_exceptions(found.orphan_exceptions))
    if found.untitled:
        _warn(texts.imports.untitled_events(found.untitled, texts.imports.UNTITLED_ACTION))
    return 0


def _one_target(args: argparse.Namespace) -> None:
    if args.json and args.file is not None:
        raise BadInput(texts.imports.file_or_json(args.file))


async def export_contacts(ctx: Context, args: argparse.Namespace) -> int:
    from tui_sync.importers import contacts_json
    from tui_sync.services.transfer import TransferService

    _one_target(args)
    suffix = args.file.suffix.lower() if args.file is not None else ""
    if args.file is not None and suffix not in (".vcf", ".vcard", ".csv"):
        raise BadInput(texts.imports.unknown_export_format(str(args.file)))
    if args.json:
        ctx.print(contacts_json(await ctx.store.list_contacts()))
        return 0
    text, count = await TransferService(ctx.store).export_contacts("csv" if suffix == ".csv" else "vcard")
    if args.file is None:
        ctx.out.write(text)
        return 0
    _write(args.file, text.encode("utf-8"))
    ctx.print(texts.imports.exported_contacts(count, str(args.file)))
    return 0


async def export_agenda(ctx: Context, args: argparse.Namespace) -> int:
    from tui_sync.importers import agenda_json
    from tui_sync.services.transfer import ALL_TIME, TransferService

    _one_target(args)
    if args.file is not None and args.file.suffix.lower() != ".ics":
        raise BadInput(texts.imports.not_ics(str(args.file)))
    store = ctx.store
    user = await store.get_user(args.user)
    if args.json:
        actions = await store.single_actions(user.code, ALL_TIME)
        ctx.print(agenda_json(user.code, actions, await store.series_of(user.code)))
        return 0
    data, actions_count, series_count = await TransferService(store).export_agenda(
        user.code, ctx.tz, ctx.now()
    )
    if args.file is None:
        ctx.out.write(data.decode("utf-8"))
        return 0
    _write(args.file, data)
    ctx.print(texts.imports.exported_agenda(user.code, actions_count, series_count, str(args.file)))
    return 0
