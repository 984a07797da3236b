"""Appointments (issue #21): book, read, change one or the rest of a series,
record what happened, cancel the rest of a series."""

from __future__ import annotations

import datetime
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST, require_safe

from appointments import selectors, services
from appointments.forms import (
    SCOPE_REST,
    BookForm,
    CancelRestForm,
    EditForm,
    OutcomeForm,
)
from appointments.models import Appointment, Outcome
from clients.access import Access, open_client_child, open_client_to_change
from hr_clinic.lib.forms import add_service_error
from staff.decorators import AuthenticatedHttpRequest


def _open(
    request: AuthenticatedHttpRequest, pk: object, *, to_change: bool = False
) -> tuple[Appointment, Access]:
    """An appointment of a client the person may see (404 otherwise); with
    `to_change`, 403 unless it is their own client's."""
    records = Appointment.objects.visible_to(request.user).select_related(
        "series", "session", "rescheduled_to", "clinician", "outcome_recorded_by"
    )
    return open_client_child(  # type: ignore[no-any-return]
        request, records, pk, to_change=to_change
    )


def _spans(
    starts: list[datetime.datetime], minutes: int
) -> list[tuple[datetime.datetime, datetime.datetime]]:
    length = datetime.timedelta(minutes=minutes)
    return [(start, start + length) for start in starts]


def appointment_create(
    request: AuthenticatedHttpRequest, client_pk: object
) -> HttpResponse:
    """Book one appointment or a series. An overlap with the clinician's other
    appointments is shown with a "Book it anyway" button: double-booking is
    allowed (drop-in work overlaps)."""
    client = open_client_to_change(request, client_pk)
    form = BookForm(request.POST or None)
    overlaps: list[Appointment] = []
    if request.method == "POST" and form.is_valid():
        try:
            starts_at, details = form.starts_at(), form.details()
            starts = services.planned_starts(starts_at, form.plan())
            overlaps = selectors.conflicts_for(
                clinician=request.user, spans=_spans(starts, details.duration_minutes)
            )
            if not overlaps or "anyway" in request.POST:
                appointment = services.appointment_book(
                    client=client,
                    by=request.user,
                    starts_at=starts_at,
                    details=details,
                    plan=form.plan(),
                    form_token=form.cleaned_data["form_token"],
                )
                booked = "Series booked." if len(starts) > 1 else "Appointment booked."
                messages.success(request, booked)
                return redirect(appointment)
        except ValidationError as exc:
            add_service_error(form, exc)
    return render(
        request,
        "appointments/appointment_form.html",
        {
            "form": form,
            "client": client,
            "overlaps": overlaps,
            "booking": True,
            "time_zone": timezone.get_current_timezone_name(),
        },
    )


@require_safe
def appointment_detail(request: AuthenticatedHttpRequest, pk: object) -> HttpResponse:
    appointment, access = _open(request, pk)
    after_the_time = appointment.starts_at <= timezone.now()
    log_session = None
    if access.change and after_the_time and appointment.session_id is None:
        if appointment.outcome in ("", Outcome.MET):
            log_session = (
                reverse("sessions:create", args=[appointment.client_id])
                + f"?appointment={appointment.pk}"
            )
    return render(
        request,
        "appointments/appointment_detail.html",
        {
            "appointment": appointment,
            "client": appointment.client,
            "client_access": access,
            "after_the_time": after_the_time,
            "log_session_url": log_session,
            "outcome_form": OutcomeForm(after_the_time=after_the_time),
            "cancel_rest_form": CancelRestForm(),
            "occurrences": selectors.series_occurrences(
                user=request.user, appointment=appointment
            ),
        },
    )


def _update_kwargs(form: EditForm) -> dict[str, Any]:
    return {
        "starts_at": form.starts_at(),
        "details": form.details(),
        "rest_of_series": form.cleaned_data.get("scope") == SCOPE_REST,
    }


def appointment_update(request: AuthenticatedHttpRequest, pk: object) -> HttpResponse:
    """Change this one, or this one and the rest of its series still to come
    (those with an outcome, and past ones, stay as they were)."""
    appointment, access = _open(request, pk, to_change=True)
    if appointment.outcome:
        messages.info(
            request, "This appointment has an outcome, so it stays as it was."
        )
        return redirect(appointment)
    local = timezone.localtime(appointment.starts_at)
    form = EditForm(
        request.POST or None,
        in_series=appointment.series_id is not None,
        initial={
            "date": local.date(),
            "time": local.time().replace(second=0, microsecond=0),
            "duration_minutes": appointment.duration_minutes,
            "modality": appointment.modality,
            "place": appointment.place,
        },
    )
    overlaps: list[Appointment] = []
    if request.method == "POST" and form.is_valid():
        changes = _update_kwargs(form)
        start = changes["starts_at"]
        overlaps = list(
            selectors.conflicts(
                clinician=appointment.clinician,
                start=start,
                end=start
                + datetime.timedelta(minutes=changes["details"].duration_minutes),
                exclude=appointment,
            )
        )
        if not overlaps or "anyway" in request.POST:
            try:
                services.appointment_update(
                    appointment=appointment, by=request.user, **changes
                )
            except ValidationError as exc:
                add_service_error(form, exc)
            else:
                messages.success(request, "Appointment changed.")
                return redirect(appointment)
    return render(
        request,
        "appointments/appointment_form.html",
        {
            "form": form,
            "client": appointment.client,
            "client_access": access,
            "appointment": appointment,
            "overlaps": overlaps,
            "time_zone": timezone.get_current_timezone_name(),
        },
    )


@require_POST
def appointment_outcome(request: AuthenticatedHttpRequest, pk: object) -> HttpResponse:
    """Record what happened. "Didn't make it" puts the person on the reach-out
    list at once, and counts nowhere else."""
    appointment, _ = _open(request, pk, to_change=True)
    form = OutcomeForm(
        request.POST, after_the_time=appointment.starts_at <= timezone.now()
    )
    if not form.is_valid():
        messages.error(request, "Choose what happened (and, if it moved, when to).")
        return redirect(appointment)
    try:
        services.appointment_record_outcome(
            appointment=appointment,
            by=request.user,
            outcome=form.cleaned_data["outcome"],
            new_starts_at=form.new_starts_at(),
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect(appointment)
    appointment.refresh_from_db()
    messages.success(request, f"Recorded: {appointment.get_outcome_display()}.")
    if appointment.outcome == Outcome.DIDNT_MAKE_IT:
        messages.info(
            request,
            f"{appointment.client.chosen_name} is on your reach-out list. "
            "Nothing else changes: their next appointment stands.",
        )
    return redirect(appointment.rescheduled_to or appointment)


@require_POST
def series_cancel_rest(request: AuthenticatedHttpRequest, pk: object) -> HttpResponse:
    """Cancel this one and the rest of its series still to come; each keeps
    its row, with who cancelled as its outcome."""
    appointment, _ = _open(request, pk, to_change=True)
    form = CancelRestForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Say who cancelled.")
        return redirect(appointment)
    try:
        count = services.series_cancel_rest(
            appointment=appointment,
            by=request.user,
            outcome=form.cleaned_data["outcome"],
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        plural = "" if count == 1 else "s"
        messages.success(
            request, f"Cancelled {count} appointment{plural}; all are kept."
        )
    return redirect(appointment)
