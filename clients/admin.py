# Client records are clinical: they are not registered in the Django admin.
