"""A database outage answers 503 on every page, never a 500.

When PostgreSQL cannot be reached, the first thing to fail is rarely the view:
the session, the signed-in user and the second factor are all read from the
database by middleware before any view runs. Django turns an exception raised
in any middleware into a response at that layer, so no single middleware can
catch them all with try/except. Django signals every uncaught exception
(`got_request_exception`, with the request) before it builds that response; the
receiver below marks the request when the exception means the database is down,
and DatabaseOutageMiddleware, wrapped around everything that touches the
database, swaps whatever response came back (a 500 page, or DEBUG's technical
page) for a plain 503.

The 503 page needs no database: it is rendered without the request, so no
context processor (the signed-in user, messages, the idle warning) runs. /healthz
answers the same JSON it gives when it finds the database down itself.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.core.signals import got_request_exception
from django.db import InterfaceError, OperationalError
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.cache import add_never_cache_headers

# Connection refused or dropped, a timeout, a closed connection: "try again
# later", not a fault of this request.
DATABASE_DOWN = (OperationalError, InterfaceError)
_MARK = "_hr_database_down"
RETRY_AFTER_SECONDS = 30


def is_database_down(exc: BaseException | None) -> bool:
    """Whether `exc`, or an exception it was raised from or during, is a lost
    database connection."""
    seen: set[int] = set()
    while exc is not None and id(exc) not in seen:
        if isinstance(exc, DATABASE_DOWN):
            return True
        seen.add(id(exc))
        exc = exc.__cause__ or exc.__context__
    return False


@receiver(got_request_exception, dispatch_uid="hr_clinic_database_outage")
def _mark_database_down(
    sender: Any, request: HttpRequest | None = None, **kwargs: Any
) -> None:
    # Sent from inside Django's `except` block: sys.exc_info() is the exception.
    if request is not None and is_database_down(sys.exc_info()[1]):
        setattr(request, _MARK, True)


def health_down() -> JsonResponse:
    """What /healthz answers while the database cannot be reached."""
    return JsonResponse({"status": "unavailable", "database": "down"}, status=503)


def unavailable_response(request: HttpRequest) -> HttpResponse:
    """The plain 503 page, or /healthz's JSON. Touches no database."""
    if request.path_info == reverse("healthz"):
        response: HttpResponse = health_down()
    else:
        # The same address again for a page; a form's address is not a page.
        retry = request.get_full_path() if request.method == "GET" else reverse("home")
        response = HttpResponse(
            render_to_string("503.html", {"retry_url": retry}), status=503
        )
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    add_never_cache_headers(response)
    return response


class DatabaseOutageMiddleware:
    """Turns a request that failed because the database is down into a 503.
    Placed before SessionMiddleware (the first to read the database) and after
    the request log and security headers, so the 503 is logged and carries the
    same headers as any page."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if getattr(request, _MARK, False):
            # Nobody can be known without the database; the request log, further
            # out, must not try to read the signed-in user again.
            request.user = AnonymousUser()
            return unavailable_response(request)
        return response
