from django.conf import settings
from django.contrib import admin
from django.urls import URLPattern, URLResolver, include, path

from hr_clinic.lib.health import healthz
from staff.views import bench_baseline

urlpatterns: list[URLPattern | URLResolver] = [
    path("healthz", healthz, name="healthz"),
    path("", include("staff.urls")),
    path("staff/", include("staff.admin_urls")),
    path("clients/", include("clients.urls")),
    path("team/", include("clients.team_urls")),
    path("", include("goals.urls")),
    path("", include("sessions.urls")),
    path("audit/", include("audit.urls")),
    # The Django admin is for superusers only; it registers no clinical models.
    path("django-admin/", admin.site.urls),
]

if settings.BENCH_BASELINE:
    # The benchmark's yardstick: a signed-in page with one primary-key query.
    urlpatterns.append(path("bench/baseline/", bench_baseline, name="bench_baseline"))
