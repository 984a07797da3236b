from django.urls import path

from clients import views

app_name = "team"

urlpatterns = [
    path("", views.team_dashboard, name="dashboard"),
    path("reach-out/", views.team_reach_out, name="reach_out"),
    path("caseload.csv", views.team_export, name="export"),
    path("<int:staff_pk>/<slug:kind>/", views.team_list, name="list"),
]
