"""A clinician's day, in a real browser: sign in with the second factor, find a
client, add a goal, write a harm-reduction note (live language suggestion,
autosave across a reload, two goal ratings, a check-in), sign it, add an
addendum. axe checks every page on the way, error states included."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from sessions.models import SessionStatus, TherapySession
from tests.e2e.conftest import Journey, staff
from tests.factories import ClientFactory, ClinicianFactory, GoalFactory


def test_clinician_logs_signs_and_corrects_a_session(journey: Journey) -> None:
    clinician = staff(ClinicianFactory, username="casey")
    client = ClientFactory.create(clinician=clinician, chosen_name="Robin Example")
    ClientFactory.create(clinician=clinician, chosen_name="Alex Sample")
    GoalFactory.create(client=client, wording="Carry naloxone every day")
    page = journey.page

    journey.sign_in(clinician)
    # A clinician lands on Today, the people they see; the caseload is in the nav.
    expect(page.get_by_role("heading", level=1)).to_contain_text("Today")
    journey.check()
    page.get_by_role("link", name="My caseload").first.click()
    journey.check()
    expect(page.get_by_role("heading", level=1)).to_contain_text("caseload")

    # Find the client with the search form (the words stay out of the URL).
    search = page.get_by_role("search", name="Find a client")
    search.get_by_label("Find a client").fill("Robin")
    search.get_by_role("button", name="Search").click()
    expect(page.get_by_role("link", name="Alex Sample")).to_have_count(0)
    journey.check()
    page.get_by_role("link", name="Robin Example").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Robin Example")
    journey.check()

    # A goal in their words; first a slip (nothing typed) shows the error state.
    page.get_by_role("link", name="Add a goal").click()
    journey.check()
    page.get_by_role("button", name="Add the goal").click()
    expect(page.locator(".invalid-feedback").first).to_be_visible()
    journey.check()
    page.get_by_label("Goal, in their words").fill("Sleep somewhere safe")
    page.get_by_role("group", name=re.compile("How close")).get_by_text(
        "4", exact=True
    ).click()
    page.get_by_role("button", name="Add the goal").click()
    expect(page.get_by_text("Sleep somewhere safe").first).to_be_visible()
    journey.check()

    # Log a session in the harm-reduction format.
    page.get_by_role("link", name="Overview").click()
    journey.check()
    page.get_by_role("link", name="Log a session").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Log a session")
    journey.check()
    brought = page.get_by_label("What the client brought, in their words")
    brought.click()
    page.keyboard.type("Said they relapsed at the weekend and want a plan.")
    hint = page.locator("#hints-brought")
    expect(hint).to_contain_text("return to use")
    journey.check()
    # The first autosave creates the draft and moves the address to it.
    expect(page.locator("#autosave-status")).to_contain_text("Draft saved at")
    expect(page).to_have_url(re.compile(r"/sessions/[0-9a-f-]+/edit/$"))
    page.get_by_label("What we did together").fill("Made a using-with-a-buddy plan.")
    page.get_by_label("Duration (minutes)").fill("45")
    ratings = page.locator(".goal-rating")
    expect(ratings).to_have_count(2)
    ratings.nth(0).get_by_text("7", exact=True).click()
    ratings.nth(1).get_by_text("3", exact=True).click()
    page.get_by_label("Do they have naloxone on hand?").select_option(label="Yes")
    page.get_by_label("Naloxone doses given").fill("2")
    # The next autosave (1.5 s after the last keystroke) carries everything.
    with page.expect_response(lambda r: r.request.headers.get("x-autosave") == "1"):
        page.get_by_label("Fentanyl test strips given").fill("5")
    expect(page.locator("#autosave-status")).to_contain_text("Draft saved at")

    # Reload mid-draft: the draft is all there.
    page.reload()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Draft note")
    expect(brought).to_have_value(re.compile("relapsed at the weekend"))
    expect(page.get_by_label("Naloxone doses given")).to_have_value("2")
    expect(ratings.nth(0).get_by_label("7", exact=True)).to_be_checked()
    journey.check()

    page.get_by_role("button", name="Save and review for signing").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Review and sign")
    journey.check()
    # Signing without the confirmation is an error state, shown accessibly.
    page.get_by_role("button", name="Sign the note").click()
    expect(page.get_by_text("Tick the box to confirm before signing.")).to_be_visible()
    journey.check()
    page.get_by_label(re.compile("I confirm this note is accurate")).check()
    page.get_by_role("button", name="Sign the note").click()
    expect(page.get_by_test_id("signature")).to_contain_text("Signed by")
    journey.check()

    # A signed note does not change: a correction is an addendum.
    page.get_by_role("link", name="Add an addendum").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Add an addendum")
    journey.check()
    # Sent empty, the form says what is missing (an error state, checked too).
    page.get_by_role("button", name="Add the addendum").click()
    expect(page.get_by_text("Please fill this in.").first).to_be_visible()
    journey.check()
    page.get_by_label("Reason").fill("Late entry")
    page.get_by_role("textbox", name=re.compile(r"^Addendum")).fill(
        "Also gave a second kit."
    )
    page.get_by_role("button", name="Add the addendum").click()
    expect(page.locator(".addendum")).to_contain_text("Also gave a second kit.")
    journey.check()

    note = TherapySession.objects.get(client=client)
    assert note.status == SessionStatus.SIGNED
    assert note.naloxone_doses_given == 2 and note.test_strips_given == 5
    assert sorted(r.score for r in note.goal_ratings.all()) == [3, 7]
    assert note.addenda.count() == 1
