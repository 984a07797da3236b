"""'What I want from coming here': a new version in the client's words, with
every earlier one kept (issue #22)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render

from clients import selectors, services
from clients.access import clients_with_clinician, open_client
from clients.forms import WantsForm
from hr_clinic.lib.forms import add_service_error
from staff.decorators import AuthenticatedHttpRequest


def wants_update(request: AuthenticatedHttpRequest, pk: object) -> HttpResponse:
    """Every version, newest first, for whoever may read the record (a
    supervisor reads their team's); writing a new one is the client's primary
    clinician's (403 for a reader, 404 outside visibility)."""
    client, access = open_client(
        request,
        pk,
        to_change=request.method == "POST",
        records=clients_with_clinician,
    )
    history = list(selectors.wants_history(user=request.user, client=client))
    form = WantsForm(
        request.POST or None, initial={"words": history[0].words if history else ""}
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.wants_record(
                client=client,
                by=request.user,
                words=form.cleaned_data["words"],
                form_token=form.cleaned_data["form_token"],
            )
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, "Saved. The earlier words are kept below.")
            return redirect(client)
    return render(
        request,
        "clients/wants_form.html",
        {
            "form": form,
            "client": client,
            "client_access": access,
            "history": history,
            "tab_overview": True,
        },
    )
