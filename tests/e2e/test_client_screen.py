"""Issue #22 §1 in a real browser: the clinician hands the device over from
the record, the person rates a goal on a screen with no way elsewhere, and the
clinician takes it back with their password. Every page is checked by axe."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from goals.models import EnteredHow, GoalRating
from tests.e2e.conftest import PASSWORD, Journey, staff
from tests.factories import ClientFactory, ClinicianFactory, GoalFactory


def test_hand_over_rate_a_goal_and_take_the_device_back(journey: Journey) -> None:
    clinician = staff(ClinicianFactory, username="morgan")
    client = ClientFactory.create(clinician=clinician, chosen_name="Jo Example")
    GoalFactory.create(client=client, wording="Eat something every day")
    page = journey.page
    journey.use_session_of(clinician)
    journey.goto(client.get_absolute_url())
    journey.check()

    page.get_by_role("button", name="Hand to Jo Example").click()
    page.wait_for_url("**/screen/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Hi Jo Example")
    expect(page.get_by_role("navigation")).to_have_count(0)
    journey.check()

    page.get_by_role("link", name="How close do you feel to your goals?").click()
    journey.check()
    page.get_by_role("group", name=re.compile("How close")).get_by_text(
        "8", exact=True
    ).click()
    page.get_by_label(re.compile("Anything you want to say")).fill("most days now")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Done, thank you")).to_be_visible()
    journey.check()

    # The record's address typed in: the screen answers.
    journey.goto(client.get_absolute_url())
    page.wait_for_url("**/screen/")
    journey.check()

    page.get_by_role("link", name=re.compile("Give back to")).click()
    journey.check()
    page.get_by_label("Your password").fill("not-the-password")
    page.get_by_role("button", name="Take the screen back").click()
    expect(page.get_by_text("That is not the password.")).to_be_visible()
    journey.check()
    page.get_by_label("Your password").fill(PASSWORD)
    page.get_by_role("button", name="Take the screen back").click()
    page.wait_for_url(f"**{client.get_absolute_url()}")
    expect(
        page.get_by_text(re.compile("rated “Eat something every day” 8"))
    ).to_be_visible()
    journey.check()

    rating = GoalRating.objects.get(goal__client=client)
    assert (rating.score, rating.comment, rating.entered_how) == (
        8,
        "most days now",
        EnteredHow.CLIENT_DEVICE,
    )
