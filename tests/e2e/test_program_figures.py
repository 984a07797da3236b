"""Issue #23 in a real browser: a supervisor and an admin open the program
figures for the last quarter from the navigation, choose another period with
the form, and every page passes axe (WCAG 2.2 AA)."""

from __future__ import annotations

import datetime
import re

from django.utils import timezone
from playwright.sync_api import expect

from reports.periods import last_full_quarter
from sessions.models import Modality, SessionStatus
from tests.e2e.conftest import Journey, staff
from tests.factories import (
    AdminFactory,
    ClientFactory,
    ClinicianFactory,
    SupervisorFactory,
    TherapySessionFactory,
)


def test_a_supervisor_and_an_admin_open_the_last_quarters_figures(
    journey: Journey,
) -> None:
    supervisor = staff(SupervisorFactory, username="sam")
    clinician = ClinicianFactory.create(
        display_name="Casey Clinician", supervisor=supervisor
    )
    quarter = last_full_quarter(timezone.localdate())
    when = datetime.datetime.combine(
        quarter.start + datetime.timedelta(days=10), datetime.time(10), datetime.UTC
    )
    for n in range(3):
        TherapySessionFactory.create(
            client=ClientFactory.create(clinician=clinician, chosen_name=f"Robin {n}"),
            started_at=when,
            status=SessionStatus.SIGNED,
            signed_at=when,
            modality=Modality.OUTREACH,
            naloxone_doses_given=2,
        )
    page = journey.page

    journey.sign_in(supervisor)
    page.get_by_role("link", name="Program figures").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        f"Program figures: {quarter.label}"
    )
    people = page.locator("section[data-figure=people] tbody tr").first
    expect(people).to_contain_text("3")
    expect(
        page.get_by_role("img", name=re.compile("Naloxone doses given"))
    ).to_be_visible()
    journey.check()
    page.get_by_label("Period").select_option("year")
    page.get_by_role("button", name="Show figures").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        f"Program figures: {quarter.start.year}"
    )
    journey.check()
    page.get_by_label("Whose work").select_option(label="Casey Clinician")
    page.get_by_role("button", name="Show figures").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Casey Clinician")
    journey.check()
    page.get_by_role("link", name="Print version").click()
    expect(page.get_by_test_id("print-bar")).to_be_visible()
    journey.check()

    admin = staff(AdminFactory, username="ada")
    page.get_by_role("link", name="Back to the figures").click()
    journey.check()
    page.get_by_role("navigation", name="Main").get_by_role(
        "button", name="Sign out"
    ).click()
    page.wait_for_url("**/sign-in/**")
    journey.check()
    journey.sign_in(admin)
    page.get_by_role("link", name="Program figures").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        f"Program figures: {quarter.label}"
    )
    expect(page.get_by_test_id("suppression-rule")).to_contain_text("fewer than 11")
    expect(page.locator("section[data-figure=people] tbody tr").first).to_contain_text(
        "fewer than 11"
    )
    assert "Robin" not in page.content()
    journey.check()
