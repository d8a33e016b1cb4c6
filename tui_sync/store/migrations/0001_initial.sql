-- The CRM, its folder-level settings and the sync state. Datetimes are ISO-8601 UTC text
-- (YYYY-MM-DDTHH:MM:SS.ffffffZ, so text order is time order); dates are YYYY-MM-DD; flags are 0/1.

CREATE TABLE settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

CREATE TABLE users (
    code               TEXT PRIMARY KEY,
    full_name          TEXT NOT NULL,
    is_admin           INTEGER NOT NULL DEFAULT 0,
    interface          TEXT NOT NULL DEFAULT 'Office 365',
    login_email        TEXT NOT NULL DEFAULT '',
    calendar_name      TEXT NOT NULL DEFAULT '',
    months_before      INTEGER NOT NULL DEFAULT 1 CHECK (months_before BETWEEN 0 AND 36),
    months_after       INTEGER NOT NULL DEFAULT 3 CHECK (months_after BETWEEN 0 AND 36),
    automatic          INTEGER NOT NULL DEFAULT 0,
    at_startup         INTEGER NOT NULL DEFAULT 0,
    series             INTEGER NOT NULL DEFAULT 1,
    home_account_id    TEXT,
    last_agenda_sync   TEXT,
    last_contacts_sync TEXT
);

CREATE TABLE rights (
    viewer  TEXT NOT NULL REFERENCES users(code) ON DELETE CASCADE ON UPDATE CASCADE,
    target  TEXT NOT NULL REFERENCES users(code) ON DELETE CASCADE ON UPDATE CASCADE,
    visible INTEGER NOT NULL DEFAULT 0,
    agenda  INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (viewer, target),
    CHECK (viewer <> target)
);

CREATE TABLE action_types (
    id     INTEGER PRIMARY KEY,
    label  TEXT NOT NULL UNIQUE,
    colour TEXT NOT NULL
);

CREATE TABLE series (
    id                INTEGER PRIMARY KEY AUTOINCREMENT,  -- never reused: links and stamps name it
    owner             TEXT NOT NULL REFERENCES users(code) ON DELETE CASCADE ON UPDATE CASCADE,
    title             TEXT NOT NULL,
    location          TEXT NOT NULL DEFAULT '',
    start_at          TEXT NOT NULL,
    end_at            TEXT NOT NULL,
    all_day           INTEGER NOT NULL DEFAULT 0,
    private           INTEGER NOT NULL DEFAULT 0,
    reminder_on       INTEGER NOT NULL DEFAULT 0,
    reminder_minutes  INTEGER NOT NULL DEFAULT 15,
    action_type       TEXT NOT NULL REFERENCES action_types(label) ON UPDATE CASCADE,
    note              TEXT NOT NULL DEFAULT '',
    -- the recurrence, in Outlook's vocabulary (tui_sync.domain.models.Recurrence)
    pattern           TEXT NOT NULL,
    start_date        TEXT NOT NULL,
    interval          INTEGER NOT NULL DEFAULT 1,
    days_of_week      TEXT NOT NULL DEFAULT '',   -- comma-separated: monday,thursday
    day_of_month      INTEGER,
    month             INTEGER,
    week_index        TEXT,
    first_day_of_week TEXT NOT NULL DEFAULT 'sunday',
    range_type        TEXT NOT NULL DEFAULT 'noEnd',
    end_date          TEXT,
    range_count       INTEGER,
    created_at        TEXT NOT NULL,
    updated_at        TEXT NOT NULL
);
CREATE INDEX series_owner ON series(owner);

