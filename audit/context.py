"""Who is acting, from where: set once per request by AuditContextMiddleware and
read by audit.services.record, so services need not pass the request around."""

from __future__ import annotations

import contextvars
import dataclasses
import uuid
from dataclasses import dataclass

from django.http import HttpRequest

from hr_clinic.lib.http import client_address


@dataclass(frozen=True)
class RequestContext:
    request_id: str
    source_ip: str | None
    user_agent: str
    # (grant id, client id) once this request opened a record under an
    # emergency-access grant: every later event of the request about that
    # client carries the grant, the changes a covering clinician saves too.
    emergency_grant: tuple[uuid.UUID, uuid.UUID] | None = None


_current: contextvars.ContextVar[RequestContext | None] = contextvars.ContextVar(
    "audit_request_context", default=None
)


def begin(request: HttpRequest) -> contextvars.Token[RequestContext | None]:
    context = RequestContext(
        request_id=uuid.uuid4().hex,
        source_ip=client_address(request) or None,
        user_agent=request.META.get("HTTP_USER_AGENT", "")[:300],
    )
    request.request_id = context.request_id  # type: ignore[attr-defined]
    return _current.set(context)


def end(token: contextvars.Token[RequestContext | None]) -> None:
    _current.reset(token)


def current() -> RequestContext | None:
    return _current.get()


def opened_under_grant(grant_id: uuid.UUID, client_id: uuid.UUID) -> None:
    """The request opened `client_id`'s record under the grant `grant_id`."""
    context = _current.get()
    if context is not None:
        _current.set(
            dataclasses.replace(context, emergency_grant=(grant_id, client_id))
        )
