"""Writes of the program figures: the daily reach-out count. (The summary of
signed notes is written by PostgreSQL alone: reports.models.SessionMonth.)"""

from __future__ import annotations

import datetime

from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone

from audit import services as audit
from audit.models import Action
from clients.models import Client
from clients.selectors import due_reach_out_cutoff, reach_out_due
from reports.models import ReachOutCount
from staff.models import Role, User


@transaction.atomic
def reach_out_counts_record(*, today: datetime.date | None = None) -> int:
    """Record how many of each caseload-carrying staff member's clients are
    due a reach-out `today` (default: the local date), by the list's own
    rule (clients.selectors.reach_out_due), zero included; recorded again the
    same day, the new count replaces the old. Two queries and one upsert,
    whatever the service's size; an audit event with the day and how many
    counts (no client). Returns how many staff members were counted. A
    system job: it counts every client, which no person's view does."""
    today = today or timezone.localdate()
    due = dict(
        reach_out_due(
            Client.objects.all(), cutoff=due_reach_out_cutoff(today), today=today
        )
        .order_by()
        .values_list("clinician")
        .annotate(n=Count("pk"))
    )
    staff = User.objects.filter(
        Q(role__in=[Role.CLINICIAN, Role.SUPERVISOR])
        & (Q(is_active=True) | Q(pk__in=due))
    ).values_list("pk", flat=True)
    rows = [
        ReachOutCount(day=today, clinician_id=pk, due=due.get(pk, 0)) for pk in staff
    ]
    ReachOutCount.objects.bulk_create(
        rows,
        update_conflicts=True,
        unique_fields=["day", "clinician"],
        update_fields=["due"],
    )
    audit.record(
        actor=None,
        action=Action.CREATE,
        object_type="reach_out_count",
        object_id=today.isoformat(),
        result_count=len(rows),
    )
    return len(rows)
