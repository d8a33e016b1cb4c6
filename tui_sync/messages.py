"""Every sentence a user reads, in one place, so the TUI and the CLI say the same thing and a French
translation is one file away. Functions for messages with values; constants for fixed ones.

Sections: configuration, store and administration, import/export, Microsoft sign-in and Test,
sync, dialogs.
"""

from __future__ import annotations

# --- configuration -------------------------------------------------------------------------------

# --- store and administration --------------------------------------------------------------------

# --- import / export -----------------------------------------------------------------------------

# --- Microsoft sign-in, Graph and Test (SPEC §4) -------------------------------------------------

# --- sync (SPEC §6) ------------------------------------------------------------------------------

# --- dialogs -------------------------------------------------------------------------------------
