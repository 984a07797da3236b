"""Without a mouse: a session note is written, rated and signed with Tab,
typing, Space and Enter only, and every stop shows where the focus is. The idle
sign-out warning appears, takes the focus, and passes axe."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import Page, expect
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

from sessions.models import SessionStatus, TherapySession
from tests.e2e.conftest import Journey
from tests.factories import ClientFactory, ClinicianFactory, GoalFactory

# The focused element, or for Bootstrap's visually hidden radio buttons
# (.btn-check) the label drawn as the button, must show a focus ring: an
# outline or a box-shadow.
FOCUS_RING = """() => {
  let el = document.activeElement;
  if (!el || el === document.body) { return "nothing focused"; }
  if (el.classList.contains("btn-check")) { el = el.nextElementSibling; }
  const style = getComputedStyle(el);
  const outline = style.outlineStyle !== "none" && parseFloat(style.outlineWidth) > 0;
  const shadow = style.boxShadow !== "none";
  return outline || shadow ? "" : "no visible focus on " + el.outerHTML.slice(0, 120);
}"""


def assert_visible_focus(page: Page) -> None:
    """Bootstrap's focus ring fades in (a box-shadow transition): give it a
    moment before judging."""
    try:
        page.wait_for_function(f"() => !({FOCUS_RING})()", timeout=1000)
    except PlaywrightTimeoutError:
        problem = page.evaluate(FOCUS_RING)
        assert not problem, problem


def focused_id(page: Page) -> str:
    return str(page.evaluate("document.activeElement && document.activeElement.id"))


def tab_to(page: Page, element_id: str, *, limit: int = 80) -> None:
    """Press Tab until `element_id` has the focus; every stop on the way must
    show a visible focus ring."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        assert_visible_focus(page)
        if focused_id(page) == element_id:
            return
    raise AssertionError(f"Tab never reached #{element_id}")


def test_a_note_is_written_and_signed_with_the_keyboard_only(
    journey: Journey,
) -> None:
    clinician = ClinicianFactory.create(username="kim")
    client = ClientFactory.create(clinician=clinician, chosen_name="Robin Example")
    goal = GoalFactory.create(client=client, wording="Carry naloxone every day")
    page = journey.page
    journey.use_session_of(clinician)
    journey.goto(f"/clients/{client.pk}/sessions/new/")
    journey.check()

    tab_to(page, "id_duration_minutes")
    page.keyboard.type("30")
    tab_to(page, "id_section_brought")
    page.keyboard.type("“Carrying the kit every day now.”")
    tab_to(page, "id_section_next")
    page.keyboard.type("Meet at the drop-in next week.")
    # The rating is a radio group: Tab reaches it, Space picks, arrows move.
    tab_to(page, f"id_score_{goal.pk}_0")
    page.keyboard.press("Space")
    for _ in range(6):
        page.keyboard.press("ArrowRight")
    expect(page.locator(f"#id_score_{goal.pk}_6")).to_be_checked()
    tab_to(page, "id_naloxone_on_hand")
    page.keyboard.press("ArrowDown")  # "Yes"
    tab_to(page, "id_naloxone_doses_given")
    page.keyboard.type("2")

    save = page.get_by_role("button", name="Save and review for signing")
    for _ in range(40):
        page.keyboard.press("Tab")
        assert_visible_focus(page)
        if page.evaluate("document.activeElement.value") == "sign":
            break
    expect(save).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Review and sign")
    journey.check()

    tab_to(page, "id_confirm")
    page.keyboard.press("Space")
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="Sign the note")).to_be_focused()
    assert_visible_focus(page)
    page.keyboard.press("Enter")
    expect(page.get_by_test_id("signature")).to_contain_text("Signed by")
    journey.check()

    note = TherapySession.objects.get(client=client)
    assert note.status == SessionStatus.SIGNED
    assert note.duration_minutes == 30 and note.naloxone_doses_given == 2
    assert note.naloxone_on_hand is True
    assert [r.score for r in note.goal_ratings.all()] == [6]


def test_the_idle_warning_appears_takes_the_focus_and_is_accessible(
    journey: Journey, settings: Any
) -> None:
    # One minute: the warning, due a minute before the limit, shows at once.
    settings.IDLE_TIMEOUT_MINUTES = 1
    clinician = ClinicianFactory.create(username="kim")
    page = journey.page
    journey.use_session_of(clinician)
    journey.goto("/clients/")

    warning = page.get_by_role("alertdialog", name="Still there?")
    expect(warning).to_be_visible()
    expect(warning).to_have_accessible_description(
        "To keep records private, you will be signed out in about a minute without "
        "activity. Any draft you are writing is saved first."
    )
    expect(page.get_by_role("button", name="Stay signed in")).to_be_focused()
    assert_visible_focus(page)
    journey.check()

    # Escape means "stay": the keep-alive goes to the server and succeeds.
    with page.expect_response("**/keep-alive/") as keep_alive:
        page.keyboard.press("Escape")
    assert keep_alive.value.ok
