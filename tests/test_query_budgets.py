"""Query budgets for the pages `make bench` loads (issue #11): the number of SQL
queries per request is fixed, whatever the amount of data. Measured on data from
seed_scale at two sizes, then again after more records are added for the same
people. Counts come from the benchmark's own in-process pass."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from bench import benchmark
from clients.models import Client
from sessions.models import Addendum, SessionStatus, TherapySession
from tests.factories import (
    ClientFactory,
    GoalFactory,
    GoalRatingFactory,
    TherapySessionFactory,
)

# Queries per request: the sign-in session, user and second-factor device
# lookups and the audit event (one INSERT on pages that show client data)
# included.
BUDGETS = {
    "caseload": 8,  # 7 before the emergency-access notice (#18)
    # 8 before requests to change the record (#20), 9 before the next
    # appointments and 10 before the attempts on its timeline (#21).
    "client page": 11,
    "note page": 8,
    "session save": 16,
    "team dashboard": 6,  # 5 before the emergency reviews waiting (#18)
    "search": 5,
    "search (supervisor)": 5,
    "audit report": 7,
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
    before = _counts(cast)
    _grow(cast)
    after = _counts(cast)

    assert before == after
    for page, budget in BUDGETS.items():
        assert before[page] <= budget, (page, before[page])
