from django.urls import path

from sessions import views

app_name = "sessions"

urlpatterns = [
    path(
        "clients/<uuid:client_pk>/sessions/",
        views.session_list,
        name="list",
    ),
    path(
        "clients/<uuid:client_pk>/sessions/new/",
        views.session_create,
        name="create",
    ),
    path("sessions/<uuid:pk>/", views.session_detail, name="detail"),
    path("sessions/<uuid:pk>/edit/", views.session_update, name="update"),
    path("sessions/<uuid:pk>/sign/", views.session_sign, name="sign"),
    path("sessions/<uuid:pk>/discard/", views.session_discard, name="discard"),
    path("sessions/<uuid:pk>/addenda/new/", views.addendum_create, name="addendum"),
    path("sessions/<uuid:pk>/print/", views.session_print, name="print"),
    path("sessions/<uuid:pk>/cosign/", views.review_cosign, name="cosign"),
    path("sessions/<uuid:pk>/return/", views.review_return, name="return"),
    path("sessions/<uuid:pk>/check-in/", views.checkin_create, name="checkin"),
    path(
        "clients/<uuid:client_pk>/check-ins/",
        views.checkin_trend,
        name="checkin_trend",
    ),
    path("sessions/<uuid:pk>/hand-over/", views.session_hand_over, name="hand_over"),
    path(
        "clients/<uuid:client_pk>/counseling-notes/new/",
        views.counseling_create,
        name="counseling_create",
    ),
    path("sessions/counseling-notes/", views.counseling_list, name="counseling_list"),
    path(
        "sessions/counseling-notes/<uuid:pk>/",
        views.counseling_detail,
        name="counseling_detail",
    ),
    path(
        "sessions/counseling-notes/<uuid:pk>/edit/",
        views.counseling_update,
        name="counseling_update",
    ),
    path("sessions/review/", views.review_queue, name="review_queue"),
    path("sessions/mine/", views.my_notes, name="mine"),
    path("sessions/search/", views.note_search, name="search"),
    path("sessions/search/results/", views.note_search_results, name="search_results"),
    path("sessions/language-guide/", views.language_guide, name="language_guide"),
    path("sessions/language-check/", views.language_check, name="language_check"),
]
