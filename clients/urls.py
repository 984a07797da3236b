from django.urls import path

from clients import views

app_name = "clients"

urlpatterns = [
    path("", views.client_list, name="list"),
    path("search/", views.client_search, name="search"),
    path("reach-out/", views.reach_out_list, name="reach_out"),
    path("new/", views.client_create, name="create"),
    path("emergency-access/", views.emergency_access_find, name="emergency"),
    path(
        "emergency-access/confirm/",
        views.emergency_access_confirm,
        name="emergency_confirm",
    ),
    path(
        "emergency-access/grants/", views.emergency_access_list, name="emergency_list"
    ),
    path(
        "emergency-access/<uuid:pk>/review/",
        views.emergency_access_review,
        name="emergency_review",
    ),
    path("<uuid:pk>/", views.client_detail, name="detail"),
    path("<uuid:pk>/record.pdf", views.client_record_pdf, name="pdf"),
    path("<uuid:pk>/edit/", views.client_update, name="update"),
    path("<uuid:pk>/what-i-want/", views.wants_update, name="wants"),
    path("<uuid:pk>/close/", views.client_close, name="close"),
    path("<uuid:pk>/status/", views.client_status_update, name="status"),
    path("<uuid:pk>/reassign/", views.client_reassign, name="reassign"),
    path(
        "<uuid:pk>/reach-out-attempts/", views.contact_attempt_create, name="attempts"
    ),
    path("<uuid:pk>/review-date/", views.client_review_on_update, name="review_on"),
]
