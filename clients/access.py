"""Who may see and do what: the one module that decides access to clinical
records (docs/design.md, "Architecture").

- `visibility` is the rule of who sees which clients (and, through them, notes
  and goals); every `visible_to` queryset applies it.
- `in_team`/`team` define a supervisor's team, once, for visibility,
  reassignment, the team dashboard, its lists and the CSV export; each use says
  whether deactivated supervisees belong to it (`inactive=`).
- `open_client`, `open_session` and `open_goal` open a record as a view does
  and return it with its `Access`: what the person may do with it, and the
  emergency-access grant it was opened under, if any. Views and templates read
  the `Access`, never the role.
- Emergency access ("break glass", docs/design.md): an unexpired grant adds one
  client to its grantee's visibility, read-only unless it covers a session
  (then they may add that session's note); it never changes the record itself,
  moves it, or opens its access history.

Models are imported inside the functions: `clients.models` imports this module.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db.models import BooleanField, F, Func, OuterRef, Q, QuerySet, Subquery
from django.http import Http404

from audit import context as audit_context
from audit import services as audit
from audit.models import Action, Outcome
from hr_clinic.lib.sql import CompiledOnce
from staff.models import Role, User

if TYPE_CHECKING:
    from clients.models import Client, EmergencyGrant
    from goals.models import Goal
    from groups.models import Group, GroupMeeting
    from sessions.models import TherapySession


def in_team(supervisor: User, *, inactive: bool, via: str = "") -> Q:
    """The condition for being on `supervisor`'s team (the people they
    supervise), on a User (`via=""`) or on what leads to one (`via="clinician__"`
    from a client or a note). `inactive` says whether deactivated supervisees
    count; each use decides:

    - visibility, the dashboard and its lists, the reach-out list and the CSV:
      yes. A departed clinician's clients, drafts and waiting notes are still
      the supervisor's to move, hand on and co-sign (the dashboard then shows a
      deactivated supervisee only while something of theirs is still counted,
      clients.selectors.team_summary).
    - reassignment targets and the team a departing supervisor leaves to a
      successor (staff.selectors.departure_summary): no. Nobody is given
      clients once they have left, nor a new supervisor.
    """
    team = Q(**{f"{via}supervisor": supervisor})
    return team if inactive else team & Q(**{f"{via}is_active": True})


def team(supervisor: User, *, inactive: bool) -> QuerySet[User]:
    """`supervisor`'s supervisees (see `in_team` for `inactive`)."""
    return User.objects.filter(in_team(supervisor, inactive=inactive))


def supervises(user: User, person: User) -> bool:
    """Whether `person` is on `user`'s team, deactivated or not: who may
    co-sign or return `person`'s notes and hand their drafts on."""
    return user.is_supervisor and person.supervisor_id == user.pk


class _AnyOf(Func):
    """`field = ANY(ARRAY(subquery))`: PostgreSQL runs the subquery once (an
    InitPlan) and can still answer the comparison from the field's index
    inside an OR, where `field IN (subquery)` there becomes a filter on every
    row (the same reason the note search keeps its scope in an array)."""

    arg_joiner = " = ANY(ARRAY("
    template = "%(expressions)s))"
    output_field = BooleanField()
    conditional = True


def holds_emergency_grants(user: User) -> bool:
    """Whether `user` holds any unexpired emergency-access grant, by the
    database clock. Read with the person at the start of each request
    (clients.auth.StaffBackend); for a User loaded any other way, asked now.
    Only gates whether the grant conditions are built: where it is true,
    the query that reads the records still decides expiry itself."""
    held = getattr(user, "holds_emergency_grants", None)
    if held is not None:
        return bool(held)
    from clients.models import EmergencyGrant

    return EmergencyGrant.objects.active().filter(grantee=user).exists()


# The id of a stand-in account (`stand_in`): no account has it.
STAND_IN_ID = -1
RuleShape = tuple[str, bool, bool]


def rule_shape(user: User) -> RuleShape:
    """What the form of the conditions here depends on for `user`, besides
    their id: their role, whether they hold an emergency grant, whether they
    facilitate a group. A query compiled once per shape with `stand_in`
    (hr_clinic.lib.sql.CompiledOnce) has the form `user`'s own would have."""
    return user.role, holds_emergency_grants(user), facilitates_groups(user)


