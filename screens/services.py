"""Handing the device to the client, and taking it back.

A hand-over lives in the clinician's own Django session (SESSION_KEY): the
client, the note it was handed over from (if any), the steps offered, the
consent to sign, when, and what the person has entered so far (the ids of the
records each step saved). Nothing of it is a record of its own: what the person
enters is saved at once by the service of the record it belongs to (a goal's
rating, a consent's signature), so taking the device back, a time-out or a
closed browser loses nothing. While it is there, screens.middleware keeps the
browser on the screen.
"""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from django.contrib.sessions.backends.base import SessionBase
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from audit import services as audit
from audit.models import Action
from clients.access import may_change_client
from consents import services as consents
from goals import services as goals
from goals.models import EnteredHow
from measures import definitions
from measures.models import EnteredHow as MeasureEnteredHow
from measures.services import measure_record
from screens.steps import BY_KEY
from sessions.models import EnteredHow as CheckInEnteredHow
from sessions.services import checkin_record

if TYPE_CHECKING:
    from clients.models import Client
    from consents.models import Consent
    from goals.models import Goal
    from measures.models import MeasureResponse
    from sessions.models import RelationshipCheckIn, TherapySession
    from staff.models import User

SESSION_KEY = "hr:client_screen"


@dataclass(frozen=True)
class Handover:
    client_id: uuid.UUID
    note_id: uuid.UUID | None
    steps: tuple[str, ...]
    consent_id: uuid.UUID | None
    handed_at: datetime.datetime
    # Step key -> ids of what the person entered in it.
    entered: dict[str, list[str]] = field(default_factory=dict)
    # The measure the clinician picked for the "measure" step (a code of
    # measures.definitions).
    measure_code: str | None = None

    def as_session(self) -> dict[str, Any]:
        return {
            "client": str(self.client_id),
            "note": str(self.note_id) if self.note_id else None,
            "steps": list(self.steps),
            "consent": str(self.consent_id) if self.consent_id else None,
            "at": self.handed_at.isoformat(),
            "entered": self.entered,
            "measure": self.measure_code,
        }

    @classmethod
    def from_session(cls, data: dict[str, Any]) -> Handover:
        return cls(
            client_id=uuid.UUID(data["client"]),
            note_id=uuid.UUID(data["note"]) if data["note"] else None,
            steps=tuple(data["steps"]),
            consent_id=uuid.UUID(data["consent"]) if data["consent"] else None,
            handed_at=datetime.datetime.fromisoformat(data["at"]),
            entered=dict(data["entered"]),
            measure_code=data.get("measure"),
        )

    def done(self, key: str) -> bool:
        return key in self.entered


def current(session: SessionBase) -> Handover | None:
    """The hand-over in this browser's session, if the device is handed over."""
    data = session.get(SESSION_KEY)
    return None if data is None else Handover.from_session(data)


@transaction.atomic
def screen_hand_over(
    *,
    session: SessionBase,
    by: User,
    client: Client,
    steps: Sequence[str],
    note: TherapySession | None = None,
    consent: Consent | None = None,
    measure_code: str | None = None,
) -> Handover:
    """Hand the device to `client` with `steps` (keys of screens.steps.STEPS),
    from `note` if it was handed over from a draft, with `consent` to sign
    when the consent step is offered. Records the event with ids and step keys
    only. Raises ValidationError for someone who may not change the record,
    an unknown or empty choice of steps, or a consent step without a consent."""
    if not may_change_client(by, client):
        raise ValidationError(
            "Only the person's own clinician can hand them the screen."
        )
    if not steps or any(key not in BY_KEY for key in steps):
        raise ValidationError("Choose what to offer on the screen.")
    if "consent" in steps and (consent is None or consent.client_id != client.pk):
        raise ValidationError("There is no consent waiting to be signed.")
    if note is not None and note.client_id != client.pk:
        raise ValidationError("That note is not about this person.")
    if "checkin" in steps and note is None:
        raise ValidationError(
            "The check-in is about a session: hand over from its note."
        )
    if "measure" in steps and definitions.get(measure_code or "") is None:
        raise ValidationError("Choose which questionnaire to offer.")
    ordered = tuple(key for key in BY_KEY if key in steps)
    handover = Handover(
        client_id=client.pk,
        note_id=note.pk if note else None,
        steps=ordered,
        consent_id=consent.pk if consent and "consent" in ordered else None,
        handed_at=timezone.now(),
        measure_code=measure_code if "measure" in ordered else None,
    )
    audit.record(
        actor=by,
        action=Action.HAND_TO_CLIENT,
        obj=client,
        detail={
            "steps": list(ordered),
            "note": str(note.pk) if note else None,
            "measure": handover.measure_code,
        },
    )
    session[SESSION_KEY] = handover.as_session()
    return handover


