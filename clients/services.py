"""Writes to client records that touch more than one model or run from more than
one place. Each takes the acting staff member as `by`."""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Sequence

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import DurationField, Q, QuerySet, Value
from django.db.models.functions import Now
from django.utils import timezone

from audit import services as audit
from audit.models import Action
from clients.access import in_team, may_change_client, may_review_grant
from clients.models import (
    ATTEMPT_CLOCK_SKEW,
    AttemptHow,
    Client,
    ClientStatus,
    ClosureReason,
    ContactAttempt,
    EmergencyGrant,
    EmergencyGrantReview,
    EmergencyReason,
    GrantReviewDecision,
    Reassignment,
    StatusChange,
    Wants,
)
from hr_clinic.lib.form_tokens import create_once, same_values
from staff.models import Role, User

# The audit action for each change of a record's status.
STATUS_ACTIONS: dict[tuple[str, str], str] = {
    (ClientStatus.ACTIVE, ClientStatus.PAUSED): Action.PAUSE,
    (ClientStatus.PAUSED, ClientStatus.ACTIVE): Action.RESUME,
    (ClientStatus.ACTIVE, ClientStatus.CLOSED): Action.CLOSE,
    (ClientStatus.PAUSED, ClientStatus.CLOSED): Action.CLOSE,
    (ClientStatus.CLOSED, ClientStatus.ACTIVE): Action.REOPEN,
    (ClientStatus.CLOSED, ClientStatus.PAUSED): Action.REOPEN,
}


def _typed(client: Client) -> dict[str, object]:
    """What a person gave on the form that adds a client (every editable field
    but the timestamps)."""
    return {
        field.attname: getattr(client, field.attname)
        for field in Client._meta.concrete_fields
        if field.editable and field.name != "created_at"
    }


@transaction.atomic
def client_create(*, client: Client, by: User, form_token: uuid.UUID | None) -> Client:
    """Save a new record built by ClientForm (its primary clinician already
    chosen and scoped: `by` or, for a supervisor, one of their team) and audit
    it. A re-sent form (same token, same content) returns the record it made
    the first time; the same token with other content raises FormAlreadyUsed.
    Raises ValidationError for a rule the model refuses."""
    typed = _typed(client)

    def create() -> Client:
        client.form_token = form_token
        client.full_clean()
        client.save()
        audit.record(actor=by, action=Action.CREATE, obj=client)
        return client

    saved, _ = create_once(
        earlier=Client.objects.filter(clinician_id=client.clinician_id),
        token=form_token,
        same=lambda earlier: same_values(earlier, typed),
        create=create,
        already_used="This form already added a client, shown on the caseload. "
        "To add another person as well, check the details and press Add client "
        "again.",
    )
    return saved


@transaction.atomic
def client_update(*, client: Client, by: User) -> Client:
    """Save the changes ClientForm made to an existing record (its primary
    clinician, if changed there, already scoped) and audit them. Raises
    ValidationError for a rule the model refuses."""
    client.full_clean()
    client.save()
    audit.record(actor=by, action=Action.UPDATE, obj=client)
    return client


def _change_status(
    *,
    client: Client,
    by: User,
    to_status: str,
    reason: str = "",
    on: datetime.date | None = None,
    note: str = "",
    review_on: datetime.date | None = None,
) -> Client:
    from_status = client.status
    client.status = to_status
    # Only a paused record waits for a review date (client_review_on_only_when_paused).
    client.review_on = review_on if to_status == ClientStatus.PAUSED else None
    if to_status == ClientStatus.CLOSED:
        client.closed_reason = reason
        client.closed_on = on or timezone.localdate()
    else:
        client.closed_reason = ""
        client.closed_on = None
    client.full_clean()
    client.save()
    StatusChange.objects.create(
        client=client,
        from_status=from_status,
        to_status=to_status,
        reason=reason,
        note=note,
        changed_by=by,
    )
    audit.record(actor=by, action=STATUS_ACTIONS[(from_status, to_status)], obj=client)
    return client


