from django.urls import URLPattern, URLResolver, path

from appointments import views

app_name = "appointments"

urlpatterns: list[URLPattern | URLResolver] = [
    path("today/", views.today, name="today"),
    path("week/", views.week, name="week"),
    path("team/week/", views.team_week, name="team_week"),
    path(
        "clients/<uuid:client_pk>/appointments/new/",
        views.appointment_create,
        name="create",
    ),
    path("appointments/<uuid:pk>/", views.appointment_detail, name="detail"),
    path("appointments/<uuid:pk>/edit/", views.appointment_update, name="update"),
    path(
        "appointments/<uuid:pk>/outcome/",
        views.appointment_outcome,
        name="outcome",
    ),
    path(
        "appointments/<uuid:pk>/cancel-rest/",
        views.series_cancel_rest,
        name="cancel_rest",
    ),
]
