"""The terminal application's Contacts screen and contact form: the filter, the contacts-to-sync
list, the detail pane, the form's labels and what a change did.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tui_sync.domain.models import Contact


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
# What Outlook holds of a contact, by RemoteState.state (and whether it is in the list).
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


def contact_form_title(name: str) -> str:
    return f"Contact {name}"


def contact_has_photo(size: int) -> str:
    return f"has a photo ({max(1, round(size / 1024))} KB)"


def contact_refused(label: str, problem: str) -> str:
    """A form value the domain refused: the field's label, then why."""
    return f"{label}: {problem}"


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


def contact_detail(contact: Contact, outlook: str, in_list: bool) -> tuple[str, str]:
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
