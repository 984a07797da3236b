from appointments.views.appointments import (
    appointment_create,
    appointment_detail,
    appointment_outcome,
    appointment_update,
    series_cancel_rest,
)
from appointments.views.days import team_week, today, week

__all__ = [
    "appointment_create",
    "appointment_detail",
    "appointment_outcome",
    "appointment_update",
    "series_cancel_rest",
    "team_week",
    "today",
    "week",
]
