"""Schema migrations, applied in order by tui_sync.store.db: NNNN_name.sql brings the schema to NNNN."""
