"""Reads of the audit trail."""

from __future__ import annotations

import datetime
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from audit.forms import SORTS
from audit.models import Action, AuditEvent
from clients.models import Client
from staff.models import User


def _day_start(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def event_list(*, filters: dict[str, Any]) -> QuerySet[AuditEvent]:
    """Events matching the report's cleaned filters (every event: admins only)."""
    events = AuditEvent.objects.select_related("actor")
    if filters.get("actor"):
        events = events.filter(actor=filters["actor"])
    if filters.get("client_id"):
        events = events.filter(client_id=filters["client_id"])
    if filters.get("action"):
        events = events.filter(action=filters["action"])
    if filters.get("date_from"):
        events = events.filter(occurred_at__gte=_day_start(filters["date_from"]))
    if filters.get("date_to"):
        end = filters["date_to"] + datetime.timedelta(days=1)
        events = events.filter(occurred_at__lt=_day_start(end))
    return events.order_by(*SORTS.get(filters.get("sort") or "newest", SORTS["newest"]))


# The staff member's columns that User.name is made of (audit_tags.staff_name).
ACTOR_NAME_COLUMNS = (
    "actor__display_name",
    "actor__first_name",
    "actor__last_name",
    "actor__username",
)
# What the report's table shows of an event.
REPORT_COLUMNS = (
    "seq",
    "occurred_at",
    "actor_id",
    "actor_role",
    "action",
    "object_type",
    "object_id",
    "client_id",
    "outcome",
    "result_count",
    "source_ip",
    "request_id",
    *ACTOR_NAME_COLUMNS,
)
# What a client's access history shows of an event.
HISTORY_COLUMNS = (
    "occurred_at",
    "actor_id",
    "action",
    "object_type",
    "outcome",
    *ACTOR_NAME_COLUMNS,
)


def event_rows(*, filters: dict[str, Any]) -> QuerySet[Any]:
    """event_list() as named rows of REPORT_COLUMNS, for the report page (admins
    only). A tuple per event rather than an AuditEvent and a User instance: the
    instances were about 1 ms of a page of 50, measured at scale."""
    return event_list(filters=filters).values_list(*REPORT_COLUMNS, named=True)


def client_access_history(*, client: Client) -> QuerySet[Any]:
    """Who opened or changed `client`'s record, newest first (the caller has
    scoped `client` to a supervisor's team), as named rows of HISTORY_COLUMNS
    (like event_rows: no model instances per row)."""
    return (
        AuditEvent.objects.filter(client_id=client.pk)
        .exclude(action__in=[Action.LIST, Action.SEARCH])
        .order_by("-occurred_at", "-seq")
        .values_list(*HISTORY_COLUMNS, named=True)
    )


def emergency_grant_events(*, grant_ids: list[Any]) -> dict[Any, list[Any]]:
    """The events recorded under each emergency-access grant (the pages its
    grantee opened, not the grant's own creation), oldest first, as named
    rows of HISTORY_COLUMNS, by grant id (audit_emergency_grant_idx)."""
    rows = (
        AuditEvent.objects.filter(emergency_grant_id__in=grant_ids)
        .exclude(object_type="emergency_grant")
        .order_by("seq")
        .values_list(*HISTORY_COLUMNS, "emergency_grant_id", named=True)
    )
    events: dict[Any, list[Any]] = {pk: [] for pk in grant_ids}
    for row in rows:
        events[row.emergency_grant_id].append(row)
    return events


def staff_choices() -> list[tuple[int, str]]:
    """(id, "name (username)") of every staff member, for the report's filter:
    one light query, no model instances."""
    rows = User.objects.order_by("display_name", "username").values_list(
        "pk", "display_name", "username"
    )
    return [(pk, f"{name or username} ({username})") for pk, name, username in rows]
