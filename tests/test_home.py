from __future__ import annotations

import re

from django.test import Client as HttpClient
from django.urls import reverse
from pytest_django.asserts import assertContains, assertRedirects


def test_clinician_lands_on_today(as_clinician: HttpClient) -> None:
    response = as_clinician.get(reverse("home"), follow=True)
    assertRedirects(response, reverse("appointments:today"))
    assertContains(response, "My caseload")
    assertContains(response, "Test Staff")
    assertContains(response, "Clinician")


def test_supervisor_lands_on_the_team_dashboard(as_supervisor: HttpClient) -> None:
    response = as_supervisor.get(reverse("home"), follow=True)
    assertRedirects(response, reverse("team:dashboard"))
    assertContains(response, "Supervisor")
    assertContains(response, "My caseload")  # their own caseload, one click away


def test_admin_lands_on_the_staff_list(as_admin: HttpClient) -> None:
    response = as_admin.get(reverse("home"), follow=True)
    assertRedirects(response, reverse("staff:list"))
    assertContains(response, "Admin")
    assertContains(response, "do not see clinical notes")


def test_base_template_has_landmarks_and_skip_link(as_clinician: HttpClient) -> None:
    response = as_clinician.get(reverse("home"), follow=True)
    assertContains(response, '<html lang="en">')
    assertContains(response, 'href="#main"')
    assertContains(response, '<main id="main"')
    assertContains(response, "<nav ")
    assertContains(response, "vendor/bootstrap/bootstrap.min.css")
    # Every script and stylesheet is served from here: no address with a
    # host. (A bare "cdn" check failed now and then on a CSRF token that
    # happened to hold those three letters.)
    assert not re.search(rb"""(src|href)=["'](https?:)?//""", response.content)
