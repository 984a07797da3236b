"""The admins' own pages for staff accounts and caseload moves (404 for anyone
else). Sign-in, sign-out and home stay in staff/urls.py, outside the namespace."""

from django.urls import path

from staff import views

app_name = "staff"

urlpatterns = [
    path("", views.staff_list, name="list"),
    path("search/", views.staff_search, name="search"),
    path("new/", views.staff_create, name="create"),
    path("<int:pk>/", views.staff_detail, name="detail"),
    path("<int:pk>/edit/", views.staff_update, name="update"),
    path("<int:pk>/deactivate/", views.staff_deactivate, name="deactivate"),
    path("<int:pk>/reactivate/", views.staff_reactivate, name="reactivate"),
    path("<int:pk>/reset-password/", views.staff_password_reset, name="password_reset"),
    path(
        "<int:pk>/reset-second-factor/",
        views.staff_second_factor_reset,
        name="second_factor_reset",
    ),
    path(
        "needs-a-new-clinician/",
        views.client_needs_clinician_list,
        name="needs_clinician",
    ),
    path("move-a-caseload/", views.caseload_move, name="caseload"),
]
