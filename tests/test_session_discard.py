"""Discarding a draft: kept, marked with who and when, counted nowhere, never
deleted, never changed again."""

from __future__ import annotations

import datetime
from collections.abc import Callable

import pytest
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.test import Client as HttpClient
from django.urls import reverse
from django.utils import timezone
from django_webtest import DjangoTestApp

from audit.models import Action, AuditEvent
from clients.models import Client
from clients.selectors import team_summary
from goals.models import GoalRating
from sessions.models import SessionStatus, TherapySession
from sessions.selectors import waiting_counts
from sessions.services import therapy_session_sign
from staff.models import User
from tests.factories import GoalFactory, TherapySessionFactory

Web = Callable[[User | None], DjangoTestApp]


@pytest.fixture
def draft(client_record: Client) -> TherapySession:
    return TherapySessionFactory.create(
        client=client_record,
        sections={"brought": "Started by mistake: wrong person zebrafinch"},
        created_at=timezone.now() - datetime.timedelta(days=5),
    )


def _discard(app: DjangoTestApp, draft: TherapySession) -> DjangoTestApp:
    edit = app.get(reverse("sessions:update", args=[draft.pk]))
    confirm = edit.click(description="Discard this draft")
    assert "Discard this draft?" in confirm.text
    return confirm.forms["discard-form"].submit()


def _search(app: DjangoTestApp, words: str) -> str:
    form = app.get(reverse("sessions:search_results")).forms[1]
    form["q"] = words
    return str(form.submit().follow().text)


def test_the_author_discards_a_draft_after_confirming(
    web: Web, clinician: User, draft: TherapySession
) -> None:
    response = _discard(web(clinician), draft)
    assert response.status_code == 302
    assert response["Location"] == reverse("sessions:list", args=[draft.client_id])
    draft.refresh_from_db()
    assert draft.status == SessionStatus.DISCARDED
    assert draft.discarded_by == clinician
    assert draft.discarded_at is not None
    assert abs(draft.discarded_at - timezone.now()) < datetime.timedelta(minutes=1)
    assert draft.sections["brought"].startswith("Started by mistake")  # kept
    assert AuditEvent.objects.filter(
        action=Action.DISCARD, object_id=str(draft.pk)
    ).exists()
    timeline = response.follow()
    assert "Draft discarded." in timeline.text
    assert "Discarded" in timeline.text  # still in the timeline, greyed


def test_opening_the_confirmation_changes_nothing(
    web: Web, clinician: User, draft: TherapySession
) -> None:
    web(clinician).get(reverse("sessions:discard", args=[draft.pk]))
    draft.refresh_from_db()
    assert draft.status == SessionStatus.DRAFT


def test_the_confirmation_is_not_read_only_on_the_authors_own_caseload(
    web: Web, clinician: User, draft: TherapySession
) -> None:
    page = web(clinician).get(reverse("sessions:discard", args=[draft.pk]))
    assert "Discard this draft?" in page.text
    assert "read-only-caseload" not in page.text


def test_a_discarded_draft_is_counted_nowhere(
    web: Web,
    clinician: User,
    supervisor: User,
    draft: TherapySession,
) -> None:
    before = team_summary(supervisor=supervisor)[0]
    assert (before.old_drafts, before.recent_sessions) == (1, 1)
    assert "1 note found." in _search(web(clinician), "zebrafinch")
    _discard(web(clinician), draft)

    assert waiting_counts(user=clinician)["drafts"] == 0
    after = team_summary(supervisor=supervisor)[0]
    assert (after.old_drafts, after.recent_sessions) == (0, 0)
    app = web(clinician)
    assert "1 draft" not in app.get(reverse("clients:list")).text
    drafts = app.get(reverse("sessions:mine"), {"show": "drafts"})
    assert "Nothing here." in drafts.text
    assert "0 notes found." in _search(app, "zebrafinch")
    lead = web(supervisor)
    for kind in ("drafts", "sessions"):
        page = lead.get(reverse(f"team:member_{kind}", args=[clinician.pk]))
        assert "Robin Example" not in page.text


