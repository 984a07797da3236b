from __future__ import annotations

import datetime
import uuid

import pytest
from django.test import Client as HttpClient
from django.urls import reverse
from django.utils import timezone
from pytest_django.asserts import assertContains, assertNotContains

from clients.models import Client
from hr_clinic.lib.csv import safe_cell
from sessions.models import Review, ReviewStatus, TherapySession
from sessions.services import therapy_session_sign
from staff.models import User
from tests.dashboard import figure_url, figures, rows
from tests.exports import csv_rows
from tests.factories import (
    ClientFactory,
    ClinicianFactory,
    GoalFactory,
    SupervisorFactory,
    TherapySessionFactory,
)
from tests.querycount import queries_for_get
from tests.signin import signed_in

DASHBOARD = reverse("team:dashboard")
QUEUE = reverse("sessions:review_queue")


@pytest.fixture
def intern(supervisor: User) -> User:
    return ClinicianFactory.create(
        username="intern", supervisor=supervisor, requires_cosign=True
    )


@pytest.fixture
def waiting_note(intern: User) -> TherapySession:
    client = ClientFactory.create(clinician=intern, chosen_name="Quinn Example")
    note = TherapySessionFactory.create(client=client)
    return therapy_session_sign(session=note, by=intern, expected_version=1)


def _as(user: User) -> HttpClient:
    return signed_in(user)


def test_signing_by_someone_who_needs_it_puts_the_note_in_the_queue(
    waiting_note: TherapySession, as_supervisor: HttpClient
) -> None:
    assert waiting_note.review_status == ReviewStatus.WAITING
    assertContains(as_supervisor.get(QUEUE), "Quinn Example")


def test_a_note_that_needs_no_cosignature_is_not_queued(
    client_record: Client, clinician: User, as_supervisor: HttpClient
) -> None:
    note = TherapySessionFactory.create(client=client_record)
    note = therapy_session_sign(session=note, by=clinician, expected_version=1)
    assert note.review_status == ""
    assertNotContains(as_supervisor.get(QUEUE), "Robin Example")


def test_supervisor_sees_exactly_their_supervisees(
    as_supervisor: HttpClient, clinician: User, intern: User, outsider: User
) -> None:
    page = as_supervisor.get(DASHBOARD)
    assert rows(page) == {clinician.pk, intern.pk}


def test_dashboard_figures_and_the_lists_behind_them(
    as_supervisor: HttpClient, intern: User, waiting_note: TherapySession
) -> None:
    old = timezone.now() - datetime.timedelta(days=5)
    TherapySessionFactory.create(client=waiting_note.client, created_at=old)
    ClientFactory.create(
        clinician=intern,
        chosen_name="Long Quiet",
        intake_date=timezone.localdate() - datetime.timedelta(days=60),
    )
    page = as_supervisor.get(DASHBOARD)
    member = figures(page, intern)
    assert (member["clients"], member["reach-out"], member["waiting"]) == (2, 1, 1)
    assert (member["drafts"], member["returned"], member["sessions"]) == (1, 0, 2)
    lists = {
        "clients": "Quinn Example",
        "reach-out": "Long Quiet",
        "waiting": "Quinn Example",
        "drafts": "Quinn Example",
        "sessions": "Quinn Example",
    }
    for kind, expected in lists.items():
        route = "team:member_" + kind.replace("-", "_")
        listing = as_supervisor.get(reverse(route, args=[intern.pk]))
        assertContains(listing, expected)
        assertContains(listing, "Read only")


FIGURES = {
    "clients": "active_clients",
    "reach-out": "reach_out",
    "sessions": "recent_sessions",
    "drafts": "old_drafts",
    "waiting": "waiting",
    "returned": "returned",
}


