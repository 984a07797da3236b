from __future__ import annotations

import logging
from typing import Any
from urllib.parse import urlencode

import pytest
from django.template import Context, Template
from django.test import Client as HttpClient
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains

from clients.models import Client
from sessions.views.language import LANGUAGE_CHECK_MAX_CHARS
from staff.models import User

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
