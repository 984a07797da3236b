"""Two things that once failed in every real browser while the test client said
all was well (their CSRF token was lost in an `{% include … only %}`): rating a
goal from the goal page, and signing out from the nav bar. Both go through the
real navigation, in Chromium, with Django's CSRF checks as in production."""

from __future__ import annotations

import re

from django.contrib.sessions.models import Session
from playwright.sync_api import expect

from goals.models import GoalRating
from tests.e2e.conftest import Journey, staff
from tests.factories import ClientFactory, ClinicianFactory, GoalFactory


def test_rate_a_goal_from_its_page_then_sign_out_from_the_nav(
    journey: Journey,
) -> None:
    clinician = staff(ClinicianFactory, username="rowan")
    client = ClientFactory.create(clinician=clinician, chosen_name="Sky Example")
    GoalFactory.create(client=client, wording="Keep my phone charged")
    page = journey.page

    journey.sign_in(clinician)
    # Signed in, a clinician lands on Today; their caseload is in the nav.
    journey.check()
    page.get_by_role("link", name="My caseload").first.click()
    journey.check()
    page.get_by_role("link", name="Sky Example").click()
    journey.check()
    page.get_by_role("link", name="Keep my phone charged").first.click()
    expect(page.get_by_role("heading", level=2).first).to_contain_text(
        "Keep my phone charged"
    )
    journey.check()

    form = page.locator("#rating-form")
    form.get_by_role("group", name=re.compile("How close")).get_by_text(
        "6", exact=True
    ).click()
    form.get_by_label(re.compile("Anything they said")).fill("Charger at the drop-in")
    form.get_by_role("button", name="Save the rating").click()
    expect(page.get_by_text("Charger at the drop-in").first).to_be_visible()
    journey.check()
    rating = GoalRating.objects.get(goal__client=client)
    assert (rating.score, rating.comment) == (6, "Charger at the drop-in")

    assert Session.objects.count() == 1
    page.get_by_role("navigation", name="Main").get_by_role(
        "button", name="Sign out"
    ).click()
    page.wait_for_url("**/sign-in/**")
    journey.check()
    # Ended on the server, and the browser holds no way back in.
    assert Session.objects.count() == 0
    journey.goto(client.get_absolute_url())
    page.wait_for_url("**/sign-in/**")
    expect(page.get_by_role("button", name="Sign in")).to_be_visible()
    journey.check()
