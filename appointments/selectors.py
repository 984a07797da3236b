"""Reads of appointments (issue #21). Each starts from what the person may
see (`Appointment.objects.visible_to`, clients.access.visibility). The lead's
Today page, week views and calendar feed read `appointments_between` and
`conflicts`."""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Iterable, Sequence
from typing import Any

from django.db.models import DateTimeField, ExpressionWrapper, F, Q, QuerySet
from django.utils import timezone

from appointments.models import NOT_TAKING_TIME, Appointment, Outcome
from clients.access import client_rows, in_team
from clients.models import Client
from hr_clinic.lib import sql
from staff.models import User

UPCOMING_ON_RECORD = 3
# Longest appointment (the duration constraint): an overlap search need only
# look this far back from the start of the span.
LONGEST = datetime.timedelta(minutes=480)


def _ends_at() -> ExpressionWrapper:
    return ExpressionWrapper(
        F("starts_at") + F("duration_minutes") * datetime.timedelta(minutes=1),
        output_field=DateTimeField(),
    )


def appointments_between(
    *,
    user: User,
    start: datetime.datetime,
    end: datetime.datetime,
    clinicians: Iterable[User] | None = None,
) -> QuerySet[Appointment]:
    """Appointments starting in [start, end), in time order, with their client
    selected (one query however many; the clinician is not: the pages group by
    `clinician_id` and already hold the people). Without `clinicians`,
    the ones `user` sees people at; with them, those people's, limited to
    `user` themself and their team (deactivated supervisees included,
    clients.access.in_team) and to the clients `user` may see. Cancelled and
    moved ones are included (a week view shows them struck through); filter
    on `outcome` to leave them out."""
    qs = Appointment.objects.visible_to(user).filter(
        starts_at__gte=start, starts_at__lt=end
    )
    if clinicians is None:
        qs = qs.filter(clinician=user)
    else:
        allowed = Q(clinician=user) | in_team(user, inactive=True, via="clinician__")
        qs = qs.filter(allowed, clinician__in=[c.pk for c in clinicians])
    return qs.select_related("client").order_by("starts_at", "id")


def conflicts(
    *,
    clinician: User,
    start: datetime.datetime,
    end: datetime.datetime,
    exclude: Appointment | Sequence[Any] | None = None,
) -> QuerySet[Appointment]:
    """`clinician`'s appointments that overlap [start, end) and still take up
    the time (not cancelled or moved), with their client, in time order.
    `exclude` is an appointment (or ids) to leave out: the one being moved.
    Not scoped to a viewer: the caller is the clinician themself (booking or
    moving), and the rows are their own diary."""
    qs = (
        Appointment.objects.filter(
            clinician=clinician,
            starts_at__lt=end,
            starts_at__gt=start - LONGEST,
        )
        .exclude(outcome__in=NOT_TAKING_TIME)
        .alias(ends_at=_ends_at())
        .filter(ends_at__gt=start)
    )
    if isinstance(exclude, Appointment):
        qs = qs.exclude(pk=exclude.pk)
    elif exclude:
        qs = qs.exclude(pk__in=list(exclude))
    return qs.select_related("client").order_by("starts_at", "id")


def conflicts_for(
    *,
    clinician: User,
    spans: Sequence[tuple[datetime.datetime, datetime.datetime]],
    exclude: Sequence[Any] = (),
) -> list[Appointment]:
    """Every appointment of `clinician`'s overlapping any of `spans` (a
    series being booked or moved), in one query over their whole range."""
    if not spans:
        return []
    first = min(s for s, _ in spans)
    last = max(e for _, e in spans)
    candidates = conflicts(
        clinician=clinician, start=first, end=last, exclude=list(exclude)
    )
    return [
        a
        for a in candidates
        if any(a.starts_at < e and a.ends_at > s for s, e in spans)
    ]


# The record page's next appointments, compiled once
# (clients.access.client_rows): building the ORM's query cost ten times what
# it takes to run (issue #25). The moment is a stand-in too.
_UPCOMING = sql.CompiledOnce()
_STAND_IN_NOW = datetime.datetime(1901, 6, 1, tzinfo=datetime.UTC)
_UPCOMING_COLUMNS = (
    "id",
    "starts_at",
    "duration_minutes",
    "modality",
    "place",
    "series_id",
)


def _upcoming(user: User, client_id: uuid.UUID) -> QuerySet[Any]:
    return (
        Appointment.objects.visible_to(user)
        .filter(client_id=client_id)
        .upcoming(_STAND_IN_NOW)
        .order_by("starts_at", "id")
        .values_list(*_UPCOMING_COLUMNS)[:UPCOMING_ON_RECORD]
    )


def upcoming_shown(*, user: User, client: Client) -> list[Appointment]:
    """The client's next UPCOMING_ON_RECORD appointments still to come (no
    outcome yet), for the record page; `client` already opened by the caller.
    With what the record shows of each (its link, time, length, kind, place
    and whether it repeats): unsaved appointments carrying only those fields.
    One query, compiled once per rule shape."""
    rows = client_rows(
        _UPCOMING,
        "upcoming",
        user,
        client.pk,
        _upcoming,
        {_STAND_IN_NOW: timezone.now()},
    )
    return [
        Appointment(**dict(zip(_UPCOMING_COLUMNS, row, strict=True))) for row in rows
    ]


def appointment_for_note(
    *, user: User, client: Client, pk: object
) -> Appointment | None:
    """The appointment a note is being logged from (`?appointment=`), when it
    is `client`'s, visible to `user`, has no note yet and was not cancelled,
    moved or not made it to; None otherwise (a tampered or stale link simply
    prefills nothing)."""
    try:
        pk = uuid.UUID(str(pk))
    except ValueError:
        return None
    return (
        Appointment.objects.visible_to(user)
        .filter(client=client, pk=pk, session__isnull=True)
        .filter(Q(outcome="") | Q(outcome=Outcome.MET))
        .first()
    )


def series_occurrences(*, user: User, appointment: Appointment) -> list[Appointment]:
    """Every occurrence of `appointment`'s series that `user` may see, in
    time order (at most 104)."""
    if appointment.series_id is None:
        return []
    return list(
        Appointment.objects.visible_to(user)
        .filter(series_id=appointment.series_id)
        .order_by("starts_at", "id")
    )
