from django.apps import AppConfig


class ConsentsConfig(AppConfig):
    name = "consents"
    verbose_name = "Consent and sharing"
    default_auto_field = "django.db.models.BigAutoField"
