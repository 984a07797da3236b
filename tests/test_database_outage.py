"""With PostgreSQL unreachable, every page answers a plain 503 and /healthz its
503 JSON, whether or not the request carries a session cookie (the session and
the signed-in user are read from the database before any view runs).

The outage is real: the default connection is pointed at a port where nothing
listens, so every attempt to connect is refused at once."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.conf import settings
from django.db import connections
from django.test import Client as HttpClient
from django.urls import reverse

# Nothing listens on port 1 of the loopback interface: connection refused.
NOWHERE = {"HOST": "127.0.0.1", "PORT": "1"}
A_SESSION_COOKIE = "x" * 32


@pytest.fixture
def database_down(django_db_blocker: Any) -> Iterator[None]:
    connection = connections["default"]
    saved = {key: connection.settings_dict.get(key) for key in ("HOST", "PORT")}
    saved_options = dict(connection.settings_dict.get("OPTIONS") or {})
    with django_db_blocker.unblock():
        connection.close()
        connection.settings_dict.update(NOWHERE)
        connection.settings_dict["OPTIONS"] = {**saved_options, "connect_timeout": 1}
        try:
            yield
        finally:
            connection.close()
            connection.settings_dict.update(saved)
            connection.settings_dict["OPTIONS"] = saved_options


def _browser(cookie: bool) -> HttpClient:
    # The test client re-raises a view's exception by default; a browser sees
    # the response.
    http = HttpClient(raise_request_exception=False)
    if cookie:
        http.cookies[settings.SESSION_COOKIE_NAME] = A_SESSION_COOKIE
    return http


def _is_the_plain_503_page(response: Any) -> None:
    assert response.status_code == 503
    assert response["Content-Type"].startswith("text/html")
    assert response["Retry-After"]
    assert "Content-Security-Policy" in response  # the headers of any page
    text = response.content.decode()
    assert "hr_clinic is temporarily unavailable" in text
    assert "Sign out" not in text  # nobody can be known without the database


@pytest.mark.parametrize("cookie", [True, False])
def test_healthz_answers_503_json_while_the_database_is_down(
    database_down: None, cookie: bool
) -> None:
    response = _browser(cookie).get(reverse("healthz"))
    assert response.status_code == 503
    assert response.json() == {"status": "unavailable", "database": "down"}


@pytest.mark.parametrize(
    "name", ["clients:list", "home", "sessions:search_results", "audit:report"]
)
def test_a_page_with_a_session_cookie_answers_the_503_page(
    database_down: None, name: str
) -> None:
    _is_the_plain_503_page(_browser(cookie=True).get(reverse(name)))


def test_signing_in_answers_the_503_page(database_down: None) -> None:
    response = _browser(cookie=False).post(
        reverse("login"), {"username": "clinician", "password": "harm-reduction"}
    )
    _is_the_plain_503_page(response)


def test_a_form_post_with_a_session_cookie_answers_the_503_page(
    database_down: None,
) -> None:
    response = _browser(cookie=True).post(reverse("sessions:search"), {"q": "x"})
    _is_the_plain_503_page(response)


def test_the_503_page_shows_in_debug_mode_too(
    database_down: None, settings: Any
) -> None:
    settings.DEBUG = True
    _is_the_plain_503_page(_browser(cookie=True).get(reverse("clients:list")))


def test_the_503_page_offers_the_same_address_again(database_down: None) -> None:
    response = _browser(cookie=True).get(reverse("clients:list"), {"page": "2"})
    assert 'href="/clients/?page=2"' in response.content.decode()
