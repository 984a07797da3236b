"""Reads of the audit trail."""

from __future__ import annotations

import datetime
import math
from typing import Any

from django.db.models import (
    Count,
    F,
    Func,
    IntegerField,
    OrderBy,
    QuerySet,
    Value,
)
from django.db.models.fields.json import KeyTransform
from django.db.models.functions import Coalesce, Concat, NullIf, Trim
from django.utils import timezone

from audit.forms import SORT_FIELDS, sort_key
from audit.models import Action, AuditEvent
from clients.models import Client
from hr_clinic.lib.pages import SlicePage, page_number, page_offset, slice_page
from staff.models import User


def _day_start(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def _filtered(filters: dict[str, Any]) -> QuerySet[AuditEvent]:
    events = AuditEvent.objects.all()
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
    return events


def _shown_name(prefix: str = "") -> Coalesce:
    """A staff member's name as shown (staff.models.person_name), for ordering;
    `prefix` reaches it through a relation ("actor__")."""
    return Coalesce(
        NullIf(f"{prefix}display_name", Value("")),
        NullIf(
            Trim(Concat(f"{prefix}first_name", Value(" "), f"{prefix}last_name")),
            Value(""),
        ),
        f"{prefix}username",
    )


def _order(column: str, descending: bool) -> list[OrderBy]:
    """The order of a sorted report: the column, then seq, the whole order
    reversed when descending, so that one index on (column, seq DESC) serves
    both ways (migration 0010) and the tiebreak is stable. By staff: the
    name as shown, then the staff id (two people may share a name)."""
    if column == "time":
        return [F("seq").desc() if descending else F("seq").asc()]
    keys: list[Any] = (
        [_shown_name("actor__"), F("actor")]
        if column == "staff"
        else [F(SORT_FIELDS[column])]
    )
    if descending:
        return [*(key.desc() for key in keys), F("seq").asc()]
    return [*(key.asc() for key in keys), F("seq").desc()]


def event_list(*, filters: dict[str, Any]) -> QuerySet[AuditEvent]:
    """Events matching the report's cleaned filters, in its order (every event:
    admins only). By staff this sorts every matching event: fine for the CSV,
    while the report's pages use staff_sorted_page."""
    column, descending = sort_key(filters.get("sort"))
    return (
        _filtered(filters).select_related("actor").order_by(*_order(column, descending))
    )


# How many client ids an event's detail names (audit.services.shown_clients).
CLIENTS_HELD = Func(
    KeyTransform("clients", "detail"),
    function="jsonb_array_length",
    output_field=IntegerField(),
)

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
    instances were about 1 ms of a page of 50, measured at scale. `clients_held`:
    how many client ids a list, search or export named (None for other
    events), counted by the database rather than loading the ids."""
    return (
        event_list(filters=filters)
        .annotate(clients_held=CLIENTS_HELD)
        .values_list(*REPORT_COLUMNS, "clients_held", named=True)
    )


def report_page(*, filters: dict[str, Any], page: str | None, size: int) -> SlicePage:
    """Page `page` of the report's rows (event_rows), in its order, without
    sorting the whole trail: every order but staff walks an index on its
    column (migration 0010); staff, see staff_sorted_page."""
    column, descending = sort_key(filters.get("sort"))
    if column == "staff":
        return staff_sorted_page(
            filters=filters, descending=descending, page=page, size=size
        )
    return slice_page(event_rows(filters=filters), page, size)


def staff_sorted_page(
    *, filters: dict[str, Any], descending: bool, page: str | None, size: int
) -> SlicePage:
    """The report sorted by staff member: by the name as shown, then staff id,
    then newest first (the exact reverse when `descending`); events of nobody
    signed in come after everyone (before, descending).

    A name is no column of the trail, and an index cannot hold another
    table's values (nor should the trail hold names). So the staff are put
    in name order (a few hundred rows), the matching events counted per
    staff member (one GROUP BY over the actor index), and the page read from
    the one or two people it falls on, each through the (actor, -seq) index:
    about 4 queries, whatever the page, instead of sorting every event."""
    number = page_number(page)
    order = list(
        User.objects.order_by(_shown_name(), "pk").values_list("pk", flat=True)
    )
    groups: list[int | None] = [*order, None]
    if descending:
        groups.reverse()
    counts: dict[int | None, int] = dict(
        _filtered(filters)
        .order_by()
        .values_list("actor")
        .annotate(n=Count("*"))
        .values_list("actor", "n")
    )
    total = sum(counts.values())
    last_page = max(1, math.ceil(total / size))
    number = min(number, last_page)
    start = page_offset(number, size)
    wanted = size + 1  # one more tells whether there is a next page
    rows: list[Any] = []
    for actor in groups:
        held = counts.get(actor, 0)
        if start >= held:
            start -= held
            continue
        events = event_rows(filters={**filters, "sort": "-time"})
        events = events.filter(actor=actor) if actor else events.filter(actor=None)
        if descending:
            events = events.order_by("seq")
        rows += list(events[start : start + wanted - len(rows)])
        start = 0
        if len(rows) >= wanted:
            break
    return SlicePage(rows[:size], number, len(rows) > size)


def event_get(*, seq: int) -> AuditEvent:
    """One event with its staff member (admins only); AuditEvent.DoesNotExist
    when there is none with that seq."""
    return AuditEvent.objects.select_related("actor").get(seq=seq)


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
