"""Reads of client records that filter, annotate or are reused across views."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.conf import settings
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

from clients.access import in_team, team
from clients.models import Client, ClientQuerySet, ClientStatus
from hr_clinic.lib import sql
from staff.models import Role, User, person_name

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


def reach_out_due(
    qs: ClientQuerySet, cutoff: datetime.date | None = None
) -> QuerySet[Client]:
    """Active clients in `qs` with no contact since the reach-out cutoff (by
    default due_reach_out_cutoff()), longest without contact first. A prompt to
    get in touch, never to close."""
    annotated: QuerySet[Any] = with_contact(qs.active())
    return annotated.filter(
        contact_since__lte=cutoff or due_reach_out_cutoff()
    ).order_by("contact_since", "chosen_name", "id")


RECENT_SESSION_DAYS = 30
OLD_DRAFT_DAYS = 3
# The dashboard's figures, by the keyword of the list each links to
# (views.team.TEAM_LISTS), with the TeamMember field that holds it.
TEAM_FIGURES = {
    "clients": "active_clients",
    "reach-out": "reach_out",
    "sessions": "recent_sessions",
    "drafts": "old_drafts",
    "waiting": "waiting",
    "returned": "returned",
}


@dataclass(frozen=True, slots=True)
class TeamMember:
    """One supervisee's row on the team dashboard: who, and the six figures."""

    pk: int
    username: str
    name: str
    requires_cosign: bool
    is_active: bool
    active_clients: int
    reach_out: int
    recent_sessions: int
    old_drafts: int
    waiting: int
    returned: int


@dataclass(frozen=True, slots=True)
class FigureTimes:
    """The moments the dashboard's figures are counted from."""

    recent_since: datetime.datetime
    old_draft_before: datetime.datetime
    reach_out_cutoff: datetime.date

    @classmethod
    def now(cls) -> FigureTimes:
        now = timezone.now()
        return cls(
            recent_since=now - datetime.timedelta(days=RECENT_SESSION_DAYS),
            old_draft_before=now - datetime.timedelta(days=OLD_DRAFT_DAYS),
            reach_out_cutoff=due_reach_out_cutoff(),
        )


def team_items(
    *, supervisor: User, kind: str, times: FigureTimes | None = None
) -> QuerySet[Any]:
    """The rows behind one dashboard figure (a TEAM_FIGURES key), for all of
    `supervisor`'s supervisees, counted from `times` (default: now); each row's
    `clinician` is the supervisee it belongs to (a client's primary clinician,
    a note's author). Scoped by Client.objects.visible_to and
    TherapySession.objects.visible_to, so a departed or moved clinician's
    unfinished notes are there and another team's never are. Raises KeyError
    for an unknown kind.

    The list behind a figure is this, filtered to one supervisee; the figure is
    its count per supervisee (team_summary). One definition for both: a figure
    always equals the length of the list it links to.
    """
    from sessions.models import ReviewStatus, SessionStatus, TherapySession

    if kind not in TEAM_FIGURES:
        raise KeyError(kind)
    times = times or FigureTimes.now()
    if kind in ("clients", "reach-out"):
        clients = Client.objects.visible_to(supervisor).filter(
            in_team(supervisor, inactive=True, via="clinician__")
        )
        if kind == "reach-out":
            return reach_out_due(clients, times.reach_out_cutoff)
        return with_contact(clients.active())
    notes = TherapySession.objects.visible_to(supervisor).filter(
        in_team(supervisor, inactive=True, via="clinician__")
    )
    if kind == "sessions":
        # A handed-over draft lives on as its new clinician's: counted once. A
        # discarded draft counts nowhere.
        return notes.filter(
            started_at__gte=times.recent_since, handed_over_at__isnull=True
        ).exclude(status=SessionStatus.DISCARDED)
    if kind == "drafts":
        # Someone who has left finishes nothing: every draft of theirs is for
        # the supervisor to hand on, however new.
        return notes.drafts().filter(
            Q(created_at__lt=times.old_draft_before) | Q(clinician__is_active=False)
        )
    status = ReviewStatus.WAITING if kind == "waiting" else ReviewStatus.RETURNED
    return notes.filter(review_status=status)


