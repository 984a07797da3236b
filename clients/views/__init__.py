from clients.views.attempts import client_review_on_update, contact_attempt_create
from clients.views.emergency import (
    emergency_access_admin_list,
    emergency_access_confirm,
    emergency_access_find,
    emergency_access_list,
    emergency_access_review,
)
from clients.views.records import (
    client_close,
    client_create,
    client_detail,
    client_list,
    client_reassign,
    client_record_pdf,
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
from clients.views.wants import wants_update

__all__ = [
    "wants_update",
    "client_close",
    "client_create",
    "client_detail",
    "client_record_pdf",
    "client_review_on_update",
    "contact_attempt_create",
    "client_list",
    "client_reassign",
    "client_search",
    "client_status_update",
    "client_update",
    "emergency_access_admin_list",
    "emergency_access_confirm",
    "emergency_access_find",
    "emergency_access_list",
    "emergency_access_review",
    "reach_out_list",
    "team_dashboard",
    "team_export",
    "team_list",
    "team_reach_out",
]
