"""Who may see and do what: the one module that decides access to clinical
records (docs/design.md, "Architecture").

- `visibility` is the rule of who sees which clients (and, through them, notes
  and goals); every `visible_to` queryset applies it.
- `in_team`/`team` define a supervisor's team, once, for visibility,
  reassignment, the team dashboard, its lists and the CSV export; each use says
  whether deactivated supervisees belong to it (`inactive=`).
- `open_client`, `open_session` and `open_goal` open a record as a view does
  and return it with its `Access`: what the person may do with it. Views and
  templates read the `Access`, never the role.

Models are imported inside the functions: `clients.models` imports this module.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db.models import Q, QuerySet

from audit import services as audit
from audit.models import Action
from staff.models import Role, User

if TYPE_CHECKING:
    from clients.models import Client
    from goals.models import Goal
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


def visibility(user: User, *, via: str = "") -> Q | None:
    """The one rule that decides clinical visibility, as a condition on a
    client's primary clinician; None when `user` may see no client at all.
    `via` reaches the client's primary clinician from another model: "client_"
    from a note names its `client_clinician`, the copy PostgreSQL keeps of its
    client's clinician, so a note's visibility needs no join to the client.

    A clinician sees their own caseload; a supervisor their own caseload plus
    their team's (deactivated supervisees included, see `in_team`); an admin
    (or anyone inactive or anonymous) nothing. Everything outside this set
    answers 404.

    With `via=""` on a note the same condition names the note's author: whose
    unfinished notes `user` still reaches after the client has moved on (see
    TherapySession.objects.visible_to).
    """
    if not user.is_authenticated or not user.is_active:
        return None
    if user.role == Role.CLINICIAN:
        return Q(**{f"{via}clinician": user})
    if user.role == Role.SUPERVISOR:
        # The team's ids first, then their clients through the caseload
        # index; an OR across the join read every client (docs/performance.md).
        people = User.objects.filter(Q(pk=user.pk) | in_team(user, inactive=True))
        return Q(**{f"{via}clinician__in": people.values("pk")})
    return None


@dataclass(frozen=True)
class Access:
    """What someone may do with a record they opened. Reading goes without
    saying: outside their visibility a record does not open (404).

    - `change`: edit it (a client's record, its goals and new notes: its
      primary clinician; a note: its author).
    - `review`: a supervisor's part. On a client: change its primary
      clinician and see who opened the record. On a note: co-sign or return
      it, while it waits for co-signature, as the author's supervisor.
    """

    change: bool = False
    review: bool = False

    @property
    def read(self) -> bool:
        return True


def may_change_client(user: User, client: Client) -> bool:
    return client.clinician_id == user.pk


def may_change_note(user: User, session: TherapySession) -> bool:
    return session.clinician_id == user.pk


def client_access(user: User, client: Client) -> Access:
    """`user`'s access to a client they can see. A supervisor may move every
    client they see (Client.objects.reassignable_by)."""
    return Access(change=may_change_client(user, client), review=user.is_supervisor)


def may_review(user: User, session: TherapySession) -> bool:
    """Whether `user` may co-sign or return `session` now: it waits for
    co-signature and `user` supervises its author (`session.clinician` is
    read). The service that writes the review checks this very function."""
    from sessions.models import ReviewStatus

    return session.review_status == ReviewStatus.WAITING and supervises(
        user, session.clinician
    )


def note_access(user: User, session: TherapySession) -> Access:
    """`user`'s access to a note they can see (`session.clinician` loaded)."""
    return Access(
        change=may_change_note(user, session), review=may_review(user, session)
    )


def open_client(
    request: Any,
    pk: object,
    *,
    to_change: bool = False,
    records: QuerySet[Client] | None = None,
    read_as: str = Action.READ,
) -> tuple[Client, Access]:
    """The client `pk` among `records` (default: every client) that the
    signed-in person may see, with their access to it: 404 outside their
    visibility; with `to_change`, 403 unless they may change it
    (audit.open_record records both, and a GET's read)."""
    from clients.models import Client

    user = request.user
    records = Client.objects.all() if records is None else records
    client: Client = audit.open_record(
        request,
        records.visible_to(user),  # type: ignore[attr-defined]
        pk=pk,
        owned=(lambda c: may_change_client(user, c)) if to_change else None,
        read_as=read_as,
    )
    return client, client_access(user, client)


def open_client_to_change(request: Any, pk: object) -> Client:
    """`open_client` for a page that changes the record (or adds to it), with
    its primary clinician loaded: 403 for a client the person may only read."""
    from clients.models import Client

    client, _ = open_client(
        request, pk, to_change=True, records=Client.objects.select_related("clinician")
    )
    return client


def open_session(
    request: Any,
    pk: object,
    *,
    to_change: bool = False,
    records: QuerySet[TherapySession] | None = None,
    read_as: str = Action.READ,
) -> tuple[TherapySession, Access]:
    """As `open_client`, for a note: 403 with `to_change` unless it is the
    person's own. `session.clinician` and `session.client.clinician` are
    attached (staff.selectors.people_attach)."""
    from sessions.models import TherapySession
    from staff.selectors import people_attach

    user = request.user
    records = TherapySession.objects.all() if records is None else records
    session: TherapySession = audit.open_record(
        request,
        records.select_related("client").visible_to(user),  # type: ignore[attr-defined]
        pk=pk,
        owned=(lambda s: may_change_note(user, s)) if to_change else None,
        read_as=read_as,
    )
    people_attach(user, [(session, "clinician"), (session.client, "clinician")])
    return session, note_access(user, session)


def open_goal(
    request: Any,
    pk: object,
    *,
    to_change: bool = False,
    records: QuerySet[Goal] | None = None,
) -> tuple[Goal, Access]:
    """As `open_client`, for a goal, which is its client's to change (loads
    `goal.client`)."""
    from goals.models import Goal

    user = request.user
    records = Goal.objects.all() if records is None else records
    goal: Goal = audit.open_record(
        request,
        records.select_related("client").visible_to(user),  # type: ignore[attr-defined]
        pk=pk,
        owned=(lambda g: may_change_client(user, g.client)) if to_change else None,
    )
    return goal, Access(change=may_change_client(user, goal.client))
