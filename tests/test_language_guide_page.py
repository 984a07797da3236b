from __future__ import annotations

import pytest
from django.test import Client as HttpClient
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains

from hr_clinic.lib.language import TERMS

URL = "/sessions/language-guide/"


def test_url_and_name() -> None:
    assert reverse("sessions:language_guide") == URL


def test_guide_lists_every_term_with_alternatives_and_source(
    as_clinician: HttpClient,
) -> None:
    response = as_clinician.get(URL)
    assertContains(response, '<h1 class="h3">Language guide</h1>', html=False)
    assertContains(response, "<caption>", count=1)
    assertContains(response, '<th scope="row">', count=len(TERMS))
    assertContains(response, '<th scope="col">', count=4)
    for term in TERMS:
        assertContains(response, f"“{term.avoid}”")
        for alternative in term.alternatives:
            assertContains(response, alternative)
    assertContains(response, "NIDA, Words Matter")
    assertContains(response, 'id="term-non-compliant"')


def test_guide_offers_a_live_try_out_field(as_clinician: HttpClient) -> None:
    response = as_clinician.get(URL)
    assertContains(response, "data-language-check ")
    assertContains(response, 'data-language-target="language-try-hints"')
    assertContains(response, 'id="language-try-hints"')
    assertContains(response, 'aria-live="polite"')
    assertContains(response, "csrfmiddlewaretoken")
    assertContains(response, "js/language-guide.js")
    assertNotContains(response, "<script>")  # no inline script (strict CSP)


@pytest.mark.parametrize("persona", ["as_clinician", "as_supervisor", "as_admin"])
def test_every_signed_in_role_may_read_it(
    persona: str, request: pytest.FixtureRequest
) -> None:
    http: HttpClient = request.getfixturevalue(persona)
    assert http.get(URL).status_code == 200


def test_nav_links_to_the_guide_for_caseload_roles(
    as_clinician: HttpClient, as_supervisor: HttpClient
) -> None:
    for http in (as_clinician, as_supervisor):
        assertContains(http.get(reverse("home"), follow=True), f'href="{URL}"')


def test_nav_has_no_guide_link_for_admins(as_admin: HttpClient) -> None:
    assertNotContains(as_admin.get(reverse("home"), follow=True), f'href="{URL}"')


@pytest.mark.django_db
def test_anonymous_visitor_is_sent_to_sign_in(client: HttpClient) -> None:
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('login')}?next={URL}"
