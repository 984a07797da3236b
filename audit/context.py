"""Who is acting, from where: set once per request by AuditContextMiddleware and
read by audit.services.record, so services need not pass the request around."""

from __future__ import annotations

import contextvars
import uuid
from dataclasses import dataclass

from django.conf import settings
from django.http import HttpRequest


@dataclass(frozen=True)
class RequestContext:
    request_id: str
    source_ip: str | None
    user_agent: str


_current: contextvars.ContextVar[RequestContext | None] = contextvars.ContextVar(
    "audit_request_context", default=None
)


def source_ip(request: HttpRequest) -> str | None:
    """The client address: REMOTE_ADDR, or a trusted proxy's header when
    AUDIT_CLIENT_IP_HEADER names one (only behind a proxy that sets it and strips
    it from clients). For X-Forwarded-For, the right-most address is the one the
    trusted proxy saw."""
    header = getattr(settings, "AUDIT_CLIENT_IP_HEADER", "")
    value = request.META.get(header, "") if header else ""
    if value:
        return value.split(",")[-1].strip() or None
    return request.META.get("REMOTE_ADDR") or None


def begin(request: HttpRequest) -> contextvars.Token[RequestContext | None]:
    context = RequestContext(
        request_id=uuid.uuid4().hex,
        source_ip=source_ip(request),
        user_agent=request.META.get("HTTP_USER_AGENT", "")[:300],
    )
    request.request_id = context.request_id  # type: ignore[attr-defined]
    return _current.set(context)


def end(token: contextvars.Token[RequestContext | None]) -> None:
    _current.reset(token)


def current() -> RequestContext | None:
    return _current.get()
