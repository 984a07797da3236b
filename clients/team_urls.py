from django.urls import path

from clients import views
from clients.views.team import TEAM_LISTS

app_name = "team"

urlpatterns = [
    path("", views.team_dashboard, name="dashboard"),
    path("reach-out/", views.team_reach_out, name="reach_out"),
    path("caseload.csv", views.team_export, name="export"),
    # The list behind each dashboard figure, one route per figure (ids only in
    # the path): team:member_clients, team:member_reach_out, …
    *(
        path(
            f"<int:staff_pk>/{kind}/",
            views.team_list,
            {"kind": kind},
            name=f"member_{kind.replace('-', '_')}",
        )
        for kind in TEAM_LISTS
    ),
]
