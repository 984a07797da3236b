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
    # Everyone's own account, whatever their role.
    path("account/password/", views.password_change, name="password_change"),
    path("account/sessions/", views.signed_in_session_list, name="signed_in_sessions"),
    path(
        "account/sessions/<int:pk>/end/",
        views.signed_in_session_end,
        name="signed_in_session_end",
    ),
    path(
        "account/sessions/end-others/",
        views.signed_in_sessions_end_others,
        name="signed_in_sessions_end_others",
    ),
]
