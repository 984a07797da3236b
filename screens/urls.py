from django.urls import path

from screens import views

app_name = "screen"

urlpatterns = [
    path(
        "clients/<uuid:client_pk>/hand-to-client/",
        views.screen_hand_over,
        name="hand_over",
    ),
    path("screen/", views.screen_home, name="home"),
    path("screen/goals/", views.screen_goals, name="goals"),
    path("screen/check-in/", views.screen_checkin, name="checkin"),
    path("screen/questions/", views.screen_measure, name="measure"),
    path("screen/consent/", views.screen_consent, name="consent"),
    path("screen/give-back/", views.screen_give_back, name="give_back"),
    path("screen/closed/", views.screen_closed, name="closed"),
]
