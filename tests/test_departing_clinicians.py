"""Unfinished notes of a clinician who left, or whose client moved on: they stay
reachable, the supervisor can co-sign and hand drafts on, and the new clinician
finishes a handed-over draft as their own note (issue #16, item 7)."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.test import Client as HttpClient
from django.urls import reverse
from django.utils import timezone
from pytest_django.asserts import assertContains, assertNotContains

from audit.models import AuditEvent
from clients.models import Client
from clients.services import client_reassign
from goals.models import GoalRating
from sessions.models import ReviewStatus, SessionStatus, TherapySession
from sessions.services import therapy_session_sign
from staff.models import User
from staff.services import staff_deactivate
from tests.dashboard import figures, has_row
from tests.factories import (
    ClientFactory,
    ClinicianFactory,
    GoalFactory,
    GoalRatingFactory,
    SupervisorFactory,
    TherapySessionFactory,
)
from tests.signin import signed_in
from tests.web import post_forms

QUEUE = reverse("sessions:review_queue")


@pytest.fixture
def intern(supervisor: User) -> User:
    return ClinicianFactory.create(
        username="intern", supervisor=supervisor, requires_cosign=True
    )


@pytest.fixture
def moved_client(intern: User) -> Client:
    return ClientFactory.create(clinician=intern, chosen_name="Sky Moving")


@pytest.fixture
def draft(moved_client: Client) -> TherapySession:
    return TherapySessionFactory.create(
        client=moved_client,
        duration_minutes=40,
        sections={"brought": "Wants to talk about housing", "did": "Made a plan"},
        naloxone_on_hand=True,
        test_strips_given=4,
        referrals="Housing support",
        started_at=timezone.now() - datetime.timedelta(days=1),
    )


@pytest.fixture
def waiting_note(moved_client: Client, intern: User) -> TherapySession:
    note = TherapySessionFactory.create(client=moved_client)
    return therapy_session_sign(session=note, by=intern, expected_version=1)


def _move(client: Client, to: User, by: User) -> None:
    client_reassign(client=client, to_clinician=to, by=by)


def _own_form(page: Any) -> Any:
    """The page's own form, posting to itself (the nav's sign-out form and the
    idle warning's post elsewhere)."""
    forms: list[Any] = post_forms(page)
    return next(form for form in forms if not form.action)


def _sign(app: Any, note: TherapySession) -> None:
    """Sign `note` from its sign page, as its author would."""
    form = _own_form(app.get(reverse("sessions:sign", args=[note.pk])))
    form["confirm"] = True
    assert form.submit().status_code == 302


def test_after_a_move_the_supervisor_cosigns_the_waiting_note_from_the_queue(
    web, supervisor: User, outsider: User, admin_user: User, waiting_note
) -> None:
    """The issue's case: the client moved to another team; the note still waits
    on its author's supervisor, who found it in nobody's queue (404)."""
    _move(waiting_note.client, outsider, admin_user)
    app = web(supervisor)
    queue = app.get(QUEUE)
    assertContains(queue, "Sky Moving")
    page = queue.click(href=reverse("sessions:detail", args=[waiting_note.pk]))
    response = page.forms["cosign-form"].submit()
    assert response.status_code == 302
    waiting_note.refresh_from_db()
    assert waiting_note.review_status == ReviewStatus.COSIGNED


def test_after_a_move_the_author_still_finishes_and_signs_their_draft(
    web,
    intern: User,
    supervisor: User,
    outsider: User,
    other_supervisor: User,
    admin_user: User,
    draft,
) -> None:
    _move(draft.client, outsider, admin_user)
    app = web(intern)
    _sign(app, draft)
    draft.refresh_from_db()
    assert draft.status == SessionStatus.SIGNED
    assert draft.review_status == ReviewStatus.WAITING
    # …and it waits in the author's supervisor's queue, not the new team's.
    assertContains(signed_in(supervisor).get(QUEUE), "Sky Moving")
    assertNotContains(signed_in(other_supervisor).get(QUEUE), "Sky Moving")


