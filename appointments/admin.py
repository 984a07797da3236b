# Appointments belong to clinical records: not registered in the Django admin.
