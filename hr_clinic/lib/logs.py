"""Structured (JSON) logs that never carry health information.

One line per request (request id, staff id, method, route, status, time) from
RequestLogMiddleware; every other log record in the same JSON shape. What is
never written: query strings (searches are POSTed, but a stray parameter could
carry words), request bodies, exception messages (a database error's DETAIL
can quote a whole row, names and note text included) and SQL parameters.
"""

from __future__ import annotations

import json
import logging
import time
import traceback
from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse

request_logger = logging.getLogger("hr_clinic.requests")


class JsonFormatter(logging.Formatter):
    """A log record as one JSON object; exceptions by type and stack only."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S%z"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for key in ("request_id", "user_id", "method", "route", "status", "ms"):
            if hasattr(record, key):
                entry[key] = getattr(record, key)
        if record.exc_info and record.exc_info[0] is not None:
            kind, _, tb = record.exc_info
            entry["exception"] = kind.__name__
            # Where it happened (files and lines), never the message or locals.
            entry["stack"] = [
                f"{frame.filename}:{frame.lineno} in {frame.name}"
                for frame in traceback.extract_tb(tb)
            ]
        return json.dumps(entry, ensure_ascii=False)


class RedactRequestDetails(logging.Filter):
    """Django's own request loggers put the path with its query string in the
    message ("Not Found: /x?q=..."); keep the path, drop everything after '?'."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.name.startswith("django.") and isinstance(record.msg, str):
            record.args = tuple(
                arg.split("?", 1)[0] if isinstance(arg, str) else arg
                for arg in (record.args or ())
            )
            if hasattr(record, "request"):
                del record.request  # holds POST data and cookies
        return True


class RequestLogMiddleware:
    """One structured line per request, ids only."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        started = time.perf_counter()
        response = self.get_response(request)
        match = request.resolver_match
        user = getattr(request, "user", None)
        request_logger.info(
            "request",
            extra={
                "request_id": getattr(request, "request_id", ""),
                "user_id": user.pk
                if user is not None and user.is_authenticated
                else None,
                "method": request.method,
                # The route's name, not the path: stable and free of any id.
                "route": match.view_name if match else "unresolved",
                "status": response.status_code,
                "ms": round((time.perf_counter() - started) * 1000, 1),
            },
        )
        return response
