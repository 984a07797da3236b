from django.urls import path

from staff import views

urlpatterns = [
    path("", views.home, name="home"),
    path("sign-in/", views.sign_in, name="login"),
    path("sign-out/", views.sign_out, name="logout"),
    path("set-password/<uidb64>/<token>/", views.set_password, name="set_password"),
    path("sign-in/set-up-second-factor/", views.mfa_enrol, name="mfa_enrol"),
    path("sign-in/code/", views.mfa_verify, name="mfa_verify"),
    path(
        "sign-in/recovery-codes/", views.mfa_recovery_codes, name="mfa_recovery_codes"
    ),
    path("keep-alive/", views.keep_alive, name="keep_alive"),
]
