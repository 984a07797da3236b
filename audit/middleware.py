from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from audit import context


class AuditContextMiddleware:
    """Gives each request an id (also sent back as X-Request-ID, for support and
    for the logs) and makes it, the source address and the user agent available
    to audit records made during the request."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = context.begin(request)
        try:
            response = self.get_response(request)
        finally:
            context.end(token)
        response["X-Request-ID"] = request.request_id  # type: ignore[attr-defined]
        return response
