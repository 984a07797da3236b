"""The database defends itself, as the role the app runs as (issue #18, part 4).

Each rule is tried with raw SQL as the app role (tests/db_roles.py) and seen
refused, and the app's own path through the services, under the same role, is
seen to work: a note's co-signature state moves only through a review or an
addendum row, a goal rating joins a note only while it is a draft, histories
are append-only, clients are never deleted, and no clinical table is ever
truncated.
"""

from __future__ import annotations

import uuid

import pytest
from django.db import connection

from clients.models import Client
from goals.models import Goal, GoalRating, GoalRevision, GoalStatusChange
from goals.services import goal_rate, goal_reword, goal_set_status
from sessions.models import ReviewStatus, SessionStatus, TherapySession
from sessions.services import (
    Rating,
    addendum_add,
    review_cosign,
    review_return,
    therapy_session_discard,
    therapy_session_save_draft,
    therapy_session_sign,
)
from staff.models import StaffChange, User
from staff.services import staff_update
from tests.db_roles import become_app_role, refusal
from tests.factories import (
    ClientFactory,
    ClinicianFactory,
    GoalFactory,
    GoalRatingFactory,
    StaffChangeFactory,
    TherapySessionFactory,
)

NOTES = "therapy_sessions_therapysession"

pytestmark = pytest.mark.django_db

SIGN = (
    f"UPDATE {NOTES} SET status = 'signed', signed_at = now(), review_status = %s"
    " WHERE id = %s"
)


@pytest.fixture
def intern(supervisor: User) -> User:
    return ClinicianFactory.create(
        username="intern", supervisor=supervisor, requires_cosign=True
    )


@pytest.fixture
def intern_client(intern: User) -> Client:
    return ClientFactory.create(clinician=intern)


def _draft(
    client: Client, by: User, ratings: dict[uuid.UUID, Rating | None]
) -> TherapySession:
    return therapy_session_save_draft(
        client=client,
        by=by,
        session=None,
        expected_version=None,
        form_token=uuid.uuid4(),
        note_format="hr",
        fields={"duration_minutes": 50},
        sections={"brought": "Test text", "did": "Talked"},
        ratings=ratings,
    )


def _signed_waiting(client: Client, by: User) -> TherapySession:
    note = TherapySessionFactory.create(client=client)
    return therapy_session_sign(session=note, by=by, expected_version=1)


# --- review status --------------------------------------------------------


@pytest.mark.parametrize("status", ["cosigned", "returned", "", "waiting"])
def test_review_status_cannot_be_set_by_update(
    intern_client: Client, intern: User, supervisor: User, status: str
) -> None:
    note = _signed_waiting(intern_client, intern)
    if status == "waiting":  # from returned back to waiting, without an addendum
        review_return(session=note, by=supervisor, comment="Add the plan.")
    become_app_role()
    error = refusal(
        f"UPDATE {NOTES} SET review_status = %s WHERE id = %s", [status, note.pk]
    )
    assert "changes only through a review or an addendum" in error


def test_a_note_needing_cosignature_cannot_be_signed_without_waiting(
    intern_client: Client,
) -> None:
    note = TherapySessionFactory.create(client=intern_client)
    become_app_role()
    sign = SIGN
    assert "exactly when its author needs it" in refusal(sign, ["", note.pk])
    assert "exactly when its author needs it" in refusal(sign, ["cosigned", note.pk])
    assert refusal(sign, ["waiting", note.pk]) == ""


def test_a_note_needing_no_cosignature_is_signed_without_waiting(
    client_record: Client,
) -> None:
    note = TherapySessionFactory.create(client=client_record)
    become_app_role()
    sign = SIGN
    assert "exactly when its author needs it" in refusal(sign, ["waiting", note.pk])
    assert refusal(sign, ["", note.pk]) == ""


def test_a_review_row_only_for_a_waiting_note_by_the_authors_supervisor(
    intern_client: Client, intern: User, supervisor: User, other_supervisor: User
) -> None:
    waiting = _signed_waiting(intern_client, intern)
    draft = TherapySessionFactory.create(client=intern_client)
    become_app_role()
    insert = (
        "INSERT INTO therapy_sessions_review (session_id, reviewer_id, decision,"
        " comment, created_at) VALUES (%s, %s, 'cosigned', '', now())"
    )
    assert "only the author's supervisor" in refusal(
        insert, [waiting.pk, other_supervisor.pk]
    )
    assert "only the author's supervisor" in refusal(insert, [waiting.pk, intern.pk])
    assert "not waiting" in refusal(insert, [draft.pk, supervisor.pk])
    assert refusal(insert, [waiting.pk, supervisor.pk]) == ""


