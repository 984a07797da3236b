"""Reads of client records that filter, annotate or are reused across views."""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db.models import (
    Count,
    DateField,
    Exists,
    F,
    Func,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import (
    Cast,
    Coalesce,
    JSONObject,
    Now,
    Right,
    TruncDate,
)
from django.utils import timezone

from clients.access import (
    STAND_IN_CLIENT,
    STAND_IN_ID,
    client_rows,
    grant_reviewer,
    in_team,
    rule_shape,
    stand_in,
    team,
)
from clients.models import (
    Client,
    ClientQuerySet,
    ClientStatus,
    ContactAttempt,
    EmergencyGrant,
    Wants,
)
from hr_clinic.lib import sql
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


def no_recent_contact(cutoff: datetime.date) -> Q:
    """Active records with no contact since `cutoff` (on a queryset from
    with_contact)."""
    return Q(status=ClientStatus.ACTIVE, contact_since__lte=cutoff)


def paused_review_due(today: datetime.date) -> Q:
    """Paused records whose review date has come (it is `today` or earlier):
    the day the clinician chose to look again. A paused record without one is
    never due: pausing is the person's or the clinician's choice to step back."""
    return Q(status=ClientStatus.PAUSED, review_on__lte=today)


def reach_out_due(
    qs: ClientQuerySet,
    cutoff: datetime.date | None = None,
    today: datetime.date | None = None,
) -> QuerySet[Client]:
    """Clients in `qs` due a reach-out, longest without contact first: active
    ones with no contact since the reach-out cutoff (by default
    due_reach_out_cutoff()), and paused ones whose review date is `today`
    (default: the local date) or past. A prompt to get in touch, never to
    close. One query, whatever the number of clients."""
    today = today or timezone.localdate()
    cutoff = cutoff or due_reach_out_cutoff(today)
    annotated: QuerySet[Any] = with_contact(qs)
    return annotated.filter(
        no_recent_contact(cutoff)
        | paused_review_due(today)
        | _didnt_make_it_since_contact()
    ).order_by("contact_since", "chosen_name", "id")


# Which attempt to reach a person is their latest: by when it was tried.
LATEST_ATTEMPT_FIRST = ("-tried_at", "-id")


def latest_attempts(clients: Iterable[Client]) -> dict[uuid.UUID, ContactAttempt]:
    """Each of `clients`' latest attempt to reach them (by when it was tried),
    by client id, in one query (DISTINCT ON the client, from the index
    contact_attempt_client_idx); clients never tried are absent. `clients` are
    already scoped; nothing is read for an empty list."""
    ids = [client.pk for client in clients]
    if not ids:
        return {}
    latest = (
        ContactAttempt.objects.filter(client_id__in=ids)
        .order_by("client_id", *LATEST_ATTEMPT_FIRST)
        .distinct("client_id")
    )
    return {attempt.client_id: attempt for attempt in latest}


def with_latest_attempt(qs: QuerySet[Any]) -> QuerySet[Any]:
    """Annotate each client's latest attempt as `latest_attempt`, a dict of
    the day it was tried in the service's time zone, `tried_on` (ISO text),
    and its `outcome`, or None if never tried, in the
    clients' own query: for a short list that shows only those two (Today),
    where latest_attempts' own query would be one more. One subquery for
    both (two cost twice the building and compiling, a tenth of Today)."""
    latest = ContactAttempt.objects.filter(client=OuterRef("pk")).order_by(
        *LATEST_ATTEMPT_FIRST
    )
    return qs.annotate(
        latest_attempt=Subquery(
            latest.values(
                json=JSONObject(
                    tried_on=TruncDate(
                        "tried_at", tzinfo=timezone.get_current_timezone()
                    ),
                    outcome="outcome",
                )
            )[:1]
        )
    )


# How many attempts the record's timeline shows at most.
TIMELINE_ATTEMPTS = 10


_TIMELINE = sql.CompiledOnce()
# The stand-in for the moment the timeline's attempts start from.
_STAND_IN_SINCE = datetime.datetime(sql.STAND_IN_YEAR, 1, 1, tzinfo=datetime.UTC)


def record_timeline(
    *, client: Client, sessions: list[Any], complete: bool
) -> list[Any]:
    """The record page's timeline: `sessions` (the newest few of `client`'s
    notes, newest first) with the attempts to reach the person over the same
    stretch, newest first, in one query (compiled once). When `complete` is
    False there are older notes than those shown, so only attempts since the
    oldest shown are included; otherwise the latest TIMELINE_ATTEMPTS. An
    attempt is told apart by its `timeline_kind`; it is never a session.
    `client` is already scoped; the attempts' `by` is for the caller to attach
    (people_attach)."""
    since = sessions[-1].started_at if not complete and sessions else None

    def build() -> QuerySet[ContactAttempt]:
        attempts = ContactAttempt.objects.filter(client_id=STAND_IN_CLIENT)
        if since is not None:
            attempts = attempts.filter(tried_at__gte=_STAND_IN_SINCE)
        return attempts.order_by("-tried_at", "-id")[:TIMELINE_ATTEMPTS]

    values: dict[Any, Any] = {STAND_IN_CLIENT: client.pk}
    if since is not None:
        values[_STAND_IN_SINCE] = since
    attempts = _TIMELINE.objects(("attempts", since is None), build, values)
    return sorted(
        [*sessions, *attempts],
        key=lambda entry: getattr(entry, "tried_at", None) or entry.started_at,
        reverse=True,
    )


def contact_attempt_list(*, client: Client) -> QuerySet[ContactAttempt]:
    """`client`'s attempts (already scoped), newest first, with who tried."""
    return (
        ContactAttempt.objects.filter(client=client)
        .select_related("by")
        .order_by("-tried_at", "-id")
    )


# Before any contact at all, every appointment is after "the last contact".
_BEFORE_ANY_CONTACT = datetime.datetime(1900, 1, 1, tzinfo=datetime.UTC)


def _didnt_make_it_since_contact() -> Q:
    """Due at once (issue #21): an appointment the person didn't make it to
    since their last contact. A prompt to reach out, never counted against
    them: one is enough, none is remembered once they are in touch again."""
    from appointments.models import Appointment, Outcome

    since = Coalesce(OuterRef("last_contact_at"), Value(_BEFORE_ANY_CONTACT))
    missed = Appointment.objects.filter(
        client=OuterRef("pk"), outcome=Outcome.DIDNT_MAKE_IT, starts_at__gt=since
    )
    return Q(status=ClientStatus.ACTIVE) & Q(Exists(missed))


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
    # Paused records whose review date is this day or earlier are due.
    today: datetime.date

    @classmethod
    def now(cls) -> FigureTimes:
        now = timezone.now()
        today = timezone.localdate()
        return cls(
            recent_since=now - datetime.timedelta(days=RECENT_SESSION_DAYS),
            old_draft_before=now - datetime.timedelta(days=OLD_DRAFT_DAYS),
            reach_out_cutoff=due_reach_out_cutoff(today),
            today=today,
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
            return reach_out_due(clients, times.reach_out_cutoff, times.today)
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
# Stand-ins for compiling the dashboard's query once (hr_clinic.lib.sql): a
# supervisor of the same rule's shape with an id no account has
# (clients.access.stand_in), and moments in 1901; each occurs nowhere else in
# the query.
_STAND_IN_TIMES = FigureTimes(
    recent_since=datetime.datetime(1901, 1, 1, tzinfo=datetime.UTC),
    old_draft_before=datetime.datetime(1901, 1, 2, tzinfo=datetime.UTC),
    reach_out_cutoff=datetime.date(1901, 1, 3),
    today=datetime.date(1901, 1, 4),
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
    in process on the scaled bench database): 11.6 ms of a 20 ms page. Once
    for each shape of the visibility rule (clients.access.rule_shape)."""
    times = FigureTimes.now()
    stand_in_times = _STAND_IN_TIMES
    shape = rule_shape(supervisor)
    rows = _team_query.rows(
        ("team_summary", *shape),
        lambda: _team_rows(stand_in(shape), stand_in_times),
        {
            STAND_IN_ID: supervisor.pk,
            stand_in_times.recent_since: times.recent_since,
            stand_in_times.old_draft_before: times.old_draft_before,
            stand_in_times.reach_out_cutoff: times.reach_out_cutoff,
            stand_in_times.today: times.today,
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


# Emergency access (docs/design.md, "Emergency access").

# How long a grant stays on its clinician's caseload page.
EMERGENCY_NOTICE_DAYS = 14
# Misses a person may have at the emergency lookup in an hour: a guard against
# guessing names and birth dates, not against a colleague in a hurry.
EMERGENCY_LOOKUP_MISSES = 5


def _digits_tail(field: str, n: int) -> Func:
    """The last `n` digits of `field`, whatever else it holds (spaces,
    dashes, a country code)."""
    digits = Func(
        F(field), Value(r"\D"), Value(""), Value("g"), function="regexp_replace"
    )
    return Right(digits, n)


def emergency_lookup(
    *,
    record_id: uuid.UUID | None,
    chosen_name: str,
    date_of_birth: datetime.date | None,
    legal_name: str,
    phone_last4: str,
) -> list[Client]:
    """The records (at most two: enough to tell one from several) whose id is
    `record_id`, or whose chosen name is exactly `chosen_name` (ignoring case),
    and which match every other identifier given (date of birth, legal name
    ignoring case, last four digits of the phone). Never a partial match and
    never scoped to a caseload: the emergency lookup is service-wide by
    design, and its caller shows nothing unless exactly one record matches.
    Loads the id, chosen name and primary clinician only."""
    qs = Client.objects.all()
    if record_id is not None:
        qs = qs.filter(pk=record_id)
    else:
        qs = qs.filter(chosen_name__iexact=chosen_name.strip())
    if date_of_birth is not None:
        qs = qs.filter(date_of_birth=date_of_birth)
    if legal_name.strip():
        qs = qs.filter(legal_name__iexact=" ".join(legal_name.split()))
    if phone_last4:
        qs = qs.annotate(phone_tail=_digits_tail("phone", 4)).filter(
            phone_tail=phone_last4
        )
    return list(qs.only("id", "chosen_name", "clinician_id").order_by("pk")[:2])


def emergency_found(pk: str | None) -> Client | None:
    """The record a person found at the emergency lookup, by the id kept in
    their server-side session (never an id from the request), with its
    primary clinician; None when there is none."""
    if not pk:
        return None
    return Client.objects.select_related("clinician").filter(pk=pk).first()


def emergency_lookup_misses(*, user: User) -> int:
    """`user`'s lookups that matched nothing in the last hour (the audit
    trail's denied emergency searches, by the database clock)."""
    from audit.models import Action, AuditEvent, Outcome

    return AuditEvent.objects.filter(
        actor=user,
        action=Action.SEARCH,
        object_type="emergency_access",
        outcome=Outcome.DENIED,
        occurred_at__gt=Now() - datetime.timedelta(hours=1),
    ).count()


def _grant_rows(qs: QuerySet[EmergencyGrant]) -> QuerySet[EmergencyGrant]:
    return qs.select_related(
        "client", "grantee", "client_clinician", "review", "review__reviewer"
    ).order_by("-created_at", "pk")


def emergency_grants_told(*, user: User) -> QuerySet[EmergencyGrant]:
    """Grants on clients `user` held when they were opened (the primary
    clinician is told), newest first."""
    return _grant_rows(EmergencyGrant.objects.filter(client_clinician=user))


def emergency_grants_to_review(*, user: User) -> QuerySet[EmergencyGrant]:
    """Grants `user` reviews (clients.access.grant_reviewer), unreviewed
    first, then newest first."""
    return _grant_rows(EmergencyGrant.objects.filter(grant_reviewer(user))).order_by(
        F("review").asc(nulls_first=True), "-created_at", "pk"
    )


def emergency_grants_held(*, user: User) -> QuerySet[EmergencyGrant]:
    """`user`'s own unexpired grants (to find the record again)."""
    return _grant_rows(EmergencyGrant.objects.active().filter(grantee=user))


def emergency_notice_count(*, user: User) -> int:
    """The caseload page's badge: grants on `user`'s clients in the last
    EMERGENCY_NOTICE_DAYS days (by the database clock)."""
    return EmergencyGrant.objects.filter(
        client_clinician=user,
        created_at__gt=Now() - datetime.timedelta(days=EMERGENCY_NOTICE_DAYS),
    ).count()


_review_count = sql.CompiledOnce()


def emergency_review_count(*, user: User) -> int:
    """The team dashboard's badge: grants waiting for `user`'s review. A
    grant stays in it until reviewed, however long ago it ended.

    Compiled once per process for each shape of the rule (building the count
    took 2,600 Python calls, a tenth of the dashboard's)."""
    if not user.is_supervisor:
        return 0  # grant_reviewer: nobody's grants
    shape = rule_shape(user)
    rows = _review_count.rows(
        ("emergency_review_count", *shape),
        lambda: sql.aggregated(
            EmergencyGrant.objects.filter(grant_reviewer(stand_in(shape))).unreviewed(),
            n=Count("pk"),
        ),
        {STAND_IN_ID: user.pk},
    )
    return rows[0][0] if rows else 0


def emergency_grants_for_client(*, client: Client) -> QuerySet[EmergencyGrant]:
    """Every grant on `client` (the caller has scoped `client`), newest first."""
    return _grant_rows(EmergencyGrant.objects.filter(client=client))


def emergency_grant_list_admin() -> QuerySet[EmergencyGrant]:
    """Every grant, service-wide, for admins: who, which client id, reason,
    when, expiry and review state. Loads no client name and nothing
    clinical (no explanation, no review comment)."""
    return (
        EmergencyGrant.objects.select_related("grantee", "review")
        .only(
            "id",
            "client_id",
            "reason",
            "created_at",
            "expires_at",
            "grantee__id",
            "grantee__display_name",
            "grantee__first_name",
            "grantee__last_name",
            "grantee__username",
            "review__id",
            "review__decision",
            "review__created_at",
        )
        .annotate(is_active=Q(expires_at__gt=Now()))
        .order_by("-created_at", "pk")
    )


_WANTS = sql.CompiledOnce()


def current_wants(*, user: User, client: Client) -> str:
    """The words of `client`'s latest "What I want from coming here", if
    `user` may see them (Wants.objects.visible_to); "" when there are none
    yet. One query, compiled once (the note form; the record and Today read
    them with their own query, `current_wants_words`)."""

    def build(account: User, client_id: uuid.UUID) -> QuerySet[Any]:
        return (
            Wants.objects.visible_to(account)
            .filter(client_id=client_id)
            .order_by("-created_at", "-pk")
            .values_list("words")[:1]
        )

    found = client_rows(_WANTS, "current wants", user, client.pk, build)
    return found[0][0] if found else ""


def current_wants_words(client: str = "pk") -> Subquery:
    """The latest "What I want from coming here" words of the client named by
    `client` (an OuterRef path), as an annotation ("" without any): for a
    page that already reads the client (the record), at no query of its own."""
    latest = Wants.objects.filter(client=OuterRef(client)).order_by(
        "-created_at", "-pk"
    )
    return Subquery(latest.values("words")[:1])


def wants_history(*, user: User, client: Client) -> QuerySet[Wants]:
    """Every version of `client`'s "What I want from coming here", newest
    first, with who wrote it, scoped to what `user` may see."""
    return (
        Wants.objects.visible_to(user)
        .filter(client=client)
        .select_related("written_by")
        .order_by("-created_at", "-pk")
    )
