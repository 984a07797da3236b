"""Reads for the client's screen, each inside what the person may see."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError

from consents.models import Consent, SignedHow
from goals.models import Goal
from sessions.models import SessionStatus, TherapySession

if TYPE_CHECKING:
    from clients.models import Client
    from staff.models import User


def consent_waiting(*, client: Client, user: User) -> Consent | None:
    """The oldest consent of `client` that waits to be signed on the device
    (made for signing here, not signed yet, not revoked): one query."""
    return (
        Consent.objects.visible_to(user)
        .filter(
            client=client,
            signed_how=SignedHow.DEVICE,
            device_signature__isnull=True,
            revocations__isnull=True,
        )
        .order_by("created_at")
        .first()
    )


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