-- Single actions (series_id NULL) and the exceptions of series (series_id + original_start).
CREATE TABLE actions (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,  -- never reused: links and stamps name it
    owner            TEXT NOT NULL REFERENCES users(code) ON DELETE CASCADE ON UPDATE CASCADE,
    title            TEXT NOT NULL,
    location         TEXT NOT NULL DEFAULT '',
    start_at         TEXT NOT NULL,
    end_at           TEXT NOT NULL,
    all_day          INTEGER NOT NULL DEFAULT 0,
    private          INTEGER NOT NULL DEFAULT 0,
    reminder_on      INTEGER NOT NULL DEFAULT 0,
    reminder_minutes INTEGER NOT NULL DEFAULT 15,
    action_type      TEXT NOT NULL REFERENCES action_types(label) ON UPDATE CASCADE,
    note             TEXT NOT NULL DEFAULT '',
    series_id        INTEGER REFERENCES series(id) ON DELETE CASCADE,
    original_start   TEXT,
    created_at       TEXT NOT NULL,
    updated_at       TEXT NOT NULL,
    CHECK ((series_id IS NULL) = (original_start IS NULL)),
    UNIQUE (series_id, original_start)
);
CREATE INDEX actions_owner_start ON actions(owner, start_at) WHERE series_id IS NULL;

CREATE TABLE series_cancellations (
    series_id      INTEGER NOT NULL REFERENCES series(id) ON DELETE CASCADE,
    original_start TEXT NOT NULL,
    PRIMARY KEY (series_id, original_start)
);

CREATE TABLE contacts (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,  -- never reused: links and stamps name it
    civility    TEXT NOT NULL DEFAULT '',
    last_name   TEXT NOT NULL DEFAULT '',
    first_name  TEXT NOT NULL DEFAULT '',
    company     TEXT NOT NULL DEFAULT '',
    job_title   TEXT NOT NULL DEFAULT '',
    email       TEXT NOT NULL DEFAULT '',
    phone       TEXT NOT NULL DEFAULT '',
    mobile      TEXT NOT NULL DEFAULT '',
    address1    TEXT NOT NULL DEFAULT '',
    address2    TEXT NOT NULL DEFAULT '',
    address3    TEXT NOT NULL DEFAULT '',
    postal_code TEXT NOT NULL DEFAULT '',
    city        TEXT NOT NULL DEFAULT '',
    country     TEXT NOT NULL DEFAULT '',
    photo       BLOB,
    note        TEXT NOT NULL DEFAULT '',
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL
);

-- Per user, the ordered contacts to sync (at most 2000, enforced by the store).
CREATE TABLE contact_sync_list (
    user       TEXT NOT NULL REFERENCES users(code) ON DELETE CASCADE ON UPDATE CASCADE,
    position   INTEGER NOT NULL,
    contact_id INTEGER NOT NULL REFERENCES contacts(id) ON DELETE CASCADE,
    PRIMARY KEY (user, contact_id),
    UNIQUE (user, position)
);

-- Sync state: a CRM item and its Microsoft twin, with each side's version at the last sync.
CREATE TABLE links (
    user              TEXT NOT NULL REFERENCES users(code) ON DELETE CASCADE ON UPDATE CASCADE,
    kind              TEXT NOT NULL,
    crm_key           TEXT NOT NULL,
    remote_id         TEXT NOT NULL,
    crm_hash          TEXT NOT NULL DEFAULT '',
    remote_change_key TEXT NOT NULL DEFAULT '',
    remote_hash       TEXT NOT NULL DEFAULT '',
    extra             TEXT NOT NULL DEFAULT '{}',
    PRIMARY KEY (user, kind, crm_key)
);
CREATE INDEX links_remote ON links(user, kind, remote_id);

CREATE TABLE sync_runs (
    id       INTEGER PRIMARY KEY,
    user     TEXT NOT NULL REFERENCES users(code) ON DELETE CASCADE ON UPDATE CASCADE,
    what     TEXT NOT NULL,
    started  TEXT NOT NULL,
    finished TEXT,
    summary  TEXT NOT NULL DEFAULT '{}',
    errors   TEXT NOT NULL DEFAULT '[]',
    ok       INTEGER
);
CREATE INDEX sync_runs_user ON sync_runs(user, started);

-- One writer per user: the holder of a live lease syncs, the others wait or give up.
CREATE TABLE sync_leases (
    user    TEXT PRIMARY KEY REFERENCES users(code) ON DELETE CASCADE ON UPDATE CASCADE,
    holder  TEXT NOT NULL,
    expires TEXT NOT NULL
);
