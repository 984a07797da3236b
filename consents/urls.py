from django.urls import path

from consents import views

app_name = "consents"

urlpatterns = [
    path("consent/notice/", views.notice, name="notice"),
    path("clients/<uuid:client_pk>/consent/", views.client_consents, name="client"),
    path(
        "clients/<uuid:client_pk>/consent/notice/",
        views.notice_record,
        name="notice_record",
    ),
    path("clients/<uuid:client_pk>/consent/new/", views.consent_create, name="create"),
    path("consents/<uuid:pk>/", views.consent_detail, name="detail"),
    path("consents/<uuid:pk>/sign/", views.consent_sign, name="sign"),
    path("consents/<uuid:pk>/revoke/", views.consent_revoke, name="revoke"),
    path("clients/<uuid:client_pk>/share/", views.share, name="share"),
    path(
        "clients/<uuid:client_pk>/share/without-consent/",
        views.share_without_consent,
        name="share_without_consent",
    ),
    path("disclosures/<uuid:pk>/", views.disclosure_detail, name="disclosure"),
    path("disclosures/<uuid:pk>/pdf/", views.disclosure_pdf, name="disclosure_pdf"),
    path(
        "clients/<uuid:client_pk>/consent/accounting/",
        views.accounting,
        name="accounting",
    ),
]
