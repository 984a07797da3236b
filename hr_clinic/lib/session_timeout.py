"""Server-side session time-outs (ASVS V7.3).

- Idle: a signed-in session with no request for IDLE_TIMEOUT_MINUTES ends.
  Every request counts as activity, including a note's autosave (X-Autosave)
  and the "Stay signed in" keep-alive: the person is there.
- Absolute: SESSION_COOKIE_AGE after signing in, the session ends whatever the
  activity (the cookie's own age is reset by each save; this is not).

An ended session is signed out here (its data flushed) with a gentle message;
LoginRequiredMiddleware, further on, then sends the request to sign in.
static/js/idle-timeout.js shows a warning a minute before the idle limit.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse

LAST_ACTIVITY_KEY = "hr:last_activity"
SIGNED_IN_AT_KEY = "hr:signed_in_at"
# Save the activity time at most this often: a session write per request is
# wasted work, and the idle limit is measured in minutes.
ACTIVITY_RESOLUTION_SECONDS = 10


def idle_timeout_seconds() -> int:
    return int(settings.IDLE_TIMEOUT_MINUTES) * 60


def absolute_timeout_seconds() -> int:
    return int(settings.SESSION_COOKIE_AGE)


def start(request: HttpRequest) -> None:
    """Mark the moment of signing in (called on user_logged_in)."""
    now = int(time.time())
    request.session[SIGNED_IN_AT_KEY] = now
    request.session[LAST_ACTIVITY_KEY] = now


def idle_timeout(request: HttpRequest) -> dict[str, Any]:
    """Template context for the idle warning: shown to a fully signed-in person
    (past the second factor when it is required), with the limit in seconds."""
    user: Any = getattr(request, "user", None)
    signed_in = bool(user is not None and user.is_authenticated)
    if signed_in and settings.MFA_REQUIRED:
        is_verified = getattr(user, "is_verified", None)
        signed_in = bool(is_verified and is_verified())
    return {
        "idle_warning": signed_in,
        "idle_timeout_seconds": idle_timeout_seconds(),
    }


class SessionTimeoutMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            self._check(request)
        return self.get_response(request)

    def _check(self, request: HttpRequest) -> None:
        now = int(time.time())
        session = request.session
        signed_in_at = session.get(SIGNED_IN_AT_KEY)
        last = session.get(LAST_ACTIVITY_KEY)
        if signed_in_at is None or last is None:
            # A session from before time-outs existed: start counting now.
            session[SIGNED_IN_AT_KEY] = signed_in_at or now
            session[LAST_ACTIVITY_KEY] = now
            return
        if now - signed_in_at >= absolute_timeout_seconds():
            hours = absolute_timeout_seconds() // 3600
            self._end(
                request,
                f"You were signed out: a sign-in lasts {hours} hours at most. "
                "Please sign in again.",
            )
        elif now - last >= idle_timeout_seconds():
            self._end(
                request,
                f"You were signed out after {settings.IDLE_TIMEOUT_MINUTES} minutes "
                "without activity, to keep records private. Please sign in again.",
            )
        elif now - last >= ACTIVITY_RESOLUTION_SECONDS:
            session[LAST_ACTIVITY_KEY] = now

    @staticmethod
    def _end(request: HttpRequest, message: str) -> None:
        logout(request)
        messages.info(request, message)
