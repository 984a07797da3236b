from appointments.views.appointments import (
    appointment_create,
    appointment_detail,
    appointment_outcome,
    appointment_update,
    series_cancel_rest,
)
from appointments.views.days import team_week, today, week
from appointments.views.feed import feed_ics, feed_off, feed_on, feed_settings

__all__ = [
    "appointment_create",
    "appointment_detail",
    "appointment_outcome",
    "appointment_update",
    "feed_ics",
    "feed_off",
    "feed_on",
    "feed_settings",
    "series_cancel_rest",
    "team_week",
    "today",
    "week",
]
