from django.urls import URLPattern, URLResolver, path

from records import views

app_name = "records"

urlpatterns: list[URLPattern | URLResolver] = []

# Amendment requests (HIPAA §164.526).
urlpatterns += [
    path(
        "clients/<uuid:client_pk>/record-changes/",
        views.amendment_list,
        name="amendment_list",
    ),
    path(
        "clients/<uuid:client_pk>/record-changes/new/",
        views.amendment_create,
        name="amendment_create",
    ),
    path("record-changes/<uuid:pk>/", views.amendment_detail, name="amendment_detail"),
    path(
        "record-changes/<uuid:pk>/decide/",
        views.amendment_decide,
        name="amendment_decide",
    ),
    path(
        "record-changes/<uuid:pk>/statement/",
        views.amendment_statement,
        name="amendment_statement",
    ),
]
