"""Query budgets for the pages `make bench` loads (issue #11): the number of SQL
queries per request is fixed, whatever the amount of data. Measured on data from
seed_scale at two sizes, then again after more records are added for the same
people. Counts come from the benchmark's own in-process pass."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from appointments.days import day_bounds
from appointments.models import Outcome
from bench import benchmark
from clients.models import AttemptHow, AttemptOutcome, Client, ContactAttempt
from groups.models import Attendance
from groups.services import member_note_save
from sessions.models import Addendum, SessionStatus, TherapySession
from staff.models import User
from tests.factories import (
    AppointmentFactory,
    ClientFactory,
    GoalFactory,
    GoalRatingFactory,
    TherapySessionFactory,
)
from tests.groups_data import group_of, meeting_of
from tests.querycount import queries_for_get
from tests.signin import signed_in

# Queries per request: the signed-in user and the audit event (one INSERT on
# pages that show client data) included. Each is 2 fewer than the history in
# the comments says since #25: the session comes from its cache and a verified
# session's second-factor device is not read (staff.session_store,
# staff.middleware.SessionVerifiedOTPMiddleware).
BUDGETS = {
    "caseload": 6,  # 7 before the emergency-access notice (#18)
    # 8 before requests to change the record (#20), 9 before the next
    # appointments and 10 before the attempts on its timeline (#21), 11 before
    # the safety check-ins a measure asked for and 12 before "Hand to <name>"
    # looked for a consent waiting to be signed on the device (#22).
    "client page": 11,
    "note page": 6,
    "session save": 14,
    # 5 before the emergency reviews waiting (#18), 6 before the check-in trend (#22).
    "team dashboard": 5,
    # 3 before the plan was chosen by a query of its own (#25, sixth pass): one
    # statement holding both plans cost more to plan than a rare word's search.
    "search": 4,
    "search (supervisor)": 4,
    "audit report": 5,
    # Issue #21: measured with the appointments seed_scale books.
    # 12 before the reach-out count and latest attempts came with its rows and
    # the goals with the appointments (#21); 9 with #22's safety prompts and
    # wants; 10 with the day's group meetings (#24).
    "today": 8,
    "week": 3,
    "team week": 4,
    "reach-out list": 5,
    # Issue #23: seven figure queries, the live reach-out count (the year
    # holds today), the audit event; the team's people for a supervisor.
    "figures (admin)": 12,
    "figures (team)": 13,
}
SIZES = {
    "small": [
        *("--staff", "12", "--clients", "30", "--sessions", "200", "--goals", "20"),
        *("--audit-events", "100"),
    ],
    "larger": [
        "--staff",
        "24",
        "--clients",
        "120",
        "--sessions",
        "1500",
        "--goals",
        "90",
        "--audit-events",
        "1000",
    ],
}


def _counts(cast: benchmark.Cast) -> dict[str, int]:
    return benchmark.count_queries(cast, benchmark._pages(cast))


def _search_hit(cast: benchmark.Cast) -> TherapySession:
    """A signed note the benchmark's search finds (tiny seeds may have none)."""
    client = Client.objects.get(pk=cast.client_ids[0])
    return TherapySessionFactory.create(
        client=client,
        status=SessionStatus.SIGNED,
        signed_at=client.created_at,
        sections={"brought": f"{cast.search_term} and more"},
    )


def _grow(cast: benchmark.Cast) -> None:
    """More of everything the measured pages show, for the same people: the
    client and note the counts open, the caseload, the team."""
    client = Client.objects.get(pk=cast.client_ids[0])
    for _ in range(3):
        goal = GoalFactory.create(client=client)
        GoalRatingFactory.create_batch(3, goal=goal)
    TherapySessionFactory.create_batch(12, client=client)
    ClientFactory.create_batch(5, clinician=cast.clinician)
    for member in cast.supervisor.supervisees.all():
        other = ClientFactory.create(clinician=member)
        TherapySessionFactory.create_batch(4, client=other)
    _add_addendum(cast)
    _search_hit(cast)
    _more_appointments(cast)


