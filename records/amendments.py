"""Writes for requests to change the record (HIPAA §164.526, issue #20): the
request, its one decision and the client's statement of disagreement. Each
checks who may write (clients.access), writes in one transaction with its
audit event, and is safe against a double submit (one record per form token,
hr_clinic.lib.form_tokens); PostgreSQL refuses what slips past (migration
records `amendments`)."""

from __future__ import annotations

import datetime as dt
import uuid

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.utils import timezone

from audit import services as audit
from audit.models import Action
from clients.access import may_change_client, may_decide_amendment
from clients.models import Client
from goals.models import Goal
from hr_clinic.lib.form_tokens import create_once, same_values
from records.models import (
    AmendmentDecision,
    AmendmentOutcome,
    AmendmentPart,
    AmendmentRequest,
    AmendmentStatement,
)
from records.models.amendments import DAYS_TO_DECIDE
from sessions.models import SessionStatus, TherapySession
from sessions.services import addendum_add
from staff.models import User

DECIDED = (
    "This request has already been decided; a request is decided once. The "
    "decision is shown below."
)


def _serialise(request: AmendmentRequest) -> None:
    """Two people answering one request at once: the second waits here until
    the first commits, then finds its answer (and is refused). An advisory
    lock, as the app role may not lock rows it cannot update."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_advisory_xact_lock(hashtext('records_amendment'), hashtext(%s))",
            [str(request.pk)],
        )


def _check_may_decide(by: User, client: Client) -> None:
    if not may_decide_amendment(by, client):
        raise PermissionDenied(
            "Only the client's clinician or their supervisor decides this."
        )


@transaction.atomic
def amendment_request_record(
    *,
    client: Client,
    by: User,
    part: str,
    what: str,
    why: str,
    asked_on: dt.date,
    session: TherapySession | None = None,
    goal: Goal | None = None,
    other_part: str = "",
    form_token: uuid.UUID | None = None,
) -> AmendmentRequest:
    """Record the client's request to change `part` of their record (one of
    their signed notes, one of their goals, or another part named in
    `other_part`), asked on `asked_on` (not in the future); it is due
    60 days later (§164.526(b)(2)). The client's primary clinician records it.
    A re-sent form returns the request the first send recorded."""
    if not may_change_client(by, client):
        raise PermissionDenied("Only the client's clinician records this request.")
    if asked_on > timezone.localdate():
        raise ValidationError("The request cannot have been made in the future.")
    if part != AmendmentPart.NOTE:
        session = None
    if part != AmendmentPart.GOAL:
        goal = None
    if part != AmendmentPart.OTHER:
        other_part = ""
    if part == AmendmentPart.NOTE and (
        session is None
        or session.client_id != client.pk
        or session.status != SessionStatus.SIGNED
    ):
        raise ValidationError("Choose one of the client's signed notes.")
    if part == AmendmentPart.GOAL and (goal is None or goal.client_id != client.pk):
        raise ValidationError("Choose one of the client's goals.")
    typed = {
        "part": part,
        "session_id": session.pk if session else None,
        "goal_id": goal.pk if goal else None,
        "other_part": other_part.strip(),
        "what": what.strip(),
        "why": why.strip(),
        "asked_on": asked_on,
    }

    def create() -> AmendmentRequest:
        request = AmendmentRequest(
            client=client,
            recorded_by=by,
            due_on=asked_on + dt.timedelta(days=DAYS_TO_DECIDE),
            form_token=form_token,
            **typed,
        )
        request.full_clean()
        request.save()
        audit.record(actor=by, action=Action.CREATE, obj=request)
        return request

    request, _ = create_once(
        earlier=AmendmentRequest.objects.filter(client=client, recorded_by=by),
        token=form_token,
        same=lambda earlier: same_values(earlier, typed),
        create=create,
        already_used="This form already recorded a request, shown in the list. "
        "To record another, check the details and press Record again.",
    )
    return request


def _to_tell(text: str) -> str:
    return "\n".join(line.strip() for line in text.splitlines() if line.strip())


@transaction.atomic
def amendment_decide(
    *,
    request: AmendmentRequest,
    by: User,
    outcome: str,
    correction: str = "",
    to_tell: str = "",
    reason: str = "",
    form_token: uuid.UUID | None = None,
) -> AmendmentDecision:
    """Decide `request`, once. Changed as asked (`accepted`): the
    `correction`; on a note it is written as an addendum by `by`
    (sessions.services.addendum_add) and the decision links to it; `to_tell`
    names the people the client wants told, one per line (§164.526(c)(3)).
    Kept as it is (`denied`): the `reason`, in plain words (§164.526(d)).
    The client's primary clinician or their supervisor decides. A re-sent
    form returns the decision it made; any other second decision is refused
    (PostgreSQL too: one decision per request)."""
    client = request.client
    _check_may_decide(by, client)
    _serialise(request)
    accepted = outcome == AmendmentOutcome.ACCEPTED
    typed = {
        "outcome": outcome,
        "correction": correction.strip() if accepted else "",
        "to_tell": _to_tell(to_tell) if accepted else "",
        "reason": "" if accepted else reason.strip(),
    }
    if outcome not in AmendmentOutcome.values:
        raise ValidationError("Choose what was decided.")
    if accepted and not typed["correction"]:
        raise ValidationError("Write the correction, as it should now read.")
    if not accepted and not typed["reason"]:
        raise ValidationError(
            "Give the reason the record is kept as it is, in plain words."
        )

    def create() -> AmendmentDecision:
        if AmendmentDecision.objects.filter(request=request).exists():
            raise ValidationError(DECIDED)
        addendum = None
        if accepted and request.part == AmendmentPart.NOTE:
            assert request.session is not None  # the request's constraint
            addendum = addendum_add(
                session=request.session,
                by=by,
                reason="Changed at the client's request, asked on "
                f"{request.asked_on:%d %b %Y}",
                text=typed["correction"],
                form_token=form_token,
            )
        decision = AmendmentDecision(
            request=request,
            decided_by=by,
            addendum=addendum,
            form_token=form_token,
            **typed,
        )
        decision.full_clean(exclude=["request"])
        decision.save()
        audit.record(
            actor=by,
            action=Action.CREATE,
            obj=decision,
            client_id=client.pk,
            detail={"request": str(request.pk), "outcome": outcome},
        )
        return decision

    decision, _ = create_once(
        earlier=AmendmentDecision.objects.filter(request=request, decided_by=by),
        token=form_token,
        same=lambda earlier: same_values(earlier, typed),
        create=create,
        already_used=DECIDED,
    )
    return decision


@transaction.atomic
def amendment_statement_record(
    *,
    request: AmendmentRequest,
    by: User,
    text: str,
    form_token: uuid.UUID | None = None,
) -> AmendmentStatement:
    """Record the client's statement of disagreement with a decision to keep
    the record as it is (§164.526(d)(1)(iii)), in their words. One per
    request; only after that decision (PostgreSQL checks both). A re-sent form
    returns the statement it recorded."""
    client = request.client
    _check_may_decide(by, client)
    _serialise(request)
    decision = AmendmentDecision.objects.filter(request=request).first()
    if decision is None or not decision.is_denied:
        raise ValidationError(
            "A statement of disagreement follows a decision to keep the record "
            "as it is."
        )
    typed = {"text": text.strip()}

    def create() -> AmendmentStatement:
        if AmendmentStatement.objects.filter(request=request).exists():
            raise ValidationError(
                "The client's statement is already recorded, shown below."
            )
        statement = AmendmentStatement(
            request=request, recorded_by=by, form_token=form_token, **typed
        )
        statement.full_clean(exclude=["request"])
        statement.save()
        audit.record(
            actor=by,
            action=Action.CREATE,
            obj=statement,
            client_id=client.pk,
            detail={"request": str(request.pk)},
        )
        return statement

    statement, _ = create_once(
        earlier=AmendmentStatement.objects.filter(request=request, recorded_by=by),
        token=form_token,
        same=lambda earlier: same_values(earlier, typed),
        create=create,
        already_used="The client's statement is already recorded, shown below.",
    )
    return statement
