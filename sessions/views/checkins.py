"""The relationship check-in: entered from a note, seen on the note and as a
trend on the record (issue #22, docs/design.md)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_safe

from clients.access import client_access, open_client, open_session
from hr_clinic.lib.forms import add_service_error
from sessions import selectors, services
from sessions.checkin_items import ITEMS
from sessions.forms import CheckInForm
from staff.decorators import AuthenticatedHttpRequest


def checkin_create(request: AuthenticatedHttpRequest, pk: object) -> HttpResponse:
    """The check-in form from a note (draft or signed): the note's author
    only (403 for a supervisor reading it, 404 outside visibility)."""
    session, _ = open_session(request, pk, to_change=True)
    form = CheckInForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.checkin_record(
                session=session,
                by=request.user,
                answers=form.answers(),
                words=form.cleaned_data["words"],
                entered_how=form.cleaned_data["entered_how"],
                form_token=form.cleaned_data["form_token"],
            )
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, "Check-in saved. Thank them for it.")
            return redirect(session)
    return render(
        request,
        "sessions/checkin_form.html",
        {
            "form": form,
            "session": session,
            "client": session.client,
            "client_access": client_access(request.user, session.client),
            "tab_sessions": True,
        },
    )


@require_safe
def checkin_trend(request: AuthenticatedHttpRequest, client_pk: object) -> HttpResponse:
    """Every check-in of the client, as a chart per item and a table."""
    client, access = open_client(request, client_pk)
    checkins = list(selectors.checkin_list(user=request.user, client=client))
    return render(
        request,
        "sessions/checkin_trend.html",
        {
            "client": client,
            "client_access": access,
            "checkins": checkins,
            "items": ITEMS,
            "low_items": selectors.checkin_low_items(user=request.user, client=client),
            "tab_overview": True,
        },
    )
