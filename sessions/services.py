"""Writes to session notes: drafts that are never lost, signing, addenda."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from audit import services as audit
from audit.models import Action
from clients.models import Client
from goals.models import Goal, GoalRating
from sessions.models import (
    Addendum,
    NotePreference,
    Review,
    ReviewDecision,
    ReviewStatus,
    SessionStatus,
    TherapySession,
)
from staff.models import User

# The scalar fields a draft save may set (sections and ratings go separately).
DRAFT_FIELDS = (
    "started_at",
    "duration_minutes",
    "modality",
    "location",
    "naloxone_on_hand",
    "naloxone_doses_given",
    "test_strips_given",
    "other_supplies",
    "overdoses_experienced",
    "overdoses_witnessed",
    "naloxone_used",
    "referrals",
)


class VersionConflict(Exception):
    """The draft changed since the form was opened (another tab, another person).
    Carries the session as it is now, so both texts can be shown side by side."""

    def __init__(self, current: TherapySession) -> None:
        super().__init__(f"session {current.pk} is at version {current.version}")
        self.current = current


@dataclass(frozen=True)
class Rating:
    score: int
    comment: str = ""


def _same_content(
    session: TherapySession,
    fields: dict[str, Any],
    sections: dict[str, str],
    ratings: dict[uuid.UUID, Rating],
) -> bool:
    if any(getattr(session, name) != value for name, value in fields.items()):
        return False
    stored = session.sections or {}
    if any(stored.get(key, "") != text for key, text in sections.items()):
        return False
    given = {r.goal_id: Rating(r.score, r.comment) for r in session.goal_ratings.all()}
    return given == ratings


def _save_ratings(
    session: TherapySession, by: User, ratings: dict[uuid.UUID, Rating]
) -> None:
    """Ratings given in this session: one per goal, dated with the session. A
    rating cleared in a draft is removed (nothing was signed yet)."""
    goals = Goal.objects.filter(client_id=session.client_id, pk__in=ratings.keys())
    for goal in goals:
        rating = ratings[goal.pk]
        GoalRating.objects.update_or_create(
            goal=goal,
            session=session,
            defaults={
                "score": rating.score,
                "comment": rating.comment.strip(),
                "rated_on": timezone.localdate(session.started_at),
                "recorded_by": by,
            },
        )
    # Nothing points at a rating, so this is one statement; written as SQL, as
    # the ORM's delete collector cost several times the statement itself on every
    # autosave.
    table = GoalRating._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"DELETE FROM {table} WHERE session_id = %s"  # nosec B608 - table name from the model
            " AND NOT (goal_id = ANY(%s::uuid[]))",
            [session.pk, list(ratings.keys())],
        )


@transaction.atomic
def therapy_session_save_draft(
    *,
    client: Client,
    by: User,
    session: TherapySession | None,
    expected_version: int | None,
    form_token: uuid.UUID | None,
    note_format: str,
    fields: dict[str, Any],
    sections: dict[str, str],
    ratings: dict[uuid.UUID, Rating],
) -> TherapySession:
    """Create or update a draft note, keeping everything given.

    `client` must already be scoped to `by`'s own caseload by the caller. A new
    draft is found again by its `form_token`, so a double-clicked or re-sent
    first save creates one session. Raises VersionConflict when the draft has
    changed since `expected_version` (unless this save carries exactly what is
    stored, as a double-clicked save does), and ValidationError for a signed note.
    """
    fields = {k: v for k, v in fields.items() if k in DRAFT_FIELDS}
    if session is None and form_token is not None:
        session = (
            TherapySession.objects.filter(form_token=form_token, client=client)
            .select_for_update()
            .first()
        )
    if session is None:
        session = TherapySession(
            client=client,
            clinician=by,
            note_format=note_format,
            form_token=form_token,
            sections=sections,
            **fields,
        )
        session.full_clean(exclude=["search_vector"])
        try:
            with transaction.atomic():
                session.save()
        except IntegrityError:
            # The same form's first save raced us (a double click): use that one.
            existing = TherapySession.objects.get(form_token=form_token)
            if _same_content(existing, fields, sections, ratings):
                return existing
            raise VersionConflict(existing) from None
        _save_ratings(session, by, ratings)
        audit.record(actor=by, action=Action.CREATE, obj=session)
        return session

    session = TherapySession.objects.select_for_update().get(pk=session.pk)
    if session.is_signed:
        raise ValidationError("This note is signed. Add an addendum instead.")
    if session.clinician_id != by.pk:
        raise ValidationError("Only the author can change this draft.")
    if expected_version != session.version:
        if _same_content(session, fields, sections, ratings):
            return session  # a repeated save of what is already stored
        raise VersionConflict(session)
    for name, value in fields.items():
        setattr(session, name, value)
    session.sections = {**(session.sections or {}), **sections}
    # The row is locked (select_for_update above) until this transaction ends, so
    # the version can be counted here: no re-read after the UPDATE.
    session.version += 1
    session.save()
    _save_ratings(session, by, ratings)
    audit.record(actor=by, action=Action.UPDATE, obj=session)
    return session


@dataclass(frozen=True)
class SignProblem:
    """One thing a note needs before signing, and the draft form's field where
    it is fixed (the sign page links to it)."""

    message: str
    field: str

    def __str__(self) -> str:
        return self.message


def sign_problems(session: TherapySession) -> list[SignProblem]:
    """What a note still needs before it can be signed (never anything about the
    person's use: nothing here is a gate on care)."""
    problems = []
    texts = session.section_texts()
    if not any(text.strip() for _, text in texts):
        first = texts[0][0].key if texts else ""
        problems.append(
            SignProblem("Write at least one section of the note.", f"section_{first}")
        )
    if session.duration_minutes is None:
        problems.append(
            SignProblem("Add how long the session was.", "duration_minutes")
        )
    if session.started_at > timezone.now():
        problems.append(
            SignProblem("A session in the future cannot be signed yet.", "started_at")
        )
    return problems


@transaction.atomic
def therapy_session_sign(
    *, session: TherapySession, by: User, expected_version: int
) -> TherapySession:
    """Sign a draft: from now on PostgreSQL refuses any change to it. Raises
    VersionConflict when it changed since `expected_version`, ValidationError when
    it is already signed, not `by`'s, or incomplete (see sign_problems)."""
    session = TherapySession.objects.select_for_update().get(pk=session.pk)
    if session.is_signed:
        raise ValidationError("This note is already signed.")
    if session.clinician_id != by.pk:
        raise ValidationError("Only the author can sign this note.")
    if session.version != expected_version:
        raise VersionConflict(session)
    problems = sign_problems(session)
    if problems:
        raise ValidationError([p.message for p in problems])
    session.status = SessionStatus.SIGNED
    session.signed_at = timezone.now()
    if by.requires_cosign:
        session.review_status = ReviewStatus.WAITING
    session.version += 1
    session.save()
    audit.record(actor=by, action=Action.SIGN, obj=session)
    return session


@transaction.atomic
def addendum_add(
    *,
    session: TherapySession,
    by: User,
    reason: str,
    text: str,
    form_token: uuid.UUID | None = None,
) -> Addendum:
    """Add an addendum to a signed note (the way to correct one). A re-sent form
    (same token) returns the addendum it already made. Raises ValidationError
    for a draft or empty text."""
    if form_token is not None:
        existing = Addendum.objects.filter(form_token=form_token).first()
        if existing is not None:
            return existing
    if not session.is_signed:
        raise ValidationError(
            "A draft can still be edited; addenda are for signed notes."
        )
    addendum = Addendum(
        session=session,
        author=by,
        reason=reason.strip(),
        text=text.strip(),
        form_token=form_token,
    )
    addendum.full_clean()
    addendum.save()
    audit.record(actor=by, action=Action.ADDENDUM, obj=session)
    if session.review_status == ReviewStatus.RETURNED:
        # The clinician's answer to the supervisor's comments: back to the queue.
        TherapySession.objects.filter(pk=session.pk).update(
            review_status=ReviewStatus.WAITING
        )
    return addendum


def _reviewable(session: TherapySession, by: User) -> TherapySession:
    session = (
        TherapySession.objects.select_for_update()
        .select_related("clinician")
        .get(pk=session.pk)
    )
    if session.clinician.supervisor_id != by.pk or not by.is_supervisor:
        raise ValidationError("Only the author's supervisor can review this note.")
    if session.review_status != ReviewStatus.WAITING:
        raise ValidationError(
            f"This note is not waiting for co-signature "
            f"({session.get_review_status_display().lower()})."
        )
    return session


@transaction.atomic
def review_cosign(*, session: TherapySession, by: User) -> Review:
    """Co-sign a signed note waiting in `by`'s queue. Raises ValidationError when
    `by` is not the author's supervisor (their own note included) or the note is
    not waiting (already co-signed, returned and not yet answered, or a draft)."""
    session = _reviewable(session, by)
    review = Review.objects.create(
        session=session, reviewer=by, decision=ReviewDecision.COSIGNED
    )
    TherapySession.objects.filter(pk=session.pk).update(
        review_status=ReviewStatus.COSIGNED
    )
    audit.record(actor=by, action=Action.COSIGN, obj=session)
    return review


@transaction.atomic
def review_return(*, session: TherapySession, by: User, comment: str) -> Review:
    """Return a waiting note to its author with comments; the author answers with
    an addendum, which puts it back in the queue. Same rules as review_cosign;
    a comment is required."""
    if not comment.strip():
        raise ValidationError("Write a comment for the clinician.")
    session = _reviewable(session, by)
    review = Review.objects.create(
        session=session,
        reviewer=by,
        decision=ReviewDecision.RETURNED,
        comment=comment.strip(),
    )
    TherapySession.objects.filter(pk=session.pk).update(
        review_status=ReviewStatus.RETURNED
    )
    audit.record(actor=by, action=Action.RETURN, obj=session)
    return review


def note_preference_set(*, clinician: User, note_format: str) -> None:
    NotePreference.objects.update_or_create(
        clinician=clinician, defaults={"note_format": note_format}
    )


def default_note_format(clinician: User) -> str | None:
    preference = NotePreference.objects.filter(clinician=clinician).first()
    return preference.note_format if preference else None
