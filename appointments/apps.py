from django.apps import AppConfig


class AppointmentsConfig(AppConfig):
    """Appointments and their series (issue #21): being a consistent presence."""

    name = "appointments"
    verbose_name = "Appointments"
    default_auto_field = "django.db.models.BigAutoField"
