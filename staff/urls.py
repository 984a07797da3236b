from django.urls import path

from staff import views

urlpatterns = [
    path("", views.home, name="home"),
    path("sign-in/", views.sign_in, name="login"),
    path("sign-out/", views.sign_out, name="logout"),
    path("set-password/<uidb64>/<token>/", views.set_password, name="set_password"),
]
