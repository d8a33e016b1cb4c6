"""The kinds of sync link the engines write (the `kind` column of a link).

They live apart from the engines so that the services can name them (Reset forgets a user's links,
the contacts list reads their remote state) without importing the engines and the Graph client.
"""

from __future__ import annotations

ACTION, SERIES, OCCURRENCE = "action", "series", "occurrence"
CONTACT = "contact"

AGENDA_KINDS = (ACTION, SERIES, OCCURRENCE)
ALL_KINDS = (*AGENDA_KINDS, CONTACT)