def test_signing_returning_answering_and_cosigning_work_as_the_app_role(
    intern_client: Client, intern: User
) -> None:
    become_app_role()
    note = _signed_waiting(intern_client, intern)
    assert note.review_status == ReviewStatus.WAITING
    supervisor = intern.supervisor
    assert supervisor is not None
    review_return(session=note, by=supervisor, comment="Add the safety plan.")
    note.refresh_from_db()
    assert note.review_status == ReviewStatus.RETURNED
    addendum_add(session=note, by=intern, reason="Answer", text="Buddy system.")
    note.refresh_from_db()
    assert note.review_status == ReviewStatus.WAITING
    review_cosign(session=note, by=supervisor)
    note.refresh_from_db()
    assert note.review_status == ReviewStatus.COSIGNED
    # An addendum to a co-signed note leaves it co-signed.
    addendum_add(session=note, by=intern, reason="Late entry", text="Also strips.")
    note.refresh_from_db()
    assert note.review_status == ReviewStatus.COSIGNED


# --- goal ratings ------------------------------------------------------------


def _insert_rating(goal: Goal, session: TherapySession | None, by: User) -> str:
    return refusal(
        "INSERT INTO goals_goalrating (goal_id, session_id, score, comment,"
        " rated_on, recorded_by_id, created_at)"
        " VALUES (%s, %s, 5, '', current_date, %s, now())",
        [goal.pk, session.pk if session else None, by.pk],
    )


def test_no_rating_goes_into_a_signed_or_discarded_note(
    client_record: Client, clinician: User
) -> None:
    goal = GoalFactory.create(client=client_record)
    signed = _signed_waiting(client_record, clinician)
    discarded = therapy_session_discard(
        session=TherapySessionFactory.create(client=client_record), by=clinician
    )
    draft = TherapySessionFactory.create(client=client_record)
    become_app_role()
    assert "no rating can be added" in _insert_rating(goal, signed, clinician)
    assert "no rating can be added" in _insert_rating(goal, discarded, clinician)
    assert _insert_rating(goal, draft, clinician) == ""
    assert _insert_rating(goal, None, clinician) == ""


def test_a_rating_changes_only_while_its_note_is_a_draft(
    client_record: Client, clinician: User
) -> None:
    goal = GoalFactory.create(client=client_record)
    on_goal_page = GoalRatingFactory.create(goal=goal)
    draft = _draft(client_record, clinician, {goal.pk: Rating(4)})
    in_draft = GoalRating.objects.get(session=draft)
    signed_note = _draft(
        client_record,
        clinician,
        {GoalFactory.create(client=client_record).pk: Rating(7)},
    )
    therapy_session_sign(session=signed_note, by=clinician, expected_version=1)
    in_signed = GoalRating.objects.get(session=signed_note)
    become_app_role()
    for rating in (on_goal_page, in_signed):
        assert refusal(
            "UPDATE goals_goalrating SET score = 9 WHERE id = %s", [rating.pk]
        ), rating
        assert refusal("DELETE FROM goals_goalrating WHERE id = %s", [rating.pk])
    # A draft's rating stays with an open draft: not moved out, nor into a signed note.
    detach = "UPDATE goals_goalrating SET session_id = %s WHERE id = %s"
    assert "stays with a note" in refusal(detach, [None, in_draft.pk])
    assert "not a draft" in refusal(detach, [signed_note.pk, in_draft.pk])
    assert (
        refusal("UPDATE goals_goalrating SET score = 9 WHERE id = %s", [in_draft.pk])
        == ""
    )


def test_draft_ratings_are_rewritten_cleared_and_discarded_as_the_app_role(
    client_record: Client, clinician: User
) -> None:
    goal, other = GoalFactory.create_batch(2, client=client_record)
    become_app_role()
    draft = _draft(client_record, clinician, {goal.pk: Rating(3), other.pk: Rating(5)})
    draft = therapy_session_save_draft(
        client=client_record,
        by=clinician,
        session=draft,
        expected_version=draft.version,
        form_token=None,
        note_format="hr",
        fields={},
        sections={},
        ratings={goal.pk: Rating(6, "better"), other.pk: None},
    )
    assert [(r.goal_id, r.score) for r in draft.goal_ratings.all()] == [(goal.pk, 6)]
    therapy_session_discard(session=draft, by=clinician)
    draft.refresh_from_db()
    assert draft.status == SessionStatus.DISCARDED
    assert not GoalRating.objects.filter(session=draft).exists()
    assert draft.discarded_ratings is not None
    assert draft.discarded_ratings[0]["score"] == 6
    goal_rate(goal=goal, by=clinician, score=8)
    assert goal.ratings.get().score == 8


# --- append-only histories, clients never deleted -----------------------------


def _histories(client: Client, clinician: User, admin: User) -> None:
    """A row in each history: a rewording, a goal status change, a staff change."""
    goal = GoalFactory.create(client=client)
    goal_reword(
        goal=goal, by=clinician, wording="Walk daily", why_it_matters="", area=goal.area
    )
    goal_set_status(goal=goal, by=clinician, to_status="reached")
    StaffChangeFactory.create(staff=clinician, changed_by=admin)


def test_histories_are_append_only_for_the_app_role(
    client_record: Client, clinician: User, admin_user: User
) -> None:
    _histories(client_record, clinician, admin_user)
    note = _signed_waiting(client_record, clinician)
    addendum_add(session=note, by=clinician, reason="Late", text="More")
    become_app_role()
    for table in (
        "goals_goalrevision",
        "goals_goalstatuschange",
        "staff_staffchange",
        "therapy_sessions_addendum",
        "clients_statuschange",
        "clients_reassignment",
    ):
        assert "permission denied" in refusal(f"UPDATE {table} SET id = id"), table
        assert "permission denied" in refusal(f"DELETE FROM {table}"), table


