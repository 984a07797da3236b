"""The private calendar feed (issue #21): a clinician's appointments as
iCalendar for their own calendar app, behind a secret address they turn on
and can end. Only times and a short record id: a calendar app, a phone's lock
screen or a shared family calendar must never show who the person is."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from django.db import transaction
from django.db.models.functions import Now
from django.utils import timezone

from appointments.models import Appointment, CalendarFeed
from appointments.selectors import NOT_TAKING_TIME
from audit import services as audit
from audit.models import Action
from staff.models import User

# What the feed reaches: the last month and the next six.
FEED_BACK = dt.timedelta(days=31)
FEED_AHEAD = dt.timedelta(days=183)


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@transaction.atomic
def feed_turn_on(*, user: User) -> str:
    """A new secret address for `user`'s feed (any earlier one ends); returns
    the token, shown to them once and kept only as its hash."""
    CalendarFeed.objects.live().filter(user=user).update(revoked_at=Now())
    token = secrets.token_urlsafe(32)
    feed = CalendarFeed.objects.create(user=user, token_hash=_hash(token))
    audit.record(actor=user, action=Action.CREATE, obj=feed)
    return token


@transaction.atomic
def feed_turn_off(*, user: User) -> None:
    ended = CalendarFeed.objects.live().filter(user=user).update(revoked_at=Now())
    if ended:
        audit.record(
            actor=user,
            action=Action.UPDATE,
            object_type="calendarfeed",
            detail={"ended": ended},
        )


def feed_owner(token: str) -> User | None:
    """The active staff member whose live feed `token` opens, or None."""
    feed = (
        CalendarFeed.objects.live()
        .filter(token_hash=_hash(token), user__is_active=True)
        .select_related("user")
        .first()
    )
    return feed.user if feed is not None else None


def feed_appointments(*, user: User) -> list[Appointment]:
    """`user`'s own appointments in the feed's span that still take up the
    time, oldest first. One query."""
    now = timezone.now()
    return list(
        Appointment.objects.filter(
            clinician=user,
            client__clinician=user,
            starts_at__gte=now - FEED_BACK,
            starts_at__lt=now + FEED_AHEAD,
        )
        .exclude(outcome__in=NOT_TAKING_TIME)
        .only("id", "client_id", "starts_at", "duration_minutes", "updated_at")
        .order_by("starts_at")
    )
