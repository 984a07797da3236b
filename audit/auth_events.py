"""Sign-in, sign-out and failed sign-in, from Django's auth signals (the one place
every authentication path reports to). The typed username and password are never
recorded; a failed sign-in for an existing account records that account's id."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.signals import (
    user_logged_in,
    user_logged_out,
    user_login_failed,
)
from django.dispatch import receiver

from audit.models import Action, Outcome
from audit.services import record
from staff.models import User


@receiver(user_logged_in, dispatch_uid="audit_sign_in")
def _signed_in(sender: Any, request: Any, user: User, **kwargs: Any) -> None:
    record(actor=user, action=Action.SIGN_IN, obj=user)


@receiver(user_logged_out, dispatch_uid="audit_sign_out")
def _signed_out(sender: Any, request: Any, user: User | None, **kwargs: Any) -> None:
    if user is not None:
        record(actor=user, action=Action.SIGN_OUT, obj=user)


@receiver(user_login_failed, dispatch_uid="audit_sign_in_failed")
def _sign_in_failed(
    sender: Any, credentials: dict[str, Any], request: Any = None, **kwargs: Any
) -> None:
    username = credentials.get("username") or ""
    account = User.objects.filter(username=username).first() if username else None
    record(
        actor=None,
        action=Action.SIGN_IN_FAILED,
        object_type="staff" if account else "",
        object_id=str(account.pk) if account else "",
        outcome=Outcome.DENIED,
    )
