"""A double click, a re-sent POST or four at once make one record (issue #16
item 3). Each form is taken from the page and submitted as a browser does;
`form.submit()` twice on one form object sends the same form token twice,
exactly like a double click."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable
from typing import Any

import pytest
from django.core import mail
from django.db import connection
from django.test import Client as HttpClient
from django.urls import reverse
from django_webtest import DjangoTestApp
from pytest_django.asserts import assertContains, assertNotContains

from clients.models import Client
from goals.models import Goal, GoalRating
from goals.services import goal_create
from sessions.models import Addendum, Review, ReviewStatus, TherapySession
from sessions.services import therapy_session_sign
from staff.models import Role, User
from tests.factories import ClientFactory, ClinicianFactory, TherapySessionFactory
from tests.web import form_with

Web = Callable[[User | None], DjangoTestApp]


@pytest.fixture
def goal(client_record: Client) -> Goal:
    return goal_create(
        client=client_record, by=client_record.clinician, wording="Carry naloxone"
    )


@pytest.fixture
def signed_note(client_record: Client) -> TherapySession:
    note = TherapySessionFactory.create(client=client_record)
    return therapy_session_sign(
        session=note, by=client_record.clinician, expected_version=1
    )


@pytest.fixture
def intern(supervisor: User) -> User:
    return ClinicianFactory.create(
        username="intern", supervisor=supervisor, requires_cosign=True
    )


@pytest.fixture
def waiting_note(intern: User) -> TherapySession:
    client = ClientFactory.create(clinician=intern)
    note = TherapySessionFactory.create(client=client)
    return therapy_session_sign(session=note, by=intern, expected_version=1)


def test_second_identical_post_makes_one_client(web: Web, clinician: User) -> None:
    form = form_with(web(clinician).get(reverse("clients:create")), "chosen_name")
    form["chosen_name"] = "Rowan Twice"
    first = form.submit()
    second = form.submit()
    client = Client.objects.get()
    assert client.chosen_name == "Rowan Twice"
    assert first.location == second.location == client.get_absolute_url()
    assertContains(second.follow(), "Added Rowan Twice.")


def test_a_supervisors_second_post_for_a_team_member_makes_one_client(
    web: Web, supervisor: User, clinician: User
) -> None:
    form = form_with(web(supervisor).get(reverse("clients:create")), "chosen_name")
    form["chosen_name"] = "Rowan Twice"
    form["clinician"] = str(clinician.pk)
    form.submit()
    form.submit()
    assert Client.objects.get().clinician == clinician


def test_the_same_client_form_changed_and_sent_again_keeps_what_was_typed(
    web: Web, clinician: User
) -> None:
    """Sent, then changed (the Back button) and sent again: nothing typed is
    dropped, and a second send on purpose adds the second person."""
    form = form_with(web(clinician).get(reverse("clients:create")), "chosen_name")
    form["chosen_name"] = "Rowan First"
    form.submit()
    form["chosen_name"] = "Sage Second"
    shown = form.submit()
    assert shown.status_code == 200
    assertContains(shown, "This form already added a client")
    assert form_with(shown, "chosen_name")["chosen_name"].value == "Sage Second"
    form_with(shown, "chosen_name").submit()
    assert sorted(Client.objects.values_list("chosen_name", flat=True)) == [
        "Rowan First",
        "Sage Second",
    ]


def test_second_identical_post_makes_one_goal(
    web: Web, clinician: User, client_record: Client
) -> None:
    page = web(clinician).get(reverse("goals:create", args=[client_record.pk]))
    form = form_with(page, "wording")
    form["wording"] = "Find a quieter place to live"
    form["score"] = "3"
    first = form.submit()
    second = form.submit()
    goal = Goal.objects.get()
    assert first.location == second.location == goal.get_absolute_url()
    assert GoalRating.objects.get(goal=goal).score == 3


def test_second_identical_rating_post_makes_one_rating(
    web: Web, clinician: User, goal: Goal
) -> None:
    form = web(clinician).get(goal.get_absolute_url()).forms["rating-form"]
    form["score"] = "6"
    form["comment"] = "Most days"
    form.submit()
    second = form.submit()
    assert GoalRating.objects.filter(goal=goal).count() == 1
    assertContains(second.follow(), "Rating of 6 saved.")


def test_two_rating_forms_on_one_goal_make_two_ratings(
    web: Web, clinician: User, goal: Goal
) -> None:
    """Each rendering of the form is its own: two ratings given one after the
    other are both kept."""
    app = web(clinician)
    for score in ("4", "5"):
        form = app.get(goal.get_absolute_url()).forms["rating-form"]
        form["score"] = score
        form.submit()
    assert sorted(goal.ratings.values_list("score", flat=True)) == [4, 5]


def _post_at_once(app: DjangoTestApp, form: Any, copies: int) -> list[str]:
    """Send `copies` of one filled-in form at the same moment, each on its own
    database connection, with the browser's cookies and CSRF token."""
    fields = form.submit_fields()
    # WebTest keeps cookie values quoted; a browser sends them bare.
    cookies = {name: value.strip('"') for name, value in app.cookies.items()}
    start = threading.Barrier(copies)
    landed: list[str] = []

    def send() -> None:
        http = HttpClient(enforce_csrf_checks=True)
        for name, value in cookies.items():
            http.cookies[name] = value
        try:
            start.wait()
            response = http.post(form.action, dict(fields))
            landed.append(f"{response.status_code} {response.get('Location')}")
        finally:
            connection.close()

    threads = [threading.Thread(target=send) for _ in range(copies)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return landed


def test_four_concurrent_rating_posts_make_one_rating(
    committed_db: None, web: Web, clinician: User, goal: Goal
) -> None:
    app = web(clinician)
    form = app.get(goal.get_absolute_url()).forms["rating-form"]
    form["score"] = "8"
    assert _post_at_once(app, form, 4) == [f"302 {goal.get_absolute_url()}"] * 4
    assert GoalRating.objects.filter(goal=goal).count() == 1


def test_second_identical_addendum_post_makes_one_addendum(
    web: Web, clinician: User, signed_note: TherapySession
) -> None:
    url = reverse("sessions:addendum", args=[signed_note.pk])
    form = form_with(web(clinician).get(url), "text")
    form["reason"] = "Late entry"
    form["text"] = "They also asked about housing."
    form.submit()
    second = form.submit()
    assert Addendum.objects.filter(session=signed_note).count() == 1
    assertContains(second.follow(), "They also asked about housing.", count=1)


def test_an_addendum_token_from_another_note_adds_the_addendum_here(
    web: Web, clinician: User, client_record: Client, signed_note: TherapySession
) -> None:
    """The token is unique per note and author: reusing one on another note
    saves the text there (it used to say "Addendum added." and drop it)."""
    other_note = therapy_session_sign(
        session=TherapySessionFactory.create(client=client_record),
        by=clinician,
        expected_version=1,
    )
    app = web(clinician)
    first = form_with(
        app.get(reverse("sessions:addendum", args=[signed_note.pk])), "text"
    )
    first["reason"], first["text"] = "Correction", "On the first note."
    first.submit()
    form = form_with(
        app.get(reverse("sessions:addendum", args=[other_note.pk])), "text"
    )
    form["form_token"].force_value(first["form_token"].value)
    form["reason"], form["text"] = "Correction", "On the other note."
    form.submit()
    assert other_note.addenda.get().text == "On the other note."
    assert signed_note.addenda.get().text == "On the first note."


def test_the_same_addendum_form_changed_and_sent_again_keeps_the_new_text(
    web: Web, clinician: User, signed_note: TherapySession
) -> None:
    url = reverse("sessions:addendum", args=[signed_note.pk])
    form = form_with(web(clinician).get(url), "text")
    form["reason"], form["text"] = "Correction", "First words."
    form.submit()
    form["text"] = "Better words."
    shown = form.submit()
    assertContains(shown, "This form already added an addendum")
    assertContains(shown, "Better words.")
    form_with(shown, "text").submit()
    assert list(signed_note.addenda.values_list("text", flat=True)) == [
        "First words.",
        "Better words.",
    ]


def test_second_return_with_the_same_comments_makes_one_review(
    web: Web, supervisor: User, waiting_note: TherapySession
) -> None:
    url = reverse("sessions:return", args=[waiting_note.pk])
    form = form_with(web(supervisor).get(url), "comment")
    form["comment"] = "Please add how long the session was."
    first = form.submit()
    second = form.submit()
    assert Review.objects.filter(session=waiting_note).count() == 1
    assert first.location == second.location == reverse("sessions:review_queue")
    assertContains(second.follow(), "Returned to the clinician with your comments.")


def test_second_cosign_click_makes_one_cosignature_and_lands_on_the_note(
    web: Web, supervisor: User, waiting_note: TherapySession
) -> None:
    page = web(supervisor).get(waiting_note.get_absolute_url())
    form = next(
        f
        for f in page.forms.values()
        if f.action == reverse("sessions:cosign", args=[waiting_note.pk])
    )
    form.submit()
    second = form.submit()
    assert second.location == waiting_note.get_absolute_url()
    assertContains(second.follow(), "not waiting for co-signature (co-signed)")
    assert Review.objects.filter(session=waiting_note).count() == 1
    waiting_note.refresh_from_db()
    assert waiting_note.review_status == ReviewStatus.COSIGNED


def test_second_identical_staff_post_makes_one_account_and_one_email(
    web: Web,
    admin_user: User,
    supervisor: User,
    settings: Any,
    mailoutbox: list[mail.EmailMessage],
) -> None:
    settings.EMAIL_CONFIGURED = True
    form = form_with(web(admin_user).get(reverse("staff:create")), "username")
    form["username"] = "newperson"
    form["display_name"] = "New Person"
    form["email"] = "newperson@example.invalid"
    form["role"] = Role.CLINICIAN
    form["supervisor"] = str(supervisor.pk)
    first = form.submit()
    second = form.submit()
    person = User.objects.get(username="newperson")
    assert first.location == second.location == person.get_absolute_url()
    assertNotContains(second.follow(), "already taken")
    assert len(mailoutbox) == 1


def test_a_new_note_with_another_notes_token_shows_neither_a_raw_error_nor_that_note(
    web: Web, clinician: User, client_record: Client, outsider: User
) -> None:
    """The path a racing first save takes: the token is already stored. It
    never shows Django's "Therapy session with this Form token already
    exists." and never answers with someone else's note."""
    token = uuid.uuid4()
    TherapySessionFactory.create(
        client=ClientFactory.create(clinician=outsider),
        form_token=token,
        sections={"brought": "Outsider's private words"},
    )
    page = web(clinician).get(reverse("sessions:create", args=[client_record.pk]))
    form = form_with(page, "form_token")
    form["form_token"].force_value(str(token))
    form["duration_minutes"] = "50"
    shown = form.submit()
    assertNotContains(shown, "already exists", status_code=200)
    assertNotContains(shown, "Outsider's private words", status_code=200)
    assertContains(shown, "This form was already used for another note.")
    form_with(shown, "form_token").submit()
    assert TherapySession.objects.get(client=client_record).duration_minutes == 50
