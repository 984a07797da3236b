from django.apps import AppConfig


class RecordsConfig(AppConfig):
    """The client's own copy of their record (HIPAA §164.524) and their
    requests to correct it (§164.526): issue #20."""

    name = "records"
    verbose_name = "The client's own record"
    default_auto_field = "django.db.models.BigAutoField"
