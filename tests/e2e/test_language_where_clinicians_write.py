"""The language guide as a clinician types, in a real browser, in the boxes
outside a note's sections (issue #16, item 14): an addendum, a supervisor's
comments, a goal's words. axe checks each page with its suggestions shown."""

from __future__ import annotations

import re

from django.utils import timezone
from playwright.sync_api import expect

from sessions.models import SessionStatus
from sessions.services import therapy_session_sign
from tests.e2e.conftest import Journey
from tests.factories import (
    ClientFactory,
    ClinicianFactory,
    GoalFactory,
    SupervisorFactory,
    TherapySessionFactory,
)


def test_suggestions_appear_as_an_addendum_and_a_goal_are_typed(
    journey: Journey,
) -> None:
    clinician = ClinicianFactory.create(username="casey")
    client = ClientFactory.create(clinician=clinician, chosen_name="Robin Example")
    note = TherapySessionFactory.create(
        client=client, status=SessionStatus.SIGNED, signed_at=timezone.now()
    )
    goal = GoalFactory.create(client=client, wording="Carry naloxone every day")
    page = journey.page
    journey.use_session_of(clinician)

    journey.goto(f"/sessions/{note.pk}/addenda/new/")
    page.get_by_role("textbox", name=re.compile(r"^Addendum")).press_sequentially(
        "Client is an addict and was non-compliant."
    )
    hints = page.locator("#addendum-hints")
    expect(hints).to_contain_text("person who uses drugs")
    expect(hints).to_contain_text("instead of non-compliant")
    journey.check()

    journey.goto(f"/goals/{goal.pk}/reword/")
    page.get_by_label("Why it matters to them").press_sequentially(
        "So he is not discharged for using again."
    )
    expect(page.locator("#why-it-matters-hints")).to_contain_text(
        "instead of discharged for using"
    )
    journey.check()


def test_suggestions_appear_as_a_supervisor_types_comments(journey: Journey) -> None:
    supervisor = SupervisorFactory.create(username="sam")
    intern = ClinicianFactory.create(supervisor=supervisor, requires_cosign=True)
    note = therapy_session_sign(
        session=TherapySessionFactory.create(
            client=ClientFactory.create(clinician=intern)
        ),
        by=intern,
        expected_version=1,
    )
    page = journey.page
    journey.use_session_of(supervisor)

    journey.goto(f"/sessions/{note.pk}/return/")
    page.get_by_label("Comments for the clinician").press_sequentially(
        "The client refused to engage? Say what they chose instead."
    )
    expect(page.locator("#comment-hints")).to_contain_text(
        "instead of refused to engage"
    )
    journey.check()
