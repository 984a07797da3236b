"""The caseload on a phone (#16 item 16): 390 px wide, nothing runs off the
side, the "Reach out" prompt is whole on screen, and the page passes axe
(its "waiting for you" links included: their contrast once was 4.38:1)."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from playwright.sync_api import expect

from tests.e2e.conftest import Journey
from tests.factories import ClientFactory, ClinicianFactory, TherapySessionFactory

# Inside the viewport, and not cut by a scrolling box around it.
WHOLLY_VISIBLE = """(el) => {
  const box = el.getBoundingClientRect();
  if (box.left < 0 || box.right > window.innerWidth) { return false; }
  for (let p = el.parentElement; p; p = p.parentElement) {
    const style = getComputedStyle(p);
    if (style.overflowX !== "visible") {
      const clip = p.getBoundingClientRect();
      if (box.left < clip.left || box.right > clip.right) { return false; }
    }
  }
  return true;
}"""


def test_the_caseload_fits_a_390_px_screen(journey: Journey) -> None:
    clinician = ClinicianFactory.create()
    long_ago = timezone.localdate() - dt.timedelta(days=90)
    ClientFactory.create(
        clinician=clinician,
        chosen_name="Alexandria Montgomery-Fitzwilliam",
        pronouns="they/them",
        intake_date=long_ago,
    )
    client = ClientFactory.create(clinician=clinician, chosen_name="Robin Example")
    TherapySessionFactory.create(client=client)  # a draft: "Waiting for you"
    page = journey.page
    page.set_viewport_size({"width": 390, "height": 844})
    journey.use_session_of(clinician)
    journey.goto("/clients/")
    journey.check()

    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    badge = page.locator(".reach-out").first
    expect(badge).to_have_text("Reach out")
    assert badge.evaluate(WHOLLY_VISIBLE), badge.bounding_box()
    expect(page.get_by_role("link", name="1 draft")).to_be_visible()
