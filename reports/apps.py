from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = "Program figures"
    default_auto_field = "django.db.models.BigAutoField"
