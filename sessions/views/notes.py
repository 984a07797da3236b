"""Session notes: write (drafts that save themselves), sign, correct, read."""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Exists, F, OuterRef, Q, QuerySet, Subquery
from django.http import HttpResponse, JsonResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.views.decorators.http import require_safe

from appointments.models import Appointment
from appointments.selectors import appointment_for_note
from appointments.services import appointment_link_session
from audit import services as audit
from audit.models import Action
from clients.access import (
    STAND_IN_CLIENT,
    STAND_IN_RECORD,
    client_access,
    clients_with_clinician,
    open_client,
    open_client_for_note,
    open_session,
)
from clients.models import Client
from clients.selectors import current_wants
from goals.models import Goal, GoalRating, GoalStatus
from goals.selectors import LATEST_RATING_FIRST
from hr_clinic.lib.forms import add_service_error
from hr_clinic.lib.jinja_pages import render_content
from hr_clinic.lib.sql import CompiledOnce
from measures.definitions import MEASURES
from measures.models import MeasureResponse
from measures.selectors import session_measures
from records.models import AmendmentPart, AmendmentRequest
from records.selectors import amendment_statements
from screens.selectors import hand_over_offer
from sessions import language, selectors, services
from sessions.formats import NoteFormat, sections_for
from sessions.forms import AddendumForm, FollowUpLists, SessionForm, SignForm
from sessions.models import (
    Addendum,
    FollowUp,
    FollowUpOutcome,
    RelationshipCheckIn,
    ReviewDecision,
    ReviewStatus,
    TherapySession,
)
from sessions.services import VersionConflict
from sessions.views.handover import hand_over_context, was_handed_over
from staff.decorators import AuthenticatedHttpRequest
from staff.models import User
from staff.selectors import people_attach

TIMELINE_PAGE_SIZE = 20


def _open_session(
    request: AuthenticatedHttpRequest,
    pk: object,
    *,
    to_change: bool = False,
    read_as: str = Action.READ,
) -> TherapySession:
    """A note of a client the signed-in person may see (404 otherwise); with
    `to_change`, one they wrote (403 for a supervisee's note they may read)."""
    session, _ = open_session(request, pk, to_change=to_change, read_as=read_as)
    return session


# The note form's queries about its client, compiled once (issue #25): building
# and compiling them was a quarter of the form's Python.
_FORM_QUERIES = CompiledOnce()


def _ids(client: Client, session: TherapySession | None) -> dict[Any, Any]:
    """The real values of a form query's stand-ins (`_goals_for`, `_follow_ups_for`)."""
    ids = {STAND_IN_CLIENT: client.pk}
    if session is not None:
        ids[STAND_IN_RECORD] = session.pk
    return ids


def _goals_for(client: Client, session: TherapySession | None) -> list[Goal]:
    """The goals a session can touch: the client's active goals, and any goal
    already rated in this session, with that rating's `session_score` and
    `session_comment` (None when it was not rated in it), and the latest rating
    given anywhere else (`last_score`, `last_rated_on`: "last time: 3"). One
    query."""

    def build() -> QuerySet[Goal]:
        earlier = GoalRating.objects.filter(goal=OuterRef("pk")).order_by(
            *LATEST_RATING_FIRST
        )
        if session is not None:
            earlier = earlier.exclude(session_id=STAND_IN_RECORD)
        goals = (
            Goal.objects.filter(client_id=STAND_IN_CLIENT)
            .order_by("set_on", "created_at")
            .annotate(
                last_score=Subquery(earlier.values("score")[:1]),
                last_rated_on=Subquery(earlier.values("rated_on")[:1]),
            )
        )
        if session is None:
            return goals.filter(status=GoalStatus.ACTIVE)
        rating = GoalRating.objects.filter(
            goal=OuterRef("pk"), session_id=STAND_IN_RECORD
        )
        goals = goals.annotate(
            session_score=Subquery(rating.values("score")[:1]),
            session_comment=Subquery(rating.values("comment")[:1]),
        )
        return goals.filter(
            Q(status=GoalStatus.ACTIVE) | Q(session_score__isnull=False)
        )

    return _FORM_QUERIES.objects(
        ("goals", session is None), build, _ids(client, session)
    )


