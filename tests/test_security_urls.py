"""No health information in URLs: routes take ids only, and search words never
reach a URL."""

from __future__ import annotations

import pytest
from django.test import Client as HttpClient
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.urls.resolvers import RoutePattern

# Path converters that carry an id, never words.
ID_CONVERTERS = {"UUIDConverter", "IntConverter"}
# The one-time password link: a base64 user id and a signed token.
# The calendar feed's secret address: a random token, kept only as its hash.
TOKEN_ROUTES = {"set-password/<uidb64>/<token>/", "calendar/<str:token>.ics"}


def _patterns(
    patterns: list[URLPattern | URLResolver], prefix: str = ""
) -> list[tuple[str, RoutePattern]]:
    found = []
    for entry in patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            found += _patterns(entry.url_patterns, route)
        else:
            assert isinstance(entry.pattern, RoutePattern), route
            found.append((route, entry.pattern))
    return found


def test_routes_take_only_id_converters() -> None:
    for route, pattern in _patterns(get_resolver().url_patterns):
        if route in TOKEN_ROUTES:
            continue
        kinds = {type(c).__name__ for c in pattern.converters.values()}
        assert kinds <= ID_CONVERTERS, f"{route} takes {kinds}"


WORDS = "Robin overdose naloxone"


@pytest.mark.parametrize(
    ("persona", "name", "field"),
    [
        ("as_clinician", "clients:search", "q"),
        ("as_clinician", "sessions:search", "q"),
        ("as_admin", "staff:search", "q"),
    ],
)
def test_search_words_never_reach_a_url(
    request: pytest.FixtureRequest, persona: str, name: str, field: str
) -> None:
    http: HttpClient = request.getfixturevalue(persona)
    response = http.post(reverse(name), {field: WORDS})
    assert response.status_code == 302
    location = response["Location"]
    for word in WORDS.split():
        assert word.lower() not in location.lower()
    page = http.get(location)
    assert page.status_code == 200
