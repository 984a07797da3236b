"""The screen handed to the client (issue #22 §1).

Handing over is a POST from the record or a draft note, by the client's own
clinician. The screen's pages answer only while this browser's session holds
a hand-over (a 404 otherwise), and open the client through clients.access on
every request, as any page does: a record moved to someone else meanwhile is
a 404 here too. screens.middleware keeps the browser on these pages until the
clinician takes the device back with their password.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST, require_safe

from clients.access import open_client, open_client_child
from clients.models import Client
from consents import selectors as consent_selectors
from consents.forms import SignForm
from consents.models import TPO_DESIGNATION
from hr_clinic.lib.forms import add_service_error
from measures import definitions
from screens import selectors, services, steps
from screens.forms import (
    GiveBackForm,
    HandOverForm,
    ScreenCheckInForm,
    ScreenMeasureForm,
    ScreenRatingForm,
)
from screens.services import Handover
from sessions.models import TherapySession
from staff.decorators import AuthenticatedHttpRequest


def _back_to(handover: Handover) -> str:
    """Where the clinician handed over from: the draft note, or the record."""
    if handover.note_id is not None:
        return reverse("sessions:update", args=[handover.note_id])
    return reverse("clients:detail", args=[handover.client_id])


def _screen(
    request: AuthenticatedHttpRequest, step: str | None = None
) -> tuple[Handover, Client]:
    """The hand-over in this session and its client (a read of the record on
    a GET); 404 when nothing is handed over or `step` was not offered."""
    handover = services.current(request.session)
    if handover is None or (step is not None and step not in handover.steps):
        raise Http404
    client, _ = open_client(request, handover.client_id, to_change=True)
    return handover, client


@require_POST
def screen_hand_over(
    request: AuthenticatedHttpRequest, client_pk: object
) -> HttpResponse:
    client, _ = open_client(request, client_pk, to_change=True)
    consent = selectors.consent_waiting(client=client, user=request.user)
    note = selectors.draft_handed_from(
        client=client, user=request.user, pk=request.POST.get("note")
    )
    form = HandOverForm(
        request.POST,
        steps=steps.offered(
            consent_waiting=consent is not None, from_note=note is not None
        ),
    )
    back = (
        reverse("sessions:update", args=[note.pk])
        if note
        else client.get_absolute_url()
    )
    if not form.is_valid():
        messages.error(
            request,
            " ".join(str(e) for e in form.errors.get("measure", []))
            or "Choose what to offer on the screen, then hand it over.",
        )
        return redirect(back)
    try:
        services.screen_hand_over(
            session=request.session,
            by=request.user,
            client=client,
            steps=form.cleaned_data["steps"],
            note=note,
            consent=consent,
            measure_code=form.cleaned_data["measure"] or None,
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect(back)
    return redirect("screen:home")


@require_safe
def screen_home(request: AuthenticatedHttpRequest) -> HttpResponse:
    handover, client = _screen(request)
    offered = [(steps.BY_KEY[key], handover.done(key)) for key in handover.steps]
    return render(request, "screens/home.html", {"client": client, "steps": offered})


def screen_goals(request: AuthenticatedHttpRequest) -> HttpResponse:
    handover, client = _screen(request, "goals")
    goals = selectors.goals_to_rate(client=client, user=request.user)
    form = ScreenRatingForm(request.POST or None, goals=goals)
    if request.method == "POST" and form.is_valid():
        try:
            services.screen_rate_goals(
                session=request.session,
                by=request.user,
                ratings=form.ratings(),
                form_token=form.cleaned_data["form_token"],
            )
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            return redirect("screen:home")
    return render(
        request,
        "screens/goals.html",
        {"client": client, "form": form, "done": handover.done("goals")},
    )


def _note_handed_from(
    request: AuthenticatedHttpRequest, handover: Handover
) -> TherapySession | None:
    """The note the device was handed over from, reopened for this request
    (a note gone from the clinician's reach meanwhile is a 404)."""
    if handover.note_id is None:
        return None
    return get_object_or_404(
        TherapySession.objects.visible_to(request.user).filter(
            client_id=handover.client_id
        ),
        pk=handover.note_id,
    )


def screen_checkin(request: AuthenticatedHttpRequest) -> HttpResponse:
    handover, client = _screen(request, "checkin")
    note = _note_handed_from(request, handover)
    if note is None:
        raise Http404
    form = ScreenCheckInForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.screen_record_checkin(
                session=request.session,
                by=request.user,
                note=note,
                answers=form.answers(),
                words=form.cleaned_data["words"],
                form_token=form.cleaned_data["form_token"],
            )
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            return redirect("screen:home")
    return render(
        request,
        "screens/checkin.html",
        {"client": client, "form": form, "done": handover.done("checkin")},
    )


def screen_measure(request: AuthenticatedHttpRequest) -> HttpResponse:
    handover, client = _screen(request, "measure")
    measure = definitions.get(handover.measure_code or "")
    if measure is None:
        raise Http404
    note = _note_handed_from(request, handover)
    form = ScreenMeasureForm(request.POST or None, measure=measure)
    if request.method == "POST" and form.is_valid():
        try:
            services.screen_take_measure(
                session=request.session,
                by=request.user,
                client=client,
                note=note,
                answers=form.answers(),
                form_token=form.cleaned_data["form_token"],
            )
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            return redirect("screen:home")
    return render(
        request,
        "screens/measure.html",
        {
            "client": client,
            "form": form,
            "measure": measure,
            "done": handover.done("measure"),
        },
    )


def screen_consent(request: AuthenticatedHttpRequest) -> HttpResponse:
    handover = services.current(request.session)
    if handover is None or handover.consent_id is None:
        raise Http404
    consent, _ = open_client_child(
        request,
        consent_selectors.consent_get(user=request.user, pk=handover.consent_id),
        handover.consent_id,
        to_change=True,
    )
    signed = hasattr(consent, "device_signature")
    form = SignForm(request.POST or None)
    if request.method == "POST" and not signed and form.is_valid():
        try:
            services.screen_sign_consent(
                session=request.session,
                by=request.user,
                consent=consent,
                typed_name=form.cleaned_data["typed_name"],
            )
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            return redirect("screen:home")
    return render(
        request,
        "screens/consent.html",
        {
            "client": consent.client,
            "consent": consent,
            "form": form,
            "signed": signed,
            "part2": settings.PART2_PROGRAM,
            "tpo_designation": TPO_DESIGNATION,
        },
    )


def screen_give_back(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Back to the clinician, with their password; then to where they handed
    over from, with what the person entered."""
    handover, client = _screen(request)
    form = GiveBackForm(request.POST or None, request=request, user=request.user)
    if request.method == "POST" and form.is_valid():
        taken = services.screen_take_back(session=request.session, by=request.user)
        lines = [
            line
            for key, ids in taken.entered.items()
            for line in steps.BY_KEY[key].summary(request.user, ids, client.chosen_name)
        ]
        for line in lines or [
            f"{client.chosen_name} did not enter anything this time."
        ]:
            messages.info(request, line)
        return redirect(_back_to(taken))
    return render(request, "screens/give_back.html", {"client": client, "form": form})


@login_not_required
@require_safe
def screen_closed(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Where a time-out ends the screen: nothing of anyone's record."""
    return render(request, "screens/closed.html")