def screen_step_done(*, session: SessionBase, key: str, ids: Sequence[str]) -> Handover:
    """Note in the hand-over what the person entered in step `key` (adding to
    what they entered there before)."""
    handover = current(session)
    if handover is None:
        raise ValidationError("The screen is no longer handed over.")
    entered = {**handover.entered, key: [*handover.entered.get(key, []), *ids]}
    handover = replace(handover, entered=entered)
    session[SESSION_KEY] = handover.as_session()
    return handover


@transaction.atomic
def screen_rate_goals(
    *,
    session: SessionBase,
    by: User,
    ratings: Sequence[tuple[Goal, int, str]],
    form_token: uuid.UUID | None,
) -> Handover:
    """The person's own ratings from the screen, through the goals service,
    marked as entered by them on this device and dated today (not tied to the
    note: a rating given on its own is kept as given, and the note's own
    ratings stay the clinician's to write). `ratings` is (goal, score,
    comment) for the goals they rated."""
    if not ratings:
        raise ValidationError("Choose a number for at least one goal.")
    saved = [
        goals.goal_rate(
            goal=goal,
            by=by,
            score=score,
            comment=comment,
            form_token=form_token,
            entered_how=EnteredHow.CLIENT_DEVICE,
        )
        for goal, score, comment in ratings
    ]
    return screen_step_done(
        session=session, key="goals", ids=[str(r.pk) for r in saved]
    )


@transaction.atomic
def screen_sign_consent(
    *, session: SessionBase, by: User, consent: Consent, typed_name: str
) -> Handover:
    """The person signs the consent handed to them, through the consents
    service (which records the signature and its event)."""
    consents.consent_sign_on_device(consent=consent, by=by, typed_name=typed_name)
    return screen_step_done(session=session, key="consent", ids=[str(consent.pk)])


def _handed(session: SessionBase, key: str) -> Handover:
    handover = current(session)
    if handover is None or key not in handover.steps:
        raise ValidationError("That was not handed over.")
    return handover


@transaction.atomic
def screen_record_checkin(
    *,
    session: SessionBase,
    by: User,
    note: TherapySession,
    answers: Mapping[str, int | None],
    words: str,
    form_token: uuid.UUID | None = None,
) -> RelationshipCheckIn:
    """The person's own check-in about `note`'s session (the note the device
    was handed over from), kept as theirs through sessions.services."""
    handover = _handed(session, "checkin")
    if handover.note_id != note.pk:
        raise ValidationError("The check-in is about the note it was handed from.")
    checkin = checkin_record(
        session=note,
        by=by,
        answers=answers,
        words=words,
        entered_how=CheckInEnteredHow.BY_CLIENT,
        form_token=form_token,
    )
    screen_step_done(session=session, key="checkin", ids=[str(checkin.pk)])
    return checkin


@transaction.atomic
def screen_take_measure(
    *,
    session: SessionBase,
    by: User,
    client: Client,
    note: TherapySession | None,
    answers: dict[str, int],
    form_token: uuid.UUID | None = None,
) -> MeasureResponse:
    """The person's own answers to the measure the clinician picked, scored
    and kept as theirs through measures.services (on the note handed from, if
    any); a PHQ-9 item 9 above 0 asks the clinician for a safety check-in
    there as anywhere."""
    handover = _handed(session, "measure")
    if handover.client_id != client.pk or handover.measure_code is None:
        raise ValidationError("That was not handed over.")
    response = measure_record(
        client=client,
        by=by,
        code=handover.measure_code,
        answers=answers,
        session=note,
        entered_how=MeasureEnteredHow.CLIENT_DEVICE,
        form_token=form_token,
    )
    screen_step_done(session=session, key="measure", ids=[str(response.pk)])
    return response


@transaction.atomic
def screen_take_back(*, session: SessionBase, by: User) -> Handover:
    """End the hand-over (the view has checked the clinician's password) and
    record it, with how many things the person entered in each step."""
    handover = current(session)
    if handover is None:
        raise ValidationError("The screen is no longer handed over.")
    audit.record(
        actor=by,
        action=Action.TAKE_BACK,
        object_type="client",
        object_id=str(handover.client_id),
        client_id=handover.client_id,
        detail={key: len(ids) for key, ids in handover.entered.items()},
    )
    del session[SESSION_KEY]
    return handover
