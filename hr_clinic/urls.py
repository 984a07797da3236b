from django.urls import URLPattern, URLResolver, include, path

from hr_clinic.lib.health import healthz

urlpatterns: list[URLPattern | URLResolver] = [
    path("healthz", healthz, name="healthz"),
    path("", include("staff.urls")),
    path("staff/", include("staff.admin_urls")),
    path("clients/", include("clients.urls")),
    path("team/", include("clients.team_urls")),
    path("", include("goals.urls")),
    path("", include("sessions.urls")),
    path("audit/", include("audit.urls")),
    # No Django admin (issue #18): it bypassed the staff history and the audit.
]
