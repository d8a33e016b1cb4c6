"""tui-sync: keep a CRM agenda and contacts in step with Microsoft 365, from the keyboard."""
