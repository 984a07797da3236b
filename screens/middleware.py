"""Keeps a handed-over browser on the client's screen.

While this session holds a hand-over (screens.services.SESSION_KEY), any
request for another page, of this record or any other (the caseload, search,
Today, another client, the staff pages, signing out), is sent to the screen
instead, and reaches no view: only the screen's own pages, static files and
the keep-alive answer. Signing out is not allowed either: the person holding
the device would be left at the sign-in page with the clinician's session
ended; taking the device back needs the clinician's password.

Placed just before SessionTimeoutMiddleware, so the idle and absolute
time-outs still apply: when one ends the session under a hand-over, the
browser lands on a neutral page (screen:closed) instead of the sign-in page.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import Resolver404, resolve

from screens.services import SESSION_KEY

# Routes outside the screen's namespace that a handed-over browser may still
# reach: the idle warning's keep-alive and the health check (no data in either).
ALSO_ALLOWED = frozenset({"keep_alive", "healthz"})
# Handing over again (perhaps another client) is the clinician's, after taking
# the device back.
NOT_ON_THE_SCREEN = frozenset({"screen:hand_over"})


def on_the_screen(request: HttpRequest) -> bool:
    if request.path_info.startswith(settings.STATIC_URL):
        return True
    try:
        match = resolve(request.path_info)
    except Resolver404:
        return False
    if match.view_name in NOT_ON_THE_SCREEN:
        return False
    return match.namespace == "screen" or match.view_name in ALSO_ALLOWED


class ClientScreenMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if SESSION_KEY not in request.session:
            return self.get_response(request)
        if not on_the_screen(request):
            return redirect("screen:home")
        response = self.get_response(request)
        if not request.user.is_authenticated:
            # A time-out further on ended the session (and the hand-over).
            return redirect("screen:closed")
        return response
