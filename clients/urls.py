from django.urls import path

from clients import views

app_name = "clients"

urlpatterns = [
    path("", views.client_list, name="list"),
    path("search/", views.client_search, name="search"),
    path("reach-out/", views.reach_out_list, name="reach_out"),
    path("new/", views.client_create, name="create"),
    path("<uuid:pk>/", views.client_detail, name="detail"),
    path("<uuid:pk>/edit/", views.client_update, name="update"),
    path("<uuid:pk>/close/", views.client_close, name="close"),
    path("<uuid:pk>/status/", views.client_status_update, name="status"),
    path("<uuid:pk>/reassign/", views.client_reassign, name="reassign"),
]
