# Groups hold clinical records (who attends, what was written): not registered
# in the Django admin, which the project does not serve (issue #18).
