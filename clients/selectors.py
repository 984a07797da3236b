"""Reads of client records that filter, annotate or are reused across views."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import connection
from django.db.models import (
    Count,
    DateField,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
)
from django.db.models.functions import Cast, Coalesce
from django.utils import timezone

from audit import services as audit
from clients.models import Client, ClientQuerySet, ClientStatus
from staff.models import User, person_name

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


def client_get_own(request: Any, pk: object) -> Client:
    """A client on the signed-in person's own caseload, for pages that change the
    record (audit.open_record: 404 outside their visibility, 403 for a
    supervisee's client they can read but not change; a GET is recorded)."""
    user = request.user
    client: Client = audit.open_record(
        request,
        Client.objects.visible_to(user).select_related("clinician"),
        pk=pk,
        owned=lambda c: c.clinician_id == user.pk,
    )
    return client


def reach_out_after_days() -> int:
    return int(settings.REACH_OUT_AFTER_DAYS)


def with_contact(qs: ClientQuerySet) -> QuerySet[Client]:
    """Annotate `last_contact` (date of the latest session, or None) and
    `contact_since` (that date, or the intake date when there has been none yet),
    the date a reach-out is counted from. Read from Client.last_contact_at, which
    PostgreSQL keeps up to date: no subquery, no extra queries."""
    return qs.annotate(
        last_contact=Cast(F("last_contact_at"), output_field=DateField()),
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


def _count(qs: QuerySet[Any], group_by: str = "clinician") -> Coalesce:
    """A correlated COUNT(*) subquery over `qs` (already filtered on an OuterRef),
    0 when there are no rows."""
    counted = qs.order_by().values(group_by).annotate(n=Count("*")).values("n")[:1]
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


def reach_out_due(qs: ClientQuerySet) -> QuerySet[Client]:
    """Active clients in `qs` with no contact since the reach-out cutoff, longest
    without contact first. A prompt to get in touch, never to close."""
    annotated: QuerySet[Any] = with_contact(qs.active())
    return annotated.filter(contact_since__lte=due_reach_out_cutoff()).order_by(
        "contact_since", "chosen_name", "id"
    )


@dataclass(frozen=True, slots=True)
class TeamMember:
    """One supervisee's row on the team dashboard: who, and the six figures."""

    pk: int
    username: str
    name: str
    requires_cosign: bool
    active_clients: int
    reach_out: int
    recent_sessions: int
    old_drafts: int
    waiting: int
    returned: int


# One statement, written out rather than built with the ORM: six annotated
# Subquery(...) counts cost about 3 ms of Python per page to build and compile
# (and 1.5 ms more to load whole User rows), against 1-2 ms of SQL; measured at
# scale. Each figure must count exactly what its list in views.team.team_list
# shows (tests/test_supervision.py compares them):
# - active_clients and reach_out read the clients of each supervisee once; the
#   reach-out condition is reach_out_due's (with_contact's contact_since against
#   due_reach_out_cutoff);
# - recent_sessions names each status that counts (drafts and signed notes, not
#   discarded drafts): with the status list session_clinician_idx
#   (clinician, status, -started_at)
#   seeks each status's last 30 days instead of reading all ~5,000 of the
#   author's notes;
# - waiting and returned are read from session_waiting_idx.
_TEAM_SUMMARY_SQL = """
SELECT u.id, u.username, u.display_name, u.first_name, u.last_name,
       u.requires_cosign, c.active_clients, c.reach_out,
       (SELECT count(*) FROM {notes} s
         WHERE s.clinician_id = u.id AND s.status = ANY(%(statuses)s)
           AND s.started_at >= %(recent_since)s),
       (SELECT count(*) FROM {notes} s
         WHERE s.clinician_id = u.id AND s.status = %(draft)s
           AND s.created_at < %(old_draft_before)s),
       (SELECT count(*) FROM {notes} s
         WHERE s.clinician_id = u.id AND s.review_status = %(waiting)s),
       (SELECT count(*) FROM {notes} s
         WHERE s.clinician_id = u.id AND s.review_status = %(returned)s)
  FROM {users} u
 CROSS JOIN LATERAL (
       SELECT count(*) AS active_clients,
              count(*) FILTER (
                WHERE COALESCE(cl.last_contact_at::date, cl.intake_date)
                      <= %(reach_out_cutoff)s) AS reach_out
         FROM {clients} cl
        WHERE cl.clinician_id = u.id AND cl.status = %(active)s) c
 WHERE u.supervisor_id = %(supervisor)s AND u.is_active
 ORDER BY u.display_name, u.username
"""


def team_summary(*, supervisor: User) -> list[TeamMember]:
    """`supervisor`'s active supervisees, by name, each with the dashboard
    figures. One query, whatever the size of the team or their caseloads. The
    figures count all of each supervisee's clients and notes: they are the
    supervisor's to see (Client.objects.visible_to)."""
    from sessions.models import ReviewStatus, SessionStatus, TherapySession

    now = timezone.now()
    sql = _TEAM_SUMMARY_SQL.format(
        notes=TherapySession._meta.db_table,
        users=User._meta.db_table,
        clients=Client._meta.db_table,
    )
    with connection.cursor() as cursor:
        cursor.execute(
            sql,
            {
                "supervisor": supervisor.pk,
                "active": ClientStatus.ACTIVE,
                "reach_out_cutoff": due_reach_out_cutoff(),
                # A discarded draft counts nowhere.
                "statuses": [SessionStatus.DRAFT, SessionStatus.SIGNED],
                "recent_since": now - datetime.timedelta(days=RECENT_SESSION_DAYS),
                "draft": SessionStatus.DRAFT,
                "old_draft_before": now - datetime.timedelta(days=OLD_DRAFT_DAYS),
                "waiting": ReviewStatus.WAITING,
                "returned": ReviewStatus.RETURNED,
            },
        )
        rows = cursor.fetchall()
    team = []
    for pk, username, display, first, last, requires_cosign, *counts in rows:
        name = person_name(display, first, last, username)
        team.append(TeamMember(pk, username, name, requires_cosign, *counts))
    return team


RECENT_SESSION_DAYS = 30
OLD_DRAFT_DAYS = 3


def team_caseload_summary(*, supervisor: User) -> QuerySet[Client]:
    """Open clients of `supervisor`'s team for the CSV export: minimum necessary
    (no note text), with last contact and the number of active goals."""
    from goals.models import Goal, GoalStatus

    active_goals = Goal.objects.filter(client=OuterRef("pk"), status=GoalStatus.ACTIVE)
    return (
        with_contact(
            Client.objects.visible_to(supervisor)
            .filter(clinician__supervisor=supervisor)
            .open()
        )
        .annotate(active_goals=_count(active_goals, group_by="client"))
        .select_related("clinician")
        .order_by("clinician__display_name", "chosen_name", "id")
    )