def test_a_discarded_draft_cannot_be_edited_signed_or_autosaved(
    web: Web, clinician: User, draft: TherapySession
) -> None:
    app = web(clinician)
    edit = app.get(reverse("sessions:update", args=[draft.pk]))
    form = edit.forms["session-form"]
    _discard(app, draft)
    # The tab that was still open on the draft: its autosave is told why.
    fields = dict(form.submit_fields())
    fields["section_brought"] = "typed later"
    autosave = app.post(
        form.action,
        fields,
        headers={"X-Autosave": "1", "X-CSRFToken": fields["csrfmiddlewaretoken"]},
        expect_errors=True,
    )
    assert autosave.status_code == 400
    assert "signed or discarded" in autosave.json["message"]
    # Saving that form the ordinary way lands on the note, with a reason.
    saved = form.submit("action", value="save").follow()
    assert "This draft was discarded." in saved.text
    sign = app.get(reverse("sessions:sign", args=[draft.pk])).follow()
    assert "This draft was discarded." in sign.text
    draft.refresh_from_db()
    assert draft.status == SessionStatus.DISCARDED
    assert draft.sections["brought"].startswith("Started by mistake")


def test_a_signed_note_cannot_be_discarded(
    as_clinician: HttpClient, clinician: User, draft: TherapySession
) -> None:
    therapy_session_sign(session=draft, by=clinician, expected_version=1)
    response = as_clinician.post(reverse("sessions:discard", args=[draft.pk]))
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.status == SessionStatus.SIGNED


def test_ratings_in_a_discarded_draft_leave_the_goal_and_stay_with_the_draft(
    web: Web, clinician: User, draft: TherapySession
) -> None:
    goal = GoalFactory.create(client=draft.client, wording="Sleep somewhere safe")
    GoalRating.objects.create(
        goal=goal,
        session=draft,
        score=4,
        comment="getting there",
        recorded_by=clinician,
    )
    app = web(clinician)
    confirm = app.get(reverse("sessions:discard", args=[draft.pk]))
    assert "The 1 goal rating given in it leaves the goals" in confirm.text
    confirm.forms["discard-form"].submit()
    assert not GoalRating.objects.filter(goal=goal).exists()
    draft.refresh_from_db()
    assert draft.discarded_ratings is not None
    assert draft.discarded_ratings[0]["score"] == 4
    note = app.get(draft.get_absolute_url())
    assert "Discarded by" in note.text
    assert "Sleep somewhere safe" in note.text
    assert "getting there" in note.text
    assert "Continue the draft" not in note.text


def test_others_cannot_discard(
    web: Web,
    outsider: User,
    supervisor: User,
    draft: TherapySession,
) -> None:
    url = reverse("sessions:discard", args=[draft.pk])
    assert web(outsider).get(url, expect_errors=True).status_code == 404
    # The supervisor may read the draft, not change it.
    assert web(supervisor).get(url, expect_errors=True).status_code == 403
    anonymous = web(None).get(url)
    assert anonymous.status_code == 302
    assert reverse("login") in anonymous["Location"]
    draft.refresh_from_db()
    assert draft.status == SessionStatus.DRAFT


def test_the_database_keeps_a_discarded_draft_as_it_was(
    web: Web, clinician: User, draft: TherapySession
) -> None:
    _discard(web(clinician), draft)
    table = TherapySession._meta.db_table
    for statement in (
        f"UPDATE {table} SET sections = '{{}}'::jsonb WHERE id = %s",
        f"UPDATE {table} SET status = 'signed', signed_at = now(),"
        " discarded_at = NULL, discarded_by_id = NULL WHERE id = %s",
        f"UPDATE {table} SET status = 'draft', discarded_at = NULL,"
        " discarded_by_id = NULL WHERE id = %s",
        f"DELETE FROM {table} WHERE id = %s",
    ):
        with pytest.raises(DatabaseError), transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute(statement, [draft.pk])


def test_only_a_draft_can_become_discarded_in_the_database(
    clinician: User, draft: TherapySession
) -> None:
    table = TherapySession._meta.db_table
    with pytest.raises(IntegrityError), transaction.atomic():
        with connection.cursor() as cursor:  # no who and when
            cursor.execute(
                f"UPDATE {table} SET status = 'discarded' WHERE id = %s", [draft.pk]
            )
    therapy_session_sign(session=draft, by=clinician, expected_version=1)
    with pytest.raises(DatabaseError), transaction.atomic():
        with connection.cursor() as cursor:  # signed: locked
            cursor.execute(
                f"UPDATE {table} SET status = 'discarded', signed_at = NULL,"
                " discarded_at = now(), discarded_by_id = %s WHERE id = %s",
                [clinician.pk, draft.pk],
            )
