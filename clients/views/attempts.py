"""Reach-out attempts ("Tried to reach") and a paused record's review date
(issue #21). The client's primary clinician records; whoever may see the
record reads its attempts (clients.access: 403 for a supervisor's POST, 404
outside visibility)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from clients import selectors, services
from clients.access import clients_with_clinician, open_client, open_client_to_change
from clients.forms import ContactAttemptForm, ReviewOnForm
from hr_clinic.lib.forms import add_service_error
from staff.decorators import AuthenticatedHttpRequest

# Where a "Tried to reach" form sent from a list goes back to (a name, never a
# URL from the request).
BACK_TO = {"reach_out": "clients:reach_out"}


def contact_attempt_create(
    request: AuthenticatedHttpRequest, pk: object
) -> HttpResponse:
    """The record's attempts to reach the person, newest first, with the
    "Tried to reach" form for their clinician; a POST (also from a row of the
    reach-out list) keeps one."""
    client, access = open_client(
        request,
        pk,
        to_change=request.method == "POST",
        records=clients_with_clinician,
    )
    # The list it was opened from ("Tried to reach" on a reach-out list row),
    # to go back to once kept.
    back = request.POST.get("back") or request.GET.get("back", "")
    back = back if back in BACK_TO else ""
    form = None
    if access.change:
        form = ContactAttemptForm(request.POST or None, client=client)
    if request.method == "POST" and form is not None and form.is_valid():
        data = form.cleaned_data
        try:
            services.contact_attempt_record(
                client=client,
                by=request.user,
                how=data["how"],
                outcome=data["outcome"],
                tried_at=data["tried_at"],
                through_whom=data["through_whom"],
                note=data["note"],
                confirmed=data.get("confirmed", False),
                form_token=data["form_token"],
            )
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, f"Kept: you tried to reach {client.chosen_name}.")
            return redirect(BACK_TO[back]) if back else redirect(client)
    return render(
        request,
        "clients/contact_attempt_list.html",
        {
            "client": client,
            "client_access": access,
            "form": form,
            "back": back,
            "attempts": selectors.contact_attempt_list(client=client),
        },
    )


@require_POST
def client_review_on_update(
    request: AuthenticatedHttpRequest, pk: object
) -> HttpResponse:
    """Set or clear a paused record's review date."""
    client = open_client_to_change(request, pk)
    form = ReviewOnForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(map(str, form.errors["review_on"])))
        return redirect(client)
    try:
        services.client_review_on_set(
            client=client, by=request.user, review_on=form.cleaned_data["review_on"]
        )
    except ValidationError as exc:
        messages.info(request, " ".join(exc.messages))
    else:
        review_on = form.cleaned_data["review_on"]
        messages.success(
            request,
            "Saved: no review date."
            if review_on is None
            else f"Saved: review on {review_on:%d %b %Y}.",
        )
    return redirect(client)
