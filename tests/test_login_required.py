from __future__ import annotations

import pytest
from django.test import Client as HttpClient
from django.urls import reverse

from tests.urlwalk import PUBLIC_ROUTES, Route, project_routes

# The only pages that answer without signing in.
PUBLIC = PUBLIC_ROUTES


@pytest.mark.django_db
@pytest.mark.parametrize(
    "route",
    [r for r in project_routes() if r.name not in PUBLIC],
    ids=lambda r: r.name,
)
def test_anonymous_visitors_are_sent_to_sign_in(
    client: HttpClient, route: Route
) -> None:
    path = route.path
    for method in (client.get, client.post):
        response = method(path)
        assert response.status_code == 302, path
        assert response["Location"].startswith(reverse("login") + "?next="), path


def test_every_route_is_walked() -> None:
    names = {r.name for r in project_routes()}
    assert {
        "home",
        "login",
        "logout",
        "sessions:language_guide",
        "sessions:language_check",
    } <= names
