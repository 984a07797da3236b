"""A person's own account, whatever their role: their password and where they
are signed in."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST, require_safe

from staff import selectors, services
from staff.decorators import AuthenticatedHttpRequest
from staff.forms import OwnPasswordForm
from staff.models import session_key_hash


@sensitive_post_parameters("old_password", "new_password1", "new_password2")
def password_change(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Current password, then the new one twice. On success every other session
    of theirs ends; this one stays signed in (under a new key)."""
    form = OwnPasswordForm(request.user, request.POST or None, request=request)
    if request.method == "POST" and form.is_valid():
        user = services.staff_password_set(
            staff=request.user,
            password=form.cleaned_data["new_password1"],
            keep_key=request.session.session_key,
        )
        update_session_auth_hash(request, user)
        messages.success(
            request,
            "Your password is changed. You were signed out everywhere else.",
        )
        return redirect("signed_in_sessions")
    return render(request, "staff/password_change.html", {"form": form})


@require_safe
def signed_in_session_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    sessions = list(selectors.signed_in_session_list(user=request.user))
    current = session_key_hash(request.session.session_key or "")
    return render(
        request,
        "staff/signed_in_session_list.html",
        {
            "sessions": sessions,
            "current_hash": current,
            "others": sum(1 for s in sessions if s.key_hash != current),
            "idle_minutes": settings.IDLE_TIMEOUT_MINUTES,
        },
    )


@require_POST
def signed_in_session_end(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """End one other session of theirs; someone else's is a 404. This session is
    ended by signing out instead."""
    session = get_object_or_404(
        selectors.signed_in_session_list(user=request.user).exclude(
            key_hash=session_key_hash(request.session.session_key or "")
        ),
        pk=pk,
    )
    services.signed_in_session_end(user=request.user, session=session)
    messages.success(request, "That session is ended: it is signed out.")
    return redirect("signed_in_sessions")


@require_POST
def signed_in_sessions_end_others(request: AuthenticatedHttpRequest) -> HttpResponse:
    ended = services.signed_in_sessions_end_others(
        user=request.user, keep_key=request.session.session_key or ""
    )
    if ended:
        messages.success(
            request,
            "You are signed out everywhere else "
            f"({ended} session{'s' if ended != 1 else ''} ended).",
        )
    else:
        messages.info(request, "You were not signed in anywhere else.")
    return redirect("signed_in_sessions")
