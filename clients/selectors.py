"""Reads of client records that filter, annotate or are reused across views."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db.models import DateField, F, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Cast, Coalesce
from django.shortcuts import get_object_or_404
from django.utils import timezone

from clients.models import Client, ClientQuerySet, ClientStatus
from staff.models import User

SORTS = {
    "name": ("chosen_name", "id"),
    # Longest without contact first: who most needs a reach-out comes first.
    "last_contact": ("contact_since", "chosen_name", "id"),
}
STATUS_FILTERS = {
    "open": (ClientStatus.ACTIVE, ClientStatus.PAUSED),
    "active": (ClientStatus.ACTIVE,),
    "paused": (ClientStatus.PAUSED,),
    "closed": (ClientStatus.CLOSED,),
    "all": tuple(ClientStatus.values),
}


def client_get_own(*, user: User, pk: object) -> Client:
    """A client on `user`'s own caseload, for pages that change the record.

    Outside `user`'s visibility: Http404, the same as a missing id. Visible but on
    someone else's caseload (a supervisee's client, read-only for a supervisor):
    PermissionDenied (403).
    """
    client = get_object_or_404(
        Client.objects.visible_to(user).select_related("clinician"), pk=pk
    )
    if client.clinician_id != user.pk:
        raise PermissionDenied("Only the primary clinician can change this record.")
    return client


def reach_out_after_days() -> int:
    return int(settings.REACH_OUT_AFTER_DAYS)


def with_contact(qs: ClientQuerySet) -> QuerySet[Client]:
    """Annotate `last_contact` (date of the latest session, or None) and
    `contact_since` (that date, or the intake date when there has been none yet),
    the date a reach-out is counted from. One index-backed subquery per row
    (session_client_started_idx), no extra queries."""
    from sessions.models import TherapySession

    latest = TherapySession.objects.filter(client=OuterRef("pk")).order_by(
        "-started_at"
    )
    return qs.annotate(
        last_contact=Cast(
            Subquery(latest.values("started_at")[:1]), output_field=DateField()
        ),
        contact_since=Coalesce(F("last_contact"), F("intake_date")),
    )


def client_list(
    *,
    user: User,
    owner: User | None = None,
    status: str = "open",
    search: str = "",
    sort: str = "name",
) -> QuerySet[Client]:
    """The clients on `owner`'s caseload (default: `user`'s own) that `user` may
    see, filtered by status filter name (see STATUS_FILTERS) and a name search over
    chosen name, other names and legal name. Anyone outside `user`'s visibility
    yields nothing, never an error."""
    owner = owner or user
    qs = Client.objects.visible_to(user).filter(clinician=owner)
    qs = qs.filter(status__in=STATUS_FILTERS.get(status, STATUS_FILTERS["open"]))
    search = search.strip()
    if search:
        qs = qs.filter(
            Q(chosen_name__icontains=search)
            | Q(aliases__icontains=search)
            | Q(legal_name__icontains=search)
        )
    return with_contact(qs).order_by(*SORTS.get(sort, SORTS["name"]))


def due_reach_out_cutoff(today: datetime.date | None = None) -> datetime.date:
    today = today or timezone.localdate()
    return today - datetime.timedelta(days=reach_out_after_days())


def client_list_needing_clinician(*, user: User) -> QuerySet[Client]:
    """Open records (active or paused) among those `user` may reassign whose
    primary clinician is deactivated. Loads only the chosen name, the status and
    the clinician's name: the admins who read this list see nothing clinical."""
    return (
        Client.objects.reassignable_by(user)
        .open()
        .filter(clinician__is_active=False)
        .select_related("clinician")
        .only(
            "id",
            "chosen_name",
            "status",
            "clinician__id",
            "clinician__display_name",
            "clinician__first_name",
            "clinician__last_name",
            "clinician__username",
        )
        .order_by("clinician__display_name", "clinician__username", "chosen_name")
    )
