# Goals are clinical records: not registered in the Django admin.
