"""The second step of signing in: set up an authenticator, or enter a code."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_safe

from hr_clinic.lib.forms import add_service_error
from staff import mfa
from staff.decorators import AuthenticatedHttpRequest
from staff.forms import AuthenticatorCodeForm, SecondFactorForm

# New recovery codes wait here, in the server-side session, to be shown once.
NEW_CODES_KEY = "mfa:new_recovery_codes"


def _next_url(request: AuthenticatedHttpRequest) -> str:
    """Where to go once verified: a `next` on this site, or home."""
    url = request.POST.get("next", request.GET.get("next", ""))
    if url and url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return url
    return "/"


def mfa_enrol(request: AuthenticatedHttpRequest) -> HttpResponse:
    """First sign-in: scan a QR code (or type the key), then confirm with a code."""
    if request.user.is_verified():  # type: ignore[attr-defined]
        return redirect("home")
    if mfa.has_second_factor(request.user):
        return redirect("mfa_verify")
    device = mfa.totp_device_for_enrolment(user=request.user)
    form = AuthenticatorCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            codes = mfa.totp_enrol_confirm(
                request=request,
                user=request.user,
                device=device,
                token=form.cleaned_data["code"],
            )
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            request.session[NEW_CODES_KEY] = codes
            return redirect("mfa_recovery_codes")
    # Safe to mark: the SVG is drawn by `qrcode` from the otpauth URI (path data
    # only); no text typed by anyone is placed in it.
    qr_svg = mark_safe(mfa.qr_svg(device))  # nosec B308 B703
    return render(
        request,
        "staff/mfa_enrol.html",
        {
            "form": form,
            "qr_svg": qr_svg,
            "secret": mfa.secret_in_groups(device),
        },
    )


# Only shows: no form posts here (enrolment redirects to it, a link leads on).
@require_safe
def mfa_recovery_codes(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The new recovery codes, shown once, right after setting up."""
    codes = request.session.pop(NEW_CODES_KEY, None)
    if not codes:
        return redirect("home")
    return render(request, "staff/mfa_recovery_codes.html", {"codes": codes})


def mfa_verify(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Each sign-in: a code from the authenticator app, or a recovery code."""
    if request.user.is_verified():  # type: ignore[attr-defined]
        return redirect("home")
    if not mfa.has_second_factor(request.user):
        return redirect("mfa_enrol")
    form = SecondFactorForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            mfa.second_factor_verify(
                request=request, user=request.user, token=form.cleaned_data["code"]
            )
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            left = mfa.recovery_codes_left(request.user)
            if left <= 3:
                messages.warning(
                    request,
                    f"You have {left} recovery code{'s' if left != 1 else ''} left. "
                    "Ask an admin to reset your second factor for a new set.",
                )
            return redirect(_next_url(request))
    return render(
        request,
        "staff/mfa_verify.html",
        {"form": form, "next": _next_url(request)},
    )
