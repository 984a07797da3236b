from django.urls import URLPattern, URLResolver, path

from records import views

app_name = "records"

urlpatterns: list[URLPattern | URLResolver] = [
    path("clients/<uuid:client_pk>/record/", views.client_copy, name="client"),
    path(
        "clients/<uuid:client_pk>/record/requests/new/",
        views.copy_request_create,
        name="request_create",
    ),
    path(
        "clients/<uuid:client_pk>/record/exports/new/",
        views.export_create,
        name="export_create",
    ),
    path("record-exports/<uuid:pk>/", views.export_detail, name="export"),
    path(
        "record-exports/<uuid:pk>/download/",
        views.export_download,
        name="export_download",
    ),
    path("record-exports/<uuid:pk>/again/", views.export_retry, name="export_retry"),
    path("record-requests/<uuid:pk>/fulfil/", views.copy_fulfil, name="request_fulfil"),
    path("requests-due/", views.due_list, name="due"),
    path("clients/<uuid:client_pk>/record/fhir/", views.record_fhir, name="fhir"),
    # Amendment requests (HIPAA §164.526).
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
