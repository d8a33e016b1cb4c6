"""The sync engine: read both sides, plan (pure), confirm deletions, apply in batches, record links."""