def stand_in(shape: RuleShape) -> User:
    """An account of that shape with STAND_IN_ID, for compiling a query once:
    it carries its two flags, so building the conditions asks the database
    nothing about an account that does not exist."""
    role, grants, facilitates = shape
    account = User(pk=STAND_IN_ID, role=role, is_active=True)
    account.holds_emergency_grants = grants  # type: ignore[attr-defined]
    account.facilitates_groups = facilitates  # type: ignore[attr-defined]
    return account


# An id no client has: the stand-in for one client's id in a query compiled
# once (`client_rows`).
STAND_IN_CLIENT = uuid.UUID(int=1901)
# An id no record has: the stand-in for another record's id (the note or goal
# being opened, `_open`; the note a form is for).
STAND_IN_RECORD = uuid.UUID(int=1902)


def client_rows(
    queries: CompiledOnce,
    name: str,
    user: User,
    client_id: uuid.UUID,
    build: Callable[[User, uuid.UUID], QuerySet[Any]],
    values: Mapping[Any, Any] | None = None,
) -> list[tuple[Any, ...]]:
    """The rows of `build(user, client_id)` (a queryset of values about one
    client, starting from `visible_to(user)`), compiled once in `queries` per
    `name` and shape of the visibility rule, run with `user`'s and
    `client_id`'s real values (and `values`: the other stand-ins it was built
    with). For a page that reads several small sections of one record, where
    building and compiling each query costs more than running it."""
    shape = rule_shape(user)
    return queries.rows(
        (name, *shape),
        lambda: build(stand_in(shape), STAND_IN_CLIENT),
        {STAND_IN_ID: user.pk, STAND_IN_CLIENT: client_id, **(values or {})},
    )


def emergency_clients(user: User, *, field: str = "pk") -> Q:
    """The clients `user` holds an unexpired emergency-access grant to, as a
    condition on `field` (a client's id). Expiry is judged by the database
    clock, in the query that reads the records (`expires_at > now()`)."""
    from clients.models import EmergencyGrant

    grants = EmergencyGrant.objects.active().filter(grantee=user).values("client_id")
    return Q(_AnyOf(F(field), grants.order_by()))


def visibility(user: User, *, via: str = "", emergency: str | None = "pk") -> Q | None:
    """The one rule that decides clinical visibility, as a condition on a
    client's primary clinician; None when `user` may see no client at all.
    `via` reaches the client's primary clinician from another model: "client_"
    from a note names its `client_clinician`, the copy PostgreSQL keeps of its
    client's clinician, so a note's visibility needs no join to the client.

    A clinician sees their own caseload; a supervisor their own caseload plus
    their team's (deactivated supervisees included, see `in_team`); an admin
    (or anyone inactive or anonymous) nothing. Everything outside this set
    answers 404.

    Both also see the clients they hold an unexpired emergency-access grant
    to: `emergency` names the field that holds the client's id ("pk" on a
    client, "client" on a goal or note); None leaves grants out (a note's
    author, whom a grant never concerns; reassignment; the note search, whose
    scope is whole caseloads).

    With `via=""` on a note the same condition names the note's author: whose
    unfinished notes `user` still reaches after the client has moved on (see
    TherapySession.objects.visible_to).
    """
    if not user.is_authenticated or not user.is_active:
        return None
    if user.role == Role.CLINICIAN:
        rule = Q(**{f"{via}clinician": user})
    elif user.role == Role.SUPERVISOR:
        # The team's ids first, then their clients through the caseload
        # index; an OR across the join read every client (docs/performance.md).
        people = User.objects.filter(Q(pk=user.pk) | in_team(user, inactive=True))
        rule = Q(**{f"{via}clinician__in": people.values("pk")})
    else:
        return None
    if emergency is not None and holds_emergency_grants(user):
        rule |= emergency_clients(user, field=emergency)
    return rule


def counseling_note_visibility(user: User) -> Q | None:
    """Who reads an SUD counseling note (42 CFR 2.11, docs/design.md,
    "Counseling notes"), as a condition on the note; None when `user` reads
    none. Its author; and the author's supervisor only while the author
    requires co-signature (supervised training), deactivated or not. Never
    through the client: not its clinician (after a reassignment either), not
    an emergency-access grant, not an admin. Its own rule, not `visibility`:
    these notes are kept apart from the record."""
    if not user.is_authenticated or not user.is_active:
        return None
    own = Q(author=user)
    if user.role == Role.CLINICIAN:
        return own
    if user.role == Role.SUPERVISOR:
        trainees = in_team(user, inactive=True, via="author__")
        return own | (trainees & Q(author__requires_cosign=True))
    return None


