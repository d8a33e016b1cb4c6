"""What each command's `--help` says it does, with one example, read in a shell: one table so every
command, whoever wrote it, reads the same way (`commands.help.describe` puts it into argparse).
"""

from __future__ import annotations

# prog → (what it does, one example)
HELP: dict[str, tuple[str, str]] = {
    "tui-sync": ("Keep a CRM agenda and contacts in step with Microsoft 365.", "tui-sync --user CARINE"),
    "tui-sync admin": ("The Microsoft application of the company (ADM settings).", "tui-sync admin show"),
    "tui-sync admin client-id": (
        "Set the application (client) ID registered in Microsoft Entra, and the tenant.",
        "tui-sync admin client-id 1b2c3d4e-1111-2222-3333-444455556666 --tenant common",
    ),
    "tui-sync admin show": ("Show the application (client) ID and the tenant.", "tui-sync admin show --json"),
    "tui-sync user": ("The CRM users, their preferences and rights.", "tui-sync user list"),
    "tui-sync user add": (
        "Add a CRM user, with their sync preferences.",
        'tui-sync user add CARINE "Carine Dupont" --email carine@contoso.com --calendar Calendar',
    ),
    "tui-sync user set": (
        "Change a user's name, administrator flag or sync preferences.",
        "tui-sync user set CARINE --months-after 6 --startup",
    ),
    "tui-sync user grant": (
        "Set what VIEWER may see of TARGET: visible (Home, wizard), agenda (may sync it).",
        "tui-sync user grant ADM CARINE --visible --agenda",
    ),
    "tui-sync user list": (
        "Every user: preferences, rights, connection, last syncs.",
        "tui-sync user list --json",
    ),
    "tui-sync agenda": (
        "A user's actions from scripts, with the rights and checks of the Agenda screen. A change is "
        "not pushed to Microsoft 365 here, even with Automatic on: the next sync sends it.",
        "tui-sync agenda list --user CARINE",
    ),
    "tui-sync agenda list": (
        "A user's actions over their sync period (or --from/--to), one line each: id (S<n> for an "
        "occurrence of series n), day, time, type, title, marks (R series, E edited, P private).",
        "tui-sync agenda list --user CARINE --from 2026-12-01 --to 2026-12-31 --json",
    ),
    "tui-sync agenda add": (
        "Add a single action (an hour long unless --end or --minutes) and print its id; the next sync "
        "sends it to Microsoft 365.",
        'tui-sync agenda add --user CARINE --title "Visit Acme" --start "2026-12-01 09:30" --minutes 45',
    ),
    "tui-sync agenda edit": (
        "Change a single action: the options not given stay as they are (a new --start keeps the "
        "duration); the next sync sends it.",
        'tui-sync agenda edit 12 --start "2026-12-02 14:00" --type Appel',
    ),
    "tui-sync agenda delete": (
        "Delete a single action; without --yes it only says what would be deleted (exit 2).",
        "tui-sync agenda delete 12 --yes",
    ),
    "tui-sync contacts": ("The contacts of the CRM.", "tui-sync contacts sync-list CARINE"),
    "tui-sync contacts list": (
        "Every CRM contact (id, NAME First, company, e-mail, city), or those matching --filter (name, "
        "company, e-mail, phone, city; case and accents ignored).",
        'tui-sync contacts list --filter "sebastien" --json',
    ),
    "tui-sync contacts add": (
        "Add a contact to the CRM and print its id; a refused value names its option, nothing is added.",
        "tui-sync contacts add --last-name Dupont --first-name Anne --photo anne.jpg",
    ),
    "tui-sync contacts edit": (
        'Change the fields given of a contact ("" clears one; --address replaces every line; '
        "--no-photo removes the photo).",
        "tui-sync contacts edit 12 --city Lyon --no-photo",
    ),
    "tui-sync contacts delete": (
        "Delete a contact from the CRM: it leaves every contacts-to-sync list, and each of those users' "
        "next sync deletes its Microsoft 365 copy.",
        "tui-sync contacts delete 12 --yes",
    ),
    "tui-sync contacts sync-list": (
        "Show or change a user's contacts to sync (at most 2000).",
        "tui-sync contacts sync-list CARINE --add 12 15 --remove 3",
    ),
    "tui-sync import": ("Read contacts or an agenda into the CRM.", "tui-sync import contacts people.csv"),
    "tui-sync import contacts": (
        "Import contacts from CSV or vCard; the whole file is checked first, a bad record imports nothing.",
        "tui-sync import contacts people.vcf",
    ),
    "tui-sync import agenda": (
        "Import a user's actions and series from iCalendar.",
        "tui-sync import agenda carine.ics --user CARINE",
    ),
    "tui-sync export": ("Write contacts or an agenda out of the CRM.", "tui-sync export contacts people.vcf"),
    "tui-sync export contacts": (
        "Export every contact as vCard 3.0 or CSV (by the file's extension; stdout: vCard).",
        "tui-sync export contacts people.csv",
    ),
    "tui-sync export agenda": (
        "Export a user's actions and series as iCalendar (stdout without FILE).",
        "tui-sync export agenda --user CARINE carine.ics",
    ),
    "tui-sync sync": (
        "Sync a user's agenda (both ways) and contacts to sync (CRM → Microsoft 365, notes both ways) "
        "over their sync period; exit 0 when it completed, 1 when something failed. Deletions made in "
        "Microsoft 365 reach the CRM only with --yes.",
        "tui-sync sync --user CARINE --json",
    ),
    "tui-sync connect": (
        "Sign a CRM user in to Microsoft 365 with a device code: open the address on any device and "
        "type the code.",
        "tui-sync connect --user CARINE",
    ),
    "tui-sync test": (
        "Check the user's Microsoft 365 settings (client ID, sign-in, calendar, categories), one line "
        "each; exit 1 if one fails.",
        "tui-sync test --user CARINE --create-categories",
    ),
    "tui-sync disconnect": (
        "Reset: remove the user's Microsoft 365 tokens from this machine and forget their sync links "
        "(the next sync finds the items again: no duplicates).",
        "tui-sync disconnect --user CARINE",
    ),
    "tui-sync bench": (
        "Measure what a sync costs against the fake Microsoft 365 started in this process: initial, "
        "pull, no change, incremental, push, the per-item way, scaling, the CLI and the terminal "
        "application. Prints the tables and writes them to BENCHMARKS.md.",
        "tui-sync bench --server-ms 20 --network-ms 20 --scale 0.25",
    ),
}

EXAMPLE = "example:"

# `tui-sync demo --help` words its own description and example (its lines are laid out by hand).
DEMO_DESCRIPTION = """\
Open the terminal application on a demo company (five users, 60 contacts, four
weeks of agenda) synced with a fake Microsoft 365 that runs inside tui-sync: no
tenant, no second terminal, nothing written outside the demo folder."""
DEMO_EPILOG = """\
The demo opens as CARINE. Try: f6 Preferences, ctrl+o Connect (the code is
approved by itself after a few seconds), then f9 Sync now: events made in
Outlook arrive, a deletion made in Outlook is asked. ctrl+q quits; without
--keep the demo folder is removed.

example:
  tui-sync demo --keep ~/tui-sync-demo --latency-ms 50
"""
