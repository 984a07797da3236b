from django.apps import AppConfig


class SessionsConfig(AppConfig):
    name = "sessions"
    # django.contrib.sessions owns the label "sessions". Tables, permissions and
    # migrations of this app are therefore "therapy_sessions":
    # `manage.py makemigrations therapy_sessions`.
    label = "therapy_sessions"
    verbose_name = "Therapy sessions"
    default_auto_field = "django.db.models.BigAutoField"