def group_visibility(user: User, *, field: str = "pk") -> Q | None:
    """Who sees a group (issue #24, docs/design.md "Groups"): its facilitators,
    as a condition on `field`, the group's id ("pk" on a group, "group" on a
    meeting); None when `user` sees no group at all (admins, and anyone
    inactive or anonymous). A group's pages list its members by name and hold
    every member's note of its meetings, so nobody else opens them: not a
    facilitator's supervisor, not a member's own clinician (who reads that
    member's group notes on the member's record, by `visibility`), never an
    emergency-access grant (which is to one client, not a group)."""
    if not user.is_authenticated or not user.is_active:
        return None
    if user.role not in (Role.CLINICIAN, Role.SUPERVISOR):
        return None
    from groups.models import Group

    facilitated = Group.facilitators.through.objects.filter(user=user)
    return Q(_AnyOf(F(field), facilitated.values("group_id").order_by()))


def facilitates_groups(user: User) -> bool:
    """Whether `user` facilitates any group. Read with the person at the
    start of each request (clients.auth.StaffBackend); for a User loaded any
    other way, asked now. Only gates whether the facilitator condition is
    built on note queries: where it is true, the query decides which notes."""
    held = getattr(user, "facilitates_groups", None)
    if held is not None:
        return bool(held)
    from groups.models import Group

    return Group.facilitators.through.objects.filter(user=user).exists()


def facilitated_notes(user: User) -> Q:
    """The notes of meetings of the groups `user` facilitates, as a condition
    on a note: besides `visibility` (the member's own care team sees their
    group notes as any other), a facilitator sees every member's note of their
    group's meetings, whoever the member's clinician is, for as long as they
    facilitate it. Never anything for someone `group_visibility` leaves out.
    Each member's note shows the shared part and that member's words only, so
    this reaches no other member's record."""
    from groups.models import GroupMeeting

    if group_visibility(user) is None or not facilitates_groups(user):
        return Q(pk__in=[])
    meetings = GroupMeeting.objects.filter(group__facilitators=user).values("pk")
    return Q(_AnyOf(F("group_meeting"), meetings.order_by()))


def _denied_group_record(user: User, kind: str, pk: object) -> None:
    """An audited denial for a group or meeting that exists outside `user`'s
    sight (the page still answers 404, like a missing one). Groups have no
    client of their own, so audit.denied_if_exists cannot read one."""
    from groups.models import Group, GroupMeeting

    model = Group if kind == "group" else GroupMeeting
    try:
        pk = uuid.UUID(str(pk))
    except ValueError:
        return
    if model.objects.filter(pk=pk).exists():
        audit.record(
            actor=user,
            action=Action.READ,
            object_type=kind,
            object_id=str(pk),
            outcome=Outcome.DENIED,
        )


def open_group(request: Any, pk: uuid.UUID) -> Group:
    """The group `pk` if the signed-in person facilitates it; otherwise 404,
    audited as a denial when it exists. The caller records the read with the
    members it shows."""
    from groups.models import Group

    found = Group.objects.visible_to(request.user).filter(pk=pk).first()
    if found is None:
        _denied_group_record(request.user, "group", pk)
        raise Http404
    return found


def open_meeting(request: Any, pk: uuid.UUID) -> GroupMeeting:
    """As `open_group`, for one meeting (its group attached)."""
    from groups.models import GroupMeeting

    found = (
        GroupMeeting.objects.visible_to(request.user)
        .select_related("group")
        .filter(pk=pk)
        .first()
    )
    if found is None:
        _denied_group_record(request.user, "group_meeting", pk)
        raise Http404
    return found


@dataclass(frozen=True)
class Access:
    """What someone may do with a record they opened. Reading goes without
    saying: outside their visibility a record does not open (404).

    - `change`: edit it (a client's record, its goals and new notes: its
      primary clinician; a note: its author).
    - `review`: a supervisor's part. On a client: change its primary
      clinician and see who opened the record. On a note: co-sign or return
      it, while it waits for co-signature, as the author's supervisor.
    - `add_note`: log a session for the client (its primary clinician, or
      someone covering a session under an emergency-access grant).
    - `grant`: the emergency-access grant the record was opened under (None
      for someone on the care team): every page shows it and the audit
      event carries its id.
    """

    change: bool = False
    review: bool = False
    add_note: bool = False
    grant: EmergencyGrant | None = None

    @property
    def read(self) -> bool:
        return True

    @property
    def grant_id(self) -> Any:
        return None if self.grant is None else self.grant.pk


