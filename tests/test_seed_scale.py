from __future__ import annotations

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db.models import Count, F
from django.test import Client as HttpClient
from django.urls import reverse
from django.utils import timezone

from appointments.models import Appointment, AppointmentSeries, Outcome
from audit.models import AuditEvent
from bench import scale
from clients.models import Client, ClientStatus
from goals.models import Goal, GoalRating, GoalRevision
from sessions.models import Review, SessionStatus, TherapySession
from staff.models import Role, User
from tests.factories import ClinicianFactory

TINY = [
    *("--staff", "12", "--clients", "30", "--sessions", "200", "--goals", "20"),
    *("--audit-events", "40"),
]

# Even at its smallest the seeder fills every table; a bulk load is the owner's
# work (bench tooling, never the app), so it runs as the owner.
pytestmark = [pytest.mark.slow, pytest.mark.owner_role]


@pytest.fixture(autouse=True)
def _bench(bench_app: None) -> None:
    """seed_scale is a command of the bench app (bench.settings, `make bench`)."""


def _seed(*args: str) -> str:
    out = StringIO()
    call_command("seed_scale", *args, stdout=out)
    return out.getvalue()


@pytest.mark.django_db
def test_tiny_seed_makes_the_expected_records() -> None:
    output = _seed(*TINY, "--ratings-per-goal", "3")

    assert User.objects.count() == 12
    assert User.objects.filter(role=Role.ADMIN).count() == 1
    assert User.objects.filter(role=Role.SUPERVISOR).count() == 1
    clinicians = User.objects.filter(role=Role.CLINICIAN)
    assert clinicians.count() == 10
    assert not clinicians.filter(supervisor__isnull=True).exists()
    assert Client.objects.count() == 30
    assert TherapySession.objects.count() == 200
    assert TherapySession.objects.filter(status=SessionStatus.DRAFT).exists()
    assert Goal.objects.count() == 20
    assert GoalRevision.objects.count() == 20
    assert GoalRating.objects.count() == 60
    assert Review.objects.filter(session__clinician__requires_cosign=False).count() == 0
    # Every note is written by its client's clinician, and search finds notes.
    assert not TherapySession.objects.exclude(clinician=F("client__clinician")).exists()
    common = scale.vocabulary()[0]
    assert TherapySession.objects.filter(search_vector=common).count() > 100
    assert "Seeded in" in output and "\r" in output  # a carriage-return progress bar
    # The audit trail is seeded through its triggers: numbered and chained.
    assert AuditEvent.objects.count() == 40
    call_command("verify_audit", stdout=StringIO())


@pytest.mark.django_db
def test_seeded_staff_can_sign_in_with_the_documented_password() -> None:
    _seed(*TINY)
    http = HttpClient()

    response = http.post(
        reverse("login"),
        {"username": "scale-clinician-001", "password": scale.SCALE_PASSWORD},
    )

    # The password step passes; the second factor is set up at first sign-in.
    assert response.status_code == 302
    assert http.get(reverse("clients:list"))["Location"].startswith(
        reverse("mfa_enrol")
    )


@pytest.mark.django_db
def test_a_second_run_is_refused_clearly() -> None:
    _seed(*TINY)

    with pytest.raises(CommandError, match="already holds scale data"):
        _seed(*TINY)
    assert User.objects.count() == 12


@pytest.mark.django_db
def test_if_empty_skips_a_seeded_database() -> None:
    _seed(*TINY)

    assert "nothing to do" in _seed(*TINY, "--if-empty")
    assert TherapySession.objects.count() == 200


@pytest.mark.django_db
def test_a_database_with_other_data_is_refused_without_force() -> None:
    ClinicianFactory.create(username="someone")

    with pytest.raises(CommandError, match="--force"):
        _seed(*TINY)
    assert Client.objects.count() == 0

    _seed(*TINY, "--force")
    assert Client.objects.count() == 30


@pytest.mark.django_db
def test_two_appointments_a_week_for_a_year_for_each_active_client() -> None:
    now = timezone.now()
    _seed(*TINY)

    active = Client.objects.filter(status=ClientStatus.ACTIVE)
    series = AppointmentSeries.objects.all()
    appointments = Appointment.objects.all()
    assert series.count() == 2 * active.count()
    assert set(series.values_list("client_id", flat=True)) == set(
        active.values_list("pk", flat=True)
    )
    # A year back and four weeks ahead: 56 or 57 weekly occurrences a series.
    assert set(
        appointments.values("series")
        .annotate(n=Count("pk"))
        .values_list("n", flat=True)
    ) <= {56, 57}
    assert appointments.count() == sum(series.values_list("count", flat=True))
    assert appointments.filter(starts_at__gt=now + timedelta(weeks=3)).exists()
    assert not appointments.filter(starts_at__lt=now - timedelta(weeks=53)).exists()
    # Booked by the person who sees them, on a workday in working hours, in the
    # service's time zone.
    assert not appointments.exclude(clinician=F("client__clinician")).exists()
    assert not appointments.exclude(created_by=F("clinician")).exists()
    for starts_at in appointments.values_list("starts_at", flat=True)[:500]:
        local = timezone.localtime(starts_at)
        assert local.weekday() < 5 and 9 <= local.hour < 17
    # The past ones: mostly met, some the person didn't make it to, some
    # cancelled; outcomes recorded by the clinician; none linked to a note.
    past = appointments.filter(starts_at__lt=now - timedelta(hours=1))  # 60 min at most
    shares = dict(
        past.values("outcome").annotate(n=Count("pk")).values_list("outcome", "n")
    )
    assert shares[Outcome.MET] > 0.7 * past.count()
    for outcome in (
        Outcome.DIDNT_MAKE_IT,
        Outcome.CANCELLED_CLIENT,
        Outcome.CANCELLED_US,
    ):
        assert shares[outcome] > 0
    recorded = appointments.exclude(outcome="")
    assert not recorded.exclude(outcome_recorded_by=F("clinician")).exists()
    assert not appointments.filter(session__isnull=False).exists()
    # Still to come: nothing happened yet, or the person cancelled ahead.
    assert set(
        appointments.filter(starts_at__gt=now).values_list("outcome", flat=True)
    ) <= {"", Outcome.CANCELLED_CLIENT}


@pytest.mark.django_db
def test_a_database_seeded_before_appointments_gets_them_once() -> None:
    _seed(*TINY, "--appointments-per-week", "0")
    assert not Appointment.objects.exists()

    added = _seed(*TINY, "--if-empty")
    count = Appointment.objects.count()

    assert f"added {count} appointments" in added
    assert AppointmentSeries.objects.count() == 2 * (
        Client.objects.filter(status=ClientStatus.ACTIVE).count()
    )
    assert "nothing to do" in _seed(*TINY, "--if-empty")
    assert Appointment.objects.count() == count
