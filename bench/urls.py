from django.urls import URLPattern, URLResolver, path

from bench.views import baseline
from hr_clinic.urls import urlpatterns as product_urlpatterns

urlpatterns: list[URLPattern | URLResolver] = [
    *product_urlpatterns,
    # The benchmark's yardstick: a signed-in page with one primary-key query.
    path("bench/baseline/", baseline, name="bench_baseline"),
]