def _follow_ups_for(client: Client, session: TherapySession | None) -> FollowUpLists:
    """The note's own follow-ups still open (its "Follow-up" lines), and those
    agreed in the client's other notes that are open or were closed in this
    one ("Last time you agreed"), oldest date first. One query, both lists."""

    def build() -> QuerySet[FollowUp]:
        live = FollowUp.objects.live().filter(client_id=STAND_IN_CLIENT)
        earlier = Q(outcome=FollowUpOutcome.OPEN)
        if session is not None:
            this = STAND_IN_RECORD
            earlier = (earlier | Q(done_in_id=this)) & ~Q(session_id=this)
            rows = live.filter(
                Q(session_id=this, outcome=FollowUpOutcome.OPEN) | earlier
            )
        else:
            rows = live.filter(earlier)
        return rows.annotate(agreed_at=F("session__started_at")).order_by(
            F("due_on").asc(nulls_last=True), "created_at", "pk"
        )

    own: list[FollowUp] = []
    others: list[FollowUp] = []
    key = ("follow-ups", session is None)
    for follow_up in _FORM_QUERIES.objects(key, build, _ids(client, session)):
        is_own = session is not None and follow_up.session_id == session.pk
        (own if is_own else others).append(follow_up)
    own.sort(key=lambda f: (f.created_at, str(f.pk)))
    return own, others


def _rebound(form: SessionForm, **changes: Any) -> SessionForm:
    """The same typed input, with hidden fields changed (version after a save or
    a conflict). Re-validated so errors still show."""
    data: QueryDict = form.data.copy()  # type: ignore[attr-defined]
    for key, value in changes.items():
        data[key] = str(value)
    new = SessionForm(
        data,
        instance=form.instance,
        sections=form.sections,
        goals=form.goals,
    )
    new.is_valid()
    return new


