"""Who sees the admin navigation, and that no admin page changes a staff record
for clinicians or supervisors. Every admin page's status code for every persona
is in tests/test_access_matrix.py."""

from __future__ import annotations

import pytest
from django.test import Client as HttpClient
from django.urls import reverse
from pytest_django.asserts import assertContains

from staff.models import User
from tests.urlwalk import Route, project_routes

ADMIN_ROUTES = [r for r in project_routes() if r.name.startswith("staff:")]


@pytest.mark.parametrize("route", ADMIN_ROUTES, ids=lambda r: r.name)
@pytest.mark.parametrize("persona", ["as_clinician", "as_supervisor"])
def test_admin_pages_change_no_staff_record_for_clinicians_and_supervisors(
    request: pytest.FixtureRequest, persona: str, route: Route, admin_user: User
) -> None:
    # An empty POST is enough to deactivate someone (the confirmation form has
    # no required field when nobody needs a new supervisor).
    http: HttpClient = request.getfixturevalue(persona)
    path = route.path.replace("/1/", f"/{admin_user.pk}/")
    before = User.objects.values().get(pk=admin_user.pk)
    http.get(path)
    http.post(path)
    admin_user.refresh_from_db()
    assert admin_user.is_active
    assert User.objects.values().get(pk=admin_user.pk) == before


def test_admin_sees_the_admin_nav_links(as_admin: HttpClient) -> None:
    response = as_admin.get(reverse("staff:list"))
    for name in ("staff:list", "staff:needs_clinician", "staff:caseload"):
        assertContains(response, f'href="{reverse(name)}"')
    assert 'href="/clients/"' not in response.content.decode()


def test_clinicians_see_no_admin_nav_links(as_clinician: HttpClient) -> None:
    response = as_clinician.get(reverse("clients:list"))
    assert reverse("staff:list") not in response.content.decode()
