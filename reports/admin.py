# Figures are derived from clinical records: not registered in the Django admin.