def _save_draft(
    request: AuthenticatedHttpRequest,
    form: SessionForm,
    *,
    client: Client,
    session: TherapySession | None,
    note_format: str,
    appointment: Appointment | None = None,
) -> HttpResponse:
    """Save what was typed (every valid part, even when another field has an
    error), then redirect, re-render with the errors, or show a version conflict.
    An autosave (X-Autosave header, from session-form.js) gets JSON instead.
    "Switch format" (action=switch_format) saves, then moves the draft to the
    chosen format with its text (services.therapy_session_switch_format)."""
    autosave = request.headers.get("X-Autosave") == "1"
    form.is_valid()
    data = form.cleaned_data
    switch_to = data.get("switch_to") or note_format
    if request.POST.get("action") != "switch_format" or autosave:
        switch_to = note_format
    if (
        session is None
        and switch_to != note_format
        and not form.has_content()
        and not _token_draft_exists(client, data.get("form_token"))
    ):
        # Nothing typed yet, no draft: just open the form in the other format.
        return redirect(
            reverse("sessions:create", args=[client.pk])
            + "?"
            + urlencode({"note_format": switch_to})
        )
    try:
        saved = services.therapy_session_save_draft(
            client=client,
            by=request.user,
            session=session,
            expected_version=data.get("version"),
            form_token=data.get("form_token"),
            note_format=note_format,
            fields=form.valid_fields(),
            sections=form.valid_sections(),
            ratings=form.valid_ratings(),
            follow_ups=form.valid_follow_ups(),
            closings=form.valid_closings(),
            autosave=autosave,
        )
        if appointment is not None:
            appointment_link_session(
                appointment=appointment, session=saved, by=request.user
            )
    except VersionConflict as exc:
        if autosave:
            return JsonResponse(
                {
                    "status": "conflict",
                    "message": "This draft was changed in another tab or by someone "
                    "else. Press Save draft to see both versions side by side.",
                },
                status=409,
            )
        return _render_form(
            request,
            _rebound(form, version=exc.current.version),
            client=client,
            session=exc.current,
            note_format=note_format,
            conflict=exc.current,
        )
    except ValidationError as exc:
        if autosave:
            return JsonResponse({"status": "error", "errors": exc.messages}, status=400)
        add_service_error(form, exc)
        return _render_form(
            request, form, client=client, session=session, note_format=note_format
        )
    if switch_to != note_format and not form.errors:
        try:
            saved = services.therapy_session_switch_format(
                session=saved, by=request.user, note_format=switch_to
            )
        except ValidationError as exc:
            add_service_error(form, exc)
            return _render_form(
                request, form, client=client, session=saved, note_format=note_format
            )
        messages.success(
            request,
            f"Switched to the {NoteFormat(switch_to).label} format; your text moved "
            "with it. Text with no section in this format is shown above the note.",
        )
        return redirect("sessions:update", saved.pk)
    if data.get("make_default_format"):
        services.note_preference_set(clinician=request.user, note_format=note_format)
    if autosave:
        return JsonResponse(
            {
                "status": "saved",
                "version": saved.version,
                "url": saved.get_absolute_url() + "edit/",
                "saved_at": timezone.localtime(saved.updated_at).strftime("%H:%M"),
                "errors": form.errors.get_json_data(),
            }
        )
    if form.errors:
        messages.warning(request, "Saved what could be saved. Check the marked fields.")
        return _render_form(
            request,
            _rebound(form, version=saved.version),
            client=client,
            session=saved,
            note_format=note_format,
        )
    if request.POST.get("action") == "sign":
        return redirect("sessions:sign", saved.pk)
    messages.success(request, "Draft saved.")
    return redirect("sessions:update", saved.pk)


def _token_draft_exists(client: Client, token: uuid.UUID | None) -> bool:
    """Whether this form already made a draft (an autosave got there first)."""
    if token is None:
        return False
    return TherapySession.objects.filter(form_token=token, client=client).exists()


def _render_form(
    request: AuthenticatedHttpRequest,
    form: SessionForm,
    *,
    client: Client,
    session: TherapySession | None,
    note_format: str,
    conflict: TherapySession | None = None,
    appointment: Appointment | None = None,
) -> HttpResponse:
    """The note form's page: its content is Jinja2 (sessions/session_form.jinja,
    issue #25), so what its Django partials read through template tags (a
    draft's check-ins, measures and hand-over offer) is read here."""
    form.show_follow_ups(lambda: _follow_ups_for(client, session))
    draft: dict[str, Any] = {}
    if session is not None:
        draft = {
            "checkins": selectors.session_checkins(session),
            "measures_taken": session_measures(user=request.user, session=session),
            "hand_over": hand_over_offer(
                client=client, user=request.user, from_note=True
            ),
        }
    label = "Draft note" if session else "Log a session"
    return render_content(
        request,
        "sessions/session_form.jinja",
        {
            "wants_words": current_wants(user=request.user, client=client),
            "checkin_low": selectors.checkin_low_items(
                user=request.user, client=client, before=session
            ),
            "appointment": appointment,
            "form": form,
            "client": client,
            "session": session,
            "note_format": note_format,
            "note_format_label": NoteFormat(note_format).label,
            "conflict": conflict,
            "outcome_choices": FollowUpOutcome.choices,
            **draft,
        },
        title=f"{label} · {client.chosen_name}",
        scripts=("js/language-guide.js", "js/session-form.js"),
    )