def test_each_dashboard_figure_counts_what_its_list_shows(
    as_supervisor: HttpClient, supervisor: User
) -> None:
    """The dashboard's figures are counted in SQL of their own; each must match
    the list it links to, with rows either side of every condition."""
    member = ClinicianFactory.create(
        supervisor=supervisor, display_name="", first_name="Ash", last_name="Sample"
    )
    now = timezone.now()
    today = timezone.localdate()
    quiet = today - datetime.timedelta(days=60)
    days = datetime.timedelta(days=1)
    seen = ClientFactory.create(clinician=member, intake_date=quiet)
    ClientFactory.create(clinician=member, intake_date=quiet)  # never seen: due
    ClientFactory.create(clinician=member, intake_date=today)  # new: not due
    ClientFactory.create(clinician=member, status="paused", intake_date=quiet)
    ClientFactory.create(
        clinician=member,
        status="closed",
        closed_reason="moved",
        closed_on=today,
        intake_date=quiet,
    )
    long_ago = ClientFactory.create(clinician=member, intake_date=quiet)
    TherapySessionFactory.create(client=long_ago, started_at=now - 40 * days)
    TherapySessionFactory.create(client=seen, started_at=now - 2 * days)
    TherapySessionFactory.create(client=seen, created_at=now - 5 * days)
    TherapySessionFactory.create(client=seen, created_at=now - 2 * days)
    for review_status in ("waiting", "waiting", "returned", "cosigned", ""):
        TherapySessionFactory.create(
            client=seen,
            status="signed",
            signed_at=now - 10 * days,
            started_at=now - 10 * days,
            created_at=now - 10 * days,
            review_status=review_status,
        )
    page = as_supervisor.get(DASHBOARD)
    row = figures(page, member)
    assertContains(page, '<th scope="row">Ash Sample</th>', html=True)
    for kind in FIGURES:
        listing = as_supervisor.get(figure_url(kind, member))
        assert row[kind] == listing.context["page"].paginator.count, kind
    assert (row["clients"], row["reach-out"], row["sessions"]) == (4, 2, 8)
    assert (row["drafts"], row["waiting"], row["returned"]) == (1, 2, 1)


def test_other_supervisor_gets_404_on_all_of_the_team(
    as_other_supervisor: HttpClient, intern: User, waiting_note: TherapySession
) -> None:
    for kind in ("clients", "reach-out", "sessions", "drafts", "waiting", "returned"):
        url = reverse("team:member_" + kind.replace("-", "_"), args=[intern.pk])
        assert as_other_supervisor.get(url).status_code == 404
    assert as_other_supervisor.get(waiting_note.get_absolute_url()).status_code == 404
    cosign = reverse("sessions:cosign", args=[waiting_note.pk])
    assert as_other_supervisor.post(cosign).status_code == 404
    assertNotContains(as_other_supervisor.get(QUEUE), "Quinn Example")


SUPERVISION_URLS: list[tuple[str, list[object]]] = [
    ("team:dashboard", []),
    ("team:reach_out", []),
    ("team:export", []),
    ("sessions:review_queue", []),
]


@pytest.mark.parametrize(("name", "args"), SUPERVISION_URLS)
def test_clinicians_and_admins_get_404_on_supervision_pages(
    as_clinician: HttpClient, as_admin: HttpClient, name: str, args: list[object]
) -> None:
    for http in (as_clinician, as_admin):
        assert http.get(reverse(name, args=args)).status_code == 404


def test_clinicians_get_404_on_review_actions(
    as_clinician: HttpClient, clinician: User, waiting_note: TherapySession
) -> None:
    for name in ("cosign", "return"):
        url = reverse(f"sessions:{name}", args=[waiting_note.pk])
        assert as_clinician.post(url, {"comment": "x"}).status_code == 404
    url = reverse("team:member_clients", args=[clinician.pk])
    assert as_clinician.get(url).status_code == 404
    waiting_note.refresh_from_db()
    assert waiting_note.review_status == ReviewStatus.WAITING


def test_cosign_once(
    as_supervisor: HttpClient, waiting_note: TherapySession, supervisor: User
) -> None:
    url = reverse("sessions:cosign", args=[waiting_note.pk])
    assert as_supervisor.post(url).status_code == 302
    again = as_supervisor.post(url, follow=True)
    assertContains(again, "not waiting for co-signature")
    assert Review.objects.filter(session=waiting_note).count() == 1
    waiting_note.refresh_from_db()
    assert waiting_note.review_status == ReviewStatus.COSIGNED
    page = as_supervisor.get(waiting_note.get_absolute_url())
    author = waiting_note.clinician
    # The supervisor reads the supervisee's note: the author and the client's
    # clinician are someone else, named all the same.
    assertContains(page, f"Signed by <strong>{author.signature}</strong>")
    assertContains(page, f"Read only: on {author.name}’s caseload.")
    assertContains(page, f"Co-signed by <strong>{supervisor.name}, LICSW</strong>")


def test_cosign_is_post_only(
    as_supervisor: HttpClient, waiting_note: TherapySession
) -> None:
    url = reverse("sessions:cosign", args=[waiting_note.pk])
    assert as_supervisor.get(url).status_code == 405


