from django.urls import URLPattern, URLResolver, path

from appointments import views

app_name = "appointments"

urlpatterns: list[URLPattern | URLResolver] = [
    path("today/", views.today, name="today"),
    path("week/", views.week, name="week"),
    path("team/week/", views.team_week, name="team_week"),
    path("calendar-feed/", views.feed_settings, name="feed"),
    path("calendar-feed/on/", views.feed_on, name="feed_on"),
    path("calendar-feed/off/", views.feed_off, name="feed_off"),
    path("calendar/<str:token>.ics", views.feed_ics, name="feed_ics"),
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
