from __future__ import annotations

from django.test import Client as HttpClient
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains, assertRedirects

from clients.models import Client
from goals.models import Goal, GoalRating, GoalRevision
from tests.factories import GoalFactory


def _url(client: Client) -> str:
    return reverse("goals:create", args=[client.pk])


def test_add_a_goal_in_their_words_with_a_first_rating(
    as_clinician: HttpClient, client_record: Client
) -> None:
    page = as_clinician.get(_url(client_record))
    assertContains(page, "Goal, in their words")
    assertNotContains(page, "Treatment objective")
    response = as_clinician.post(
        _url(client_record),
        {
            "wording": "Always carry naloxone when I go out",
            "why_it_matters": "My friends count on me",
            "area": "safer_use",
            "score": "4",
            "comment": "Most days I remember",
        },
    )
    goal = Goal.objects.get()
    assertRedirects(response, goal.get_absolute_url())
    assert goal.wording == "Always carry naloxone when I go out"
    assert goal.status == "active"
    assert GoalRevision.objects.filter(goal=goal).count() == 1
    rating = GoalRating.objects.get()
    assert (rating.score, rating.comment) == (4, "Most days I remember")


def test_only_the_wording_is_needed(
    as_clinician: HttpClient, client_record: Client
) -> None:
    as_clinician.post(_url(client_record), {"wording": "Find a quieter place to live"})
    goal = Goal.objects.get()
    assert goal.area == ""
    assert not GoalRating.objects.exists()


def test_blank_wording_keeps_the_rest(
    as_clinician: HttpClient, client_record: Client
) -> None:
    response = as_clinician.post(
        _url(client_record), {"wording": "  ", "why_it_matters": "For my kids"}
    )
    assertContains(response, "Write the goal the way the person says it.")
    assertContains(response, "For my kids")
    assert not Goal.objects.exists()


def test_an_out_of_range_score_is_refused_clearly(
    as_clinician: HttpClient, client_record: Client
) -> None:
    response = as_clinician.post(
        _url(client_record), {"wording": "Sleep better", "score": "11"}
    )
    assertContains(response, "Choose a whole number from 0 to 10.")
    assert not Goal.objects.exists()


def test_a_fourth_active_goal_gets_a_gentle_note_and_is_allowed(
    as_clinician: HttpClient, client_record: Client
) -> None:
    GoalFactory.create_batch(3, client=client_record)
    page = as_clinician.get(_url(client_record))
    assertContains(page, "up to three goals at a time")
    response = as_clinician.post(
        _url(client_record), {"wording": "Call my sister"}, follow=True
    )
    assertContains(response, "up to three goals at a time")
    assert Goal.objects.filter(client=client_record).count() == 4


def test_outsider_cannot_add_a_goal(
    as_outsider: HttpClient, client_record: Client
) -> None:
    assert as_outsider.get(_url(client_record)).status_code == 404
    assert as_outsider.post(_url(client_record), {"wording": "x"}).status_code == 404
    assert not Goal.objects.exists()


def test_supervisor_reads_but_does_not_add(
    as_supervisor: HttpClient, client_record: Client
) -> None:
    assert as_supervisor.post(_url(client_record), {"wording": "x"}).status_code == 403
    assert not Goal.objects.exists()


def test_admin_gets_404(as_admin: HttpClient, client_record: Client) -> None:
    assert as_admin.get(_url(client_record)).status_code == 404
