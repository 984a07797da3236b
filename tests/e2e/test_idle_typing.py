"""The idle time-out respects typing (#16 item 9): typing in a form keeps the
sign-in alive (a throttled keep-alive, CSRF checks on), a warning due while
someone types leaves their focus alone, and an addendum being written when the
time-out comes back after signing in again, on the page it was written on.

The browser's clock is Playwright's (page.clock): minutes pass in an instant,
and the test never waits for real time."""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from playwright.sync_api import Page, Route, expect

from sessions.models import Addendum, SessionStatus, TherapySession
from tests.e2e.conftest import PASSWORD, Journey, staff, totp_code
from tests.factories import ClientFactory, ClinicianFactory, TherapySessionFactory


def signed_note(clinician: Any) -> TherapySession:
    client = ClientFactory.create(clinician=clinician, chosen_name="Robin Example")
    note: TherapySession = TherapySessionFactory.create(
        client=client, status=SessionStatus.SIGNED, signed_at=timezone.now()
    )
    return note


def addendum_url(note: TherapySession) -> str:
    return f"/sessions/{note.pk}/addenda/new/"


def no_keep_alive(page: Page) -> None:
    """The keep-alive never reaches the server (as on a dropped connection), so
    the page's idle timers run on untouched by it."""

    def refuse(route: Route) -> None:
        route.abort()

    page.route("**/keep-alive/", refuse)


def test_typing_in_a_form_keeps_the_sign_in_alive(
    journey: Journey, settings: Any
) -> None:
    settings.IDLE_TIMEOUT_MINUTES = 2  # the warning is due after 60 s
    clinician = ClinicianFactory.create()
    note = signed_note(clinician)
    page = journey.page
    page.clock.install()
    journey.use_session_of(clinician)
    journey.goto(addendum_url(note))
    journey.check()
    text = page.get_by_label("Addendum")
    warning = page.get_by_role("alertdialog", name="Still there?")
    keep_alives: list[str] = []
    page.on(
        "request",
        lambda r: keep_alives.append(r.method) if "/keep-alive/" in r.url else None,
    )

    # The first keystroke tells the server at once, through the page's form
    # (its CSRF token): the server takes it.
    with page.expect_response("**/keep-alive/") as first:
        text.press_sequentially("Also")
    assert first.value.status == 204
    # More typing within the throttle sends nothing more ...
    text.press_sequentially(" gave")
    assert keep_alives == ["POST"]
    # ... until the throttle's time is up: then one keep-alive for all of it.
    with page.expect_response("**/keep-alive/") as second:
        page.clock.run_for(31_000)
    assert second.value.status == 204
    assert keep_alives == ["POST", "POST"]

    # A warning that came anyway goes away when they type, and their focus
    # stays where they are typing.
    page.clock.run_for(61_000)
    expect(warning).to_be_visible()
    text.click()
    with page.expect_response("**/keep-alive/") as third:
        text.press_sequentially(" two strips.")
    assert third.value.status == 204
    expect(warning).to_be_hidden()
    expect(text).to_be_focused()
    expect(text).to_have_value("Also gave two strips.")
    journey.check()


def test_the_warning_does_not_take_the_focus_from_someone_typing(
    journey: Journey, settings: Any
) -> None:
    settings.IDLE_TIMEOUT_MINUTES = 2
    clinician = ClinicianFactory.create()
    note = signed_note(clinician)
    page = journey.page
    page.clock.install()
    journey.use_session_of(clinician)
    no_keep_alive(page)
    journey.goto(addendum_url(note))
    journey.check()
    text = page.get_by_label("Addendum")

    page.clock.run_for(58_000)
    text.press_sequentially("Also gave")
    page.clock.run_for(3_000)  # the warning is due now, two seconds after typing

    warning = page.get_by_role("alertdialog", name="Still there?")
    expect(warning).to_be_visible()
    expect(text).to_be_focused()
    # Told, not moved: the live region reads the warning out.
    expect(page.locator("#idle-warning-live")).to_have_text(
        "To keep records private, you will be signed out in about a minute without "
        "activity. Any draft you are writing is saved first."
    )
    page.keyboard.type(" two strips.")
    expect(text).to_have_value("Also gave two strips.")
    journey.check()


def test_an_addendum_being_written_survives_the_time_out_and_its_page_returns(
    journey: Journey, settings: Any
) -> None:
    settings.IDLE_TIMEOUT_MINUTES = 2
    clinician = staff(ClinicianFactory)
    note = signed_note(clinician)
    page = journey.page
    page.clock.install()
    journey.use_session_of(clinician)
    no_keep_alive(page)
    journey.goto(addendum_url(note))
    journey.check()
    page.get_by_label("Reason").fill("Late entry")
    page.get_by_label("Addendum").fill("Also gave two test strips.")

    # Time runs out: the page signs out by itself.
    page.clock.run_for(118_000)
    page.wait_for_url("**/sign-in/?timed-out=1&next=*")
    journey.check()
    expect(page.get_by_role("status").first).to_contain_text("without activity")
    assert TherapySession.objects.get(pk=note.pk).addenda.count() == 0

    # Signing in again (both steps) leads back to the addendum, text in place.
    page.get_by_label("Username").fill(clinician.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/sign-in/code/**")
    journey.check()
    page.get_by_label("Code").fill(totp_code(clinician))
    page.get_by_role("button", name="Continue").click()
    page.wait_for_url(f"**{addendum_url(note)}")
    expect(page.get_by_label("Reason")).to_have_value("Late entry")
    expect(page.get_by_label("Addendum")).to_have_value("Also gave two test strips.")
    notice = page.get_by_text("What you were writing when you were signed out")
    expect(notice).to_be_visible()
    journey.check()

    page.get_by_role("button", name="Add the addendum").click()
    page.wait_for_url(f"**/sessions/{note.pk}/")
    journey.check()
    addendum = Addendum.objects.get(session=note)
    assert addendum.reason == "Late entry"
    assert addendum.text == "Also gave two test strips."

    # Sent is sent: the next addendum starts empty.
    journey.goto(addendum_url(note))
    journey.check()
    expect(page.get_by_label("Addendum")).to_have_value("")
