"""On a note with several boxes, "No language suggestions." is said once for
the whole note, and gives way to the suggestions when a box has one (#16
item 17)."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.e2e.conftest import Journey
from tests.factories import ClientFactory, ClinicianFactory, TherapySessionFactory


def test_no_language_suggestions_shows_once_then_gives_way(journey: Journey) -> None:
    clinician = ClinicianFactory.create()
    client = ClientFactory.create(clinician=clinician)
    draft = TherapySessionFactory.create(
        client=client,
        sections={"brought": "Talked about the shelter.", "did": "Made a plan."},
    )
    page = journey.page
    journey.use_session_of(clinician)
    journey.goto(f"/sessions/{draft.pk}/edit/")
    journey.check()
    none = page.get_by_text("No language suggestions.")
    expect(none).to_have_count(1)
    expect(none).to_be_visible()

    # The typing's requests (live check, autosave) land before the test ends.
    with (
        page.expect_response("**/language-check/"),
        page.expect_response(
            lambda r: r.url.endswith("/edit/") and r.request.method == "POST"
        ),
    ):
        page.get_by_label("What we did together").press_sequentially(
            " He is an addict."
        )
    expect(page.get_by_test_id("language-suggestions")).to_be_visible()
    expect(none).to_be_hidden()
    journey.check()
