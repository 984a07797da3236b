"""Every admin page is a 404 for clinicians and supervisors, whatever the method."""

from __future__ import annotations

import pytest
from django.test import Client as HttpClient
from django.urls import reverse
from pytest_django.asserts import assertContains

from staff.models import User
from tests.urlwalk import Route, project_routes

ADMIN_ROUTES = [r for r in project_routes() if r.name.startswith("staff:")]


def test_every_admin_page_is_walked() -> None:
    names = {r.name for r in ADMIN_ROUTES}
    assert {
        "staff:list",
        "staff:search",
        "staff:create",
        "staff:detail",
        "staff:update",
        "staff:deactivate",
        "staff:reactivate",
        "staff:password_reset",
        "staff:needs_clinician",
        "staff:caseload",
    } <= names


@pytest.mark.parametrize("route", ADMIN_ROUTES, ids=lambda r: r.name)
@pytest.mark.parametrize("persona", ["as_clinician", "as_supervisor"])
def test_admin_pages_are_404_for_clinicians_and_supervisors(
    request: pytest.FixtureRequest, persona: str, route: Route, admin_user: User
) -> None:
    http: HttpClient = request.getfixturevalue(persona)
    path = route.path.replace("/1/", f"/{admin_user.pk}/")
    assert http.get(path).status_code == 404
    assert http.post(path).status_code == 404
    admin_user.refresh_from_db()
    assert admin_user.is_active


def test_admin_sees_the_admin_nav_links(as_admin: HttpClient) -> None:
    response = as_admin.get(reverse("staff:list"))
    for name in ("staff:list", "staff:needs_clinician", "staff:caseload"):
        assertContains(response, f'href="{reverse(name)}"')
    assert 'href="/clients/"' not in response.content.decode()


def test_clinicians_see_no_admin_nav_links(as_clinician: HttpClient) -> None:
    response = as_clinician.get(reverse("clients:list"))
    assert reverse("staff:list") not in response.content.decode()


def test_post_only_admin_pages_refuse_get(
    as_admin: HttpClient, clinician: User
) -> None:
    for name in ("staff:search", "staff:password_reset"):
        args = [] if name == "staff:search" else [clinician.pk]
        assert as_admin.get(reverse(name, args=args)).status_code == 405
    assert (
        as_admin.get(reverse("staff:reactivate", args=[clinician.pk])).status_code
        == 405
    )
