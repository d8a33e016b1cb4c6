-- The id of this CRM database, made once when the database is created (or upgraded to this version)
-- and kept in the file: the CRM-id stamp on every Microsoft 365 item we create names it, so two CRMs
-- syncing one mailbox never take over each other's items, while a restored backup (the same file)
-- still knows its own. 32 random hex digits.
INSERT OR IGNORE INTO settings (key, value) VALUES ('database_id', lower(hex(randomblob(16))));

-- Stamps written before they named their database hold the CRM key alone. A database that had
-- already synced (links or runs recorded) wrote such stamps and keeps claiming them; a database
-- created from now on never does, so it cannot take over the older items of another CRM.
INSERT OR IGNORE INTO settings (key, value)
SELECT 'legacy_stamps', '1'
WHERE EXISTS (SELECT 1 FROM links) OR EXISTS (SELECT 1 FROM sync_runs);
