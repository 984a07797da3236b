from django.urls import path

from sessions import views

app_name = "sessions"

urlpatterns = [
    path("sessions/language-guide/", views.language_guide, name="language_guide"),
    path("sessions/language-check/", views.language_check, name="language_check"),
]
