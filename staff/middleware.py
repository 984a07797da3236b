"""The second-factor gate, and the last use of each signed-in session.

After the password step a person is signed in but not yet verified. Until they
are, every page sends them to enter a code (or, without an authenticator yet,
to set one up); they can reach only those pages, sign-out and the public pages.
With MFA_REQUIRED off (a local demo, DEBUG only) the gate stands aside.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from functools import partial
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.functional import SimpleLazyObject
from django.utils.http import urlencode
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.middleware import OTPMiddleware

from hr_clinic.lib.http import client_address
from staff import mfa, services
from staff.session_store import SEEN_AT_KEY, SEEN_EVERY_SECONDS

# Pages a half-signed-in person may open.
SECOND_FACTOR_PAGES = {"mfa_verify", "mfa_enrol", "logout"}


class SecondFactorRequiredMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self,
        request: HttpRequest,
        view_func: Callable[..., Any],
        view_args: Any,
        view_kwargs: Any,
    ) -> HttpResponse | None:
        if not settings.MFA_REQUIRED:
            return None
        user: Any = request.user
        if not user.is_authenticated or user.is_verified():
            return None
        if not getattr(view_func, "login_required", True):
            return None  # a public page (sign-in, set-password)
        match = request.resolver_match
        if match is not None and match.view_name in SECOND_FACTOR_PAGES:
            return None
        target = "mfa_verify" if mfa.has_second_factor(user) else "mfa_enrol"
        url = reverse(target)
        if request.method == "GET" and request.path != reverse("home"):
            url += "?" + urlencode({"next": request.get_full_path()})
        return redirect(url)


class SignedInSessionMiddleware:
    """Keeps "last use" on the person's list of signed-in sessions, at most once
    a minute per session: a write on every request would be wasted work, and
    the page shows last use to the minute. After the time-outs (a session
    that just ended is not touched)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user: Any = request.user
        key = request.session.session_key
        if user.is_authenticated and key:
            now = int(time.time())
            if now - int(request.session.get(SEEN_AT_KEY, 0)) >= SEEN_EVERY_SECONDS:
                services.signed_in_session_seen(
                    user=user,
                    session_key=key,
                    user_agent=request.META.get("HTTP_USER_AGENT", ""),
                    address=client_address(request),
                )
                request.session[SEEN_AT_KEY] = now
        return self.get_response(request)


class SessionVerifiedOTPMiddleware(OTPMiddleware):
    """django-otp's middleware (request.user.otp_device, user.is_verified())
    without its device query on every signed-in request (issue #25).

    A session that passed the second factor says so itself: staff.mfa stamps
    it with the person's id next to django-otp's device id, under a new session
    key. What would make that stamp wrong ends the session instead: an admin's
    second-factor reset deletes the devices and every session of the person
    (staff.mfa.second_factor_reset), and a session belongs to one person
    (signing in as someone else starts a new one). Replacing one's own recovery
    codes leaves a session that a recovery code verified signed in: the person
    proved the factor when they signed in. The device itself is read only if
    something asks for it. Sessions from before the stamp are checked the
    django-otp way once, then stamped."""

    def _verify_user_sync(self, request: HttpRequest, user: Any) -> Any:
        persistent_id = request.session.get(DEVICE_ID_SESSION_KEY)
        if (
            persistent_id
            and user.is_authenticated
            and request.session.get(mfa.VERIFIED_USER_KEY) == user.pk
        ):
            self._init_user_fields(user)
            user.otp_device = SimpleLazyObject(
                partial(self._device_from_persistent_id, persistent_id)
            )
            return user
        user = super()._verify_user_sync(request, user)
        if user.is_authenticated and user.otp_device is not None:
            request.session[mfa.VERIFIED_USER_KEY] = user.pk
        return user
