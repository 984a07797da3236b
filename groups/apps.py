from django.apps import AppConfig


class GroupsConfig(AppConfig):
    """Group sessions (issue #24): one group, many people, each with their own
    note and their own privacy."""

    name = "groups"
    verbose_name = "Groups"
    default_auto_field = "django.db.models.BigAutoField"
