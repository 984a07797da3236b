from sessions.views.checkins import checkin_create, checkin_trend
from sessions.views.counseling import (
    counseling_create,
    counseling_detail,
    counseling_list,
    counseling_update,
)
from sessions.views.handover import session_hand_over
from sessions.views.language import language_check, language_guide
from sessions.views.notes import (
    addendum_create,
    session_create,
    session_detail,
    session_discard,
    session_list,
    session_print,
    session_sign,
    session_update,
)
from sessions.views.review import my_notes, review_cosign, review_queue, review_return
from sessions.views.search import note_search, note_search_results

__all__ = [
    "addendum_create",
    "checkin_create",
    "checkin_trend",
    "counseling_create",
    "counseling_detail",
    "counseling_list",
    "counseling_update",
    "language_check",
    "language_guide",
    "my_notes",
    "review_cosign",
    "review_queue",
    "review_return",
    "note_search",
    "note_search_results",
    "session_create",
    "session_detail",
    "session_discard",
    "session_hand_over",
    "session_list",
    "session_print",
    "session_sign",
    "session_update",
]
