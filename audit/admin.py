# The audit trail is read through our own report pages, never the Django admin.
