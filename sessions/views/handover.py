"""Handing a draft on: a supervisor gives the draft of someone who left (or
whose client moved on) to the client's clinician, who finishes it as theirs."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef
from django.http import HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from audit import services as audit
from clients.access import supervises
from sessions import services
from sessions.models import TherapySession
from staff.decorators import AuthenticatedHttpRequest, supervisor_only
from staff.models import User


def was_handed_over() -> Exists:
    """An annotation for the note page's own query: whether this note is the
    draft someone else started (read further only when it is)."""
    return Exists(TherapySession.objects.filter(handed_over_to=OuterRef("pk")))


def hand_over_context(session: TherapySession, user: User) -> dict[str, Any]:
    """What the note page says about a hand-over: the draft this one came from
    (`handed_from`), and for the author's supervisor looking at an open draft,
    whether it can be handed over (`can_hand_over`) or why not (`problem`).
    Offered only where the author cannot finish it: they left, or the client
    moved on. `session` comes from the note page's query, with
    `was_handed_over`."""
    context: dict[str, Any] = {}
    author = session.clinician
    if getattr(session, "was_handed_over", False):
        context["handed_from"] = TherapySession.objects.select_related(
            "clinician", "handed_over_by"
        ).get(handed_over_to=session)
    if (
        not session.is_signed
        and not session.is_handed_over
        and supervises(user, author)
        and (not author.is_active or session.client.clinician_id != author.pk)
    ):
        problem = services.hand_over_problem(session, user)
        context["can_hand_over"] = not problem
        context["problem"] = problem
        context["taker"] = session.client.clinician
    return context


@supervisor_only
@require_POST
def session_hand_over(request: AuthenticatedHttpRequest, pk: object) -> HttpResponse:
    session: TherapySession = audit.open_record(
        request, TherapySession.objects.visible_to(request.user), pk=pk
    )
    try:
        taken = services.therapy_session_hand_over(session=session, by=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect(session)
    messages.success(
        request,
        f"Handed over to {taken.clinician.name}: it is now their draft to finish "
        "and sign. The original stays as it was.",
    )
    return redirect("team:member_drafts", session.clinician_id)