def session_create(
    request: AuthenticatedHttpRequest, client_pk: object
) -> HttpResponse:
    # The primary clinician, or someone covering this session under an
    # emergency-access grant (clients.access.may_add_note).
    client, _ = open_client_for_note(request, client_pk)
    source = request.POST if request.method == "POST" else request.GET
    note_format = source.get("note_format") or services.default_note_format(
        request.user
    )
    if note_format not in NoteFormat.values:
        note_format = NoteFormat.HARM_REDUCTION
    # Logged from an appointment (?appointment=, kept in the form's action):
    # its time, duration, modality and place fill the form, and the draft is
    # linked to it when saved.
    appointment = appointment_for_note(
        user=request.user, client=client, pk=request.GET.get("appointment", "")
    )
    # An empty POST is still a POST: bind it, so _save_draft sees a bound form.
    form = SessionForm(
        request.POST if request.method == "POST" else None,
        sections=sections_for(note_format),
        goals=_goals_for(client, None),
        initial={
            "form_token": uuid.uuid4(),
            "started_at": timezone.localtime(),
            "switch_to": note_format,
            **(_from_appointment(appointment) if appointment else {}),
        },
    )
    if request.method == "POST":
        return _save_draft(
            request,
            form,
            client=client,
            session=None,
            note_format=note_format,
            appointment=appointment,
        )
    return _render_form(
        request,
        form,
        client=client,
        session=None,
        note_format=note_format,
        appointment=appointment,
    )


def _from_appointment(appointment: Appointment) -> dict[str, Any]:
    return {
        "started_at": timezone.localtime(appointment.starts_at),
        "duration_minutes": appointment.duration_minutes,
        "modality": appointment.modality,
        "location": appointment.place,
    }


def _not_a_draft(request: AuthenticatedHttpRequest, session: TherapySession) -> bool:
    """Tell the author why a signed note or a discarded draft cannot be changed;
    True when it is one of those."""
    if session.is_signed:
        messages.info(request, "This note is signed. Add an addendum to correct it.")
    elif session.is_discarded:
        messages.info(
            request,
            "This draft was discarded. It is kept in the record but can no longer "
            "be changed or signed.",
        )
    return not session.is_draft


def session_update(request: AuthenticatedHttpRequest, pk: object) -> HttpResponse:
    session = _open_session(request, pk, to_change=True)
    if not session.is_draft and request.headers.get("X-Autosave") == "1":
        # A tab still open on a draft that was signed or discarded elsewhere:
        # say so where the page shows it (a redirect is an error to the script).
        return JsonResponse(
            {
                "status": "error",
                "message": "Not saved: this draft was signed or discarded in "
                "another tab. Your text is still here; copy what you need.",
            },
            status=400,
        )
    if _not_a_draft(request, session):
        return redirect(session)
    form = SessionForm(
        request.POST if request.method == "POST" else None,
        instance=session,
        sections=session.format_sections,
        goals=_goals_for(session.client, session),
        initial={"version": session.version},
    )
    if request.method == "POST":
        return _save_draft(
            request,
            form,
            client=session.client,
            session=session,
            note_format=session.note_format,
        )
    return _render_form(
        request,
        form,
        client=session.client,
        session=session,
        note_format=session.note_format,
    )


def _discarded_ratings(session: TherapySession) -> list[dict[str, Any]]:
    """The ratings a discarded draft held (kept in the draft, see
    services.therapy_session_discard), shaped as _note_body shows ratings."""
    if not session.discarded_ratings:
        return []
    goals = Goal.objects.filter(client_id=session.client_id).in_bulk(
        [r["goal"] for r in session.discarded_ratings]
    )
    return [
        {**r, "goal": goals[uuid.UUID(r["goal"])]}
        for r in session.discarded_ratings
        if uuid.UUID(r["goal"]) in goals
    ]


def _note_follow_ups(session: TherapySession) -> dict[str, list[FollowUp]]:
    """What the note shows of follow-ups: those agreed in it, and those of
    earlier notes it marked done or no longer needed. One query."""
    rows = FollowUp.objects.filter(Q(session=session) | Q(done_in=session))
    follow_ups: list[FollowUp] = []
    closed: list[FollowUp] = []
    for follow_up in rows.order_by("created_at", "pk"):
        (follow_ups if follow_up.session_id == session.pk else closed).append(follow_up)
    return {"follow_ups": follow_ups, "follow_ups_closed": closed}


