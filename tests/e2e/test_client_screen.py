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


def test_from_a_draft_note_goals_check_in_and_a_phq9_land_on_the_note(
    journey: Journey,
) -> None:
    """The issue's journey: handed over from the draft note with two goals,
    the check-in and a PHQ-9; given back; all of it on the note, and the
    item 9 prompt on the record."""
    from measures.models import MeasureResponse
    from sessions.models import RelationshipCheckIn
    from tests.factories import TherapySessionFactory

    clinician = staff(ClinicianFactory, username="riley")
    client = ClientFactory.create(clinician=clinician, chosen_name="Sam Example")
    GoalFactory.create(client=client, wording="Sleep indoors")
    GoalFactory.create(client=client, wording="Test what I use")
    draft = TherapySessionFactory.create(client=client)
    page = journey.page
    journey.use_session_of(clinician)
    journey.goto(f"/sessions/{draft.pk}/edit/")
    journey.check()
    form = page.locator("#hand-over-form")
    form.get_by_label("A questionnaire").check()
    form.get_by_label("Which questionnaire").select_option("phq9")
    form.get_by_role("button", name="Hand to Sam Example").click()
    page.wait_for_url("**/screen/")
    journey.check()

    page.get_by_role("link", name="How close do you feel to your goals?").click()
    journey.check()
    for wording, score in (("Sleep indoors", "6"), ("Test what I use", "9")):
        page.get_by_role("group", name=re.compile(wording)).get_by_text(
            score, exact=True
        ).click()
    page.get_by_role("button", name="Save").click()
    journey.check()

    page.get_by_role("link", name="How was today’s session for you?").click()
    journey.check()
    page.get_by_role("group", name="I felt heard and respected").get_by_text(
        "9", exact=True
    ).click()
    page.get_by_label("Anything you want your clinician to know?").fill("Slower")
    page.get_by_role("button", name="Save").click()
    journey.check()

    page.get_by_role("link", name="A few questions about how you have been").click()
    journey.check()
    items = page.locator("#screen-measure-form fieldset")
    for n in range(items.count()):
        items.nth(n).get_by_label("Several days").check()
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Done, thank you")).to_have_count(3)

    journey.check()
    page.get_by_role("link", name=re.compile("Give back to")).click()
    journey.check()
    page.get_by_label("Your password").fill(PASSWORD)
    page.get_by_role("button", name="Take the screen back").click()
    page.wait_for_url(f"**/sessions/{draft.pk}/edit/")
    expect(page.get_by_text("Sam Example answered the PHQ-9: 9.")).to_be_visible()
    expect(page.get_by_test_id("checkins")).to_contain_text("9 of 10")
    expect(page.get_by_test_id("session-measures")).to_contain_text("PHQ-9: 9 of 27")
    journey.check()
    journey.goto(client.get_absolute_url())
    expect(page.get_by_test_id("safety-prompt")).to_have_count(1)
    journey.check()

    assert RelationshipCheckIn.objects.get(session=draft).heard == 9
    response = MeasureResponse.objects.get(client=client)
    assert (response.total, response.needs_safety_check) == (9, True)
