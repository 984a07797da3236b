from django.urls import URLPattern, URLResolver, path

from records import views

app_name = "records"

urlpatterns: list[URLPattern | URLResolver] = []

# The machine-readable copy (FHIR R4 Bundle, JSON).
urlpatterns += [
    path("clients/<uuid:client_pk>/record/fhir/", views.record_fhir, name="fhir"),
]
