"""`tui-sync contacts list|add|edit|delete|sync-list`: the CRM contacts and a user's contacts to sync.

The rules (a contact needs a name or a company, a valid e-mail, at most 3 address lines, a JPEG or PNG
photo of at most 4 MB; removals before additions in a list, all or nothing, at most 2000 contacts) are
the contacts service's and the Contact's, shared with the terminal application's Contacts screen and
its form; this module only parses and prints. A refused value names the option typed and changes
nothing (exit 2). `add`/`edit` read their fields from JSON with `--from-json` and print the contact as
JSON with `--json`, the keys being those `contacts list --json` prints.
"""

from __future__ import annotations

import argparse
from collections.abc import Mapping
from typing import Any

from tui_sync import texts
from tui_sync.commands import Context, add_json_flag
from tui_sync.commands.json_input import Setter, add_from_json, apply_json, text
from tui_sync.domain.models import MAX_CONTACTS_TO_SYNC, Contact, InvalidValue
from tui_sync.errors import BadInput, UserError

# Contact field → the option that sets it, so a refused value names what was typed.
_OPTIONS = {
    "last_name": "--last-name",
    "first_name": "--first-name",
    "civility": "--civility",
    "company": "--company",
    "job_title": "--job-title",
    "email": "--email",
    "phone": "--phone",
    "mobile": "--mobile",
    "postal_code": "--postal-code",
    "city": "--city",
    "country": "--country",
    "note": "--note",
}
_OTHER_OPTIONS = {"address_lines": "--address", "photo": "--photo"}
# Keys of `contacts list --json` that describe a contact without being one of its fields.
_DESCRIPTIVE_KEYS = frozenset({"id", "has_photo", "created_at", "updated_at"})


def _lines(value: Any, _: Mapping[str, Any]) -> dict[str, Any]:
    if not isinstance(value, list) or not all(isinstance(line, str) for line in value):
        raise TypeError(texts.cli.JSON_LIST_OF_TEXT)
    return {"address_lines": value}


_SETTERS: dict[str, Setter] = {**{field: text(field) for field in _OPTIONS}, "address_lines": _lines}


def register(subparsers: argparse._SubParsersAction) -> None:
    contacts = subparsers.add_parser("contacts", help="the CRM contacts and the lists of contacts to sync")
    commands = contacts.add_subparsers(title="contacts commands", metavar="COMMAND", required=True)

    list_ = commands.add_parser("list", help="the CRM contacts, or those matching a filter")
    list_.add_argument(
        "--filter", default="", metavar="TEXT", help="name, company, e-mail, phone, city (any case, accents)"
    )
    add_json_flag(list_)
    list_.set_defaults(handler=list_contacts)

    add = commands.add_parser("add", help="add a contact to the CRM; prints its id")
    add.add_argument("--last-name", dest="last_name", metavar="N", help="the last name")
    _add_field_options(add)
    add.add_argument("--photo", metavar="FILE", help="a JPEG or PNG file of at most 4 MB")
    add_from_json(add, "contact")
    add_json_flag(add)
    add.set_defaults(handler=add_contact)

    edit = commands.add_parser("edit", help="change a contact's fields (those not given stay as they are)")
    edit.add_argument("contact_id", type=int, metavar="ID", help="the contact's id (`contacts list`)")
    edit.add_argument("--last-name", dest="last_name", metavar="N", help="the last name")
    _add_field_options(edit)
    photo = edit.add_mutually_exclusive_group()
    photo.add_argument("--photo", metavar="FILE", help="a new photo: a JPEG or PNG file of at most 4 MB")
    photo.add_argument("--no-photo", action="store_true", help="remove the photo")
    add_from_json(edit, "contact")
    add_json_flag(edit)
    edit.set_defaults(handler=edit_contact)

    delete = commands.add_parser("delete", help="delete a contact from the CRM (and from every list)")
    delete.add_argument("contact_id", type=int, metavar="ID", help="the contact's id (`contacts list`)")
    delete.add_argument(
        "--yes", action="store_true", help="really delete it (without: say what, change nothing)"
    )
    delete.set_defaults(handler=delete_contact)

    sync_list = commands.add_parser("sync-list", help="show or change a user's contacts to sync")
    sync_list.add_argument("code", metavar="CODE", help="the CRM user")
    sync_list.add_argument("--add", type=int, nargs="+", action="extend", default=[], metavar="ID")
    sync_list.add_argument("--remove", type=int, nargs="+", action="extend", default=[], metavar="ID")
    add_json_flag(sync_list)
    sync_list.set_defaults(handler=edit_sync_list)


def _add_field_options(parser: argparse.ArgumentParser) -> None:
    """The text fields after the last name; an empty value ("") clears the field on `edit`."""
    for field, option in list(_OPTIONS.items())[1:]:
        parser.add_argument(option, dest=field, metavar="E-MAIL" if field == "email" else "TEXT")
    parser.add_argument(
        "--address",
        dest="address_lines",
        action="append",
        metavar="LINE",
        help="an address line (repeat for up to 3; on edit, replaces every line)",
    )


