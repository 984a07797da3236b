"""Every figure equals the length of the list it links to, also after clients
have moved between clinicians and teams (issue #16, item 10): the team
dashboard's six figures and its queue count, and a clinician's "waiting for
you" counts on their caseload."""

from __future__ import annotations

import datetime

import pytest
from django.test import Client as HttpClient
from django.urls import reverse
from django.utils import timezone
from pytest_django.asserts import assertContains

from clients.models import Client
from clients.services import client_reassign
from sessions.models import TherapySession
from staff.models import User
from tests.dashboard import figure_url, figures
from tests.factories import (
    ClientFactory,
    ClinicianFactory,
    TherapySessionFactory,
)
from tests.signin import signed_in

DAYS = datetime.timedelta(days=1)
# Each list behind a dashboard figure, with the TeamMember field of the figure.
TEAM_FIGURES = {
    "clients": "active_clients",
    "reach-out": "reach_out",
    "sessions": "recent_sessions",
    "drafts": "old_drafts",
    "waiting": "waiting",
    "returned": "returned",
}


def _notes(client: Client, author: User) -> None:
    """One of each kind of note the figures count, by `author`, and one of each
    they leave out."""
    now = timezone.now()

    def signed(review_status: str, **extra: object) -> TherapySession:
        fields = {
            "status": "signed",
            "signed_at": now - 3 * DAYS,
            "started_at": now - 3 * DAYS,
            "created_at": now - 3 * DAYS,
            "review_status": review_status,
            **extra,
        }
        return TherapySessionFactory.create(client=client, clinician=author, **fields)

    signed("")  # finished, recent
    signed("", started_at=now - 40 * DAYS)  # finished, long ago
    signed("waiting")
    signed("returned")
    signed("cosigned")
    TherapySessionFactory.create(
        client=client, clinician=author, created_at=now - 5 * DAYS
    )  # an old draft
    TherapySessionFactory.create(client=client, clinician=author)  # a new draft


@pytest.fixture
def moves(supervisor: User, outsider: User, admin_user: User) -> User:
    """A supervisee with a client who stays, one who moved to another team and
    one who came from it; notes of every kind on each, written before the moves."""
    member = ClinicianFactory.create(supervisor=supervisor, requires_cosign=True)
    stays = ClientFactory.create(clinician=member)
    leaves = ClientFactory.create(clinician=member)
    arrives = ClientFactory.create(clinician=outsider)
    for client, author in ((stays, member), (leaves, member), (arrives, outsider)):
        _notes(client, author)
    client_reassign(client=leaves, to_clinician=outsider, by=admin_user)
    client_reassign(client=arrives, to_clinician=member, by=admin_user)
    return member


def test_each_dashboard_figure_equals_its_list_after_reassignments(
    as_supervisor: HttpClient, moves: User
) -> None:
    page = as_supervisor.get(reverse("team:dashboard"))
    row = figures(page, moves)
    for kind in TEAM_FIGURES:
        listing = as_supervisor.get(figure_url(kind, moves))
        assert row[kind] == listing.context["page"].paginator.count, kind
    # What moved away finished is the new team's; what is unfinished still
    # waits here, on its author's supervisor.
    assert (row["clients"], row["sessions"]) == (2, 6 + 4)
    assert (row["drafts"], row["waiting"], row["returned"]) == (2, 2, 2)


def test_the_queue_count_equals_the_queue_after_reassignments(
    as_supervisor: HttpClient, moves: User
) -> None:
    page = as_supervisor.get(reverse("team:dashboard"))
    queue = as_supervisor.get(reverse("sessions:review_queue"))
    assertContains(
        page,
        f'<a class="btn btn-primary" href="{reverse("sessions:review_queue")}">'
        'Notes to co-sign <span class="badge text-bg-light">2</span></a>',
        html=True,
    )
    assert queue.context["page"].paginator.count == 2


def test_a_clinicians_waiting_counts_equal_their_lists_after_reassignments(
    moves: User,
) -> None:
    http = signed_in(moves)
    caseload = http.get(reverse("clients:list"))
    # What "Waiting for you" says on the caseload, and what each link lists.
    said = {
        "returned": "2 notes returned with comments",
        "drafts": "4 drafts",
        "waiting": "2 waiting for co-signature",
    }
    for show, words in said.items():
        assertContains(
            caseload,
            f'<a href="{reverse("sessions:mine")}?show={show}">{words}</a>',
            html=True,
        )
        listing = http.get(reverse("sessions:mine"), {"show": show})
        assert listing.context["page"].paginator.count == int(words.split()[0]), show


def test_the_new_teams_figures_equal_their_lists_too(
    as_other_supervisor: HttpClient, outsider: User, moves: User
) -> None:
    page = as_other_supervisor.get(reverse("team:dashboard"))
    row = figures(page, outsider)
    for kind in TEAM_FIGURES:
        listing = as_other_supervisor.get(figure_url(kind, outsider))
        assert row[kind] == listing.context["page"].paginator.count, kind