def _note_with_flags(_: User) -> QuerySet[TherapySession]:
    """The note page's note (clients.access.open_session), with whether it
    has each kind of thing the page shows: most notes have no addenda, no goal
    ratings and no co-signature, and only what exists is read (each empty
    list read cost as much Python as the rest of the view)."""
    return TherapySession.objects.annotate(
        has_addenda=Exists(Addendum.objects.filter(session=OuterRef("pk"))),
        has_ratings=Exists(GoalRating.objects.filter(session=OuterRef("pk"))),
        has_follow_ups=Exists(
            FollowUp.objects.filter(
                Q(session=OuterRef("pk")) | Q(done_in=OuterRef("pk"))
            )
        ),
        was_handed_over=was_handed_over(),
        has_checkins=Exists(RelationshipCheckIn.objects.filter(session=OuterRef("pk"))),
        # Whether to read the amendments and the measures at all: a query
        # each (the amendments read every decided request on the client's
        # record), which most notes need not make. Only gates: what is
        # shown still comes through the readers' own visibility.
        has_amendments=Exists(
            AmendmentRequest.objects.filter(
                session=OuterRef("pk"),
                part=AmendmentPart.NOTE,
                decision__isnull=False,
            )
        ),
        has_measures=Exists(MeasureResponse.objects.filter(session=OuterRef("pk"))),
    )


@require_safe
def session_detail(request: AuthenticatedHttpRequest, pk: object) -> HttpResponse:
    user = request.user
    session, access = open_session(request, pk, records=_note_with_flags)
    if session.is_discarded:
        people_attach(user, [(session, "discarded_by")])
    client = session.client
    # Jinja2 inside base.html (hr_clinic/jinja2.py), everything read here, none
    # from the template: Django's template language and its includes were most
    # of this page's Python (docs/performance.md).
    return render_content(
        request,
        "sessions/session_detail.jinja",
        {
            "session": session,
            "client": client,
            "client_access": client_access(user, client, access.grant),
            "emergency_grant": getattr(request, "emergency_grant", None),
            "note_access": access,
            "ratings": (
                session.goal_ratings.select_related("goal")
                if session.has_ratings  # type: ignore[attr-defined]
                else _discarded_ratings(session)
            ),
            "checkins": (
                session.checkins.select_related("entered_by")
                if session.has_checkins  # type: ignore[attr-defined]
                else []
            ),
            "addenda": (
                session.addenda.select_related("author")
                if session.has_addenda  # type: ignore[attr-defined]
                else []
            ),
            # Only a note in co-signature has reviews (services set review_status
            # in the transaction that writes one).
            "reviews": (
                session.reviews.select_related("reviewer")
                if session.review_status
                else []
            ),
            "hand_over": hand_over_context(session, user),
            **(
                _note_follow_ups(session)
                if session.has_follow_ups  # type: ignore[attr-defined]
                else {}
            ),
            "amendment_entries": (
                amendment_statements(client=client, user=user).for_note(session.pk)
                if session.is_signed and session.has_amendments  # type: ignore[attr-defined]
                else []
            ),
            "measures_taken": (
                session_measures(user=user, session=session)
                if session.has_measures  # type: ignore[attr-defined]
                else []
            ),
            "measure_definitions": MEASURES.values(),
            "tab_sessions": True,
        },
        title=f"Session note · {client.chosen_name}",
    )


