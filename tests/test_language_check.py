"""Checking what clinicians write against the language guide: the live check
endpoint, and every box it serves (note sections, addenda, a supervisor's
return-with-comments, a goal's words; issue #16, item 14). Each box is checked
as it is typed in (the live region and the attributes js/language-guide.js
binds to), when its form comes back with an error, and on save (a message on
the page it lands on). Nothing is ever blocked, and the client's quoted words
are left alone. What the guide flags is tests/test_language_guide.py."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

import pytest
from django.template import Context, Template
from django.test import Client as HttpClient
from django.urls import reverse
from django.utils import timezone
from django_webtest import DjangoTestApp
from pytest_django.asserts import assertContains, assertNotContains

from clients.models import Client
from goals.models import Goal
from sessions.models import Addendum, ReviewStatus, SessionStatus, TherapySession
from sessions.services import therapy_session_sign
from sessions.views.language import LANGUAGE_CHECK_MAX_CHARS
from staff.models import User
from tests.factories import (
    ClientFactory,
    ClinicianFactory,
    GoalFactory,
    TherapySessionFactory,
)
from tests.web import post_forms

Web = Callable[[User | None], DjangoTestApp]

URL = "/sessions/language-check/"


def test_url_and_name() -> None:
    assert reverse("sessions:language_check") == URL


def test_flagged_text_gets_a_gentle_suggestion(as_clinician: HttpClient) -> None:
    response = as_clinician.post(URL, {"text": "She relapsed twice, relapse again."})
    assert response.status_code == 200
    assertContains(response, 'data-testid="language-suggestions"')
    assertContains(
        response,
        "Consider: <em>return to use</em> or <em>recurrence of use</em>",
    )
    assertContains(response, "instead of <em>relapse</em>")
    assertContains(response, "“relapsed”, “relapse”; 2 times")
    assertContains(
        response, f'href="{reverse("sessions:language_guide")}#term-relapse"'
    )
    assertNotContains(response, "<html")  # a fragment, not a page


def test_clean_text_gets_no_suggestions(as_clinician: HttpClient) -> None:
    response = as_clinician.post(URL, {"text": "Talked about her garden and work."})
    assertContains(response, "No language suggestions.", status_code=200)
    assertNotContains(response, "Consider:")


def test_quoted_words_are_the_clients_own(as_clinician: HttpClient) -> None:
    response = as_clinician.post(URL, {"text": 'He said "I am a junkie".'})
    assertContains(response, "No language suggestions.")


def test_empty_or_missing_text_renders_nothing_to_announce(
    as_clinician: HttpClient,
) -> None:
    for data in ({"text": ""}, {}):
        response = as_clinician.post(URL, data)
        assert response.status_code == 200
        assert response.content.strip() == b""


def test_fragment_is_escaped(as_clinician: HttpClient) -> None:
    response = as_clinician.post(URL, {"text": "<b>junkie</b>s and <script>"})
    assertNotContains(response, "<b>")
    assertNotContains(response, "<script>")


def test_very_long_text_is_checked_up_to_the_cap(as_clinician: HttpClient) -> None:
    text = "a " * LANGUAGE_CHECK_MAX_CHARS + "relapse"
    response = as_clinician.post(URL, {"text": text})
    assertContains(response, "Only the first 100,000 characters were checked.")
    assertNotContains(response, "Consider:")


def test_get_is_not_allowed(as_clinician: HttpClient) -> None:
    assert as_clinician.get(URL).status_code == 405


def test_csrf_token_is_required(clinician: User) -> None:
    http = HttpClient(enforce_csrf_checks=True)
    http.force_login(clinician)
    assert http.post(URL, {"text": "relapse"}).status_code == 403


@pytest.mark.django_db
def test_anonymous_visitor_is_sent_to_sign_in(client: HttpClient) -> None:
    response = client.post(URL, {"text": "relapse"})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_note_text_is_never_logged(
    as_clinician: HttpClient, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.DEBUG):
        as_clinician.post(URL, {"text": "Sentinel-xq7 relapsed."})
        as_clinician.get(URL, {"text": "Sentinel-xq7 relapsed."})
    assert "Sentinel-xq7" not in caplog.text


def test_template_tag_renders_the_same_fragment_on_save() -> None:
    template = Template("{% load sessions_tags %}{% language_suggestions note %}")
    html = template.render(Context({"note": "Known as a frequent flyer."}))
    assert "Consider: <em>person who visits often</em>" in html
    assert "No language suggestions." in template.render(Context({"note": "Fine."}))
    assert template.render(Context({"note": None})).strip() == ""


def test_hint_partial_renders_live_region_and_saved_suggestions() -> None:
    template = Template(
        '{% include "sessions/_language_hint.html" with target_id="note-hints" '
        "text=note only %}"
    )
    html = template.render(Context({"note": "Non-compliant with the plan."}))
    assert (
        '<div id="note-hints" class="language-hints form-text" aria-live="polite"'
        in html
    )
    assert f'data-language-check-url="{URL}"' in html
    assert 'id="note-hints-help"' in html
    assert "instead of <em>non-compliant</em>" in html
    assert "js/language-guide.js" in html


# Sent as the page's script sends it (static/js/language-guide.js): the URL from
# the data-language-check-url of the textarea, its form or its live region; the
# CSRF token from the hidden input of the textarea's form, in an X-CSRFToken
# header; the text as a URL-encoded body. CSRF checks on (tests/web.py).


def _check_as_the_script_does(app: Any, page: Any, text: str) -> list[Any]:
    """Each live check the page's textareas would make, with `text` typed."""
    answers = []
    for textarea in page.html.select("textarea[data-language-check]"):
        target = page.html.find(id=textarea["data-language-target"])
        form = textarea.find_parent("form")
        url = (
            textarea.get("data-language-check-url")
            or (form and form.get("data-language-check-url"))
            or target.get("data-language-check-url")
        )
        token = form.find("input", attrs={"name": "csrfmiddlewaretoken"})["value"]
        answers.append(
            app.post(url, urlencode({"text": text}), headers={"X-CSRFToken": token})
        )
    return answers


def test_the_language_guide_page_checks_a_sentence_as_typed(
    web, clinician: User
) -> None:
    app = web(clinician)
    page = app.get(reverse("sessions:language_guide"))

    [answer] = _check_as_the_script_does(app, page, "She relapsed last week.")

    assert answer.status_code == 200
    assertContains(answer, "instead of <em>relapse</em>")
    assertNotContains(answer, "<html")


def test_a_new_note_checks_every_section_as_typed(
    web, clinician: User, client_record: Client
) -> None:
    app = web(clinician)
    page = app.get(reverse("sessions:create", args=[client_record.pk]))

    answers = _check_as_the_script_does(app, page, "Non-compliant with meds.")

    assert len(answers) >= 3  # one per section of the note
    for answer in answers:
        assert answer.status_code == 200
        assertContains(answer, "Consider:")


# Every box clinicians write in


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
    assert region["data-language-check-url"] == URL
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