def test_after_a_move_the_author_answers_a_returned_note(
    as_supervisor: HttpClient, intern: User, outsider: User, admin_user: User, web
) -> None:
    client = ClientFactory.create(clinician=intern)
    note = therapy_session_sign(
        session=TherapySessionFactory.create(client=client),
        by=intern,
        expected_version=1,
    )
    as_supervisor.post(reverse("sessions:return", args=[note.pk]), {"comment": "Add"})
    _move(client, outsider, admin_user)
    form = _own_form(web(intern).get(reverse("sessions:addendum", args=[note.pk])))
    form["reason"], form["text"] = "Answer", "Added the detail asked for"
    assert form.submit().status_code == 302
    note.refresh_from_db()
    assert note.review_status == ReviewStatus.WAITING


def test_finished_notes_of_a_moved_client_stay_with_the_client(
    as_supervisor: HttpClient, intern: User, outsider: User, admin_user: User
) -> None:
    """Only unfinished work follows its author: a finished note is seen through
    its client, like any other."""
    client = ClientFactory.create(clinician=intern)
    done = TherapySessionFactory.create(
        client=client, status="signed", signed_at=timezone.now()
    )
    _move(client, outsider, admin_user)
    assert as_supervisor.get(done.get_absolute_url()).status_code == 404
    assert signed_in(intern).get(done.get_absolute_url()).status_code == 404


def test_someone_on_neither_team_still_gets_404(
    intern: User, outsider: User, admin_user: User, draft, waiting_note
) -> None:
    _move(draft.client, outsider, admin_user)
    stranger = signed_in(ClinicianFactory.create(supervisor=SupervisorFactory()))
    stranger_boss = signed_in(SupervisorFactory.create())
    for http in (stranger, stranger_boss):
        for note in (draft, waiting_note):
            assert http.get(note.get_absolute_url()).status_code == 404
    hand_over = reverse("sessions:hand_over", args=[draft.pk])
    assert stranger_boss.post(hand_over).status_code == 404
    assert not TherapySession.objects.filter(handed_over_at__isnull=False).exists()


@pytest.fixture
def departed(intern: User, admin_user: User, outsider: User, draft) -> User:
    """The intern left; an admin moved their client to a clinician of another
    team. The draft is still the intern's."""
    staff_deactivate(staff=intern, by=admin_user)
    _move(draft.client, outsider, admin_user)
    intern.refresh_from_db()
    return intern


def test_departed_clinicians_drafts_keep_counting_on_the_dashboard(
    as_supervisor: HttpClient, departed: User, draft: TherapySession
) -> None:
    """A new draft (one day old) of someone who left is one to follow up; the
    deactivated person stays on the dashboard while it is there."""
    page = as_supervisor.get(reverse("team:dashboard"))
    assert figures(page, departed)["drafts"] == 1
    deactivated = '<span class="badge text-bg-secondary">deactivated</span>'
    assertContains(page, f'<th scope="row">{departed.name} {deactivated}')
    listing = as_supervisor.get(reverse("team:member_drafts", args=[departed.pk]))
    assertContains(listing, reverse("sessions:detail", args=[draft.pk]))


def test_supervisor_hands_a_departed_clinicians_draft_to_the_new_clinician(
    web, supervisor: User, departed: User, outsider: User, draft: TherapySession
) -> None:
    goal = GoalFactory.create(client=draft.client)
    GoalRatingFactory.create(goal=goal, session=draft, score=6, comment="Closer")
    app = web(supervisor)
    listing = app.get(reverse("team:member_drafts", args=[departed.pk]))
    page = listing.click(href=reverse("sessions:detail", args=[draft.pk]))
    assertContains(page, f"Hand it to {outsider.name}")
    done = page.forms["hand-over-form"].submit().follow()
    assertContains(done, "Handed over to")

    draft.refresh_from_db()
    taken = draft.handed_over_to
    assert taken is not None
    assert (draft.handed_over_by, draft.status) == (supervisor, SessionStatus.DRAFT)
    assert draft.sections["brought"] == "Wants to talk about housing"  # kept
    assert taken.clinician == outsider
    assert taken.client == draft.client
    assert taken.status == SessionStatus.DRAFT
    assert taken.sections == draft.sections
    assert (taken.started_at, taken.duration_minutes) == (
        draft.started_at,
        draft.duration_minutes,
    )
    assert (taken.naloxone_on_hand, taken.test_strips_given, taken.referrals) == (
        True,
        4,
        "Housing support",
    )
    rating = GoalRating.objects.get(goal=goal)  # moved, not copied
    assert (rating.session, rating.score, rating.comment) == (taken, 6, "Closer")
    actions = set(
        AuditEvent.objects.filter(actor=supervisor).values_list("action", flat=True)
    )
    assert "hand_over" in actions
    # No longer counted: the departed person has nothing left, so no row.
    dashboard = signed_in(supervisor).get(reverse("team:dashboard"))
    assert not has_row(dashboard, departed)


