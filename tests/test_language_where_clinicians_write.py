"""The language guide wherever clinicians write, not only in note sections:
addenda, a supervisor's return-with-comments, and a goal's words (issue #16,
item 14). Each box is checked as it is typed in (the live region and the
attributes js/language-guide.js binds to), when its form comes back with an
error, and on save (a message on the page it lands on). Nothing is ever
blocked, and the client's quoted words are left alone."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone
from django_webtest import DjangoTestApp

from clients.models import Client
from goals.models import Goal
from sessions.models import Addendum, ReviewStatus, SessionStatus, TherapySession
from sessions.services import therapy_session_sign
from staff.models import User
from tests.factories import (
    ClientFactory,
    ClinicianFactory,
    GoalFactory,
    TherapySessionFactory,
)
from tests.web import post_forms

Web = Callable[[User | None], DjangoTestApp]
CHECK_URL = reverse("sessions:language_check")


def _form_with(page: Any, field: str) -> Any:
    """The page's POST form that has `field` (the nav's sign-out form is one
    of the others)."""
    forms: list[Any] = post_forms(page)
    return next(form for form in forms if field in form.fields)


def _checked_box(page: Any, name: str, target: str) -> None:
    """`name` is a textarea that language-guide.js checks as it is typed in,
    into the live region `target`, inside a form that posts a CSRF token."""
    html = page.html
    box = html.find("textarea", attrs={"name": name})
    assert box is not None, name
    assert box.has_attr("data-language-check")
    assert box["data-language-target"] == target
    region = html.find(id=target)
    assert region is not None and region["aria-live"] == "polite"
    assert region["data-language-check-url"] == CHECK_URL
    assert box.find_parent("form").find("input", attrs={"name": "csrfmiddlewaretoken"})
    assert html.find("script", src=lambda s: bool(s and "language-guide" in s))


def _notices(page: Any) -> list[str]:
    return [
        div.get_text(" ", strip=True)
        for div in page.html.select(".messages .alert-info")
        if "Language guide" in div.get_text()
    ]


@pytest.fixture
def signed_note(client_record: Client) -> TherapySession:
    return TherapySessionFactory.create(
        client=client_record, status=SessionStatus.SIGNED, signed_at=timezone.now()
    )


# Addenda


def test_the_addendum_box_is_checked_as_it_is_typed_in(
    web: Web, clinician: User, signed_note: TherapySession
) -> None:
    page = web(clinician).get(reverse("sessions:addendum", args=[signed_note.pk]))
    _checked_box(page, "text", "addendum-hints")


def test_an_addendum_with_stigmatising_words_is_saved_with_suggestions(
    web: Web, clinician: User, signed_note: TherapySession
) -> None:
    page = web(clinician).get(reverse("sessions:addendum", args=[signed_note.pk]))
    form = _form_with(page, "text")
    form["reason"] = "Late entry"
    form["text"] = "Client is an addict and non-compliant with the plan."
    landed = form.submit().follow()

    assert Addendum.objects.get(session=signed_note).text.startswith("Client is")
    assert "Addendum added." in landed.text
    (notice,) = _notices(landed)
    assert "“person who uses drugs”" in notice
    assert "instead of “addict”" in notice
    assert "instead of “non-compliant”" in notice


def test_an_addendum_that_quotes_the_client_gets_no_suggestion(
    web: Web, clinician: User, signed_note: TherapySession
) -> None:
    page = web(clinician).get(reverse("sessions:addendum", args=[signed_note.pk]))
    form = _form_with(page, "text")
    form["reason"] = "Correction"
    form["text"] = 'She said "I was kicked out for using" and wants to try again.'
    landed = form.submit().follow()
    assert Addendum.objects.filter(session=signed_note).count() == 1
    assert _notices(landed) == []


def test_an_addendum_form_with_an_error_shows_the_suggestions_under_the_box(
    web: Web, clinician: User, signed_note: TherapySession
) -> None:
    page = web(clinician).get(reverse("sessions:addendum", args=[signed_note.pk]))
    form = _form_with(page, "text")
    form["reason"] = ""  # required: the form comes back
    form["text"] = "He was discharged for using."
    again = form.submit()
    assert again.status_code == 200
    hints = again.html.find(id="addendum-hints")
    assert "instead of discharged for using" in hints.get_text(" ", strip=True)
    assert not Addendum.objects.exists()


# Return with comments


@pytest.fixture
def waiting_note(supervisor: User) -> TherapySession:
    intern = ClinicianFactory.create(supervisor=supervisor, requires_cosign=True)
    note = TherapySessionFactory.create(client=ClientFactory.create(clinician=intern))
    return therapy_session_sign(session=note, by=intern, expected_version=1)


def test_a_return_comment_is_checked_and_gets_suggestions_on_save(
    web: Web, supervisor: User, waiting_note: TherapySession
) -> None:
    page = web(supervisor).get(reverse("sessions:return", args=[waiting_note.pk]))
    _checked_box(page, "comment", "comment-hints")
    form = _form_with(page, "comment")
    form["comment"] = "Please say more than 'resistant': the client refused to engage?"
    landed = form.submit().follow()

    waiting_note.refresh_from_db()
    assert waiting_note.review_status == ReviewStatus.RETURNED
    (notice,) = _notices(landed)
    assert "instead of “refused to engage”" in notice
    assert "resistant" not in notice  # in quotation marks: not flagged


# Goals


def test_a_new_goals_words_are_checked_and_get_suggestions_on_save(
    web: Web, clinician: User, client_record: Client
) -> None:
    page = web(clinician).get(reverse("goals:create", args=[client_record.pk]))
    _checked_box(page, "wording", "wording-hints")
    _checked_box(page, "why_it_matters", "why-it-matters-hints")
    form = _form_with(page, "wording")
    form["wording"] = "Stop abusing his prescriptions"
    form["why_it_matters"] = "He was discharged for relapse and wants back in."
    landed = form.submit().follow()

    assert Goal.objects.get(client=client_record).wording.startswith("Stop")
    (notice,) = _notices(landed)
    assert "instead of “abusing his prescriptions”" in notice
    assert "instead of “discharged for relapse”" in notice


def test_rewording_a_goal_shows_suggestions_for_its_saved_words_and_on_save(
    web: Web, clinician: User, client_record: Client
) -> None:
    goal = GoalFactory.create(client=client_record, wording="Stay clean for a month")
    page = web(clinician).get(reverse("goals:update", args=[goal.pk]))
    _checked_box(page, "wording", "wording-hints")
    _checked_box(page, "why_it_matters", "why-it-matters-hints")
    # Without JavaScript too: the saved words' suggestions are on the page.
    assert "instead of clean" in page.html.find(id="wording-hints").get_text(
        " ", strip=True
    )

    form = _form_with(page, "wording")
    form["wording"] = "Fewer days using"
    form["why_it_matters"] = "So he is not seen as resistant at the clinic anymore."
    landed = form.submit().follow()
    goal.refresh_from_db()
    assert goal.wording == "Fewer days using"
    (notice,) = _notices(landed)
    assert "instead of “resistant”" in notice


def test_changing_a_goal_checks_its_new_words_and_why_it_changed(
    web: Web, clinician: User, client_record: Client
) -> None:
    goal = GoalFactory.create(client=client_record)
    page = web(clinician).get(reverse("goals:change", args=[goal.pk]))
    for name, target in (
        ("wording", "wording-hints"),
        ("why_it_matters", "why-it-matters-hints"),
        ("note", "change-note-hints"),
    ):
        _checked_box(page, name, target)
    form = _form_with(page, "wording")
    form["wording"] = "Keep the flat"
    form["note"] = "The old goal was set when she was non-compliant."
    landed = form.submit().follow()
    goal.refresh_from_db()
    assert goal.replaced_by is not None
    (notice,) = _notices(landed)
    assert "instead of “non-compliant”" in notice


def test_words_with_nothing_to_suggest_get_no_language_message(
    web: Web, clinician: User, client_record: Client
) -> None:
    page = web(clinician).get(reverse("goals:create", args=[client_record.pk]))
    form = _form_with(page, "wording")
    form["wording"] = "Get back to the allotment"
    landed = form.submit().follow()
    assert "Goal added." in landed.text
    assert _notices(landed) == []


def test_another_clinicians_goal_is_404_and_its_wording_unchanged(
    web: Web, outsider: User, client_record: Client
) -> None:
    goal = GoalFactory.create(client=client_record, wording="Keep the flat")
    app = web(outsider)
    assert app.get(reverse("goals:update", args=[goal.pk]), status=404)
    goal.refresh_from_db()
    assert goal.wording == "Keep the flat"


def test_the_summary_is_plain_text_that_names_what_was_written() -> None:
    from hr_clinic.lib.language import summary

    assert summary("Kicked out of the shelter for drinking.") == (
        "Language guide (a suggestion only): consider “the program ended services"
        " after a return to use” or “left the program after a return to use”"
        " instead of “Kicked out of the shelter for drinking”."
    )
    assert summary('"junkie", she says') == ""
    assert summary("") == ""
