"""Writes to standard measures (issue #22, section 3). Each writes its audit
event with the client's id; nothing is changed or deleted afterwards
(PostgreSQL refuses both)."""

from __future__ import annotations

import datetime
import uuid

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from audit import services as audit
from audit.models import Action
from clients.access import may_change_client
from clients.models import Client
from hr_clinic.lib.form_tokens import create_once
from measures import definitions
from measures.models import EnteredHow, MeasureResponse, SafetyCheck
from sessions.models import SessionStatus, TherapySession
from staff.models import User


def _check_writer(client: Client, by: User) -> None:
    # The client's own clinician takes a measure with them; a supervisor
    # reads a supervisee's, as for goals and notes.
    if not may_change_client(by, client):
        raise ValidationError("Only the person's own clinician adds a measure.")
    if client.is_closed:
        raise ValidationError("This record is closed: reopen it to add a measure.")


def _check_session(session: TherapySession | None, client: Client) -> None:
    if session is None:
        return
    if session.client_id != client.pk or session.status == SessionStatus.DISCARDED:
        raise ValidationError("That session is not one of this person's notes.")


def _check_day(taken_on: datetime.date) -> None:
    if taken_on > timezone.localdate():
        raise ValidationError("The day it was taken cannot be in the future.")
    if taken_on.year < 1900:
        raise ValidationError("The day it was taken must be after 1900.")


@transaction.atomic
def measure_record(
    *,
    client: Client,
    by: User,
    code: str,
    answers: dict[str, int],
    session: TherapySession | None = None,
    entered_how: str = EnteredHow.WITH_CLINICIAN,
    taken_on: datetime.date | None = None,
    form_token: uuid.UUID | None = None,
) -> MeasureResponse:
    """Score and keep one response to the measure `code` (measures.definitions)
    for `client`, entered by `by`, their primary clinician, with the client
    (`entered_how`: with the clinician, or by the client on this device),
    optionally in `session` (one of the client's notes, draft or signed).

    The total and band label are computed here from the definition and kept
    as scored; a PHQ-9 item 9 above 0 marks the response as asking for a
    safety check-in. A re-sent form (same token, same answers) returns what
    it made the first time; the same token with other answers raises
    FormAlreadyUsed. Raises ValidationError for an unknown measure, an item
    without an answer or with points the measure does not have, someone
    else's client, a closed record, another client's or a discarded note, or
    a day in the future."""
    measure = definitions.get(code)
    if measure is None:
        raise ValidationError("There is no such measure.")
    if problems := measure.problems(answers):
        raise ValidationError(problems)
    if entered_how not in EnteredHow.values:
        raise ValidationError("Say who entered the answers.")
    _check_writer(client, by)
    _check_session(session, client)
    day = taken_on or timezone.localdate()
    _check_day(day)
    kept = {item.key: answers[item.key] for item in measure.items}
    total = measure.score(kept)

    def create() -> MeasureResponse:
        response = MeasureResponse(
            client=client,
            session=session,
            code=measure.code,
            answers=kept,
            total=total,
            band=measure.band_for(total),
            needs_safety_check=measure.needs_safety_check(kept),
            taken_on=day,
            entered_by=by,
            entered_how=entered_how,
            form_token=form_token,
        )
        response.full_clean(exclude=["form_token"], validate_constraints=False)
        response.save()
        audit.record(actor=by, action=Action.CREATE, obj=response)
        return response

    response, _ = create_once(
        earlier=MeasureResponse.objects.filter(client=client, entered_by=by),
        token=form_token,
        same=lambda earlier: earlier.code == measure.code and earlier.answers == kept,
        create=create,
        already_used="This form already saved a response, shown below. To save "
        "these answers as well, check them and press Save again.",
    )
    return response


@transaction.atomic
def safety_check_record(
    *, response: MeasureResponse, by: User, note: str
) -> SafetyCheck:
    """Record that `by`, the client's primary clinician, checked in about
    safety after `response` asked for it, with a short note of what was done;
    the time is the database's. Raises ValidationError when the response did
    not ask for one, it is recorded already, the note is empty, or `by` is not
    the client's clinician."""
    client = response.client
    if not may_change_client(by, client):
        raise ValidationError("Only the person's own clinician records this.")
    if not response.needs_safety_check:
        raise ValidationError("This response did not ask for a safety check-in.")
    note = note.strip()
    if not note:
        raise ValidationError("Say briefly what was done.")
    check = SafetyCheck(response=response, recorded_by=by, note=note)
    check.full_clean(exclude=["response"])
    try:
        # The one-to-one's unique index decides between two tabs sending at
        # once (the app role cannot lock a row it may not update).
        with transaction.atomic():
            check.save()
    except IntegrityError:
        raise ValidationError("The safety check-in is recorded already.") from None
    check.refresh_from_db(fields=["recorded_at"])
    audit.record(
        actor=by,
        action=Action.UPDATE,
        object_type="measure_response",
        object_id=str(response.pk),
        client_id=client.pk,
        detail={"safety_check": check.pk},
    )
    return check