def test_the_new_clinician_signs_the_handed_over_draft_as_their_own(
    web, supervisor: User, departed: User, outsider: User, draft: TherapySession
) -> None:
    web(supervisor).get(draft.get_absolute_url()).forms["hand-over-form"].submit()
    draft.refresh_from_db()
    taken = draft.handed_over_to
    assert taken is not None
    app = web(outsider)
    note = app.get(taken.get_absolute_url())
    assertContains(note, f"Started as a draft by {departed.name}")
    assertContains(note, "Continue the draft")
    _sign(app, taken)
    taken.refresh_from_db()
    assert taken.status == SessionStatus.SIGNED
    assert taken.clinician == outsider
    # The original stays a draft, read only for everyone.
    old = app.get(draft.get_absolute_url())
    assertContains(old, "Handed over on")
    assertNotContains(old, "Continue the draft")
    assert (
        app.get(
            reverse("sessions:update", args=[draft.pk]), expect_errors=True
        ).status_code
        == 403
    )


def test_a_handed_over_draft_cannot_be_handed_over_again(
    as_supervisor: HttpClient, departed: User, draft: TherapySession
) -> None:
    url = reverse("sessions:hand_over", args=[draft.pk])
    as_supervisor.post(url)
    response = as_supervisor.post(url, follow=True)
    assert TherapySession.objects.filter(client=draft.client).count() == 2
    assert response.status_code in (200, 404)


def test_no_hand_over_before_the_client_has_a_new_clinician(
    web, supervisor: User, intern: User, admin_user: User, draft: TherapySession
) -> None:
    staff_deactivate(staff=intern, by=admin_user)
    page = web(supervisor).get(draft.get_absolute_url())
    assertContains(page, "Move the client to their new clinician first")
    assert "hand-over-form" not in page.forms
    response = signed_in(supervisor).post(
        reverse("sessions:hand_over", args=[draft.pk]), follow=True
    )
    assertContains(response, "Move the client to their new clinician first")
    draft.refresh_from_db()
    assert draft.handed_over_to is None


def test_an_active_supervisees_draft_offers_no_hand_over(
    as_supervisor: HttpClient, draft: TherapySession
) -> None:
    page = as_supervisor.get(draft.get_absolute_url())
    assertNotContains(page, "Hand this draft over")


def test_only_the_authors_supervisor_hands_over(
    departed: User,
    outsider: User,
    other_supervisor: User,
    draft: TherapySession,
) -> None:
    """The new clinician's supervisor sees the draft (their team's client) but
    is not the author's supervisor; a clinician gets the supervisor pages' 404."""
    url = reverse("sessions:hand_over", args=[draft.pk])
    response = signed_in(other_supervisor).post(url, follow=True)
    assertContains(response, "Only the author")
    assert signed_in(outsider).post(url).status_code == 404
    assert signed_in(other_supervisor).get(url).status_code == 405
    draft.refresh_from_db()
    assert draft.handed_over_to is None


def test_a_handed_over_draft_cannot_be_discarded(
    as_supervisor: HttpClient, departed: User, intern: User, draft: TherapySession
) -> None:
    """The text lives on in the new clinician's draft; the old one stays as it was."""
    from django.core.exceptions import ValidationError

    from sessions.services import therapy_session_discard

    as_supervisor.post(reverse("sessions:hand_over", args=[draft.pk]))
    draft.refresh_from_db()
    assert draft.is_handed_over
    with pytest.raises(ValidationError, match="handed over"):
        therapy_session_discard(session=draft, by=intern)
    draft.refresh_from_db()
    assert draft.status == SessionStatus.DRAFT
