"""The one place where sign-in events are reported.

Every sign-in success, failure, lockout and second-factor step goes through
`report()`, which writes a log line and an audit event, with ids only: never the
typed username, a password or a code (a mistyped password is often a real one,
and a username typed into the wrong box can be anything). A failed sign-in for a
username that exists records that account's id, so repeated failures against one
account show in the audit report.

Also holds `lockout_response` for django-axes: a locked-out sign-in gets exactly
the page a wrong password gets, so the page never tells whether a username
exists or is cooling off.
"""

from __future__ import annotations

import enum
import logging
import time
from typing import Any

from axes.signals import user_locked_out
from django.contrib.auth.signals import (
    user_logged_in,
    user_logged_out,
    user_login_failed,
)
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from audit import services as audit
from audit.models import Action, Outcome
from hr_clinic.lib import session_timeout
from hr_clinic.lib.http import client_address
from staff import services
from staff.models import User
from staff.session_store import SEEN_AT_KEY

logger = logging.getLogger("hr_clinic.auth")


class AuthEvent(enum.StrEnum):
    SIGN_IN_PASSWORD_OK = "sign_in.password_ok"
    SIGN_IN_FAILED = "sign_in.failed"
    SIGN_IN_LOCKED_OUT = "sign_in.locked_out"
    SECOND_FACTOR_OK = "second_factor.ok"
    SECOND_FACTOR_FAILED = "second_factor.failed"
    SECOND_FACTOR_ENROLLED = "second_factor.enrolled"
    RECOVERY_CODE_USED = "second_factor.recovery_code_used"
    SIGN_OUT = "sign_out"


# Each event as the audit trail records it: (action, outcome); None for an
# event its service records itself (with its before and after).
AUDIT_ACTIONS: dict[AuthEvent, tuple[str, str] | None] = {
    AuthEvent.SIGN_IN_PASSWORD_OK: (Action.SIGN_IN, Outcome.ALLOWED),
    AuthEvent.SIGN_IN_FAILED: (Action.SIGN_IN_FAILED, Outcome.DENIED),
    AuthEvent.SIGN_IN_LOCKED_OUT: (Action.THROTTLED, Outcome.DENIED),
    AuthEvent.SECOND_FACTOR_OK: (Action.SECOND_FACTOR, Outcome.ALLOWED),
    AuthEvent.SECOND_FACTOR_FAILED: (Action.SECOND_FACTOR_FAILED, Outcome.DENIED),
    AuthEvent.SECOND_FACTOR_ENROLLED: (Action.SECOND_FACTOR_ENROLLED, Outcome.ALLOWED),
    AuthEvent.RECOVERY_CODE_USED: (Action.RECOVERY_CODE_USED, Outcome.ALLOWED),
    AuthEvent.SIGN_OUT: (Action.SIGN_OUT, Outcome.ALLOWED),
}


def report(
    event: AuthEvent,
    *,
    request: HttpRequest | None,
    user_id: int | None = None,
    by_id: int | None = None,
) -> None:
    """Report one sign-in event. `user_id` is the person it concerns when known
    (never for a failed password: the typed name may not be anyone's);
    `by_id` the admin who acted, for a reset. Never raises on a missing request."""
    logger.info(
        "auth event=%s user_id=%s by_id=%s",
        event.value,
        user_id if user_id is not None else "-",
        by_id if by_id is not None else "-",
    )
    audited = AUDIT_ACTIONS[event]
    if audited is None:
        return
    action, outcome = audited
    audit.record_staff_event(
        action=action, outcome=outcome, user_id=user_id, by_id=by_id
    )


@receiver(user_logged_in)
def _on_logged_in(
    sender: Any, request: HttpRequest | None, user: Any, **kw: Any
) -> None:
    if request is not None and hasattr(request, "session"):
        session_timeout.start(request)
        if request.session.session_key:
            services.signed_in_session_start(
                user=user,
                session_key=request.session.session_key,
                user_agent=request.META.get("HTTP_USER_AGENT", ""),
                address=client_address(request),
            )
            request.session[SEEN_AT_KEY] = int(time.time())
    report(AuthEvent.SIGN_IN_PASSWORD_OK, request=request, user_id=user.pk)


@receiver(user_login_failed)
def _on_login_failed(
    sender: Any, request: HttpRequest | None = None, **kw: Any
) -> None:
    # `credentials` holds the typed username: never passed on or logged; only the
    # id of an account that has that username.
    username = (kw.get("credentials") or {}).get("username") or ""
    account = (
        User.objects.filter(username=username).values_list("pk", flat=True).first()
        if username
        else None
    )
    report(AuthEvent.SIGN_IN_FAILED, request=request, user_id=account)


@receiver(user_locked_out)
def _on_locked_out(sender: Any, request: HttpRequest | None = None, **kw: Any) -> None:
    report(AuthEvent.SIGN_IN_LOCKED_OUT, request=request)


@receiver(user_logged_out)
def _on_logged_out(
    sender: Any, request: HttpRequest | None, user: Any, **kw: Any
) -> None:
    report(
        AuthEvent.SIGN_OUT,
        request=request,
        user_id=user.pk if user is not None else None,
    )


def lockout_response(
    request: HttpRequest,
    original_response: HttpResponse | None = None,
    credentials: dict[str, Any] | None = None,
) -> HttpResponse:
    """For AXES_LOCKOUT_CALLABLE: the sign-in page as it was about to be sent
    (the form with the one generic message), not a "locked out" page."""
    if original_response is not None:
        return original_response
    return redirect("login")
