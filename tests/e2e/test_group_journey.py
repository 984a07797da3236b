"""A group meeting in a real browser (issue #24): a clinician starts a group of
five people through the navigation, adds a meeting, records who came, writes
the shared part and two people's own notes (saved as they type), signs them
all from one review page, and each person's record shows their own note and
nobody else's. axe checks every page on the way."""

from __future__ import annotations

import datetime
import re

from django.utils import timezone
from playwright.sync_api import expect

from groups.models import GroupMeeting
from sessions.models import SessionStatus, TherapySession
from tests.e2e.conftest import Journey, staff
from tests.factories import ClientFactory, ClinicianFactory

NAMES = [
    "Quillon Example",
    "Brisket Sample",
    "Marrowby Test",
    "Tansyfeld Demo",
    "Orlasque Trial",
]
NOTES = {
    NAMES[0]: "Wants a buddy plan for the weekend.",
    NAMES[1]: "Asked about after-hours supplies.",
}


def test_a_clinician_records_and_signs_a_group_meeting(journey: Journey) -> None:
    clinician = staff(ClinicianFactory, username="gale")
    for name in NAMES:
        ClientFactory.create(clinician=clinician, chosen_name=name)
    page = journey.page

    journey.sign_in(clinician)
    page.get_by_role("link", name="Groups").first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Groups")
    journey.check()
    page.get_by_role("link", name="Start a group").click()
    journey.check()
    page.get_by_label("Name").fill("Thursday skills group")
    for name in NAMES:
        page.get_by_label(name).check()
    page.get_by_role("button", name="Create the group").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Thursday skills group")
    journey.check()

    page.get_by_role("link", name="Add a meeting").click()
    journey.check()
    # Two hours ago, but today: the members joined today, and a meeting before
    # they joined has none of them (a run just after midnight).
    now = timezone.localtime()
    started = max(
        now - datetime.timedelta(hours=2),
        now.replace(hour=0, minute=0, second=0, microsecond=0),
    )
    page.get_by_label("Date and time").fill(started.strftime("%Y-%m-%dT%H:%M"))
    page.get_by_role("button", name="Add the meeting").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(
        "Thursday skills group"
    )
    journey.check()

    # Who came: two came, three didn't make it this week.
    for name in NAMES:
        member = page.get_by_role("group", name=name, exact=True)
        status = "Came" if name in NOTES else "Didn't make it"
        member.get_by_label(status, exact=True).check()
    page.get_by_label("Topic").fill("Safer use when plans change")
    page.get_by_label("What the group did").fill(
        "The group practised the naloxone steps in pairs."
    )
    for name, text in NOTES.items():
        member = page.get_by_role("group", name=name, exact=True)
        # The note saves itself as it is typed (the notes' own autosave).
        with page.expect_response(lambda r: r.request.headers.get("x-autosave") == "1"):
            member.get_by_label("What the client brought, in their words").fill(text)
    expect(page.locator("#autosave-status")).to_contain_text("saved at")
    journey.check()

    page.get_by_role("button", name="Save and review to sign all").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Review and sign all")
    journey.check()
    page.get_by_label(re.compile("I have read each note")).check()
    page.get_by_role("button", name="Sign all the notes").click()
    expect(page.get_by_text("Signed 2 notes.")).to_be_visible()
    journey.check()

    meeting = GroupMeeting.objects.get()
    assert meeting.is_signed
    notes = TherapySession.objects.filter(group_meeting=meeting)
    assert sorted(n.client.chosen_name for n in notes) == sorted(NOTES)
    assert {n.status for n in notes} == {SessionStatus.SIGNED}

    # Each person's record shows their own note and the group's part, and
    # nobody else in the group.
    for name, text in NOTES.items():
        page.get_by_role("link", name="My caseload").first.click()
        journey.check()
        page.get_by_role("link", name=name).click()
        expect(page.get_by_role("heading", level=1)).to_contain_text(name)
        journey.check()
        overview = page.locator("main").inner_text()
        assert not [o for o in NAMES if o != name and o in overview]
        page.get_by_role("link", name="Sessions").first.click()
        journey.check()
        page.locator(".timeline a").first.click()
        expect(page.get_by_text(text)).to_be_visible()
        expect(page.get_by_test_id("group-shared-part")).to_contain_text(
            "practised the naloxone steps"
        )
        journey.check()
        body = page.locator("main").inner_text()
        for other in NAMES:
            if other != name:
                assert other not in body, (name, other)
        for other_text in NOTES.values():
            if other_text != text:
                assert other_text not in body