@pytest.mark.owner_role
def test_histories_are_append_only_even_for_the_owner(
    client_record: Client, clinician: User, admin_user: User
) -> None:
    _histories(client_record, clinician, admin_user)
    assert GoalRevision.objects.exists() and GoalStatusChange.objects.exists()
    for table in ("goals_goalrevision", "goals_goalstatuschange", "staff_staffchange"):
        assert "is append-only" in refusal(f"UPDATE {table} SET id = id"), table
        assert "is append-only" in refusal(f"DELETE FROM {table}"), table


@pytest.mark.owner_role
def test_clients_goals_and_notes_are_never_deleted(
    client_record: Client, clinician: User
) -> None:
    goal = GoalFactory.create(client=client_record)
    TherapySessionFactory.create(client=client_record)
    for table, pk in (
        ("clients_client", client_record.pk),
        ("goals_goal", goal.pk),
    ):
        # Even the owner (the trigger), and the app role by its grants too.
        assert "never deleted" in refusal(
            f"DELETE FROM {table} WHERE id = %s", [pk]
        ) or "append-only" in refusal(f"DELETE FROM {table} WHERE id = %s", [pk])
    become_app_role()
    for table in ("clients_client", "goals_goal", NOTES, "staff_user"):
        assert "permission denied" in refusal(f"DELETE FROM {table}"), table
    assert Client.objects.filter(pk=client_record.pk).exists()


def test_a_histories_normal_path_works_as_the_app_role(
    client_record: Client, clinician: User, admin_user: User
) -> None:
    become_app_role()
    goal = GoalFactory.create(client=client_record)
    goal_reword(
        goal=goal, by=clinician, wording="Walk daily", why_it_matters="", area=goal.area
    )
    goal_set_status(goal=goal, by=clinician, to_status="reached")
    staff_update(
        staff=clinician,
        by=admin_user,
        email=clinician.email,
        display_name="New Name",
        credentials=clinician.credentials,
        role=clinician.role,
        supervisor=clinician.supervisor,
        requires_cosign=True,
    )
    assert goal.revisions.count() == 1 and goal.status_changes.count() == 1
    assert StaffChange.objects.filter(staff=clinician).exists()


# --- what the role split refuses outright ---------------------------------------

CLINICAL_TABLES = [
    "clients_client",
    "clients_statuschange",
    "clients_reassignment",
    NOTES,
    "therapy_sessions_addendum",
    "therapy_sessions_review",
    "therapy_sessions_counselingnote",
    "therapy_sessions_counselingnoterevision",
    "therapy_sessions_followup",
    "measures_measureresponse",
    "measures_safetycheck",
    "goals_goal",
    "goals_goalrevision",
    "goals_goalstatuschange",
    "goals_goalrating",
    "staff_staffchange",
    "staff_user",
    "audit_auditevent",
]


@pytest.mark.owner_role
@pytest.mark.parametrize("table", CLINICAL_TABLES)
def test_no_clinical_table_is_ever_truncated(table: str) -> None:
    # The owner: refused by the table's guard.
    assert "TRUNCATE refused" in refusal(f"TRUNCATE {table} CASCADE") or (
        "append-only" in refusal(f"TRUNCATE {table} CASCADE")
    )
    become_app_role()
    assert "permission denied" in refusal(f"TRUNCATE {table} CASCADE")


@pytest.mark.parametrize(
    "statement",
    [
        f"ALTER TABLE {NOTES} DISABLE TRIGGER USER",
        "ALTER TABLE audit_auditevent DISABLE TRIGGER audit_no_update_delete",
        f"ALTER TABLE {NOTES} DROP CONSTRAINT session_status_valid",
        "DROP TRIGGER therapy_sessions_lock_note ON therapy_sessions_therapysession",
        "SET session_replication_role = replica",
        "CREATE TABLE public.sneaky (id int)",
        "CREATE FUNCTION public.sneaky() RETURNS int LANGUAGE sql AS 'SELECT 1'",
        "CREATE ROLE sneaky SUPERUSER",
    ],
)
def test_the_app_role_cannot_change_the_rules(statement: str) -> None:
    become_app_role()
    error = refusal(statement)
    assert "permission denied" in error or "must be owner" in error, error


def test_the_app_role_owns_nothing_and_is_not_a_superuser() -> None:
    become_app_role()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT rolsuper, rolcreaterole, rolcreatedb, rolbypassrls FROM pg_roles"
            " WHERE rolname = current_user"
        )
        assert cursor.fetchone() == (False, False, False, False)
        cursor.execute(
            "SELECT count(*) FROM pg_class c"
            " JOIN pg_namespace n ON n.oid = c.relnamespace"
            " WHERE n.nspname = 'public' AND pg_has_role(c.relowner, 'USAGE')"
        )
        assert cursor.fetchone() == (0,)
