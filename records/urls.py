from django.urls import URLPattern, URLResolver

from records import views  # noqa: F401

app_name = "records"

urlpatterns: list[URLPattern | URLResolver] = []
