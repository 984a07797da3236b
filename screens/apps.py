from django.apps import AppConfig


class ScreensConfig(AppConfig):
    """The client's screen, "Hand to the client" (issue #22): a screen the
    person holds on the clinician's device, showing only what is meant for
    them."""

    name = "screens"
    verbose_name = "The client's screen"
    default_auto_field = "django.db.models.BigAutoField"
