from __future__ import annotations

from django.contrib.auth import views as auth_views
from django.http import HttpResponse
from django.shortcuts import redirect, render

from hr_clinic.lib.http import AuthenticatedHttpRequest
from staff.forms import SignInForm


class SignInView(auth_views.LoginView):
    template_name = "staff/sign_in.html"
    form_class = SignInForm
    redirect_authenticated_user = True


sign_in = SignInView.as_view()
sign_out = auth_views.LogoutView.as_view()


def home(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Each role's starting point: a clinician's is their caseload."""
    if request.user.is_clinician:
        return redirect("clients:list")
    return render(request, "staff/home.html")