@transaction.atomic
def client_close(
    *,
    client: Client,
    by: User,
    reason: str,
    closed_on: datetime.date | None = None,
    note: str = "",
) -> Client:
    """Close a record, keeping everything in it. Raises ValidationError when it is
    already closed or the reason is not one of ClosureReason."""
    client = Client.objects.select_for_update().get(pk=client.pk)
    if client.status == ClientStatus.CLOSED:
        raise ValidationError("This record is already closed.")
    if reason not in ClosureReason.values:
        raise ValidationError("Choose a reason for closing.")
    return _change_status(
        client=client,
        by=by,
        to_status=ClientStatus.CLOSED,
        reason=reason,
        on=closed_on,
        note=note,
    )


def _check_review_on(review_on: datetime.date | None) -> None:
    if review_on is not None and review_on < timezone.localdate():
        raise ValidationError("Choose today or a later date to review the record.")


@transaction.atomic
def client_set_open_status(
    *,
    client: Client,
    by: User,
    to_status: str,
    note: str = "",
    review_on: datetime.date | None = None,
) -> Client:
    """Pause, resume or reopen a record; a pause may carry `review_on`, the
    day the person comes back on the reach-out list (resuming clears it).
    Raises ValidationError when the record is already in that status,
    `to_status` is not active or paused, or the review date has passed."""
    client = Client.objects.select_for_update().get(pk=client.pk)
    if to_status not in (ClientStatus.ACTIVE, ClientStatus.PAUSED):
        raise ValidationError("A record can be made active or paused here.")
    if client.status == to_status:
        raise ValidationError(f"This record is already {client.get_status_display()}.")
    _check_review_on(review_on)
    return _change_status(
        client=client, by=by, to_status=to_status, note=note, review_on=review_on
    )


@transaction.atomic
def client_review_on_set(
    *, client: Client, by: User, review_on: datetime.date | None
) -> Client:
    """Set or clear a paused record's review date and audit the change (the
    dates as ISO strings: no clinical text). Raises ValidationError when the
    record is not paused or the date has passed."""
    client = Client.objects.select_for_update().get(pk=client.pk)
    if client.status != ClientStatus.PAUSED:
        raise ValidationError("Only a paused record has a review date.")
    _check_review_on(review_on)
    before = client.review_on
    client.review_on = review_on
    client.full_clean()
    client.save(update_fields=["review_on", "updated_at"])
    audit.record(
        actor=by,
        action=Action.UPDATE,
        obj=client,
        detail={
            "review_on": [
                before.isoformat() if before else None,
                review_on.isoformat() if review_on else None,
            ]
        },
    )
    return client


# Which safe-contact answer each way of trying goes against when it is False.
PREFERENCE_FIELDS: dict[str, str] = {
    AttemptHow.TEXT: "texts_ok",
    AttemptHow.VOICEMAIL: "voicemail_ok",
}


def goes_against_preferences(client: Client, how: str) -> bool:
    """Whether the person asked not to be reached `how` (an explicit no; "not
    asked yet" is not a no)."""
    field = PREFERENCE_FIELDS.get(how)
    return field is not None and getattr(client, field) is False


@transaction.atomic
def contact_attempt_record(
    *,
    client: Client,
    by: User,
    how: str,
    outcome: str,
    tried_at: datetime.datetime | None = None,
    through_whom: str = "",
    note: str = "",
    confirmed: bool = False,
    form_token: uuid.UUID | None = None,
) -> ContactAttempt:
    """Keep a try at reaching `client` (default: now) and audit it with the
    client's id (the how and outcome codes in `detail`, never the note). It
    changes nothing else: not last contact, not the record's status. A re-sent
    form (same token, same content) returns the attempt it made; the same
    token with other content raises FormAlreadyUsed.

    Raises ValidationError when `by` is not the client's primary clinician
    (clients.access.may_change_client: a supervisor reads), the time is in the
    future or before 1900, a support person is not named, or the way goes
    against the person's safe-contact answers without `confirmed`."""
    if not may_change_client(by, client):
        raise ValidationError("Only the client's clinician records attempts.")
    tried_at = tried_at or timezone.now()
    if tried_at > timezone.now() + ATTEMPT_CLOCK_SKEW:
        raise ValidationError("An attempt cannot be in the future.")
    against = goes_against_preferences(client, how)
    if against and not confirmed:
        raise ValidationError(
            "They asked not to be contacted this way: tick the box to confirm "
            "it was needed, or choose another way."
        )
    through_whom = (
        " ".join(through_whom.split()) if how == AttemptHow.SUPPORT_PERSON else ""
    )
    typed = {
        "how": how,
        "outcome": outcome,
        "through_whom": through_whom,
        "note": note.strip(),
        "tried_at": tried_at,
    }

    def create() -> ContactAttempt:
        attempt = ContactAttempt(
            client=client,
            by=by,
            despite_preference=against,
            form_token=form_token,
            **typed,
        )
        attempt.full_clean()
        attempt.save(force_insert=True)
        audit.record(
            actor=by,
            action=Action.CREATE,
            obj=attempt,
            detail={"how": how, "outcome": outcome, "despite_preference": against},
        )
        return attempt

    attempt, _ = create_once(
        earlier=ContactAttempt.objects.filter(by=by),
        token=form_token,
        # The time is left out: a re-sent form without one gets "now" again.
        same=lambda earlier: (
            same_values(earlier, {k: v for k, v in typed.items() if k != "tried_at"})
            and earlier.client_id == client.pk
        ),
        create=create,
        already_used="This form already recorded an attempt, shown on the record. "
        "To record another one as well, check it and press Save again.",
    )
    return attempt


