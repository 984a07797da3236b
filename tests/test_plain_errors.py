"""Error messages in the app's plain voice, not Django's defaults (#16 item
16), on real forms submitted as a browser submits them (CSRF checks on)."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils import timezone
from pytest_django.asserts import assertContains, assertNotContains

from clients.models import Client
from sessions.models import SessionStatus, TherapySession
from staff.models import User
from tests.factories import GoalFactory, TherapySessionFactory
from tests.web import form_with

DJANGO_DEFAULTS = [
    "Ensure this value",
    "This field is required.",
    "Enter a valid date",
    "Enter a whole number.",
]


def assert_plain(page: Any) -> None:
    for default in DJANGO_DEFAULTS:
        assertNotContains(page, default)


def test_a_note_with_a_zero_minute_duration_says_so_plainly(
    web: Any, clinician: User, client_record: Client
) -> None:
    page = web(clinician).get(reverse("sessions:create", args=[client_record.pk]))
    form = form_with(page, "duration_minutes")
    form["duration_minutes"] = "0"
    form["naloxone_doses_given"] = "lots"
    answer = form.submit("action", value="sign")
    assertContains(answer, "Enter 1 or more.")
    assertContains(answer, "Enter a whole number, like 30.")
    assert_plain(answer)


def test_a_goal_rating_with_an_unreadable_date_says_so_plainly(
    web: Any, clinician: User, client_record: Client
) -> None:
    goal = GoalFactory.create(client=client_record)
    form = web(clinician).get(goal.get_absolute_url()).forms["rating-form"]
    form["score"] = "7"
    form["rated_on"] = "last tuesday"
    answer = form.submit()
    assertContains(answer, "That is not a date we can read")
    assert_plain(answer)


def test_an_addendum_left_empty_or_too_long_says_so_plainly(
    web: Any, clinician: User, client_record: Client
) -> None:
    note: TherapySession = TherapySessionFactory.create(
        client=client_record, status=SessionStatus.SIGNED, signed_at=timezone.now()
    )
    form = (
        web(clinician)
        .get(reverse("sessions:addendum", args=[note.pk]))
        .forms["addendum-form"]
    )
    form["reason"] = "x" * 250
    answer = form.submit()
    assertContains(answer, "Keep this to 200 characters or fewer (it has 250).")
    assertContains(answer, "Please fill this in.")  # the addendum's text
    assert_plain(answer)
    assert not note.addenda.exists()
