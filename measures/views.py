"""Standard measures (issue #22, section 3): the record's Measures page, a
measure taken with the client (from the record or a note), a response's page
and its safety check-in. Every measure goes through the same views: the
definition (measures.definitions) says what to ask."""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST, require_safe

from clients.access import (
    Access,
    clients_with_clinician,
    open_client,
    open_client_child,
)
from hr_clinic.lib.forms import add_service_error
from measures import definitions, selectors, services
from measures.forms import ResponseForm, SafetyCheckForm
from measures.models import MeasureResponse
from sessions.models import SessionStatus, TherapySession
from staff.decorators import AuthenticatedHttpRequest


def _open(
    request: AuthenticatedHttpRequest, pk: object, *, to_change: bool = False
) -> tuple[MeasureResponse, Access]:
    """A response of a client the person may see (404 otherwise); with
    `to_change`, 403 unless it is their own client's."""
    records = MeasureResponse.objects.visible_to(request.user).select_related(
        "session", "entered_by", "safety_check__recorded_by"
    )
    return open_client_child(  # type: ignore[no-any-return]
        request, records, pk, to_change=to_change
    )


@require_safe
def measure_list(request: AuthenticatedHttpRequest, client_pk: object) -> HttpResponse:
    """The record's Measures tab: each measure's history as a chart and a
    table, the safety check-ins still to record, and a measure to take."""
    client, access = open_client(request, client_pk, records=clients_with_clinician)
    return render(
        request,
        "measures/measure_list.html",
        {
            "client": client,
            "client_access": access,
            "tab_measures": True,
            "histories": selectors.client_measure_histories(
                user=request.user, client=client
            ),
            "prompts": selectors.client_safety_prompts(
                user=request.user, client=client
            ),
            "measures": definitions.MEASURES.values(),
        },
    )


def _session_asked(
    request: AuthenticatedHttpRequest, sessions: QuerySet[TherapySession]
) -> TherapySession | None:
    """The note named by `?session=` (from a note's "Take a measure"), among
    the ones the form may tie to; an id that is not one of them is ignored
    rather than put in a hidden field nobody could correct."""
    try:
        pk = uuid.UUID(request.GET.get("session", ""))
    except ValueError:
        return None
    return sessions.filter(pk=pk).first()


def measure_create(
    request: AuthenticatedHttpRequest, client_pk: object
) -> HttpResponse:
    """Take the measure `?measure=` (its code) with the client: one page, a
    row of answers per item; the form posts back to the same address. From a
    note, `?session=` ties it to that session (draft or signed)."""
    measure = definitions.get(request.GET.get("measure", ""))
    if measure is None:
        raise Http404
    client, access = open_client(
        request,
        client_pk,
        to_change=True,
        records=clients_with_clinician,
    )
    sessions = (
        TherapySession.objects.visible_to(request.user)
        .filter(client=client)
        .exclude(status=SessionStatus.DISCARDED)
    )
    form = ResponseForm(
        request.POST or None,
        measure=measure,
        sessions=sessions,
        initial={"session": _session_asked(request, sessions)},
    )
    if request.method == "POST" and form.is_valid():
        try:
            response = services.measure_record(
                client=client,
                by=request.user,
                code=measure.code,
                answers=form.answers(),
                session=form.cleaned_data["session"],
                taken_on=form.cleaned_data["taken_on"],
                form_token=form.cleaned_data["form_token"],
            )
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, f"{measure.title} saved.")
            return redirect(response)
    return render(
        request,
        "measures/measure_form.html",
        {
            "form": form,
            "measure": measure,
            "client": client,
            "client_access": access,
            "tab_measures": True,
            "session": form["session"].initial if not form.is_bound else None,
        },
    )


def _detail(
    request: AuthenticatedHttpRequest,
    response: MeasureResponse,
    access: Access,
    form: SafetyCheckForm,
) -> HttpResponse:
    measure = response.measure
    rows = []
    if measure is not None:
        for item in measure.items:
            points = response.answers.get(item.key)
            chosen = next(
                (a.label for a in measure.answers_for(item) if a.points == points), ""
            )
            rows.append((item, chosen, points))
    return render(
        request,
        "measures/measure_detail.html",
        {
            "response": response,
            "measure": measure,
            "rows": rows,
            "client": response.client,
            "client_access": access,
            "tab_measures": True,
            "safety_form": form,
        },
    )


@require_safe
def measure_detail(request: AuthenticatedHttpRequest, pk: object) -> HttpResponse:
    response, access = _open(request, pk)
    return _detail(request, response, access, SafetyCheckForm())


@require_POST
def measure_safety_check(request: AuthenticatedHttpRequest, pk: object) -> HttpResponse:
    """Record that the clinician checked in about safety, and what was done."""
    response, access = _open(request, pk, to_change=True)
    form = SafetyCheckForm(request.POST)
    if form.is_valid():
        try:
            services.safety_check_record(
                response=response, by=request.user, note=form.cleaned_data["note"]
            )
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, "Safety check-in recorded.")
            return redirect(response)
    return _detail(request, response, access, form)
