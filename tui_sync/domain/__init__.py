"""Pure CRM data and rules: models, sync period, recurrence expansion. Imports nothing of ours."""
