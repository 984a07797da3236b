from django.urls import URLPattern, URLResolver, path

from groups import views

app_name = "groups"

urlpatterns: list[URLPattern | URLResolver] = [
    path("groups/", views.group_list, name="list"),
    path("groups/new/", views.group_create, name="create"),
    path("groups/<uuid:pk>/", views.group_detail, name="detail"),
    path("groups/<uuid:pk>/members/add/", views.member_add, name="member_add"),
    path("groups/members/<int:pk>/leave/", views.member_leave, name="member_leave"),
    path("groups/<uuid:pk>/meetings/new/", views.meeting_create, name="meeting_create"),
    path("groups/meetings/<uuid:pk>/", views.meeting_record, name="meeting"),
    path("groups/meetings/<uuid:pk>/sign/", views.meeting_sign, name="meeting_sign"),
]
