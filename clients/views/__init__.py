from clients.views.records import (
    client_close,
    client_create,
    client_detail,
    client_list,
    client_reassign,
    client_search,
    client_status_update,
    client_update,
)
from clients.views.team import (
    reach_out_list,
    team_dashboard,
    team_export,
    team_list,
    team_reach_out,
)

__all__ = [
    "client_close",
    "client_create",
    "client_detail",
    "client_list",
    "client_reassign",
    "client_search",
    "client_status_update",
    "client_update",
    "reach_out_list",
    "team_dashboard",
    "team_export",
    "team_list",
    "team_reach_out",
]