def reassignment_targets(by: User) -> QuerySet[User]:
    """Staff `by` may make a primary clinician: for an admin, anyone active who
    carries a caseload; for a supervisor, themselves and their active team
    (clients.access.in_team); for a clinician, nobody."""
    if by.role == Role.ADMIN:
        return User.objects.filter(
            is_active=True, role__in=[Role.CLINICIAN, Role.SUPERVISOR]
        )
    if by.role == Role.SUPERVISOR:
        return User.objects.filter(Q(pk=by.pk) | in_team(by, inactive=False))
    return User.objects.none()


@transaction.atomic
def client_reassign(*, client: Client, to_clinician: User, by: User) -> Client:
    """Make `to_clinician` the client's primary clinician.

    Scoped: `client` must be in Client.objects.reassignable_by(by) (the caller's
    lookup ensures it; a client outside it raises Client.DoesNotExist here too).
    Raises ValidationError when the new clinician is inactive, holds no caseload,
    is outside the supervisor's team, or already holds the client.
    """
    client = Client.objects.reassignable_by(by).select_for_update().get(pk=client.pk)
    if not to_clinician.is_active or not to_clinician.carries_caseload:
        raise ValidationError("Choose an active clinician or supervisor.")
    if not reassignment_targets(by).filter(pk=to_clinician.pk).exists():
        raise ValidationError("You can move clients within your own team only.")
    if client.clinician_id == to_clinician.pk:
        raise ValidationError(f"{to_clinician.name} is already the primary clinician.")
    Reassignment.objects.create(
        client=client,
        from_clinician_id=client.clinician_id,
        to_clinician=to_clinician,
        changed_by=by,
    )
    client.clinician = to_clinician
    client.save(update_fields=["clinician", "updated_at"])
    audit.record(actor=by, action=Action.REASSIGN, obj=client)
    return client


@transaction.atomic
def caseload_reassign(
    *, from_clinician: User, moves: Sequence[tuple[Client, User]], by: User
) -> int:
    """Move clients off `from_clinician`'s caseload in one transaction: each
    (client, new clinician) pair through client_reassign, which keeps a
    Reassignment row. All or nothing. Returns how many moved.

    Raises ValidationError when a client is no longer on `from_clinician`'s
    caseload (someone moved it meanwhile) or a move breaks client_reassign's
    rules; then nothing has moved.
    """
    ids = [client.pk for client, _ in moves]
    still_theirs = (
        Client.objects.reassignable_by(by)
        .select_for_update()
        .filter(pk__in=ids, clinician=from_clinician)
        .count()
    )
    if still_theirs != len(ids):
        raise ValidationError(
            "Someone else changed this caseload meanwhile. Nothing was moved: "
            "check the list and try again."
        )
    for client, to_clinician in moves:
        client_reassign(client=client, to_clinician=to_clinician, by=by)
    return len(ids)


def emergency_access_hours() -> int:
    return int(settings.EMERGENCY_ACCESS_HOURS)