def session_sign(request: AuthenticatedHttpRequest, pk: object) -> HttpResponse:
    session = _open_session(request, pk, to_change=True)
    if _not_a_draft(request, session):
        return redirect(session)
    form = SignForm(request.POST or None, initial={"version": session.version})
    if request.method == "POST" and form.is_valid():
        try:
            services.therapy_session_sign(
                session=session,
                by=request.user,
                expected_version=form.cleaned_data["version"],
            )
        except VersionConflict:
            messages.warning(
                request,
                "The draft changed since this page opened. Check it and sign again.",
            )
            return redirect("sessions:sign", session.pk)
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, "Signed. The note is now locked.")
            return redirect(session)
    problems = services.sign_problems(session)
    return render(
        request,
        "sessions/session_sign.html",
        {
            "form": form,
            "session": session,
            "client": session.client,
            "problems": problems,
            "problem_messages": [p.message for p in problems],
            "note_text": "\n\n".join(t for _, t in session.section_texts()),
            "ratings": session.goal_ratings.select_related("goal"),
            **_note_follow_ups(session),
        },
    )


def session_discard(request: AuthenticatedHttpRequest, pk: object) -> HttpResponse:
    """Discard a draft: a confirmation page (GET), then the discard (POST). The
    draft is kept, marked discarded, and counted nowhere."""
    session = _open_session(request, pk, to_change=True)
    if _not_a_draft(request, session):
        return redirect(session)
    if request.method == "POST":
        try:
            services.therapy_session_discard(session=session, by=request.user)
        except ValidationError as exc:
            messages.info(request, " ".join(exc.messages))
            return redirect(session)
        messages.success(
            request,
            "Draft discarded. It is kept in the record, marked discarded, and no "
            "longer counts anywhere.",
        )
        return redirect("sessions:list", session.client_id)
    return render(
        request,
        "sessions/session_discard.html",
        {
            "session": session,
            "client": session.client,
            "client_access": client_access(request.user, session.client),
            "rating_count": session.goal_ratings.count(),
            "tab_sessions": True,
        },
    )


def addendum_create(request: AuthenticatedHttpRequest, pk: object) -> HttpResponse:
    session = _open_session(request, pk, to_change=True)
    form = AddendumForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.addendum_add(session=session, by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, "Addendum added.")
            if notice := language.summary(form.cleaned_data["text"]):
                messages.info(request, notice)
            return redirect(session)
    return render(
        request,
        "sessions/addendum_form.html",
        {
            "form": form,
            "session": session,
            "client": session.client,
            # The supervisor's comment this addendum answers (the latest
            # return), in view while it is written.
            "returns": (
                session.reviews.filter(decision=ReviewDecision.RETURNED)
                .select_related("reviewer")
                .order_by("-created_at")[:1]
                if session.review_status == ReviewStatus.RETURNED
                else []
            ),
        },
    )


@require_safe
def session_print(request: AuthenticatedHttpRequest, pk: object) -> HttpResponse:
    """The note's print version: serving it is the print, recorded as such
    (the browser's printing itself cannot be seen)."""
    session = _open_session(request, pk, read_as=Action.PRINT)
    return render(
        request,
        "sessions/session_print.html",
        {
            "session": session,
            "client": session.client,
            "ratings": session.goal_ratings.select_related("goal"),
            "addenda": session.addenda.select_related("author"),
            "reviews": session.reviews.select_related("reviewer"),
            **_note_follow_ups(session),
        },
    )


@require_safe
def session_list(request: AuthenticatedHttpRequest, client_pk: object) -> HttpResponse:
    """The client's session timeline, newest first."""
    client, access = open_client(
        request,
        client_pk,
        records=clients_with_clinician,
        read_event=False,
    )
    sessions = selectors.session_timeline(client=client)
    page = Paginator(sessions, TIMELINE_PAGE_SIZE).get_page(request.GET.get("page"))
    people_attach(request.user, [(s, "clinician") for s in page.object_list])
    audit.listed(
        request.user,
        "session",
        page.paginator.count,
        client_id=client.pk,
        emergency_grant_id=access.grant_id,
        rows=page.object_list,
    )
    return render(
        request,
        "sessions/session_list.html",
        {
            "client": client,
            "page": page,
            "client_access": access,
            "tab_sessions": True,
        },
    )