def may_change_client(user: User, client: Client) -> bool:
    return client.clinician_id == user.pk


def may_add_note(user: User, client: Client, grant: EmergencyGrant | None) -> bool:
    """The primary clinician, or the holder of a grant covering a session."""
    return may_change_client(user, client) or (grant is not None and grant.allows_notes)


def may_change_note(user: User, session: TherapySession) -> bool:
    return session.clinician_id == user.pk


def client_access(
    user: User, client: Client, grant: EmergencyGrant | None = None
) -> Access:
    """`user`'s access to a client they can see (under `grant`, if opened
    under one). A supervisor may move every client they see
    (Client.objects.reassignable_by) except through a grant."""
    return Access(
        change=may_change_client(user, client),
        review=user.is_supervisor and grant is None,
        add_note=may_add_note(user, client, grant),
        grant=grant,
    )


def may_review(user: User, session: TherapySession) -> bool:
    """Whether `user` may co-sign or return `session` now: it waits for
    co-signature and `user` supervises its author (`session.clinician` is
    read). The service that writes the review checks this very function."""
    from sessions.models import ReviewStatus

    return session.review_status == ReviewStatus.WAITING and supervises(
        user, session.clinician
    )


def note_access(
    user: User, session: TherapySession, grant: EmergencyGrant | None = None
) -> Access:
    """`user`'s access to a note they can see (`session.clinician` loaded)."""
    return Access(
        change=may_change_note(user, session),
        review=may_review(user, session),
        grant=grant,
    )


def may_review_grant(user: User, grant: EmergencyGrant) -> bool:
    """Whether `user` reviews `grant`: the supervisor of the clinician who
    held the client when it was opened (`grant.client_clinician` is read),
    or that clinician themselves when they are a supervisor with nobody
    above them. Never the grantee. The review service checks this very
    function; `grant_reviewer` is the same rule as a condition."""
    held_by = grant.client_clinician
    if not user.is_supervisor or grant.grantee_id == user.pk:
        return False
    return held_by.supervisor_id == user.pk or (
        held_by.pk == user.pk and held_by.supervisor_id is None
    )


def grant_reviewer(user: User) -> Q:
    """`may_review_grant` as a condition on grants: the ones `user` reviews."""
    if not user.is_supervisor:
        return Q(pk__in=[])
    return (
        Q(client_clinician__supervisor=user)
        | Q(client_clinician=user, client_clinician__supervisor__isnull=True)
    ) & ~Q(grantee=user)


# Model instances' queries of the openers, compiled once per builder and shape
# of the visibility rule (`_open`).
_OPENED = CompiledOnce()

Records = Callable[[User], QuerySet[Any]]


def _every_client(_: User) -> QuerySet[Client]:
    """The default `records` of `open_client`: every client."""
    from clients.models import Client

    return Client.objects.all()


def clients_with_clinician(_: User) -> QuerySet[Client]:
    """`records` for a page that reads the client's primary clinician."""
    from clients.models import Client

    return Client.objects.select_related("clinician")


def _every_note(_: User) -> QuerySet[TherapySession]:
    from sessions.models import TherapySession

    return TherapySession.objects.all()


def _every_goal(_: User) -> QuerySet[Goal]:
    from goals.models import Goal

    return Goal.objects.all()


