"""Reads for the client's screen, each inside what the person may see."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db.models import QuerySet

from clients.access import client_rows, may_change_client
from consents.models import Consent, SignedHow
from goals.models import Goal
from hr_clinic.lib import sql
from screens import steps
from screens.steps import Step
from sessions.models import SessionStatus, TherapySession

if TYPE_CHECKING:
    from clients.models import Client
    from staff.models import User


def _waiting(user: User, client_id: uuid.UUID) -> QuerySet[Consent]:
    return Consent.objects.visible_to(user).filter(
        client_id=client_id,
        signed_how=SignedHow.DEVICE,
        device_signature__isnull=True,
        revocations__isnull=True,
    )


def consent_waiting(*, client: Client, user: User) -> Consent | None:
    """The oldest consent of `client` that waits to be signed on the device
    (made for signing here, not signed yet, not revoked): one query."""
    return _waiting(user, client.pk).order_by("created_at").first()


# The record page's hand-over offer, compiled once (clients.access.client_rows):
# building the ORM's query cost ten times what it takes to run (issue #25).
_WAITING = sql.CompiledOnce()


def _any_waiting(user: User, client_id: uuid.UUID) -> QuerySet[Any]:
    return _waiting(user, client_id).order_by().values_list("pk")[:1]


def consent_is_waiting(*, client: Client, user: User) -> bool:
    """Whether a consent of `client` waits to be signed on the device (as
    `consent_waiting`): one query, compiled once per rule shape."""
    return bool(client_rows(_WAITING, "waiting", user, client.pk, _any_waiting))


def draft_handed_from(
    *, client: Client, user: User, pk: str | None
) -> TherapySession | None:
    """The draft note of `client`, by `user`, that the screen was handed over
    from (`pk` as posted): None for anything else, so the screen simply goes
    back to the record."""
    if not pk:
        return None
    try:
        return (
            TherapySession.objects.visible_to(user)
            .filter(client=client, clinician=user, status=SessionStatus.DRAFT)
            .filter(pk=pk)
            .first()
        )
    except ValidationError:  # not a UUID
        return None


def goals_to_rate(*, client: Client, user: User) -> list[Goal]:
    """The goals the person is working on, in their own words."""
    return list(Goal.objects.visible_to(user).active().filter(client=client))


def hand_over_offer(*, client: Client, user: User, from_note: bool) -> list[Step]:
    """The steps "Hand to <name>" offers `user` for `client` (from a draft
    note when `from_note`): one query, for a consent waiting to be signed on
    the device; none for anyone but the client's own clinician, so the form
    is not shown."""
    if not may_change_client(user, client):
        return []
    consent = consent_waiting(client=client, user=user)
    return steps.offered(consent_waiting=consent is not None, from_note=from_note)
