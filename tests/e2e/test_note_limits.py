"""In the browser: an autosave over the request size limit shows the server's
plain message under the note, and switching format keeps what was typed."""

from __future__ import annotations

import re
from typing import Any

from playwright.sync_api import expect

from tests.e2e.conftest import Journey, staff
from tests.factories import ClientFactory, ClinicianFactory


def test_an_autosave_too_long_to_save_says_so_on_the_page(
    journey: Journey, settings: Any
) -> None:
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 20_000
    clinician = staff(ClinicianFactory, username="casey")
    client = ClientFactory.create(clinician=clinician, chosen_name="Robin Example")
    page = journey.page
    journey.use_session_of(clinician)
    journey.goto(f"/clients/{client.pk}/sessions/new/")
    brought = page.get_by_label("What the client brought, in their words")
    brought.fill("x" * 30_000)
    brought.press("End")
    page.keyboard.type(" more")
    expect(page.locator("#autosave-status")).to_contain_text(
        "This note is too long to save; shorten it"
    )
    journey.check()


def test_switching_format_in_the_browser_keeps_the_text(journey: Journey) -> None:
    clinician = staff(ClinicianFactory, username="casey")
    client = ClientFactory.create(clinician=clinician, chosen_name="Robin Example")
    page = journey.page
    journey.use_session_of(clinician)
    journey.goto(f"/clients/{client.pk}/sessions/new/")
    journey.check()
    page.get_by_label("What the client brought, in their words").fill(
        "Wants to talk about housing."
    )
    page.get_by_label("What we did together").fill("Called the housing line.")
    page.get_by_label("Note format").select_option(label="SOAP")
    page.get_by_role("button", name="Switch format").click()
    expect(page).to_have_url(re.compile(r"/sessions/[0-9a-f-]+/edit/$"))
    expect(page.get_by_label("Subjective")).to_have_value(
        "Wants to talk about housing."
    )
    expect(
        page.get_by_label("Left over from an earlier format: What we did together")
    ).to_have_value("Called the housing line.")
    journey.check()
