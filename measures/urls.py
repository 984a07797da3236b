from django.urls import URLPattern, URLResolver, path

from measures import views

app_name = "measures"

urlpatterns: list[URLPattern | URLResolver] = [
    path("clients/<uuid:client_pk>/measures/", views.measure_list, name="list"),
    # The measure is named in the query (?measure=phq9): paths carry ids only.
    path("clients/<uuid:client_pk>/measures/new/", views.measure_create, name="create"),
    path("measures/<uuid:pk>/", views.measure_detail, name="detail"),
    path(
        "measures/<uuid:pk>/safety-check/",
        views.measure_safety_check,
        name="safety_check",
    ),
]
