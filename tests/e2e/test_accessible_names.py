"""With several goals on one note, a screen reader hears which goal each rating
group and comment box belongs to (#16 item 16): their accessible names, as the
browser computes them, carry the goal's wording."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.e2e.conftest import Journey
from tests.factories import ClientFactory, ClinicianFactory, GoalFactory


def test_each_goals_rating_and_comment_are_named_after_the_goal(
    journey: Journey,
) -> None:
    clinician = ClinicianFactory.create()
    client = ClientFactory.create(clinician=clinician)
    wordings = ["Carry naloxone every day", "Sleep somewhere safe"]
    for wording in wordings:
        GoalFactory.create(client=client, wording=wording)
    page = journey.page
    journey.use_session_of(clinician)
    journey.goto(f"/clients/{client.pk}/sessions/new/")
    journey.check()

    for wording in wordings:
        group = page.get_by_role(
            "group", name=f"Their rating today (0–10) for “{wording}”", exact=True
        )
        expect(group).to_be_visible()
        expect(group.get_by_role("radio")).to_have_count(11)
        comment = page.get_by_role(
            "textbox", name=f"In their words (optional) about “{wording}”", exact=True
        )
        expect(comment).to_be_visible()
    journey.check()
