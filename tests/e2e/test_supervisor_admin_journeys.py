"""The supervisor's and the admin's journeys in a real browser, every page
checked with axe (WCAG 2.2 AA), error states included."""

from __future__ import annotations

import re
from typing import Any

from playwright.sync_api import expect

from sessions.models import ReviewStatus, SessionStatus
from sessions.services import addendum_add
from staff.models import Role, User
from tests.e2e.conftest import Journey, staff
from tests.factories import (
    AdminFactory,
    ClientFactory,
    ClinicianFactory,
    SupervisorFactory,
    TherapySessionFactory,
)


def test_supervisor_returns_a_note_then_cosigns_it_after_the_addendum(
    journey: Journey,
) -> None:
    supervisor = staff(SupervisorFactory, username="sam")
    intern = ClinicianFactory.create(
        username="indigo",
        display_name="Indigo Intern",
        supervisor=supervisor,
        requires_cosign=True,
    )
    client = ClientFactory.create(clinician=intern, chosen_name="Robin Example")
    note = TherapySessionFactory.create(
        client=client,
        status=SessionStatus.SIGNED,
        signed_at=client.created_at,
        review_status=ReviewStatus.WAITING,
    )
    page = journey.page

    journey.sign_in(supervisor)
    journey.goto("/team/")
    expect(page.get_by_role("heading", level=1)).to_have_text("My team")
    expect(page.get_by_role("row", name=re.compile("Indigo Intern"))).to_be_visible()
    journey.check()

    page.get_by_role("link", name=re.compile("Notes to co-sign")).first.click()
    journey.check()
    page.get_by_role("link", name=re.compile("Session on")).click()
    journey.check()
    page.get_by_role("link", name="Return with comments…").click()
    journey.check()
    # No comment yet: the error is shown and announced with the field.
    page.get_by_role("button", name="Return to the clinician").click()
    expect(page.get_by_text("Write a comment for the clinician.")).to_be_visible()
    journey.check()
    page.get_by_role("textbox", name=re.compile("Comments for the clinician")).fill(
        "Could you add what you agreed about the buddy plan?"
    )
    page.get_by_role("button", name="Return to the clinician").click()
    expect(page.get_by_text("Returned to the clinician")).to_be_visible()
    journey.check()
    note.refresh_from_db()
    assert note.review_status == ReviewStatus.RETURNED

    # The intern answers with an addendum (their own journey is the
    # clinician's); the note comes back to the queue.
    addendum_add(
        session=note, by=intern, reason="Answer", text="Agreed to text a friend first."
    )
    page.reload()
    journey.check()
    page.get_by_role("link", name=re.compile("Session on")).click()
    expect(page.locator(".addendum")).to_contain_text("text a friend first")
    journey.check()
    page.get_by_role("button", name="Co-sign this note").click()
    journey.check()
    note.refresh_from_db()
    assert note.review_status == ReviewStatus.COSIGNED
    journey.goto(f"/sessions/{note.pk}/")
    expect(page.get_by_test_id("cosignature")).to_contain_text("Co-signed by")
    journey.check()


def test_admin_adds_a_staff_member_and_deactivates_another(journey: Journey) -> None:
    admin = staff(AdminFactory, username="ada")
    SupervisorFactory.create(display_name="Sam Supervisor")
    leaving = ClinicianFactory.create(display_name="Lee Leaving")
    page = journey.page

    journey.sign_in(admin)
    journey.goto("/staff/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Staff")
    journey.check()
    page.get_by_role("link", name="Add a staff member").click()
    journey.check()
    page.get_by_role("button", name="Add the staff member").click()
    expect(page.locator(".invalid-feedback").first).to_be_visible()
    journey.check()
    page.get_by_role("textbox", name=re.compile("^Username")).fill("noor")
    page.get_by_role("textbox", name=re.compile("^Name")).fill("Noor Newcomer")
    page.get_by_role("textbox", name=re.compile("^Email")).fill("noor@example.invalid")
    page.get_by_label("Role").select_option(label="Clinician")
    page.get_by_label("Supervisor").select_option(label="Sam Supervisor")
    page.get_by_role("button", name="Add the staff member").click()
    expect(page.get_by_text("Added Noor Newcomer.")).to_be_visible()
    journey.check()
    assert User.objects.get(username="noor").role == Role.CLINICIAN

    journey.goto("/staff/")
    journey.check()
    page.get_by_role("link", name="Lee Leaving").click()
    journey.check()
    page.get_by_role("link", name="Deactivate…").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Deactivate Lee Leaving?")
    journey.check()
    page.get_by_role("button", name="Deactivate Lee Leaving").click()
    expect(page.get_by_text("is deactivated and signed out")).to_be_visible()
    journey.check()
    leaving.refresh_from_db()
    assert not leaving.is_active


def test_the_admin_copies_a_one_time_link_with_one_button(
    journey: Journey, context: Any, settings: Any
) -> None:
    settings.EMAIL_CONFIGURED = False  # the link is shown, to hand over in person
    admin = AdminFactory.create()
    person = ClinicianFactory.create(display_name="Kim Clinician")
    context.grant_permissions(["clipboard-read", "clipboard-write"])
    page = journey.page
    journey.use_session_of(admin)
    journey.goto(f"/staff/{person.pk}/")
    journey.check()
    page.get_by_role("button", name="Reset password").click()
    link = page.get_by_test_id("password-link")
    expect(link).to_contain_text("/set-password/")
    journey.check()

    page.get_by_role("button", name="Copy the link").click()
    expect(page.locator("#password-link-copied")).to_have_text("Copied.")
    copied = page.evaluate("navigator.clipboard.readText()")
    assert copied == link.inner_text().strip()
