"""Reads for the records app (issue #20). Each starts from `visible_to`
(clients.access.visibility, the one rule)."""

from __future__ import annotations

# --- Amendment requests (HIPAA §164.526) -----------------------------------
import datetime as dt
import uuid
from dataclasses import dataclass, field

from django.db.models import QuerySet

from clients.access import visibility
from clients.models import Client
from goals.models import Goal
from records.models import (
    AmendmentOutcome,
    AmendmentPart,
    AmendmentRequest,
)
from sessions.models import SessionStatus, TherapySession
from staff.models import User


def _with_answers(requests: QuerySet[AmendmentRequest]) -> QuerySet[AmendmentRequest]:
    return requests.select_related(
        "recorded_by",
        "session",
        "goal",
        "decision__decided_by",
        "decision__addendum",
        "statement__recorded_by",
    )


def amendment_list(*, client: Client, user: User) -> QuerySet[AmendmentRequest]:
    """The client's requests to change their record, newest asked first, with
    their decisions and statements."""
    return _with_answers(
        AmendmentRequest.objects.visible_to(user).filter(client=client)
    )


def amendment_get(*, user: User, pk: object) -> QuerySet[AmendmentRequest]:
    """The request `pk` among those `user` may see (for audit.get_visible_or_404)."""
    return _with_answers(AmendmentRequest.objects.visible_to(user))


def amendable_notes(*, client: Client, user: User) -> QuerySet[TherapySession]:
    """The client's signed notes a request may concern, newest first (never a
    draft, a discarded draft or a counseling note, which is not in the record)."""
    return (
        TherapySession.objects.visible_to(user)
        .filter(client=client, status=SessionStatus.SIGNED)
        .order_by("-started_at")
    )


def amendable_goals(*, client: Client, user: User) -> QuerySet[Goal]:
    return Goal.objects.visible_to(user).filter(client=client).order_by("-set_on")


def open_amendments(
    *, user: User, client: Client | None = None
) -> QuerySet[AmendmentRequest]:
    """Requests not yet decided, oldest due first (each has `due_on`, asked
    on + 60 days), for the due lists: `client`'s when given, else those on
    `user`'s caseload (a supervisor's: their own and their team's,
    deactivated supervisees included). Never through an emergency-access
    grant: a grant holder does not own the request's deadline."""
    rule = visibility(user, via="client__", emergency=None)
    if rule is None:
        return AmendmentRequest.objects.none()
    requests = AmendmentRequest.objects.filter(rule)
    if client is not None:
        requests = requests.filter(client=client)
    return requests.waiting().select_related("client", "session", "goal")


@dataclass(frozen=True)
class AmendmentEntry:
    """One decided request, as it goes with the part it concerns."""

    request_id: uuid.UUID
    part_name: str
    asked_on: dt.date
    what: str
    why: str
    accepted: bool
    outcome: str
    decided_at: dt.datetime
    decided_by: str
    # Changed as asked: the correction (on a note, also its addendum) and
    # the people the client named to be told.
    correction: str = ""
    addendum_id: int | None = None
    to_tell: list[str] = field(default_factory=list)
    # Kept as it is: the reason, and the client's statement of disagreement
    # ("" until they make one).
    reason: str = ""
    statement: str = ""
    statement_at: dt.datetime | None = None


@dataclass(frozen=True)
class Amendments:
    """What amendment requests add to a client's record: decided requests by
    the part they concern (`notes` by note id, `goals` by goal id, `other`
    for a part named in words), oldest decided first."""

    notes: dict[uuid.UUID, list[AmendmentEntry]] = field(default_factory=dict)
    goals: dict[uuid.UUID, list[AmendmentEntry]] = field(default_factory=dict)
    other: list[AmendmentEntry] = field(default_factory=list)

    def for_note(self, pk: uuid.UUID) -> list[AmendmentEntry]:
        return self.notes.get(pk, [])

    def for_goal(self, pk: uuid.UUID) -> list[AmendmentEntry]:
        return self.goals.get(pk, [])


def amendment_statements(*, client: Client, user: User) -> Amendments:
    """Every decided request on `client`'s record that `user` may see, for
    each part it concerns, to show with that part and to go with it in every
    later export and disclosure (§164.526(c)(3), (d)(4)-(5)):

    - `Amendments.notes[note id]`, `.goals[goal id]`, `.other` (a part named
      in words, `part_name`): lists of `AmendmentEntry`, oldest decided
      first.
    - A denial ("kept as it is", `accepted=False`): what was asked, the
      `reason`, and the client's `statement` of disagreement with
      `statement_at` ("" and None while there is none).
    - An acceptance (`accepted=True`): the `correction` (on a note, also the
      addendum `addendum_id` that made it) and `to_tell`, the people the
      client named to be told.

    Undecided requests are not here (`open_amendments` lists them)."""
    found = Amendments()
    requests = (
        amendment_list(client=client, user=user)
        .filter(decision__isnull=False)
        .order_by("decision__created_at", "created_at")
    )
    for r in requests:
        decision = r.decision  # type: ignore[attr-defined]
        statement = getattr(r, "statement", None)
        entry = AmendmentEntry(
            request_id=r.pk,
            part_name=r.part_name,
            asked_on=r.asked_on,
            what=r.what,
            why=r.why,
            accepted=decision.outcome == AmendmentOutcome.ACCEPTED,
            outcome=decision.get_outcome_display(),
            decided_at=decision.created_at,
            decided_by=decision.decided_by.name,
            correction=decision.correction,
            addendum_id=decision.addendum_id,
            to_tell=decision.to_tell_list,
            reason=decision.reason,
            statement=statement.text if statement else "",
            statement_at=statement.created_at if statement else None,
        )
        if r.part == AmendmentPart.NOTE:
            found.notes.setdefault(r.session_id, []).append(entry)  # type: ignore[arg-type]
        elif r.part == AmendmentPart.GOAL:
            found.goals.setdefault(r.goal_id, []).append(entry)  # type: ignore[arg-type]
        else:
            found.other.append(entry)
    return found


# --- End of amendment requests ---------------------------------------------