# The figures that keep a deactivated supervisee on the dashboard: what someone
# must still do about them. (Their recent sessions and reach-outs alone do not.)
_STILL_COUNTED = ("active_clients", "old_drafts", "waiting", "returned")
_TEAM_COLUMNS = (
    "pk",
    "username",
    "display_name",
    "first_name",
    "last_name",
    "requires_cosign",
    "is_active",
    *TEAM_FIGURES.values(),
)
# Stand-ins for compiling the dashboard's query once (hr_clinic.lib.sql): an id
# no account has, and moments in 1901; each occurs nowhere else in the query.
_STAND_IN_SUPERVISOR = User(pk=-1, role=Role.SUPERVISOR, is_active=True)
_STAND_IN_TIMES = FigureTimes(
    recent_since=datetime.datetime(1901, 1, 1, tzinfo=datetime.UTC),
    old_draft_before=datetime.datetime(1901, 1, 2, tzinfo=datetime.UTC),
    reach_out_cutoff=datetime.date(1901, 1, 3),
)
_team_query = sql.CompiledOnce()


def _team_rows(supervisor: User, times: FigureTimes) -> QuerySet[Any]:
    """Each supervisee with the count of every figure's team_items for them."""
    figures = {
        field: _count(
            team_items(supervisor=supervisor, kind=kind, times=times).filter(
                clinician=OuterRef("pk")
            )
        )
        for kind, field in TEAM_FIGURES.items()
    }
    return (
        team(supervisor, inactive=True)
        .annotate(**figures)
        .order_by("-is_active", "display_name", "username")
        .values_list(*_TEAM_COLUMNS)
    )


def team_summary(*, supervisor: User) -> list[TeamMember]:
    """`supervisor`'s supervisees, by name, each with the dashboard figures: the
    count of each figure's team_items for them, in one query whatever the size
    of the team. Active supervisees always; a deactivated one while anything of
    theirs is still counted (clients to move, drafts to hand on, notes to
    co-sign).

    The query is the ORM's own SQL for those querysets, compiled once per
    process: building and compiling the six with their visibility rules on
    every request measured 24.9 ms against 13.3 ms compiled once (issue #17,
    in process on the scaled bench database): 11.6 ms of a 20 ms page."""
    times = FigureTimes.now()
    stand_in = _STAND_IN_TIMES
    rows = _team_query.rows(
        "team_summary",
        lambda: _team_rows(_STAND_IN_SUPERVISOR, stand_in),
        {
            _STAND_IN_SUPERVISOR.pk: supervisor.pk,
            stand_in.recent_since: times.recent_since,
            stand_in.old_draft_before: times.old_draft_before,
            stand_in.reach_out_cutoff: times.reach_out_cutoff,
        },
    )
    team = []
    for pk, username, display, first, last, requires_cosign, active, *counts in rows:
        name = person_name(display, first, last, username)
        member = TeamMember(pk, username, name, requires_cosign, active, *counts)
        if active or any(getattr(member, field) for field in _STILL_COUNTED):
            team.append(member)
    return team


def team_caseload_summary(*, supervisor: User) -> QuerySet[Client]:
    """Open clients of `supervisor`'s team for the CSV export: minimum necessary
    (no note text), with last contact and the number of active goals."""
    from goals.models import Goal, GoalStatus

    active_goals = Goal.objects.filter(client=OuterRef("pk"), status=GoalStatus.ACTIVE)
    return (
        with_contact(
            Client.objects.visible_to(supervisor)
            .filter(in_team(supervisor, inactive=True, via="clinician__"))
            .open()
        )
        .annotate(active_goals=_count(active_goals, group_by="client"))
        .select_related("clinician")
        .order_by("clinician__display_name", "chosen_name", "id")
    )
