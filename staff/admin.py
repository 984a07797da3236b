# Nothing is registered: the Django admin is not installed (issue #18). It changed
# roles and passwords past the staff history and the audit trail; staff accounts
# change only through staff/services.py, from the staff pages.
