"""A signed note prints cleanly: one page, signature lines included, no
navigation. Chromium's own PDF output (page.pdf) is the printer here."""

from __future__ import annotations

import re

from django.utils import timezone
from playwright.sync_api import expect

from goals.models import GoalRating
from hr_clinic.lib.part2 import STATEMENT_2
from sessions.models import ReviewStatus, SessionStatus, TherapySession
from sessions.services import addendum_add, review_cosign
from tests.e2e.conftest import Journey
from tests.factories import (
    ClientFactory,
    ClinicianFactory,
    GoalFactory,
    SupervisorFactory,
    TherapySessionFactory,
)

TYPICAL_SECTIONS = {
    "brought": "“I’ve been carrying the kit you gave me, it’s in my bag.” Wanted to "
    "talk about the shelter rules and feeling watched at night.",
    "did": "Went through the naloxone steps together and refilled the kit. Talked "
    "through a plan for using with someone around, and who to call.",
    "response": "Quiet at first, opened up later. Said the plan feels doable and "
    "laughed about the shelter's curfew. Wants to come back Thursday.",
    "safety": "Has naloxone. Knows to test first. Uses alone sometimes; agreed to "
    "try the buddy plan this week. No overdoses since last time.",
    "next": "Meet at the drop-in next week. I will chase the housing form and "
    "bring the clinic's number for the leg.",
}


def test_a_signed_note_prints_on_one_page_with_its_signatures(
    journey: Journey,
) -> None:
    supervisor = SupervisorFactory.create(display_name="Sam Supervisor")
    intern = ClinicianFactory.create(
        display_name="Indigo Intern", supervisor=supervisor, requires_cosign=True
    )
    client = ClientFactory.create(clinician=intern, chosen_name="Robin Example")
    note = TherapySessionFactory.create(
        client=client,
        sections=TYPICAL_SECTIONS,
        naloxone_on_hand=True,
        naloxone_doses_given=2,
        test_strips_given=10,
        referrals="Housing team; the clinic for the leg.",
    )
    # Ratings join a note while it is a draft (PostgreSQL refuses them later).
    for wording, score in (("Carry naloxone every day", 8), ("Sleep safe", 4)):
        GoalRating.objects.create(
            goal=GoalFactory.create(client=client, wording=wording),
            session=note,
            score=score,
            recorded_by=intern,
        )
    TherapySession.objects.filter(pk=note.pk).update(
        status=SessionStatus.SIGNED,
        signed_at=timezone.now(),
        review_status=ReviewStatus.WAITING,
    )
    note.refresh_from_db()
    addendum_add(
        session=note, by=intern, reason="Late entry", text="Also gave two strips."
    )
    review_cosign(session=note, by=supervisor)

    page = journey.page
    journey.use_session_of(intern)
    journey.goto(f"/sessions/{note.pk}/print/")
    journey.check()

    page.emulate_media(media="print")
    expect(page.get_by_test_id("signature")).to_be_visible()
    expect(page.get_by_test_id("cosignature")).to_contain_text("Sam Supervisor")
    expect(page.locator(".addendum")).to_be_visible()
    expect(page.get_by_role("link", name="Back to the note")).to_be_hidden()

    pdf = page.pdf(format="A4", print_background=False)
    pages = len(re.findall(rb"/Type\s*/Page\b(?!s)", pdf))
    assert pages == 1, f"the note printed on {pages} pages"


def test_the_print_view_shows_its_way_back_on_screen_and_its_client_on_paper(
    journey: Journey,
) -> None:
    clinician = ClinicianFactory.create()
    client = ClientFactory.create(clinician=clinician, chosen_name="Robin Example")
    note = TherapySessionFactory.create(
        client=client, status=SessionStatus.SIGNED, signed_at=timezone.now()
    )
    page = journey.page
    journey.use_session_of(clinician)
    journey.goto(f"/sessions/{note.pk}/print/")
    journey.check()

    # On screen: the way back is there, and it works.
    heading = page.get_by_test_id("print-heading")
    expect(heading).to_contain_text("Robin Example")
    back = page.get_by_role("link", name="Back to the note")
    expect(back).to_be_visible()

    # On paper: who it is about, their record id and the date; no way back.
    page.emulate_media(media="print")
    expect(heading).to_be_visible()
    expect(heading).to_contain_text(f"Record id {client.pk}")
    day = timezone.localtime(note.started_at)
    expect(heading).to_contain_text(f"Session note of {day:%-d %B %Y}")
    # The 42 CFR §2.32 label reaches the paper (#19 item 9).
    label = heading.get_by_test_id("part2-label")
    expect(label).to_be_visible()
    expect(label).to_have_text(STATEMENT_2)
    expect(back).to_be_hidden()

    page.emulate_media(media="screen")
    back.click()
    page.wait_for_url(f"**/sessions/{note.pk}/")
    journey.check()


def test_the_record_prints_from_its_print_version_and_only_there(
    journey: Journey,
) -> None:
    """The ordinary record page puts only a pointer on paper; its "Print the
    record" link opens the print version (recorded as a print), whose "Print
    now" button the script shows."""
    clinician = ClinicianFactory.create()
    client = ClientFactory.create(clinician=clinician, chosen_name="Robin Example")
    GoalFactory.create(client=client, wording="walk to the river")
    page = journey.page
    journey.use_session_of(clinician)
    journey.goto(f"/clients/{client.pk}/")
    journey.check()
    goal = page.get_by_text("walk to the river")
    pointer = page.locator(".print-instead")
    expect(pointer).to_be_hidden()
    page.emulate_media(media="print")
    expect(goal).to_be_hidden()
    expect(pointer).to_be_visible()
    page.emulate_media(media="screen")

    page.get_by_role("link", name="Print the record").click()
    page.wait_for_url(f"**/clients/{client.pk}/?print=1")
    journey.check()
    expect(page.get_by_role("button", name="Print now")).to_be_visible()
    page.emulate_media(media="print")
    expect(page.get_by_text("walk to the river")).to_be_visible()
    label = page.get_by_test_id("part2-label")
    expect(label).to_be_visible()
    expect(label).to_have_text(STATEMENT_2)
    expect(page.get_by_test_id("print-bar")).to_be_hidden()
