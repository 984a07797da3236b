from django.urls import path

from goals import views

app_name = "goals"

urlpatterns = [
    path("clients/<uuid:client_pk>/goals/new/", views.goal_create, name="create"),
    path("goals/<uuid:pk>/", views.goal_detail, name="detail"),
    path("goals/<uuid:pk>/reword/", views.goal_update, name="update"),
    path("goals/<uuid:pk>/rate/", views.goal_rate, name="rate"),
    path("goals/<uuid:pk>/status/", views.goal_status_update, name="status"),
    path("goals/<uuid:pk>/change/", views.goal_change, name="change"),
]
