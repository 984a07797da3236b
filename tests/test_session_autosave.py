"""A partial autosave never erases text: what a save does not carry stays."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.urls import reverse
from django_webtest import DjangoTestApp

from clients.models import Client
from goals.models import Goal, GoalRating
from sessions.models import TherapySession
from staff.models import User
from tests.factories import GoalFactory, TherapySessionFactory

Web = Callable[[User | None], DjangoTestApp]


@pytest.fixture
def goal(client_record: Client) -> Goal:
    return GoalFactory.create(client=client_record, wording="Carry naloxone")


@pytest.fixture
def draft(client_record: Client, clinician: User, goal: Goal) -> TherapySession:
    session = TherapySessionFactory.create(
        client=client_record,
        sections={"brought": "What they told me", "did": "What we did"},
        location="Drop-in centre",
        referrals="Housing desk",
        naloxone_on_hand=True,
    )
    GoalRating.objects.create(
        goal=goal, session=session, score=6, comment="most days", recorded_by=clinician
    )
    return session


def _autosave(app: DjangoTestApp, url: str, fields: dict[str, Any]) -> Any:
    return app.post(
        url,
        {**fields, "action": "autosave"},
        headers={"X-Autosave": "1", "X-CSRFToken": fields["csrfmiddlewaretoken"]},
        expect_errors=True,
    )


def test_an_autosave_missing_fields_leaves_them_as_they_are(
    web: Web, clinician: User, draft: TherapySession, goal: Goal
) -> None:
    app = web(clinician)
    form = app.get(reverse("sessions:update", args=[draft.pk])).forms["session-form"]
    everything = dict(form.submit_fields())
    # The right version and one changed section; nothing else of the form.
    partial = {
        name: everything[name]
        for name in ("csrfmiddlewaretoken", "version", "form_token", "note_format")
    }
    partial["section_did"] = "What we did, and more"
    response = _autosave(app, form.action, partial)
    assert response.json["status"] == "saved"
    draft.refresh_from_db()
    assert draft.sections["did"] == "What we did, and more"
    assert draft.sections["brought"] == "What they told me"
    assert (draft.location, draft.referrals) == ("Drop-in centre", "Housing desk")
    assert draft.naloxone_on_hand is True
    assert draft.duration_minutes == 50
    rating = GoalRating.objects.get(goal=goal, session=draft)
    assert (rating.score, rating.comment) == (6, "most days")


def test_an_empty_autosave_with_the_right_version_blanks_nothing(
    web: Web, clinician: User, draft: TherapySession
) -> None:
    app = web(clinician)
    form = app.get(reverse("sessions:update", args=[draft.pk])).forms["session-form"]
    fields = dict(form.submit_fields())
    _autosave(
        app,
        form.action,
        {k: fields[k] for k in ("csrfmiddlewaretoken", "version")},
    )
    draft.refresh_from_db()
    assert draft.sections == {"brought": "What they told me", "did": "What we did"}
    assert draft.location == "Drop-in centre"


def test_a_box_emptied_on_purpose_is_still_saved_empty(
    web: Web, clinician: User, draft: TherapySession, goal: Goal
) -> None:
    app = web(clinician)
    form = app.get(reverse("sessions:update", args=[draft.pk])).forms["session-form"]
    form["section_brought"] = ""
    form["location"] = ""
    # No score chosen (what the browser sends when no radio is checked): the
    # rating is cleared.
    score = form[f"score_{goal.pk}"]
    score.options = [(value, False, text) for value, _, text in score.options]
    score.selectedIndex = None
    form.submit("action", value="save").follow()
    draft.refresh_from_db()
    assert draft.sections["brought"] == ""
    assert draft.location == ""
    assert not GoalRating.objects.filter(session=draft).exists()