def _visit(client: Client, hour: int) -> None:
    """An appointment on the day Today loads, for a person with a goal rated."""
    start, _ = day_bounds(benchmark.working_day())
    AppointmentFactory.create(client=client, starts_at=start + timedelta(hours=hour))
    goal = GoalFactory.create(client=client)
    GoalRatingFactory.create_batch(2, goal=goal)


def _more_appointments(cast: benchmark.Cast) -> None:
    """More on the day Today and the week views load, for the clinician and
    each of the supervisor's team, with goals to show beside them; and people
    who didn't make it, some already tried, on the reach-out list."""
    start, _ = day_bounds(benchmark.working_day())
    for n, client in enumerate(Client.objects.filter(pk__in=cast.client_ids[1:4])):
        _visit(client, 9 + n)
        AppointmentFactory.create(
            client=client,
            starts_at=timezone.now() - timedelta(days=1),
            outcome=Outcome.DIDNT_MAKE_IT,
            outcome_recorded_at=timezone.now(),
            outcome_recorded_by=cast.clinician,
        )
        ContactAttempt.objects.create(
            client=client,
            by=cast.clinician,
            how=AttemptHow.CALL,
            outcome=AttemptOutcome.NO_ANSWER,
        )
    for member in cast.supervisor.supervisees.all():
        other = ClientFactory.create(clinician=member)
        AppointmentFactory.create_batch(
            2, client=other, starts_at=start + timedelta(hours=10)
        )


def _add_addendum(cast: benchmark.Cast) -> None:
    note = TherapySession.objects.get(pk=cast.session_ids[0])
    Addendum.objects.create(session=note, author=cast.clinician, reason="r", text="t")


@pytest.mark.owner_role
@pytest.mark.django_db
@pytest.mark.parametrize("size", SIZES)
def test_page_query_counts_stay_within_budget_and_do_not_grow(
    size: str, bench_app: None
) -> None:
    call_command("seed_scale", *SIZES[size], stdout=StringIO())
    cast = benchmark.pick_cast()
    _search_hit(cast)
    # The note page reads addenda only for a note that has some (most have
    # none): give the measured note one, so growth below adds to what is read.
    _add_addendum(cast)
    # Today reads ratings only for goals of the day's people: see one such.
    _visit(Client.objects.get(pk=cast.client_ids[0]), 8)
    before = _counts(cast)
    _grow(cast)
    after = _counts(cast)

    assert before == after
    for page, budget in BUDGETS.items():
        assert before[page] <= budget, (page, before[page])


# Issue #24: a meeting's page (who came, the shared part, every member's note)
# and its sign-all review, at 3 and at 12 members. The signed-in user, the
# facilitator check, the members, attendance, notes and the
# audit event.
MEETING_BUDGET = 6


def _meeting_counts(clinician: User, n: int) -> tuple[int, int]:
    group, members = group_of(clinician, n, name=f"Group of {n}")
    meeting = meeting_of(group, clinician)
    for person in members:
        Attendance.objects.create(
            meeting=meeting, client=person, status="attended", recorded_by=clinician
        )
        member_note_save(
            meeting=meeting,
            by=clinician,
            client=person,
            expected_version=None,
            sections={"brought": "Their own words", "did": "Practised a skill"},
        )
    http = signed_in(clinician)
    page = queries_for_get(http, reverse("groups:meeting", args=[meeting.pk]))
    review = queries_for_get(http, reverse("groups:meeting_sign", args=[meeting.pk]))
    return page, review


def test_a_meetings_page_and_review_cost_the_same_for_3_or_12_members(
    clinician: User,
) -> None:
    small = _meeting_counts(clinician, 3)
    large = _meeting_counts(clinician, 12)
    assert small == large
    assert max(small) <= MEETING_BUDGET, small
