"""Every sentence a user reads, in one place, so the TUI and the CLI say the same thing and a French
translation replaces this package and nothing else. Functions for sentences with values, constants for
fixed ones; one module per audience or kind (import the package and name the module: `texts.sync.…`):

- `config`: a setting that cannot be used;
- `errors`: the CRM's refusals (users, rights, lists, the database file, an unforeseen failure);
- `domain`: why a value of a CRM item is refused;
- `changes`: what a change to the CRM did, said by the screen and the command that make it;
- `microsoft`: signing in, the Test lines, what Microsoft 365 answered;
- `sync`: a sync run: progress, summary, deletions to confirm, leases;
- `imports`: importing and exporting files;
- `cli`: the command line's own words; `help`: what each command's --help says it does;
- `tui`, `tui_agenda`, `tui_contacts`: the terminal application's screens, dialogs and key hints.

The domain, the errors and the redaction sit below this package and hold no sentence a user reads:
the domain raises `InvalidValue(field, reason)` with data (`domain/refusals.py`), worded by `domain`.
"""

from tui_sync.texts import (
    changes,
    cli,
    config,
    domain,
    errors,
    help,
    imports,
    microsoft,
    sync,
    tui,
    tui_agenda,
    tui_contacts,
)

__all__ = [
    "changes",
    "cli",
    "config",
    "domain",
    "errors",
    "help",
    "imports",
    "microsoft",
    "sync",
    "tui",
    "tui_agenda",
    "tui_contacts",
]
