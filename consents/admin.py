# No Django admin (issue #18): it would bypass the audit trail.