def _open(
    request: Any,
    model: type[Any],
    records: Records,
    *,
    pk: object,
    client: str,
    owned: Callable[[Any, EmergencyGrant | None], bool] | None,
    related: tuple[str, ...] = (),
    read_event: bool = True,
    read_as: str = Action.READ,
) -> tuple[Any, EmergencyGrant | None]:
    """Open `pk` among `records(user)` (of `model`, with `related` selected), visible to
    the signed-in person, as audit.opened does, with the grant it is opened
    under: for someone who holds any grant (holds_emergency_grants), whether
    this record is opened under one comes with the record's own query
    (`client` names its client's id); the grant itself is read only when
    there is. The grant is also left on the request (`request.emergency_grant`),
    for the banner base.html shows on every page opened under one
    (clients/_emergency_banner.html): no page can forget it.

    `records` is a function that captures nothing (TypeError otherwise): it
    is given the person (a stand-in of their rule's shape), so the query is
    compiled once per `records`, `related` and shape (CompiledOnce) and run
    with the person's and the record's ids. Building and compiling it was
    2,400–7,000 Python calls of a record page, for a query that runs in 1 ms
    (issue #25)."""
    from clients.models import EmergencyGrant

    if records.__closure__ is not None:  # type: ignore[attr-defined]
        raise TypeError("records() must capture nothing: its query is compiled once")
    user = request.user
    shape = rule_shape(user)

    def build() -> QuerySet[Any]:
        account = stand_in(shape)
        scoped = records(account).select_related(*related)
        scoped = scoped.visible_to(account)  # type: ignore[attr-defined]
        if holds_emergency_grants(account):
            grants = EmergencyGrant.objects.active().filter(
                grantee=account, client=OuterRef(client)
            )
            scoped = scoped.annotate(
                emergency_grant_pk=Subquery(
                    grants.order_by("-expires_at").values("pk")[:1]
                )
            )
        return scoped.filter(pk=STAND_IN_RECORD)

    key = (records.__code__, related, shape)  # type: ignore[attr-defined]
    try:
        pk_value = model._meta.pk.to_python(pk)
    except ValidationError:
        raise Http404 from None  # a malformed id names nothing
    found = _OPENED.objects(
        key, build, {STAND_IN_ID: user.pk, STAND_IN_RECORD: pk_value}
    )
    if not found:
        audit.denied_if_exists(user, model, pk_value)
        raise Http404
    obj = found[0]
    grant: EmergencyGrant | None = None
    held = getattr(obj, "emergency_grant_pk", None)
    if held is not None:
        grant = EmergencyGrant.objects.get(pk=held)
    audit.opened(
        request,
        obj,
        owned=(lambda o: owned(o, grant)) if owned else None,
        emergency_grant_id=held,
        read_event=read_event,
        read_as=read_as,
    )
    if grant is not None:
        request.emergency_grant = grant
        audit_context.opened_under_grant(grant.pk, grant.client_id)
    return obj, grant


def open_client(
    request: Any,
    pk: object,
    *,
    to_change: bool = False,
    records: Records = _every_client,
    read_event: bool = True,
    read_as: str = Action.READ,
) -> tuple[Client, Access]:
    """The client `pk` among `records` (default: every client; see `_open`)
    that the signed-in person may see, with their access to it: 404 outside
    their visibility; with `to_change`, 403 unless they may change it
    (audit.opened records both, and a GET's read unless `read_event` is
    False: a list of the client's records records its own)."""
    from clients.models import Client

    user = request.user
    client, grant = _open(
        request,
        Client,
        records,
        pk=pk,
        client="pk",
        owned=(lambda c, g: may_change_client(user, c)) if to_change else None,
        read_event=read_event,
        read_as=read_as,
    )
    return client, client_access(user, client, grant)


def open_client_to_change(request: Any, pk: object) -> Client:
    """`open_client` for a page that changes the record (or adds to it), with
    its primary clinician loaded: 403 for a client the person may only read."""
    client, _ = open_client(request, pk, to_change=True, records=clients_with_clinician)
    return client


def open_client_for_note(request: Any, pk: object) -> tuple[Client, Access]:
    """`open_client` for logging a session, with its primary clinician loaded:
    403 unless the person may add a note (`may_add_note`: their own client,
    or a grant covering a session)."""
    from clients.models import Client

    user = request.user
    client, grant = _open(
        request,
        Client,
        clients_with_clinician,
        pk=pk,
        client="pk",
        owned=lambda c, g: may_add_note(user, c, g),
    )
    return client, client_access(user, client, grant)


def open_session(
    request: Any,
    pk: object,
    *,
    to_change: bool = False,
    records: Records = _every_note,
    read_as: str = Action.READ,
) -> tuple[TherapySession, Access]:
    """As `open_client`, for a note: 403 with `to_change` unless it is the
    person's own. `session.clinician` and `session.client.clinician` are
    attached (staff.selectors.people_attach)."""
    from sessions.models import TherapySession
    from staff.selectors import people_attach

    user = request.user
    session, grant = _open(
        request,
        TherapySession,
        records,
        related=("client",),
        pk=pk,
        client="client_id",
        owned=(lambda s, g: may_change_note(user, s)) if to_change else None,
        read_as=read_as,
    )
    people_attach(user, [(session, "clinician"), (session.client, "clinician")])
    return session, note_access(user, session, grant)


