"""Reads for the client's own copy of their record (issue #20). Each starts
from what the person may see (`visible_to`)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Prefetch, QuerySet

from clients.access import visibility
from clients.models import Client, StatusChange
from consents.models import Consent
from consents.selectors import AccountingEntry, consent_list, disclosure_accounting
from goals.models import Goal, GoalRating
from records.models import CopyRequest, RecordExport
from sessions.models import Addendum, Review, TherapySession
from staff.models import User


@dataclass(frozen=True)
class RecordCopy:
    """Everything the client's copy holds, read in a fixed number of
    queries whatever the size of the record. Never SUD counseling notes
    (§164.524(a)(1)(i) and their Part 2 counterpart), never drafts."""

    client: Client
    goals: list[Goal]
    notes: list[TherapySession]
    history: list[StatusChange]
    consents: list[Consent]
    accounting: list[AccountingEntry]
    date_from: dt.date | None
    date_to: dt.date | None


def record_copy(
    *,
    client: Client,
    user: User,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
) -> RecordCopy:
    """The record of `client` (already opened by the caller, clinician
    attached) as the copy shows it: goals with every rating, signed notes with
    their addenda and reviews (within `date_from`..`date_to` when given),
    closures and reopenings, consents and the accounting of disclosures."""
    notes = (
        TherapySession.objects.visible_to(user)
        .filter(client=client)
        .signed()
        .select_related("clinician")
        .prefetch_related(
            Prefetch(
                "addenda",
                queryset=Addendum.objects.select_related("author").order_by(
                    "created_at"
                ),
            ),
            Prefetch(
                "reviews",
                queryset=Review.objects.select_related("reviewer").order_by(
                    "created_at"
                ),
            ),
        )
        .order_by("started_at")
    )
    if date_from is not None:
        notes = notes.filter(started_at__date__gte=date_from)
    if date_to is not None:
        notes = notes.filter(started_at__date__lte=date_to)
    goals = (
        Goal.objects.visible_to(user)
        .filter(client=client)
        .order_by("set_on", "created_at")
        .prefetch_related(
            Prefetch("ratings", queryset=GoalRating.objects.order_by("rated_on", "pk"))
        )
    )
    return RecordCopy(
        client=client,
        goals=list(goals),
        notes=list(notes),
        history=list(
            StatusChange.objects.filter(client=client)
            .select_related("changed_by")
            .order_by("changed_at")
        ),
        consents=consent_list(client=client, user=user),
        accounting=disclosure_accounting(client=client, user=user),
        date_from=date_from,
        date_to=date_to,
    )


def copy_requests(*, client: Client, user: User) -> QuerySet[CopyRequest]:
    """`client`'s requests for a copy, open ones first by due date."""
    return (
        CopyRequest.objects.visible_to(user)
        .filter(client=client)
        .select_related("recorded_by", "fulfilment", "fulfilment__fulfilled_by")
        .order_by("fulfilment", "due_on", "created_at")
    )


def exports(*, client: Client, user: User) -> QuerySet[RecordExport]:
    """The exports made of `client`'s record, newest first (without their
    files)."""
    return (
        RecordExport.objects.visible_to(user)
        .filter(client=client)
        .defer("content")
        .select_related("requested_by")
    )


def copy_requests_due(*, user: User) -> QuerySet[CopyRequest]:
    """Open copy requests on `user`'s caseload (for a supervisor: their own
    and their team's, as visibility has it), the soonest due first."""
    # Not through an emergency-access grant: a due list is the care team's.
    rule = visibility(user, via="client__", emergency=None)
    if rule is None:
        return CopyRequest.objects.none()
    return (
        CopyRequest.objects.filter(rule)
        .open()
        .select_related("client", "client__clinician")
        .order_by("due_on", "created_at")
    )


def export_get(*, user: User, pk: Any) -> QuerySet[RecordExport]:
    """The export `pk` if `user` is on its client's care team: not through
    an emergency-access grant, which is time-limited reading, while a copy
    that leaves the service would outlast it (as for the FHIR copy)."""
    rule = visibility(user, via="client__", emergency=None)
    if rule is None:
        return RecordExport.objects.none()
    return RecordExport.objects.filter(rule, pk=pk).defer("content")
