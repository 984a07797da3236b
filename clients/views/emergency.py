"""Emergency access ("break glass", docs/design.md): find one record that is
not yours by its id or chosen name plus a second identifier, say why, confirm,
and read it for a few hours; the client's clinician and their supervisor are
told, the supervisor reviews it, and admins see every grant.

The lookup never lists and never hints: a miss, a wrong second identifier and
a record that does not exist all get the same sentence. The 404 for a record
someone may not see stays as it is and mentions none of this."""

from __future__ import annotations

import datetime
import uuid

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_safe

from audit import selectors as audit_selectors
from audit import services as audit
from audit.models import Action, Outcome
from clients import selectors, services
from clients.forms import EmergencyConfirmForm, EmergencyLookupForm, GrantReviewForm
from clients.models import Client, EmergencyReason
from hr_clinic.lib.forms import add_service_error
from staff.decorators import (
    AuthenticatedHttpRequest,
    admin_only,
    caseload_only,
    supervisor_only,
)

# The record found at the lookup, by id, in the server-side session: the
# confirmation page never takes a client from the request, so it cannot be
# used to skip the second identifier.
FOUND_KEY = "clients:emergency_found"
NO_MATCH = "No record matches these details."
SEVERAL = (
    "These details match more than one record. Add another detail, or use the "
    "record id."
)
TOO_MANY = (
    "There have been several lookups without a match in the last hour. Please "
    "ask the client’s clinician or your supervisor for the record id, or try "
    "again later."
)
LIST_LIMIT = 50
PAGE_SIZE = 50


def _lookup_event(
    request: AuthenticatedHttpRequest, found: list[Client], *, allowed: bool
) -> None:
    """A lookup is a search of every record: audited, denied when it opened
    nothing (a miss, or several matches), with the record's id on a hit."""
    audit.record(
        actor=request.user,
        action=Action.SEARCH,
        object_type="emergency_access",
        client_id=found[0].pk if allowed else None,
        result_count=len(found) if allowed else 0,
        outcome=Outcome.ALLOWED if allowed else Outcome.DENIED,
    )


@caseload_only
def emergency_access_find(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = EmergencyLookupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if (
            selectors.emergency_lookup_misses(user=request.user)
            >= selectors.EMERGENCY_LOOKUP_MISSES
        ):
            form.add_error(None, TOO_MANY)
        else:
            found = selectors.emergency_lookup(**form.cleaned_data)
            _lookup_event(request, found, allowed=len(found) == 1)
            if len(found) != 1:
                form.add_error(None, NO_MATCH if not found else SEVERAL)
            elif (
                Client.objects.visible_to(request.user).filter(pk=found[0].pk).exists()
            ):
                messages.info(request, "This record is already open to you.")
                return redirect(found[0])
            else:
                request.session[FOUND_KEY] = str(found[0].pk)
                return redirect("clients:emergency_confirm")
    return render(request, "clients/emergency_access_find.html", {"form": form})


@caseload_only
def emergency_access_confirm(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Say what will happen, ask why, and open the record on confirmation."""
    client = selectors.emergency_found(request.session.get(FOUND_KEY))
    if client is None:
        return redirect("clients:emergency")
    form = EmergencyConfirmForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            grant = services.emergency_grant_create(
                client=client,
                by=request.user,
                reason=form.cleaned_data["reason"],
                explanation=form.cleaned_data["explanation"],
            )
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            request.session.pop(FOUND_KEY, None)
            until = timezone.localtime(grant.expires_at).strftime("%H:%M")
            messages.success(
                request,
                f"Emergency access to {client.chosen_name}’s record until {until}.",
            )
            return redirect(client)
    hours = services.emergency_access_hours()
    return render(
        request,
        "clients/emergency_access_confirm.html",
        {
            "form": form,
            "found": client,
            "hours": hours,
            # For the sentence only: the grant's own expiry is the database's.
            "until": timezone.localtime() + datetime.timedelta(hours=hours),
            "covering_label": EmergencyReason.COVERING_SESSION.label,
        },
    )


@require_safe
@caseload_only
def emergency_access_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Emergency access to the person's clients, the grants they review (a
    supervisor) and the ones they hold now."""
    user = request.user
    held = list(selectors.emergency_grants_held(user=user))
    review = list(selectors.emergency_grants_to_review(user=user)[:LIST_LIMIT])
    told = list(selectors.emergency_grants_told(user=user)[:LIST_LIMIT])
    audit.listed(user, "emergency_grant", len(held) + len(review) + len(told))
    return render(
        request,
        "clients/emergency_access_list.html",
        {
            "held": held,
            "review": review,
            "told": told,
            "limit": LIST_LIMIT,
            "now": timezone.now(),
        },
    )


@supervisor_only
def emergency_access_review(
    request: AuthenticatedHttpRequest, pk: uuid.UUID
) -> HttpResponse:
    """A supervisor's review of one grant (clients.access.grant_reviewer:
    anyone else's is a 404), with every page opened under it."""
    grant = get_object_or_404(
        selectors.emergency_grants_to_review(user=request.user), pk=pk
    )
    reviewed = hasattr(grant, "review")
    if request.method == "POST" and reviewed:
        # A second tab, or another look: the first review stands as written.
        messages.info(request, "This emergency access has already been reviewed.")
        return redirect("clients:emergency_review", grant.pk)
    form = GrantReviewForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.emergency_grant_review(
                grant=grant,
                by=request.user,
                decision=form.cleaned_data["decision"],
                comment=form.cleaned_data["comment"],
            )
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, "Review saved. Thank you.")
            return redirect("clients:emergency_list")
    if request.method == "GET":
        audit.record(
            actor=request.user,
            action=Action.READ,
            object_type="emergency_grant",
            object_id=str(grant.pk),
            client_id=grant.client_id,
        )
    events = audit_selectors.emergency_grant_events(grant_ids=[grant.pk])
    return render(
        request,
        "clients/emergency_access_review.html",
        {
            "grant": grant,
            "form": form,
            "events": events.get(grant.pk, []),
            "reviewed": reviewed,
        },
    )


@admin_only
@require_safe
def emergency_access_admin_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Every grant in the service: who, which client id (no name, nothing
    clinical), reason, when, expiry and review state."""
    page = Paginator(selectors.emergency_grant_list_admin(), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    audit.listed(request.user, "emergency_grant", len(page.object_list))
    return render(request, "clients/emergency_access_admin_list.html", {"page": page})
