"""SUD counseling notes (42 CFR 2.11; docs/design.md, "Counseling notes"): the
author's own record, kept apart from the session note, readable only under
clients.access.counseling_note_visibility. Every page opened and every change
is an audit event with ids only (services.counseling_note_audit)."""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_safe

from audit import services as audit
from audit.models import Action, Outcome
from clients.access import open_client_to_change
from hr_clinic.lib.forms import add_service_error
from sessions import language, selectors, services
from sessions.forms import CounselingNoteEditForm, CounselingNoteForm
from sessions.models import CounselingNote, TherapySession
from staff.decorators import AuthenticatedHttpRequest, caseload_only

PAGE_SIZE = 20


def _open_note(
    request: AuthenticatedHttpRequest, pk: uuid.UUID, *, to_change: bool = False
) -> CounselingNote:
    """The counseling note `pk` if the signed-in person may read it, else 404
    (a denied event when it exists: ids only); with `to_change`, 403 unless
    they wrote it (a supervisor reads a trainee's, never edits it). A GET
    records the read."""
    user = request.user
    note = (
        CounselingNote.objects.visible_to(user)
        .select_related("client", "author", "session")
        .filter(pk=pk)
        .first()
    )
    if note is None:
        found = list(CounselingNote.objects.filter(pk=pk).values_list("client_id")[:1])
        if found:
            services.counseling_note_audit(
                actor=user,
                action=Action.READ,
                note_id=pk,
                client_id=found[0][0],
                outcome=Outcome.DENIED,
            )
        raise Http404
    if to_change and note.author_id != user.pk:
        services.counseling_note_audit(
            actor=user,
            action=Action.UPDATE,
            note_id=note.pk,
            client_id=note.client_id,
            outcome=Outcome.DENIED,
        )
        raise PermissionDenied("Only its author changes a counseling note.")
    if request.method == "GET":
        services.counseling_note_audit(
            actor=user, action=Action.READ, note_id=note.pk, client_id=note.client_id
        )
    return note


def _session_id(value: str | None) -> uuid.UUID | None:
    try:
        return uuid.UUID(value) if value else None
    except ValueError:
        return None


@require_safe
@caseload_only
def counseling_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The counseling notes the person may read; `?session=` those tied to one
    session, with a way to write one when it is the person's own session."""
    user = request.user
    session_id = _session_id(request.GET.get("session"))
    own_session = None
    if session_id is not None:
        own_session = (
            TherapySession.objects.visible_to(user)
            .filter(pk=session_id, clinician=user)
            .select_related("client")
            .first()
        )
    notes = selectors.counseling_note_list(user=user, session_id=session_id)
    page = Paginator(notes, PAGE_SIZE).get_page(request.GET.get("page"))
    audit.listed(
        user, services.COUNSELING_NOTE, page.paginator.count, rows=page.object_list
    )
    return render(
        request,
        "sessions/counseling_list.html",
        {"page": page, "session_id": session_id, "own_session": own_session},
    )


@caseload_only
def counseling_create(
    request: AuthenticatedHttpRequest, client_pk: object
) -> HttpResponse:
    """A new counseling note about a client on the person's own caseload,
    optionally tied to one of their sessions with them (`?session=`)."""
    client = open_client_to_change(request, client_pk)
    sessions = (
        TherapySession.objects.visible_to(request.user)
        .filter(client=client, clinician=request.user)
        .not_discarded()
        .order_by("-started_at")
    )
    form = CounselingNoteForm(
        request.POST if request.method == "POST" else None,
        sessions=sessions,
        initial={
            "form_token": uuid.uuid4(),
            "session": _session_id(request.GET.get("session")),
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            note = services.counseling_note_create(
                client=client, by=request.user, **form.cleaned_data
            )
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            return _saved(request, note, "Counseling note saved. Only you can read it.")
    return render(
        request, "sessions/counseling_form.html", {"form": form, "client": client}
    )


def _saved(request: Any, note: CounselingNote, message: str) -> HttpResponse:
    messages.success(request, message)
    if notice := language.summary(note.text):
        messages.info(request, notice)
    return redirect(note)


@require_safe
@caseload_only
def counseling_detail(request: AuthenticatedHttpRequest, pk: uuid.UUID) -> HttpResponse:
    note = _open_note(request, pk)
    return render(
        request,
        "sessions/counseling_detail.html",
        {
            "note": note,
            "may_change": note.author_id == request.user.pk,
            # Every version, newest first; the first is the current text.
            "earlier": list(note.revisions.filter(version__lt=note.version)),
        },
    )


@caseload_only
def counseling_update(request: AuthenticatedHttpRequest, pk: uuid.UUID) -> HttpResponse:
    """A new version of the author's own counseling note; the earlier ones stay."""
    note = _open_note(request, pk, to_change=True)
    form = CounselingNoteEditForm(
        request.POST if request.method == "POST" else None,
        initial={"version": note.version, "text": note.text},
    )
    if request.method == "POST" and form.is_valid():
        try:
            note = services.counseling_note_update(
                note=note,
                by=request.user,
                text=form.cleaned_data["text"],
                expected_version=form.cleaned_data["version"],
            )
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            return _saved(
                request, note, "Counseling note saved; the earlier version is kept."
            )
    return render(
        request, "sessions/counseling_form.html", {"form": form, "note": note}
    )