@transaction.atomic
def emergency_grant_create(
    *, client: Client, by: User, reason: str, explanation: str
) -> EmergencyGrant:
    """Open `client`'s record to `by` in an emergency, for
    EMERGENCY_ACCESS_HOURS from now by the database clock (created_at and
    expires_at are both the database's `now()`), and audit it with the
    grant's id. The caller found `client` by its id or chosen name plus a
    second identifier (clients.selectors.emergency_lookup).

    Raises ValidationError when `by` holds no caseload, already sees the
    client (their own or their team's), already holds an unexpired grant to
    it, or gives no reason or explanation."""
    if not (by.is_active and by.carries_caseload):
        raise ValidationError("Emergency access is for clinicians and supervisors.")
    if Client.objects.visible_to(by, emergency=False).filter(pk=client.pk).exists():
        raise ValidationError("This record is already open to you.")
    if EmergencyGrant.objects.active().filter(grantee=by, client=client).exists():
        raise ValidationError("You already have emergency access to this record.")
    if reason not in EmergencyReason.values:
        raise ValidationError("Choose why you need this record.")
    if not explanation.strip():
        raise ValidationError("Say in a few words what is happening.")
    grant = EmergencyGrant(
        client=client,
        grantee=by,
        client_clinician_id=client.clinician_id,
        reason=reason,
        explanation=explanation.strip(),
    )
    grant.full_clean(exclude=["expires_at"])
    # Both times from the database clock: one now() for the INSERT.
    grant.expires_at = Now() + Value(  # type: ignore[assignment]
        datetime.timedelta(hours=emergency_access_hours()),
        output_field=DurationField(),
    )
    grant.save(force_insert=True)
    grant.refresh_from_db(fields=["created_at", "expires_at"])
    audit.record(
        actor=by,
        action=Action.CREATE,
        object_type="emergency_grant",
        object_id=str(grant.pk),
        client_id=client.pk,
        emergency_grant_id=grant.pk,
        detail={"reason": reason, "hours": emergency_access_hours()},
    )
    return grant


@transaction.atomic
def emergency_grant_review(
    *, grant: EmergencyGrant, by: User, decision: str, comment: str
) -> EmergencyGrantReview:
    """Record `by`'s review of `grant` (clients.access.may_review_grant: the
    supervisor of the clinician who held the client) and audit it. One
    review per grant, kept as written.

    Raises ValidationError when `by` does not review this grant, it is
    already reviewed (also by a racing review: the unique grant), or the
    decision or comment is missing."""
    if not may_review_grant(by, grant):
        raise ValidationError("This emergency access is reviewed by someone else.")
    if decision not in GrantReviewDecision.values:
        raise ValidationError("Choose appropriate or follow up.")
    if not comment.strip():
        raise ValidationError("Add a comment for the record.")
    if EmergencyGrantReview.objects.filter(grant=grant).exists():
        raise ValidationError("This emergency access has already been reviewed.")
    review = EmergencyGrantReview(
        grant=grant, reviewer=by, decision=decision, comment=comment.strip()
    )
    review.full_clean(exclude=["grant"])
    try:
        with transaction.atomic():
            review.save(force_insert=True)
    except IntegrityError:
        raise ValidationError(
            "This emergency access has already been reviewed."
        ) from None
    audit.record(
        actor=by,
        action=Action.CREATE,
        object_type="emergency_review",
        object_id=str(grant.pk),
        client_id=grant.client_id,
        detail={"decision": decision},
    )
    return review


@transaction.atomic
def wants_record(
    *,
    client: Client,
    by: User,
    words: str,
    form_token: uuid.UUID | None = None,
) -> Wants:
    """Write a new version of "What I want from coming here" for `client`, in
    their words (the earlier versions stay, with who wrote them and when). `by`
    is the client's primary clinician. A re-sent form returns the version it
    made. Raises ValidationError for empty words or someone else's client."""
    if not may_change_client(by, client):
        raise ValidationError("Only the client's clinician writes this.")
    typed = {"words": words.strip()}

    def create() -> Wants:
        version = Wants(client=client, written_by=by, form_token=form_token, **typed)
        version.full_clean()
        version.save()
        audit.record(actor=by, action=Action.UPDATE, obj=version)
        return version

    version, _ = create_once(
        earlier=Wants.objects.filter(client=client, written_by=by),
        token=form_token,
        same=lambda earlier: same_values(earlier, typed),
        create=create,
        already_used="This form already saved these words, shown on the record.",
    )
    return version
