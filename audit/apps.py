from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "audit"
    verbose_name = "Audit trail"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Sign-in, sign-out and failed sign-in come from Django's auth signals:
        # the one place every authentication path reports to.
        from audit import auth_events  # noqa: F401
