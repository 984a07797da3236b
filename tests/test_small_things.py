"""Small things people noticed (#16 item 17), each as a person meets it."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client as HttpClient
from django.urls import reverse
from django.utils import timezone
from pytest_django.asserts import assertContains, assertNotContains

from clients.models import Client
from goals.models import GoalRating
from sessions.models import Review, ReviewStatus, SessionStatus, TherapySession
from sessions.services import addendum_add, review_return
from staff.models import User
from tests.factories import GoalFactory, TherapySessionFactory
from tests.web import form_with


@pytest.fixture
def waiting(clinician: User, client_record: Client) -> TherapySession:
    """A signed note of an intern's, waiting for their supervisor's co-signature."""
    clinician.requires_cosign = True
    clinician.save()
    note: TherapySession = TherapySessionFactory.create(
        client=client_record,
        sections={"brought": "Wants to talk about the shelter rules."},
    )
    # A rating joins a note while it is a draft (PostgreSQL refuses it later).
    GoalRating.objects.create(
        goal=GoalFactory.create(client=client_record, wording="Sleep somewhere safe"),
        session=note,
        score=6,
        recorded_by=clinician,
    )
    TherapySession.objects.filter(pk=note.pk).update(
        status=SessionStatus.SIGNED,
        signed_at=timezone.now(),
        review_status=ReviewStatus.WAITING,
    )
    note.refresh_from_db()
    return note


def test_the_access_history_says_added_an_addendum(
    as_supervisor: HttpClient, clinician: User, client_record: Client
) -> None:
    note = TherapySessionFactory.create(
        client=client_record, status=SessionStatus.SIGNED, signed_at=timezone.now()
    )
    addendum_add(session=note, by=clinician, reason="Late entry", text="Two strips.")
    page = as_supervisor.get(reverse("audit:client_history", args=[client_record.pk]))
    assertContains(page, "<td>Added an addendum</td>", html=True)
    assertNotContains(page, "Added an addendum session")


def test_the_return_with_comments_form_shows_the_note(
    web: Any, supervisor: User, waiting: TherapySession
) -> None:
    page = web(supervisor).get(reverse("sessions:return", args=[waiting.pk]))
    the_note = page.html.find(attrs={"data-testid": "the-note"})
    assert the_note is not None
    assert "Wants to talk about the shelter rules." in the_note.text
    assert "Sleep somewhere safe" in the_note.text

    form = page.forms["review-return-form"]
    form["comment"] = "Say more about the plan for tonight."
    assert form.submit().status_code == 302
    assert Review.objects.get(session=waiting).comment.startswith("Say more")


def test_the_addendum_form_shows_the_comment_it_answers(
    web: Any, clinician: User, supervisor: User, waiting: TherapySession
) -> None:
    review_return(session=waiting, by=supervisor, comment="Say more about tonight.")
    page = web(clinician).get(reverse("sessions:addendum", args=[waiting.pk]))
    answers = page.html.find(attrs={"data-testid": "answers-comments"})
    assert answers is not None
    assert "Say more about tonight." in answers.text
    assert supervisor.signature in answers.text

    form = page.forms["addendum-form"]
    form["reason"] = "Answer to comments"
    form["text"] = "Staying with a friend tonight; has naloxone."
    assert form.submit().status_code == 302
    waiting.refresh_from_db()
    assert waiting.addenda.count() == 1
    assert waiting.review_status == ReviewStatus.WAITING


def test_the_addendum_form_of_a_note_not_returned_shows_no_comment(
    web: Any, clinician: User, client_record: Client
) -> None:
    note = TherapySessionFactory.create(
        client=client_record, status=SessionStatus.SIGNED, signed_at=timezone.now()
    )
    page = web(clinician).get(reverse("sessions:addendum", args=[note.pk]))
    assert page.html.find(attrs={"data-testid": "answers-comments"}) is None


def test_the_sign_page_lists_a_missing_field_once_with_a_link_to_it(
    web: Any, clinician: User, client_record: Client
) -> None:
    draft = TherapySessionFactory.create(client=client_record, duration_minutes=None)
    page = web(clinician).get(reverse("sessions:sign", args=[draft.pk]))
    form = page.forms["sign-form"]
    form["confirm"] = True

    refused = form.submit()

    assert refused.status_code == 200
    assert refused.text.count("Add how long the session was.") == 1
    link = refused.html.find("a", string="Add how long the session was.")
    assert link is not None
    assert link["href"] == (
        reverse("sessions:update", args=[draft.pk]) + "#id_duration_minutes"
    )
    draft.refresh_from_db()
    assert draft.status == SessionStatus.DRAFT
    # The link lands on a field that is there.
    fix = web(clinician).get(link["href"].split("#")[0])
    assert fix.html.find(id="id_duration_minutes") is not None


def test_no_language_suggestions_is_said_once_on_the_note_form_not_per_box(
    web: Any, clinician: User, client_record: Client
) -> None:
    draft = TherapySessionFactory.create(
        client=client_record,
        sections={"brought": "Talked about the shelter.", "did": "Made a plan."},
    )
    page = web(clinician).get(reverse("sessions:update", args=[draft.pk]))
    # One line for the whole note (language-guide.js shows it), none per box.
    assert page.text.count("No language suggestions.") == 1
    assert len(page.html.select("[data-language-none]")) == 1


def test_draft_saved_at_shows_only_in_the_tab_that_saved(
    web: Any, clinician: User, client_record: Client
) -> None:
    draft = TherapySessionFactory.create(client=client_record)
    url = reverse("sessions:update", args=[draft.pk])
    browser = web(clinician)
    first_tab = form_with(browser.get(url), "section_brought")
    second_tab = form_with(browser.get(url), "section_brought")

    second_tab["section_brought"] = "Saved in the second tab."
    saved = second_tab.submit("action", value="save").follow()
    assertContains(saved, "Draft saved at")

    first_tab["section_brought"] = "Typed in the first tab."
    conflict = first_tab.submit("action", value="save")
    assertContains(conflict, 'data-testid="version-conflict"')
    assertNotContains(conflict, "Draft saved at")
    assertContains(conflict, "Not saved from this page yet")
    draft.refresh_from_db()
    assert draft.sections["brought"] == "Saved in the second tab."
