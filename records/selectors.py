"""Reads for the records app (issue #20): the client's copy of their record
and their requests to change it. Each starts from what the person may see
(`visible_to`, clients.access.visibility, the one rule)."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Prefetch, QuerySet

from clients.access import client_rows, visibility
from clients.models import Client, StatusChange
from consents.models import Consent
from consents.selectors import AccountingEntry, consent_list, disclosure_accounting
from goals.models import Goal, GoalRating
from hr_clinic.lib import sql
from records.models import (
    AmendmentOutcome,
    AmendmentPart,
    AmendmentRequest,
    CopyRequest,
    RecordExport,
    to_tell_list,
)
from sessions.models import Addendum, Review, SessionStatus, TherapySession
from staff.models import User, person_name


@dataclass(frozen=True)
class RecordCopy:
    """Everything the client's copy holds, read in a fixed number of
    queries whatever the size of the record. Never SUD counseling notes
    (§164.524(a)(1)(i) and their Part 2 counterpart), never drafts."""

    client: Client
    goals: list[Goal]
    notes: list[TherapySession]
    history: list[StatusChange]
    consents: list[Consent]
    accounting: list[AccountingEntry]
    # Decided requests to change the record, by the part they concern: they
    # go with that part in every copy (§164.526(c)(3), (d)(4)).
    amendments: Amendments
    date_from: dt.date | None
    date_to: dt.date | None


def record_copy(
    *,
    client: Client,
    user: User,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
) -> RecordCopy:
    """The record of `client` (already opened by the caller, clinician
    attached) as the copy shows it: goals with every rating, signed notes with
    their addenda and reviews (within `date_from`..`date_to` when given),
    closures and reopenings, consents and the accounting of disclosures."""
    notes = (
        TherapySession.objects.visible_to(user)
        .filter(client=client)
        .signed()
        .select_related("clinician", "group_meeting__group")
        .prefetch_related(
            Prefetch(
                "addenda",
                queryset=Addendum.objects.select_related("author").order_by(
                    "created_at"
                ),
            ),
            Prefetch(
                "reviews",
                queryset=Review.objects.select_related("reviewer").order_by(
                    "created_at"
                ),
            ),
        )
        .order_by("started_at")
    )
    if date_from is not None:
        notes = notes.filter(started_at__date__gte=date_from)
    if date_to is not None:
        notes = notes.filter(started_at__date__lte=date_to)
    goals = (
        Goal.objects.visible_to(user)
        .filter(client=client)
        .order_by("set_on", "created_at")
        .prefetch_related(
            Prefetch("ratings", queryset=GoalRating.objects.order_by("rated_on", "pk"))
        )
    )
    return RecordCopy(
        client=client,
        goals=list(goals),
        notes=list(notes),
        history=list(
            StatusChange.objects.filter(client=client)
            .select_related("changed_by")
            .order_by("changed_at")
        ),
        consents=consent_list(client=client, user=user),
        accounting=disclosure_accounting(client=client, user=user),
        amendments=amendment_statements(client=client, user=user),
        date_from=date_from,
        date_to=date_to,
    )


def copy_requests(*, client: Client, user: User) -> QuerySet[CopyRequest]:
    """`client`'s requests for a copy, open ones first by due date."""
    return (
        CopyRequest.objects.visible_to(user)
        .filter(client=client)
        .select_related("recorded_by", "fulfilment", "fulfilment__fulfilled_by")
        .order_by("fulfilment", "due_on", "created_at")
    )


def exports(*, client: Client, user: User) -> QuerySet[RecordExport]:
    """The exports made of `client`'s record, newest first (without their
    files)."""
    return (
        RecordExport.objects.visible_to(user)
        .filter(client=client)
        .defer("content")
        .select_related("requested_by")
    )


def copy_requests_due(*, user: User) -> QuerySet[CopyRequest]:
    """Open copy requests on `user`'s caseload (for a supervisor: their own
    and their team's, as visibility has it), the soonest due first."""
    # Not through an emergency-access grant: a due list is the care team's.
    rule = visibility(user, via="client__", emergency=None)
    if rule is None:
        return CopyRequest.objects.none()
    return (
        CopyRequest.objects.filter(rule)
        .open()
        .select_related("client", "client__clinician")
        .order_by("due_on", "created_at")
    )


def export_get(*, user: User, pk: Any) -> QuerySet[RecordExport]:
    """The export `pk` if `user` is on its client's care team: not through
    an emergency-access grant, which is time-limited reading, while a copy
    that leaves the service would outlast it (as for the FHIR copy)."""
    rule = visibility(user, via="client__", emergency=None)
    if rule is None:
        return RecordExport.objects.none()
    return RecordExport.objects.filter(rule, pk=pk).defer("content")


# --- Amendment requests (HIPAA §164.526) -----------------------------------


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

    Undecided requests are not here (`open_amendments` lists them).

    One query of values, compiled once per form of the visibility rule
    (clients.access.client_rows): it is read on every client page and signed
    note, for a list that is most often empty, and building and compiling
    the ORM's query with its joins was a quarter of the client page's Python
    calls (14,500 of 56,000; docs/performance.md, issue #25)."""
    found = Amendments()
    rows = client_rows(_DECIDED, "decided", user, client.pk, _decided)
    outcomes = dict(AmendmentOutcome.choices)
    parts = dict(AmendmentPart.choices)
    for row in rows:
        (pk, part, session_id, goal_id, other_part, asked_on, what, why) = row[:8]
        (outcome, decided_at, display_name, first_name, last_name) = row[8:13]
        (username, correction, addendum_id, to_tell, reason) = row[13:18]
        (statement, statement_at) = row[18:]
        entry = AmendmentEntry(
            request_id=pk,
            part_name=other_part if part == AmendmentPart.OTHER else str(parts[part]),
            asked_on=asked_on,
            what=what,
            why=why,
            accepted=outcome == AmendmentOutcome.ACCEPTED,
            outcome=str(outcomes[outcome]),
            decided_at=decided_at,
            decided_by=person_name(display_name, first_name, last_name, username),
            correction=correction,
            addendum_id=addendum_id,
            to_tell=to_tell_list(to_tell),
            reason=reason,
            statement=statement or "",
            statement_at=statement_at,
        )
        if part == AmendmentPart.NOTE:
            found.notes.setdefault(session_id, []).append(entry)
        elif part == AmendmentPart.GOAL:
            found.goals.setdefault(goal_id, []).append(entry)
        else:
            found.other.append(entry)
    return found


_DECIDED = sql.CompiledOnce()
_DECIDED_COLUMNS = (
    "pk",
    "part",
    "session_id",
    "goal_id",
    "other_part",
    "asked_on",
    "what",
    "why",
    "decision__outcome",
    "decision__created_at",
    "decision__decided_by__display_name",
    "decision__decided_by__first_name",
    "decision__decided_by__last_name",
    "decision__decided_by__username",
    "decision__correction",
    "decision__addendum_id",
    "decision__to_tell",
    "decision__reason",
    "statement__text",
    "statement__created_at",
)


def _decided(user: User, client_id: uuid.UUID) -> QuerySet[Any]:
    return (
        AmendmentRequest.objects.visible_to(user)
        .filter(client_id=client_id, decision__isnull=False)
        .order_by("decision__created_at", "created_at")
        .values_list(*_DECIDED_COLUMNS)
    )


def amendments_on_record(*, client: Client, user: User) -> list[AmendmentEntry]:
    """The decided requests on a part of `client`'s record named in words, for
    the record page (`amendment_statements(...).other`)."""
    return amendment_statements(client=client, user=user).other


# --- End of amendment requests ---------------------------------------------