def _refused(error: InvalidValue) -> BadInput:
    """A value the Contact refused, as one line naming the option typed."""
    option = _OPTIONS.get(error.field) or _OTHER_OPTIONS.get(error.field) or error.field
    return BadInput(texts.domain.invalid_value(error, option))


def _fields_given(args: argparse.Namespace) -> dict[str, Any]:
    """The fields typed on the command line, by Contact field (those not given stay as they are)."""
    given: dict[str, Any] = {f: getattr(args, f).strip() for f in _OPTIONS if getattr(args, f) is not None}
    if "note" in given:
        given["note"] = args.note  # a note keeps its own spacing, as in the form
    if args.address_lines is not None:
        given["address_lines"] = tuple(line.strip() for line in args.address_lines)
    return given


async def _read_photo(ctx: Context, path: str) -> bytes:
    try:
        return await ctx.services.contacts.read_photo(path)
    except UserError as error:
        raise BadInput(texts.cli.bad_option("--photo", error.message)) from None


def contact_json(contact: Contact) -> dict[str, Any]:
    """A contact as `contacts list --json` prints it: every field but the photo bytes, and has_photo."""
    return {
        "id": contact.id,
        "last_name": contact.last_name,
        "first_name": contact.first_name,
        "civility": contact.civility,
        "company": contact.company,
        "job_title": contact.job_title,
        "email": contact.email,
        "phone": contact.phone,
        "mobile": contact.mobile,
        "address_lines": list(contact.address_lines),
        "postal_code": contact.postal_code,
        "city": contact.city,
        "country": contact.country,
        "note": contact.note,
        "has_photo": contact.photo is not None,
        "created_at": contact.created_at,
        "updated_at": contact.updated_at,
    }


async def list_contacts(ctx: Context, args: argparse.Namespace) -> int:
    from tui_sync.services.contacts import filter_contacts  # here: `--help` must not load the services

    index = await ctx.services.contacts.index()
    shown, _ = filter_contacts(index, args.filter, len(index))
    if args.json:
        ctx.print_json({"contacts": [contact_json(c) for c in shown]})
        return 0
    for contact in shown:
        ctx.print(
            texts.cli.contact_list_line(
                contact.id or 0, contact.display_name, contact.company, contact.email, contact.city
            )
        )
    return 0


async def add_contact(ctx: Context, args: argparse.Namespace) -> int:
    apply_json(args, _SETTERS, _DESCRIPTIVE_KEYS)
    fields = {"last_name": "", **_fields_given(args)}  # no name: the Contact says what it needs
    photo = await _read_photo(ctx, args.photo) if args.photo is not None else None
    try:
        contact = Contact(**fields, photo=photo)
    except InvalidValue as error:
        raise _refused(error) from None
    saved = await ctx.services.contacts.save(contact)
    if args.json:
        ctx.print_json(contact_json(saved))
    else:
        ctx.print(str(saved.id))
    return 0


async def edit_contact(ctx: Context, args: argparse.Namespace) -> int:
    apply_json(args, _SETTERS, _DESCRIPTIVE_KEYS)
    changes = _fields_given(args)
    if args.photo is not None:
        changes["photo"] = await _read_photo(ctx, args.photo)
    elif args.no_photo:
        changes["photo"] = None
    if not changes:
        options = [*_OPTIONS.values(), "--address", "--photo", "--no-photo"]
        raise BadInput(texts.cli.nothing_to_change(", ".join(options)))
    contact = await ctx.services.contacts.get(args.contact_id)
    try:
        changed = contact.with_changes(**changes)
    except InvalidValue as error:
        raise _refused(error) from None
    saved = await ctx.services.contacts.save(changed)
    if args.json:
        ctx.print_json(contact_json(saved))
    else:
        ctx.print(texts.changes.contact_saved(saved.display_name))
    return 0


async def delete_contact(ctx: Context, args: argparse.Namespace) -> int:
    contact = await ctx.services.contacts.get(args.contact_id)
    if not args.yes:  # the same rule as `agenda delete`: a script says so to destroy
        raise BadInput(texts.cli.cli_delete_needs_yes(texts.cli.contact_cli_what(contact.display_name)))
    listed_by = [
        user.code
        for user in await ctx.services.people.list_users()
        if args.contact_id in {c.id for c in await ctx.services.contacts.sync_list(user.code)}
    ]
    await ctx.services.contacts.delete(args.contact_id)
    ctx.print(texts.changes.contact_deleted(contact.display_name))
    if listed_by:
        ctx.print(texts.cli.contact_deleted_from_lists(listed_by))
    return 0


async def edit_sync_list(ctx: Context, args: argparse.Namespace) -> int:
    user = await ctx.services.people.get_user(args.code)
    listed = await ctx.services.contacts.edit_sync_list(user.code, add=args.add, remove=args.remove)
    if args.json:
        ctx.print_json(
            {
                "user": user.code,
                "count": len(listed),
                "limit": MAX_CONTACTS_TO_SYNC,
                "contacts": [{"id": c.id, "name": c.display_name} for c in listed],
            }
        )
        return 0
    ctx.print(texts.cli.sync_list_count(user.code, len(listed), MAX_CONTACTS_TO_SYNC))
    for contact in listed:
        ctx.print(texts.cli.sync_list_entry(contact.id or 0, contact.display_name))
    return 0
