from django.urls import path

from audit import views

app_name = "audit"

urlpatterns = [
    path("", views.audit_report, name="report"),
    path("export.csv", views.audit_export, name="export"),
    path("events/<int:seq>/", views.event_detail, name="event"),
    path("clients/<uuid:pk>/", views.client_access_history, name="client_history"),
]