def test_return_answer_and_cosign(
    as_supervisor: HttpClient, intern: User, waiting_note: TherapySession
) -> None:
    back = reverse("sessions:return", args=[waiting_note.pk])
    assertContains(as_supervisor.post(back, {"comment": ""}), "Write a comment")
    as_supervisor.post(back, {"comment": "Please add the safety plan."})
    waiting_note.refresh_from_db()
    assert waiting_note.review_status == ReviewStatus.RETURNED
    # Returning twice is refused: it waits for the clinician now.
    again = as_supervisor.post(back, {"comment": "Again"})
    assertContains(again, "not waiting for co-signature")

    as_intern = _as(intern)
    caseload = as_intern.get(reverse("clients:list"))
    assertContains(caseload, "1 note returned with comments")
    note_page = as_intern.get(waiting_note.get_absolute_url())
    assertContains(note_page, "Please add the safety plan.")
    as_intern.post(
        reverse("sessions:addendum", args=[waiting_note.pk]),
        {
            "reason": "Answer",
            "text": "Safety plan: buddy system.",
            "form_token": str(uuid.uuid4()),
        },
    )
    waiting_note.refresh_from_db()
    assert waiting_note.review_status == ReviewStatus.WAITING
    as_supervisor.post(reverse("sessions:cosign", args=[waiting_note.pk]))
    waiting_note.refresh_from_db()
    assert waiting_note.review_status == ReviewStatus.COSIGNED


def test_a_supervisor_cannot_cosign_their_own_note(
    supervisor: User, as_supervisor: HttpClient
) -> None:
    # Even if someone ticked it: their notes wait for their own supervisor.
    supervisor.supervisor = SupervisorFactory.create()
    supervisor.requires_cosign = True
    supervisor.save()
    client = ClientFactory.create(clinician=supervisor)
    note = TherapySessionFactory.create(client=client)
    note = therapy_session_sign(session=note, by=supervisor, expected_version=1)
    as_supervisor.post(reverse("sessions:cosign", args=[note.pk]))
    assert not Review.objects.exists()


def test_reach_out_list_shows_how_to_reach_each_person(
    as_clinician: HttpClient, clinician: User
) -> None:
    ClientFactory.create(
        clinician=clinician,
        chosen_name="Quiet Quail",
        texts_ok=False,
        safe_times="After 6 pm",
        intake_date=timezone.localdate() - datetime.timedelta(days=40),
    )
    ClientFactory.create(clinician=clinician, chosen_name="Seen Today")
    page = as_clinician.get(reverse("clients:reach_out"))
    assertContains(page, "Quiet Quail")
    assertContains(page, "No texts")
    assertContains(page, "After 6 pm")
    assertNotContains(page, "Seen Today")
    assertNotContains(page, "Close the record")


def test_team_reach_out_list(
    as_supervisor: HttpClient, intern: User, outsider: User
) -> None:
    long_ago = timezone.localdate() - datetime.timedelta(days=40)
    ClientFactory.create(
        clinician=intern, chosen_name="Team Quail", intake_date=long_ago
    )
    ClientFactory.create(
        clinician=outsider, chosen_name="Other Quail", intake_date=long_ago
    )
    page = as_supervisor.get(reverse("team:reach_out"))
    assertContains(page, "Team Quail")
    assertNotContains(page, "Other Quail")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ('=HYPERLINK("x")', '\'=HYPERLINK("x")'),
        ("+1", "'+1"),
        ("-2", "'-2"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tTab", "'\tTab"),
        ("Robin", "Robin"),
        (3, "3"),
    ],
)
def test_csv_cells_are_neutralised(value: object, expected: str) -> None:
    assert safe_cell(value) == expected


def test_team_export_is_minimum_necessary_and_safe(
    as_supervisor: HttpClient, intern: User
) -> None:
    client = ClientFactory.create(clinician=intern, chosen_name="=cmd|' /C calc'!A0")
    GoalFactory.create(client=client)
    TherapySessionFactory.create(client=client, sections={"did": "Secret note text"})
    response = as_supervisor.get(reverse("team:export"))
    assert response["Content-Type"].startswith("text/csv")
    body = response.content.decode()
    assert "Secret note text" not in body
    rows = csv_rows(body)
    assert rows[0] == [
        "client id",
        "chosen name",
        "clinician",
        "status",
        "last contact",
        "days since contact",
        "active goals",
    ]
    row = next(r for r in rows if r[0] == str(client.pk))
    assert row[1] == "'=cmd|' /C calc'!A0"
    assert row[6] == "1"


def test_dashboard_query_count_is_the_same_for_2_and_20_supervisees(
    as_supervisor: HttpClient, supervisor: User
) -> None:
    counts = []
    for size in (2, 20):
        while User.objects.filter(supervisor=supervisor).count() < size:
            member = ClinicianFactory.create(supervisor=supervisor)
            TherapySessionFactory.create(client=ClientFactory.create(clinician=member))
        counts.append(queries_for_get(as_supervisor, DASHBOARD))
    assert counts[0] == counts[1], counts
