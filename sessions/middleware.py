"""A request body over DATA_UPLOAD_MAX_MEMORY_SIZE answers with a clear message.

Django refuses such a body when something first reads request.POST (here the
CSRF check), with a bare 400 "Bad Request" page, and a draft's autosave got an
HTML page it could not read. The body is read here first, so the person is told
what happened and what to do: an autosave (X-Autosave, static/js/session-form.js)
gets JSON with the message, which the page shows under the note; a form gets a
plain page with the same message. Both are 413 (Content Too Large). Within the
limit nothing changes: the body is parsed once, as it would be anyway.
"""

from __future__ import annotations

from collections.abc import Callable

from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string

from sessions.models import MAX_NOTE_CHARS

TOO_LARGE_MESSAGE = (
    "This note is too long to save; shorten it and save again. A note holds up "
    f"to {MAX_NOTE_CHARS:,} characters."
)


class RequestTooLargeMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.method == "POST":
            try:
                request.POST  # noqa: B018 - parsing is the point
            except RequestDataTooBig:
                return self._too_large(request)
        return self.get_response(request)

    @staticmethod
    def _too_large(request: HttpRequest) -> HttpResponse:
        if request.headers.get("X-Autosave") == "1":
            return JsonResponse(
                {"status": "too_large", "message": TOO_LARGE_MESSAGE}, status=413
            )
        # A page of its own, without the site's navigation: no session or user
        # has been read for this request.
        html = render_to_string(
            "sessions/request_too_large.html", {"message": TOO_LARGE_MESSAGE}
        )
        return HttpResponse(html, status=413)
