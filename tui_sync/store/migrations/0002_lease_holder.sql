-- Who holds a sync lease, in columns of its own: the machine and process (a run on this machine whose
-- process is gone is taken over at once instead of locking its user out until the lease expires), the
-- CRM user who started it and since when (shown to whoever finds the user busy).
ALTER TABLE sync_leases ADD COLUMN host TEXT;
ALTER TABLE sync_leases ADD COLUMN pid INTEGER;
ALTER TABLE sync_leases ADD COLUMN viewer TEXT;
ALTER TABLE sync_leases ADD COLUMN since TEXT;
