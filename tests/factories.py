"""One factory per model. All data is obviously fictional."""

from __future__ import annotations

import datetime
import uuid

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from appointments.models import Appointment
from clients.models import Client, EmergencyGrant, EmergencyReason, Wants
from goals.models import Goal, GoalArea, GoalRating
from sessions.models import EnteredHow, FollowUp, RelationshipCheckIn, TherapySession
from staff.models import ChangedField, Role, StaffChange, User


class UserFactory(DjangoModelFactory[User]):
    class Meta:
        model = User
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"staff{n}")
    display_name = factory.Sequence(lambda n: f"Test Staff {n}")
    email = factory.LazyAttribute(lambda o: f"{o.username}@example.invalid")
    password = factory.django.Password("test-password-123")
    role = Role.CLINICIAN
    credentials = "LPCC"


class ClinicianFactory(UserFactory):
    role = Role.CLINICIAN


class SupervisorFactory(UserFactory):
    role = Role.SUPERVISOR
    credentials = "LICSW"


class AdminFactory(UserFactory):
    role = Role.ADMIN
    credentials = ""


class ClientFactory(DjangoModelFactory[Client]):
    class Meta:
        model = Client

    chosen_name = factory.Sequence(lambda n: f"Test Client {n}")
    pronouns = "they/them"
    clinician = factory.SubFactory(ClinicianFactory)


class EmergencyGrantFactory(DjangoModelFactory[EmergencyGrant]):
    """An unexpired read-only grant to a colleague outside the care team.
    (Made directly: the service, clients.services.emergency_grant_create, is
    tested through the pages; an expired grant is inserted with SQL, by the
    database clock: tests/test_emergency_access.py.)"""

    class Meta:
        model = EmergencyGrant

    client = factory.SubFactory(ClientFactory)
    grantee = factory.SubFactory(ClinicianFactory)
    client_clinician = factory.LazyAttribute(lambda grant: grant.client.clinician)
    reason = EmergencyReason.SAFETY
    explanation = "Test explanation: a colleague is away."
    expires_at = factory.LazyFunction(
        lambda: timezone.now() + datetime.timedelta(hours=3)
    )


class GoalFactory(DjangoModelFactory[Goal]):
    class Meta:
        model = Goal

    client = factory.SubFactory(ClientFactory)
    wording = factory.Sequence(lambda n: f"Test goal wording {n}")
    area = GoalArea.SAFER_USE
    created_by = factory.LazyAttribute(lambda o: o.client.clinician)


class GoalRatingFactory(DjangoModelFactory[GoalRating]):
    class Meta:
        model = GoalRating

    goal = factory.SubFactory(GoalFactory)
    score = 5
    recorded_by = factory.LazyAttribute(lambda o: o.goal.client.clinician)


class StaffChangeFactory(DjangoModelFactory[StaffChange]):
    class Meta:
        model = StaffChange

    staff = factory.SubFactory(ClinicianFactory)
    changed_by = factory.SubFactory(AdminFactory)
    field = ChangedField.REQUIRES_COSIGN
    old_value = "No"
    new_value = "Yes"


class TherapySessionFactory(DjangoModelFactory[TherapySession]):
    class Meta:
        model = TherapySession

    client = factory.SubFactory(ClientFactory)
    clinician = factory.LazyAttribute(lambda o: o.client.clinician)
    duration_minutes = 50
    sections = factory.Sequence(
        lambda n: {"brought": f"Test note text {n}", "did": "Talked it through"}
    )


class AppointmentFactory(DjangoModelFactory[Appointment]):
    class Meta:
        model = Appointment

    client = factory.SubFactory(ClientFactory)
    clinician = factory.LazyAttribute(lambda o: o.client.clinician)
    created_by = factory.LazyAttribute(lambda o: o.client.clinician)
    starts_at = factory.LazyFunction(
        lambda: timezone.now().replace(microsecond=0) + datetime.timedelta(days=1)
    )
    duration_minutes = 50


class FollowUpFactory(DjangoModelFactory[FollowUp]):
    """A follow-up agreed in a draft (PostgreSQL adds them to drafts only; sign
    the draft afterwards for a signed note's)."""

    class Meta:
        model = FollowUp

    session = factory.SubFactory(TherapySessionFactory)
    client = factory.LazyAttribute(lambda o: o.session.client)
    row_key = factory.LazyFunction(uuid.uuid4)
    text = factory.Sequence(lambda n: f"Test follow-up {n}")
    created_by = factory.LazyAttribute(lambda o: o.session.clinician)


class RelationshipCheckInFactory(DjangoModelFactory[RelationshipCheckIn]):
    class Meta:
        model = RelationshipCheckIn

    session = factory.SubFactory(TherapySessionFactory)
    client = factory.LazyAttribute(lambda o: o.session.client)
    entered_by = factory.LazyAttribute(lambda o: o.session.clinician)
    entered_how = EnteredHow.WITH_CLINICIAN
    heard = 7
    wanted = 7
    honest = 7
    helped = 7


class WantsFactory(DjangoModelFactory[Wants]):
    class Meta:
        model = Wants

    client = factory.SubFactory(ClientFactory)
    written_by = factory.LazyAttribute(lambda o: o.client.clinician)
    words = factory.Sequence(lambda n: f"Test wants words {n}")