def open_goal(
    request: Any,
    pk: object,
    *,
    to_change: bool = False,
    records: Records = _every_goal,
) -> tuple[Goal, Access]:
    """As `open_client`, for a goal, which is its client's to change (loads
    `goal.client`). A grant never changes goals: a covered session's ratings
    go with its note."""
    from goals.models import Goal

    user = request.user
    goal, grant = _open(
        request,
        Goal,
        records,
        related=("client",),
        pk=pk,
        client="client_id",
        owned=(lambda g, _: may_change_client(user, g.client)) if to_change else None,
    )
    return goal, Access(change=may_change_client(user, goal.client), grant=grant)


class ClientChildQuerySet(QuerySet[Any]):
    """Records that belong to a client (a consent, a ledger row, an export, an
    appointment), seen through the client's visibility: the one rule,
    `visibility`, reached through `client_path` (an emergency-access grant to
    the client admits them too)."""

    client_path = "client__"

    def visible_to(self, user: User) -> Any:
        rule = visibility(
            user, via=self.client_path, emergency=self.client_path.removesuffix("__")
        )
        return self.none() if rule is None else self.filter(rule)


def open_client_child(
    request: Any,
    records: QuerySet[Any],
    pk: object,
    *,
    to_change: bool = False,
    read_as: str = Action.READ,
) -> tuple[Any, Access]:
    """A record that belongs to a client (a consent, a ledger row, an export)
    among `records`, already limited to what the person may see (404
    otherwise, an audited denial when it exists), with the person's access to
    its client (attached as `record.client`); with `to_change`, 403 unless
    they may change the client. A GET is audited as `read_as` (read, print or
    export)."""
    record = audit.get_visible_or_404(records, actor=request.user, pk=pk)
    client, access = open_client(
        request, record.client_id, to_change=to_change, read_event=False
    )
    record.client = client
    if request.method == "GET":
        audit.record(
            actor=request.user,
            action=read_as,
            obj=record,
            emergency_grant_id=access.grant_id,
        )
    return record, access


def may_decide_amendment(
    user: User, client: Client, grant: EmergencyGrant | None = None
) -> bool:
    """Whether `user` decides a request to change `client`'s record
    (HIPAA §164.526) and records the client's statement of disagreement: the
    client's primary clinician, or that clinician's supervisor (a supervisor
    acts only on their team's clients), never through an emergency-access
    grant. `client.clinician` is read. For a note, the decider's acceptance
    adds its addendum (records.amendments) even when they are not the note's
    author: that is the one way anyone but the author adds to a note."""
    if grant is not None:
        return False
    return may_change_client(user, client) or supervises(user, client.clinician)


# Program figures (issue #23) shown outside the clinical team hide any cell
# counting this many distinct people or fewer (but at least one).
SMALL_CELL_MAX = 10


@dataclass(frozen=True)
class FigureScope:
    """Whose work a person's program figures add up (issue #23,
    docs/design.md "Program figures"). `staff`: the ids of the staff members
    whose notes, goals and attempts count; None for the whole service.
    `suppress`: whether cells counting 1 to SMALL_CELL_MAX people are hidden
    (figures that leave the clinical team). `people`: the staff a supervisor
    may narrow the figures to, in name order (empty otherwise)."""

    staff: tuple[int, ...] | None
    suppress: bool
    people: tuple[User, ...] = ()


def figure_scope(user: User, *, member: object = None) -> FigureScope | None:
    """The program figures `user` may see, or None (the page is a 404).

    - A supervisor: their own and their team's work, deactivated
      supervisees included (`in_team`, as the team dashboard counts), and
      each person's alone (`member`, a staff id: anyone else is None). They
      already read every record behind these figures, so nothing is hidden.
    - An admin (no clinical content): the whole service, aggregate only,
      small cells hidden.
    - Clinicians and everyone else: none (their own work is on their
      caseload and Today; the figures are for supervision and funders).
    """
    if not user.is_authenticated or not user.is_active:
        return None
    if user.role == Role.ADMIN:
        return None if member else FigureScope(staff=None, suppress=True)
    if user.role != Role.SUPERVISOR:
        return None
    people = tuple(
        User.objects.filter(Q(pk=user.pk) | in_team(user, inactive=True)).order_by(
            "display_name", "username", "pk"
        )
    )
    ids = tuple(person.pk for person in people)
    if member:
        chosen = next((p.pk for p in people if str(p.pk) == str(member)), None)
        if chosen is None:
            return None
        ids = (chosen,)
    return FigureScope(staff=ids, suppress=False, people=people)
