-- The iCalendar UID or vCard UID an item was imported with: importing the same file again (or a newer
-- export of the same calendar or address book) updates that item instead of adding a copy of it.
-- An item has at most one; a UID names at most one contact, and one action or series per owner.
CREATE TABLE action_uids (
    action_id INTEGER PRIMARY KEY REFERENCES actions(id) ON DELETE CASCADE,
    uid       TEXT NOT NULL
);
CREATE INDEX action_uids_uid ON action_uids(uid);

CREATE TABLE series_uids (
    series_id INTEGER PRIMARY KEY REFERENCES series(id) ON DELETE CASCADE,
    uid       TEXT NOT NULL
);
CREATE INDEX series_uids_uid ON series_uids(uid);

CREATE TABLE contact_uids (
    contact_id INTEGER PRIMARY KEY REFERENCES contacts(id) ON DELETE CASCADE,
    uid        TEXT NOT NULL UNIQUE
);
