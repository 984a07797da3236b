from django.urls import URLPattern, URLResolver, include, path

from clients.views import emergency_access_admin_list
from hr_clinic.lib.health import healthz

urlpatterns: list[URLPattern | URLResolver] = [
    path("healthz", healthz, name="healthz"),
    path("", include("staff.urls")),
    # Under the admins' area, served by clients/ (which owns the grants).
    path(
        "staff/emergency-access/",
        emergency_access_admin_list,
        name="emergency_access_admin",
    ),
    path("staff/", include("staff.admin_urls")),
    path("clients/", include("clients.urls")),
    path("team/", include("clients.team_urls")),
    path("", include("goals.urls")),
    path("", include("sessions.urls")),
    path("audit/", include("audit.urls")),
    path("", include("consents.urls")),
    path("", include("records.urls")),
    path("", include("appointments.urls")),
    path("", include("measures.urls")),
    path("", include("screens.urls")),
    path("figures/", include("reports.urls")),
    path("", include("groups.urls")),
    # No Django admin (issue #18): it bypassed the staff history and the audit.
]
