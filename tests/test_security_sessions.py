"""Session management: idle and absolute time-outs on the server, the warning
markup, keep-alive, session id rotation at sign-in, and sign-out."""

from __future__ import annotations

import time
from importlib import import_module
from typing import Any

import pytest
from django.conf import settings
from django.contrib.sessions.backends.base import SessionBase
from django.test import Client as HttpClient
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains

from clients.models import Client
from hr_clinic.lib.session_timeout import LAST_ACTIVITY_KEY, SIGNED_IN_AT_KEY
from staff.models import User
from tests.web import form_to


def age(http: HttpClient, *, idle: int = 0, signed_in: int = 0) -> None:
    """Move the session's clocks back by `idle` and `signed_in` seconds."""
    session = http.session
    now = int(time.time())
    session[LAST_ACTIVITY_KEY] = now - idle
    session[SIGNED_IN_AT_KEY] = now - signed_in - idle
    session.save()


def test_an_idle_session_ends_with_a_gentle_message(
    as_clinician: HttpClient, settings: object
) -> None:
    age(as_clinician, idle=settings.IDLE_TIMEOUT_MINUTES * 60 + 1)  # type: ignore[attr-defined]
    url = reverse("clients:list")
    response = as_clinician.get(url)
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('login')}?next={url}"
    assert "_auth_user_id" not in as_clinician.session
    page = as_clinician.get(response["Location"])
    assertContains(page, "without activity")


def test_activity_within_the_limit_keeps_the_session(
    as_clinician: HttpClient, settings: object
) -> None:
    age(as_clinician, idle=settings.IDLE_TIMEOUT_MINUTES * 60 - 30)  # type: ignore[attr-defined]
    assert as_clinician.get(reverse("clients:list")).status_code == 200
    assert as_clinician.session[LAST_ACTIVITY_KEY] >= int(time.time()) - 2


def test_an_autosave_counts_as_activity(
    as_clinician: HttpClient, client_record: Client, settings: object
) -> None:
    age(as_clinician, idle=settings.IDLE_TIMEOUT_MINUTES * 60 - 30)  # type: ignore[attr-defined]
    response = as_clinician.post(
        reverse("sessions:create", args=[client_record.pk]),
        {"section_brought": "typing"},
        headers={"X-Autosave": "1"},
    )
    assert response.status_code == 200
    assert as_clinician.session[LAST_ACTIVITY_KEY] >= int(time.time()) - 2


def test_the_keep_alive_counts_as_activity(
    as_clinician: HttpClient, settings: object
) -> None:
    age(as_clinician, idle=settings.IDLE_TIMEOUT_MINUTES * 60 - 30)  # type: ignore[attr-defined]
    assert as_clinician.post(reverse("keep_alive")).status_code == 204
    assert as_clinician.session[LAST_ACTIVITY_KEY] >= int(time.time()) - 2
    assert as_clinician.get(reverse("keep_alive")).status_code == 405


def test_a_session_ends_after_the_absolute_limit_whatever_the_activity(
    as_clinician: HttpClient, settings: object
) -> None:
    age(as_clinician, signed_in=settings.SESSION_COOKIE_AGE + 1)  # type: ignore[attr-defined]
    response = as_clinician.get(reverse("clients:list"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    assert "_auth_user_id" not in as_clinician.session


def test_the_session_id_changes_at_sign_in(client: HttpClient, clinician: User) -> None:
    client.get(reverse("login"))
    session = client.session
    session["before"] = "x"
    session.save()
    before = session.session_key
    client.post(
        reverse("login"), {"username": "clinician", "password": "test-password-123"}
    )
    assert client.session.session_key != before


def test_sign_out_clears_the_session_and_the_browser(as_clinician: HttpClient) -> None:
    response = as_clinician.post(reverse("logout"))
    assert response["Clear-Site-Data"] == '"cache", "cookies", "storage"'
    assert "_auth_user_id" not in as_clinician.session


def test_an_idle_sign_out_says_why(as_clinician: HttpClient) -> None:
    response = as_clinician.post(reverse("logout"), {"reason": "idle"})
    assert response["Location"] == reverse("login") + "?timed-out=1"
    assertContains(as_clinician.get(response["Location"]), "without activity")


def test_pages_carry_the_idle_warning_for_the_script(
    as_clinician: HttpClient, settings: object
) -> None:
    page = as_clinician.get(reverse("clients:list"))
    seconds = settings.IDLE_TIMEOUT_MINUTES * 60  # type: ignore[attr-defined]
    assertContains(page, f'data-idle-timeout="{seconds}"')
    assertContains(page, 'role="alertdialog"')
    assertContains(page, "js/idle-timeout.js")
    assertContains(page, "Stay signed in")


@pytest.mark.django_db
def test_the_sign_in_page_has_no_idle_warning(client: HttpClient) -> None:
    assertNotContains(client.get(reverse("login")), "data-idle-timeout")


def test_an_idle_sign_out_after_the_server_ended_the_session_still_lands_on_sign_in(
    as_clinician: HttpClient, settings: object
) -> None:
    age(as_clinician, idle=settings.IDLE_TIMEOUT_MINUTES * 60 + 1)  # type: ignore[attr-defined]
    response = as_clinician.post(reverse("logout"), {"reason": "idle"})
    assert response["Location"] == reverse("login") + "?timed-out=1"


# Submitted as the page's script does (static/js/idle-timeout.js): the idle
# warning's own form, its hidden CSRF token included (FormData), CSRF checks on
# (tests/web.py).


def _server_session(app: Any) -> SessionBase:
    """The server-side session behind a WebTest app's cookie (WebTest keeps the
    value quoted, which its own `app.session` does not undo)."""
    key = app.cookies[settings.SESSION_COOKIE_NAME].strip('"')
    return import_module(settings.SESSION_ENGINE).SessionStore(key)


def test_stay_signed_in_on_the_idle_warning_keeps_the_session(
    web, clinician: User
) -> None:
    app = web(clinician)
    page = app.get(reverse("clients:list"))
    keep_alive = form_to(page, reverse("keep_alive"))
    assert keep_alive.html.form.has_attr("data-idle-keep-alive")
    session = _server_session(app)
    now = int(time.time())
    # A quarter of an hour into a sign-in, with the warning up.
    session[SIGNED_IN_AT_KEY] = now - 15 * 60
    session[LAST_ACTIVITY_KEY] = now - settings.IDLE_TIMEOUT_MINUTES * 60 + 30
    session.save()

    # The script fetches with redirect: "error": only a plain success will do.
    response = keep_alive.submit()

    assert response.status_code == 204
    assert "Content-Type" not in response.headers  # no content, so no type of it
    assert _server_session(app)[LAST_ACTIVITY_KEY] >= now
    assert app.get(reverse("clients:list")).status_code == 200
